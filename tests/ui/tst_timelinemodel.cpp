// TimelineModel fed by a real Monitor through its report* methods, on a frozen clock.
#include "server/api/monitor.h"
#include "server/core/heartlineserver.h"
#include "tests/support/inprocessserver.h"
#include "tests/support/mcptestsupport.h"
#include "ui/models/uitick.h"
#include "ui/timeline/timelinemodel.h"

#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace heartline;
using namespace heartline::testing;

namespace {

constexpr qint64 kStart = 1'700'000'000'000;

} // namespace

class tst_TimelineModel final : public InProcessServerTest
{
    Q_OBJECT

public:
    tst_TimelineModel()
        : InProcessServerTest(loopbackConfig(50, 50))
    {}

private Q_SLOTS:
    void init();

    void loadsTheSnapshotFirst();
    void heartbeatsAdvanceALane();
    void messagesAddInAndOutMarks();
    void aMessageWithoutAStreamGoesToTheSessionsStandingLane();
    void changedIsEmittedAtMostOncePerTick();
    void aUiTickDrivesTheModel();
    void aClosedLaneLingersThenGoes();
    void theMarkRingIsCapped();
    void marksOlderThanTheLargestWindowAreDropped();
    void theLaneCountIsCapped();
    void missedBeatsAreDetected_data();
    void missedBeatsAreDetected();
    void silentAndOverdueFollowTheClock();
    void clientNameFollowsTheSession();
    void laneKindFollowsStreamAndTransport_data();
    void laneKindFollowsStreamAndTransport();
    void lanesOfOneSessionStayTogether();
    void heartbeatIntervalFollowsTheMonitor();
    void aLiveGetStreamsLaneGrowsWithHeartbeats();

private:
    void cleanupBeforeStop() override;
    TimelineModel *createModel();
    void openSession(const QString &id, const QString &client,
                     TransportKind transport = TransportKind::StreamableHttp);
    void openStream(const QString &id, const QString &sessionId,
                    StreamKind kind = StreamKind::Standalone);
    void heartbeat(const QString &streamId, quint64 sequence);
    void message(const QString &streamId, const QString &sessionId,
                 MessageEvent::Direction direction, const QString &method, const QString &id);

    Monitor *m_monitor = nullptr;
    TimelineModel *m_model = nullptr;
    qint64 m_now = kStart;
};

void tst_TimelineModel::init()
{
    m_now = kStart;
    m_monitor = new Monitor(this);
    m_monitor->reportListening(u"http://127.0.0.1:1"_s, 1000);
    m_model = nullptr;
}

void tst_TimelineModel::cleanupBeforeStop()
{
    delete m_model;
    delete m_monitor;
    m_model = nullptr;
    m_monitor = nullptr;
}

TimelineModel *tst_TimelineModel::createModel()
{
    m_model = new TimelineModel(m_monitor, nullptr);
    m_model->setClock([this] { return m_now; });
    return m_model;
}

void tst_TimelineModel::openSession(const QString &id, const QString &client,
                                    TransportKind transport)
{
    SessionInfo session;
    session.id = id;
    session.clientName = client;
    session.transport = transport;
    session.openedWallMs = m_now;
    m_monitor->reportSessionOpened(session);
}

void tst_TimelineModel::openStream(const QString &id, const QString &sessionId, StreamKind kind)
{
    m_monitor->reportStreamOpened({id, sessionId, kind, u"127.0.0.1:5000"_s, m_now, false, {}});
}

void tst_TimelineModel::heartbeat(const QString &streamId, quint64 sequence)
{
    const QString sessionId = streamId.section(u'/', 0, 0);
    m_monitor->reportHeartbeat({streamId, sessionId, sequence, m_now});
}

void tst_TimelineModel::message(const QString &streamId, const QString &sessionId,
                                MessageEvent::Direction direction, const QString &method,
                                const QString &id)
{
    MessageEvent event;
    event.sessionId = sessionId;
    event.streamId = streamId;
    event.direction = direction;
    event.method = method;
    event.id = id;
    event.bytes = 42;
    event.wallMs = m_now;
    m_monitor->reportMessage(event);
}

void tst_TimelineModel::loadsTheSnapshotFirst()
{
    openSession(u"s1"_s, u"Claude"_s);
    openStream(u"s1/get1"_s, u"s1"_s);
    TimelineModel *model = createModel();
    QCOMPARE(model->heartbeatIntervalMs(), 1000);
    QCOMPARE(model->laneCount(), 1);
    QCOMPARE(model->lane(0).streamId, u"s1/get1"_s);
    QCOMPARE(model->lane(0).clientName, u"Claude"_s);
    QCOMPARE(model->lane(0).kind, TimelineModel::LaneKind::Get);
    QCOMPARE(model->lane(0).openedWallMs, kStart);
    QVERIFY(!model->lane(0).isClosed());
}

void tst_TimelineModel::heartbeatsAdvanceALane()
{
    TimelineModel *model = createModel();
    openSession(u"s1"_s, u"Cursor"_s);
    openStream(u"s1/get1"_s, u"s1"_s);
    for (quint64 sequence = 1; sequence <= 3; ++sequence) {
        m_now += 1000;
        heartbeat(u"s1/get1"_s, sequence);
    }
    const int index = model->indexOfStream(u"s1/get1"_s);
    QVERIFY(index >= 0);
    const TimelineModel::Lane &lane = model->lane(index);
    QCOMPARE(lane.heartbeats, 3u);
    QCOMPARE(int(lane.marks.size()), 3);
    QCOMPARE(lane.marks.back().kind, TimelineModel::MarkKind::Heartbeat);
    QCOMPARE(lane.marks.back().sequence, 3u);
    QCOMPARE(lane.marks.back().wallMs, kStart + 3000);
    QCOMPARE(lane.lastWriteWallMs, kStart + 3000);
    // A heartbeat for a stream the model never saw is ignored, not invented into a lane.
    heartbeat(u"s9/get1"_s, 1);
    QCOMPARE(model->laneCount(), 1);
}

void tst_TimelineModel::messagesAddInAndOutMarks()
{
    TimelineModel *model = createModel();
    openSession(u"s1"_s, u"Cursor"_s);
    openStream(u"s1/post1"_s, u"s1"_s, StreamKind::PostResponse);
    m_now += 10;
    message(u"s1/post1"_s, u"s1"_s, MessageEvent::Direction::In, u"tools/call"_s, u"7"_s);
    m_now += 2000;
    message(u"s1/post1"_s, u"s1"_s, MessageEvent::Direction::Out, {}, u"7"_s);

    const TimelineModel::Lane &lane = model->lane(model->indexOfStream(u"s1/post1"_s));
    QCOMPARE(lane.kind, TimelineModel::LaneKind::Post);
    QCOMPARE(int(lane.marks.size()), 2);
    QCOMPARE(lane.marks.at(0).kind, TimelineModel::MarkKind::MessageIn);
    QCOMPARE(lane.marks.at(0).method, u"tools/call"_s);
    QCOMPARE(lane.marks.at(0).id, u"7"_s);
    QCOMPARE(lane.marks.at(0).bytes, 42);
    QCOMPARE(lane.marks.at(1).kind, TimelineModel::MarkKind::MessageOut);
    QVERIFY(lane.marks.at(1).method.isEmpty());
    QVERIFY(!lane.marks.at(1).offStream);
    // Only what the server wrote on the stream counts as a write (keeps it from being silent).
    QCOMPARE(lane.lastWriteWallMs, kStart + 2010);
    QCOMPARE(lane.heartbeats, 0u);
}

void tst_TimelineModel::aMessageWithoutAStreamGoesToTheSessionsStandingLane()
{
    TimelineModel *model = createModel();
    openSession(u"s1"_s, u"Cursor"_s);
    openStream(u"s1/post1"_s, u"s1"_s, StreamKind::PostResponse);
    openStream(u"s1/get1"_s, u"s1"_s, StreamKind::Standalone);
    m_now += 500;
    message({}, u"s1"_s, MessageEvent::Direction::Out, {}, u"3"_s);
    const TimelineModel::Lane &get = model->lane(model->indexOfStream(u"s1/get1"_s));
    const TimelineModel::Lane &post = model->lane(model->indexOfStream(u"s1/post1"_s));
    QCOMPARE(int(get.marks.size()), 1);
    QVERIFY(get.marks.front().offStream);
    QCOMPARE(int(post.marks.size()), 0);
    // A plain JSON answer was not written on the GET stream.
    QCOMPARE(get.lastWriteWallMs, kStart);
    // A message for a session without lanes has nowhere to go.
    message({}, u"nobody"_s, MessageEvent::Direction::In, u"ping"_s, u"1"_s);
    QCOMPARE(model->laneCount(), 2);
}

void tst_TimelineModel::changedIsEmittedAtMostOncePerTick()
{
    TimelineModel *model = createModel();
    QSignalSpy changed(model, &TimelineModel::changed);
    openSession(u"s1"_s, u"Cursor"_s);
    openStream(u"s1/get1"_s, u"s1"_s);
    for (quint64 sequence = 1; sequence <= 50; ++sequence) {
        heartbeat(u"s1/get1"_s, sequence);
        message(u"s1/get1"_s, u"s1"_s, MessageEvent::Direction::Out, u"notify"_s, {});
    }
    QCOMPARE(changed.count(), 0);
    model->handleTick();
    QCOMPARE(changed.count(), 1);
    model->handleTick();
    QCOMPARE(changed.count(), 1);
    heartbeat(u"s1/get1"_s, 51);
    model->handleTick();
    QCOMPARE(changed.count(), 2);
}

void tst_TimelineModel::aUiTickDrivesTheModel()
{
    UiTick tick;
    tick.setInterval(0);
    TimelineModel model(m_monitor, &tick);
    QSignalSpy changed(&model, &TimelineModel::changed);
    openSession(u"s1"_s, u"Cursor"_s);
    openStream(u"s1/get1"_s, u"s1"_s);
    QCOMPARE(changed.count(), 0);
    tick.tickNow();
    QCOMPARE(changed.count(), 1);
}

void tst_TimelineModel::aClosedLaneLingersThenGoes()
{
    TimelineModel *model = createModel();
    model->setLingerMs(3000);
    openSession(u"s1"_s, u"Cursor"_s);
    openStream(u"s1/get1"_s, u"s1"_s);
    model->handleTick();
    m_now += 1000;
    StreamClosedEvent closed;
    closed.stream = {u"s1/get1"_s, u"s1"_s, StreamKind::Standalone, {}, kStart, false, {}};
    closed.wallMs = m_now;
    m_monitor->reportStreamClosed(closed);
    QSignalSpy changed(model, &TimelineModel::changed);

    m_now += 2999;
    model->handleTick();
    QCOMPARE(changed.count(), 1); // the close itself
    QCOMPARE(model->laneCount(), 1);
    QVERIFY(model->lane(0).isClosed());
    QCOMPARE(model->lane(0).closedWallMs, kStart + 1000);
    QVERIFY(!model->isSilent(model->lane(0), m_now));

    m_now += 2;
    model->handleTick();
    QCOMPARE(changed.count(), 2);
    QCOMPARE(model->laneCount(), 0);
    QCOMPARE(model->indexOfStream(u"s1/get1"_s), -1);
}

void tst_TimelineModel::theMarkRingIsCapped()
{
    TimelineModel *model = createModel();
    model->setMarkCapacity(10);
    openSession(u"s1"_s, u"Cursor"_s);
    openStream(u"s1/get1"_s, u"s1"_s);
    for (quint64 sequence = 1; sequence <= 25; ++sequence) {
        m_now += 100;
        heartbeat(u"s1/get1"_s, sequence);
    }
    const TimelineModel::Lane &lane = model->lane(0);
    QCOMPARE(int(lane.marks.size()), 10);
    QCOMPARE(lane.marks.front().sequence, 16u);
    QCOMPARE(lane.marks.back().sequence, 25u);
    QCOMPARE(lane.heartbeats, 25u);
}

void tst_TimelineModel::marksOlderThanTheLargestWindowAreDropped()
{
    TimelineModel *model = createModel();
    openSession(u"s1"_s, u"Cursor"_s);
    openStream(u"s1/get1"_s, u"s1"_s);
    heartbeat(u"s1/get1"_s, 1);
    m_now += 60'000;
    heartbeat(u"s1/get1"_s, 2);
    m_now = kStart + TimelineModel::kMaxWindowMs;
    model->handleTick();
    QCOMPARE(int(model->lane(0).marks.size()), 2);
    m_now += 1;
    model->handleTick();
    QCOMPARE(int(model->lane(0).marks.size()), 1);
    QCOMPARE(model->lane(0).marks.front().sequence, 2u);
}

void tst_TimelineModel::theLaneCountIsCapped()
{
    TimelineModel *model = createModel();
    model->setLaneCapacity(3);
    openSession(u"s1"_s, u"Cursor"_s);
    for (int i = 1; i <= 3; ++i)
        openStream(u"s1/post"_s + QString::number(i), u"s1"_s, StreamKind::PostResponse);
    StreamClosedEvent closed;
    closed.stream = {u"s1/post2"_s, u"s1"_s, StreamKind::PostResponse, {}, kStart, false, {}};
    closed.wallMs = m_now;
    m_monitor->reportStreamClosed(closed);

    // A closed lane makes room first...
    openStream(u"s1/post4"_s, u"s1"_s, StreamKind::PostResponse);
    QCOMPARE(model->laneCount(), 3);
    QCOMPARE(model->indexOfStream(u"s1/post2"_s), -1);
    // ...then the oldest stream.
    openStream(u"s1/post5"_s, u"s1"_s, StreamKind::PostResponse);
    QCOMPARE(model->laneCount(), 3);
    QCOMPARE(model->indexOfStream(u"s1/post1"_s), -1);
    QVERIFY(model->indexOfStream(u"s1/post3"_s) >= 0);
    QVERIFY(model->indexOfStream(u"s1/post5"_s) >= 0);
    // Indexes stay right after evictions: a heartbeat lands on its own lane.
    heartbeat(u"s1/post5"_s, 1);
    QCOMPARE(model->lane(model->indexOfStream(u"s1/post5"_s)).heartbeats, 1u);
}

void tst_TimelineModel::missedBeatsAreDetected_data()
{
    QTest::addColumn<int>("intervalMs");
    QTest::addColumn<QList<int>>("writeOffsets"); // ms after the stream opened
    QTest::addColumn<int>("gaps");

    QTest::newRow("on time") << 1000 << QList<int>{1000, 2000, 3000} << 0;
    QTest::newRow("a little late") << 1000 << QList<int>{1000, 2500, 4000} << 0;
    QTest::newRow("one missed") << 1000 << QList<int>{1000, 2600, 3600} << 1;
    QTest::newRow("missed after opening") << 1000 << QList<int>{1600} << 1;
    QTest::newRow("two missed") << 1000 << QList<int>{3000, 4000, 7000} << 2;
    QTest::newRow("heartbeats off") << 0 << QList<int>{5000, 60000} << 0;
}

void tst_TimelineModel::missedBeatsAreDetected()
{
    QFETCH(int, intervalMs);
    QFETCH(QList<int>, writeOffsets);
    QFETCH(int, gaps);

    m_monitor->reportHeartbeatInterval(intervalMs);
    TimelineModel *model = createModel();
    QCOMPARE(model->heartbeatsOn(), intervalMs > 0);
    openSession(u"s1"_s, u"Cursor"_s);
    openStream(u"s1/get1"_s, u"s1"_s);
    quint64 sequence = 0;
    for (int offset : std::as_const(writeOffsets)) {
        m_now = kStart + offset;
        // Heartbeats and messages out are both writes.
        if (++sequence % 2 == 1)
            heartbeat(u"s1/get1"_s, sequence);
        else
            message(u"s1/get1"_s, u"s1"_s, MessageEvent::Direction::Out, u"n"_s, {});
    }
    const TimelineModel::Lane &lane = model->lane(0);
    QCOMPARE(int(lane.gaps.size()), gaps);
    if (gaps > 0) {
        QCOMPARE(lane.gaps.back().intervalMs, intervalMs);
        QVERIFY(lane.gaps.back().toWallMs - lane.gaps.back().fromWallMs > intervalMs * 3 / 2);
    }
}

void tst_TimelineModel::silentAndOverdueFollowTheClock()
{
    TimelineModel *model = createModel();
    openSession(u"s1"_s, u"Cursor"_s);
    openStream(u"s1/get1"_s, u"s1"_s);
    const TimelineModel::Lane &lane = model->lane(0);
    QVERIFY(!model->isSilent(lane, kStart + 1000));
    QVERIFY(model->isSilent(lane, kStart + 1001));
    QVERIFY(!model->isOverdue(lane, kStart + 1500));
    QVERIFY(model->isOverdue(lane, kStart + 1501));
    // A message received is not a write: the stream stays silent.
    m_now = kStart + 1400;
    message(u"s1/get1"_s, u"s1"_s, MessageEvent::Direction::In, u"ping"_s, u"1"_s);
    QVERIFY(model->isSilent(lane, kStart + 1401));
    m_now = kStart + 1450;
    heartbeat(u"s1/get1"_s, 1);
    QVERIFY(!model->isSilent(lane, kStart + 2000));

    // With heartbeats off nothing is overdue, and silence is measured against a proxy's patience.
    m_monitor->reportHeartbeatInterval(0);
    QVERIFY(!model->isOverdue(lane, kStart + 100'000));
    QVERIFY(!model->isSilent(lane, kStart + 1450 + TimelineModel::kSilentWithoutHeartbeatsMs));
    QVERIFY(model->isSilent(lane, kStart + 1451 + TimelineModel::kSilentWithoutHeartbeatsMs));
}

void tst_TimelineModel::clientNameFollowsTheSession()
{
    TimelineModel *model = createModel();
    openSession(u"s1"_s, {});
    openStream(u"s1/post1"_s, u"s1"_s, StreamKind::PostResponse);
    QVERIFY(model->lane(0).clientName.isEmpty());
    model->handleTick();
    QSignalSpy changed(model, &TimelineModel::changed);
    SessionInfo updated;
    updated.id = u"s1"_s;
    updated.clientName = u"mcp-inspector"_s;
    m_monitor->reportSessionUpdated(updated);
    QCOMPARE(model->lane(0).clientName, u"mcp-inspector"_s);
    model->handleTick();
    QCOMPARE(changed.count(), 1);
    openStream(u"s1/get1"_s, u"s1"_s);
    QCOMPARE(model->lane(model->indexOfStream(u"s1/get1"_s)).clientName, u"mcp-inspector"_s);
}

void tst_TimelineModel::laneKindFollowsStreamAndTransport_data()
{
    QTest::addColumn<TransportKind>("transport");
    QTest::addColumn<StreamKind>("streamKind");
    QTest::addColumn<TimelineModel::LaneKind>("expected");

    QTest::newRow("post") << TransportKind::StreamableHttp << StreamKind::PostResponse
                          << TimelineModel::LaneKind::Post;
    QTest::newRow("get") << TransportKind::StreamableHttp << StreamKind::Standalone
                         << TimelineModel::LaneKind::Get;
    QTest::newRow("legacy") << TransportKind::LegacySse << StreamKind::Legacy
                            << TimelineModel::LaneKind::Legacy;
    QTest::newRow("stateless") << TransportKind::StreamableHttpStateless << StreamKind::PostResponse
                               << TimelineModel::LaneKind::Stateless;
}

void tst_TimelineModel::laneKindFollowsStreamAndTransport()
{
    QFETCH(TransportKind, transport);
    QFETCH(StreamKind, streamKind);
    QFETCH(TimelineModel::LaneKind, expected);
    TimelineModel *model = createModel();
    openSession(u"s1"_s, u"x"_s, transport);
    openStream(u"s1/a"_s, u"s1"_s, streamKind);
    QCOMPARE(model->lane(0).kind, expected);
}

void tst_TimelineModel::lanesOfOneSessionStayTogether()
{
    TimelineModel *model = createModel();
    openSession(u"a"_s, u"A"_s);
    openSession(u"b"_s, u"B"_s);
    openStream(u"a/get1"_s, u"a"_s);
    m_now += 1;
    openStream(u"b/get1"_s, u"b"_s);
    m_now += 1;
    openStream(u"a/post1"_s, u"a"_s, StreamKind::PostResponse);
    model->handleTick();
    QCOMPARE(model->laneCount(), 3);
    QCOMPARE(model->lane(0).streamId, u"a/get1"_s);
    QCOMPARE(model->lane(1).streamId, u"a/post1"_s);
    QCOMPARE(model->lane(2).streamId, u"b/get1"_s);
    QCOMPARE(model->indexOfStream(u"b/get1"_s), 2);
    heartbeat(u"b/get1"_s, 1);
    QCOMPARE(model->lane(2).heartbeats, 1u);
}

void tst_TimelineModel::heartbeatIntervalFollowsTheMonitor()
{
    TimelineModel *model = createModel();
    QSignalSpy changed(model, &TimelineModel::changed);
    m_monitor->reportHeartbeatInterval(250);
    QCOMPARE(model->heartbeatIntervalMs(), 250);
    m_monitor->reportListening(u"http://127.0.0.1:2"_s, 5000);
    QCOMPARE(model->heartbeatIntervalMs(), 5000);
    model->handleTick();
    QCOMPARE(changed.count(), 1);
}

void tst_TimelineModel::aLiveGetStreamsLaneGrowsWithHeartbeats()
{
    QVERIFY(startServer());
    UiTick tick;
    TimelineModel model(m_server->monitor(), &tick);
    QCOMPARE(model.heartbeatIntervalMs(), 50);
    QSignalSpy changed(&model, &TimelineModel::changed);

    const McpTestSession session = heartline::testing::openSession(m_port);
    QVERIFY2(session.ok(), qPrintable(session.error));
    RawHttpClient stream(m_port);
    QVERIFY(stream.send("GET", "/mcp", session.get()));
    QVERIFY(stream.waitForHead());
    QCOMPARE(stream.response().status, 200);

    auto getLane = [&]() -> const TimelineModel::Lane * {
        for (int i = 0; i < model.laneCount(); ++i) {
            const TimelineModel::Lane &lane = model.lane(i);
            if (lane.sessionId == QString::fromLatin1(session.id)
                && lane.kind == TimelineModel::LaneKind::Get)
                return &lane;
        }
        return nullptr;
    };
    QTRY_VERIFY_WITH_TIMEOUT(getLane() != nullptr, 5000);
    QCOMPARE(getLane()->clientName, u"heartline-integration-test"_s);
    QTRY_VERIFY_WITH_TIMEOUT(getLane()->heartbeats >= 2, 5000);
    const quint64 earlier = getLane()->heartbeats;
    QTRY_VERIFY_WITH_TIMEOUT(getLane()->heartbeats >= earlier + 3, 5000);
    const auto &marks = getLane()->marks;
    QVERIFY(std::count_if(marks.begin(), marks.end(),
                          [](const TimelineModel::Mark &mark) {
                              return mark.kind == TimelineModel::MarkKind::Heartbeat;
                          })
            >= 5);
    QVERIFY(marks.back().sequence >= 5);
    // The UI tick published it, not every heartbeat.
    QVERIFY(changed.count() > 0);
    QVERIFY(quint64(changed.count()) < getLane()->heartbeats);

    stream.abort();
    QTRY_VERIFY_WITH_TIMEOUT(getLane() && getLane()->isClosed(), 5000);
}

QTEST_GUILESS_MAIN(tst_TimelineModel)
#include "tst_timelinemodel.moc"
