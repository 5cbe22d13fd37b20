#include "app/connectcommand.h"

#include "app/clientconnection.h"
#include "app/commandwords.h"
#include "app/configfilesettings.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>

#include <cstdio>

using namespace Qt::StringLiterals;

namespace heartline {
namespace {

const char kHelp[] =
    "usage: heartline connect CLIENT [--dry-run] [--config FILE] [--port N]\n"
    "\n"
    "Adds Heartline to an MCP client's config, so the client reaches every server Heartline\n"
    "hosts through one entry named \"heartline\". CLIENT is one of:\n"
    "  claude-code     ~/.claude.json (user scope)\n"
    "  cursor          ~/.cursor/mcp.json\n"
    "  vscode          ~/.config/Code/User/mcp.json\n"
    "  claude-desktop  ~/.config/Claude/claude_desktop_config.json (through mcp-remote,\n"
    "                  since Claude Desktop starts only stdio servers)\n"
    "\n"
    "Nothing else in the file changes; the file as it was is kept beside it as\n"
    "FILE.heartline-backup. An entry named \"heartline\" already there is replaced.\n"
    "\n"
    "  --dry-run      print what would be written, and write nothing\n"
    "  --config FILE  Heartline's config file, for its host, port and token (default:\n"
    "                 $XDG_CONFIG_HOME/heartline/heartline.json)\n"
    "  --port N       the port Heartline listens on, when it is not the config's\n"
    "  -h, --help     show this help\n"
    "\n"
    "Exit status: 0 done, 1 an error, 2 a usage error.\n";

struct ConnectRequest
{
    QString client; // its id
    bool dryRun = false;
    QString config;
    int port = -1;
};

int usage(const QString &problem)
{
    std::fprintf(stderr, "heartline connect: %s\n%s", qPrintable(problem), kHelp);
    return 2;
}

int fail(const QString &problem)
{
    std::fprintf(stderr, "heartline connect: %s\n", qPrintable(problem));
    return 1;
}

QStringList clientIds()
{
    QStringList ids;
    for (const ClientConnection::Client &client : ClientConnection::clients({}))
        ids.append(client.id);
    return ids;
}

bool parse(const QStringList &arguments, ConnectRequest *request, bool *help, QString *problem)
{
    CommandWords words(arguments);
    while (words.next()) {
        const QString &word = words.word();
        QString value;
        if (word == "-h"_L1 || word == "--help"_L1) {
            *help = true;
        } else if (word == "--dry-run"_L1 && !words.hasInlineValue()) {
            request->dryRun = true;
        } else if (word == "--config"_L1) {
            if (!words.takeValue(&value)) {
                *problem = u"--config needs a file"_s;
                return false;
            }
            request->config = value;
        } else if (word == "--port"_L1) {
            bool ok = false;
            const int port = words.takeValue(&value) ? value.toInt(&ok) : 0;
            if (!ok || port < 1 || port > 65535) {
                *problem = u"--port needs a port number from 1 to 65535"_s;
                return false;
            }
            request->port = port;
        } else if (word.startsWith(u'-')) {
            *problem = u"unknown option '%1'"_s.arg(words.written());
            return false;
        } else if (!request->client.isEmpty()) {
            *problem = u"one client at a time ('%1' and '%2')"_s.arg(request->client, word);
            return false;
        } else {
            if (clientIds().contains(word))
                request->client = word;
            if (request->client.isEmpty()) {
                *problem = u"'%1' is not a client this command knows (%2)"_s.arg(
                    word, clientIds().join(u", "_s));
                return false;
            }
        }
    }
    if (request->client.isEmpty() && !*help) {
        *problem = u"name the client: "_s + clientIds().join(u", "_s);
        return false;
    }
    return true;
}

} // namespace

int runConnect(const QStringList &arguments, const QProcessEnvironment &environment)
{
    ConnectRequest request;
    bool help = false;
    QString problem;
    if (!parse(arguments, &request, &help, &problem))
        return usage(problem);
    if (help) {
        std::fputs(kHelp, stdout);
        return 0;
    }

    // Heartline's own address and token: its config file, then HEARTLINE_TOKEN and --port.
    ConfigFileSettings settings;
    const QString configPath =
        request.config.isEmpty() ? defaultConfigPath(environment) : request.config;
    if ((!request.config.isEmpty() || QFileInfo::exists(configPath))
        && !readConfigFile(configPath, environment, &settings, &problem))
        return fail(problem);
    if (!environment.value(u"HEARTLINE_TOKEN"_s).isEmpty())
        settings.server.token = environment.value(u"HEARTLINE_TOKEN"_s);
    if (request.port > 0)
        settings.server.port = request.port;
    if (settings.server.port == 0)
        return fail(u"the config says port 0 (any free port): give the port Heartline listens "
                    "on with --port N"_s);
    const QString url =
        ClientConnection::reachableMcpUrl(settings.server.host, settings.server.port);

    const QString home = environment.value(u"HOME"_s, QDir::homePath());
    ClientConnection::Client client;
    ClientConnection::find(request.client, home, &client);
    ClientConnection::Plan plan;
    if (!ClientConnection::plan(client, url, settings.server.token, &plan, &problem))
        return fail(problem);
    const QString &path = plan.path;

    const QByteArray shownEntry = QJsonDocument(plan.entry).toJson(QJsonDocument::Indented);
    if (request.dryRun) {
        std::printf("would write into %s (%s):\n\"heartline\": %s", qPrintable(path),
                    plan.existed ? "kept byte for byte but for this entry" : "a new file",
                    shownEntry.constData());
        return 0;
    }
    if (plan.after == plan.before) {
        std::printf("%s already has this entry; nothing changed\n", qPrintable(path));
    } else {
        if (!ClientConnection::apply(plan, &problem))
            return fail(problem);
        std::printf("added \"heartline\" (%s) to %s%s\n", qPrintable(url), qPrintable(path),
                    plan.existed ? qPrintable(
                        u"; the file as it was is %1"_s.arg(ClientConnection::backupPath(path)))
                                 : "");
    }
    const QStringList copies = ClientConnection::ownCopies(client, home, settings.upstreamServers);
    if (!copies.isEmpty())
        std::printf("%s still starts its own copy of %s, which Heartline serves now: remove "
                    "%s from %s so each runs once\n",
                    qPrintable(client.name), qPrintable(copies.join(u", "_s)),
                    copies.size() == 1 ? "it" : "them", qPrintable(path));
    return 0;
}

} // namespace heartline
