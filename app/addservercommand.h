#pragma once

#include <QProcessEnvironment>
#include <QStringList>

namespace heartline {

// `heartline ctl servers add NAME [--env KEY=VALUE]... [--cwd DIR] [--config FILE] -- COMMAND
// ARGS...`: writes a new stdio entry into the config file (the default one from `environment`,
// or --config), keeping everything already there. It edits the file in this process and never
// asks a running Heartline: that one's config watcher starts the server. A command line reaches
// Heartline only this way or by the person's own editor, never over a socket. Returns the exit
// status: 0 written, 1 refused (a name taken or invalid, a file that does not parse), 2 a usage
// error.
int runAddServer(const QStringList &arguments, const QProcessEnvironment &environment);

} // namespace heartline
