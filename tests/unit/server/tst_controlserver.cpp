// The control socket behind `heartline ctl`: where its socket may live (a directory only this
// user can enter, never one someone else prepared), and the replies of each command.

#include "server/core/control.h"
#include "server/core/controlserver.h"
#include "server/core/heartlineserver.h"
#include "server/protocol/catalog/toolregistry.h"
#include "server/session/mcpsession.h"
#include "server/session/sessionstore.h"
#include "tests/support/servertestmain.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

#include <sys/stat.h>
#include <unistd.h>

using namespace heartline;
using namespace Qt::StringLiterals;

namespace {

constexpr quint16 kPort = 4711;

// Permission bits of `path` itself (a symlink is not followed), or -1.
int modeOf(const QString &path)
{
    struct stat info = {};
    if (::lstat(QFile::encodeName(path).constData(), &info) != 0)
        return -1;
    return int(info.st_mode & 07777);
}

QJsonObject command(const QString &name, const QString &argument = {})
{
    QJsonObject object{{"command"_L1, name}};
    if (!argument.isNull())
        object.insert("name"_L1, argument);
    return object;
}

QJsonObject toolNamed(const QJsonArray &tools, const QString &name)
{
    for (const QJsonValue &tool : tools) {
        if (tool.toObject().value("name"_L1).toString() == name)
            return tool.toObject();
    }
    return {};
}

QByteArray show(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

} // namespace

class tst_ControlServer final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    // socketPath
    void socketPathUsesTheRuntimeDirectory();
    void socketPathMakesAPrivateDirectoryWithoutRuntimeDirectory();
    void socketPathRefusesADirectoryThatIsNotPrivate_data();
    void socketPathRefusesADirectoryThatIsNotPrivate();

    // execute
    void listsTools();
    void disablesAndEnablesATool();
    void actionRepliesAreOkAndMessageOnly_data();
    void actionRepliesAreOkAndMessageOnly();
    void refusesToToggleAnUnknownTool_data();
    void refusesToToggleAnUnknownTool();
    void listsSessions();
    void reportsStatus();
    void refusesAnUnknownCommand_data();
    void refusesAnUnknownCommand();
    void refusesAnyKeyButCommandAndName_data();
    void refusesAnyKeyButCommandAndName();
    void serverActionsRefuseAnUnknownServer_data();
    void serverActionsRefuseAnUnknownServer();
    void listsNoServersWhenNoneAreHosted();

private:
    // A temp directory of its own as TMPDIR and no XDG_RUNTIME_DIR: where socketPath falls
    // back to `$TMPDIR/heartline-UID`.
    bool useTemporaryTmpdir();
    QString fallbackDirectory() const;
    bool startServer();

    QByteArray m_savedRuntimeDir;
    QByteArray m_savedTmpdir;
    bool m_hadRuntimeDir = false;
    bool m_hadTmpdir = false;
    std::unique_ptr<QTemporaryDir> m_tmpdir;
    std::unique_ptr<HeartlineServer> m_server;
    std::unique_ptr<ControlServer> m_control;
};

void tst_ControlServer::init()
{
    m_hadRuntimeDir = qEnvironmentVariableIsSet("XDG_RUNTIME_DIR");
    m_savedRuntimeDir = qgetenv("XDG_RUNTIME_DIR");
    m_hadTmpdir = qEnvironmentVariableIsSet("TMPDIR");
    m_savedTmpdir = qgetenv("TMPDIR");
}

void tst_ControlServer::cleanup()
{
    m_control.reset();
    m_server.reset();
    if (m_hadRuntimeDir)
        qputenv("XDG_RUNTIME_DIR", m_savedRuntimeDir);
    else
        qunsetenv("XDG_RUNTIME_DIR");
    if (m_hadTmpdir)
        qputenv("TMPDIR", m_savedTmpdir);
    else
        qunsetenv("TMPDIR");
    if (m_tmpdir) {
        // A directory the test left without write permission could not be removed.
        QFile::setPermissions(fallbackDirectory(),
                              QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
        m_tmpdir.reset();
    }
}

bool tst_ControlServer::useTemporaryTmpdir()
{
    m_tmpdir = std::make_unique<QTemporaryDir>();
    if (!m_tmpdir->isValid())
        return false;
    qunsetenv("XDG_RUNTIME_DIR");
    qputenv("TMPDIR", QFile::encodeName(m_tmpdir->path()));
    return QDir::tempPath() == QDir(m_tmpdir->path()).canonicalPath()
           || QDir::tempPath() == m_tmpdir->path();
}

QString tst_ControlServer::fallbackDirectory() const
{
    return m_tmpdir->path() + u"/heartline-"_s + QString::number(::getuid());
}

bool tst_ControlServer::startServer()
{
    ServerConfig config;
    config.host = u"127.0.0.1"_s;
    config.port = 0;
    config.heartbeatMs = 250;
    m_server = std::make_unique<HeartlineServer>(config);
    m_server->registerBuiltinTools();
    QString error;
    if (!m_server->listen(&error)) {
        qWarning().noquote() << "listen failed:" << error;
        return false;
    }
    m_control = std::make_unique<ControlServer>(m_server->control());
    return true;
}

// --- socketPath ----------------------------------------------------------------------------

void tst_ControlServer::socketPathUsesTheRuntimeDirectory()
{
    QTemporaryDir runtime;
    QVERIFY(runtime.isValid());
    qputenv("XDG_RUNTIME_DIR", QFile::encodeName(runtime.path()));
    QString error;
    QCOMPARE(ControlServer::socketPath(kPort, &error), runtime.path() + u"/heartline-4711.sock"_s);
    QVERIFY2(error.isEmpty(), qPrintable(error));
}

void tst_ControlServer::socketPathMakesAPrivateDirectoryWithoutRuntimeDirectory()
{
    QVERIFY(useTemporaryTmpdir());
    QVERIFY(!QFileInfo::exists(fallbackDirectory()));

    QString error;
    const QString path = ControlServer::socketPath(kPort, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QVERIFY2(path.endsWith(u"/heartline-4711.sock"_s), qPrintable(path));
    QCOMPARE(QFileInfo(path).absolutePath(), fallbackDirectory());
    QVERIFY(QFileInfo(fallbackDirectory()).isDir());
    QCOMPARE(modeOf(fallbackDirectory()), 0700);

    // A second run (the other instance, or `heartline ctl`) agrees on the same path.
    QCOMPARE(ControlServer::socketPath(kPort, &error), path);
    QVERIFY2(error.isEmpty(), qPrintable(error));
}

void tst_ControlServer::socketPathRefusesADirectoryThatIsNotPrivate_data()
{
    QTest::addColumn<QString>("setup");
    QTest::newRow("mode 0755") << u"0755"_s;
    QTest::newRow("mode 0770") << u"0770"_s;
    QTest::newRow("a symlink to another (private) directory") << u"symlink"_s;
    QTest::newRow("a regular file") << u"file"_s;
}

void tst_ControlServer::socketPathRefusesADirectoryThatIsNotPrivate()
{
    QFETCH(QString, setup);
    QVERIFY(useTemporaryTmpdir());
    const QString directory = fallbackDirectory();
    const QByteArray encoded = QFile::encodeName(directory);
    if (setup == "symlink"_L1) {
        const QString elsewhere = m_tmpdir->path() + u"/elsewhere"_s;
        QVERIFY(QDir().mkdir(elsewhere));
        QVERIFY(QFile::setPermissions(elsewhere,
                                      QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));
        QVERIFY(QFile::link(elsewhere, directory));
    } else if (setup == "file"_L1) {
        QFile file(directory);
        QVERIFY(file.open(QIODevice::WriteOnly));
    } else {
        QVERIFY(::mkdir(encoded.constData(), 0700) == 0);
        QVERIFY(::chmod(encoded.constData(), mode_t(setup.toUInt(nullptr, 8))) == 0);
    }
    const int modeBefore = modeOf(directory);

    QString error;
    const QString path = ControlServer::socketPath(kPort, &error);
    QVERIFY2(path.isEmpty(), qPrintable(path));
    QVERIFY2(error.contains(directory), qPrintable(error));
    // Left as it was: not made private behind the back of whoever made it.
    QCOMPARE(modeOf(directory), modeBefore);
    if (setup == "symlink"_L1)
        QVERIFY(QFileInfo(directory).isSymLink());
}

// --- execute -------------------------------------------------------------------------------

void tst_ControlServer::listsTools()
{
    QVERIFY(startServer());
    const QJsonObject reply = m_control->execute(command(u"tools.list"_s));
    QVERIFY2(reply.value("ok"_L1).toBool(), show(reply).constData());
    QVERIFY2(!reply.contains("error"_L1), show(reply).constData());
    const QJsonArray tools = reply.value("result"_L1).toArray();
    QCOMPARE(tools.size(), 3);
    for (const QString &name : {u"echo"_s, u"sleep"_s, u"now"_s}) {
        const QJsonObject tool = toolNamed(tools, name);
        QVERIFY2(!tool.isEmpty(), qPrintable(name));
        QCOMPARE(tool.value("enabled"_L1), QJsonValue(true));
        QVERIFY2(tool.value("source"_L1).isString(), show(tool).constData());
        QVERIFY2(!tool.value("description"_L1).toString().isEmpty(), show(tool).constData());
    }
}

void tst_ControlServer::disablesAndEnablesATool()
{
    QVERIFY(startServer());
    QJsonObject reply = m_control->execute(command(u"tools.disable"_s, u"echo"_s));
    QCOMPARE(reply.value("ok"_L1), QJsonValue(true));
    QCOMPARE(reply.value("message"_L1).toString(), u"tool 'echo' disabled"_s);
    QVERIFY(!reply.contains("error"_L1));
    QVERIFY(!m_server->tools()->enabledTool(u"echo"_s));
    QJsonArray tools = m_control->execute(command(u"tools.list"_s)).value("result"_L1).toArray();
    QCOMPARE(toolNamed(tools, u"echo"_s).value("enabled"_L1), QJsonValue(false));
    QCOMPARE(toolNamed(tools, u"sleep"_s).value("enabled"_L1), QJsonValue(true));

    reply = m_control->execute(command(u"tools.enable"_s, u"echo"_s));
    QCOMPARE(reply.value("ok"_L1), QJsonValue(true));
    QCOMPARE(reply.value("message"_L1).toString(), u"tool 'echo' enabled"_s);
    QVERIFY(!reply.contains("error"_L1));
    QVERIFY(m_server->tools()->enabledTool(u"echo"_s));
    tools = m_control->execute(command(u"tools.list"_s)).value("result"_L1).toArray();
    QCOMPARE(toolNamed(tools, u"echo"_s).value("enabled"_L1), QJsonValue(true));
}

void tst_ControlServer::actionRepliesAreOkAndMessageOnly_data()
{
    QTest::addColumn<QString>("action");
    QTest::addColumn<QString>("message");
    QTest::newRow("tools.disable") << u"tools.disable"_s << u"tool 'echo' disabled"_s;
    QTest::newRow("tools.enable") << u"tools.enable"_s << u"tool 'echo' enabled"_s;
    QTest::newRow("sessions.close") << u"sessions.close"_s << u"session {ID} closed"_s;
}

void tst_ControlServer::actionRepliesAreOkAndMessageOnly()
{
    // An action has no result to return: its reply is {"ok":true,"message":...}, with no
    // "result" member at all (success() leaves it out unless there is one).
    QFETCH(QString, action);
    QFETCH(QString, message);
    QVERIFY(startServer());
    const QString sessionId =
        m_server->sessions()->create(TransportKind::StreamableHttp, u"127.0.0.1"_s)->id();
    const QString name = action == "sessions.close"_L1 ? sessionId : u"echo"_s;
    message.replace(u"{ID}"_s, sessionId);
    QCOMPARE(m_control->execute(command(action, name)),
             (QJsonObject{{"ok"_L1, true}, {"message"_L1, message}}));
}

void tst_ControlServer::refusesToToggleAnUnknownTool_data()
{
    QTest::addColumn<QString>("toggle");
    QTest::newRow("disable") << u"tools.disable"_s;
    QTest::newRow("enable") << u"tools.enable"_s;
}

void tst_ControlServer::refusesToToggleAnUnknownTool()
{
    QFETCH(QString, toggle);
    QVERIFY(startServer());
    const QJsonObject reply = m_control->execute(command(toggle, u"no-such-tool"_s));
    QCOMPARE(reply.value("ok"_L1), QJsonValue(false));
    QVERIFY2(reply.value("error"_L1).toString().contains("'no-such-tool'"_L1),
             show(reply).constData());
    QVERIFY(!reply.contains("result"_L1));
    // Nothing else changed.
    const QJsonArray tools =
        m_control->execute(command(u"tools.list"_s)).value("result"_L1).toArray();
    QCOMPARE(tools.size(), 3);
    for (const QJsonValue &tool : tools)
        QCOMPARE(tool.toObject().value("enabled"_L1), QJsonValue(true));
}

void tst_ControlServer::listsSessions()
{
    QVERIFY(startServer());
    QJsonObject reply = m_control->execute(command(u"sessions.list"_s));
    QCOMPARE(reply, (QJsonObject{{"ok"_L1, true}, {"result"_L1, QJsonArray{}}}));

    const McpSession *session =
        m_server->sessions()->create(TransportKind::StreamableHttp, u"127.0.0.1"_s);
    QVERIFY(session);
    reply = m_control->execute(command(u"sessions.list"_s));
    QVERIFY2(reply.value("ok"_L1).toBool(), show(reply).constData());
    const QJsonArray sessions = reply.value("result"_L1).toArray();
    QCOMPARE(sessions.size(), 1);
    const QJsonObject listed = sessions.first().toObject();
    QCOMPARE(listed.value("id"_L1).toString(), session->id());
    QCOMPARE(listed.value("transport"_L1).toString(), u"streamable-http"_s);
    QCOMPARE(listed.value("peer"_L1).toString(), u"127.0.0.1"_s);
    QCOMPARE(listed.value("initialized"_L1), QJsonValue(false));
    QVERIFY(listed.value("openedMs"_L1).toDouble() > 0);
    for (const char *key : {"client", "clientVersion", "revision"})
        QVERIFY2(listed.value(QLatin1StringView(key)).isString(), key);
}

void tst_ControlServer::reportsStatus()
{
    QVERIFY(startServer());
    QString error;
    QVERIFY2(m_server->control()->setToolEnabled(u"now"_s, false, &error), qPrintable(error));
    m_server->sessions()->create(TransportKind::StreamableHttp, u"127.0.0.1"_s);

    const QJsonObject reply = m_control->execute(command(u"status"_s));
    QVERIFY2(reply.value("ok"_L1).toBool(), show(reply).constData());
    const QJsonObject status = reply.value("result"_L1).toObject();
    QCOMPARE(status.value("endpoint"_L1).toString(), m_server->baseUrl());
    QCOMPARE(status.value("sessions"_L1).toInt(-1), 1);
    QCOMPARE(status.value("streams"_L1).toInt(-1), 0);
    QCOMPARE(status.value("heartbeatMs"_L1).toInt(-1), 250);
    QCOMPARE(status.value("heartbeatsSent"_L1).toInt(-1), 0);
    QCOMPARE(status.value("tools"_L1).toInt(-1), 3);
    QCOMPARE(status.value("toolsEnabled"_L1).toInt(-1), 2);
}

void tst_ControlServer::refusesAnUnknownCommand_data()
{
    QTest::addColumn<QJsonObject>("request");
    QTest::addColumn<QString>("error");
    QTest::newRow("unknown name") << command(u"tools.frobnicate"_s)
                                  << u"unknown command 'tools.frobnicate'"_s;
    QTest::newRow("no command") << QJsonObject{{"name"_L1, "echo"_L1}} << u"unknown command ''"_s;
    QTest::newRow("command not a string")
        << QJsonObject{{"command"_L1, 7}} << u"unknown command ''"_s;
}

void tst_ControlServer::refusesAnUnknownCommand()
{
    QFETCH(QJsonObject, request);
    QFETCH(QString, error);
    QVERIFY(startServer());
    QCOMPARE(m_control->execute(request), (QJsonObject{{"ok"_L1, false}, {"error"_L1, error}}));
}

void tst_ControlServer::refusesAnyKeyButCommandAndName_data()
{
    // A command line, URL or environment never comes over the socket, whatever the verb.
    QTest::addColumn<QJsonObject>("request");
    QTest::newRow("add with args")
        << QJsonObject{{"command"_L1, "servers.add"_L1}, {"name"_L1, "x"_L1},
                       {"args"_L1, QJsonArray{"-c"_L1, "id"_L1}}};
    QTest::newRow("restart with a url")
        << QJsonObject{{"command"_L1, "servers.restart"_L1}, {"name"_L1, "x"_L1},
                       {"url"_L1, "http://evil.example/"_L1}};
    QTest::newRow("tool switch with env")
        << QJsonObject{{"command"_L1, "tools.disable"_L1}, {"name"_L1, "echo"_L1},
                       {"env"_L1, QJsonObject{{"PATH"_L1, "/tmp"_L1}}}};
}

void tst_ControlServer::refusesAnyKeyButCommandAndName()
{
    QFETCH(QJsonObject, request);
    QVERIFY(startServer());
    const QJsonObject reply = m_control->execute(request);
    QCOMPARE(reply.value("ok"_L1), QJsonValue(false));
    QVERIFY2(reply.value("error"_L1).toString().startsWith("refused"_L1), show(reply).constData());
    // Not even the harmless part of it was done.
    QVERIFY(m_server->tools()->isEnabled(u"echo"_s));
}

void tst_ControlServer::serverActionsRefuseAnUnknownServer_data()
{
    QTest::addColumn<QString>("action");
    for (const char *action : {"servers.start", "servers.stop", "servers.restart",
                               "servers.enable", "servers.disable", "servers.logs"})
        QTest::newRow(action) << QString::fromLatin1(action);
}

void tst_ControlServer::serverActionsRefuseAnUnknownServer()
{
    QFETCH(QString, action);
    QVERIFY(startServer());
    const QJsonObject reply = m_control->execute(command(action, u"nope"_s));
    QCOMPARE(reply.value("ok"_L1), QJsonValue(false));
    QVERIFY2(reply.value("error"_L1).toString().contains("'nope'"_L1), show(reply).constData());
}

void tst_ControlServer::listsNoServersWhenNoneAreHosted()
{
    QVERIFY(startServer());
    QCOMPARE(m_control->execute(command(u"servers.list"_s)),
             (QJsonObject{{"ok"_L1, true}, {"result"_L1, QJsonArray{}}}));
}

HEARTLINE_SERVER_TEST_MAIN(tst_ControlServer)
#include "tst_controlserver.moc"
