// The real heartline binary, started as a user or a service manager would: its command-line
// contract (DESIGN.md, "Contracts"), the `listening:` line, serving on the port it prints,
// graceful SIGTERM, start-up errors, and `heartline ctl` against a running instance.

#include "server/api/version.h"
#include "tests/support/mcptestsupport.h"
#include "tests/support/rawhttpclient.h"
#include "tests/support/servertestmain.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QProcess>
#include <QRegularExpression>
#include <QSaveFile>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <memory>
#include <vector>

using namespace Qt::StringLiterals;
using namespace heartline::testing;

namespace {

constexpr int kStartMs = 10000;
constexpr int kExitMs = 5000;

bool finished(const QProcess &process)
{
    return process.state() == QProcess::NotRunning;
}

// One line: the whole of `text` but its final newline.
bool isOneLine(const QByteArray &text)
{
    const QByteArray trimmed = text.trimmed();
    return !trimmed.isEmpty() && !trimmed.contains('\n');
}

bool writeText(const QString &path, const QByteArray &text)
{
    // As editors save: a new file renamed over the old one.
    QSaveFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(text) == text.size() && file.commit();
}

} // namespace

class tst_Cli final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanup();

    void versionPrintsTheVersion();
    void helpListsEveryFlag();
    void badCommandLineFailsWithOneLine_data();
    void badCommandLineFailsWithOneLine();
    void headlessPrintsListeningLineAndServesThatPort();
    void withoutDisplayItRunsHeadless();
    void sigtermEndsStreamsAndExitsZero();
    void sigtermRightAfterListeningLineExitsZeroInGuiMode();
    void jsonLogFormatPrintsOneObjectPerLine();
    void secondInstanceOnTheSamePortFails();
    void ctlDisablesAToolOfTheRunningInstance();
    void ctlWithoutARunningInstanceFails();
    void configFileChangesApplyLive();
    void defaultConfigFileIsReadAndWatched();
    void ctlServersListShowsTheRunningInstancesServers();
    void ctlServersAddWritesTheFileAndRefusesADuplicate();
    void ctlServersAddIsPickedUpByTheRunningInstance();

private:
    QProcessEnvironment environment() const;
    QProcess *start(const QStringList &arguments);
    QProcess *start(const QStringList &arguments, const QProcessEnvironment &environment);
    // `heartline ctl --port PORT servers list` until a line of it matches `row` or time is up.
    bool waitForServersRow(quint16 port, const QRegularExpression &row, QByteArray *lastOut);
    // Runs heartline to its end; false if it did not end in time.
    bool run(const QStringList &arguments, int *exitCode, QByteArray *out, QByteArray *err);
    // Starts `heartline --headless --port 0 ...` and reads the port off its first line.
    QProcess *startHeadless(const QStringList &extra, quint16 *port, QString *error);
    QProcess *startHeadless(const QStringList &extra, const QProcessEnvironment &environment,
                            quint16 *port, QString *error);

    QTemporaryDir m_runtimeDir;
    std::vector<std::unique_ptr<QProcess>> m_processes;
};

void tst_Cli::initTestCase()
{
    QVERIFY2(QFileInfo(QStringLiteral(HEARTLINE_BINARY)).isExecutable(), HEARTLINE_BINARY);
    // The control sockets go here (user-only, as QStandardPaths wants a runtime dir), so
    // these tests never meet a Heartline the user is running.
    QVERIFY(m_runtimeDir.isValid());
}

void tst_Cli::cleanup()
{
    for (const auto &process : m_processes) {
        if (!finished(*process)) {
            process->kill();
            waitUntil([&process]() { return finished(*process); }, kExitMs);
        }
    }
    m_processes.clear();
}

QProcessEnvironment tst_Cli::environment() const
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    // No display: the binary must pick headless by itself where it has to.
    for (const QString &name :
         {u"DISPLAY"_s, u"WAYLAND_DISPLAY"_s, u"QT_QPA_PLATFORM"_s, u"HEARTLINE_TOKEN"_s})
        environment.remove(name);
    environment.insert(u"XDG_RUNTIME_DIR"_s, m_runtimeDir.path());
    // Nor the user's own default config file (~/.config/heartline/heartline.json).
    environment.insert(u"XDG_CONFIG_HOME"_s, m_runtimeDir.filePath(u"config"_s));
    return environment;
}

QProcess *tst_Cli::start(const QStringList &arguments)
{
    return start(arguments, environment());
}

QProcess *tst_Cli::start(const QStringList &arguments, const QProcessEnvironment &environment)
{
    auto process = std::make_unique<QProcess>();
    process->setProgram(QStringLiteral(HEARTLINE_BINARY));
    process->setArguments(arguments);
    process->setProcessEnvironment(environment);
    process->start();
    m_processes.push_back(std::move(process));
    return m_processes.back().get();
}

bool tst_Cli::run(const QStringList &arguments, int *exitCode, QByteArray *out, QByteArray *err)
{
    QProcess *process = start(arguments);
    const bool ended = waitUntil([process]() { return finished(*process); }, kExitMs);
    *out = process->readAllStandardOutput();
    *err = process->readAllStandardError();
    *exitCode = process->exitStatus() == QProcess::NormalExit ? process->exitCode() : -1;
    return ended;
}

QProcess *tst_Cli::startHeadless(const QStringList &extra, quint16 *port, QString *error)
{
    return startHeadless(extra, environment(), port, error);
}

QProcess *tst_Cli::startHeadless(const QStringList &extra, const QProcessEnvironment &environment,
                                 quint16 *port, QString *error)
{
    QProcess *process =
        start(QStringList{u"--headless"_s, u"--port"_s, u"0"_s} + extra, environment);
    if (!waitUntil([process]() { return process->canReadLine() || finished(*process); }, kStartMs)
        || !process->canReadLine()) {
        *error = u"no first line on stdout; stderr: "_s
                 + QString::fromLocal8Bit(process->readAllStandardError());
        return nullptr;
    }
    const QString line = QString::fromUtf8(process->readLine()).chopped(1);
    static const QRegularExpression listening(u"^listening: http://127\\.0\\.0\\.1:(\\d+)$"_s);
    const QRegularExpressionMatch match = listening.match(line);
    if (!match.hasMatch()) {
        *error = u"the first stdout line is not the listening line: '%1'"_s.arg(line);
        return nullptr;
    }
    *port = quint16(match.captured(1).toUInt());
    if (*port == 0) {
        *error = u"listening on port 0: "_s + line;
        return nullptr;
    }
    return process;
}

void tst_Cli::versionPrintsTheVersion()
{
    int exitCode = -1;
    QByteArray out, err;
    QVERIFY(run({u"--version"_s}, &exitCode, &out, &err));
    QCOMPARE(exitCode, 0);
    QVERIFY2(out.contains(HEARTLINE_VERSION), out.constData());
    QVERIFY2(err.isEmpty(), err.constData());
}

void tst_Cli::helpListsEveryFlag()
{
    int exitCode = -1;
    QByteArray out, err;
    QVERIFY(run({u"--help"_s}, &exitCode, &out, &err));
    QCOMPARE(exitCode, 0);
    for (const char *flag :
         {"--headless", "--host", "--port", "--heartbeat-ms", "--config", "--token",
          "HEARTLINE_TOKEN", "--log-format", "--conformance", "--help", "--version"})
        QVERIFY2(out.contains(flag),
                 qPrintable(u"--help does not mention %1:\n"_s.arg(QLatin1StringView(flag))
                            + QString::fromUtf8(out)));
}

void tst_Cli::badCommandLineFailsWithOneLine_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("mentions");

    QTest::newRow("unknown flag") << QStringList{u"--headless"_s, u"--frobnicate"_s}
                                  << u"frobnicate"_s;
    QTest::newRow("port not a number")
        << QStringList{u"--headless"_s, u"--port"_s, u"eighty"_s} << u"port"_s;
    QTest::newRow("port out of range")
        << QStringList{u"--headless"_s, u"--port"_s, u"70000"_s} << u"port"_s;
    QTest::newRow("port without value") << QStringList{u"--headless"_s, u"--port"_s} << u"port"_s;
    QTest::newRow("all interfaces without a token")
        << QStringList{u"--headless"_s, u"--port"_s, u"0"_s, u"--host"_s, u"0.0.0.0"_s}
        << u"token"_s;
}

void tst_Cli::badCommandLineFailsWithOneLine()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, mentions);
    int exitCode = 0;
    QByteArray out, err;
    QVERIFY2(run(arguments, &exitCode, &out, &err), "it did not exit; it is serving instead");
    QVERIFY(exitCode != 0);
    QVERIFY2(isOneLine(err), err.constData());
    QVERIFY2(QString::fromLocal8Bit(err).contains(mentions, Qt::CaseInsensitive), err.constData());
    QVERIFY2(!out.contains("listening:"), out.constData());
}

void tst_Cli::headlessPrintsListeningLineAndServesThatPort()
{
    quint16 port = 0;
    QString error;
    QProcess *process = startHeadless({}, &port, &error);
    QVERIFY2(process, qPrintable(error));

    RawHttpClient client(port);
    const HttpResponse health = client.request("GET", "/healthz");
    QVERIFY2(health.status == 200, qPrintable(health.describe()));
    QCOMPARE(health.jsonObject().value("status"_L1).toString(), u"ok"_s);

    const McpTestSession session = openSession(port);
    QVERIFY2(session.ok(), qPrintable(session.error));
    QVERIFY(!finished(*process));
}

void tst_Cli::withoutDisplayItRunsHeadless()
{
    // No --headless: with no DISPLAY, WAYLAND_DISPLAY or QT_QPA_PLATFORM it must not try to
    // open a window (which would abort), but serve exactly as --headless does.
    QProcess *process = start({u"--port"_s, u"0"_s});
    QVERIFY2(
        waitUntil([process]() { return process->canReadLine() || finished(*process); }, kStartMs)
            && process->canReadLine(),
        process->readAllStandardError().constData());
    static const QRegularExpression listening(u"^listening: http://127\\.0\\.0\\.1:(\\d+)\n$"_s);
    const QRegularExpressionMatch match = listening.match(QString::fromUtf8(process->readLine()));
    QVERIFY(match.hasMatch());

    RawHttpClient client(quint16(match.captured(1).toUInt()));
    QCOMPARE(client.request("GET", "/healthz").status, 200);
    process->terminate();
    QVERIFY(waitUntil([process]() { return finished(*process); }, kExitMs));
    QCOMPARE(process->exitStatus(), QProcess::NormalExit);
    QCOMPARE(process->exitCode(), 0);
}

void tst_Cli::sigtermEndsStreamsAndExitsZero()
{
    quint16 port = 0;
    QString error;
    QProcess *process = startHeadless({u"--heartbeat-ms"_s, u"50"_s}, &port, &error);
    QVERIFY2(process, qPrintable(error));

    const McpTestSession session = openSession(port);
    QVERIFY2(session.ok(), qPrintable(session.error));
    RawHttpClient stream(port);
    QVERIFY(stream.send("GET", "/mcp", session.get()));
    QVERIFY(stream.waitForHead());
    QVERIFY2(stream.response().status == 200, qPrintable(stream.response().describe()));
    QVERIFY(stream.waitForSse([](const QList<SseItem> &items) {
        return std::any_of(items.cbegin(), items.cend(),
                           [](const SseItem &item) { return item.isHeartbeat(); });
    }));

    process->terminate(); // SIGTERM
    QVERIFY2(waitUntil([process]() { return finished(*process); }, kExitMs),
             "still running 5 s after SIGTERM");
    QCOMPARE(process->exitStatus(), QProcess::NormalExit);
    QCOMPARE(process->exitCode(), 0);

    // The stream was ended, not cut: the chunked body reached its terminator.
    QVERIFY2(stream.waitForComplete(1000), qPrintable(stream.response().describe()));
    const QByteArray log = process->readAllStandardOutput();
    QVERIFY2(log.contains("server_shutdown"), log.constData());
}

void tst_Cli::sigtermRightAfterListeningLineExitsZeroInGuiMode()
{
    // The window is built after the `listening:` line is printed; whoever reads the line may
    // send SIGTERM at once, while it is being built, and that must still be a graceful
    // shutdown. It was a race, so it runs several times.
    QProcessEnvironment gui = environment();
    gui.insert(u"QT_QPA_PLATFORM"_s, u"offscreen"_s);
    static const QRegularExpression listening(u"^listening: http://127\\.0\\.0\\.1:\\d+\n$"_s);
    for (int round = 1; round <= 5; ++round) {
        const QByteArray where = "round " + QByteArray::number(round) + ": ";
        QProcess *process = start({u"--port"_s, u"0"_s}, gui);
        QVERIFY2(waitUntil([process]() { return process->canReadLine() || finished(*process); },
                           kStartMs)
                     && process->canReadLine(),
                 QByteArray(where + process->readAllStandardError()).constData());
        const QByteArray line = process->readLine();
        process->terminate();
        QVERIFY2(listening.match(QString::fromUtf8(line)).hasMatch(),
                 QByteArray(where + line).constData());

        QVERIFY2(waitUntil([process]() { return finished(*process); }, kExitMs),
                 QByteArray(where + "still running 5 s after SIGTERM").constData());
        QVERIFY2(
            process->exitStatus() == QProcess::NormalExit,
            QByteArray(where + "killed by the signal; stderr: " + process->readAllStandardError())
                .constData());
        QVERIFY2(process->exitCode() == 0,
                 QByteArray(where + "exit code " + QByteArray::number(process->exitCode())
                            + "; stderr: " + process->readAllStandardError())
                     .constData());
    }
}

void tst_Cli::jsonLogFormatPrintsOneObjectPerLine()
{
    quint16 port = 0;
    QString error;
    QProcess *process =
        startHeadless({u"--log-format"_s, u"json"_s, u"--heartbeat-ms"_s, u"50"_s}, &port, &error);
    QVERIFY2(process, qPrintable(error));

    // Traffic that makes the log speak: a session from a client whose name tries to start a
    // log line of its own, a tool call, a stream with heartbeats, and the shutdown.
    const QString clientName = u"evil\"\\\r\n2026-01-01T00:00:00.000Z session_closed x=1"_s;
    const QByteArray initialize = requestBody(
        0, u"initialize"_s,
        {{"protocolVersion"_L1, QString::fromLatin1(kLatestRevision)},
         {"capabilities"_L1, QJsonObject{}},
         {"clientInfo"_L1, QJsonObject{{"name"_L1, clientName}, {"version"_L1, "1"_L1}}}});
    const HttpResponse opened = postOnce(port, postHeaders(), initialize);
    QVERIFY2(opened.status == 200, qPrintable(opened.describe()));
    McpTestSession session;
    session.id = opened.header("Mcp-Session-Id");
    session.revision = kLatestRevision;
    QCOMPARE(
        postOnce(port, session.post(), notificationBody(u"notifications/initialized"_s)).status,
        202);
    const HttpResponse echoed =
        postOnce(port, session.post(), toolCallBody(1, u"echo"_s, {{"message"_L1, "hi"_L1}}));
    QVERIFY2(echoed.status == 200, qPrintable(echoed.describe()));
    RawHttpClient stream(port);
    QVERIFY(stream.send("GET", "/mcp", session.get()));
    QVERIFY(stream.waitForSse([](const QList<SseItem> &items) {
        return std::any_of(items.cbegin(), items.cend(),
                           [](const SseItem &item) { return item.isHeartbeat(); });
    }));

    process->terminate();
    QVERIFY2(waitUntil([process]() { return finished(*process); }, kExitMs),
             "still running 5 s after SIGTERM");
    QCOMPARE(process->exitCode(), 0);

    const QByteArray out = process->readAllStandardOutput();
    QVERIFY2(out.endsWith('\n'), out.constData());
    const QList<QByteArray> lines = out.chopped(1).split('\n');
    QSet<QString> events;
    bool clientNameSeen = false;
    for (const QByteArray &line : lines) {
        QJsonParseError parseError;
        const QJsonDocument document = QJsonDocument::fromJson(line, &parseError);
        QVERIFY2(parseError.error == QJsonParseError::NoError && document.isObject(),
                 qPrintable(u"not a JSON object (%1): %2"_s.arg(parseError.errorString(),
                                                                QString::fromUtf8(line))));
        const QJsonObject object = document.object();
        QVERIFY2(object.value("event"_L1).isString(), line.constData());
        QVERIFY2(object.value("time"_L1).isString(), line.constData());
        events.insert(object.value("event"_L1).toString());
        clientNameSeen = clientNameSeen || object.value("client"_L1).toString() == clientName;
    }
    for (const QString &expected :
         {u"session_opened"_s, u"message_in"_s, u"message_out"_s, u"heartbeat"_s, u"disconnect"_s})
        QVERIFY2(events.contains(expected),
                 qPrintable(expected + u" missing from:\n"_s + QString::fromUtf8(out)));
    QVERIFY2(clientNameSeen, out.constData());
}

void tst_Cli::secondInstanceOnTheSamePortFails()
{
    quint16 port = 0;
    QString error;
    QProcess *first = startHeadless({}, &port, &error);
    QVERIFY2(first, qPrintable(error));

    int exitCode = 0;
    QByteArray out, err;
    QVERIFY2(run({u"--headless"_s, u"--port"_s, QString::number(port)}, &exitCode, &out, &err),
             "the second instance did not exit");
    QVERIFY(exitCode != 0);
    QVERIFY2(isOneLine(err), err.constData());
    QVERIFY2(err.contains(QByteArray::number(port)), err.constData());
    QVERIFY2(!out.contains("listening:"), out.constData());

    // The first one is unaffected.
    RawHttpClient client(port);
    QCOMPARE(client.request("GET", "/healthz").status, 200);
    QVERIFY(!finished(*first));
}

void tst_Cli::ctlDisablesAToolOfTheRunningInstance()
{
    quint16 port = 0;
    QString error;
    QProcess *server = startHeadless({}, &port, &error);
    QVERIFY2(server, qPrintable(error));
    const McpTestSession session = openSession(port);
    QVERIFY2(session.ok(), qPrintable(session.error));
    QStringList names = listToolNames(port, session, &error);
    QVERIFY2(names.contains(u"echo"_s), qPrintable(error + names.join(u", "_s)));

    int exitCode = -1;
    QByteArray out, err;
    QVERIFY(run({u"ctl"_s, u"--port"_s, QString::number(port), u"tools"_s, u"disable"_s, u"echo"_s},
                &exitCode, &out, &err));
    QVERIFY2(exitCode == 0, err.constData());

    names = listToolNames(port, session, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QVERIFY2(!names.contains(u"echo"_s), qPrintable(names.join(u", "_s)));
    QVERIFY2(names.contains(u"sleep"_s), qPrintable(names.join(u", "_s)));

    QVERIFY(run({u"ctl"_s, u"--port"_s, QString::number(port), u"tools"_s, u"list"_s}, &exitCode,
                &out, &err));
    QCOMPARE(exitCode, 0);
    static const QRegularExpression echoDisabled(u"^echo\\s+disabled\\b"_s,
                                                 QRegularExpression::MultilineOption);
    QVERIFY2(echoDisabled.match(QString::fromUtf8(out)).hasMatch(), out.constData());
}

void tst_Cli::ctlWithoutARunningInstanceFails()
{
    int exitCode = 0;
    QByteArray out, err;
    QVERIFY(run({u"ctl"_s, u"--port"_s, u"1"_s, u"status"_s}, &exitCode, &out, &err));
    QVERIFY(exitCode != 0);
    static const QRegularExpression mentionsPort(u"\\bport 1\\b"_s);
    QVERIFY2(mentionsPort.match(QString::fromLocal8Bit(err)).hasMatch(), err.constData());
    QVERIFY2(isOneLine(err), err.constData());
    QVERIFY2(out.isEmpty(), out.constData());
}

// Editing the config file of a running Heartline: server settings apply live (here the token,
// which a client sees at once), a broken file is refused on stderr with its line and column
// and changes nothing, and the command line still wins over the file.
void tst_Cli::configFileChangesApplyLive()
{
    const QString path = m_runtimeDir.filePath(u"live.json"_s);
    QVERIFY(writeText(path, "{}"));
    quint16 port = 0;
    QString error;
    QProcess *process = startHeadless({u"--config"_s, path}, &port, &error);
    QVERIFY2(process, qPrintable(error));
    QVERIFY(openSession(port).ok());

    const RawHeaders bearer{{"Authorization", "Bearer from-the-file"}};
    QVERIFY(writeText(path, R"({"token": "from-the-file"})"));
    QVERIFY2(waitUntil([port]() { return !openSession(port).ok(); }, kStartMs),
             "the token written into the file was not applied");
    QVERIFY(openSession(port, kLatestRevision, true, bearer).ok());

    QByteArray err;
    QVERIFY(writeText(path, "{\n  \"token\": \"other\"\n  \"port\": 1\n}"));
    QVERIFY2(waitUntil(
                 [&]() {
                     err += process->readAllStandardError();
                     return err.contains(":3:3: missing comma");
                 },
                 kStartMs),
             err.constData());
    QVERIFY(err.contains(QFile::encodeName(path)));
    QVERIFY(openSession(port, kLatestRevision, true, bearer).ok()); // the running one stays
    QVERIFY(!finished(*process));
}

void tst_Cli::defaultConfigFileIsReadAndWatched()
{
    // No --config: $XDG_CONFIG_HOME/heartline/heartline.json, read at start and watched.
    QTemporaryDir home;
    QVERIFY(QDir().mkpath(home.filePath(u"heartline"_s)));
    const QString path = home.filePath(u"heartline/heartline.json"_s);
    QVERIFY(writeText(path, R"({"mcpServers": {"notes": {"command": "npx"}}})"));
    QProcessEnvironment withHome = environment();
    withHome.insert(u"XDG_CONFIG_HOME"_s, home.path());
    quint16 port = 0;
    QString error;
    // The flag's token outranks the one the file will set.
    QProcess *process = startHeadless({u"--token"_s, u"from-the-flag"_s}, withHome, &port, &error);
    QVERIFY2(process, qPrintable(error));
    const RawHeaders bearer{{"Authorization", "Bearer from-the-flag"}};
    QVERIFY(openSession(port, kLatestRevision, true, bearer).ok());

    QVERIFY(writeText(path, R"({"token": "from-the-file", "heartbeatMs": 1000})"));
    QByteArray err;
    QVERIFY2(waitUntil(
                 [&]() {
                     err += process->readAllStandardError();
                     return err.contains("config reloaded");
                 },
                 kStartMs),
             err.constData());
    QVERIFY(openSession(port, kLatestRevision, true, bearer).ok());
    QVERIFY(!finished(*process));
}

bool tst_Cli::waitForServersRow(quint16 port, const QRegularExpression &row, QByteArray *lastOut)
{
    return waitUntil(
        [&]() {
            int exitCode = -1;
            QByteArray err;
            return run({u"ctl"_s, u"--port"_s, QString::number(port), u"servers"_s, u"list"_s},
                       &exitCode, lastOut, &err)
                   && exitCode == 0 && row.match(QString::fromUtf8(*lastOut)).hasMatch();
        },
        kStartMs);
}

void tst_Cli::ctlServersListShowsTheRunningInstancesServers()
{
    const QString path = m_runtimeDir.filePath(u"servers.json"_s);
    const QJsonObject config{
        {"mcpServers"_L1,
         QJsonObject{{"fx"_L1, QJsonObject{{"command"_L1, QStringLiteral(HEARTLINE_MISBEHAVING_UPSTREAM)}}},
                     {"gone"_L1, QJsonObject{{"command"_L1, "heartline-no-such-command-xyz"_L1},
                                             {"restart"_L1, "never"_L1}}}}}};
    QVERIFY(writeText(path, QJsonDocument(config).toJson()));
    quint16 port = 0;
    QString error;
    QProcess *server = startHeadless({u"--config"_s, path}, &port, &error);
    QVERIFY2(server, qPrintable(error));

    // name, state, tools, restarts, last error: a table a person reads.
    QByteArray out;
    QVERIFY2(waitForServersRow(port, QRegularExpression(u"^fx\\s+ready\\s+8\\s+0\\s*$"_s,
                                                        QRegularExpression::MultilineOption),
                               &out),
             out.constData());
    QVERIFY2(QRegularExpression(u"^gone\\s+crashed\\s+0\\s+0\\s+.*not found in PATH="_s,
                                QRegularExpression::MultilineOption)
                 .match(QString::fromUtf8(out))
                 .hasMatch(),
             out.constData());

    // An action, and the exit status of one on a server that is not there.
    int exitCode = -1;
    QByteArray err;
    QVERIFY(run({u"ctl"_s, u"--port"_s, QString::number(port), u"servers"_s, u"restart"_s,
                 u"fx"_s},
                &exitCode, &out, &err));
    QVERIFY2(exitCode == 0, err.constData());
    QVERIFY(waitForServersRow(port, QRegularExpression(u"^fx\\s+ready\\s+8\\s+1\\s*$"_s,
                                                       QRegularExpression::MultilineOption),
                              &out));
    QVERIFY(run({u"ctl"_s, u"--port"_s, QString::number(port), u"servers"_s, u"stop"_s,
                 u"nope"_s},
                &exitCode, &out, &err));
    QCOMPARE(exitCode, 1);
    QVERIFY2(isOneLine(err) && err.contains("'nope'"), err.constData());
    QVERIFY(!finished(*server));

    // Headless, the file is trusted as the user's own: its programs ran without the approval
    // the window asks for, and the log said so once, naming them.
    const QByteArray log = server->readAllStandardError();
    QVERIFY2(log.count("headless: trusting ") == 1, log.constData());
    QVERIFY2(log.contains("; fx, gone start"), log.constData());
}

void tst_Cli::ctlServersAddWritesTheFileAndRefusesADuplicate()
{
    // No --config: the default file, which does not exist yet, is created for the user only.
    const QString path = m_runtimeDir.filePath(u"config/heartline/heartline.json"_s);
    QFile::remove(path);
    int exitCode = -1;
    QByteArray out, err;
    QVERIFY(run({u"ctl"_s, u"servers"_s, u"add"_s, u"notes"_s, u"--env"_s, u"NOTES_TOKEN=s3cret"_s,
                 u"--cwd"_s, u"/tmp"_s, u"--"_s, u"npx"_s, u"-y"_s, u"@x/notes"_s, u"--port"_s,
                 u"9"_s},
                &exitCode, &out, &err));
    QVERIFY2(exitCode == 0, err.constData());
    QVERIFY2(!out.contains("s3cret"), out.constData());
    QFile file(path);
    QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(path));
    QCOMPARE(file.permissions() & (QFile::ReadGroup | QFile::ReadOther), QFile::Permissions());
    const QJsonObject entry = QJsonDocument::fromJson(file.readAll())
                                  .object()
                                  .value("mcpServers"_L1)
                                  .toObject()
                                  .value("notes"_L1)
                                  .toObject();
    file.close();
    // Typed by the person: saved approved (a window does not ask about it again).
    QJsonObject written = entry;
    QVERIFY(written.take("approved"_L1).toString().startsWith(u"sha256:"_s));
    QCOMPARE(written,
             (QJsonObject{{"command"_L1, "npx"_L1},
                          {"args"_L1, QJsonArray{"-y"_L1, "@x/notes"_L1, "--port"_L1, "9"_L1}},
                          {"env"_L1, QJsonObject{{"NOTES_TOKEN"_L1, "s3cret"_L1}}},
                          {"cwd"_L1, "/tmp"_L1}}));

    const QByteArray before = [&path]() {
        QFile f(path);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    }();
    QVERIFY(run({u"ctl"_s, u"servers"_s, u"add"_s, u"notes"_s, u"--"_s, u"uvx"_s, u"other"_s},
                &exitCode, &out, &err));
    QCOMPARE(exitCode, 1);
    QVERIFY2(isOneLine(err) && err.contains("already"), err.constData());
    QVERIFY(run({u"ctl"_s, u"servers"_s, u"add"_s, u"bad name!"_s, u"--"_s, u"uvx"_s},
                &exitCode, &out, &err));
    QCOMPARE(exitCode, 1);
    QVERIFY2(isOneLine(err) && err.contains("name"), err.constData());
    QVERIFY(run({u"ctl"_s, u"servers"_s, u"add"_s, u"nocommand"_s}, &exitCode, &out, &err));
    QCOMPARE(exitCode, 2);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.readAll(), before); // nothing refused was written
}

void tst_Cli::ctlServersAddIsPickedUpByTheRunningInstance()
{
    const QString path = m_runtimeDir.filePath(u"added.json"_s);
    QVERIFY(writeText(path, R"({"heartbeatMs": 15000})"));
    quint16 port = 0;
    QString error;
    QProcess *server = startHeadless({u"--config"_s, path}, &port, &error);
    QVERIFY2(server, qPrintable(error));

    int exitCode = -1;
    QByteArray out, err;
    QVERIFY(run({u"ctl"_s, u"servers"_s, u"add"_s, u"fx"_s, u"--config"_s, path, u"--"_s,
                 QStringLiteral(HEARTLINE_MISBEHAVING_UPSTREAM)},
                &exitCode, &out, &err));
    QVERIFY2(exitCode == 0, err.constData());
    QVERIFY2(waitForServersRow(port, QRegularExpression(u"^fx\\s+ready\\s+8\\b"_s,
                                                        QRegularExpression::MultilineOption),
                               &out),
             out.constData());

    // Switched off by ctl: kept in the file, beside what was there.
    QVERIFY(run({u"ctl"_s, u"--port"_s, QString::number(port), u"servers"_s, u"disable"_s,
                 u"fx"_s},
                &exitCode, &out, &err));
    QVERIFY2(exitCode == 0, err.constData());
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QJsonObject root = QJsonDocument::fromJson(file.readAll()).object();
    QCOMPARE(root.value("heartbeatMs"_L1).toInt(), 15000);
    QCOMPARE(root.value("mcpServers"_L1).toObject().value("fx"_L1).toObject().value("enabled"_L1),
             QJsonValue(false));
    QVERIFY(waitForServersRow(port, QRegularExpression(u"^fx\\s+disabled\\b"_s,
                                                       QRegularExpression::MultilineOption),
                              &out));
    QVERIFY(!finished(*server));
}

HEARTLINE_SERVER_TEST_MAIN(tst_Cli)
#include "tst_cli.moc"
