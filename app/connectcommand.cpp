#include "app/connectcommand.h"

#include "app/commandwords.h"
#include "app/configfilesettings.h"
#include "server/protocol/wire/jsonsplice.h"
#include "server/tools/upstream/clientconfigs.h"
#include "server/tools/upstream/stdiochannel.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

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

struct Client
{
    const char *id;
    const char *name; // as ClientConfigs names it
    const char *relativePath;
    const char *serversKey;
};

const Client kClients[] = {
    {"claude-code", "Claude Code", ".claude.json", "mcpServers"},
    {"cursor", "Cursor", ".cursor/mcp.json", "mcpServers"},
    {"vscode", "VS Code", ".config/Code/User/mcp.json", "servers"},
    {"claude-desktop", "Claude Desktop", ".config/Claude/claude_desktop_config.json", "mcpServers"},
};

struct ConnectRequest
{
    const Client *client = nullptr;
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
    for (const Client &client : kClients)
        ids.append(QString::fromLatin1(client.id));
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
        } else if (request->client) {
            *problem = u"one client at a time ('%1' and '%2')"_s.arg(
                QString::fromLatin1(request->client->id), word);
            return false;
        } else {
            for (const Client &client : kClients) {
                if (word == QLatin1StringView(client.id))
                    request->client = &client;
            }
            if (!request->client) {
                *problem = u"'%1' is not a client this command knows (%2)"_s.arg(
                    word, clientIds().join(u", "_s));
                return false;
            }
        }
    }
    if (!request->client && !*help) {
        *problem = u"name the client: "_s + clientIds().join(u", "_s);
        return false;
    }
    return true;
}

// Where clients reach this Heartline: a wildcard listening address is reached on loopback.
QString endpointUrl(const ServerConfig &config)
{
    QString host = config.host;
    const QHostAddress address(host);
    if (host.isEmpty() || address == QHostAddress::AnyIPv4 || address == QHostAddress::AnyIPv6
        || address == QHostAddress::Any)
        host = u"127.0.0.1"_s;
    else if (address.protocol() == QAbstractSocket::IPv6Protocol)
        host = u'[' + host + u']';
    return u"http://%1:%2/mcp"_s.arg(host).arg(config.port);
}

QJsonObject entryFor(const Client &client, const QString &url, const QString &token)
{
    const QString id = QString::fromLatin1(client.id);
    if (id == "claude-desktop"_L1) {
        QJsonArray args{"-y"_L1, "mcp-remote"_L1, url};
        if (!token.isEmpty()) {
            args.append("--header"_L1);
            args.append(QString(u"Authorization: Bearer "_s + token));
        }
        return {{"command"_L1, "npx"_L1}, {"args"_L1, args}};
    }
    QJsonObject entry{{"url"_L1, url}};
    if (id != "cursor"_L1) // Cursor tells HTTP from stdio by the url alone
        entry.insert("type"_L1, "http"_L1);
    if (!token.isEmpty())
        entry.insert("headers"_L1,
                     QJsonObject{{"Authorization"_L1, QString(u"Bearer "_s + token)}});
    return entry;
}

bool writeAtomically(const QString &path, const QByteArray &text, bool existed, QString *error)
{
    QSaveFile file(path);
    if (!QDir().mkpath(QFileInfo(path).path()) || !file.open(QIODevice::WriteOnly)) {
        *error = u"%1: %2"_s.arg(path, file.errorString());
        return false;
    }
    // A new file may hold the token: the user's alone. QSaveFile keeps an existing one's mode.
    if (!existed)
        file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    file.write(text);
    if (!file.commit()) {
        *error = u"%1: %2"_s.arg(path, file.errorString());
        return false;
    }
    return true;
}

// The servers `client`'s file still starts itself that Heartline serves too: the same name or
// the same command line.
QStringList ownCopies(const QString &path, const Client &client, const QString &home,
                      const QList<UpstreamServerConfig> &hosted)
{
    QStringList copies;
    const ClientConfigScan scan =
        ClientConfigs::readFile(path, QString::fromLatin1(client.name), home);
    for (const ImportedServer &server : scan.servers) {
        if (server.name == "heartline"_L1)
            continue;
        for (const UpstreamServerConfig &own : hosted) {
            const QString line =
                own.url.isEmpty()
                    ? StdioChannel::quotedCommandLine(QStringList{own.command} + own.args)
                    : own.url;
            if (own.name == server.name || line == server.commandLineOrUrl()) {
                copies.append(server.name);
                break;
            }
        }
    }
    return copies;
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
    const QString url = endpointUrl(settings.server);

    const Client &client = *request.client;
    const QString home = environment.value(u"HOME"_s, QDir::homePath());
    const QString path = QDir(home).filePath(QString::fromLatin1(client.relativePath));
    const bool existed = QFileInfo::exists(path);
    QByteArray text = "{}\n";
    if (existed) {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            return fail(u"%1: %2"_s.arg(path, file.errorString()));
        text = file.readAll();
    }
    const QByteArray original = text;
    const QJsonObject entry = entryFor(client, url, settings.server.token);
    if (!setJsonMember(&text, {QString::fromLatin1(client.serversKey), u"heartline"_s},
                       QJsonDocument(entry).toJson(), &problem))
        return fail(u"%1: %2; nothing changed"_s.arg(path, problem));

    const QByteArray shownEntry = QJsonDocument(entry).toJson(QJsonDocument::Indented);
    if (request.dryRun) {
        std::printf("would write into %s (%s):\n\"heartline\": %s", qPrintable(path),
                    existed ? "kept byte for byte but for this entry" : "a new file",
                    shownEntry.constData());
        return 0;
    }
    if (text == original) {
        std::printf("%s already has this entry; nothing changed\n", qPrintable(path));
    } else {
        const QString backup = path + u".heartline-backup"_s;
        if (existed) {
            QFile::remove(backup);
            if (!QFile::copy(path, backup))
                return fail(u"could not keep a backup at %1; nothing changed"_s.arg(backup));
        }
        if (!writeAtomically(path, text, existed, &problem))
            return fail(problem + u"; nothing changed"_s);
        std::printf("added \"heartline\" (%s) to %s%s\n", qPrintable(url), qPrintable(path),
                    existed ? qPrintable(u"; the file as it was is %1"_s.arg(backup)) : "");
    }
    const QStringList copies = ownCopies(path, client, home, settings.upstreamServers);
    if (!copies.isEmpty())
        std::printf("%s still starts its own copy of %s, which Heartline serves now: remove "
                    "%s from %s so each runs once\n",
                    client.name, qPrintable(copies.join(u", "_s)),
                    copies.size() == 1 ? "it" : "them", qPrintable(path));
    return 0;
}

} // namespace heartline
