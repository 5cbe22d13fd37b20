#include "server/protocol/catalog/toolregistry.h"
#include "server/tools/upstream/upstreamchannel.h"
#include "server/tools/upstream/upstreamhost.h"
#include "tests/support/inprocessserver.h"
#include "tests/support/mcptestsupport.h"
#include "tests/support/misbehavingupstream.h"
#include "tests/support/processgroup.h"
#include "tests/support/servertestmain.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace heartline;
using namespace heartline::testing;

// The user's own MCP servers behind Heartline's endpoint, end to end: the real server, a real
// child process (the misbehaving-upstream fixture) and a client over HTTP.
class tst_UpstreamHosting final : public InProcessServerTest
{
    Q_OBJECT

public:
    tst_UpstreamHosting()
        : InProcessServerTest(loopbackConfig(0, 50))
    {}

private Q_SLOTS:
    void upstreamToolsAreServedUnderExposedNames();
    void aCrashFailsTheCallInFlightAndNothingOfTheGroupRemains();
    void removingTheServerFromTheConfigTakesItsToolsAndProcessAway();
    void aMissingCommandIsAStateNotACrashOfHeartline();
    void shutdownEndsOnlyOnceEveryChildIsReaped();
};

void tst_UpstreamHosting::upstreamToolsAreServedUnderExposedNames()
{
    QVERIFY(startServer());
    m_server->upstreams()->apply({misbehavingUpstream(u"fx"_s)});
    QTRY_VERIFY_WITH_TIMEOUT(m_server->tools()->contains(u"fx__echo"_s), 15000);
    QCOMPARE(m_server->upstreams()->supervisor(u"fx"_s)->state(), UpstreamState::Ready);

    const McpTestSession session = openSession(m_port);
    QVERIFY2(session.ok(), qPrintable(session.error));
    QString error;
    const QStringList names = listToolNames(m_port, session, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QVERIFY(names.contains(u"echo"_s));     // built-in, its own name
    QVERIFY(names.contains(u"fx__echo"_s)); // upstream, prefixed
    QVERIFY(names.contains(u"fx__slow"_s));

    const QJsonObject answer = finalAnswer(postOnce(
        m_port, session.post(),
        toolCallBody(7, u"fx__echo"_s, QJsonObject{{"text"_L1, "through the upstream"_L1}})));
    QCOMPARE(answer.value("id"_L1).toInt(), 7); // the client's id, not Heartline's upstream id
    QVERIFY2(firstContentText(answer).contains(u"through the upstream"_s),
             QJsonDocument(answer).toJson().constData());
    QVERIFY(!answer.value("result"_L1).toObject().value("isError"_L1).toBool());
}

void tst_UpstreamHosting::aCrashFailsTheCallInFlightAndNothingOfTheGroupRemains()
{
    QVERIFY(startServer());
    UpstreamServerConfig config = misbehavingUpstream(u"fx"_s, {u"--fork-grandchild"_s});
    config.restart = UpstreamServerConfig::Restart::Never;
    m_server->upstreams()->apply({config});
    QTRY_VERIFY_WITH_TIMEOUT(m_server->tools()->contains(u"fx__crash"_s), 15000);
    // The fixture's group: its pid is its pgid (setsid), read before it dies.
    const auto *supervisor = m_server->upstreams()->supervisor(u"fx"_s);
    const QString described = supervisor->client()->channel()->describe();
    const qint64 pgid = described.section(u"(pid "_s, 1).section(u')', 0, 0).toLongLong();
    QVERIFY2(pgid > 0, qPrintable(described));
    QTRY_VERIFY_WITH_TIMEOUT(livingProcessesInGroup(pgid).size() >= 2, 5000); // and grandchild

    const McpTestSession session = openSession(m_port);
    QVERIFY2(session.ok(), qPrintable(session.error));
    const QJsonObject answer =
        finalAnswer(postOnce(m_port, session.post(), toolCallBody(3, u"fx__crash"_s, {})));
    const QJsonObject result = answer.value("result"_L1).toObject();
    QVERIFY2(result.value("isError"_L1).toBool(), QJsonDocument(answer).toJson().constData());
    QVERIFY2(firstContentText(answer).contains(u"fx"_s), qPrintable(firstContentText(answer)));
    QTRY_COMPARE_WITH_TIMEOUT(supervisor->state(), UpstreamState::Crashed, 5000);
    QTRY_VERIFY_WITH_TIMEOUT(livingProcessesInGroup(pgid).isEmpty(), 5000);
    QVERIFY(!m_server->tools()->contains(u"fx__echo"_s));
    QVERIFY(m_server->tools()->contains(u"echo"_s)); // Heartline keeps serving its own
}

void tst_UpstreamHosting::removingTheServerFromTheConfigTakesItsToolsAndProcessAway()
{
    QVERIFY(startServer());
    m_server->upstreams()->apply({misbehavingUpstream(u"fx"_s, {u"--ignore-stdin-eof"_s})});
    QTRY_VERIFY_WITH_TIMEOUT(m_server->tools()->contains(u"fx__echo"_s), 15000);
    const QString described =
        m_server->upstreams()->supervisor(u"fx"_s)->client()->channel()->describe();
    const qint64 pgid = described.section(u"(pid "_s, 1).section(u')', 0, 0).toLongLong();
    QVERIFY(pgid > 0);

    m_server->upstreams()->apply({});
    QVERIFY(!m_server->tools()->contains(u"fx__echo"_s));
    QVERIFY(m_server->upstreams()->serverNames().isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(livingProcessesInGroup(pgid).isEmpty(), 5000);
}

void tst_UpstreamHosting::aMissingCommandIsAStateNotACrashOfHeartline()
{
    QVERIFY(startServer());
    UpstreamServerConfig missing;
    missing.name = u"gone"_s;
    missing.command = u"heartline-no-such-command-xyz"_s;
    missing.restart = UpstreamServerConfig::Restart::Never;
    m_server->upstreams()->apply({missing, misbehavingUpstream(u"fx"_s)});
    QTRY_VERIFY_WITH_TIMEOUT(m_server->tools()->contains(u"fx__echo"_s), 15000);
    const auto *supervisor = m_server->upstreams()->supervisor(u"gone"_s);
    QTRY_COMPARE_WITH_TIMEOUT(supervisor->state(), UpstreamState::Crashed, 5000);
    QVERIFY2(supervisor->lastError().contains(u"not found in PATH="_s),
             qPrintable(supervisor->lastError()));
}

// The server's shutdown (what a SIGTERM to Heartline or Quit in the window runs) waits for the
// children: a polite one ends when its stdin closes, a stubborn one (ignoring stdin's end and
// SIGTERM, with a grandchild) only at the SIGKILL, and `done` comes after both are reaped.
void tst_UpstreamHosting::shutdownEndsOnlyOnceEveryChildIsReaped()
{
    QVERIFY(startServer());
    m_server->upstreams()->apply(
        {misbehavingUpstream(u"polite"_s),
         misbehavingUpstream(u"stubborn"_s, {u"--ignore-stdin-eof"_s, u"--ignore-sigterm"_s,
                                             u"--fork-grandchild"_s})});
    QTRY_VERIFY_WITH_TIMEOUT(m_server->tools()->contains(u"polite__echo"_s)
                                 && m_server->tools()->contains(u"stubborn__echo"_s),
                             15000);
    QList<qint64> pids;
    for (const QString &name : {u"polite"_s, u"stubborn"_s}) {
        const QString described =
            m_server->upstreams()->supervisor(name)->client()->channel()->describe();
        pids.append(described.section(u"(pid "_s, 1).section(u')', 0, 0).toLongLong());
        QVERIFY2(pids.last() > 0, qPrintable(described));
    }
    QTRY_VERIFY_WITH_TIMEOUT(livingProcessesInGroup(pids.last()).size() >= 2, 5000);

    bool done = false;
    QList<qint64> childrenAliveAtDone;
    m_server->shutdown(100, [&]() {
        done = true;
        for (qint64 pid : std::as_const(pids)) {
            if (isAlive(pid))
                childrenAliveAtDone.append(pid);
        }
    });
    // Both channels are still ending: nothing has been reaped within the call.
    QCOMPARE(m_server->upstreams()->closingChannelCount(), 2);
    QVERIFY(!done);
    QTRY_VERIFY_WITH_TIMEOUT(done, 15000);
    QVERIFY2(childrenAliveAtDone.isEmpty(),
             qPrintable(u"still running at done: %1"_s.arg(childrenAliveAtDone.size())));
    QCOMPARE(m_server->upstreams()->closingChannelCount(), 0);
    // The grandchild got the group's SIGKILL with its parent; it dies as the kernel gets to it.
    for (qint64 pgid : std::as_const(pids))
        QTRY_VERIFY_WITH_TIMEOUT(livingProcessesInGroup(pgid).isEmpty(), 2000);
}

HEARTLINE_SERVER_TEST_MAIN(tst_UpstreamHosting)
#include "tst_upstreamhosting.moc"
