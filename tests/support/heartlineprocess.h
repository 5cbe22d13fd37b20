#pragma once

#include <QString>
#include <QStringList>

class QProcess;

namespace heartline::testing {

// Starts the real heartline binary headless for a test that measures or limits the process
// itself: its own XDG folders under `home` (no user config file, no other instance's control
// socket), no display or token inherited from the caller, stdout to `home`/stdout.log (a pipe
// nobody drains while the test blocks on its sockets would fill and stop the server). Whatever
// else the test wants (stderr, a child-process modifier) it sets on `process` before. Returns
// the port of its `listening:` line, or 0 with `error` saying why.
quint16 startHeadlessHeartline(QProcess &process, const QString &binary, const QString &home,
                               const QStringList &arguments, QString *error);

} // namespace heartline::testing
