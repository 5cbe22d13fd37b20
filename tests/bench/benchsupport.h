#pragma once

// What the benchmarks share: starting the real binary and reading its port, waiting on the
// event loop, percentiles. Header only: each benchmark is one executable.

#include <QByteArray>
#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QFile>
#include <QProcess>
#include <QStringList>

#include <unistd.h>

#include <algorithm>
#include <functional>
#include <vector>

namespace heartline::bench {

// Runs the event loop until `condition` holds or `timeoutMs` passes; returns the condition.
inline bool waitFor(const std::function<bool()> &condition, int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    while (!condition()) {
        if (deadline.hasExpired())
            return false;
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 50);
    }
    return true;
}

// The value below which a fraction `p` of `sorted` lies.
template<typename T>
T percentileOf(const std::vector<T> &sorted, double p)
{
    return sorted.empty() ? T() : sorted[std::min(sorted.size() - 1, size_t(p * sorted.size()))];
}

// CPU time (user + system) the process `pid` has used so far, from /proc; -1 when unknown.
inline double serverCpuSeconds(qint64 pid)
{
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return -1;
    const QByteArray line = stat.readAll();
    const QList<QByteArray> fields = line.mid(line.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of stat, i.e. 11 and 12 after the command name.
    const double ticks = fields.value(11).toDouble() + fields.value(12).toDouble();
    return ticks / double(sysconf(_SC_CLK_TCK));
}

// Starts `server` (program, arguments and environment already set) and returns the port of its
// `listening:` line, or 0 when none came within ten seconds. The rest of its stdout (the
// headless event log) is drained from then on, so the server never blocks writing it.
inline quint16 startHeartline(QProcess &server)
{
    server.start();
    quint16 port = 0;
    QByteArray out;
    waitFor(
        [&]() {
            out += server.readAllStandardOutput();
            const qsizetype nl = out.indexOf('\n');
            if (nl < 0)
                return server.state() == QProcess::NotRunning;
            port = quint16(out.left(nl).mid(out.lastIndexOf(':', nl) + 1).toUInt());
            return true;
        },
        10000);
    QObject::connect(&server, &QProcess::readyReadStandardOutput,
                     [&server]() { server.readAllStandardOutput(); });
    return port;
}

} // namespace heartline::bench
