// Resumability (MCP 2025-11-25 "Resumability and redelivery", SEP-1699): a stream outlives
// its connection. Cut a long tool call's stream, come back with GET + Last-Event-ID, and get
// every missed event and the response exactly once - on that stream only.
#include "server/api/monitor.h"
#include "server/core/control.h"
#include "server/core/heartlineserver.h"
#include "server/protocol/catalog/toolregistry.h"
#include "tests/support/inprocessserver.h"
#include "tests/support/mcptestsupport.h"
#include "tests/support/rawhttpclient.h"
#include "tests/support/servertestmain.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;
using namespace heartline;
using namespace heartline::testing;

namespace {

QList<SseItem> dataEvents(const QList<SseItem> &items)
{
    QList<SseItem> events;
    for (const SseItem &item : items) {
        if (item.isEvent() && item.hasData && !item.data.isEmpty())
            events.append(item);
    }
    return events;
}

RawHeaders withLastEventId(RawHeaders headers, const QByteArray &id)
{
    headers.append({"Last-Event-ID", id});
    return headers;
}

} // namespace

class tst_Resumption final : public InProcessServerTest
{
    Q_OBJECT

public:
    tst_Resumption()
        : InProcessServerTest(loopbackConfig(100, 10))
    {}

private Q_SLOTS:
    void cutToolCallResumesWithEveryMissedEventOnce();
    void resumingAfterTheCallFinishedReplaysTheRest();
    void resumeReplacesAConnectionStillAttached();
    void resumedStreamStartsWithAFreshCursor();
    void standaloneStreamResumesWithWhatItMissed();
    void unknownOrForeignEventIdIsRefused_data();
    void unknownOrForeignEventIdIsRefused();
    void evictedEventIdIsRefused();
    void pollCloseSendsRetryAndTheClientResumes();
};

void tst_Resumption::cutToolCallResumesWithEveryMissedEventOnce()
{
    QVERIFY(startServer(testConfig()));
    const McpTestSession session = openSession(m_port);
    QVERIFY2(session.ok(), qPrintable(session.error));

    // A 1.5 s call reporting progress every 100 ms; cut it after the third progress event.
    auto call = std::make_unique<RawHttpClient>(m_port);
    QVERIFY(
        call->send("POST", "/mcp", session.post(),
                   toolCallBody(7, u"sleep"_s, {{"ms"_L1, 1500}, {"progressEveryMs"_L1, 100}}, 7)));
    QVERIFY(call->waitForSse(
        [](const QList<SseItem> &items) { return dataEvents(items).size() >= 3; }));
    const QList<SseItem> before = call->response().sse;
    const QByteArray cursor = lastEventId(before);
    QVERIFY(!cursor.isEmpty());
    call->abort(); // the connection breaks mid-call, as a proxy would break it
    call.reset();

    // Let the tool report more while nobody is connected.
    QSignalSpy reported(m_server->monitor(), &Monitor::messageObserved);
    QVERIFY(waitUntil([&reported]() { return reported.size() >= 3; }));

    RawHttpClient resumed(m_port);
    QVERIFY(resumed.send("GET", "/mcp", withLastEventId(session.get(), cursor)));
    QVERIFY2(resumed.waitForComplete(5000), qPrintable(resumed.response().describe()));
    QCOMPARE(resumed.response().status, 200);
    QVERIFY(resumed.response().isEventStream());

    // Every progress value exactly once across both connections, strictly increasing, and the
    // response once, at the end.
    QList<double> progress;
    int responses = 0;
    QSet<QByteArray> ids;
    for (const SseItem &event : dataEvents(before) + dataEvents(resumed.response().sse)) {
        QVERIFY2(!ids.contains(event.id),
                 QByteArray("event " + event.id + " was delivered twice").constData());
        ids.insert(event.id);
        const QJsonObject message = event.message();
        if (message.value("method"_L1) == "notifications/progress"_L1) {
            QCOMPARE(responses, 0);
            progress.append(message.value("params"_L1).toObject().value("progress"_L1).toDouble());
        } else if (isFinalResponse(message)) {
            ++responses;
            QCOMPARE(message.value("id"_L1), QJsonValue(7));
            QVERIFY(message.contains("result"_L1));
        }
    }
    QCOMPARE(responses, 1);
    QVERIFY2(progress.size() >= 10, qPrintable(u"only %1 progress events"_s.arg(progress.size())));
    for (qsizetype i = 1; i < progress.size(); ++i)
        QVERIFY(progress.at(i) > progress.at(i - 1));
    // Some of it came only after the cut, through the resumed connection.
    QVERIFY(!dataEvents(resumed.response().sse).isEmpty());
    // Ids on the resumed connection only ever grow: the fresh cursor it is given comes after
    // the replay, so resuming from it can never skip a replayed event.
    quint64 previous = 0;
    for (const SseItem &item : resumed.response().sse) {
        if (!item.isEvent() || !item.hasId)
            continue;
        const quint64 sequence = item.id.mid(item.id.lastIndexOf('-') + 1).toULongLong();
        QVERIFY2(sequence > previous, item.id.constData());
        previous = sequence;
    }
}

void tst_Resumption::resumingAfterTheCallFinishedReplaysTheRest()
{
    QVERIFY(startServer(testConfig()));
    const McpTestSession session = openSession(m_port);
    QVERIFY2(session.ok(), qPrintable(session.error));

    auto call = std::make_unique<RawHttpClient>(m_port);
    QVERIFY(call->send(
        "POST", "/mcp", session.post(),
        toolCallBody(8, u"sleep"_s, {{"ms"_L1, 400}, {"progressEveryMs"_L1, 100}}, u"p"_s)));
    QVERIFY(call->waitForSse(
        [](const QList<SseItem> &items) { return !lastEventId(items).isEmpty(); }));
    const QByteArray cursor = lastEventId(call->response().sse); // the priming event
    call->abort();
    call.reset();

    // The call finishes while the client is away.
    QSignalSpy messages(m_server->monitor(), &Monitor::messageObserved);
    QVERIFY(waitUntil(
        [&messages]() {
            for (const QList<QVariant> &args : messages) {
                const auto event = args.first().value<MessageEvent>();
                if (event.direction == MessageEvent::Direction::Out && event.id == "8"_L1)
                    return true;
            }
            return false;
        },
        5000));

    RawHttpClient resumed(m_port);
    QVERIFY(resumed.send("GET", "/mcp", withLastEventId(session.get(), cursor)));
    QVERIFY2(resumed.waitForComplete(3000), qPrintable(resumed.response().describe()));
    const QList<SseItem> events = dataEvents(resumed.response().sse);
    QVERIFY(!events.isEmpty());
    QVERIFY(isFinalResponse(events.last().message()));
    QCOMPARE(events.last().message().value("id"_L1), QJsonValue(8));
}

void tst_Resumption::resumeReplacesAConnectionStillAttached()
{
    QVERIFY(startServer(testConfig()));
    const McpTestSession session = openSession(m_port);
    QVERIFY2(session.ok(), qPrintable(session.error));

    // The server still believes in the first connection (a half-open one, say); the client
    // has given up on it and resumes. The new connection wins; the old is cut.
    RawHttpClient first(m_port);
    QVERIFY(
        first.send("POST", "/mcp", session.post(),
                   toolCallBody(9, u"sleep"_s, {{"ms"_L1, 800}, {"progressEveryMs"_L1, 100}}, 9)));
    QVERIFY(first.waitForSse(
        [](const QList<SseItem> &items) { return dataEvents(items).size() >= 2; }));
    const QByteArray cursor = lastEventId(first.response().sse);

    QSignalSpy disconnects(m_server->monitor(), &Monitor::disconnected);
    RawHttpClient second(m_port);
    QVERIFY(second.send("GET", "/mcp", withLastEventId(session.get(), cursor)));
    QVERIFY2(second.waitForComplete(5000), qPrintable(second.response().describe()));
    QVERIFY(isFinalResponse(dataEvents(second.response().sse).last().message()));
    QVERIFY(first.waitForDisconnected(2000));

    bool replaced = false;
    for (const QList<QVariant> &args : disconnects)
        replaced =
            replaced
            || args.first().value<DisconnectEvent>().cause == DisconnectCause::StreamReplaced;
    QVERIFY2(replaced, "the old connection should end with cause stream_replaced");
}

void tst_Resumption::resumedStreamStartsWithAFreshCursor()
{
    QVERIFY(startServer(testConfig()));
    const McpTestSession session = openSession(m_port);
    QVERIFY2(session.ok(), qPrintable(session.error));

    // A silent call (no progress): cut, resumed, cut again before anything new was said.
    // The client must still hold an id of this stream after the second cut.
    auto call = std::make_unique<RawHttpClient>(m_port);
    QVERIFY(
        call->send("POST", "/mcp", session.post(), toolCallBody(6, u"sleep"_s, {{"ms"_L1, 700}})));
    QVERIFY(call->waitForSse(
        [](const QList<SseItem> &items) { return !lastEventId(items).isEmpty(); }));
    const QByteArray first = lastEventId(call->response().sse);
    call->abort();

    auto resumed = std::make_unique<RawHttpClient>(m_port);
    QVERIFY(resumed->send("GET", "/mcp", withLastEventId(session.get(), first)));
    QVERIFY(resumed->waitForSse(
        [](const QList<SseItem> &items) { return !lastEventId(items).isEmpty(); }));
    const QByteArray second = lastEventId(resumed->response().sse);
    QVERIFY2(second != first && second.startsWith(first.left(first.indexOf('-') + 1)),
             QByteArray(first + " then " + second).constData());
    resumed->abort();

    RawHttpClient again(m_port);
    QVERIFY(again.send("GET", "/mcp", withLastEventId(session.get(), second)));
    QVERIFY2(again.waitForComplete(5000), qPrintable(again.response().describe()));
    QCOMPARE(again.response().status, 200);
    const QList<SseItem> events = dataEvents(again.response().sse);
    QVERIFY(!events.isEmpty());
    QVERIFY(isFinalResponse(events.last().message()));
    QCOMPARE(events.last().message().value("id"_L1), QJsonValue(6));
}

void tst_Resumption::standaloneStreamResumesWithWhatItMissed()
{
    QVERIFY(startServer(testConfig()));
    const McpTestSession session = openSession(m_port);
    QVERIFY2(session.ok(), qPrintable(session.error));

    auto stream = std::make_unique<RawHttpClient>(m_port);
    QVERIFY(stream->send("GET", "/mcp", session.get()));
    QVERIFY(stream->waitForSse(
        [](const QList<SseItem> &items) { return !lastEventId(items).isEmpty(); }));
    const QByteArray cursor = lastEventId(stream->response().sse);
    stream->abort();
    stream.reset();
    QVERIFY(waitUntil([this]() { return m_server->monitor()->snapshot().streams.isEmpty(); }));

    // A tool toggle while the client is away.
    QString error;
    QVERIFY(m_server->control()->setToolEnabled(u"echo"_s, false, &error));

    RawHttpClient resumed(m_port);
    QVERIFY(resumed.send("GET", "/mcp", withLastEventId(session.get(), cursor)));
    QVERIFY(resumed.waitForSse([](const QList<SseItem> &items) {
        for (const SseItem &event : dataEvents(items)) {
            if (event.message().value("method"_L1) == "notifications/tools/list_changed"_L1)
                return true;
        }
        return false;
    }));
    QCOMPARE(resumed.response().status, 200);
    // A second plain GET while it is open is still refused: one standalone stream.
    RawHttpClient another(m_port);
    QCOMPARE(another.request("GET", "/mcp", session.get()).status, 409);
}

void tst_Resumption::unknownOrForeignEventIdIsRefused_data()
{
    QTest::addColumn<QByteArray>("lastEventId");
    QTest::newRow("garbage") << QByteArray("not-an-id");
    QTest::newRow("no sequence") << QByteArray("post1-");
    QTest::newRow("a stream that never existed") << QByteArray("post99-1");
    QTest::newRow("a sequence never sent") << QByteArray("post1-999999");
}

void tst_Resumption::unknownOrForeignEventIdIsRefused()
{
    QFETCH(QByteArray, lastEventId);
    QVERIFY(startServer(testConfig()));
    const McpTestSession session = openSession(m_port);
    QVERIFY2(session.ok(), qPrintable(session.error));
    // One real POST stream, so "post1" exists in this session.
    const HttpResponse call =
        postOnce(m_port, session.post(),
                 toolCallBody(3, u"sleep"_s, {{"ms"_L1, 100}, {"progressEveryMs"_L1, 20}}, 3));
    QVERIFY(call.isEventStream());

    RawHttpClient client(m_port);
    const HttpResponse refused =
        client.request("GET", "/mcp", withLastEventId(session.get(), lastEventId));
    QCOMPARE(refused.status, 400);
    QCOMPARE(refused.jsonRpcErrorCode(), -32000);
    // ... and an event id of another session is unknown to this one.
    const McpTestSession other = openSession(m_port);
    const QByteArray real = heartline::testing::lastEventId(call.sse);
    QCOMPARE(
        RawHttpClient(m_port).request("GET", "/mcp", withLastEventId(other.get(), real)).status,
        400);
}

void tst_Resumption::evictedEventIdIsRefused()
{
    ServerConfig config = testConfig();
    config.eventLogMaxEvents = 5;
    QVERIFY(startServer(config));
    const McpTestSession session = openSession(m_port);
    QVERIFY2(session.ok(), qPrintable(session.error));

    // Twenty progress events through a log that keeps five: the early ids are gone.
    const HttpResponse call =
        postOnce(m_port, session.post(),
                 toolCallBody(4, u"sleep"_s, {{"ms"_L1, 500}, {"progressEveryMs"_L1, 20}}, 4));
    const QList<SseItem> events = dataEvents(call.sse);
    QVERIFY(events.size() > 10);
    RawHttpClient client(m_port);
    const HttpResponse refused =
        client.request("GET", "/mcp", withLastEventId(session.get(), events.first().id));
    QCOMPARE(refused.status, 400);
    QVERIFY2(refused.body.contains("no longer kept"), refused.body.constData());
    QVERIFY(m_server->monitor()->snapshot().counters.eventsEvicted > 0);

    // The newest ids are still kept and resume fine.
    const HttpResponse fine = RawHttpClient(m_port).request(
        "GET", "/mcp", withLastEventId(session.get(), events.at(events.size() - 2).id));
    QCOMPARE(fine.status, 200);
    QVERIFY(isFinalResponse(dataEvents(fine.sse).last().message()));
}

void tst_Resumption::pollCloseSendsRetryAndTheClientResumes()
{
    ServerConfig config = testConfig();
    config.pollCloseAfterMs = 150;
    config.retryMs = 250;
    QVERIFY(startServer(config));
    const McpTestSession session = openSession(m_port);
    QVERIFY2(session.ok(), qPrintable(session.error));

    QSignalSpy disconnects(m_server->monitor(), &Monitor::disconnected);
    RawHttpClient call(m_port);
    const HttpResponse first =
        call.request("POST", "/mcp", session.post(),
                     toolCallBody(5, u"sleep"_s, {{"ms"_L1, 600}, {"progressEveryMs"_L1, 50}}, 5));
    QVERIFY2(first.complete, qPrintable(first.describe()));
    // Ended cleanly, early, after telling the client when to come back, without the response.
    bool sawRetry = false;
    for (const SseItem &item : first.sse)
        sawRetry = sawRetry || item.retryMs == 250;
    QVERIFY(sawRetry);
    for (const SseItem &event : dataEvents(first.sse))
        QVERIFY(!isFinalResponse(event.message()));
    bool pollClose = false;
    for (const QList<QVariant> &args : disconnects)
        pollClose =
            pollClose || args.first().value<DisconnectEvent>().cause == DisconnectCause::PollClose;
    QVERIFY2(pollClose, "the early close should be recorded as poll_close");

    const HttpResponse rest = RawHttpClient(m_port).request(
        "GET", "/mcp", withLastEventId(session.get(), lastEventId(first.sse)), {}, 5000);
    QCOMPARE(rest.status, 200);
    const QList<SseItem> events = dataEvents(rest.sse);
    QVERIFY(!events.isEmpty());
    QVERIFY(isFinalResponse(events.last().message()));
}

HEARTLINE_SERVER_TEST_MAIN(tst_Resumption)
#include "tst_resumption.moc"
