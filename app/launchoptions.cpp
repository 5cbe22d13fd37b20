#include "app/launchoptions.h"

#include "app/configfilesettings.h"

#include "server/api/serverconfigschema.h"

#include <QCommandLineParser>
#include <QFileInfo>
#include <QHostAddress>
#include <QJsonObject>

using namespace Qt::StringLiterals;

namespace heartline {
namespace {

// A flag that sets a server setting: its range and type come from the setting's row.
bool parseSettingFlag(const QString &flag, const SettingSpec &spec, const QString &text,
                      ServerConfig *config, QString *error)
{
    if (spec.type != SettingType::Int) {
        spec.set(*config, text);
        return true;
    }
    bool ok = false;
    const qint64 value = text.toLongLong(&ok);
    if (!ok || !spec.accepts(value)) {
        *error = u"--%1 must be %2, not '%3'"_s.arg(flag, spec.typeText(), text);
        return false;
    }
    spec.set(*config, qlonglong(value));
    return true;
}

// "Port to listen on (default 8650; 0 = any free port)." from the setting's row.
QString flagHelp(const QString &what, const QString &key)
{
    const SettingSpec &spec = *ServerConfigSchema::find(key);
    QString help = what + u" (default "_s + spec.defaultValue.toString();
    if (spec.zeroMeans)
        help += u"; 0 = "_s + QString::fromLatin1(spec.zeroMeans);
    return help + u")."_s;
}

} // namespace

LaunchOptions parseLaunchOptions(const QStringList &arguments,
                                 const QProcessEnvironment &environment, bool hasDisplay)
{
    LaunchOptions options;
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Heartline - a personal MCP host that keeps every stream alive.\n\n"
        "Serves MCP tools over Streamable HTTP at /mcp and keeps every SSE stream alive\n"
        "through proxies with heartbeat comments. Opens its window when a display is\n"
        "available and runs headless otherwise.\n\n"
        "Also: heartline ctl [--port N] tools list|enable NAME|disable NAME\n"
        "      heartline ctl [--port N] sessions list|close ID\n"
        "      heartline ctl [--port N] servers list|logs NAME\n"
        "      heartline ctl [--port N] servers start|stop|restart|enable|disable NAME\n"
        "      heartline ctl servers add NAME [--env K=V]... [--cwd DIR] -- COMMAND ARGS...\n"
        "      heartline ctl [--port N] status\n"
        "      heartline import [--from FILE [NAME...]] [--config FILE] [--replace]\n"
        "        (servers of Claude Desktop, Cursor, VS Code, Claude Code, Windsurf, Zed;\n"
        "        heartline import --help says more)\n"
        "      heartline connect claude-code|cursor|vscode|claude-desktop [--dry-run]\n"
        "        (adds Heartline to that client's config; heartline connect --help)\n"
        "      heartline secret set|delete NAME [--config FILE]\n"
        "        (a ${secret:NAME} value, kept in the keyring; heartline secret --help)"_s);
    const QCommandLineOption help({u"h"_s, u"help"_s}, u"Show this help and exit."_s);
    const QCommandLineOption version({u"v"_s, u"version"_s}, u"Show the version and exit."_s);
    const QCommandLineOption headless(u"headless"_s,
                                      u"Run without a window and print events as lines."_s);
    const QCommandLineOption host(u"host"_s, flagHelp(u"Address to listen on"_s, u"host"_s),
                                  u"ADDR"_s);
    const QCommandLineOption port(u"port"_s, flagHelp(u"Port to listen on"_s, u"port"_s), u"N"_s);
    const QCommandLineOption heartbeat(
        u"heartbeat-ms"_s, flagHelp(u"Heartbeat interval on idle SSE streams"_s, u"heartbeatMs"_s),
        u"N"_s);
    const QCommandLineOption config(
        u"config"_s,
        u"Read settings and MCP servers from a JSON file (default: %1 when it exists). The "
        "file is watched and changes apply live."_s.arg(
            u"$XDG_CONFIG_HOME/heartline/heartline.json, else ~/.config/heartline/heartline.json"_s),
        u"FILE"_s);
    const QCommandLineOption token(u"token"_s,
                                   u"Require 'Authorization: Bearer TOKEN' (or env "
                                   "HEARTLINE_TOKEN)."_s,
                                   u"TOKEN"_s);
    const QCommandLineOption logFormat(
        u"log-format"_s, u"Headless event lines as text or json (default text)."_s, u"text|json"_s);
    const QCommandLineOption conformance(
        u"conformance"_s,
        u"Also serve the test_* tools, test:// resources and prompts the official MCP "
        "conformance suite expects (off by default)."_s);
    parser.addOptions(
        {help, version, headless, host, port, heartbeat, config, token, logFormat, conformance});
    options.helpText = parser.helpText();

    auto fail = [&options](const QString &message) {
        options.action = LaunchOptions::Action::Fail;
        options.error = message;
        return options;
    };

    if (!parser.parse(arguments))
        return fail(parser.errorText() + u" (see heartline --help)"_s);
    if (!parser.positionalArguments().isEmpty())
        return fail(u"unexpected argument '%1' (see heartline --help)"_s.arg(
            parser.positionalArguments().first()));
    if (parser.isSet(help)) {
        options.action = LaunchOptions::Action::ShowHelp;
        return options;
    }
    if (parser.isSet(version)) {
        options.action = LaunchOptions::Action::ShowVersion;
        return options;
    }

    QString error;
    // Without --config the default file is read when it exists: a missing one means the
    // built-in defaults. Either way that path is the one watched for changes.
    options.configFileGiven = parser.isSet(config);
    options.configPath =
        options.configFileGiven ? parser.value(config) : defaultConfigPath(environment);
    if (options.configFileGiven || QFileInfo::exists(options.configPath)) {
        ConfigFileSettings settings{options.config, options.logFormat, {}, {}};
        if (!readConfigFile(options.configPath, environment, &settings, &error))
            return fail(error);
        options.config = settings.server;
        options.logFormat = settings.logFormat;
        options.upstreamServers = settings.upstreamServers;
        options.commandTools = settings.commandTools;
    }
    // Set but empty is not a token: it must not quietly drop the one from the config file.
    if (!environment.value(u"HEARTLINE_TOKEN"_s).isEmpty()) {
        options.config.token = environment.value(u"HEARTLINE_TOKEN"_s);
        options.explicitFields.append(u"token"_s);
    }
    // The flags that set a server setting, in the order their errors are reported.
    const std::pair<const QCommandLineOption *, QString> settingFlags[] = {
        {&host, u"host"_s},
        {&port, u"port"_s},
        {&heartbeat, u"heartbeatMs"_s},
        {&token, u"token"_s}};
    for (const auto &[flag, key] : settingFlags) {
        if (!parser.isSet(*flag))
            continue;
        if (!options.explicitFields.contains(key))
            options.explicitFields.append(key);
        if (!parseSettingFlag(flag->names().constFirst(), *ServerConfigSchema::find(key),
                              parser.value(*flag), &options.config, &error))
            return fail(error);
    }
    if (parser.isSet(logFormat)
        && !HeadlessLog::parseFormat(parser.value(logFormat), &options.logFormat))
        return fail(
            u"--log-format must be 'text' or 'json', not '%1'"_s.arg(parser.value(logFormat)));
    options.config.conformance = parser.isSet(conformance);
    options.headless = parser.isSet(headless) || !hasDisplay;

    if (options.config.host != "localhost"_L1 && QHostAddress(options.config.host).isNull())
        return fail(u"--host must be an IP address such as 127.0.0.1 or ::1, not '%1'"_s.arg(
            options.config.host));
    if (!ServerConfig::isLoopbackHost(options.config.host) && options.config.token.isEmpty())
        return fail(
            u"refusing to listen on %1 without a token: anyone who can reach it could "
            "run your tools. Set --token (or HEARTLINE_TOKEN), or listen on 127.0.0.1"_s.arg(
                options.config.host));
    return options;
}

} // namespace heartline
