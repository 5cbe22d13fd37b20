#include "server/protocol/catalog/tool.h"
#include "server/tools/upstream/upstreamsessioninstances.h"
#include "tests/support/fakeupstreamchannel.h"
#include "tests/support/servertestmain.h"

#include <QJsonArray>
#include <QPointer>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace heartline;
using heartline::testing::FakeUpstreamChannel;
using heartline::testing::FakeChannelMaker;

namespace {

UpstreamServerConfig perSession()
{
    UpstreamServerConfig config;
    config.name = u"browser"_s;
    config.command = u"browser"_s;
    config.instances = UpstreamServerConfig::Instances::PerSession;
    config.restart = UpstreamServerConfig::Restart::Never;
    return config;
}

UpstreamSupervisorPolicy fastPolicy()
{
    UpstreamSupervisorPolicy policy;
    policy.restartBaseDelayMs = 10;
    return policy;
}

// A call as a session would make it, owned by the test.
std::unique_ptr<ToolCall> callFrom(const QString &sessionId)
{
    auto call = std::make_unique<ToolCall>(u"browser__open"_s, QJsonObject{}, QJsonValue());
    call->setSessionId(sessionId);
    return call;
}

QString resultText(const QSignalSpy &finished)
{
    const QJsonObject result = finished.first().first().toJsonObject();
    return result.value("content"_L1).toArray().first().toObject().value("text"_L1).toString();
}

} // namespace

// Per-session copies of one upstream server over fake channels: started by a session's first
// call, reused by its later ones, apart from other sessions', stopped with their session.
class TestUpstreamSessionInstances final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void aFirstCallWaitsForItsSessionsCopyAndIsThenForwarded()
    {
        FakeChannelMaker maker;
        UpstreamSessionInstances instances(perSession(), maker.factory(), {}, fastPolicy());
        auto call = callFrom(u"s1"_s);
        QSignalSpy finished(call.get(), &ToolCall::finished);
        instances.callTool(u"open"_s, call.get());
        QCOMPARE(maker.made.size(), 1);
        QCOMPARE(finished.size(), 0); // nothing is sent before the copy is ready

        QTRY_COMPARE(maker.made.first()->requests(u"tools/call"_s).size(), 1);
        const QJsonObject sent = maker.made.first()->lastRequest(u"tools/call"_s);
        QCOMPARE(sent.value("params"_L1).toObject().value("name"_L1).toString(), u"open"_s);
        maker.made.first()->answer(sent, QJsonObject{{"content"_L1, QJsonArray{QJsonObject{
                                                         {"type"_L1, "text"_L1},
                                                         {"text"_L1, "opened"_L1}}}}});
        QTRY_COMPARE(finished.size(), 1);
        QCOMPARE(resultText(finished), u"opened"_s);
    }

    void aSessionKeepsItsCopyAndAnotherSessionGetsItsOwn()
    {
        FakeChannelMaker maker;
        UpstreamSessionInstances instances(perSession(), maker.factory(), {}, fastPolicy());
        auto first = callFrom(u"s1"_s);
        instances.callTool(u"open"_s, first.get());
        QTRY_COMPARE(maker.made.first()->requests(u"tools/call"_s).size(), 1);

        auto again = callFrom(u"s1"_s);
        instances.callTool(u"open"_s, again.get());
        QCOMPARE(maker.made.size(), 1);
        QCOMPARE(maker.made.first()->requests(u"tools/call"_s).size(), 2); // at once: ready

        auto other = callFrom(u"s2"_s);
        instances.callTool(u"open"_s, other.get());
        QCOMPARE(maker.made.size(), 2);
        QTRY_COMPARE(maker.made.last()->requests(u"tools/call"_s).size(), 1);
        QCOMPARE(instances.sessionIds().size(), 2);
    }

    void endingASessionClosesOnlyItsCopyAndFailsItsCallsInFlight()
    {
        FakeChannelMaker maker;
        UpstreamSessionInstances instances(perSession(), maker.factory(), {}, fastPolicy());
        auto one = callFrom(u"s1"_s);
        auto two = callFrom(u"s2"_s);
        QSignalSpy oneFinished(one.get(), &ToolCall::finished);
        instances.callTool(u"open"_s, one.get());
        instances.callTool(u"open"_s, two.get());
        QTRY_COMPARE(maker.made.first()->requests(u"tools/call"_s).size(), 1);
        QTRY_COMPARE(maker.made.last()->requests(u"tools/call"_s).size(), 1);

        instances.endSession(u"s1"_s);
        QCOMPARE(oneFinished.size(), 1); // failed at once, never left hanging
        QVERIFY(oneFinished.first().first().toJsonObject().value("isError"_L1).toBool());
        QTRY_VERIFY(!maker.made.first() || !maker.made.first()->isOpen());
        QVERIFY(maker.made.last()->isOpen());
        QCOMPARE(maker.made.last()->closeCount, 0);
        QCOMPARE(instances.sessionIds(), QStringList{u"s2"_s});
        QVERIFY(instances.supervisorOf(u"s1"_s) == nullptr);

        instances.endSession(u"unknown"_s); // a session that never called: nothing happens
        QCOMPARE(instances.sessionIds().size(), 1);
    }

    void aCopyThatCannotStartFailsTheCallSayingWhy()
    {
        FakeChannelMaker maker;
        maker.failOpen = true;
        maker.failReason = u"`browser` not found in PATH=/nowhere"_s;
        UpstreamSessionInstances instances(perSession(), maker.factory(), {}, fastPolicy());
        auto call = callFrom(u"s1"_s);
        QSignalSpy finished(call.get(), &ToolCall::finished);
        instances.callTool(u"open"_s, call.get());
        QTRY_COMPARE(finished.size(), 1);
        const QJsonObject result = finished.first().first().toJsonObject();
        QVERIFY(result.value("isError"_L1).toBool());
        const QString text = resultText(finished);
        QVERIFY2(text.contains(u"could not start its instance for this session"_s), qPrintable(text));
        QVERIFY2(text.contains(u"not found in PATH=/nowhere"_s), qPrintable(text));
        // Not retried behind the session's back: its next call starts afresh.
        QVERIFY(instances.sessionIds().isEmpty());
        auto next = callFrom(u"s1"_s);
        instances.callTool(u"open"_s, next.get());
        QCOMPARE(maker.made.size(), 2);
    }

    void stoppingAllClosesEveryCopy()
    {
        FakeChannelMaker maker;
        UpstreamSessionInstances instances(perSession(), maker.factory(), {}, fastPolicy());
        auto one = callFrom(u"s1"_s);
        auto two = callFrom(u"s2"_s);
        instances.callTool(u"open"_s, one.get());
        instances.callTool(u"open"_s, two.get());
        QTRY_COMPARE(maker.made.last()->requests(u"tools/call"_s).size(), 1);
        instances.stopAll();
        QVERIFY(instances.sessionIds().isEmpty());
        QTRY_VERIFY(!maker.made.first() || !maker.made.first()->isOpen());
        QTRY_VERIFY(!maker.made.last() || !maker.made.last()->isOpen());
    }
};

HEARTLINE_SERVER_TEST_MAIN(TestUpstreamSessionInstances)
#include "tst_upstreamsessioninstances.moc"
