// The Servers panel's model over a real in-process server hosting the misbehaving-upstream
// fixture as a real child: a row goes starting -> ready with its tool count, a crash shows its
// pending restart and comes back, a crash loop stays down, forwarded calls count, and the
// row's check box switches the server through Control. A QAbstractItemModelTester watches.
#include "server/api/monitor.h"
#include "server/core/control.h"
#include "server/core/heartlineserver.h"
#include "server/tools/upstream/upstreamhost.h"
#include "tests/support/mcptestsupport.h"
#include "tests/support/misbehavingupstream.h"
#include "tests/support/modelservertest.h"
#include "ui/models/serversmodel.h"

#include <QJsonDocument>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;
using namespace heartline;
using namespace heartline::testing;

namespace {

constexpr int kStartTimeoutMs = 15000;

} // namespace

class tst_ServersModel final : public ModelServerTest
{
    Q_OBJECT

public:
    tst_ServersModel()
        : ModelServerTest(loopbackConfig(0, 50))
    {}

private Q_SLOTS:
    void aRowGoesFromStartingToReadyWithItsTools();
    void aCrashShowsItsPendingRestartAndComesBack();
    void aCrashLoopStaysDown();
    void forwardedCallsCountCallsErrorsAndLatency();
    void theCheckBoxSwitchesTheServerThroughControl();
    void refusedActionsSayWhy();
    void rowsFollowTheConfig();

private:
    std::unique_ptr<ServersModel> makeModel();
    QString cell(const ServersModel &model, const QString &server, int column) const;
};

std::unique_ptr<ServersModel> tst_ServersModel::makeModel()
{
    return tested(
        std::make_unique<ServersModel>(m_server->monitor(), m_server->control(), m_tick.get()));
}

QString tst_ServersModel::cell(const ServersModel &model, const QString &server, int column) const
{
    const int row = model.rowOfServer(server);
    return row < 0 ? u"<no row>"_s : model.index(row, column).data().toString();
}

void tst_ServersModel::aRowGoesFromStartingToReadyWithItsTools()
{
    auto model = makeModel();
    QCOMPARE(model->rowCount(), 0);
    // Every state the row shows, as a person watching it on each tick would have seen it.
    QStringList seen;
    connect(m_tick.get(), &UiTick::ticked, model.get(), [&]() {
        const QString state = cell(*model, u"fx"_s, ServersModel::State);
        if (seen.isEmpty() || seen.last() != state)
            seen.append(state);
    });
    // Slow to answer initialize, so its starting state lasts several ticks.
    m_server->upstreams()->apply({misbehavingUpstream(u"fx"_s, {u"--slow-start"_s, u"400"_s})});
    QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), 1, 5000);
    QCOMPARE(cell(*model, u"fx"_s, ServersModel::Name), u"fx"_s);
    QCOMPARE(cell(*model, u"fx"_s, ServersModel::Kind), u"stdio"_s);

    QTRY_COMPARE_WITH_TIMEOUT(cell(*model, u"fx"_s, ServersModel::State),
                              upstreamStateLabel(UpstreamState::Ready), kStartTimeoutMs);
    QVERIFY2(seen.contains(upstreamStateLabel(UpstreamState::Starting)),
             qPrintable(seen.join(u" -> "_s)));
    QVERIFY(seen.indexOf(upstreamStateLabel(UpstreamState::Starting))
            < seen.indexOf(upstreamStateLabel(UpstreamState::Ready)));

    const int tools = int(m_server->upstreams()->exposedToolNames(u"fx"_s).size());
    QVERIFY(tools >= 3);
    QCOMPARE(cell(*model, u"fx"_s, ServersModel::Tools), u"%1/%1"_s.arg(tools));
    const QModelIndex state = model->index(model->rowOfServer(u"fx"_s), ServersModel::State);
    QCOMPARE(state.data(ServersModel::StateRole).value<UpstreamState>(), UpstreamState::Ready);
    // The pid of the child that runs now, and a started uptime.
    const qint64 pid = m_server->control()->upstreams().value(0).pid;
    QVERIFY(pid > 0);
    QCOMPARE(cell(*model, u"fx"_s, ServersModel::Target), u"pid %1"_s.arg(pid));
    QVERIFY(!cell(*model, u"fx"_s, ServersModel::Uptime).isEmpty());
    QVERIFY(model->index(0, ServersModel::Target)
                .data(Qt::ToolTipRole)
                .toString()
                .contains(u"--slow-start"_s));
    QCOMPARE(cell(*model, u"fx"_s, ServersModel::Restarts), u"0"_s);
    QVERIFY(cell(*model, u"fx"_s, ServersModel::LastError).isEmpty());
}

void tst_ServersModel::aCrashShowsItsPendingRestartAndComesBack()
{
    auto model = makeModel();
    m_server->upstreams()->apply({misbehavingUpstream(u"fx"_s)});
    QTRY_COMPARE_WITH_TIMEOUT(cell(*model, u"fx"_s, ServersModel::State),
                              upstreamStateLabel(UpstreamState::Ready), kStartTimeoutMs);
    const QString firstPid = cell(*model, u"fx"_s, ServersModel::Target);

    QStringList seen;
    connect(m_tick.get(), &UiTick::ticked, model.get(), [&]() {
        const QString state = cell(*model, u"fx"_s, ServersModel::State);
        if (seen.isEmpty() || seen.last() != state)
            seen.append(state);
    });
    callToolOnce(m_port, u"fx__crash"_s, {}, kStartTimeoutMs);
    // The restart waits a second (the policy's base delay): the row says so meanwhile.
    QTRY_VERIFY_WITH_TIMEOUT(
        cell(*model, u"fx"_s, ServersModel::State)
            .startsWith(upstreamStateLabel(UpstreamState::Crashed) + u" · restart 1 in"_s),
        5000);
    QVERIFY(cell(*model, u"fx"_s, ServersModel::Uptime).isEmpty());
    QVERIFY(!cell(*model, u"fx"_s, ServersModel::LastError).isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(cell(*model, u"fx"_s, ServersModel::State),
                              upstreamStateLabel(UpstreamState::Ready), kStartTimeoutMs);
    QCOMPARE(cell(*model, u"fx"_s, ServersModel::Restarts), u"1"_s);
    QVERIFY(cell(*model, u"fx"_s, ServersModel::Target) != firstPid);
    QVERIFY(cell(*model, u"fx"_s, ServersModel::LastError).isEmpty());
    QVERIFY2(seen.indexOf(upstreamStateLabel(UpstreamState::Starting)) > 0,
             qPrintable(seen.join(u" -> "_s)));
}

void tst_ServersModel::aCrashLoopStaysDown()
{
    UpstreamSupervisorPolicy fast;
    fast.restartBaseDelayMs = 20;
    fast.restartsBeforeCrashLoop = 2;
    m_server->upstreams()->setPolicy(fast);
    auto model = makeModel();
    m_server->upstreams()->apply({misbehavingUpstream(u"fx"_s, {u"--exit-during-initialize"_s})});

    QTRY_COMPARE_WITH_TIMEOUT(cell(*model, u"fx"_s, ServersModel::State),
                              upstreamStateLabel(UpstreamState::CrashLoop), kStartTimeoutMs);
    const QModelIndex state = model->index(0, ServersModel::State);
    QCOMPARE(state.data(ServersModel::StateRole).value<UpstreamState>(), UpstreamState::CrashLoop);
    QCOMPARE(cell(*model, u"fx"_s, ServersModel::Restarts), u"2"_s);
    QVERIFY(!cell(*model, u"fx"_s, ServersModel::LastError).isEmpty());
    QCOMPARE(cell(*model, u"fx"_s, ServersModel::Tools), u"0/0"_s);
    // It stays down: no restart comes on later ticks.
    QSignalSpy states(m_server->monitor(), &Monitor::upstreamStateChanged);
    QTest::qWait(300);
    QVERIFY(states.isEmpty());
}

void tst_ServersModel::forwardedCallsCountCallsErrorsAndLatency()
{
    m_server->upstreams()->apply(
        {misbehavingUpstream(u"fx"_s, {}, UpstreamServerConfig::Restart::Never)});
    QTRY_VERIFY_WITH_TIMEOUT(
        m_server->upstreams()->exposedToolNames(u"fx"_s).contains(u"fx__slow"_s), kStartTimeoutMs);
    callToolOnce(m_port, u"fx__slow"_s, {{"ms"_L1, 200}}, kStartTimeoutMs);
    // A model made now starts from the Monitor's totals, and counts what follows.
    auto model = makeModel();
    QCOMPARE(cell(*model, u"fx"_s, ServersModel::Calls), u"1"_s);
    QCOMPARE(cell(*model, u"fx"_s, ServersModel::Errors), u"0"_s);
    const qint64 mean =
        model->index(0, ServersModel::MeanLatency).data(ServersModel::SortRole).toLongLong();
    QVERIFY2(mean >= 150 && mean < 5000, qPrintable(QString::number(mean)));

    callToolOnce(m_port, u"fx__crash"_s, {}, kStartTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(cell(*model, u"fx"_s, ServersModel::Calls), u"2"_s, 5000);
    QCOMPARE(cell(*model, u"fx"_s, ServersModel::Errors), u"1"_s);
}

void tst_ServersModel::theCheckBoxSwitchesTheServerThroughControl()
{
    auto model = makeModel();
    m_server->upstreams()->apply({misbehavingUpstream(u"fx"_s)});
    QTRY_COMPARE_WITH_TIMEOUT(cell(*model, u"fx"_s, ServersModel::State),
                              upstreamStateLabel(UpstreamState::Ready), kStartTimeoutMs);
    const QModelIndex on = model->index(0, ServersModel::Enabled);
    QVERIFY(on.flags() & Qt::ItemIsUserCheckable);
    QCOMPARE(on.data(Qt::CheckStateRole).toInt(), int(Qt::Checked));

    QVERIFY(model->setData(on, Qt::Unchecked, Qt::CheckStateRole));
    QVERIFY(!m_server->upstreams()->supervisor(u"fx"_s)->isEnabled());
    QTRY_COMPARE_WITH_TIMEOUT(cell(*model, u"fx"_s, ServersModel::State),
                              upstreamStateLabel(UpstreamState::Disabled), 5000);
    QCOMPARE(model->index(0, ServersModel::Enabled).data(Qt::CheckStateRole).toInt(),
             int(Qt::Unchecked));
    QVERIFY(m_server->upstreams()->exposedToolNames(u"fx"_s).isEmpty());

    QVERIFY(
        model->setData(model->index(0, ServersModel::Enabled), Qt::Checked, Qt::CheckStateRole));
    QTRY_COMPARE_WITH_TIMEOUT(cell(*model, u"fx"_s, ServersModel::State),
                              upstreamStateLabel(UpstreamState::Ready), kStartTimeoutMs);
}

void tst_ServersModel::refusedActionsSayWhy()
{
    auto model = makeModel();
    QVERIFY(!model->start(u"nosuch"_s));
    QVERIFY2(model->lastError().contains(u"nosuch"_s), qPrintable(model->lastError()));
    QVERIFY(!model->restart(u"nosuch"_s));
    QVERIFY(!model->setEnabled(u"nosuch"_s, false));
    QCOMPARE(model->rowCount(), 0);
}

void tst_ServersModel::rowsFollowTheConfig()
{
    auto model = makeModel();
    m_server->upstreams()->apply({misbehavingUpstream(u"a"_s), misbehavingUpstream(u"b"_s)});
    QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), 2, 5000);
    QCOMPARE(model->index(0, ServersModel::Name).data().toString(), u"a"_s);
    QCOMPARE(model->index(1, ServersModel::Name).data().toString(), u"b"_s);
    QTRY_COMPARE_WITH_TIMEOUT(cell(*model, u"b"_s, ServersModel::State),
                              upstreamStateLabel(UpstreamState::Ready), kStartTimeoutMs);

    m_server->upstreams()->apply({misbehavingUpstream(u"b"_s)});
    QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), 1, 5000);
    QCOMPARE(model->rowOfServer(u"a"_s), -1);
    QCOMPARE(cell(*model, u"b"_s, ServersModel::State), upstreamStateLabel(UpstreamState::Ready));
}

QTEST_MAIN(tst_ServersModel)
#include "tst_serversmodel.moc"
