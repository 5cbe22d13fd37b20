// The control of upstream servers against the real server and the misbehaving-upstream fixture
// as a real child: what `heartline ctl servers ...` and the window see (Control) and do (start,
// stop, restart, enable, disable, tool switches), what is kept in the config file, and what the
// control socket refuses.
#include "server/core/configdocument.h"
#include "server/core/control.h"
#include "server/core/controlserver.h"
#include "server/protocol/catalog/toolregistry.h"
#include "server/tools/upstream/upstreamconfigparser.h"
#include "server/tools/upstream/upstreamhost.h"
#include "tests/support/inprocessserver.h"
#include "tests/support/mcptestsupport.h"
#include "tests/support/processgroup.h"
#include "tests/support/servertestmain.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLocalSocket>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace heartline;
using namespace heartline::testing;

namespace {

constexpr int kReadyMs = 15000;

// The fixture's entry as a person would write it, with a secret in its environment.
QJsonObject fixtureEntry(const QStringList &args = {})
{
    QJsonObject entry{{"command"_L1, QStringLiteral(HEARTLINE_MISBEHAVING_UPSTREAM)},
                      {"env"_L1, QJsonObject{{"FIXTURE_TOKEN"_L1, "hunter2-secret"_L1}}}};
    if (!args.isEmpty())
        entry.insert("args"_L1, QJsonArray::fromStringList(args));
    return entry;
}

// The file's mcpServers as the running app reads them (the same parser ConfigWatcher uses).
QList<UpstreamServerConfig> serversIn(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    const QJsonObject root = QJsonDocument::fromJson(file.readAll()).object();
    const UpstreamConfigParser parser(
        VariableExpander(QProcessEnvironment::systemEnvironment(), QDir::homePath()));
    QList<UpstreamServerConfig> servers;
    QString error;
    parser.parse(root.value("mcpServers"_L1), {}, &servers, &error);
    return servers;
}

QJsonObject entryIn(const QString &path, const QString &server)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(file.readAll())
        .object()
        .value("mcpServers"_L1)
        .toObject()
        .value(server)
        .toObject();
}

UpstreamInfo infoOf(const Control *control, const QString &name)
{
    for (const UpstreamInfo &info : control->upstreams()) {
        if (info.name == name)
            return info;
    }
    return {};
}

bool hasTool(const UpstreamInfo &info, const QString &exposedName, bool enabled)
{
    return std::any_of(info.tools.cbegin(), info.tools.cend(), [&](const UpstreamToolInfo &tool) {
        return tool.exposedName == exposedName && tool.enabled == enabled;
    });
}

// One command over the real control socket, one reply line back.
QJsonObject overSocket(const QString &path, const QByteArray &line)
{
    QLocalSocket socket;
    socket.connectToServer(path);
    if (!socket.waitForConnected(3000))
        return {{"socket"_L1, socket.errorString()}};
    socket.write(line + '\n');
    if (!waitUntil([&socket]() { return socket.canReadLine(); }, 3000))
        return {{"socket"_L1, "no reply"_L1}};
    return QJsonDocument::fromJson(socket.readLine()).object();
}

} // namespace

class tst_UpstreamControl final : public InProcessServerTest
{
    Q_OBJECT

public:
    tst_UpstreamControl()
        : InProcessServerTest(loopbackConfig(0, 50))
    {}

private Q_SLOTS:
    void initTestCase();
    void init();

    void listShowsStateToolsAndTargetWithoutSecrets();
    void stopLeavesNoProcessAndStartMakesItReady();
    void restartCountsOneRestartAndRunsANewProcess();
    void disableIsAppliedAndKeptInTheFile();
    void aToolSwitchedOffLeavesToolsListAndStaysOffAfterARestart();
    void aSwitchThatCannotBeWrittenIsRefusedAndChangesNothing();
    void disabledToolsEditedInTheFileSwitchInPlace();
    void unknownNamesAreRefused();
    void logsAreTheServersStderrLines();
    void theControlSocketRefusesCommandLines();

private:
    // Starts the server with `entries` written to a config file it keeps switches in, and
    // applies the file as the app does; false when the server does not start.
    bool startWithFile(const QJsonObject &entries);
    Control *control() const { return m_server->control(); }

    QTemporaryDir m_dir;
    QString m_configPath;
};

void tst_UpstreamControl::initTestCase()
{
    QVERIFY(m_dir.isValid());
    // The control socket goes here, never where a Heartline of the user's lives.
    qputenv("XDG_RUNTIME_DIR", QFile::encodeName(m_dir.path()));
}

void tst_UpstreamControl::init()
{
    static int count = 0;
    m_configPath = m_dir.filePath(u"heartline-%1.json"_s.arg(++count));
}

bool tst_UpstreamControl::startWithFile(const QJsonObject &entries)
{
    // With a key of the person's own beside mcpServers, which every write must keep.
    QFile file(m_configPath);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    file.write(QJsonDocument(QJsonObject{{"heartbeatMs"_L1, 15000}, {"mcpServers"_L1, entries}})
                   .toJson());
    file.close();

    if (!startServer())
        return false;
    m_server->setConfigFilePath(m_configPath);
    m_server->upstreams()->apply(serversIn(m_configPath));
    return true;
}

void tst_UpstreamControl::listShowsStateToolsAndTargetWithoutSecrets()
{
    QVERIFY(startWithFile({{"fx"_L1, fixtureEntry({u"--stderr-lines"_s, u"2"_s})}}));
    QTRY_COMPARE_WITH_TIMEOUT(infoOf(control(), u"fx"_s).state, UpstreamState::Ready, kReadyMs);

    const UpstreamInfo info = infoOf(control(), u"fx"_s);
    QCOMPARE(info.transport, u"stdio"_s);
    QVERIFY2(info.target.contains(QStringLiteral(HEARTLINE_MISBEHAVING_UPSTREAM)),
             qPrintable(info.target));
    QVERIFY2(info.target.contains(u"--stderr-lines"_s), qPrintable(info.target));
    QVERIFY2(!info.target.contains(u"hunter2"_s), qPrintable(info.target));
    QCOMPARE(info.stateLabel, upstreamStateLabel(UpstreamState::Ready));
    QVERIFY(info.enabled);
    QVERIFY(info.lastError.isEmpty());
    QVERIFY(info.pid > 0);
    QCOMPARE(info.toolCount(), 8); // echo, slow, crash, sample, roots, change_tools, pid, meta
    QVERIFY(hasTool(info, u"fx__echo"_s, true));
    QCOMPARE(info.restartCount, 0);

    // The same through the control socket's dispatch, as `heartline ctl servers list` reads it.
    ControlServer controlServer(control());
    const QJsonObject reply =
        controlServer.execute({{"command"_L1, "servers.list"_L1}});
    QVERIFY2(reply.value("ok"_L1).toBool(), QJsonDocument(reply).toJson().constData());
    const QJsonObject listed = reply.value("result"_L1).toArray().first().toObject();
    QCOMPARE(listed.value("name"_L1).toString(), u"fx"_s);
    QCOMPARE(listed.value("state"_L1).toString(), u"ready"_s);
    QCOMPARE(listed.value("toolCount"_L1).toInt(), 8);
    QCOMPARE(listed.value("pid"_L1).toInteger(), info.pid);
    QVERIFY(!QJsonDocument(reply).toJson().contains("hunter2"));
}

void tst_UpstreamControl::stopLeavesNoProcessAndStartMakesItReady()
{
    QVERIFY(startWithFile({{"fx"_L1, fixtureEntry({u"--fork-grandchild"_s})}}));
    QTRY_COMPARE_WITH_TIMEOUT(infoOf(control(), u"fx"_s).state, UpstreamState::Ready, kReadyMs);
    const qint64 pgid = infoOf(control(), u"fx"_s).pid;
    QVERIFY(pgid > 0);
    QTRY_VERIFY_WITH_TIMEOUT(livingProcessesInGroup(pgid).size() >= 2, 5000); // and grandchild

    QString error;
    QVERIFY2(control()->stopUpstream(u"fx"_s, &error), qPrintable(error));
    QTRY_COMPARE_WITH_TIMEOUT(infoOf(control(), u"fx"_s).state, UpstreamState::Stopped, 5000);
    QTRY_VERIFY_WITH_TIMEOUT(livingProcessesInGroup(pgid).isEmpty(), 10000);
    QCOMPARE(infoOf(control(), u"fx"_s).toolCount(), 0);
    QVERIFY(!m_server->tools()->contains(u"fx__echo"_s));

    QVERIFY2(control()->startUpstream(u"fx"_s, &error), qPrintable(error));
    QTRY_COMPARE_WITH_TIMEOUT(infoOf(control(), u"fx"_s).state, UpstreamState::Ready, kReadyMs);
    QVERIFY(m_server->tools()->contains(u"fx__echo"_s));
    const qint64 newPid = infoOf(control(), u"fx"_s).pid;
    QVERIFY(newPid > 0 && newPid != pgid);
}

void tst_UpstreamControl::restartCountsOneRestartAndRunsANewProcess()
{
    QVERIFY(startWithFile({{"fx"_L1, fixtureEntry()}}));
    QTRY_COMPARE_WITH_TIMEOUT(infoOf(control(), u"fx"_s).state, UpstreamState::Ready, kReadyMs);
    const UpstreamInfo before = infoOf(control(), u"fx"_s);

    QString error;
    QVERIFY2(control()->restartUpstream(u"fx"_s, &error), qPrintable(error));
    QTRY_VERIFY_WITH_TIMEOUT(infoOf(control(), u"fx"_s).state == UpstreamState::Ready
                                 && infoOf(control(), u"fx"_s).pid != before.pid,
                             kReadyMs);
    QCOMPARE(infoOf(control(), u"fx"_s).restartCount, before.restartCount + 1);
    QTRY_VERIFY_WITH_TIMEOUT(livingProcessesInGroup(before.pid).isEmpty(), 10000);
}

void tst_UpstreamControl::disableIsAppliedAndKeptInTheFile()
{
    QVERIFY(startWithFile({{"fx"_L1, fixtureEntry()}}));
    QTRY_COMPARE_WITH_TIMEOUT(infoOf(control(), u"fx"_s).state, UpstreamState::Ready, kReadyMs);
    const qint64 pgid = infoOf(control(), u"fx"_s).pid;

    QString error;
    QVERIFY2(control()->setUpstreamEnabled(u"fx"_s, false, &error), qPrintable(error));
    QTRY_COMPARE_WITH_TIMEOUT(infoOf(control(), u"fx"_s).state, UpstreamState::Disabled, 5000);
    QVERIFY(!infoOf(control(), u"fx"_s).enabled);
    QTRY_VERIFY_WITH_TIMEOUT(livingProcessesInGroup(pgid).isEmpty(), 10000);
    QCOMPARE(entryIn(m_configPath, u"fx"_s).value("enabled"_L1), QJsonValue(false));
    // The rest of the entry and of the file as the person wrote them.
    QCOMPARE(entryIn(m_configPath, u"fx"_s).value("env"_L1).toObject().value("FIXTURE_TOKEN"_L1),
             QJsonValue(u"hunter2-secret"_s));
    ConfigDocument document(m_configPath);
    QVERIFY(document.load(&error));
    QCOMPARE(document.root().value("heartbeatMs"_L1).toInt(), 15000);

    // The reload that follows the write finds nothing to do: still disabled, nothing started.
    m_server->upstreams()->apply(serversIn(m_configPath));
    QCOMPARE(infoOf(control(), u"fx"_s).state, UpstreamState::Disabled);
    QVERIFY2(!control()->startUpstream(u"fx"_s, &error), "a disabled server started");

    QVERIFY2(control()->setUpstreamEnabled(u"fx"_s, true, &error), qPrintable(error));
    QCOMPARE(entryIn(m_configPath, u"fx"_s).value("enabled"_L1), QJsonValue(true));
    QTRY_COMPARE_WITH_TIMEOUT(infoOf(control(), u"fx"_s).state, UpstreamState::Ready, kReadyMs);
    const UpstreamInfo running = infoOf(control(), u"fx"_s);
    m_server->upstreams()->apply(serversIn(m_configPath));
    QCOMPARE(infoOf(control(), u"fx"_s).pid, running.pid); // not restarted by the reload
    QCOMPARE(infoOf(control(), u"fx"_s).restartCount, running.restartCount);
}

void tst_UpstreamControl::aToolSwitchedOffLeavesToolsListAndStaysOffAfterARestart()
{
    QVERIFY(startWithFile({{"fx"_L1, fixtureEntry()}}));
    QTRY_COMPARE_WITH_TIMEOUT(infoOf(control(), u"fx"_s).state, UpstreamState::Ready, kReadyMs);
    const qint64 pid = infoOf(control(), u"fx"_s).pid;
    const McpTestSession session = openSession(m_port);
    QVERIFY2(session.ok(), qPrintable(session.error));
    QString error;
    QVERIFY(listToolNames(m_port, session, &error).contains(u"fx__echo"_s));

    QVERIFY2(control()->setToolEnabled(u"fx__echo"_s, false, &error), qPrintable(error));
    QStringList names = listToolNames(m_port, session, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QVERIFY2(!names.contains(u"fx__echo"_s), qPrintable(names.join(u", "_s)));
    QVERIFY2(names.contains(u"fx__slow"_s), qPrintable(names.join(u", "_s)));
    // The upstream's own name is what the file keeps.
    QCOMPARE(entryIn(m_configPath, u"fx"_s).value("disabledTools"_L1),
             QJsonValue(QJsonArray{u"echo"_s}));
    QVERIFY(hasTool(infoOf(control(), u"fx"_s), u"fx__echo"_s, false));

    // The reload of that write changes nothing further: the same process, still switched off.
    m_server->upstreams()->apply(serversIn(m_configPath));
    QCOMPARE(infoOf(control(), u"fx"_s).pid, pid);
    QVERIFY(!m_server->tools()->isEnabled(u"fx__echo"_s));

    // A new process lists its tools afresh; the switch is still off.
    QVERIFY2(control()->restartUpstream(u"fx"_s, &error), qPrintable(error));
    QTRY_VERIFY_WITH_TIMEOUT(infoOf(control(), u"fx"_s).state == UpstreamState::Ready
                                 && infoOf(control(), u"fx"_s).pid != pid,
                             kReadyMs);
    QVERIFY(m_server->tools()->contains(u"fx__echo"_s));
    names = listToolNames(m_port, session, &error);
    QVERIFY2(!names.contains(u"fx__echo"_s), qPrintable(names.join(u", "_s)));
    QVERIFY2(names.contains(u"fx__slow"_s), qPrintable(names.join(u", "_s)));

    // And on again, written back (an empty list leaves no key).
    QVERIFY2(control()->setToolEnabled(u"fx__echo"_s, true, &error), qPrintable(error));
    QVERIFY(listToolNames(m_port, session, &error).contains(u"fx__echo"_s));
    QVERIFY(!entryIn(m_configPath, u"fx"_s).contains("disabledTools"_L1));
}

void tst_UpstreamControl::aSwitchThatCannotBeWrittenIsRefusedAndChangesNothing()
{
    QVERIFY(startWithFile({{"fx"_L1, fixtureEntry()}}));
    QTRY_COMPARE_WITH_TIMEOUT(infoOf(control(), u"fx"_s).state, UpstreamState::Ready, kReadyMs);
    // The person broke the file in an editor: the switch is refused, the file left alone.
    QFile file(m_configPath);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    file.write("{ \"mcpServers\": ");
    file.close();

    QString error;
    QVERIFY(!control()->setToolEnabled(u"fx__echo"_s, false, &error));
    QVERIFY2(error.contains(m_configPath), qPrintable(error));
    QVERIFY(m_server->tools()->isEnabled(u"fx__echo"_s));
    error.clear();
    QVERIFY(!control()->setUpstreamEnabled(u"fx"_s, false, &error));
    QVERIFY2(error.contains(m_configPath), qPrintable(error));
    QCOMPARE(infoOf(control(), u"fx"_s).state, UpstreamState::Ready);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.readAll(), QByteArray("{ \"mcpServers\": "));
}

void tst_UpstreamControl::disabledToolsEditedInTheFileSwitchInPlace()
{
    QVERIFY(startWithFile({{"fx"_L1, fixtureEntry()}}));
    QTRY_COMPARE_WITH_TIMEOUT(infoOf(control(), u"fx"_s).state, UpstreamState::Ready, kReadyMs);
    const qint64 pid = infoOf(control(), u"fx"_s).pid;
    QSignalSpy unregistered(m_server->tools(), &ToolRegistry::toolUnregistered);

    // The person's editor, then the live reload.
    QJsonObject entry = fixtureEntry();
    entry.insert("disabledTools"_L1, QJsonArray{u"slow"_s});
    entry.insert("description"_L1, u"edited"_s);
    ConfigDocument document(m_configPath);
    QString error;
    QVERIFY(document.load(&error));
    document.setServer(u"fx"_s, entry);
    QVERIFY(document.save(&error));
    m_server->upstreams()->apply(serversIn(m_configPath));

    QVERIFY(!m_server->tools()->isEnabled(u"fx__slow"_s));
    QVERIFY(m_server->tools()->isEnabled(u"fx__echo"_s));
    QCOMPARE(infoOf(control(), u"fx"_s).description, u"edited"_s);
    QCOMPARE(infoOf(control(), u"fx"_s).pid, pid);
    QCOMPARE(infoOf(control(), u"fx"_s).restartCount, 0);
    QCOMPARE(unregistered.size(), 0); // switched, not withdrawn and served again
}

void tst_UpstreamControl::unknownNamesAreRefused()
{
    QVERIFY(startWithFile({{"fx"_L1, fixtureEntry()}}));
    QString error;
    QVERIFY(!control()->startUpstream(u"nope"_s, &error));
    QVERIFY2(error.contains(u"'nope'"_s), qPrintable(error));
    error.clear();
    QVERIFY(!control()->stopUpstream(u"nope"_s, &error));
    QVERIFY2(error.contains(u"'nope'"_s), qPrintable(error));
    error.clear();
    QVERIFY(!control()->restartUpstream(u"nope"_s, &error));
    QVERIFY2(error.contains(u"'nope'"_s), qPrintable(error));
    error.clear();
    QVERIFY(!control()->setUpstreamEnabled(u"nope"_s, false, &error));
    QVERIFY2(error.contains(u"'nope'"_s), qPrintable(error));
    error.clear();
    QVERIFY(control()->upstreamLog(u"nope"_s, &error).isEmpty());
    QVERIFY2(error.contains(u"'nope'"_s), qPrintable(error));
    error.clear();
    QVERIFY(!control()->setToolEnabled(u"nope__echo"_s, false, &error));
    QVERIFY2(error.contains(u"'nope__echo'"_s), qPrintable(error));
    QVERIFY(!entryIn(m_configPath, u"nope"_s).contains("enabled"_L1));
}

void tst_UpstreamControl::logsAreTheServersStderrLines()
{
    QVERIFY(startWithFile({{"fx"_L1, fixtureEntry({u"--stderr-lines"_s, u"3"_s})}}));
    QString error;
    QTRY_VERIFY_WITH_TIMEOUT(control()->upstreamLog(u"fx"_s, &error).contains(u"stderr line 2"_s),
                             kReadyMs);
    const QStringList lines = control()->upstreamLog(u"fx"_s, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(lines.indexOf(u"stderr line 0"_s) + 2, lines.indexOf(u"stderr line 2"_s));

    ControlServer controlServer(control());
    const QJsonObject reply =
        controlServer.execute({{"command"_L1, "servers.logs"_L1}, {"name"_L1, "fx"_L1}});
    QVERIFY(reply.value("result"_L1).toArray().contains(u"stderr line 1"_s));
}

void tst_UpstreamControl::theControlSocketRefusesCommandLines()
{
    QVERIFY(startWithFile({{"fx"_L1, fixtureEntry()}}));
    QTRY_COMPARE_WITH_TIMEOUT(infoOf(control(), u"fx"_s).state, UpstreamState::Ready, kReadyMs);
    const QByteArray fileBefore = [this]() {
        QFile file(m_configPath);
        return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
    }();
    ControlServer controlServer(control());
    QString error;
    QVERIFY2(controlServer.listen(m_port, &error), qPrintable(error));

    const QList<QByteArray> attempts{
        R"({"command":"servers.add","name":"evil"})",
        R"({"command":"servers.add","name":"evil","args":["-c","touch /tmp/pwned"]})",
        R"({"command":"servers.restart","name":"fx","args":["--evil"]})",
        R"({"command":"servers.enable","name":"fx","url":"http://evil.example/mcp"})",
        R"({"command":"servers.start","name":"fx","env":{"LD_PRELOAD":"/tmp/x.so"}})",
    };
    for (const QByteArray &attempt : attempts) {
        const QJsonObject reply = overSocket(controlServer.path(), attempt);
        QVERIFY2(reply.value("ok"_L1) == QJsonValue(false),
                 QByteArray(attempt + " -> " + QJsonDocument(reply).toJson()).constData());
        QVERIFY2(reply.value("error"_L1).toString().startsWith(u"refused"_s),
                 QByteArray(attempt + " -> " + QJsonDocument(reply).toJson()).constData());
    }
    // Nothing was added, restarted or changed.
    QCOMPARE(m_server->upstreams()->serverNames(), QStringList{u"fx"_s});
    QCOMPARE(infoOf(control(), u"fx"_s).restartCount, 0);
    QCOMPARE(infoOf(control(), u"fx"_s).target, QStringLiteral(HEARTLINE_MISBEHAVING_UPSTREAM));
    QFile file(m_configPath);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.readAll(), fileBefore);

    // The same socket still does what it may.
    const QJsonObject listed = overSocket(controlServer.path(), R"({"command":"servers.list"})");
    QVERIFY2(listed.value("ok"_L1).toBool(), QJsonDocument(listed).toJson().constData());
}

HEARTLINE_SERVER_TEST_MAIN(tst_UpstreamControl)
#include "tst_upstreamcontrol.moc"
