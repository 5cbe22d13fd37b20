#pragma once

#include <QProcessEnvironment>
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

// How a run of the binary that ends on its own (`heartline import`, `heartline connect`) ended,
// and what it printed.
struct FinishedRun
{
    bool ended = false; // false: killed after the timeout
    int exitCode = -1;  // -1 when it crashed or was killed
    QString out;
    QString err;
};

FinishedRun runToEnd(const QString &binary, const QStringList &arguments,
                     const QProcessEnvironment &environment, const QString &workingDirectory = {},
                     int timeoutMs = 10000);

} // namespace heartline::testing
