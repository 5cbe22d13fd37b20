#include "app/launchoptions.h"
#include "tests/support/servertestmain.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace heartline;
using namespace Qt::StringLiterals;

Q_DECLARE_METATYPE(heartline::LaunchOptions::Action)
Q_DECLARE_METATYPE(heartline::HeadlessLog::Format)

namespace {

using Action = LaunchOptions::Action;

QProcessEnvironment environmentWith(const QString &token = {}, bool set = false)
{
    QProcessEnvironment environment;
    environment.insert(u"HOME"_s, u"/nonexistent"_s);
    if (set || !token.isEmpty())
        environment.insert(u"HEARTLINE_TOKEN"_s, token);
    return environment;
}

LaunchOptions parse(const QStringList &arguments,
                    const QProcessEnvironment &environment = environmentWith(),
                    bool hasDisplay = true)
{
    return parseLaunchOptions(QStringList{u"heartline"_s} + arguments, environment, hasDisplay);
}

QString describe(const LaunchOptions &options)
{
    return u"action %1, error '%2'"_s.arg(int(options.action)).arg(options.error);
}

} // namespace

class tst_LaunchOptions : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void defaultsAreTheDesignDefaults();
    void explicitChoicesAreRecorded();
    void eachFlagIsParsed_data();
    void eachFlagIsParsed();
    void badArgumentsFailNamingTheProblem_data();
    void badArgumentsFailNamingTheProblem();
    void helpAndVersionAreActions_data();
    void helpAndVersionAreActions();
    void helpDocumentsEveryFlag();
    void tokenComesFromEnvironmentAndTheFlagWins_data();
    void tokenComesFromEnvironmentAndTheFlagWins();
    void configFileIsLoaded();
    void flagsOverrideTheConfigFile();
    void badConfigFileFailsNamingTheProblem_data();
    void badConfigFileFailsNamingTheProblem();
    void sampleConfigFileLoads();
    void notJsonIsReportedAtLineAndColumn_data();
    void notJsonIsReportedAtLineAndColumn();
    void mcpServersAreReadInFileOrder();
    void aBadServerEntryDoesNotFailTheStart();
    void commandToolsAndMcpServersMustBeObjects_data();
    void commandToolsAndMcpServersMustBeObjects();
    void defaultFileIsReadWhenItExists_data();
    void defaultFileIsReadWhenItExists();
    void missingDefaultFileMeansBuiltInDefaults();
    void nonLoopbackHostNeedsAToken_data();
    void nonLoopbackHostNeedsAToken();
    void headlessWithoutDisplayOrWhenAsked_data();
    void headlessWithoutDisplayOrWhenAsked();

private:
    QString writeConfig(const QByteArray &json);

    QTemporaryDir m_dir;
    int m_files = 0;
};

QString tst_LaunchOptions::writeConfig(const QByteArray &json)
{
    const QString path = m_dir.filePath(u"config-%1.json"_s.arg(++m_files));
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(json) != json.size())
        return {};
    return path;
}

void tst_LaunchOptions::defaultsAreTheDesignDefaults()
{
    const LaunchOptions options = parse({});
    QVERIFY2(options.action == Action::Run, qPrintable(describe(options)));
    QCOMPARE(options.config.host, u"127.0.0.1"_s);
    QCOMPARE(options.config.port, quint16(8650));
    QCOMPARE(options.config.heartbeatMs, 15000);
    QCOMPARE(options.config.token, QString());
    QCOMPARE(options.logFormat, HeadlessLog::Format::Text);
    QCOMPARE(options.headless, false);
    QCOMPARE(options.config.conformance, false);
    QVERIFY(options.error.isEmpty());
    QVERIFY(options.explicitFields.isEmpty());
    QVERIFY(!options.configFileGiven);
}

// What a run was told outranks what the window saved, even a value equal to the default.
void tst_LaunchOptions::explicitChoicesAreRecorded()
{
    const LaunchOptions flags = parse({u"--host"_s, u"127.0.0.1"_s, u"--port"_s, u"8650"_s});
    QVERIFY2(flags.action == Action::Run, qPrintable(describe(flags)));
    QCOMPARE(flags.explicitFields, (QStringList{u"host"_s, u"port"_s}));

    const LaunchOptions fromEnvironment =
        parse({u"--heartbeat-ms"_s, u"15000"_s}, environmentWith(u"secret"_s));
    QVERIFY2(fromEnvironment.action == Action::Run, qPrintable(describe(fromEnvironment)));
    QCOMPARE(fromEnvironment.explicitFields, (QStringList{u"token"_s, u"heartbeatMs"_s}));
}

void tst_LaunchOptions::eachFlagIsParsed_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("port");
    QTest::addColumn<int>("heartbeatMs");
    QTest::addColumn<QString>("token");
    QTest::addColumn<HeadlessLog::Format>("logFormat");
    QTest::addColumn<bool>("headless");
    QTest::addColumn<bool>("conformance");

    const QString host = u"127.0.0.1"_s;
    const auto text = HeadlessLog::Format::Text;
    QTest::newRow("--host ::1") << QStringList{u"--host"_s, u"::1"_s} << u"::1"_s << 8650 << 15000
                                << QString() << text << false << false;
    QTest::newRow("--host localhost") << QStringList{u"--host"_s, u"localhost"_s} << u"localhost"_s
                                      << 8650 << 15000 << QString() << text << false << false;
    QTest::newRow("--port 9000") << QStringList{u"--port"_s, u"9000"_s} << host << 9000 << 15000
                                 << QString() << text << false << false;
    QTest::newRow("--port=9001") << QStringList{u"--port=9001"_s} << host << 9001 << 15000
                                 << QString() << text << false << false;
    QTest::newRow("--port 0") << QStringList{u"--port"_s, u"0"_s} << host << 0 << 15000 << QString()
                              << text << false << false;
    QTest::newRow("--port 65535") << QStringList{u"--port"_s, u"65535"_s} << host << 65535 << 15000
                                  << QString() << text << false << false;
    QTest::newRow("--heartbeat-ms 0") << QStringList{u"--heartbeat-ms"_s, u"0"_s} << host << 8650
                                      << 0 << QString() << text << false << false;
    QTest::newRow("--heartbeat-ms 10") << QStringList{u"--heartbeat-ms"_s, u"10"_s} << host << 8650
                                       << 10 << QString() << text << false << false;
    QTest::newRow("--heartbeat-ms one day")
        << QStringList{u"--heartbeat-ms"_s, u"86400000"_s} << host << 8650 << 86400000 << QString()
        << text << false << false;
    QTest::newRow("--token") << QStringList{u"--token"_s, u"abc"_s} << host << 8650 << 15000
                             << u"abc"_s << text << false << false;
    QTest::newRow("--log-format json")
        << QStringList{u"--log-format"_s, u"json"_s} << host << 8650 << 15000 << QString()
        << HeadlessLog::Format::Json << false << false;
    QTest::newRow("--log-format text") << QStringList{u"--log-format"_s, u"text"_s} << host << 8650
                                       << 15000 << QString() << text << false << false;
    QTest::newRow("--headless") << QStringList{u"--headless"_s} << host << 8650 << 15000
                                << QString() << text << true << false;
    QTest::newRow("--conformance") << QStringList{u"--conformance"_s} << host << 8650 << 15000
                                   << QString() << text << false << true;
    QTest::newRow("all together")
        << QStringList{u"--headless"_s, u"--host"_s,       u"::1"_s,  u"--port"_s,
                       u"0"_s,          u"--token"_s,      u"t"_s,    u"--heartbeat-ms"_s,
                       u"250"_s,        u"--log-format"_s, u"json"_s, u"--conformance"_s}
        << u"::1"_s << 0 << 250 << u"t"_s << HeadlessLog::Format::Json << true << true;
}

void tst_LaunchOptions::eachFlagIsParsed()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, host);
    QFETCH(int, port);
    QFETCH(int, heartbeatMs);
    QFETCH(QString, token);
    QFETCH(HeadlessLog::Format, logFormat);
    QFETCH(bool, headless);
    QFETCH(bool, conformance);

    const LaunchOptions options = parse(arguments);
    QVERIFY2(options.action == Action::Run, qPrintable(describe(options)));
    QCOMPARE(options.config.host, host);
    QCOMPARE(int(options.config.port), port);
    QCOMPARE(options.config.heartbeatMs, heartbeatMs);
    QCOMPARE(options.config.token, token);
    QCOMPARE(options.logFormat, logFormat);
    QCOMPARE(options.headless, headless);
    QCOMPARE(options.config.conformance, conformance);
}

void tst_LaunchOptions::badArgumentsFailNamingTheProblem_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("named"); // the error must mention it

    QTest::newRow("port too big") << QStringList{u"--port"_s, u"65536"_s} << u"--port"_s;
    QTest::newRow("port negative") << QStringList{u"--port"_s, u"-1"_s} << u"--port"_s;
    QTest::newRow("port not a number") << QStringList{u"--port"_s, u"http"_s} << u"--port"_s;
    QTest::newRow("port empty") << QStringList{u"--port="_s} << u"--port"_s;
    QTest::newRow("port missing") << QStringList{u"--port"_s} << u"port"_s;
    QTest::newRow("heartbeat below 10")
        << QStringList{u"--heartbeat-ms"_s, u"5"_s} << u"--heartbeat-ms"_s;
    QTest::newRow("heartbeat negative")
        << QStringList{u"--heartbeat-ms"_s, u"-1"_s} << u"--heartbeat-ms"_s;
    QTest::newRow("heartbeat over a day")
        << QStringList{u"--heartbeat-ms"_s, u"86400001"_s} << u"--heartbeat-ms"_s;
    QTest::newRow("heartbeat fraction")
        << QStringList{u"--heartbeat-ms"_s, u"1.5"_s} << u"--heartbeat-ms"_s;
    QTest::newRow("heartbeat with unit")
        << QStringList{u"--heartbeat-ms"_s, u"15s"_s} << u"--heartbeat-ms"_s;
    QTest::newRow("log format") << QStringList{u"--log-format"_s, u"xml"_s} << u"--log-format"_s;
    QTest::newRow("log format case")
        << QStringList{u"--log-format"_s, u"JSON"_s} << u"--log-format"_s;
    QTest::newRow("unknown flag") << QStringList{u"--frobnicate"_s} << u"frobnicate"_s;
    QTest::newRow("unknown short flag") << QStringList{u"-z"_s} << u"'z'"_s;
    QTest::newRow("positional argument") << QStringList{u"serve"_s} << u"serve"_s;
    QTest::newRow("positional after flags")
        << QStringList{u"--port"_s, u"1"_s, u"extra"_s} << u"extra"_s;
    QTest::newRow("host name") << QStringList{u"--host"_s, u"example.com"_s} << u"--host"_s;
    QTest::newRow("host garbage") << QStringList{u"--host"_s, u"999.1.1.1"_s} << u"--host"_s;
    QTest::newRow("missing config file")
        << QStringList{u"--config"_s, u"/nonexistent/heartline.json"_s}
        << u"/nonexistent/heartline.json"_s;
}

void tst_LaunchOptions::badArgumentsFailNamingTheProblem()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, named);

    const LaunchOptions options = parse(arguments);
    QVERIFY2(options.action == Action::Fail, qPrintable(describe(options)));
    QVERIFY2(options.error.contains(named), qPrintable(options.error));
    QVERIFY2(!options.error.contains(u'\n'), qPrintable(options.error)); // one line on stderr
}

void tst_LaunchOptions::helpAndVersionAreActions_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<Action>("action");

    QTest::newRow("--help") << QStringList{u"--help"_s} << Action::ShowHelp;
    QTest::newRow("-h") << QStringList{u"-h"_s} << Action::ShowHelp;
    QTest::newRow("--help with other flags")
        << QStringList{u"--port"_s, u"1"_s, u"--help"_s} << Action::ShowHelp;
    QTest::newRow("--version") << QStringList{u"--version"_s} << Action::ShowVersion;
    QTest::newRow("-v") << QStringList{u"-v"_s} << Action::ShowVersion;
}

void tst_LaunchOptions::helpAndVersionAreActions()
{
    QFETCH(QStringList, arguments);
    QFETCH(Action, action);

    const LaunchOptions options = parse(arguments);
    QVERIFY2(options.action == action, qPrintable(describe(options)));
    QVERIFY(options.error.isEmpty());
}

void tst_LaunchOptions::helpDocumentsEveryFlag()
{
    const QString help = parse({u"--help"_s}).helpText;
    // DESIGN.md, "Contracts": `heartline --help` documents all of them.
    for (const QString &flag : {u"--headless"_s, u"--host"_s, u"--port"_s, u"--heartbeat-ms"_s,
                                u"--config"_s, u"--token"_s, u"--log-format"_s, u"--conformance"_s,
                                u"HEARTLINE_TOKEN"_s, u"--help"_s, u"--version"_s}) {
        QVERIFY2(help.contains(flag), qPrintable(flag));
    }
}

void tst_LaunchOptions::tokenComesFromEnvironmentAndTheFlagWins_data()
{
    QTest::addColumn<QByteArray>("config"); // empty: no --config
    QTest::addColumn<QString>("environment");
    QTest::addColumn<bool>("environmentSet");
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("token");

    QTest::newRow("nothing") << QByteArray() << QString() << false << QStringList() << QString();
    QTest::newRow("environment") << QByteArray() << u"from-env"_s << true << QStringList()
                                 << u"from-env"_s;
    QTest::newRow("flag") << QByteArray() << QString() << false
                          << QStringList{u"--token"_s, u"from-flag"_s} << u"from-flag"_s;
    QTest::newRow("flag wins over environment")
        << QByteArray() << u"from-env"_s << true << QStringList{u"--token"_s, u"from-flag"_s}
        << u"from-flag"_s;
    QTest::newRow("config file") << QByteArray(R"({"token": "from-file"})") << QString() << false
                                 << QStringList() << u"from-file"_s;
    QTest::newRow("environment wins over config file")
        << QByteArray(R"({"token": "from-file"})") << u"from-env"_s << true << QStringList()
        << u"from-env"_s;
    QTest::newRow("flag wins over everything")
        << QByteArray(R"({"token": "from-file"})") << u"from-env"_s << true
        << QStringList{u"--token"_s, u"from-flag"_s} << u"from-flag"_s;
    QTest::newRow("empty environment does not clear the config file's token")
        << QByteArray(R"({"token": "from-file"})") << QString() << true << QStringList()
        << u"from-file"_s;
}

void tst_LaunchOptions::tokenComesFromEnvironmentAndTheFlagWins()
{
    QFETCH(QByteArray, config);
    QFETCH(QString, environment);
    QFETCH(bool, environmentSet);
    QFETCH(QStringList, arguments);
    QFETCH(QString, token);

    if (!config.isEmpty()) {
        const QString path = writeConfig(config);
        QVERIFY(!path.isEmpty());
        arguments += {u"--config"_s, path};
    }
    const LaunchOptions options = parse(arguments, environmentWith(environment, environmentSet));
    QVERIFY2(options.action == Action::Run, qPrintable(describe(options)));
    QCOMPARE(options.config.token, token);
}

void tst_LaunchOptions::configFileIsLoaded()
{
    const QString path = writeConfig(R"({
        "host": "::1",
        "port": 0,
        "heartbeatMs": 20000,
        "token": "file-token",
        "logFormat": "json",
        "sessionIdleTimeoutMs": 60000,
        "postGraceMs": 75,
        "allowedOrigins": ["https://app.example.com", "http://tools.example:8080"],
        "allowedHosts": ["mybox.lan"],
        "toolsPageSize": 7
    })");
    QVERIFY(!path.isEmpty());

    const LaunchOptions options = parse({u"--config"_s, path});
    QVERIFY2(options.action == Action::Run, qPrintable(describe(options)));
    QCOMPARE(options.config.host, u"::1"_s);
    QCOMPARE(options.config.port, quint16(0));
    QCOMPARE(options.config.heartbeatMs, 20000);
    QCOMPARE(options.config.token, u"file-token"_s);
    QCOMPARE(options.logFormat, HeadlessLog::Format::Json);
    QCOMPARE(options.config.sessionIdleTimeoutMs, 60000);
    QCOMPARE(options.config.postGraceMs, 75);
    QCOMPARE(options.config.allowedOrigins,
             (QStringList{u"https://app.example.com"_s, u"http://tools.example:8080"_s}));
    QCOMPARE(options.config.allowedHosts, QStringList{u"mybox.lan"_s});
    QCOMPARE(options.config.toolsPageSize, 7);
}

void tst_LaunchOptions::flagsOverrideTheConfigFile()
{
    const QString path = writeConfig(
        R"({"host": "::1", "port": 9100, "heartbeatMs": 20000, "logFormat": "json",
            "postGraceMs": 75})");
    QVERIFY(!path.isEmpty());

    // The flags may come before --config: precedence does not depend on the order.
    const LaunchOptions options =
        parse({u"--port"_s, u"9200"_s, u"--host"_s, u"127.0.0.1"_s, u"--heartbeat-ms"_s, u"30"_s,
               u"--log-format"_s, u"text"_s, u"--config"_s, path});
    QVERIFY2(options.action == Action::Run, qPrintable(describe(options)));
    QCOMPARE(options.config.host, u"127.0.0.1"_s);
    QCOMPARE(options.config.port, quint16(9200));
    QCOMPARE(options.config.heartbeatMs, 30);
    QCOMPARE(options.logFormat, HeadlessLog::Format::Text);
    QCOMPARE(options.config.postGraceMs, 75); // no flag for it: the file's value stays
}

void tst_LaunchOptions::badConfigFileFailsNamingTheProblem_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("named");

    QTest::newRow("unknown key") << QByteArray(R"({"prot": 8650})") << u"\"prot\""_s;
    QTest::newRow("port as a string") << QByteArray(R"({"port": "8650"})") << u"\"port\""_s;
    QTest::newRow("port fraction") << QByteArray(R"({"port": 8650.5})") << u"\"port\""_s;
    QTest::newRow("port too big") << QByteArray(R"({"port": 70000})") << u"\"port\""_s;
    QTest::newRow("port as a boolean") << QByteArray(R"({"port": true})") << u"\"port\""_s;
    QTest::newRow("heartbeat negative")
        << QByteArray(R"({"heartbeatMs": -1})") << u"\"heartbeatMs\""_s;
    QTest::newRow("heartbeat null")
        << QByteArray(R"({"heartbeatMs": null})") << u"\"heartbeatMs\""_s;
    QTest::newRow("page size zero")
        << QByteArray(R"({"toolsPageSize": 0})") << u"\"toolsPageSize\""_s;
    QTest::newRow("grace too long")
        << QByteArray(R"({"postGraceMs": 600000})") << u"\"postGraceMs\""_s;
    QTest::newRow("log format unknown")
        << QByteArray(R"({"logFormat": "xml"})") << u"\"logFormat\""_s;
    QTest::newRow("log format number") << QByteArray(R"({"logFormat": 1})") << u"\"logFormat\""_s;
    QTest::newRow("host as a number") << QByteArray(R"({"host": 2130706433})") << u"\"host\""_s;
    QTest::newRow("token as a number") << QByteArray(R"({"token": 42})") << u"\"token\""_s;
    QTest::newRow("token as a list") << QByteArray(R"({"token": ["a"]})") << u"\"token\""_s;
    QTest::newRow("origins as a string")
        << QByteArray(R"({"allowedOrigins": "https://app.example.com"})")
        << u"\"allowedOrigins\""_s;
    QTest::newRow("origins with a number")
        << QByteArray(R"({"allowedOrigins": [1]})") << u"\"allowedOrigins\""_s;
    QTest::newRow("hosts as an object")
        << QByteArray(R"({"allowedHosts": {"a": 1}})") << u"\"allowedHosts\""_s;
    QTest::newRow("not JSON") << QByteArray("port = 8650") << u"JSON"_s;
    QTest::newRow("a list") << QByteArray("[]") << u"JSON object"_s;
    QTest::newRow("empty file") << QByteArray() << u"JSON"_s;
    QTest::newRow("non-loopback host without token")
        << QByteArray(R"({"host": "0.0.0.0"})") << u"token"_s;
}

void tst_LaunchOptions::badConfigFileFailsNamingTheProblem()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, named);

    const QString path = writeConfig(json);
    QVERIFY(!path.isEmpty());
    const LaunchOptions options = parse({u"--config"_s, path});
    QVERIFY2(options.action == Action::Fail, qPrintable(describe(options)));
    QVERIFY2(options.error.contains(named), qPrintable(options.error));
    QVERIFY2(!options.error.contains(u'\n'), qPrintable(options.error));
}

void tst_LaunchOptions::sampleConfigFileLoads()
{
    // The file shipped in resources/ must keep working with the parser it documents.
    const LaunchOptions options = parse({u"--config"_s, QStringLiteral(HEARTLINE_SAMPLE_CONFIG)});
    QVERIFY2(options.action == Action::Run, qPrintable(describe(options)));
}

void tst_LaunchOptions::notJsonIsReportedAtLineAndColumn_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("where"); // ":LINE:COLUMN: reason" after the path

    QTest::newRow("missing comma") << QByteArray("{\n  \"port\": 8650\n  \"heartbeatMs\": 20000\n}")
                                   << u":3:3: missing comma"_s;
    QTest::newRow("missing colon")
        << QByteArray("{\n  \"port\" 8650\n}") << u":2:10: missing colon"_s;
    QTest::newRow("trailing comma in mcpServers")
        << QByteArray("{\"mcpServers\": {\n  \"a\": {\"command\": \"npx\"},\n}}") << u":3:1: "_s;
    QTest::newRow("column counts characters, not bytes")
        << QByteArray("{\"description\": \"caf\xc3\xa9\" \"port\": 1}")
        << u":1:24: missing comma"_s;
    QTest::newRow("no closing brace")
        << QByteArray("{\n  \"port\": 1\n") << u":2:12: unterminated object"_s;
    QTest::newRow("empty file") << QByteArray() << u":1:1: "_s;
}

void tst_LaunchOptions::notJsonIsReportedAtLineAndColumn()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, where);

    const QString path = writeConfig(json);
    const LaunchOptions options = parse({u"--config"_s, path});
    QVERIFY2(options.action == Action::Fail, qPrintable(describe(options)));
    QVERIFY2(options.error.startsWith(path + where), qPrintable(options.error));
    QVERIFY2(!options.error.contains(u'\n'), qPrintable(options.error));
}

void tst_LaunchOptions::mcpServersAreReadInFileOrder()
{
    QProcessEnvironment environment = environmentWith();
    environment.insert(u"NOTES_DIR"_s, u"/srv/notes"_s);
    const QString path = writeConfig(R"({
      "port": 9100,
      "mcpServers": {
        "notes": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem",
                                             "${NOTES_DIR}"]},
        "api": {"type": "http", "url": "https://api.example.com/mcp", "enabled": false}
      },
      "commandTools": {}
    })");
    const LaunchOptions options = parse({u"--config"_s, path}, environment);
    QVERIFY2(options.action == Action::Run, qPrintable(describe(options)));
    QCOMPARE(options.config.port, quint16(9100));
    QCOMPARE(options.configPath, path);
    QCOMPARE(options.upstreamServers.size(), 2);
    QCOMPARE(options.upstreamServers.at(0).name, u"notes"_s);
    QCOMPARE(options.upstreamServers.at(0).args.last(), u"/srv/notes"_s);
    QCOMPARE(options.upstreamServers.at(1).name, u"api"_s);
    QCOMPARE(options.upstreamServers.at(1).transport,
             UpstreamServerConfig::Transport::StreamableHttp);
    QCOMPARE(options.upstreamServers.at(1).enabled, false);
}

void tst_LaunchOptions::aBadServerEntryDoesNotFailTheStart()
{
    const QString path = writeConfig(R"({"mcpServers": {
        "github": {"command": "npx", "env": {"TOKEN": "${GITHUB_TOKEN}"}},
        "fine": {"command": "uvx", "args": ["mcp-server-fetch"]}}})");
    const LaunchOptions options = parse({u"--config"_s, path});
    QVERIFY2(options.action == Action::Run, qPrintable(describe(options)));
    QCOMPARE(options.upstreamServers.size(), 2);
    QVERIFY2(options.upstreamServers.at(0).problem.startsWith(
                 u"mcpServers.github.env.TOKEN: variable GITHUB_TOKEN is not set"_s),
             qPrintable(options.upstreamServers.at(0).problem));
    QCOMPARE(options.upstreamServers.at(1).problem, QString());
}

void tst_LaunchOptions::commandToolsAndMcpServersMustBeObjects_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<bool>("loads");
    QTest::newRow("an object")
        << QByteArray(R"({"commandTools": {"date": {"command": "date"}}})") << true;
    QTest::newRow("an array") << QByteArray(R"({"commandTools": []})") << false;
    QTest::newRow("mcpServers an array") << QByteArray(R"({"mcpServers": []})") << false;
}

void tst_LaunchOptions::commandToolsAndMcpServersMustBeObjects()
{
    QFETCH(QByteArray, json);
    QFETCH(bool, loads);
    const LaunchOptions options = parse({u"--config"_s, writeConfig(json)});
    QCOMPARE(options.action == Action::Run, loads);
    if (!loads)
        QVERIFY2(options.error.contains(u": must be an object"_s), qPrintable(options.error));
    QVERIFY(options.upstreamServers.isEmpty());
    QCOMPARE(options.commandTools.size(), json.contains("date") ? 1 : 0);
    if (!options.commandTools.isEmpty()) {
        QCOMPARE(options.commandTools.first().name, u"date"_s);
        QCOMPARE(options.commandTools.first().command, u"date"_s);
        QCOMPARE(options.commandTools.first().problem, QString());
    }
}

void tst_LaunchOptions::defaultFileIsReadWhenItExists_data()
{
    QTest::addColumn<bool>("viaXdg"); // XDG_CONFIG_HOME set, or only HOME
    QTest::newRow("XDG_CONFIG_HOME") << true;
    QTest::newRow("HOME/.config") << false;
}

void tst_LaunchOptions::defaultFileIsReadWhenItExists()
{
    QFETCH(bool, viaXdg);
    const QString root = m_dir.filePath(u"default-%1"_s.arg(++m_files));
    const QString folder = viaXdg ? root + u"/xdg"_s : root + u"/.config"_s;
    QVERIFY(QDir().mkpath(folder + u"/heartline"_s));
    QFile file(folder + u"/heartline/heartline.json"_s);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(R"({"heartbeatMs": 4000, "mcpServers": {"m": {"command": "npx"}}})");
    file.close();

    QProcessEnvironment environment = environmentWith();
    environment.insert(u"HOME"_s, viaXdg ? u"/nonexistent"_s : root);
    if (viaXdg)
        environment.insert(u"XDG_CONFIG_HOME"_s, folder);
    const LaunchOptions options = parse({u"--headless"_s}, environment);
    QVERIFY2(options.action == Action::Run, qPrintable(describe(options)));
    QCOMPARE(options.configPath, file.fileName());
    QCOMPARE(options.config.heartbeatMs, 4000);
    QCOMPARE(options.upstreamServers.size(), 1);
    // Only --config makes the file decide alone over what the window saved.
    QVERIFY(!options.configFileGiven);

    // --config wins over the default file.
    const QString given = writeConfig(R"({"heartbeatMs": 5000})");
    const LaunchOptions explicitFile = parse({u"--config"_s, given}, environment);
    QCOMPARE(explicitFile.config.heartbeatMs, 5000);
    QVERIFY(explicitFile.upstreamServers.isEmpty());
    QCOMPARE(explicitFile.configPath, given);
}

void tst_LaunchOptions::missingDefaultFileMeansBuiltInDefaults()
{
    QProcessEnvironment environment = environmentWith();
    environment.insert(u"XDG_CONFIG_HOME"_s, m_dir.filePath(u"no-such-folder"_s));
    const LaunchOptions options = parse({}, environment);
    QVERIFY2(options.action == Action::Run, qPrintable(describe(options)));
    QCOMPARE(options.config.heartbeatMs, 15000);
    QVERIFY(options.upstreamServers.isEmpty());
    // Still the path to watch: creating the file later is a change like any other.
    QCOMPARE(options.configPath, m_dir.filePath(u"no-such-folder/heartline/heartline.json"_s));
}

void tst_LaunchOptions::nonLoopbackHostNeedsAToken_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("environmentToken");
    QTest::addColumn<Action>("action");

    QTest::newRow("any IPv4, no token")
        << QStringList{u"--host"_s, u"0.0.0.0"_s} << QString() << Action::Fail;
    QTest::newRow("any IPv6, no token")
        << QStringList{u"--host"_s, u"::"_s} << QString() << Action::Fail;
    QTest::newRow("LAN address, no token")
        << QStringList{u"--host"_s, u"192.168.1.5"_s} << QString() << Action::Fail;
    QTest::newRow("LAN address, empty token")
        << QStringList{u"--host"_s, u"192.168.1.5"_s, u"--token"_s, QString()} << QString()
        << Action::Fail;
    QTest::newRow("any IPv4, --token")
        << QStringList{u"--host"_s, u"0.0.0.0"_s, u"--token"_s, u"t"_s} << QString() << Action::Run;
    QTest::newRow("LAN address, environment token")
        << QStringList{u"--host"_s, u"192.168.1.5"_s} << u"t"_s << Action::Run;
    QTest::newRow("loopback, no token")
        << QStringList{u"--host"_s, u"127.0.0.1"_s} << QString() << Action::Run;
    QTest::newRow("other 127/8, no token")
        << QStringList{u"--host"_s, u"127.0.0.2"_s} << QString() << Action::Run;
    QTest::newRow("::1, no token")
        << QStringList{u"--host"_s, u"::1"_s} << QString() << Action::Run;
    QTest::newRow("localhost, no token")
        << QStringList{u"--host"_s, u"localhost"_s} << QString() << Action::Run;
}

void tst_LaunchOptions::nonLoopbackHostNeedsAToken()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, environmentToken);
    QFETCH(Action, action);

    const LaunchOptions options = parse(arguments, environmentWith(environmentToken));
    QVERIFY2(options.action == action, qPrintable(describe(options)));
    if (action == Action::Fail)
        QVERIFY2(options.error.contains(u"token"_s), qPrintable(options.error));
}

void tst_LaunchOptions::headlessWithoutDisplayOrWhenAsked_data()
{
    QTest::addColumn<bool>("hasDisplay");
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<bool>("headless");

    QTest::newRow("display") << true << QStringList() << false;
    QTest::newRow("no display") << false << QStringList() << true;
    QTest::newRow("display, --headless") << true << QStringList{u"--headless"_s} << true;
    QTest::newRow("no display, --headless") << false << QStringList{u"--headless"_s} << true;
}

void tst_LaunchOptions::headlessWithoutDisplayOrWhenAsked()
{
    QFETCH(bool, hasDisplay);
    QFETCH(QStringList, arguments);
    QFETCH(bool, headless);

    const LaunchOptions options = parse(arguments, environmentWith(), hasDisplay);
    QVERIFY2(options.action == Action::Run, qPrintable(describe(options)));
    QCOMPARE(options.headless, headless);
}

HEARTLINE_SERVER_TEST_MAIN(tst_LaunchOptions)
#include "tst_launchoptions.moc"
