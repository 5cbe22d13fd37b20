// ClientConfigs: the servers of the user's other MCP clients, read from fixture files laid out
// as a Linux home folder (tests/unit/upstream/fixtures/home) and a project folder, each in its
// client's own format, and turned into Heartline's mcpServers entries.

#include "server/tools/upstream/clientconfigs.h"
#include "tests/support/servertestmain.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace heartline;

namespace {

const QString kFixtures = QStringLiteral(HEARTLINE_UPSTREAM_FIXTURES);
const QString kHome = kFixtures + u"/home"_s;
const QString kProject = kFixtures + u"/project"_s;

QJsonObject json(const char *text)
{
    QJsonParseError error;
    const QJsonObject object = QJsonDocument::fromJson(text, &error).object();
    if (error.error != QJsonParseError::NoError)
        qFatal("bad JSON in the test: %s", text);
    return object;
}

const ImportedServer *find(const QList<ImportedServer> &servers, const QString &name)
{
    for (const ImportedServer &server : servers)
        if (server.name == name)
            return &server;
    return nullptr;
}

} // namespace

class tst_ClientConfigs final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void knownLocationsFollowTheInjectedHomeAndCurrentFolder();
    void scanFindsEveryClientsServersOnce();
    void eachServerBecomesHeartlinesEntry_data();
    void eachServerBecomesHeartlinesEntry();
    void notesSayWhatNeedsTheUsersAttention_data();
    void notesSayWhatNeedsTheUsersAttention();
    void aNameFoundTwiceKeepsTheFirstAndReportsTheOthers();
    void readFileTellsTheFormatByItsShape_data();
    void readFileTellsTheFormatByItsShape();
    void mcpRemoteCommandLines_data();
    void mcpRemoteCommandLines();
    void commentsAndTrailingCommasAreStrippedOutsideStrings_data();
    void commentsAndTrailingCommasAreStrippedOutsideStrings();
    void aFileThatDoesNotParseIsAProblemWithLineAndColumn();
    void anEmptyHomeFindsNothing();
    void commandLineOrUrlIsWhatTheUserIsShown();
};

void tst_ClientConfigs::knownLocationsFollowTheInjectedHomeAndCurrentFolder()
{
    const QList<ClientConfigLocation> locations =
        ClientConfigs::knownLocations(u"/h"_s, u"/work/p"_s);
    QStringList paths;
    for (const ClientConfigLocation &location : locations)
        paths.append(location.client + u": "_s + location.path);
    QCOMPARE(paths, (QStringList{
                        u"Claude Desktop: /h/.config/Claude/claude_desktop_config.json"_s,
                        u"Claude Desktop: /h/.config/claude/claude_desktop_config.json"_s,
                        u"Cursor: /h/.cursor/mcp.json"_s,
                        u"VS Code: /h/.config/Code/User/mcp.json"_s,
                        u"Claude Code: /h/.claude.json"_s,
                        u"Claude Code: /work/p/.mcp.json"_s,
                        u"Windsurf: /h/.codeium/windsurf/mcp_config.json"_s,
                        u"Zed: /h/.config/zed/settings.json"_s,
                    }));
}

void tst_ClientConfigs::scanFindsEveryClientsServersOnce()
{
    const ClientConfigScan scan = ClientConfigs::scan(kHome, kProject);
    QVERIFY2(scan.problems.isEmpty(), qPrintable(scan.problems.join(u'\n')));

    QStringList found;
    for (const ImportedServer &server : scan.servers)
        found.append(server.client + u'/' + server.name);
    QCOMPARE(found, (QStringList{
                        u"Claude Desktop/filesystem"_s,
                        u"Claude Desktop/linear"_s,
                        u"Claude Desktop/memory"_s,
                        u"Claude Desktop/notion"_s,
                        u"Cursor/time"_s,
                        u"Cursor/userjot"_s,
                        u"VS Code/context7"_s,
                        u"VS Code/github"_s,
                        u"VS Code/legacy-sse"_s,
                        u"VS Code/perplexity"_s,
                        u"Claude Code/sentry"_s,
                        u"Claude Code/postgres"_s,
                        u"Claude Code/playwright"_s,
                        u"Windsurf/brave-search"_s,
                        u"Windsurf/figma"_s,
                        u"Zed/docs"_s,
                        u"Zed/everything"_s,
                        u"Zed/sqlite"_s,
                    }));
    QCOMPARE(find(scan.servers, u"playwright"_s)->sourceFile, kProject + u"/.mcp.json"_s);
    QCOMPARE(find(scan.servers, u"figma"_s)->sourceFile,
             kHome + u"/.codeium/windsurf/mcp_config.json"_s);
}

void tst_ClientConfigs::eachServerBecomesHeartlinesEntry_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QJsonObject>("entry");

    QTest::newRow("Claude Desktop: filesystem through npx")
        << u"filesystem"_s
        << json(R"({"command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem",
                    "/home/ada/Documents", "/home/ada/notes"]})");
    QTest::newRow("Claude Desktop: env kept")
        << u"memory"_s
        << json(R"({"command": "npx", "args": ["-y", "@modelcontextprotocol/server-memory"],
                    "env": {"MEMORY_FILE_PATH": "/home/ada/.local/share/memory.json"}})");
    QTest::newRow("mcp-remote@latest with a header: native remote, variable kept")
        << u"linear"_s << json(R"({"url": "https://mcp.linear.app/mcp",
                    "headers": {"Authorization": "Bearer ${LINEAR_TOKEN}"}})");
    QTest::newRow("mcp-remote sse-only, header from its env")
        << u"notion"_s << json(R"({"url": "https://mcp.notion.com/sse", "type": "sse",
                    "headers": {"Authorization": "Bearer secret-notion-token"}})");
    QTest::newRow("Cursor: url and headers, ${env:...} as written")
        << u"userjot"_s << json(R"({"url": "https://mcp.userjot.com/mcp",
                    "headers": {"Authorization": "Bearer ${env:USERJOT_API_TOKEN}"}})");
    QTest::newRow("Cursor: a uvx server")
        << u"time"_s
        << json(
               R"({"command": "uvx", "args": ["mcp-server-time", "--local-timezone=Europe/Oslo"]})");
    QTest::newRow("VS Code: envFile merged, env wins, type stdio dropped")
        << u"github"_s << json(R"({"command": "docker", "args": ["run", "-i", "--rm", "-e",
                    "GITHUB_PERSONAL_ACCESS_TOKEN", "ghcr.io/github/github-mcp-server"],
                    "env": {"GITHUB_PERSONAL_ACCESS_TOKEN": "ghp_fixture0123456789",
                            "GITHUB_HOST": "github.com", "GITHUB_TOOLSETS": "repos,issues"}})");
    QTest::newRow("VS Code: ${input:...} kept as written")
        << u"perplexity"_s << json(R"({"command": "npx", "args": ["-y", "server-perplexity-ask"],
                    "env": {"PERPLEXITY_API_KEY": "${input:perplexity-key}"}})");
    QTest::newRow("VS Code: type http")
        << u"context7"_s << json(R"({"type": "http", "url": "https://mcp.context7.com/mcp"})");
    QTest::newRow("VS Code: type sse, dev left behind")
        << u"legacy-sse"_s << json(R"({"type": "sse", "url": "http://localhost:3001/sse",
                    "headers": {"X-Api-Key": "abc"}})");
    QTest::newRow("Claude Code: user scope")
        << u"sentry"_s << json(R"({"type": "http", "url": "https://mcp.sentry.dev/mcp"})");
    QTest::newRow("Claude Code: per project, first project by name")
        << u"postgres"_s
        << json(R"({"command": "npx", "args": ["-y", "@modelcontextprotocol/server-postgres",
                    "postgresql://localhost/blog"]})");
    QTest::newRow("Claude Code: .mcp.json in the current folder")
        << u"playwright"_s << json(R"({"command": "npx", "args": ["@playwright/mcp@latest"]})");
    QTest::newRow("Windsurf: serverUrl")
        << u"figma"_s << json(R"({"url": "https://mcp.figma.com/mcp",
                    "headers": {"Authorization": "Bearer ${env:FIGMA_TOKEN}"}})");
    QTest::newRow("Windsurf: disabled")
        << u"brave-search"_s
        << json(R"({"command": "npx", "args": ["-y", "@modelcontextprotocol/server-brave-search"],
                    "env": {"BRAVE_API_KEY": "fixture-brave-key"}, "enabled": false})");
    QTest::newRow("Zed: custom source")
        << u"sqlite"_s << json(R"({"command": "uvx", "args": ["mcp-server-sqlite", "--db-path",
                    "/home/ada/data/test.db"], "env": {}})");
    QTest::newRow("Zed: the older command object")
        << u"everything"_s
        << json(R"({"command": "npx", "args": ["-y", "@modelcontextprotocol/server-everything"],
                    "env": {"DEBUG": "1"}})");
    QTest::newRow("Zed: remote, comment-like text inside strings kept")
        << u"docs"_s << json(R"({"url": "https://docs.example.com/mcp",
                    "headers": {"X-Path": "/* not a comment */ // nor this"}})");
}

void tst_ClientConfigs::eachServerBecomesHeartlinesEntry()
{
    QFETCH(QString, name);
    QFETCH(QJsonObject, entry);
    const ClientConfigScan scan = ClientConfigs::scan(kHome, kProject);
    const ImportedServer *server = find(scan.servers, name);
    QVERIFY2(server, qPrintable(name));
    QCOMPARE(QString::fromUtf8(QJsonDocument(server->entry).toJson(QJsonDocument::Compact)),
             QString::fromUtf8(QJsonDocument(entry).toJson(QJsonDocument::Compact)));
}

void tst_ClientConfigs::notesSayWhatNeedsTheUsersAttention_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("note"); // empty: no notes at all

    QTest::newRow("plain stdio") << u"filesystem"_s << QString();
    QTest::newRow("plain remote") << u"userjot"_s << QString();
    QTest::newRow("mcp-remote bridge") << u"linear"_s << u"mcp-remote@latest"_s;
    QTest::newRow("input variable") << u"perplexity"_s << u"${input:"_s;
    QTest::newRow("unknown key") << u"legacy-sse"_s << u"left behind (not Heartline keys): dev"_s;
    QTest::newRow("Cline-style key") << u"brave-search"_s << u"alwaysAllow"_s;
    QTest::newRow("project") << u"postgres"_s << u"/home/ada/src/blog"_s;
}

void tst_ClientConfigs::notesSayWhatNeedsTheUsersAttention()
{
    QFETCH(QString, name);
    QFETCH(QString, note);
    const ClientConfigScan scan = ClientConfigs::scan(kHome, kProject);
    const ImportedServer *server = find(scan.servers, name);
    QVERIFY2(server, qPrintable(name));
    const QString notes = server->notes.join(u'\n');
    if (note.isEmpty())
        QVERIFY2(notes.isEmpty(), qPrintable(notes));
    else
        QVERIFY2(notes.contains(note), qPrintable(notes));
}

void tst_ClientConfigs::aNameFoundTwiceKeepsTheFirstAndReportsTheOthers()
{
    const ClientConfigScan scan = ClientConfigs::scan(kHome, kProject);
    QCOMPARE(scan.duplicates.size(), 2);

    const SkippedDuplicate &memory = scan.duplicates.at(0);
    QCOMPARE(memory.server.name, u"memory"_s);
    QCOMPARE(memory.server.sourceFile, kHome + u"/.config/claude/claude_desktop_config.json"_s);
    QCOMPARE(memory.keptFrom, kHome + u"/.config/Claude/claude_desktop_config.json"_s);
    QCOMPARE(find(scan.servers, u"memory"_s)->entry.value("args"_L1).toArray().last().toString(),
             u"@modelcontextprotocol/server-memory"_s);

    const SkippedDuplicate &postgres = scan.duplicates.at(1);
    QCOMPARE(postgres.server.name, u"postgres"_s);
    QVERIFY(postgres.server.notes.join(u' ').contains("/home/ada/src/shop"_L1));
    QCOMPARE(postgres.keptFrom, kHome + u"/.claude.json"_s);
}

void tst_ClientConfigs::readFileTellsTheFormatByItsShape_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("client");
    QTest::addColumn<int>("servers");

    QTest::newRow("Claude Desktop")
        << u"/.config/Claude/claude_desktop_config.json"_s << u"Claude Desktop"_s << 4;
    QTest::newRow("Cursor") << u"/.cursor/mcp.json"_s << u"Cursor"_s << 2;
    QTest::newRow("VS Code") << u"/.config/Code/User/mcp.json"_s << u"VS Code"_s << 4;
    QTest::newRow("Claude Code") << u"/.claude.json"_s << u"Claude Code"_s << 2;
    QTest::newRow("Windsurf") << u"/.codeium/windsurf/mcp_config.json"_s << u"Windsurf"_s << 2;
    QTest::newRow("Zed") << u"/.config/zed/settings.json"_s << u"Zed"_s << 3;
}

void tst_ClientConfigs::readFileTellsTheFormatByItsShape()
{
    QFETCH(QString, path);
    QFETCH(QString, client);
    QFETCH(int, servers);

    // A copy under a name that says nothing: the shape alone decides, but for the plain
    // mcpServers files whose client only the file name tells.
    const ClientConfigScan read = ClientConfigs::readFile(kHome + path, QString(), kHome);
    QVERIFY2(read.problems.isEmpty(), qPrintable(read.problems.join(u'\n')));
    QCOMPARE(read.servers.size(), servers);
    for (const ImportedServer &server : read.servers) {
        QCOMPARE(server.client, client);
        QCOMPARE(server.sourceFile, kHome + path);
    }
}

void tst_ClientConfigs::mcpRemoteCommandLines_data()
{
    QTest::addColumn<QJsonObject>("entry");
    QTest::addColumn<QJsonObject>("expected");

    QTest::newRow("npx -y mcp-remote URL --header 'K: V'")
        << json(R"({"command": "npx", "args": ["-y", "mcp-remote", "https://x.example/mcp",
                    "--header", "Authorization: Bearer ${TOKEN}"]})")
        << json(R"({"url": "https://x.example/mcp",
                    "headers": {"Authorization": "Bearer ${TOKEN}"}})");
    QTest::newRow("--header=K:V, two headers, a callback port")
        << json(R"({"command": "npx", "args": ["mcp-remote@0.1.29", "https://x.example/mcp",
                    "9696", "--header=X-One:1", "--header", "X-Two: two words"]})")
        << json(R"({"url": "https://x.example/mcp",
                    "headers": {"X-One": "1", "X-Two": "two words"}})");
    QTest::newRow("mcp-remote as the command, http-only")
        << json(R"({"command": "mcp-remote", "args": ["http://127.0.0.1:9000/mcp",
                    "--allow-http", "--transport", "http-only"], "enabled": false})")
        << json(R"({"url": "http://127.0.0.1:9000/mcp", "type": "http", "enabled": false})");
    QTest::newRow("header variable from env, ${env:...} form")
        << json(R"({"command": "npx", "args": ["mcp-remote", "https://x.example/sse",
                    "--header", "Authorization:${env:AUTH}"], "env": {"AUTH": "Bearer t"}})")
        << json(R"({"url": "https://x.example/sse", "headers": {"Authorization": "Bearer t"}})");
    QTest::newRow("not a bridge: a server named like it is kept")
        << json(R"({"command": "npx", "args": ["-y", "mcp-remote-helper", "https://x"]})")
        << json(R"({"command": "npx", "args": ["-y", "mcp-remote-helper", "https://x"]})");
    QTest::newRow("mcp-remote without a URL is kept as it is")
        << json(R"({"command": "npx", "args": ["mcp-remote", "--help"]})")
        << json(R"({"command": "npx", "args": ["mcp-remote", "--help"]})");
}

void tst_ClientConfigs::mcpRemoteCommandLines()
{
    QFETCH(QJsonObject, entry);
    QFETCH(QJsonObject, expected);
    const ImportedServer server = ClientConfigs::convertEntry(u"Claude Desktop"_s, u"/f.json"_s,
                                                              u"x"_s, entry, u"/"_s, u"/h"_s);
    QCOMPARE(QString::fromUtf8(QJsonDocument(server.entry).toJson(QJsonDocument::Compact)),
             QString::fromUtf8(QJsonDocument(expected).toJson(QJsonDocument::Compact)));
    QCOMPARE(server.notes.join(u' ').contains("native remote"_L1),
             !server.entry.contains("command"_L1));
}

void tst_ClientConfigs::commentsAndTrailingCommasAreStrippedOutsideStrings_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QByteArray>("json");

    QTest::newRow("line comment") << QByteArray("{\"a\": 1 // one\n}") << QByteArray("{\"a\":1}");
    QTest::newRow("block comment")
        << QByteArray("{/* x\n y */\"a\": 1}") << QByteArray("{\"a\":1}");
    QTest::newRow("trailing commas") << QByteArray("{\"a\": [1, 2, ],\n \"b\": {\"c\": 3,\n},\n}")
                                     << QByteArray("{\"a\":[1,2],\"b\":{\"c\":3}}");
    QTest::newRow("comma before a comment before a brace")
        << QByteArray("{\"a\": 1, // last\n}") << QByteArray("{\"a\":1}");
    QTest::newRow("inside strings nothing changes")
        << QByteArray(R"({"u": "https://x//y", "c": "/* */", "t": ",}", "q": "\"//"})")
        << QByteArray(R"({"c":"/* */","q":"\"//","t":",}","u":"https://x//y"})");
}

void tst_ClientConfigs::commentsAndTrailingCommasAreStrippedOutsideStrings()
{
    QFETCH(QByteArray, text);
    QFETCH(QByteArray, json);
    const QByteArray stripped = ClientConfigs::stripJsonExtensions(text);
    QCOMPARE(stripped.count('\n'), text.count('\n')); // line numbers still point at the file
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(stripped, &error);
    QVERIFY2(error.error == QJsonParseError::NoError, stripped.constData());
    QCOMPARE(document.toJson(QJsonDocument::Compact), json);
}

void tst_ClientConfigs::aFileThatDoesNotParseIsAProblemWithLineAndColumn()
{
    const QString path = kFixtures + u"/broken/mcp.json"_s;
    const ClientConfigScan read = ClientConfigs::readFile(path, QString(), kHome);
    QVERIFY(read.servers.isEmpty());
    QCOMPARE(read.problems.size(), 1);
    QVERIFY2(read.problems.at(0).startsWith(path + u":4:"_s), qPrintable(read.problems.at(0)));

    const ClientConfigScan notAConfig =
        ClientConfigs::readFile(kHome + u"/.config/Code/User/.env.github"_s, QString(), kHome);
    QCOMPARE(notAConfig.problems.size(), 1);
}

void tst_ClientConfigs::anEmptyHomeFindsNothing()
{
    QTemporaryDir empty;
    QVERIFY(empty.isValid());
    const ClientConfigScan scan = ClientConfigs::scan(empty.path(), empty.path());
    QVERIFY(scan.servers.isEmpty());
    QVERIFY(scan.duplicates.isEmpty());
    QVERIFY(scan.problems.isEmpty());
}

void tst_ClientConfigs::commandLineOrUrlIsWhatTheUserIsShown()
{
    ImportedServer server;
    server.entry = json(R"({"command": "npx", "args": ["-y", "pkg", "/home/ada/My Notes",
                            "it's"]})");
    QCOMPARE(server.commandLineOrUrl(), uR"(npx -y pkg '/home/ada/My Notes' 'it'\''s')"_s);
    server.entry = json(R"({"url": "https://x.example/mcp", "headers": {"A": "b"}})");
    QCOMPARE(server.commandLineOrUrl(), u"https://x.example/mcp"_s);
}

HEARTLINE_SERVER_TEST_MAIN(tst_ClientConfigs)
#include "tst_clientconfigs.moc"
