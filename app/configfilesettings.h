#pragma once

#include "app/defaultconfigpath.h"

#include "app/headlesslog.h"
#include "server/api/serverconfig.h"
#include "server/tools/command/commandtoolconfig.h"
#include "server/tools/upstream/upstreamserverconfig.h"

#include <QList>
#include <QProcessEnvironment>
#include <QString>

namespace heartline {

// Everything the config file (heartline.json) sets, read by the same sections at start and on
// every live reload: the server settings, the headless log's format, the upstream servers and
// the command tools.
struct ConfigFileSettings
{
    ServerConfig server;
    HeadlessLog::Format logFormat = HeadlessLog::Format::Text;
    QList<UpstreamServerConfig> upstreamServers; // in file order; see each one's `problem`
    QList<CommandToolConfig> commandTools;       // by name; see each one's `problem`
};

// Reads `path` over `settings` (keys the file does not set keep their value). ${...} in the
// upstream servers' entries expand from `environment` (its HOME is ${userHome}). False, with
// one line naming the file and the problem (FILE:LINE:COLUMN for text that is not JSON), when
// the file cannot be used at all; then `settings` is untouched. A problem in one upstream
// server is not a failure: it stays in that server's `problem`.
bool readConfigFile(const QString &path, const QProcessEnvironment &environment,
                    ConfigFileSettings *settings, QString *error);
// The same over the file's `text` (named `path` in messages).
bool readConfigText(const QByteArray &text, const QString &path,
                    const QProcessEnvironment &environment, ConfigFileSettings *settings,
                    QString *error);

} // namespace heartline
