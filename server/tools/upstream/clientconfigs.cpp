#include "server/tools/upstream/clientconfigs.h"

#include "server/protocol/wire/jsontext.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSet>

using namespace Qt::StringLiterals;

namespace heartline {
namespace {

constexpr qint64 kMaxFileBytes = 16 * 1024 * 1024;

const auto kClaudeDesktop = "Claude Desktop"_L1;
const auto kCursor = "Cursor"_L1;
const auto kVsCode = "VS Code"_L1;
const auto kClaudeCode = "Claude Code"_L1;
const auto kWindsurf = "Windsurf"_L1;
const auto kZed = "Zed"_L1;

// Heartline's keys of an mcpServers entry that pass through as the client wrote them.
const QStringList &keptKeys()
{
    static const QStringList keys{
        u"command"_s,   u"args"_s,    u"env"_s,           u"cwd"_s,           u"url"_s,
        u"headers"_s,   u"enabled"_s, u"timeoutMs"_s,     u"restart"_s,       u"description"_s,
        u"instances"_s, u"roots"_s,   u"disabledTools"_s, u"startTimeoutMs"_s};
    return keys;
}

// Keys that only mean something to the client they came from and are folded into Heartline's
// (type, serverUrl, disabled, envFile) or say nothing Heartline needs (Zed's "source").
const QStringList &foldedKeys()
{
    static const QStringList keys{u"type"_s, u"serverUrl"_s, u"disabled"_s, u"envFile"_s,
                                  u"source"_s};
    return keys;
}

QString quotedForShell(const QString &word)
{
    static const QRegularExpression plain(u"^[A-Za-z0-9_@%+=:,./~${}-]+$"_s);
    if (plain.match(word).hasMatch())
        return word;
    QString quoted = word;
    quoted.replace(u'\'', u"'\\''"_s);
    return u'\'' + quoted + u'\'';
}

QStringList toStringList(const QJsonValue &value)
{
    QStringList list;
    for (const QJsonValue &item : value.toArray())
        list.append(item.toString());
    return list;
}

// mcp-remote, also as a package spec (mcp-remote@latest, mcp-remote@0.1.29) or a path to it.
bool isMcpRemote(const QString &word)
{
    const QString base = word.section(u'/', -1);
    return base == "mcp-remote"_L1 || base.startsWith("mcp-remote@"_L1);
}

// `${NAME}` (and `${env:NAME}`) replaced from `env` where it has NAME; the rest kept as written
// for Heartline's own expansion when the server starts.
QString substituteFrom(const QJsonObject &env, QString text)
{
    static const QRegularExpression variable(u"\\$\\{(?:env:)?([A-Za-z_][A-Za-z0-9_]*)\\}"_s);
    QString result;
    qsizetype last = 0;
    auto matches = variable.globalMatch(text);
    while (matches.hasNext()) {
        const QRegularExpressionMatch match = matches.next();
        result += QStringView(text).mid(last, match.capturedStart() - last);
        const QJsonValue value = env.value(match.captured(1));
        result += value.isString() ? value.toString() : match.captured(0);
        last = match.capturedEnd();
    }
    return result + QStringView(text).mid(last);
}

// `npx -y mcp-remote https://x/mcp --header "Authorization: Bearer ${TOKEN}"` as a native
// remote entry. False (and `entry` untouched) when the command line does not run mcp-remote
// with a URL.
bool convertMcpRemote(QJsonObject *entry, QStringList *notes)
{
    const QStringList words =
        QStringList{entry->value("command"_L1).toString()} + toStringList(entry->value("args"_L1));
    const qsizetype bridge = std::find_if(words.begin(), words.end(), isMcpRemote) - words.begin();
    if (bridge >= words.size())
        return false;

    QString url;
    QString type;
    QJsonObject headers;
    const QJsonObject env = entry->value("env"_L1).toObject();
    for (qsizetype i = bridge + 1; i < words.size(); ++i) {
        const QString &word = words.at(i);
        QString header;
        if (word == "--header"_L1 && i + 1 < words.size())
            header = words.at(++i);
        else if (word.startsWith("--header="_L1))
            header = word.mid(9);
        else if (word == "--transport"_L1 && i + 1 < words.size()) {
            const QString strategy = words.at(++i);
            type = strategy == "http-only"_L1  ? u"http"_s
                   : strategy == "sse-only"_L1 ? u"sse"_s
                                               : QString();
        } else if (url.isEmpty() && !word.startsWith(u'-'))
            url = word;
        if (!header.isEmpty()) {
            const qsizetype colon = header.indexOf(u':');
            if (colon > 0)
                headers.insert(header.left(colon).trimmed(),
                               substituteFrom(env, header.mid(colon + 1).trimmed()));
        }
    }
    if (!url.startsWith("https://"_L1) && !url.startsWith("http://"_L1))
        return false;

    QJsonObject remote;
    for (auto it = entry->begin(); it != entry->end(); ++it)
        if (it.key() != "command"_L1 && it.key() != "args"_L1 && it.key() != "env"_L1)
            remote.insert(it.key(), it.value());
    remote.insert(u"url"_s, substituteFrom(env, url));
    if (!type.isEmpty())
        remote.insert(u"type"_s, type);
    if (!headers.isEmpty())
        remote.insert(u"headers"_s, headers);
    notes->append(
        u"ran %1 as a bridge: imported as a native remote server"_s.arg(words.at(bridge)));
    *entry = remote;
    return true;
}

// The folder `${workspaceFolder}` means for a VS Code mcp.json: the one holding `.vscode/`.
QString workspaceOf(const QString &baseDir)
{
    return QFileInfo(baseDir).fileName() == ".vscode"_L1 ? QFileInfo(baseDir).path() : QString();
}

// KEY=VALUE lines, `#` comments, an optional `export `, values optionally quoted.
bool readEnvFile(const QString &path, QJsonObject *env)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text))
        return false;
    while (!file.atEnd()) {
        QString line = QString::fromUtf8(file.readLine()).trimmed();
        if (line.isEmpty() || line.startsWith(u'#'))
            continue;
        if (line.startsWith("export "_L1))
            line = line.mid(7).trimmed();
        const qsizetype equals = line.indexOf(u'=');
        if (equals <= 0)
            continue;
        QString value = line.mid(equals + 1).trimmed();
        if (value.size() >= 2 && (value.front() == u'"' || value.front() == u'\'')
            && value.back() == value.front())
            value = value.mid(1, value.size() - 2);
        env->insert(line.left(equals).trimmed(), value);
    }
    return true;
}

// VS Code's envFile folded into env; the entry's own env wins over the file.
void foldEnvFile(const QString &envFile, const QString &baseDir, const QString &home,
                 QJsonObject *entry, QStringList *notes)
{
    QString path = envFile;
    path.replace("${userHome}"_L1, home);
    if (path.startsWith("~/"_L1))
        path = home + path.mid(1);
    if (path.contains("${workspaceFolder}"_L1)) {
        const QString workspace = workspaceOf(baseDir);
        if (workspace.isEmpty()) {
            notes->append(
                u"envFile %1 names a workspace folder; set its variables in env"_s.arg(envFile));
            return;
        }
        path.replace("${workspaceFolder}"_L1, workspace);
    }
    if (QFileInfo(path).isRelative())
        path = QDir(baseDir).filePath(path);

    QJsonObject env;
    if (!readEnvFile(path, &env)) {
        notes->append(u"envFile %1 could not be read; set its variables in env"_s.arg(path));
        return;
    }
    const QJsonObject own = entry->value("env"_L1).toObject();
    for (auto it = own.begin(); it != own.end(); ++it)
        env.insert(it.key(), it.value());
    entry->insert(u"env"_s, env);
}

QString normalisedType(const QString &type)
{
    if (type == "streamable-http"_L1 || type == "streamableHttp"_L1 || type == "streamable_http"_L1)
        return u"http"_s;
    return type;
}

QString clientFromFileName(const QString &path)
{
    const QFileInfo info(path);
    const QString file = info.fileName();
    if (file == "claude_desktop_config.json"_L1)
        return kClaudeDesktop;
    if (file == "mcp_config.json"_L1)
        return kWindsurf;
    if (file == ".claude.json"_L1 || file == ".mcp.json"_L1)
        return kClaudeCode;
    if (file == "mcp.json"_L1 && QFileInfo(info.path()).fileName() == ".cursor"_L1)
        return kCursor;
    return u"a client"_s;
}

// Adds `server` unless its name is taken; then it is a duplicate of the one kept.
void addUnique(ClientConfigScan *scan, const ImportedServer &server)
{
    for (const ImportedServer &kept : std::as_const(scan->servers)) {
        if (kept.name == server.name) {
            scan->duplicates.append({server, kept.sourceFile});
            return;
        }
    }
    scan->servers.append(server);
}

void addEntries(ClientConfigScan *scan, const QString &client, const QString &path,
                const QJsonObject &servers, const QString &home, const QString &note = {})
{
    const QString baseDir = QFileInfo(path).absolutePath();
    for (auto it = servers.begin(); it != servers.end(); ++it) {
        ImportedServer server = ClientConfigs::convertEntry(client, path, it.key(),
                                                            it.value().toObject(), baseDir, home);
        if (!note.isEmpty())
            server.notes.prepend(note);
        addUnique(scan, server);
    }
}

} // namespace

QString ImportedServer::commandLineOrUrl() const
{
    if (entry.contains("url"_L1))
        return entry.value("url"_L1).toString();
    QStringList words{quotedForShell(entry.value("command"_L1).toString())};
    for (const QString &arg : toStringList(entry.value("args"_L1)))
        words.append(quotedForShell(arg));
    return words.join(u' ');
}

namespace ClientConfigs {

QList<ClientConfigLocation> knownLocations(const QString &home, const QString &currentDir)
{
    const QDir h(home);
    return {
        {kClaudeDesktop, h.filePath(u".config/Claude/claude_desktop_config.json"_s)},
        {kClaudeDesktop, h.filePath(u".config/claude/claude_desktop_config.json"_s)},
        {kCursor, h.filePath(u".cursor/mcp.json"_s)},
        {kVsCode, h.filePath(u".config/Code/User/mcp.json"_s)},
        {kClaudeCode, h.filePath(u".claude.json"_s)},
        {kClaudeCode, QDir(currentDir).filePath(u".mcp.json"_s)},
        {kWindsurf, h.filePath(u".codeium/windsurf/mcp_config.json"_s)},
        {kZed, h.filePath(u".config/zed/settings.json"_s)},
    };
}

ClientConfigScan scan(const QString &home, const QString &currentDir)
{
    ClientConfigScan all;
    QSet<QString> read;
    for (const ClientConfigLocation &location : knownLocations(home, currentDir)) {
        const QFileInfo info(location.path);
        // The same file by two names (a symlinked folder, a home that is the current folder).
        if (!info.isFile() || read.contains(info.canonicalFilePath()))
            continue;
        read.insert(info.canonicalFilePath());
        const ClientConfigScan one = readFile(location.path, location.client, home);
        for (const ImportedServer &server : one.servers)
            addUnique(&all, server);
        all.duplicates += one.duplicates;
        all.problems += one.problems;
    }
    return all;
}

ClientConfigScan readFile(const QString &path, const QString &client, const QString &home)
{
    ClientConfigScan result;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        result.problems.append(u"%1: cannot read: %2"_s.arg(path, file.errorString()));
        return result;
    }
    if (file.size() > kMaxFileBytes) {
        result.problems.append(u"%1: larger than %2 bytes"_s.arg(path).arg(kMaxFileBytes));
        return result;
    }
    const QByteArray text = stripJsonExtensions(file.readAll());
    QJsonParseError error;
    const QJsonObject root = QJsonDocument::fromJson(text, &error).object();
    if (error.error != QJsonParseError::NoError) {
        result.problems.append(describeJsonParseError(path, text, error));
        return result;
    }

    if (root.value("servers"_L1).isObject()) {
        addEntries(&result, client.isEmpty() ? QString(kVsCode) : client, path,
                   root.value("servers"_L1).toObject(), home);
    } else if (root.value("context_servers"_L1).isObject()) {
        addEntries(&result, client.isEmpty() ? QString(kZed) : client, path,
                   root.value("context_servers"_L1).toObject(), home);
    } else if (root.value("mcpServers"_L1).isObject() || root.value("projects"_L1).isObject()) {
        const QJsonObject projects = root.value("projects"_L1).toObject();
        QString name = client;
        if (name.isEmpty())
            name = projects.isEmpty() ? clientFromFileName(path) : QString(kClaudeCode);
        addEntries(&result, name, path, root.value("mcpServers"_L1).toObject(), home);
        // Claude Code's local scope: servers of one project, after the user-wide ones.
        for (auto it = projects.begin(); it != projects.end(); ++it)
            addEntries(&result, name, path, it.value().toObject().value("mcpServers"_L1).toObject(),
                       home, u"from the project %1"_s.arg(it.key()));
    } else {
        result.problems.append(
            u"%1: no mcpServers, servers or context_servers: not an MCP client config"_s.arg(path));
    }
    return result;
}

ImportedServer convertEntry(const QString &client, const QString &sourceFile, const QString &name,
                            const QJsonObject &original, const QString &baseDir,
                            const QString &home)
{
    ImportedServer server{client, sourceFile, name, {}, {}};
    QJsonObject entry;

    // Zed's older shape: "command": {"path", "args", "env"}.
    QJsonObject source = original;
    if (source.value("command"_L1).isObject()) {
        const QJsonObject command = source.value("command"_L1).toObject();
        source.insert(u"command"_s, command.value("path"_L1));
        for (const QString &key : {u"args"_s, u"env"_s})
            if (command.contains(key) && !source.contains(key))
                source.insert(key, command.value(key));
    }

    QStringList leftBehind;
    for (auto it = source.begin(); it != source.end(); ++it) {
        if (keptKeys().contains(it.key()))
            entry.insert(it.key(), it.value());
        else if (!foldedKeys().contains(it.key()))
            leftBehind.append(it.key());
    }
    if (!entry.contains("url"_L1) && source.value("serverUrl"_L1).isString())
        entry.insert(u"url"_s, source.value("serverUrl"_L1));
    if (source.value("disabled"_L1).toBool() && !entry.contains("enabled"_L1))
        entry.insert(u"enabled"_s, false);
    const QString type = normalisedType(source.value("type"_L1).toString());
    if (!type.isEmpty() && type != "stdio"_L1)
        entry.insert(u"type"_s, type);
    if (source.value("envFile"_L1).isString())
        foldEnvFile(source.value("envFile"_L1).toString(), baseDir, home, &entry, &server.notes);

    convertMcpRemote(&entry, &server.notes);

    const QByteArray written = QJsonDocument(entry).toJson(QJsonDocument::Compact);
    if (written.contains("${input:"))
        server.notes.append(u"uses ${input:...}, which VS Code asks for: put the value in "
                            "heartline.json before starting it"_s);
    if (written.contains("${workspaceFolder}"))
        server.notes.append(
            u"uses ${workspaceFolder}, which means nothing to a host for every client: edit it"_s);
    if (!leftBehind.isEmpty())
        server.notes.append(u"left behind (not Heartline keys): "_s + leftBehind.join(u", "_s));
    server.entry = entry;
    return server;
}

QJsonObject withOrigin(const ImportedServer &server)
{
    QJsonObject entry = server.entry;
    entry.insert(QStringLiteral("importedFrom"), server.sourceFile);
    return entry;
}

QByteArray stripJsonExtensions(const QByteArray &text)
{
    // Comments become spaces (newlines kept, so line:column still points into the user's file).
    // A comma is blanked when the next significant character, past spaces and comments, closes
    // an object or an array.
    QByteArray out = text;
    bool inString = false;
    qsizetype pendingComma = -1;
    for (qsizetype i = 0; i < out.size(); ++i) {
        const char c = out.at(i);
        if (inString) {
            if (c == '\\')
                ++i;
            else if (c == '"')
                inString = false;
        } else if (c == '/' && i + 1 < out.size()
                   && (out.at(i + 1) == '/' || out.at(i + 1) == '*')) {
            const bool line = out.at(i + 1) == '/';
            const qsizetype end = line ? out.indexOf('\n', i) : out.indexOf("*/", i + 2);
            const qsizetype stop = end < 0 ? out.size() : line ? end : end + 2;
            for (; i < stop; ++i)
                if (out.at(i) != '\n')
                    out[i] = ' ';
            --i;
        } else if (!QChar::isSpace(uchar(c))) {
            if (pendingComma >= 0 && (c == '}' || c == ']'))
                out[pendingComma] = ' ';
            pendingComma = c == ',' ? i : -1;
            inString = c == '"';
        }
    }
    return out;
}

} // namespace ClientConfigs

} // namespace heartline
