#include "server/tools/upstream/upstreamconfigparser.h"

#include "server/tools/upstream/configentryreader.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QRegularExpression>
#include <QUrl>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

using namespace Qt::StringLiterals;

namespace heartline {

Q_LOGGING_CATEGORY(lcUpstreamConfig, "heartline.upstream.config")

namespace {

using Transport = UpstreamServerConfig::Transport;

// Keys other clients write into mcpServers entries (Cline, Windsurf, VS Code, Zed, mcphub,
// mcp-proxy): accepted so that a pasted config loads, and not used.
const QLatin1String kForeignKeys[] = {
    "autoApprove"_L1, "alwaysAllow"_L1, "timeout"_L1, "transportType"_L1, "envFile"_L1,
    "source"_L1,      "oauth"_L1,       "dev"_L1,     "sandbox"_L1,       "sandboxEnabled"_L1,
    "options"_L1,     "tools"_L1,       "prompts"_L1, "proxy"_L1,         "tags"_L1,
    "name"_L1,        "settings"_L1,
};

const QLatin1String kOwnKeys[] = {
    "command"_L1,        "args"_L1,         "env"_L1,           "cwd"_L1,
    "type"_L1,           "url"_L1,          "serverUrl"_L1,     "headers"_L1,
    "enabled"_L1,        "disabled"_L1,     "disabledTools"_L1, "timeoutMs"_L1,
    "startTimeoutMs"_L1, "restart"_L1,      "instances"_L1,     "description"_L1,
    "roots"_L1,          "importedFrom"_L1,     "approved"_L1,
};

bool isListed(const QString &key, const QLatin1String *begin, const QLatin1String *end)
{
    return std::any_of(begin, end, [&key](QLatin1String known) { return key == known; });
}

bool isServerName(const QString &name)
{
    static const QRegularExpression pattern(u"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"_s);
    return pattern.match(name).hasMatch();
}

QString quoted(const QString &text)
{
    return u'"' + text + u'"';
}

bool isHttpUrl(const QString &text)
{
    const QUrl url(text, QUrl::StrictMode);
    return url.isValid() && (url.scheme() == "http"_L1 || url.scheme() == "https"_L1)
           && !url.host().isEmpty();
}

// Where the entry's type says it connects: stdio, one of the HTTP spellings, or none given.
std::optional<Transport> readType(ConfigEntryReader &reader)
{
    std::optional<Transport> type;
    Transport chosen = Transport::Stdio;
    if (reader.has("type"_L1)
        && reader.choice<Transport>("type"_L1,
                                    {{"stdio"_L1, Transport::Stdio},
                                     {"http"_L1, Transport::StreamableHttp},
                                     {"sse"_L1, Transport::Sse},
                                     {"streamable-http"_L1, Transport::StreamableHttp},
                                     {"streamableHttp"_L1, Transport::StreamableHttp}},
                                    &chosen))
        type = chosen;
    return type;
}

void readStdio(ConfigEntryReader &reader, UpstreamServerConfig *server)
{
    if (reader.text("command"_L1, &server->command, true) && server->command.trimmed().isEmpty())
        reader.fail(reader.pathOf("command"_L1), u"must be a non-empty string"_s);
    reader.list("args"_L1, &server->args, true);
    reader.map("env"_L1, &server->env);
    reader.text("cwd"_L1, &server->cwd, true);
}

void readRemote(ConfigEntryReader &reader, UpstreamServerConfig *server)
{
    // Windsurf writes serverUrl; the rest of the world url.
    const QLatin1String key = reader.has("url"_L1) ? "url"_L1 : "serverUrl"_L1;
    QString written;
    // The message quotes the url as written: expanded, it may hold a secret.
    if (reader.text(key, &written, false) && reader.text(key, &server->url, true)
        && !isHttpUrl(server->url))
        reader.fail(reader.pathOf(key), u"%1 is not an http(s) URL"_s.arg(quoted(written)));
    reader.map("headers"_L1, &server->headers);
}

// A command to start or a url to connect to, as the keys and the type (if any) say.
void readConnection(ConfigEntryReader &reader, const QString &path, UpstreamServerConfig *server)
{
    const std::optional<Transport> type = readType(reader);
    const bool hasCommand = reader.has("command"_L1);
    const bool hasUrl = reader.has("url"_L1) || reader.has("serverUrl"_L1);
    if (!reader.ok())
        return;
    if (hasCommand && hasUrl) {
        reader.fail(path, u"has both \"command\" and \"url\": an entry is either a command to "
                          "start (stdio) or a url to connect to (http, sse)"_s);
    } else if (type == Transport::Stdio || (!type && hasCommand)) {
        server->transport = Transport::Stdio;
        if (!hasCommand)
            reader.fail(reader.pathOf("command"_L1), u"must be a non-empty string"_s);
        readStdio(reader, server);
    } else if (type || hasUrl) {
        server->transport = type.value_or(Transport::HttpThenSse);
        if (!hasUrl)
            reader.fail(reader.pathOf("url"_L1), u"must be an http(s) URL (a remote server "
                                                 "needs one)"_s);
        readRemote(reader, server);
    } else {
        reader.fail(path, u"needs \"command\" (a server to start) or \"url\" (a remote "
                          "server)"_s);
    }
}

} // namespace

UpstreamConfigParser::UpstreamConfigParser(VariableExpander expander)
    : m_expander(std::move(expander))
{}

bool UpstreamConfigParser::parse(const QJsonValue &mcpServers, const QStringList &fileOrder,
                                 QList<UpstreamServerConfig> *servers, QString *error) const
{
    servers->clear();
    if (mcpServers.isUndefined())
        return true;
    if (!mcpServers.isObject()) {
        *error = u"mcpServers: must be an object of servers by name"_s;
        return false;
    }
    const QJsonObject object = mcpServers.toObject();
    QStringList names;
    for (const QString &name : fileOrder) {
        if (object.contains(name) && !names.contains(name))
            names.append(name);
    }
    for (const QString &name : object.keys()) {
        if (!names.contains(name))
            names.append(name);
    }

    QStringList taken;
    for (const QString &name : names) {
        UpstreamServerConfig server = parseEntry(name, object.value(name));
        // " notes" and "notes" are one name once trimmed: the first keeps it.
        if (server.problem.isEmpty() && taken.contains(server.name))
            server.problem = u"mcpServers.%1: the name %2 is used twice"_s.arg(quoted(name),
                                                                               quoted(server.name));
        taken.append(server.name);
        servers->append(server);
    }
    return true;
}

UpstreamServerConfig UpstreamConfigParser::parseEntry(const QString &name,
                                                      const QJsonValue &entry) const
{
    UpstreamServerConfig server;
    server.name = name.trimmed();
    if (!isServerName(server.name)) {
        server.name = name;
        server.problem = u"mcpServers.%1: a server name must be 1 to 64 letters, digits, \"_\" "
                         "or \"-\", starting with a letter or digit"_s.arg(quoted(name));
        return server;
    }
    const QString path = u"mcpServers."_s + server.name;
    if (!entry.isObject()) {
        server.problem = path + u": must be an object"_s;
        return server;
    }
    const QJsonObject object = entry.toObject();
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (!isListed(it.key(), std::begin(kOwnKeys), std::end(kOwnKeys))
            && !isListed(it.key(), std::begin(kForeignKeys), std::end(kForeignKeys)))
            qCInfo(lcUpstreamConfig).noquote()
                << path + u'.' + it.key() + u": unknown key, ignored"_s;
    }

    ConfigEntryReader reader(object, path, m_expander);
    // Heartline's own keys first: a server whose command cannot be used is still shown as
    // it is meant to be (enabled or not, with its description).
    bool disabled = false;
    reader.boolean("enabled"_L1, &server.enabled);
    if (reader.boolean("disabled"_L1, &disabled) && disabled)
        server.enabled = false;
    reader.text("description"_L1, &server.description, false);
    reader.text("importedFrom"_L1, &server.importedFrom, false);
    reader.text("approved"_L1, &server.approved, false);
    reader.list("disabledTools"_L1, &server.disabledTools, false);
    reader.milliseconds("timeoutMs"_L1, &server.timeoutMs);
    reader.milliseconds("startTimeoutMs"_L1, &server.startTimeoutMs);
    reader.choice<UpstreamServerConfig::Restart>(
        "restart"_L1,
        {{"on-failure"_L1, UpstreamServerConfig::Restart::OnFailure},
         {"never"_L1, UpstreamServerConfig::Restart::Never}},
        &server.restart);
    reader.choice<UpstreamServerConfig::Instances>(
        "instances"_L1,
        {{"shared"_L1, UpstreamServerConfig::Instances::Shared},
         {"per-session"_L1, UpstreamServerConfig::Instances::PerSession}},
        &server.instances);
    if (reader.list("roots"_L1, &server.roots, false)) {
        for (qsizetype i = 0; i < server.roots.size(); ++i) {
            const QUrl root(server.roots.at(i), QUrl::StrictMode);
            if (!root.isValid() || root.scheme() != "file"_L1) {
                reader.fail(reader.pathOf("roots"_L1) + u"[%1]"_s.arg(i),
                            u"%1 is not a file:// URI"_s.arg(quoted(server.roots.at(i))));
                break;
            }
        }
    }

    readConnection(reader, path, &server);
    server.problem = reader.problem();
    return server;
}

} // namespace heartline
