#pragma once

#include <QList>

namespace heartline::testing {

// The processes of process group `pgid` that are still alive, read from /proc/*/stat. Zombies
// are left out: they have ended, and an orphan's zombie waits on a pid 1 that may never reap
// it (a container's init).
QList<qint64> livingProcessesInGroup(qint64 pgid);
// The living processes whose parent is `pid`.
QList<qint64> livingChildrenOf(qint64 pid);
// The process group of `pid` (0 when it does not exist or has ended).
qint64 processGroupOf(qint64 pid);
bool isAlive(qint64 pid);

} // namespace heartline::testing
