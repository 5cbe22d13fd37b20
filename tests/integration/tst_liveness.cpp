// Finding out that a peer is gone, and saying why: server pings (unresponsive, round trip)
// and the proxy-idle heuristic for streams cut while heartbeats are off.
#include "server/api/monitor.h"
#include "server/core/heartlineserver.h"
#include "server/protocol/catalog/toolregistry.h"
#include "server/session/sessionstore.h"
#include "server/stream/heartbeatscheduler.h"
#include "tests/support/inprocessserver.h"
#include "tests/support/mcptestsupport.h"
#include "tests/support/rawhttpclient.h"
#include "tests/support/servertestmain.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;
using namespace heartline;
using namespace heartline::testing;

namespace {

// A proxy that gives up after this much silence, played by the test, and a server told to
// suspect a proxy after just as much: the heuristic's own second, shortened.
constexpr int kProxyIdleMs = 150;

} // namespace

class tst_Liveness final : public InProcessServerTest
{
    Q_OBJECT

public:
    tst_Liveness()
        : InProcessServerTest(loopbackConfig(100, 10))
    {}

private Q_SLOTS:
    void answeredPingsRecordTheRoundTrip();
    void unansweredPingEndsTheSessionAsUnresponsive();
    void noPingWithoutAStreamToCarryIt();
    void silentStreamCutWithHeartbeatsOffIsSuspectedProxyIdle();
    void sameCutWithHeartbeatsOnIsTheClient();
    void cutWithHeartbeatsSlowerThanTheProxyIsSuspectedToo();
    void aBurstPastTheHighWaterMarkIsNotASlowConsumer();

private:
    // Starts a long silent call (no progress) and drops its stream the way a proxy does,
    // after `silenceMs`; returns how the Monitor recorded the end of that stream.
    DisconnectEvent cutSilentCallAfter(int silenceMs);
    // Opens the GET stream and waits for the ping request on it; returns its id.
    QJsonValue awaitPing(RawHttpClient &stream, const McpTestSession &session);
    ServerConfig proxyIdleConfig(int heartbeatMs) const
    {
        ServerConfig config = testConfig();
        config.heartbeatMs = heartbeatMs;
        config.proxyIdleToleranceMs = kProxyIdleMs;
        return config;
    }
};

QJsonValue tst_Liveness::awaitPing(RawHttpClient &stream, const McpTestSession &session)
{
    if (!stream.send("GET", "/mcp", session.get()))
        return {};
    QJsonValue id(QJsonValue::Undefined);
    stream.waitForSse(
        [&id](const QList<SseItem> &items) {
            for (const SseItem &item : items) {
                if (item.isEvent() && item.message().value("method"_L1) == "ping"_L1)
                    id = item.message().value("id"_L1);
            }
            return !id.isUndefined();
        },
        5000);
    return id;
}

void tst_Liveness::answeredPingsRecordTheRoundTrip()
{
    constexpr int kTimeoutMs = 400;
    constexpr int kTimeoutsAnswered = 4;
    ServerConfig config = testConfig();
    config.pingIntervalMs = 100;
    config.pingTimeoutMs = kTimeoutMs;
    QVERIFY(startServer(config));
    const McpTestSession session = openSession(m_port);
    QVERIFY2(session.ok(), qPrintable(session.error));
    QSignalSpy answered(m_server->monitor(), &Monitor::pingAnswered);
    QSignalSpy ended(m_server->monitor(), &Monitor::disconnected);
    const auto answer = [&](const QJsonValue &id) {
        return postOnce(m_port, session.post(),
                        QJsonDocument(QJsonObject{{"jsonrpc"_L1, "2.0"_L1},
                                                  {"id"_L1, id},
                                                  {"result"_L1, QJsonObject{}}})
                            .toJson(QJsonDocument::Compact))
            .status;
    };

    RawHttpClient stream(m_port);
    QJsonValue id = awaitPing(stream, session);
    QVERIFY2(id.isString(), "the server should ping an initialized session on its GET stream");
    // Answer every ping, one after the other, until several timeouts have passed since the
    // first: a session whose answered pings still count against it has ended by then.
    const qint64 firstPingMs = monotonicMs();
    QList<QJsonValue> answeredIds;
    while (monotonicMs() - firstPingMs < qint64(kTimeoutMs) * kTimeoutsAnswered) {
        QCOMPARE(answer(id), 202);
        answeredIds.append(id);
        QVERIFY2(
            stream.waitForSse(
                [&](const QList<SseItem> &items) {
                    for (const QJsonObject &message : messagesOf(items)) {
                        const QJsonValue next = message.value("id"_L1);
                        if (message.value("method"_L1) == "ping"_L1
                            && !answeredIds.contains(next)) {
                            id = next;
                            return true;
                        }
                    }
                    return false;
                },
                kTimeoutMs * 5),
            qPrintable(u"no ping after %1 answered ones; sessions: %2"_s.arg(answeredIds.size())
                           .arg(m_server->sessions()->count())));
    }
    QVERIFY2(answeredIds.size() > kTimeoutsAnswered,
             qPrintable(QString::number(answeredIds.size())));
    QCOMPARE(m_server->sessions()->count(), 1);
    for (const DisconnectEvent &event : firstArguments<DisconnectEvent>(ended))
        QVERIFY2(event.cause != DisconnectCause::Unresponsive, qPrintable(event.detail));

    // Every answer was recorded with its round trip, and the snapshot shows the latest.
    QTRY_COMPARE_WITH_TIMEOUT(answered.size(), answeredIds.size(), 2000);
    for (const QList<QVariant> &arguments : std::as_const(answered)) {
        QCOMPARE(arguments.at(0).toString(), QString::fromLatin1(session.id));
        const qint64 rtt = arguments.at(1).toLongLong();
        QVERIFY2(rtt >= 0 && rtt < kTimeoutMs, qPrintable(QString::number(rtt)));
    }
    QCOMPARE(m_server->monitor()->snapshot().sessions.first().pingRttMs,
             answered.last().at(1).toLongLong());

    // A duplicate answer is harmless.
    QCOMPARE(answer(answeredIds.first()), 202);
    QCOMPARE(m_server->sessions()->count(), 1);
}

void tst_Liveness::unansweredPingEndsTheSessionAsUnresponsive()
{
    ServerConfig config = testConfig();
    config.pingIntervalMs = 200;
    config.pingTimeoutMs = 300;
    QVERIFY(startServer(config));
    const McpTestSession session = openSession(m_port);
    QVERIFY2(session.ok(), qPrintable(session.error));
    QSignalSpy ended(m_server->monitor(), &Monitor::disconnected);

    RawHttpClient stream(m_port);
    QVERIFY(awaitPing(stream, session).isString());
    // ... and never answer it.
    QVERIFY(waitUntil([this]() { return m_server->sessions()->count() == 0; }, 3000));
    bool unresponsive = false;
    for (const DisconnectEvent &event : firstArguments<DisconnectEvent>(ended))
        unresponsive =
            unresponsive
            || (event.cause == DisconnectCause::Unresponsive && event.detail.contains("300 ms"_L1));
    QVERIFY2(unresponsive, "the session should end with cause unresponsive");
    QCOMPARE(postOnce(m_port, session.post(), requestBody(9, u"ping"_s)).status, 404);
}

void tst_Liveness::noPingWithoutAStreamToCarryIt()
{
    ServerConfig config = testConfig();
    config.pingIntervalMs = 50;
    config.pingTimeoutMs = 100;
    QVERIFY(startServer(config));
    const McpTestSession session = openSession(m_port);
    QVERIFY2(session.ok(), qPrintable(session.error));
    // No GET stream: nothing could carry a ping, so the client must not be judged by one.
    QSignalSpy messages(m_server->monitor(), &Monitor::messageObserved);
    QVERIFY(!waitUntil([&messages]() { return !messages.isEmpty(); }, 600));
    QCOMPARE(m_server->sessions()->count(), 1);
}

DisconnectEvent tst_Liveness::cutSilentCallAfter(int silenceMs)
{
    const McpTestSession session = openSession(m_port);
    if (!session.ok())
        return {};
    QSignalSpy ended(m_server->monitor(), &Monitor::disconnected);
    RawHttpClient call(m_port);
    if (!call.send("POST", "/mcp", session.post(), toolCallBody(3, u"sleep"_s, {{"ms"_L1, 5000}}))
        || !call.waitForHead(2000) || !call.response().isEventStream())
        return {};
    const qint64 opened = monotonicMs();
    waitUntil([&]() { return monotonicMs() - opened >= silenceMs; }, silenceMs + 1000);
    call.closeWriteSide();
    if (!waitUntil([&ended]() { return !ended.isEmpty(); }, 3000))
        return {};
    return firstArguments<DisconnectEvent>(ended).first();
}

void tst_Liveness::silentStreamCutWithHeartbeatsOffIsSuspectedProxyIdle()
{
    // After its priming event the call's stream says nothing; the peer (a proxy, played by
    // the test) drops it after more than the tolerated silence while the answer is owed.
    QVERIFY(startServer(proxyIdleConfig(0)));
    const DisconnectEvent event = cutSilentCallAfter(2 * kProxyIdleMs);
    QCOMPARE(DisconnectCauses::name(event.cause), u"proxy_idle_suspected"_s);
    QVERIFY2(event.sinceLastWriteMs >= kProxyIdleMs,
             qPrintable(QString::number(event.sinceLastWriteMs)));
    QVERIFY2(event.detail.contains("heartbeats are off"_L1), qPrintable(event.detail));
}

void tst_Liveness::sameCutWithHeartbeatsOnIsTheClient()
{
    ServerConfig config = testConfig();
    config.heartbeatMs = 100;
    QVERIFY(startServer(config));
    const McpTestSession session = openSession(m_port);
    QVERIFY2(session.ok(), qPrintable(session.error));
    QSignalSpy ended(m_server->monitor(), &Monitor::disconnected);

    RawHttpClient call(m_port);
    QVERIFY(
        call.send("POST", "/mcp", session.post(), toolCallBody(3, u"sleep"_s, {{"ms"_L1, 5000}})));
    QVERIFY(call.waitForSse([](const QList<SseItem> &items) {
        int beats = 0;
        for (const SseItem &item : items)
            beats += item.isHeartbeat() ? 1 : 0;
        return beats >= 10;
    }));
    call.closeWriteSide();
    QVERIFY(waitUntil([&ended]() { return !ended.isEmpty(); }, 3000));
    QCOMPARE(DisconnectCauses::name(firstArguments<DisconnectEvent>(ended).first().cause),
             u"client_closed"_s);
}

void tst_Liveness::cutWithHeartbeatsSlowerThanTheProxyIsSuspectedToo()
{
    // Heartbeats every 5 s behind a proxy that gives up sooner: the stream is silent longer
    // than the proxy allows though heartbeats are on. The hint must name the interval.
    QVERIFY(startServer(proxyIdleConfig(5000)));
    const DisconnectEvent event = cutSilentCallAfter(2 * kProxyIdleMs);
    QCOMPARE(DisconnectCauses::name(event.cause), u"proxy_idle_suspected"_s);
    QVERIFY2(event.detail.contains("5000 ms"_L1), qPrintable(event.detail));
}

void tst_Liveness::aBurstPastTheHighWaterMarkIsNotASlowConsumer()
{
    // A 2025-03-26 batch whose answers, written at once when the reply turns into a stream,
    // are several times the mark: a reader that keeps reading gets them all.
    ServerConfig config = testConfig();
    config.streamHighWaterBytes = 64 * 1024;
    QVERIFY(startServer(config));
    const McpTestSession session = openSession(m_port, "2025-03-26");
    QVERIFY2(session.ok(), qPrintable(session.error));
    QSignalSpy ended(m_server->monitor(), &Monitor::disconnected);

    const QString text(4096, u'x');
    QByteArray batch = "[";
    for (int i = 1; i <= 60; ++i)
        batch += toolCallBody(i, u"echo"_s, {{"message"_L1, text}}) + ',';
    batch += toolCallBody(61, u"sleep"_s, {{"ms"_L1, 200}}) + ']';
    const HttpResponse reply = postOnce(m_port, session.post(), batch, 5000);
    QVERIFY2(reply.complete && reply.isEventStream(), qPrintable(reply.describe()));
    int answers = 0;
    for (const SseItem &item : reply.sse) {
        if (item.isEvent() && item.message().contains("result"_L1))
            ++answers;
    }
    QCOMPARE(answers, 61);
    for (const DisconnectEvent &event : firstArguments<DisconnectEvent>(ended))
        QVERIFY2(event.cause != DisconnectCause::SlowConsumer, qPrintable(event.detail));
}

HEARTLINE_SERVER_TEST_MAIN(tst_Liveness)
#include "tst_liveness.moc"
