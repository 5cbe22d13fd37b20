#include "tests/support/processgroup.h"

#include <QDir>
#include <QFile>

using namespace Qt::StringLiterals;

namespace heartline::testing {

namespace {

struct ProcStat
{
    char state = 0;
    qint64 ppid = 0;
    qint64 pgid = 0;
};

// /proc/PID/stat: "pid (comm) state ppid pgrp ..."; comm may hold spaces and parentheses, so
// the fields are read after the last ')'.
bool readStat(qint64 pid, ProcStat *stat)
{
    QFile file(u"/proc/%1/stat"_s.arg(pid));
    if (!file.open(QIODevice::ReadOnly))
        return false;
    const QByteArray text = file.readAll();
    const qsizetype close = text.lastIndexOf(')');
    if (close < 0)
        return false;
    const QList<QByteArray> fields = text.mid(close + 2).split(' ');
    if (fields.size() < 3 || fields.at(0).isEmpty())
        return false;
    stat->state = fields.at(0).at(0);
    stat->ppid = fields.at(1).toLongLong();
    stat->pgid = fields.at(2).toLongLong();
    return true;
}

bool living(const ProcStat &stat)
{
    return stat.state != 'Z' && stat.state != 'X' && stat.state != 'x';
}

// The living processes in /proc whose stat `matches`.
template<typename Matches>
QList<qint64> livingProcesses(Matches matches)
{
    QList<qint64> found;
    const QStringList entries = QDir(u"/proc"_s).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &entry : entries) {
        bool isPid = false;
        const qint64 pid = entry.toLongLong(&isPid);
        ProcStat stat;
        if (isPid && readStat(pid, &stat) && matches(stat) && living(stat))
            found.append(pid);
    }
    return found;
}

} // namespace

QList<qint64> livingProcessesInGroup(qint64 pgid)
{
    return livingProcesses([pgid](const ProcStat &stat) { return stat.pgid == pgid; });
}

QList<qint64> livingChildrenOf(qint64 pid)
{
    return livingProcesses([pid](const ProcStat &stat) { return stat.ppid == pid; });
}

qint64 processGroupOf(qint64 pid)
{
    ProcStat stat;
    return readStat(pid, &stat) && living(stat) ? stat.pgid : 0;
}

bool isAlive(qint64 pid)
{
    ProcStat stat;
    return readStat(pid, &stat) && living(stat);
}

} // namespace heartline::testing
