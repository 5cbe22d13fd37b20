// What the Monitor tells the window, checked against the real server: message bodies for the
// traffic view (cut when large), every finished tool call, and streams that resume.
#include "server/api/monitor.h"
#include "server/core/control.h"
#include "server/core/heartlineserver.h"
#include "server/protocol/catalog/toolregistry.h"
#include "tests/support/inprocessserver.h"
#include "tests/support/mcptestsupport.h"
#include "tests/support/rawhttpclient.h"
#include "tests/support/servertestmain.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;
using namespace heartline;
using namespace heartline::testing;

namespace {

MessageEvent findMessage(const QSignalSpy &spy, MessageEvent::Direction direction,
                         const QString &method, const QString &id)
{
    for (const MessageEvent &event : firstArguments<MessageEvent>(spy)) {
        if (event.direction == direction && event.method == method && event.id == id)
            return event;
    }
    return {};
}

} // namespace

class tst_Monitor final : public InProcessServerTest
{
    Q_OBJECT

public:
    tst_Monitor()
        : InProcessServerTest(loopbackConfig(100, 10))
    {}

private Q_SLOTS:
    void messagesCarryTheirJson();
    void bigMessagesAreCutAtTheTrafficLimit();
    void batchMembersCarryTheirOwnJson();
    void finishedToolCallsAreReported_data();
    void finishedToolCallsAreReported();
    void toolCallOutcomesKeepTheirMetricsNames_data();
    void toolCallOutcomesKeepTheirMetricsNames();
    void listingToolsReportsTheGenerationSeen();
    void resumedStreamIsMarkedResumed();
    void streamEndsAreCountedByOutcome();
};

void tst_Monitor::messagesCarryTheirJson()
{
    QVERIFY(startServer(testConfig()));
    const McpTestSession session = openSession(m_port);
    QVERIFY2(session.ok(), qPrintable(session.error));
    QSignalSpy observed(m_server->monitor(), &Monitor::messageObserved);

    const QByteArray call = toolCallBody(5, u"echo"_s, {{"message"_L1, "hello traffic"_L1}});
    const HttpResponse reply = postOnce(m_port, session.post(), call);
    QCOMPARE(reply.status, 200);

    const MessageEvent in =
        findMessage(observed, MessageEvent::Direction::In, u"tools/call"_s, u"5"_s);
    QCOMPARE(in.sessionId, QString::fromLatin1(session.id));
    QCOMPARE(in.body, call);
    QCOMPARE(in.bytes, call.size());
    QVERIFY(!in.bodyTruncated);

    QTRY_VERIFY_WITH_TIMEOUT(
        !findMessage(observed, MessageEvent::Direction::Out, {}, u"5"_s).body.isEmpty(), 2000);
    const MessageEvent out = findMessage(observed, MessageEvent::Direction::Out, {}, u"5"_s);
    QVERIFY(!out.bodyTruncated);
    QCOMPARE(out.bytes, out.body.size());
    const QJsonObject answer = QJsonDocument::fromJson(out.body).object();
    QCOMPARE(answer.value("id"_L1).toInt(), 5);
    QCOMPARE(firstContentText(answer), u"hello traffic"_s);
    // What the client received is what the traffic view shows.
    QCOMPARE(QJsonDocument::fromJson(reply.body).object(), answer);
}

void tst_Monitor::bigMessagesAreCutAtTheTrafficLimit()
{
    QVERIFY(startServer(testConfig()));
    const McpTestSession session = openSession(m_port);
    QVERIFY2(session.ok(), qPrintable(session.error));
    QSignalSpy observed(m_server->monitor(), &Monitor::messageObserved);

    const QString text(3 * kTrafficBodyLimit, u'y');
    const QByteArray call = toolCallBody(9, u"echo"_s, {{"message"_L1, text}});
    const HttpResponse reply = postOnce(m_port, session.post(), call);
    QCOMPARE(reply.status, 200);

    const MessageEvent in =
        findMessage(observed, MessageEvent::Direction::In, u"tools/call"_s, u"9"_s);
    QVERIFY(in.bodyTruncated);
    QCOMPARE(in.bytes, call.size());
    QCOMPARE(in.body.size(), kTrafficBodyLimit);
    QCOMPARE(in.body, call.left(kTrafficBodyLimit));

    QTRY_VERIFY_WITH_TIMEOUT(
        !findMessage(observed, MessageEvent::Direction::Out, {}, u"9"_s).body.isEmpty(), 2000);
    const MessageEvent out = findMessage(observed, MessageEvent::Direction::Out, {}, u"9"_s);
    QVERIFY(out.bodyTruncated);
    QVERIFY(out.bytes > 3 * kTrafficBodyLimit);
    QCOMPARE(out.body.size(), kTrafficBodyLimit);
    QVERIFY(reply.body.startsWith(out.body));
}

void tst_Monitor::batchMembersCarryTheirOwnJson()
{
    QVERIFY(startServer(testConfig()));
    const McpTestSession session = openSession(m_port, "2025-03-26");
    QVERIFY2(session.ok(), qPrintable(session.error));
    QSignalSpy observed(m_server->monitor(), &Monitor::messageObserved);

    const QByteArray batch = '[' + toolCallBody(1, u"echo"_s, {{"message"_L1, "one"_L1}}) + ','
                             + toolCallBody(2, u"echo"_s, {{"message"_L1, "two"_L1}}) + ']';
    QCOMPARE(postOnce(m_port, session.post(), batch).status, 200);
    for (int id = 1; id <= 2; ++id) {
        const MessageEvent in = findMessage(observed, MessageEvent::Direction::In, u"tools/call"_s,
                                            QString::number(id));
        const QJsonObject message = QJsonDocument::fromJson(in.body).object();
        QCOMPARE(message.value("id"_L1).toInt(), id);
        QCOMPARE(in.bytes, in.body.size());
    }
}

void tst_Monitor::finishedToolCallsAreReported_data()
{
    QTest::addColumn<QString>("tool");
    QTest::addColumn<QJsonObject>("arguments");
    QTest::addColumn<ToolCallOutcome>("outcome");
    QTest::addColumn<int>("minLatencyMs");

    QTest::newRow("echo") << u"echo"_s << QJsonObject{{"message"_L1, "hi"_L1}}
                          << ToolCallOutcome::Ok << 0;
    QTest::newRow("sleep") << u"sleep"_s << QJsonObject{{"ms"_L1, 150}} << ToolCallOutcome::Ok
                           << 140;
}

void tst_Monitor::finishedToolCallsAreReported()
{
    QFETCH(QString, tool);
    QFETCH(QJsonObject, arguments);
    QFETCH(ToolCallOutcome, outcome);
    QFETCH(int, minLatencyMs);

    QVERIFY(startServer(testConfig()));
    const McpTestSession session = openSession(m_port);
    QVERIFY2(session.ok(), qPrintable(session.error));
    QSignalSpy called(m_server->monitor(), &Monitor::toolCalled);

    const qint64 startedMs = QDateTime::currentMSecsSinceEpoch();
    const HttpResponse reply = postOnce(m_port, session.post(), toolCallBody(3, tool, arguments));
    QCOMPARE(reply.status, 200);
    QTRY_COMPARE_WITH_TIMEOUT(called.size(), 1, 2000);

    const ToolCallRecord record = firstArguments<ToolCallRecord>(called).first();
    QCOMPARE(record.tool, tool);
    QCOMPARE(record.outcome, outcome);
    QCOMPARE(record.sessionId, QString::fromLatin1(session.id));
    QVERIFY2(record.latencyMs >= minLatencyMs && record.latencyMs < 5000,
             qPrintable(QString::number(record.latencyMs)));
    QVERIFY(record.wallMs >= startedMs && record.wallMs <= QDateTime::currentMSecsSinceEpoch());
    // The running totals behind /metrics still count it.
    QCOMPARE(m_server->monitor()->snapshot().counters.toolCalls.value(
                 {tool, toolCallOutcomeName(outcome)}),
             1u);
}

void tst_Monitor::toolCallOutcomesKeepTheirMetricsNames_data()
{
    QTest::addColumn<ToolCallOutcome>("outcome");
    QTest::addColumn<QString>("name");

    QTest::newRow("ok") << ToolCallOutcome::Ok << u"ok"_s;
    QTest::newRow("tool error") << ToolCallOutcome::ToolError << u"tool_error"_s;
    QTest::newRow("protocol error") << ToolCallOutcome::ProtocolError << u"protocol_error"_s;
    QTest::newRow("cancelled") << ToolCallOutcome::Cancelled << u"cancelled"_s;
}

void tst_Monitor::toolCallOutcomesKeepTheirMetricsNames()
{
    QFETCH(ToolCallOutcome, outcome);
    QFETCH(QString, name);

    // /metrics labels tool calls by these names; the typed outcome must not rename them.
    Monitor monitor;
    monitor.reportToolCall({u"echo"_s, outcome, 1, u"s"_s, 1, {}});
    QCOMPARE(toolCallOutcomeName(outcome), name);
    QCOMPARE(monitor.snapshot().counters.toolCalls.value({u"echo"_s, name}), 1u);
}

void tst_Monitor::listingToolsReportsTheGenerationSeen()
{
    QVERIFY(startServer(testConfig()));
    const McpTestSession session = openSession(m_port);
    QVERIFY2(session.ok(), qPrintable(session.error));
    QSignalSpy seen(m_server->monitor(), &Monitor::toolsListSeen);
    QSignalSpy changed(m_server->monitor(), &Monitor::toolChanged);

    QString error;
    QVERIFY(listToolNames(m_port, session, &error).contains(u"echo"_s));
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QTRY_COMPARE_WITH_TIMEOUT(seen.size(), 1, 2000);
    const auto listed = seen.first().first().value<ToolsListSeenEvent>();
    QCOMPARE(listed.sessionId, QString::fromLatin1(session.id));
    QCOMPARE(listed.generation, m_server->tools()->generation());

    // A change carries the first generation that has it; listing again catches up to it.
    QVERIFY2(m_server->control()->setToolEnabled(u"echo"_s, false, &error), qPrintable(error));
    QCOMPARE(changed.size(), 1);
    const auto change = changed.first().first().value<ToolEvent>();
    QCOMPARE(change.change, ToolEvent::Change::Disabled);
    QVERIFY(change.generation > listed.generation);
    QVERIFY(!listToolNames(m_port, session, &error).contains(u"echo"_s));
    QTRY_COMPARE_WITH_TIMEOUT(seen.size(), 2, 2000);
    QCOMPARE(seen.last().first().value<ToolsListSeenEvent>().generation, change.generation);
}

void tst_Monitor::resumedStreamIsMarkedResumed()
{
    QVERIFY(startServer(testConfig()));
    const McpTestSession session = openSession(m_port);
    QVERIFY2(session.ok(), qPrintable(session.error));
    QSignalSpy opened(m_server->monitor(), &Monitor::streamOpened);
    QSignalSpy closed(m_server->monitor(), &Monitor::streamClosed);

    auto first = std::make_unique<RawHttpClient>(m_port);
    QVERIFY(first->send("GET", "/mcp", session.get()));
    QVERIFY(first->waitForSse(
        [](const QList<SseItem> &items) { return !lastEventId(items).isEmpty(); }));
    const QByteArray cursor = lastEventId(first->response().sse);
    QCOMPARE(opened.size(), 1);
    QVERIFY(!opened.first().first().value<StreamInfo>().resumed);
    first->abort();
    QTRY_COMPARE_WITH_TIMEOUT(closed.size(), 1, 3000);
    QVERIFY(!closed.first().first().value<StreamClosedEvent>().stream.resumed);

    RawHttpClient resumed(m_port);
    RawHeaders headers = session.get();
    headers.push_back({"Last-Event-ID", cursor});
    QVERIFY(resumed.send("GET", "/mcp", headers));
    QVERIFY(resumed.waitForHead());
    QCOMPARE(resumed.response().status, 200);
    QTRY_COMPARE_WITH_TIMEOUT(opened.size(), 2, 2000);
    const StreamInfo info = opened.at(1).first().value<StreamInfo>();
    QVERIFY(info.resumed);
    QCOMPARE(info.kind, StreamKind::Standalone);
    QCOMPARE(info.id, opened.first().first().value<StreamInfo>().id);
    bool inSnapshot = false;
    for (const StreamInfo &stream : m_server->monitor()->snapshot().streams)
        inSnapshot = inSnapshot || (stream.id == info.id && stream.resumed);
    QVERIFY(inSnapshot);

    resumed.abort();
    QTRY_COMPARE_WITH_TIMEOUT(closed.size(), 2, 3000);
    QVERIFY(closed.at(1).first().value<StreamClosedEvent>().stream.resumed);
}

// /metrics' heartline_streams_closed_total: the soak checks every stream opened ended one way or
// the other, and each disconnected one under a cause.
void tst_Monitor::streamEndsAreCountedByOutcome()
{
    QVERIFY(startServer(testConfig()));
    const McpTestSession session = openSession(m_port);
    QVERIFY2(session.ok(), qPrintable(session.error));
    const auto counters = [this]() { return m_server->monitor()->snapshot().counters; };
    const auto disconnects = [&counters]() {
        quint64 total = 0;
        for (quint64 count : counters().disconnectsByCause)
            total += count;
        return total;
    };
    const quint64 disconnectsBefore = disconnects();

    RawHttpClient call(m_port);
    QVERIFY(call.send("POST", "/mcp", session.post(),
                      toolCallBody(1, u"sleep"_s, {{"ms"_L1, 100}, {"progressEveryMs"_L1, 20}},
                                   u"progress-1"_s)));
    QVERIFY(call.waitForComplete());
    QVERIFY2(call.response().isEventStream(), qPrintable(call.response().describe()));
    QTRY_COMPARE_WITH_TIMEOUT(counters().streamsCompleted, 1u, 2000);
    QCOMPARE(counters().streamsDisconnected, 0u);

    RawHttpClient listen(m_port);
    QCOMPARE(openGetStream(listen, session), QString());
    QVERIFY(listen.resetConnection());
    QTRY_COMPARE_WITH_TIMEOUT(counters().streamsDisconnected, 1u, 3000);
    QCOMPARE(counters().streamsCompleted, 1u);
    QCOMPARE(counters().streamsOpened, 2u);
    QCOMPARE(disconnects(), disconnectsBefore + 1);
    QCOMPARE(counters().disconnectsByCause.value(u"connection_reset"_s), 1u);
}

HEARTLINE_SERVER_TEST_MAIN(tst_Monitor)
#include "tst_monitor.moc"
