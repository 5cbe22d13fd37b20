// The config file's mcpServers: Claude Desktop's format pasted as it is, the spellings other
// clients use, Heartline's own keys, and each problem named by its key path. A problem in one
// entry stays in that entry; only an mcpServers that is not an object refuses the file.

#include "server/protocol/wire/jsontext.h"
#include "server/tools/upstream/upstreamconfigparser.h"
#include "tests/support/servertestmain.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace heartline;
using namespace Qt::StringLiterals;

using Transport = UpstreamServerConfig::Transport;

namespace {

// The example of the MCP documentation's "connect local servers" page, as a user pastes it.
const QByteArray kClaudeDesktopConfig = R"({
  "mcpServers": {
    "filesystem": {
      "command": "npx",
      "args": [
        "-y",
        "@modelcontextprotocol/server-filesystem",
        "/Users/username/Desktop",
        "/Users/username/Downloads"
      ]
    }
  }
}
)";

// Several servers in Claude Desktop's format, written out of alphabetical order on purpose.
const QByteArray kSeveralServers = R"({
  "mcpServers": {
    "memory": {
      "command": "npx",
      "args": ["-y", "@modelcontextprotocol/server-memory"]
    },
    "github": {
      "command": "npx",
      "args": ["-y", "@modelcontextprotocol/server-github"],
      "env": {
        "GITHUB_PERSONAL_ACCESS_TOKEN": "<YOUR_TOKEN>"
      }
    },
    "brave-search": {
      "command": "npx",
      "args": ["-y", "@modelcontextprotocol/server-brave-search"],
      "env": {
        "BRAVE_API_KEY": "${BRAVE_API_KEY}"
      }
    },
    "alpha": {
      "command": "uvx",
      "args": ["mcp-server-fetch"]
    }
  }
}
)";

VariableExpander testExpander()
{
    QProcessEnvironment environment;
    environment.insert(u"API_TOKEN"_s, u"tok-123"_s);
    environment.insert(u"API_HOST"_s, u"api.example.com"_s);
    environment.insert(u"NOTES"_s, u"/srv/notes"_s);
    return VariableExpander(environment, u"/home/ada"_s);
}

QJsonObject object(const QByteArray &json)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError)
        qFatal("test JSON does not parse: %s", qPrintable(error.errorString()));
    return document.object();
}

QList<UpstreamServerConfig> parseFile(const QByteArray &text, QString *error = nullptr)
{
    QList<UpstreamServerConfig> servers;
    QString ignored;
    const UpstreamConfigParser parser(testExpander());
    if (!parser.parse(object(text).value("mcpServers"_L1),
                      jsonObjectKeysInOrder(text, {u"mcpServers"_s}), &servers,
                      error ? error : &ignored))
        servers.clear();
    return servers;
}

UpstreamServerConfig parseEntry(const QByteArray &entryJson, const QString &name = u"x"_s)
{
    return UpstreamConfigParser(testExpander()).parseEntry(name, object(entryJson));
}

QStringList namesOf(const QList<UpstreamServerConfig> &servers)
{
    QStringList names;
    for (const UpstreamServerConfig &server : servers)
        names.append(server.name);
    return names;
}

} // namespace

class tst_UpstreamConfigParser : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void claudeDesktopConfigLoadsAsPasted();
    void serversKeepTheFileOrder();
    void readsEveryKey();
    void transportFollowsTypeAndKeys_data();
    void transportFollowsTypeAndKeys();
    void expandsVariablesInCommandArgsEnvUrlAndHeaders();
    void heartlineKeys_data();
    void heartlineKeys();
    void toleratesKeysOtherClientsWrite();
    void problemsNameTheKey_data();
    void problemsNameTheKey();
    void aBadEntryLeavesTheOthersLoaded();
    void serverNames_data();
    void serverNames();
    void mcpServersMustBeAnObject_data();
    void mcpServersMustBeAnObject();
    void keyOrderSurvivesTrickyText();
    void theApprovalHashCoversWhatRunsAndNotTheValues();
};

void tst_UpstreamConfigParser::claudeDesktopConfigLoadsAsPasted()
{
    QString error;
    const QList<UpstreamServerConfig> servers = parseFile(kClaudeDesktopConfig, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(servers.size(), 1);
    const UpstreamServerConfig &files = servers.first();
    QCOMPARE(files.name, u"filesystem"_s);
    QCOMPARE(files.problem, QString());
    QCOMPARE(files.transport, Transport::Stdio);
    QCOMPARE(files.command, u"npx"_s);
    QCOMPARE(files.args,
             (QStringList{u"-y"_s, u"@modelcontextprotocol/server-filesystem"_s,
                          u"/Users/username/Desktop"_s, u"/Users/username/Downloads"_s}));
    QVERIFY(files.env.isEmpty());
    QVERIFY(files.enabled);
    QCOMPARE(files.restart, UpstreamServerConfig::Restart::OnFailure);
    QCOMPARE(files.instances, UpstreamServerConfig::Instances::Shared);
    QCOMPARE(files.timeoutMs, 0);
}

void tst_UpstreamConfigParser::serversKeepTheFileOrder()
{
    const QList<UpstreamServerConfig> servers = parseFile(kSeveralServers);
    // Not QJsonObject's sorted order: the one the file is written in.
    QCOMPARE(namesOf(servers),
             (QStringList{u"memory"_s, u"github"_s, u"brave-search"_s, u"alpha"_s}));
    QCOMPARE(servers.at(1).env.value(u"GITHUB_PERSONAL_ACCESS_TOKEN"_s), u"<YOUR_TOKEN>"_s);
    // BRAVE_API_KEY is not in the test's environment: that one server is a config error.
    QVERIFY(servers.at(0).problem.isEmpty());
    QVERIFY(servers.at(1).problem.isEmpty());
    QVERIFY2(servers.at(2).problem.startsWith(u"mcpServers.brave-search.env.BRAVE_API_KEY: "_s),
             qPrintable(servers.at(2).problem));
    QVERIFY(servers.at(2).problem.contains(u"BRAVE_API_KEY is not set"_s));
    QVERIFY(servers.at(3).problem.isEmpty());
}

void tst_UpstreamConfigParser::readsEveryKey()
{
    const UpstreamServerConfig server = parseEntry(R"({
        "command": "node", "args": ["server.js", "--port", "0"],
        "env": {"A": "1", "B": "two"}, "cwd": "/srv/app",
        "enabled": false, "disabledTools": ["delete_file", "move_file"], "timeoutMs": 30000,
        "startTimeoutMs": 120000, "restart": "never", "instances": "per-session", "description": "My app",
        "roots": ["file:///home/ada/notes", "file:///srv"]})",
                                                   u"  app  "_s);
    QCOMPARE(server.problem, QString());
    QCOMPARE(server.name, u"app"_s); // trimmed
    QCOMPARE(server.command, u"node"_s);
    QCOMPARE(server.args, (QStringList{u"server.js"_s, u"--port"_s, u"0"_s}));
    QCOMPARE(server.env, (QHash<QString, QString>{{u"A"_s, u"1"_s}, {u"B"_s, u"two"_s}}));
    QCOMPARE(server.cwd, u"/srv/app"_s);
    QCOMPARE(server.enabled, false);
    QCOMPARE(server.disabledTools, (QStringList{u"delete_file"_s, u"move_file"_s}));
    QCOMPARE(server.timeoutMs, 30000);
    QCOMPARE(server.startTimeoutMs, 120000);
    QCOMPARE(server.restart, UpstreamServerConfig::Restart::Never);
    QCOMPARE(server.instances, UpstreamServerConfig::Instances::PerSession);
    QCOMPARE(server.description, u"My app"_s);
    QCOMPARE(server.roots, (QStringList{u"file:///home/ada/notes"_s, u"file:///srv"_s}));
}

void tst_UpstreamConfigParser::transportFollowsTypeAndKeys_data()
{
    QTest::addColumn<QByteArray>("entry");
    QTest::addColumn<Transport>("transport");
    QTest::addColumn<QString>("url");

    QTest::newRow("command only") << QByteArray(R"({"command": "npx"})") << Transport::Stdio
                                  << QString();
    QTest::newRow("type stdio") << QByteArray(R"({"type": "stdio", "command": "npx"})")
                                << Transport::Stdio << QString();
    QTest::newRow("type http") << QByteArray(R"({"type": "http", "url": "https://a.example/mcp"})")
                               << Transport::StreamableHttp << u"https://a.example/mcp"_s;
    QTest::newRow("type streamable-http")
        << QByteArray(R"({"type": "streamable-http", "url": "http://127.0.0.1:3000/mcp"})")
        << Transport::StreamableHttp << u"http://127.0.0.1:3000/mcp"_s;
    QTest::newRow("type streamableHttp")
        << QByteArray(R"({"type": "streamableHttp", "url": "https://a.example/mcp"})")
        << Transport::StreamableHttp << u"https://a.example/mcp"_s;
    QTest::newRow("type sse") << QByteArray(R"({"type": "sse", "url": "https://a.example/sse"})")
                              << Transport::Sse << u"https://a.example/sse"_s;
    QTest::newRow("url without a type") << QByteArray(R"({"url": "https://a.example/mcp"})")
                                        << Transport::HttpThenSse << u"https://a.example/mcp"_s;
    QTest::newRow("Windsurf serverUrl") << QByteArray(R"({"serverUrl": "https://a.example/mcp"})")
                                        << Transport::HttpThenSse << u"https://a.example/mcp"_s;
    QTest::newRow("serverUrl with type sse")
        << QByteArray(R"({"type": "sse", "serverUrl": "https://a.example/sse"})") << Transport::Sse
        << u"https://a.example/sse"_s;
}

void tst_UpstreamConfigParser::transportFollowsTypeAndKeys()
{
    QFETCH(QByteArray, entry);
    QFETCH(Transport, transport);
    QFETCH(QString, url);

    const UpstreamServerConfig server = parseEntry(entry);
    QVERIFY2(server.problem.isEmpty(), qPrintable(server.problem));
    QCOMPARE(server.transport, transport);
    QCOMPARE(server.url, url);
}

void tst_UpstreamConfigParser::expandsVariablesInCommandArgsEnvUrlAndHeaders()
{
    const UpstreamServerConfig local = parseEntry(R"({
        "command": "${userHome}/bin/notes-server", "args": ["--root", "${NOTES}", "$NOTES"],
        "env": {"TOKEN": "${env:API_TOKEN}", "MODE": "${MODE:-fast}"},
        "cwd": "${userHome}/work", "description": "${NOT_EXPANDED}"})");
    QVERIFY2(local.problem.isEmpty(), qPrintable(local.problem));
    QCOMPARE(local.command, u"/home/ada/bin/notes-server"_s);
    QCOMPARE(local.args, (QStringList{u"--root"_s, u"/srv/notes"_s, u"$NOTES"_s}));
    QCOMPARE(local.env.value(u"TOKEN"_s), u"tok-123"_s);
    QCOMPARE(local.env.value(u"MODE"_s), u"fast"_s);
    QCOMPARE(local.cwd, u"/home/ada/work"_s);
    QCOMPARE(local.description, u"${NOT_EXPANDED}"_s); // shown, never run or sent

    const UpstreamServerConfig remote = parseEntry(R"({
        "type": "http", "url": "https://${API_HOST}/mcp",
        "headers": {"Authorization": "Bearer ${API_TOKEN}", "X-Plain": "as is"}})");
    QVERIFY2(remote.problem.isEmpty(), qPrintable(remote.problem));
    QCOMPARE(remote.url, u"https://api.example.com/mcp"_s);
    QCOMPARE(remote.headers.value(u"Authorization"_s), u"Bearer tok-123"_s);
    QCOMPARE(remote.headers.value(u"X-Plain"_s), u"as is"_s);
}

void tst_UpstreamConfigParser::heartlineKeys_data()
{
    QTest::addColumn<QByteArray>("entry");
    QTest::addColumn<bool>("enabled");

    QTest::newRow("default") << QByteArray(R"({"command": "a"})") << true;
    QTest::newRow("enabled false") << QByteArray(R"({"command": "a", "enabled": false})") << false;
    QTest::newRow("enabled true") << QByteArray(R"({"command": "a", "enabled": true})") << true;
    QTest::newRow("disabled true (Windsurf, Cline)")
        << QByteArray(R"({"command": "a", "disabled": true})") << false;
    QTest::newRow("disabled false") << QByteArray(R"({"command": "a", "disabled": false})") << true;
    QTest::newRow("either one off is off")
        << QByteArray(R"({"command": "a", "enabled": true, "disabled": true})") << false;
}

void tst_UpstreamConfigParser::heartlineKeys()
{
    QFETCH(QByteArray, entry);
    QFETCH(bool, enabled);

    const UpstreamServerConfig server = parseEntry(entry);
    QVERIFY2(server.problem.isEmpty(), qPrintable(server.problem));
    QCOMPARE(server.enabled, enabled);
}

void tst_UpstreamConfigParser::toleratesKeysOtherClientsWrite()
{
    const UpstreamServerConfig server = parseEntry(R"({
        "command": "npx", "args": ["-y", "x"],
        "autoApprove": ["read"], "alwaysAllow": ["read"], "timeout": 60,
        "transportType": "stdio", "envFile": "${workspaceFolder}/.env", "source": "custom",
        "oauth": {"clientId": "abc"}, "somethingNew": {"nested": [1, 2]}})");
    QVERIFY2(server.problem.isEmpty(), qPrintable(server.problem));
    QCOMPARE(server.command, u"npx"_s);
    QCOMPARE(server.timeoutMs, 0); // Cline's `timeout` (seconds) is not Heartline's timeoutMs
}

void tst_UpstreamConfigParser::problemsNameTheKey_data()
{
    QTest::addColumn<QByteArray>("entry");
    QTest::addColumn<QString>("problem"); // the start of the one-line problem

    const auto row = [](const char *name, const QByteArray &entry, const QString &problem) {
        QTest::newRow(name) << entry << problem;
    };
    row("no command, no url", R"({"args": ["a"]})", u"mcpServers.notes: needs \"command\""_s);
    row("empty object", R"({})", u"mcpServers.notes: needs \"command\""_s);
    row("both command and url", R"({"command": "npx", "url": "https://a.example"})",
        u"mcpServers.notes: has both \"command\" and \"url\""_s);
    row("empty command", R"({"command": ""})",
        u"mcpServers.notes.command: must be a non-empty string"_s);
    row("blank command", R"({"command": "  "})",
        u"mcpServers.notes.command: must be a non-empty string"_s);
    row("command a number", R"({"command": 7})", u"mcpServers.notes.command: must be a string"_s);
    row("command expands to nothing", R"({"command": "${EMPTY:-}"})",
        u"mcpServers.notes.command: must be a non-empty string"_s);
    row("type stdio without command", R"({"type": "stdio"})",
        u"mcpServers.notes.command: must be a non-empty string"_s);
    row("args a string", R"({"command": "npx", "args": "-y x"})",
        u"mcpServers.notes.args: must be an array of strings"_s);
    row("args with a number", R"({"command": "npx", "args": ["-y", 3]})",
        u"mcpServers.notes.args[1]: must be a string"_s);
    row("env an array", R"({"command": "npx", "env": ["A=1"]})",
        u"mcpServers.notes.env: must be an object of strings"_s);
    row("env value a number", R"({"command": "npx", "env": {"PORT": 8080}})",
        u"mcpServers.notes.env.PORT: must be a string"_s);
    row("unset variable in env", R"({"command": "npx", "env": {"KEY": "${MISSING_KEY}"}})",
        u"mcpServers.notes.env.KEY: variable MISSING_KEY is not set"_s);
    row("unset variable in args", R"({"command": "npx", "args": ["${MISSING_ARG}"]})",
        u"mcpServers.notes.args[0]: variable MISSING_ARG is not set"_s);
    row("unset variable in command", R"({"command": "${MISSING_CMD}"})",
        u"mcpServers.notes.command: variable MISSING_CMD is not set"_s);
    row("workspaceFolder in args", R"({"command": "npx", "args": ["${workspaceFolder}"]})",
        u"mcpServers.notes.args[0]: ${workspaceFolder} is not available to a global host"_s);
    row("input in header",
        R"({"url": "https://a.example", "headers": {"Authorization": "${input:token}"}})",
        u"mcpServers.notes.headers.Authorization: ${input:token} is not available"_s);
    row("unset variable in url", R"({"url": "https://${MISSING_HOST}/mcp"})",
        u"mcpServers.notes.url: variable MISSING_HOST is not set"_s);
    row("ftp url", R"({"url": "ftp://x"})",
        u"mcpServers.notes.url: \"ftp://x\" is not an http(s) URL"_s);
    row("url without a host", R"({"url": "https://"})",
        u"mcpServers.notes.url: \"https://\" is not an http(s) URL"_s);
    row("url not a url", R"({"type": "http", "url": "not a url"})",
        u"mcpServers.notes.url: \"not a url\" is not an http(s) URL"_s);
    row("bad serverUrl", R"({"serverUrl": "ws://a.example"})",
        u"mcpServers.notes.serverUrl: \"ws://a.example\" is not an http(s) URL"_s);
    row("url a number", R"({"url": 80})", u"mcpServers.notes.url: must be a string"_s);
    row("type http without url", R"({"type": "http"})",
        u"mcpServers.notes.url: must be an http(s) URL"_s);
    row("type websocket", R"({"type": "websocket", "url": "wss://a.example"})",
        u"mcpServers.notes.type: \"websocket\" is not one of stdio, http, sse"_s);
    row("type a number", R"({"type": 1, "command": "npx"})",
        u"mcpServers.notes.type: must be one of stdio, http, sse"_s);
    row("headers a list", R"({"url": "https://a.example", "headers": ["A: b"]})",
        u"mcpServers.notes.headers: must be an object of strings"_s);
    row("enabled a string", R"({"command": "npx", "enabled": "yes"})",
        u"mcpServers.notes.enabled: must be true or false"_s);
    row("disabled a number", R"({"command": "npx", "disabled": 1})",
        u"mcpServers.notes.disabled: must be true or false"_s);
    row("disabledTools a string", R"({"command": "npx", "disabledTools": "rm"})",
        u"mcpServers.notes.disabledTools: must be an array of strings"_s);
    row("startTimeoutMs a string", R"({"command": "npx", "startTimeoutMs": "60s"})",
        u"mcpServers.notes.startTimeoutMs: must be a whole number of milliseconds"_s);
    row("timeoutMs negative", R"({"command": "npx", "timeoutMs": -1})",
        u"mcpServers.notes.timeoutMs: must be a whole number of milliseconds"_s);
    row("timeoutMs a fraction", R"({"command": "npx", "timeoutMs": 1.5})",
        u"mcpServers.notes.timeoutMs: must be a whole number"_s);
    row("timeoutMs a string", R"({"command": "npx", "timeoutMs": "100"})",
        u"mcpServers.notes.timeoutMs: must be a whole number"_s);
    row("timeoutMs too big", R"({"command": "npx", "timeoutMs": 1e12})",
        u"mcpServers.notes.timeoutMs: must be a whole number"_s);
    row("restart unknown", R"({"command": "npx", "restart": "always"})",
        u"mcpServers.notes.restart: \"always\" is not one of on-failure, never"_s);
    row("instances unknown", R"({"command": "npx", "instances": "pooled"})",
        u"mcpServers.notes.instances: \"pooled\" is not one of shared, per-session"_s);
    row("description a list", R"({"command": "npx", "description": ["a"]})",
        u"mcpServers.notes.description: must be a string"_s);
    row("root not a file URI", R"({"command": "npx", "roots": ["file:///ok", "/home/ada"]})",
        u"mcpServers.notes.roots[1]: \"/home/ada\" is not a file:// URI"_s);
    row("root a number", R"({"command": "npx", "roots": [1]})",
        u"mcpServers.notes.roots[0]: must be a string"_s);
}

void tst_UpstreamConfigParser::problemsNameTheKey()
{
    QFETCH(QByteArray, entry);
    QFETCH(QString, problem);

    const UpstreamServerConfig server = parseEntry(entry, u"notes"_s);
    QVERIFY2(server.problem.startsWith(problem), qPrintable(server.problem));
    QVERIFY(!server.problem.contains(u'\n'));
    QCOMPARE(server.name, u"notes"_s);
    // Whatever went wrong, no literal ${...} is left where it would be run or sent.
    for (const QString &text : QStringList{server.command, server.url} + server.args
                                   + server.env.values() + server.headers.values())
        QVERIFY2(!text.contains(u"${"_s), qPrintable(text));
}

void tst_UpstreamConfigParser::aBadEntryLeavesTheOthersLoaded()
{
    QString error;
    const QList<UpstreamServerConfig> servers = parseFile(R"({"mcpServers": {
        "good": {"command": "npx"},
        "broken": {"url": "ftp://x"},
        "not-an-object": "npx -y server",
        "also-good": {"url": "https://a.example/mcp", "enabled": false}}})",
                                                          &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(namesOf(servers),
             (QStringList{u"good"_s, u"broken"_s, u"not-an-object"_s, u"also-good"_s}));
    QCOMPARE(servers.at(0).problem, QString());
    QVERIFY(servers.at(1).problem.startsWith(u"mcpServers.broken.url: "_s));
    QCOMPARE(servers.at(2).problem, u"mcpServers.not-an-object: must be an object"_s);
    QCOMPARE(servers.at(3).problem, QString());
    QCOMPARE(servers.at(3).enabled, false);
}

void tst_UpstreamConfigParser::serverNames_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("kept"); // empty: refused
    QTest::newRow("plain") << u"notes"_s << u"notes"_s;
    QTest::newRow("dash and underscore") << u"brave-search_2"_s << u"brave-search_2"_s;
    QTest::newRow("starts with a digit") << u"1password"_s << u"1password"_s;
    QTest::newRow("trimmed") << u"  notes\t"_s << u"notes"_s;
    QTest::newRow("64 characters") << QString(64, u'a') << QString(64, u'a');
    QTest::newRow("65 characters") << QString(65, u'a') << QString();
    QTest::newRow("space inside") << u"my notes"_s << QString();
    QTest::newRow("dot") << u"notes.v2"_s << QString();
    QTest::newRow("starts with a dash") << u"-notes"_s << QString();
    QTest::newRow("starts with an underscore") << u"_notes"_s << QString();
    QTest::newRow("empty") << QString() << QString();
    QTest::newRow("non-ASCII") << u"n\u00f6tes"_s << QString();
}

void tst_UpstreamConfigParser::serverNames()
{
    QFETCH(QString, name);
    QFETCH(QString, kept);

    const UpstreamServerConfig server = parseEntry(R"({"command": "npx"})", name);
    if (kept.isEmpty()) {
        QVERIFY2(server.problem.startsWith(u"mcpServers.\"%1\": a server name must be"_s.arg(name)),
                 qPrintable(server.problem));
    } else {
        QVERIFY2(server.problem.isEmpty(), qPrintable(server.problem));
        QCOMPARE(server.name, kept);
    }
}

void tst_UpstreamConfigParser::mcpServersMustBeAnObject_data()
{
    QTest::addColumn<QByteArray>("file");
    QTest::addColumn<bool>("loads");
    QTest::addColumn<int>("servers");
    QTest::newRow("absent") << QByteArray(R"({})") << true << 0;
    QTest::newRow("empty object") << QByteArray(R"({"mcpServers": {}})") << true << 0;
    QTest::newRow("an array") << QByteArray(R"({"mcpServers": [{"command": "npx"}]})") << false
                              << 0;
    QTest::newRow("a string") << QByteArray(R"({"mcpServers": "npx"})") << false << 0;
    QTest::newRow("null") << QByteArray(R"({"mcpServers": null})") << false << 0;
    QTest::newRow("two names one once trimmed")
        << QByteArray(R"({"mcpServers": {"notes": {"command": "a"}, " notes": {"command": "b"}}})")
        << true << 2;
}

void tst_UpstreamConfigParser::mcpServersMustBeAnObject()
{
    QFETCH(QByteArray, file);
    QFETCH(bool, loads);
    QFETCH(int, servers);

    QList<UpstreamServerConfig> parsed{UpstreamServerConfig{}};
    QString error;
    const UpstreamConfigParser parser(testExpander());
    QCOMPARE(parser.parse(object(file).value("mcpServers"_L1),
                          jsonObjectKeysInOrder(file, {u"mcpServers"_s}), &parsed, &error),
             loads);
    if (!loads) {
        QVERIFY2(error.startsWith(u"mcpServers: must be an object"_s), qPrintable(error));
        return;
    }
    QCOMPARE(parsed.size(), servers);
    if (servers == 2) {
        // The first in the file keeps the name; the second is the one in error.
        QCOMPARE(parsed.at(0).command, u"a"_s);
        QVERIFY(parsed.at(0).problem.isEmpty());
        QVERIFY2(parsed.at(1).problem.contains(u"used twice"_s), qPrintable(parsed.at(1).problem));
    }
}

void tst_UpstreamConfigParser::keyOrderSurvivesTrickyText()
{
    // Strings holding braces, quotes, escapes and commas; nested objects and arrays before the
    // member; keys with escapes; a member of the same name deeper down.
    const QByteArray text = R"({
      "first": {"mcpServers": {"decoy": 1}},
      "note": "a \"quoted\" } { , [ string \\",
      "list": [{"a": [1, {"b": "]"}]}, "x"],
      "mcpServers": {
        "zeta": {"command": "a", "args": ["}", "{", "\"", ","]},
        "caf\u00e9": {"env": {"K": "v"}},
        "alpha": {"nested": {"deep": [[], {}]}},
        "mid": 3,
        "with\"quote": null
      },
      "after": true
    })";
    QVERIFY(!object(text).isEmpty());
    QCOMPARE(jsonObjectKeysInOrder(text, {u"mcpServers"_s}),
             (QStringList{u"zeta"_s, u"caf\u00e9"_s, u"alpha"_s, u"mid"_s, u"with\"quote"_s}));
    QCOMPARE(jsonObjectKeysInOrder(text, {u"first"_s, u"mcpServers"_s}), QStringList{u"decoy"_s});
    QCOMPARE(jsonObjectKeysInOrder(text, {u"missing"_s}), QStringList());
    QCOMPARE(jsonObjectKeysInOrder(text, {u"note"_s}), QStringList()); // not an object
    QCOMPARE(jsonObjectKeysInOrder(R"({"mcpServers": {}})", {u"mcpServers"_s}), QStringList());
}

void tst_UpstreamConfigParser::theApprovalHashCoversWhatRunsAndNotTheValues()
{
    const UpstreamServerConfig base = parseEntry(
        R"({"command": "npx", "args": ["-y", "pkg"], "env": {"API_KEY": "one", "MODE": "a"},
            "approved": "sha256:old"})");
    QCOMPARE(base.approved, u"sha256:old"_s);
    const QString hash = base.approvalHash();
    QVERIFY(hash.startsWith(u"sha256:"_s));
    QCOMPARE(hash.size(), 7 + 64);
    // Not what the program is told: a key's value, the description, the switches.
    QCOMPARE(parseEntry(R"({"command": "npx", "args": ["-y", "pkg"], "description": "d",
                            "env": {"MODE": "b", "API_KEY": "two"}, "enabled": false})")
                 .approvalHash(),
             hash);
    // What runs: the command, an argument, how the arguments split, a variable's name.
    for (
        const QByteArray &changed :
        {QByteArray(
             R"({"command": "npm", "args": ["-y", "pkg"], "env": {"API_KEY": "", "MODE": ""}})"),
         QByteArray(
             R"({"command": "npx", "args": ["-y", "pkg", "--x"], "env": {"API_KEY": "", "MODE": ""}})"),
         QByteArray(
             R"({"command": "npx", "args": ["-y pkg"], "env": {"API_KEY": "", "MODE": ""}})"),
         QByteArray(
             R"({"command": "npx", "args": ["-y", "pkg"], "env": {"API_KEY": "", "LD_PRELOAD": ""}})"),
         QByteArray(
             R"({"command": "npx", "args": ["-y", "pkg"], "env": {"API_KEY": "", "MODE": ""}, "cwd": "/tmp"})")})
        QVERIFY2(parseEntry(changed).approvalHash() != hash, changed.constData());
}

HEARTLINE_SERVER_TEST_MAIN(tst_UpstreamConfigParser)
#include "tst_upstreamconfigparser.moc"
