// A forwarded call seen while it runs, over a real in-process server forwarding to the
// misbehaving-upstream fixture: the Monitor names its server, request and stream; the
// connections panel shows it on its session and on the POST stream that will carry the answer;
// the timeline draws it on that stream's lane from start to end, with the heartbeats that kept
// the stream alive inside it. Heartline's own tools are not drawn as upstream calls.
#include "server/api/monitor.h"
#include "server/core/heartlineserver.h"
#include "server/protocol/catalog/toolregistry.h"
#include "server/tools/upstream/upstreamhost.h"
#include "tests/support/mcptestsupport.h"
#include "tests/support/misbehavingupstream.h"
#include "tests/support/modelservertest.h"
#include "tests/support/rawhttpclient.h"
#include "ui/models/connectionsmodel.h"
#include "ui/timeline/timelinemodel.h"

#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace heartline;
using namespace heartline::testing;

namespace {

constexpr int kStartTimeoutMs = 15000;
constexpr int kSlowCallMs = 1500;

} // namespace

class tst_UpstreamCallViews final : public ModelServerTest
{
    Q_OBJECT

public:
    // Heartbeats every 200 ms and a 50 ms grace, so the slow call's POST becomes a stream
    // with heartbeats on it well within the call.
    tst_UpstreamCallViews()
        : ModelServerTest(loopbackConfig(200, 50))
    {}

private Q_SLOTS:
    void aSlowForwardedCallShowsWhereItRunsUntilItEnds();
    void ownToolsAreNotUpstreamCalls();

private:
    bool startFixture();
};

bool tst_UpstreamCallViews::startFixture()
{
    m_server->upstreams()->apply({misbehavingUpstream(u"fx"_s)});
    return QTest::qWaitFor([this]() { return m_server->tools()->contains(u"fx__slow"_s); },
                           kStartTimeoutMs);
}

void tst_UpstreamCallViews::aSlowForwardedCallShowsWhereItRunsUntilItEnds()
{
    QVERIFY(startFixture());
    Monitor *monitor = m_server->monitor();
    ConnectionsModel connections(monitor, m_server->control(), m_tick.get());
    TimelineModel timeline(monitor, m_tick.get());
    timeline.setLingerMs(60'000); // the closed lane stays to be read
    QSignalSpy started(monitor, &Monitor::toolCallStarted);
    QSignalSpy streams(monitor, &Monitor::streamOpened);
    QSignalSpy ended(monitor, &Monitor::toolCalled);

    const McpTestSession session = openSession(m_port);
    QVERIFY2(session.ok(), qPrintable(session.error));
    RawHttpClient client(m_port);
    QVERIFY(client.send("POST", "/mcp", session.post(),
                        toolCallBody(42, u"fx__slow"_s, {{"ms"_L1, kSlowCallMs}})));

    // The Monitor: which tool, which server, which request; the stream that carries it.
    QTRY_COMPARE_WITH_TIMEOUT(started.size(), 1, 5000);
    const auto call = started.at(0).at(0).value<ToolCallStartedEvent>();
    QCOMPARE(call.tool, u"fx__slow"_s);
    QCOMPARE(call.server, u"fx"_s);
    QCOMPARE(call.requestId, u"42"_s);
    QCOMPARE(call.sessionId, QString::fromLatin1(session.id));
    QCOMPARE(monitor->snapshot().toolCallsInFlight.size(), 1);
    QTRY_VERIFY_WITH_TIMEOUT(!streams.isEmpty(), 5000);
    const auto stream = streams.last().at(0).value<StreamInfo>();
    QCOMPARE(stream.kind, StreamKind::PostResponse);
    QCOMPARE(stream.requestIds, QStringList{u"42"_s});

    // The connections panel, on the session and on the POST stream.
    QTRY_VERIFY_WITH_TIMEOUT(connections.indexOfStream(stream.id).isValid(), 5000);
    const QModelIndex sessionRow = connections.indexOfSession(call.sessionId);
    const auto cell = [&](const QModelIndex &row) {
        return row.siblingAtColumn(ConnectionsModel::UpstreamCalls).data().toString();
    };
    QTRY_VERIFY_WITH_TIMEOUT(cell(sessionRow).startsWith(u"fx__slow · "_s), 5000);
    QVERIFY(cell(connections.indexOfStream(stream.id)).startsWith(u"fx__slow · "_s));
    QVERIFY(sessionRow.siblingAtColumn(ConnectionsModel::UpstreamCalls)
                .data(Qt::ToolTipRole)
                .toString()
                .contains(u"fx__slow on fx, request 42"_s));

    // The timeline: a running span on that stream's lane.
    QTRY_VERIFY_WITH_TIMEOUT(timeline.indexOfStream(stream.id) >= 0, 5000);
    const auto laneOf = [&]() -> const TimelineModel::Lane & {
        return timeline.lane(timeline.indexOfStream(stream.id));
    };
    QTRY_COMPARE_WITH_TIMEOUT(int(laneOf().calls.size()), 1, 5000);
    QCOMPARE(laneOf().calls.front().tool, u"fx__slow"_s);
    QCOMPARE(laneOf().calls.front().server, u"fx"_s);
    QVERIFY(laneOf().calls.front().isRunning());

    // The answer arrives; the views let go of the call.
    QVERIFY(client.waitForComplete(kStartTimeoutMs));
    QCOMPARE(finalAnswer(client.response()).value("id"_L1).toInt(), 42);
    QTRY_COMPARE_WITH_TIMEOUT(ended.size(), 1, 5000);
    QCOMPARE(ended.at(0).at(0).value<ToolCallRecord>().requestId, u"42"_s);
    QVERIFY(monitor->snapshot().toolCallsInFlight.isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(cell(connections.indexOfSession(call.sessionId)).isEmpty(), 5000);
    QTRY_VERIFY_WITH_TIMEOUT(!laneOf().calls.front().isRunning(), 5000);
    {
        const TimelineModel::CallSpan span = laneOf().calls.front();
        QVERIFY(!span.isRunning());
        QVERIFY2(span.endWallMs - span.startWallMs >= kSlowCallMs - 100,
                 qPrintable(QString::number(span.endWallMs - span.startWallMs)));
        // Heartbeats went out on the stream while the call ran: the proxy-proofing it shows.
        int beatsInside = 0;
        for (const TimelineModel::Mark &mark : laneOf().marks) {
            beatsInside += mark.kind == TimelineModel::MarkKind::Heartbeat
                                   && mark.wallMs >= span.startWallMs
                                   && mark.wallMs <= span.endWallMs
                               ? 1
                               : 0;
        }
        QVERIFY2(beatsInside >= 3, qPrintable(QString::number(beatsInside)));
    }
}

void tst_UpstreamCallViews::ownToolsAreNotUpstreamCalls()
{
    QVERIFY(startFixture());
    Monitor *monitor = m_server->monitor();
    ConnectionsModel connections(monitor, m_server->control(), m_tick.get());
    TimelineModel timeline(monitor, m_tick.get());
    QSignalSpy started(monitor, &Monitor::toolCallStarted);
    QSignalSpy streams(monitor, &Monitor::streamOpened);

    const McpTestSession session = openSession(m_port);
    QVERIFY2(session.ok(), qPrintable(session.error));
    RawHttpClient client(m_port);
    QVERIFY(
        client.send("POST", "/mcp", session.post(), toolCallBody(7, u"sleep"_s, {{"ms"_L1, 600}})));
    QTRY_COMPARE_WITH_TIMEOUT(started.size(), 1, 5000);
    const auto call = started.at(0).at(0).value<ToolCallStartedEvent>();
    QCOMPARE(call.tool, u"sleep"_s);
    QVERIFY(call.server.isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(!streams.isEmpty(), 5000);
    const QString streamId = streams.last().at(0).value<StreamInfo>().id;
    QTRY_VERIFY_WITH_TIMEOUT(timeline.indexOfStream(streamId) >= 0, 5000);
    m_tick->tickNow();
    QVERIFY(timeline.lane(timeline.indexOfStream(streamId)).calls.empty());
    QVERIFY(connections.indexOfSession(call.sessionId)
                .siblingAtColumn(ConnectionsModel::UpstreamCalls)
                .data()
                .toString()
                .isEmpty());
    QVERIFY(client.waitForComplete(kStartTimeoutMs));
}

QTEST_MAIN(tst_UpstreamCallViews)
#include "tst_upstreamcallviews.moc"
