// pathFromLoginShell through the real server: a fake login shell ($SHELL, a script) prints a
// PATH holding a folder with a command no other PATH has; with the setting on, an upstream
// whose command is only there starts; off, it fails with "not found in PATH=".

#include "server/protocol/catalog/toolregistry.h"
#include "server/tools/upstream/upstreamhost.h"
#include "tests/support/inprocessserver.h"
#include "tests/support/servertestmain.h"

#include <QDir>
#include <QFile>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace heartline;
using namespace heartline::testing;

namespace {

constexpr auto kCommand = "heartline-login-only-upstream"_L1;

bool writeScript(const QString &path, const QByteArray &text)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return false;
    file.write(text);
    file.close();
    return file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner
                               | QFileDevice::ExeOwner);
}

UpstreamServerConfig loginOnlyUpstream()
{
    UpstreamServerConfig config;
    config.name = u"lo"_s;
    config.command = kCommand;
    config.restart = UpstreamServerConfig::Restart::Never;
    return config;
}

} // namespace

class tst_UpstreamPath final : public InProcessServerTest
{
    Q_OBJECT

public:
    tst_UpstreamPath()
        : InProcessServerTest(loopbackConfig(0, 50))
    {}

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void withTheSettingTheLoginShellsPathFindsTheCommand();
    void withoutItTheCommandIsNotFoundInHeartlinesPath();

private:
    QTemporaryDir m_dir;
    QByteArray m_savedShell;
};

void tst_UpstreamPath::initTestCase()
{
    QVERIFY(m_dir.isValid());
    const QString bin = m_dir.filePath(u"login-bin"_s);
    QVERIFY(QDir().mkpath(bin));
    // The command exists only in the folder the login shell adds to PATH.
    QVERIFY(writeScript(bin + u'/' + kCommand,
                        "#!/bin/sh\nexec '" HEARTLINE_MISBEHAVING_UPSTREAM "' \"$@\"\n"));
    // A login shell as Heartline runs it (`$SHELL -ilc COMMAND`): its profile puts the folder
    // first on PATH, then it runs the command.
    QVERIFY(writeScript(m_dir.filePath(u"fake-shell"_s),
                        "#!/bin/sh\nPATH='" + bin.toUtf8()
                            + "':/usr/bin:/bin\nexport PATH\nexec /bin/sh -c \"$2\"\n"));
    m_savedShell = qgetenv("SHELL");
    qputenv("SHELL", m_dir.filePath(u"fake-shell"_s).toUtf8());
    QVERIFY2(QStandardPaths::findExecutable(kCommand).isEmpty(),
             "the test's command must not be on this process's own PATH");
}

void tst_UpstreamPath::cleanupTestCase()
{
    qputenv("SHELL", m_savedShell);
}

void tst_UpstreamPath::withTheSettingTheLoginShellsPathFindsTheCommand()
{
    ServerConfig config = testConfig();
    config.pathFromLoginShell = true;
    QVERIFY(startServer(config));
    m_server->upstreams()->apply({loginOnlyUpstream()});
    QTRY_VERIFY_WITH_TIMEOUT(m_server->tools()->contains(u"lo__echo"_s), 15000);
    QCOMPARE(m_server->upstreams()->supervisor(u"lo"_s)->state(), UpstreamState::Ready);
}

void tst_UpstreamPath::withoutItTheCommandIsNotFoundInHeartlinesPath()
{
    QVERIFY(startServer()); // pathFromLoginShell off, the default
    m_server->upstreams()->apply({loginOnlyUpstream()});
    const auto *supervisor = m_server->upstreams()->supervisor(u"lo"_s);
    QVERIFY(supervisor);
    QTRY_COMPARE_WITH_TIMEOUT(supervisor->state(), UpstreamState::Crashed, 10000);
    QVERIFY2(supervisor->lastError().contains(u"not found in PATH="_s),
             qPrintable(supervisor->lastError()));
    QVERIFY(!m_server->tools()->contains(u"lo__echo"_s));
}

HEARTLINE_SERVER_TEST_MAIN(tst_UpstreamPath)
#include "tst_upstreampath.moc"
