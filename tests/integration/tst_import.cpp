// `heartline import`, run as the real binary on a temporary home folder holding the fixture
// configs of the other clients (tests/unit/upstream/fixtures): listing changes nothing, and
// importing adds servers to Heartline's config file while every key already there survives.

#include "tests/support/heartlineprocess.h"
#include "tests/support/mcptestsupport.h"
#include "tests/support/servertestmain.h"
#include "tests/support/testfiles.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;
using namespace heartline::testing;

namespace {

constexpr int kExitMs = 10000;
const QString kFixtures = QStringLiteral(HEARTLINE_UPSTREAM_FIXTURES);

bool copyTree(const QString &from, const QString &to)
{
    QDirIterator it(from, QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString source = it.next();
        const QString target = QDir(to).filePath(QDir(from).relativeFilePath(source));
        if (!QDir().mkpath(QFileInfo(target).absolutePath()) || !QFile::copy(source, target))
            return false;
    }
    return true;
}

// A config the user wrote by hand: settings, one server of their own, keys in their order.
const QByteArray kUserConfig = "{\n"
                               "  \"port\": 8700,\n"
                               "  \"heartbeatMs\": 10000,\n"
                               "  \"token\": \"s3cret\",\n"
                               "  \"mcpServers\": {\n"
                               "    \"memory\": {\"command\": \"/opt/memory-server\", "
                               "\"disabledTools\": [\"delete_entities\"]}\n"
                               "  },\n"
                               "  \"allowedOrigins\": [\"https://claude.ai\"]\n"
                               "}\n";

} // namespace

class tst_Import final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();

    void listingShowsEveryClientsServersAndWritesNothing();
    void listingWithNothingToFindExitsOne();
    void importAddsToTheDefaultConfigAndKeepsEverythingThere();
    void importOfNamedServersReplacesOnlyWhenAsked();
    void xdgConfigHomeDecidesTheDefaultFile();
    void anUnknownNameFailsAndWritesNothing();
    void aConfigThatDoesNotParseIsNotOverwritten();
    void importingOnlyNamesAlreadyThereImportsNothing();
    void usageErrorsExitTwo_data();
    void usageErrorsExitTwo();
    void helpDescribesImport();

private:
    FinishedRun run(const QStringList &arguments, const QProcessEnvironment &environment);
    FinishedRun run(const QStringList &arguments) { return run(arguments, m_environment); }

    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_home;
    QString m_project;
    QString m_defaultConfig;
    QProcessEnvironment m_environment;
};

void tst_Import::initTestCase()
{
    QVERIFY2(QFileInfo(QStringLiteral(HEARTLINE_BINARY)).isExecutable(), HEARTLINE_BINARY);
}

void tst_Import::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_home = m_dir->filePath(u"home"_s);
    m_project = m_dir->filePath(u"project"_s);
    QVERIFY(copyTree(kFixtures + u"/home"_s, m_home));
    QVERIFY(copyTree(kFixtures + u"/project"_s, m_project));
    m_defaultConfig = m_home + u"/.config/heartline/heartline.json"_s;

    m_environment = QProcessEnvironment::systemEnvironment();
    for (const QString &name : {u"DISPLAY"_s, u"WAYLAND_DISPLAY"_s, u"XDG_CONFIG_HOME"_s})
        m_environment.remove(name);
    m_environment.insert(u"HOME"_s, m_home);
    m_environment.insert(u"XDG_RUNTIME_DIR"_s, m_dir->path());
}

FinishedRun tst_Import::run(const QStringList &arguments, const QProcessEnvironment &environment)
{
    return runToEnd(QStringLiteral(HEARTLINE_BINARY), QStringList{u"import"_s} + arguments,
                    environment, m_project, kExitMs);
}

void tst_Import::listingShowsEveryClientsServersAndWritesNothing()
{
    const FinishedRun listed = run({});
    QVERIFY(listed.ended);
    QVERIFY2(listed.exitCode == 0, qPrintable(listed.err));
    for (const QString &expected : QStringList{
             u"Claude Desktop: "_s + m_home + u"/.config/Claude/claude_desktop_config.json"_s,
             u"npx -y @modelcontextprotocol/server-filesystem /home/ada/Documents"_s,
             u"https://mcp.linear.app/mcp"_s,
             u"Cursor: "_s + m_home + u"/.cursor/mcp.json"_s,
             u"uvx mcp-server-time --local-timezone=Europe/Oslo"_s,
             u"VS Code: "_s,
             u"${input:"_s,
             u"Claude Code: "_s + m_project + u"/.mcp.json"_s,
             u"npx @playwright/mcp@latest"_s,
             u"Windsurf: "_s,
             u"https://mcp.figma.com/mcp"_s,
             u"npx -y @modelcontextprotocol/server-brave-search  (disabled)"_s,
             u"Zed: "_s,
             u"uvx mcp-server-sqlite --db-path /home/ada/data/test.db"_s,
             u"skipped memory in "_s + m_home + u"/.config/claude/claude_desktop_config.json"_s,
             u"18 servers"_s,
         })
        QVERIFY2(listed.out.contains(expected),
                 qPrintable(u"no '%1' in:\n%2"_s.arg(expected, listed.out)));
    QVERIFY(!QFileInfo::exists(m_defaultConfig));
    QVERIFY(!QFileInfo::exists(m_home + u"/.config/heartline"_s));
}

void tst_Import::listingWithNothingToFindExitsOne()
{
    QTemporaryDir empty;
    QVERIFY(empty.isValid());
    QProcessEnvironment environment = m_environment;
    environment.insert(u"HOME"_s, empty.path());
    QVERIFY(QDir(m_project).removeRecursively() && QDir().mkpath(m_project));
    const FinishedRun listed = run({}, environment);
    QVERIFY(listed.ended);
    QCOMPARE(listed.exitCode, 1);
    QVERIFY2(listed.err.contains("no MCP servers found"_L1), qPrintable(listed.err));
}

void tst_Import::importAddsToTheDefaultConfigAndKeepsEverythingThere()
{
    QVERIFY(writeFileBytes(m_defaultConfig, kUserConfig));
    const QString from = m_home + u"/.config/Claude/claude_desktop_config.json"_s;

    const FinishedRun imported = run({u"--from"_s, from});
    QVERIFY(imported.ended);
    QVERIFY2(imported.exitCode == 0, qPrintable(imported.err));
    QVERIFY2(imported.err.contains("skipped memory: already in "_L1 + m_defaultConfig),
             qPrintable(imported.err));
    QVERIFY2(imported.out.contains("added linear: https://mcp.linear.app/mcp"_L1),
             qPrintable(imported.out));
    QVERIFY2(imported.out.contains("wrote "_L1 + m_defaultConfig), qPrintable(imported.out));

    const QByteArray text = readFileBytes(m_defaultConfig);
    const QJsonObject config = QJsonDocument::fromJson(text).object();
    QCOMPARE(config.value("port"_L1).toInt(), 8700);
    QCOMPARE(config.value("heartbeatMs"_L1).toInt(), 10000);
    QCOMPARE(config.value("token"_L1).toString(), u"s3cret"_s);
    QCOMPARE(config.value("allowedOrigins"_L1).toArray(), QJsonArray{"https://claude.ai"_L1});
    const QJsonObject servers = config.value("mcpServers"_L1).toObject();
    QCOMPARE(servers.keys(), (QStringList{u"filesystem"_s, u"linear"_s, u"memory"_s, u"notion"_s}));
    // The user's own server is untouched, switches and all.
    QCOMPARE(servers.value("memory"_L1).toObject(),
             QJsonDocument::fromJson(kUserConfig)["mcpServers"_L1]["memory"_L1].toObject());
    QCOMPARE(servers.value("linear"_L1).toObject(),
             (QJsonObject{
                 {"url"_L1, "https://mcp.linear.app/mcp"_L1},
                 {"headers"_L1, QJsonObject{{"Authorization"_L1, "Bearer ${LINEAR_TOKEN}"_L1}}},
                 {"importedFrom"_L1, from}}));
    QCOMPARE(servers.value("filesystem"_L1)["command"_L1].toString(), u"npx"_s);
    // The user's order, not QJsonObject's: port, heartbeatMs, token, mcpServers, allowedOrigins.
    QVERIFY2(text.indexOf("\"port\"") < text.indexOf("\"heartbeatMs\"")
                 && text.indexOf("\"token\"") < text.indexOf("\"mcpServers\"")
                 && text.indexOf("\"mcpServers\"") < text.indexOf("\"allowedOrigins\""),
             text.constData());
}

void tst_Import::importOfNamedServersReplacesOnlyWhenAsked()
{
    const QString config = m_dir->filePath(u"elsewhere/heartline.json"_s);
    QVERIFY(writeFileBytes(config, "{\"logFormat\": \"json\", \"mcpServers\": {\"everything\": "
                                   "{\"command\": \"old\"}}}\n"));
    const QString zed = m_home + u"/.config/zed/settings.json"_s;

    const FinishedRun skipped = run({u"--config"_s, config, u"--from"_s, zed, u"everything"_s});
    QVERIFY(skipped.ended);
    QCOMPARE(skipped.exitCode, 1);
    QVERIFY2(skipped.err.contains("--replace"_L1), qPrintable(skipped.err));
    QCOMPARE(QJsonDocument::fromJson(
                 readFileBytes(config))["mcpServers"_L1]["everything"_L1]["command"_L1]
                 .toString(),
             u"old"_s);

    const FinishedRun replaced =
        run({u"--from"_s, zed, u"--replace"_s, u"--config"_s, config, u"everything"_s});
    QVERIFY(replaced.ended);
    QVERIFY2(replaced.exitCode == 0, qPrintable(replaced.err));
    QVERIFY2(replaced.out.contains("replaced everything: npx -y"_L1), qPrintable(replaced.out));
    const QJsonObject written = QJsonDocument::fromJson(readFileBytes(config)).object();
    QCOMPARE(written.value("logFormat"_L1).toString(), u"json"_s);
    const QJsonObject servers = written.value("mcpServers"_L1).toObject();
    QCOMPARE(servers.keys(), QStringList{u"everything"_s}); // sqlite and docs were not named
    QCOMPARE(servers.value("everything"_L1)["command"_L1].toString(), u"npx"_s);
    QVERIFY(!QFileInfo::exists(m_defaultConfig));
}

void tst_Import::xdgConfigHomeDecidesTheDefaultFile()
{
    QProcessEnvironment environment = m_environment;
    const QString xdg = m_dir->filePath(u"xdg"_s);
    environment.insert(u"XDG_CONFIG_HOME"_s, xdg);
    const FinishedRun imported =
        run({u"--from"_s, m_home + u"/.cursor/mcp.json"_s, u"time"_s}, environment);
    QVERIFY(imported.ended);
    QVERIFY2(imported.exitCode == 0, qPrintable(imported.err));
    const QString path = xdg + u"/heartline/heartline.json"_s;
    QCOMPARE(QJsonDocument::fromJson(readFileBytes(path))["mcpServers"_L1]["time"_L1]["command"_L1]
                 .toString(),
             u"uvx"_s);
    QVERIFY(!QFileInfo::exists(m_defaultConfig));
    // A new config file may hold tokens: the user's alone.
    QCOMPARE(QFile::permissions(path) & (QFileDevice::ReadGroup | QFileDevice::ReadOther),
             QFileDevice::Permissions());
}

void tst_Import::anUnknownNameFailsAndWritesNothing()
{
    QVERIFY(writeFileBytes(m_defaultConfig, kUserConfig));
    const FinishedRun failed =
        run({u"--from"_s, m_home + u"/.cursor/mcp.json"_s, u"time"_s, u"nope"_s});
    QVERIFY(failed.ended);
    QCOMPARE(failed.exitCode, 1);
    QVERIFY2(failed.err.contains("no server 'nope'"_L1) && failed.err.contains("time, userjot"_L1),
             qPrintable(failed.err));
    QCOMPARE(readFileBytes(m_defaultConfig), kUserConfig);
}

void tst_Import::aConfigThatDoesNotParseIsNotOverwritten()
{
    const QByteArray broken = "{\n  \"port\": 8700,\n  \"mcpServers\": {,\n}\n";
    QVERIFY(writeFileBytes(m_defaultConfig, broken));
    const FinishedRun failed = run({u"--from"_s, m_home + u"/.cursor/mcp.json"_s});
    QVERIFY(failed.ended);
    QCOMPARE(failed.exitCode, 1);
    QVERIFY2(failed.err.contains(m_defaultConfig + u":3:"_s), qPrintable(failed.err));
    QCOMPARE(readFileBytes(m_defaultConfig), broken);
}

void tst_Import::importingOnlyNamesAlreadyThereImportsNothing()
{
    QVERIFY(writeFileBytes(m_defaultConfig, kUserConfig));
    const FinishedRun nothing =
        run({u"--from"_s, m_home + u"/.config/claude/claude_desktop_config.json"_s});
    QVERIFY(nothing.ended);
    QCOMPARE(nothing.exitCode, 1);
    QVERIFY2(nothing.err.contains("nothing imported"_L1), qPrintable(nothing.err));
    QCOMPARE(readFileBytes(m_defaultConfig), kUserConfig);
}

void tst_Import::usageErrorsExitTwo_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("mentions");

    QTest::newRow("unknown option") << QStringList{u"--frobnicate"_s} << u"frobnicate"_s;
    QTest::newRow("--from without a file") << QStringList{u"--from"_s} << u"--from"_s;
    QTest::newRow("--config without a file")
        << QStringList{u"--from"_s, u"x.json"_s, u"--config"_s} << u"--config"_s;
    QTest::newRow("names without --from") << QStringList{u"memory"_s} << u"--from"_s;
    QTest::newRow("--replace without --from") << QStringList{u"--replace"_s} << u"--from"_s;
}

void tst_Import::usageErrorsExitTwo()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, mentions);
    const FinishedRun failed = run(arguments);
    QVERIFY(failed.ended);
    QCOMPARE(failed.exitCode, 2);
    QVERIFY2(failed.err.startsWith("heartline import: "_L1) && failed.err.contains(mentions),
             qPrintable(failed.err));
    QVERIFY(!QFileInfo::exists(m_defaultConfig));
}

void tst_Import::helpDescribesImport()
{
    const FinishedRun help = run({u"--help"_s});
    QVERIFY(help.ended);
    QCOMPARE(help.exitCode, 0);
    for (const char *word : {"--from", "--config", "--replace", "mcp-remote", "Zed", "Exit status"})
        QVERIFY2(help.out.contains(QLatin1StringView(word)), qPrintable(help.out));

    QProcess main;
    main.setProgram(QStringLiteral(HEARTLINE_BINARY));
    main.setArguments({u"--help"_s});
    main.setProcessEnvironment(m_environment);
    main.start();
    QVERIFY(waitUntil([&main]() { return main.state() == QProcess::NotRunning; }, kExitMs));
    QVERIFY(main.readAllStandardOutput().contains("heartline import"));
}

HEARTLINE_SERVER_TEST_MAIN(tst_Import)
#include "tst_import.moc"
