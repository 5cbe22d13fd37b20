#pragma once

#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

namespace heartline {

// `heartline import ...`: lists the MCP servers configured in the user's other clients, or adds
// those of one client file to Heartline's config file (the default one from `environment`, or
// --config), keeping everything already there. Prints to stdout and stderr and returns the exit
// status: 0 done, 1 nothing to import or an error, 2 a usage error.
int runImport(const QStringList &arguments, const QProcessEnvironment &environment,
              const QString &currentDir);

} // namespace heartline
