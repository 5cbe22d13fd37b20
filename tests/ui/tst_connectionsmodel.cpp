// The connections panel's model over a real in-process server: sessions and their streams
// appear, heartbeats advance, closed rows linger then go, and bursts of network events reach
// views as one batched update per tick.
#include "server/api/monitor.h"
#include "server/core/control.h"
#include "server/core/heartlineserver.h"
#include "tests/support/mcptestsupport.h"
#include "tests/support/modelservertest.h"
#include "tests/support/rawhttpclient.h"
#include "ui/models/connectionsmodel.h"
#include "ui/models/uitick.h"

#include <QAbstractItemModelTester>
#include <QDateTime>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;
using namespace heartline;
using namespace heartline::testing;

class tst_ConnectionsModel final : public ModelServerTest
{
    Q_OBJECT

public:
    tst_ConnectionsModel()
        : ModelServerTest(loopbackConfig(50, 50))
    {}

private Q_SLOTS:
    void sessionRowAppearsWithItsClientName();
    void sessionsOpenBeforeTheModelComeFromTheSnapshot();
    void getStreamIsAChildWithAdvancingHeartbeats();
    void closedStreamLingersGreyedThenGoes();
    void sessionClosedThroughControlLingersThenGoes();
    void messagesAreCountedPerSession();
    void burstOfEventsIsOneBatchedUpdatePerTick();
    void twoThousandStreamsTickInOneBatchedUpdate();
    void agesMoveWithTheClockWithoutAChangePerRow();

private:
    std::unique_ptr<ConnectionsModel> makeModel();
    QVariant cell(const QModelIndex &row, int column, int role = Qt::DisplayRole) const;
};

std::unique_ptr<ConnectionsModel> tst_ConnectionsModel::makeModel()
{
    return tested(
        std::make_unique<ConnectionsModel>(m_server->monitor(), m_server->control(), m_tick.get()));
}

QVariant tst_ConnectionsModel::cell(const QModelIndex &row, int column, int role) const
{
    return row.sibling(row.row(), column).data(role);
}

void tst_ConnectionsModel::sessionRowAppearsWithItsClientName()
{
    auto model = makeModel();
    QCOMPARE(model->rowCount(), 0);
    const McpTestSession session = openSession(m_port);
    QVERIFY2(session.ok(), qPrintable(session.error));
    const QString id = QString::fromLatin1(session.id);

    QTRY_VERIFY_WITH_TIMEOUT(model->indexOfSession(id).isValid(), 5000);
    QTRY_COMPARE_WITH_TIMEOUT(cell(model->indexOfSession(id), ConnectionsModel::Client).toString(),
                              u"heartline-integration-test 1.0"_s, 5000);
    const QModelIndex row = model->indexOfSession(id);
    QCOMPARE(row.data(ConnectionsModel::SessionIdRole).toString(), id);
    QVERIFY(cell(row, ConnectionsModel::Transport).toString().startsWith(u"streamable-http"_s));
    QVERIFY(cell(row, ConnectionsModel::Transport).toString().contains(u"2025-11-25"_s));
    QCOMPARE(cell(row, ConnectionsModel::Peer).toString(), u"127.0.0.1"_s);
    QVERIFY(!cell(row, ConnectionsModel::Opened).toString().isEmpty());
    const QVariant state = row.data(ConnectionsModel::StateRole);
    QVERIFY(state.isValid());
    const QList<ConnectionState> states = {ConnectionState::Open, ConnectionState::Streaming,
                                           ConnectionState::Idle};
    QVERIFY(states.contains(state.value<ConnectionState>()));
}

void tst_ConnectionsModel::sessionsOpenBeforeTheModelComeFromTheSnapshot()
{
    const McpTestSession session = openSession(m_port);
    QVERIFY2(session.ok(), qPrintable(session.error));
    RawHttpClient stream(m_port);
    QVERIFY(stream.send("GET", "/mcp", session.get()));
    QVERIFY(stream.waitForHead());

    m_tick->setInterval(0); // no tick at all: what shows comes from the snapshot
    auto model = makeModel();
    const QModelIndex row = model->indexOfSession(QString::fromLatin1(session.id));
    QVERIFY(row.isValid());
    QCOMPARE(cell(row, ConnectionsModel::Client).toString(), u"heartline-integration-test 1.0"_s);
    QCOMPARE(model->rowCount(row), 1);
    QCOMPARE(model->index(0, ConnectionsModel::Client, row).data().toString(), u"GET stream"_s);
}

void tst_ConnectionsModel::getStreamIsAChildWithAdvancingHeartbeats()
{
    auto model = makeModel();
    const McpTestSession session = openSession(m_port);
    QVERIFY2(session.ok(), qPrintable(session.error));
    const QString id = QString::fromLatin1(session.id);
    RawHttpClient stream(m_port);
    QVERIFY(stream.send("GET", "/mcp", session.get()));
    QVERIFY(stream.waitForHead());

    QTRY_VERIFY_WITH_TIMEOUT(model->indexOfSession(id).isValid()
                                 && model->rowCount(model->indexOfSession(id)) == 1,
                             5000);
    const QModelIndex child = model->index(0, 0, model->indexOfSession(id));
    QCOMPARE(child.data().toString(), u"GET stream"_s);
    QCOMPARE(child.data(ConnectionsModel::SessionIdRole).toString(), id);
    QVERIFY(!child.data(ConnectionsModel::StreamIdRole).toString().isEmpty());
    QCOMPARE(model->indexOfStream(child.data(ConnectionsModel::StreamIdRole).toString()), child);

    QTRY_VERIFY_WITH_TIMEOUT(
        cell(child, ConnectionsModel::Heartbeats, ConnectionsModel::SortRole).toULongLong() >= 3,
        5000);
    const quint64 seen =
        cell(child, ConnectionsModel::Heartbeats, ConnectionsModel::SortRole).toULongLong();
    QTRY_VERIFY_WITH_TIMEOUT(
        cell(child, ConnectionsModel::Heartbeats, ConnectionsModel::SortRole).toULongLong() > seen,
        5000);
    QVERIFY(cell(child, ConnectionsModel::LastHeartbeat).toString().endsWith(u" ago"_s));
    QVERIFY(cell(child, ConnectionsModel::BytesQueued).toString().endsWith(u"B"_s));
    // The session's row sums its streams.
    QVERIFY(
        cell(model->indexOfSession(id), ConnectionsModel::Heartbeats, ConnectionsModel::SortRole)
            .toULongLong()
        >= seen);
    // With 50 ms heartbeats and no message, the GET stream soon counts as idle.
    QTRY_COMPARE_WITH_TIMEOUT(child.data(ConnectionsModel::StateRole).value<ConnectionState>(),
                              ConnectionState::Idle, 5000);
    QCOMPARE(cell(child, ConnectionsModel::State).toString(), u"idle"_s); // the badge's label
    // The session's own messages (initialize) keep it streaming for a second, then it follows.
    QTRY_COMPARE_WITH_TIMEOUT(
        model->indexOfSession(id).data(ConnectionsModel::StateRole).value<ConnectionState>(),
        ConnectionState::Idle, 5000);
}

void tst_ConnectionsModel::closedStreamLingersGreyedThenGoes()
{
    auto model = makeModel();
    model->setLingerMs(400);
    const McpTestSession session = openSession(m_port);
    QVERIFY2(session.ok(), qPrintable(session.error));
    const QString id = QString::fromLatin1(session.id);
    RawHttpClient stream(m_port);
    QVERIFY(stream.send("GET", "/mcp", session.get()));
    QVERIFY(stream.waitForHead());
    QTRY_VERIFY_WITH_TIMEOUT(model->indexOfSession(id).isValid()
                                 && model->rowCount(model->indexOfSession(id)) == 1,
                             5000);
    QPersistentModelIndex child = model->index(0, 0, model->indexOfSession(id));

    stream.abort();
    QTRY_COMPARE_WITH_TIMEOUT(child.data(ConnectionsModel::StateRole).value<ConnectionState>(),
                              ConnectionState::Closed, 5000);
    QVERIFY(child.data(Qt::ForegroundRole).isValid()); // greyed
    QTRY_VERIFY_WITH_TIMEOUT(!child.isValid(), 5000);
    QCOMPARE(model->rowCount(model->indexOfSession(id)), 0);
    // The session stays (only its stream ended), and keeps the stream's heartbeats.
    QVERIFY(model->indexOfSession(id).isValid());
    QCOMPARE_NE(
        model->indexOfSession(id).data(ConnectionsModel::StateRole).value<ConnectionState>(),
        ConnectionState::Closed);
}

void tst_ConnectionsModel::sessionClosedThroughControlLingersThenGoes()
{
    auto model = makeModel();
    model->setLingerMs(400);
    const McpTestSession first = openSession(m_port);
    const McpTestSession second = openSession(m_port);
    QVERIFY(first.ok() && second.ok());
    const QString firstId = QString::fromLatin1(first.id);
    const QString secondId = QString::fromLatin1(second.id);
    QTRY_VERIFY_WITH_TIMEOUT(model->indexOfSession(secondId).isValid(), 5000);
    QPersistentModelIndex closing = model->indexOfSession(firstId);
    QVERIFY(closing.isValid());

    QString error;
    QVERIFY2(m_server->control()->closeSession(firstId, &error), qPrintable(error));
    QTRY_COMPARE_WITH_TIMEOUT(closing.data(ConnectionsModel::StateRole).value<ConnectionState>(),
                              ConnectionState::Closed, 5000);
    QTRY_VERIFY_WITH_TIMEOUT(!closing.isValid(), 5000);
    QCOMPARE(model->rowCount(), 1);
    QCOMPARE(model->index(0, 0).data(ConnectionsModel::SessionIdRole).toString(), secondId);
    QCOMPARE(model->indexOfSession(secondId).row(), 0);
}

void tst_ConnectionsModel::messagesAreCountedPerSession()
{
    auto model = makeModel();
    const McpTestSession session = openSession(m_port);
    QVERIFY(session.ok());
    const QString id = QString::fromLatin1(session.id);
    for (int i = 1; i <= 3; ++i) {
        const HttpResponse response = postOnce(m_port, session.post(), requestBody(i, u"ping"_s));
        QCOMPARE(response.status, 200);
    }
    // initialize, notifications/initialized and three pings in; three answers and initialize's out.
    QTRY_COMPARE_WITH_TIMEOUT(
        cell(model->indexOfSession(id), ConnectionsModel::MessagesIn, ConnectionsModel::SortRole)
            .toULongLong(),
        5ULL, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(
        cell(model->indexOfSession(id), ConnectionsModel::MessagesOut, ConnectionsModel::SortRole)
            .toULongLong(),
        4ULL, 5000);
    QCOMPARE(cell(model->indexOfSession(id), ConnectionsModel::MessagesIn).toString(), u"5"_s);
}

void tst_ConnectionsModel::burstOfEventsIsOneBatchedUpdatePerTick()
{
    m_tick->setInterval(0); // the test ticks by hand
    auto model = makeModel();
    const McpTestSession session = openSession(m_port);
    QVERIFY(session.ok());
    m_tick->tickNow();
    QCOMPARE(model->rowCount(), 1);

    QSignalSpy changed(model.get(), &QAbstractItemModel::dataChanged);
    QSignalSpy inserted(model.get(), &QAbstractItemModel::rowsInserted);
    constexpr int kCalls = 25;
    for (int i = 1; i <= kCalls; ++i)
        QCOMPARE(postOnce(m_port, session.post(), requestBody(i, u"ping"_s)).status, 200);
    QList<McpTestSession> more;
    for (int i = 0; i < 5; ++i) {
        more.push_back(openSession(m_port));
        QVERIFY(more.constLast().ok());
    }
    // Fifty messages and five sessions later, views have heard nothing yet...
    QCOMPARE(changed.count(), 0);
    QCOMPARE(inserted.count(), 0);
    QCOMPARE(model->rowCount(), 1);

    // ...and one tick tells them in one insertion and one change: the changed session's row
    // (the clock-driven ages go by clockAdvanced).
    QSignalSpy clock(model.get(), &ConnectionsModel::clockAdvanced);
    m_tick->tickNow();
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(inserted.first().at(1).toInt(), 1);
    QCOMPARE(inserted.first().at(2).toInt(), 5);
    QCOMPARE(model->rowCount(), 6);
    QCOMPARE(changed.count(), 1);
    QCOMPARE(clock.count(), 1);
    QCOMPARE(cell(model->index(0, 0), ConnectionsModel::MessagesIn, ConnectionsModel::SortRole)
                 .toULongLong(),
             quint64(2 + kCalls));
}

void tst_ConnectionsModel::twoThousandStreamsTickInOneBatchedUpdate()
{
    // DESIGN.md: 2,000 streams stay responsive. A Monitor of its own, fed directly, so the
    // updates are the model's alone (tests/bench/heartline_ui_bench times this tick).
    Monitor monitor;
    UiTick tick;
    tick.setInterval(0);
    ConnectionsModel model(&monitor, nullptr, &tick);
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (int s = 0; s < 200; ++s) {
        SessionInfo session;
        session.id = u"session-%1"_s.arg(s);
        session.clientName = u"client"_s;
        session.openedWallMs = now;
        monitor.reportSessionOpened(session);
        for (int k = 0; k < 10; ++k)
            monitor.reportStreamOpened({u"stream-%1-%2"_s.arg(s).arg(k), session.id,
                                        StreamKind::Standalone, u"127.0.0.1"_s, now, false, {}});
    }
    tick.tickNow();
    QCOMPARE(model.rowCount(), 200);
    QCOMPARE(model.rowCount(model.index(199, 0)), 10);

    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    QSignalSpy clock(&model, &ConnectionsModel::clockAdvanced);
    for (int round = 0; round < 5; ++round) {
        for (int s = 0; s < 200; ++s) {
            for (int k = 0; k < 10; ++k)
                monitor.reportHeartbeat({u"stream-%1-%2"_s.arg(s).arg(k), u"session-%1"_s.arg(s),
                                         quint64(round + 1), now + round});
        }
    }
    tick.tickNow();
    // One run of changed rows at the top and one under each session; the ages move with one
    // clockAdvanced, not a change per session.
    QCOMPARE(changed.count(), 201);
    QCOMPARE(clock.count(), 1);
    QCOMPARE(model.index(0, ConnectionsModel::Heartbeats, model.index(0, 0))
                 .data(ConnectionsModel::SortRole)
                 .toULongLong(),
             5ULL);
}

void tst_ConnectionsModel::agesMoveWithTheClockWithoutAChangePerRow()
{
    Monitor monitor;
    UiTick tick;
    tick.setInterval(0);
    ConnectionsModel model(&monitor, nullptr, &tick);
    QAbstractItemModelTester tester(&model);
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    SessionInfo session;
    session.id = u"session"_s;
    session.openedWallMs = now;
    monitor.reportSessionOpened(session);
    monitor.reportStreamOpened(
        {u"stream"_s, session.id, StreamKind::Standalone, u"127.0.0.1"_s, now, false, {}});
    monitor.reportHeartbeat({u"stream"_s, session.id, 1, now});
    tick.tickNow();
    const QModelIndex stream = model.index(0, 0, model.index(0, 0));
    QVERIFY(stream.isValid());
    const auto idleAge = [&] {
        return cell(stream, ConnectionsModel::IdleAge, ConnectionsModel::SortRole).toLongLong();
    };
    const auto heartbeatAge = [&] {
        return cell(stream, ConnectionsModel::LastHeartbeat, ConnectionsModel::SortRole)
            .toLongLong();
    };
    const qint64 idleBefore = idleAge();
    const qint64 heartbeatBefore = heartbeatAge();

    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    QSignalSpy clock(&model, &ConnectionsModel::clockAdvanced);
    // Nothing happens but time: each tick says so once, and the ages read the new clock.
    QTRY_VERIFY((tick.tickNow(), idleAge() > idleBefore));
    QVERIFY(heartbeatAge() > heartbeatBefore);
    QCOMPARE(heartbeatAge() - heartbeatBefore, idleAge() - idleBefore);
    QCOMPARE(changed.count(), 0);
    QVERIFY(clock.count() >= 1);
    QVERIFY(ConnectionsModel::isClockColumn(ConnectionsModel::IdleAge));
    QVERIFY(!ConnectionsModel::isClockColumn(ConnectionsModel::Opened));
}

QTEST_MAIN(tst_ConnectionsModel)
#include "tst_connectionsmodel.moc"
