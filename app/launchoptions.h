#pragma once

#include "app/headlesslog.h"
#include "server/api/serverconfig.h"
#include "server/tools/command/commandtoolconfig.h"
#include "server/tools/upstream/upstreamserverconfig.h"

#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

namespace heartline {

// What one start of Heartline was asked to do, from built-in defaults, the config file, the
// environment and the command line, in that order of precedence (last wins).
struct LaunchOptions
{
    enum class Action { Run, ShowHelp, ShowVersion, Fail };

    Action action = Action::Run;
    ServerConfig config;
    bool headless = false;
    HeadlessLog::Format logFormat = HeadlessLog::Format::Text;
    QString error; // one line, for Action::Fail
    QString helpText;
    // What this run was told explicitly, which outranks what the window saved last time: a
    // config file (then it alone decides), and the ServerConfig fields set by flags or the
    // environment ("host", "port", "heartbeatMs", "token").
    bool configFileGiven = false;
    QStringList explicitFields;
    // The config file this run reads and watches: --config FILE, or the default file (see
    // defaultConfigPath), which may not exist yet. Its mcpServers, in file order.
    QString configPath;
    QList<UpstreamServerConfig> upstreamServers;
    QList<CommandToolConfig> commandTools;
};

// `hasDisplay` decides GUI or headless when --headless is not given.
LaunchOptions parseLaunchOptions(const QStringList &arguments,
                                 const QProcessEnvironment &environment, bool hasDisplay);

} // namespace heartline
