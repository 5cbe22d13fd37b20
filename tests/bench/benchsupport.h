#pragma once

// What the benchmarks share: starting the real binary and reading its port, waiting on the
// event loop, percentiles. Header only: each benchmark is one executable.

#include <QByteArray>
#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QFile>
#include <QProcess>
#include <QStringList>
#include <QTimer>

#include <unistd.h>

#include <algorithm>
#include <functional>
#include <vector>

namespace heartline::bench {

// Runs the event loop until `condition` holds or `timeoutMs` passes; returns the condition.
// It sleeps between events: processEvents(flags, maxTime) drops WaitForMoreEvents and returns
// as soon as nothing is pending, so looping on it spun a core at 80 % for the whole of a wrk
// run, a core the servers under test and wrk were sharing (it cost the echo figure a fifth).
inline bool waitFor(const std::function<bool()> &condition, int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    QTimer wakeUp; // so conditions that no event announces (a file, /proc) are seen too
    wakeUp.start(50);
    while (!condition()) {
        if (deadline.hasExpired())
            return false;
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents);
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

// As startHeartline, with the server's stdout going to the file `logPath` instead of to this
// process. A throughput bench must not make the server's event log part of what it measures on
// shared cores: read through a pipe, every flush of the log woke this process (a wake-up
// and a copy per loop turn of the server, on the same two cores) and cost the echo figure a
// fifth. Written to a file, the server still formats and writes every line, as it does into
// a log file or the journal.
inline quint16 startLoggingToFile(QProcess &server, const QString &logPath)
{
    server.setStandardOutputFile(logPath);
    server.start();
    quint16 port = 0;
    QFile log(logPath);
    waitFor(
        [&]() {
            if (server.state() == QProcess::NotRunning)
                return true;
            if (!log.isOpen() && !log.open(QIODevice::ReadOnly))
                return false;
            log.seek(0);
            const QByteArray out = log.read(4096);
            const qsizetype nl = out.indexOf('\n');
            if (nl < 0)
                return false;
            port = quint16(out.left(nl).mid(out.lastIndexOf(':', nl) + 1).toUInt());
            return true;
        },
        10000);
    return port;
}

} // namespace heartline::bench
