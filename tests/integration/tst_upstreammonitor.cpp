// The user's upstream servers made observable: the real server in this process, the
// misbehaving-upstream fixture as a real child, and what the Monitor, /metrics and /readyz say
// about it over real HTTP.

#include "server/api/monitor.h"
#include "server/protocol/catalog/toolregistry.h"
#include "server/tools/upstream/upstreamhost.h"
#include "tests/support/inprocessserver.h"
#include "tests/support/mcptestsupport.h"
#include "tests/support/misbehavingupstream.h"
#include "tests/support/prometheustext.h"
#include "tests/support/rawhttpclient.h"
#include "tests/support/servertestmain.h"

#include <QJsonDocument>
#include <QSignalSpy>
#include <QTest>

#include <algorithm>

using namespace Qt::StringLiterals;
using namespace heartline;
using namespace heartline::testing;

namespace {

constexpr int kStartTimeoutMs = 15000;

QList<UpstreamState> statesOf(const QSignalSpy &spy, const QString &server)
{
    QList<UpstreamState> states;
    for (const UpstreamStatus &status : firstArguments<UpstreamStatus>(spy)) {
        if (status.server == server)
            states.append(status.state);
    }
    return states;
}

UpstreamStatus snapshotStatus(const Monitor *monitor, const QString &server)
{
    for (const UpstreamStatus &status : monitor->snapshot().upstreams) {
        if (status.server == server)
            return status;
    }
    return {};
}

} // namespace

class tst_UpstreamMonitor final : public InProcessServerTest
{
    Q_OBJECT

public:
    tst_UpstreamMonitor()
        : InProcessServerTest(loopbackConfig(0, 50))
    {}

private Q_SLOTS:
    void startingThenReadyWithItsListsAndStderr();
    void forwardedCallsCarryOutcomeAndLatency();
    void aCrashSchedulesARestartThatMetricsCount();
    void readyzWaitsForEveryEnabledServer();
    void aRemovedServerLeavesTheSnapshot();

private:
    // A session calls `tool` once; the tools/call answer.
    HttpResponse get(const QByteArray &path);
};

HttpResponse tst_UpstreamMonitor::get(const QByteArray &path)
{
    RawHttpClient client(m_port);
    return client.request("GET", path);
}

void tst_UpstreamMonitor::startingThenReadyWithItsListsAndStderr()
{
    QVERIFY(startServer());
    Monitor *monitor = m_server->monitor();
    QSignalSpy states(monitor, &Monitor::upstreamStateChanged);
    QSignalSpy listed(monitor, &Monitor::upstreamListed);
    QSignalSpy stderrLines(monitor, &Monitor::upstreamDiagnostic);

    m_server->upstreams()->apply({misbehavingUpstream(u"fx"_s, {u"--stderr-lines"_s, u"3"_s},
                                                      UpstreamServerConfig::Restart::OnFailure)});
    QTRY_VERIFY_WITH_TIMEOUT(!listed.isEmpty(), kStartTimeoutMs);

    const QList<UpstreamState> seen = statesOf(states, u"fx"_s);
    QVERIFY(seen.contains(UpstreamState::Starting));
    QCOMPARE(seen.last(), UpstreamState::Ready);
    QVERIFY(seen.indexOf(UpstreamState::Starting) < seen.indexOf(UpstreamState::Ready));
    const UpstreamStatus last = firstArguments<UpstreamStatus>(states).last();
    QCOMPARE(last.label, upstreamStateLabel(UpstreamState::Ready));
    QVERIFY(last.enabled);
    QVERIFY(last.lastError.isEmpty());

    // A late subscriber finds the server's state in the snapshot.
    QCOMPARE(snapshotStatus(monitor, u"fx"_s).state, UpstreamState::Ready);

    const UpstreamListEvent list = firstArguments<UpstreamListEvent>(listed).last();
    QCOMPARE(list.server, u"fx"_s);
    QCOMPARE(list.tools, int(m_server->upstreams()->exposedToolNames(u"fx"_s).size()));
    QVERIFY(list.tools >= 3); // echo, slow, crash at least
    QCOMPARE(list.prompts, 0);

    QTRY_VERIFY_WITH_TIMEOUT(stderrLines.size() >= 3, 5000);
    QStringList lines;
    for (const UpstreamDiagnosticEvent &event :
         firstArguments<UpstreamDiagnosticEvent>(stderrLines)) {
        QCOMPARE(event.server, u"fx"_s);
        lines.append(event.line);
    }
    for (int i = 0; i < 3; ++i)
        QVERIFY2(lines.contains(u"stderr line %1"_s.arg(i)), qPrintable(lines.join(u'|')));
}

void tst_UpstreamMonitor::forwardedCallsCarryOutcomeAndLatency()
{
    QVERIFY(startServer());
    Monitor *monitor = m_server->monitor();
    QSignalSpy calls(monitor, &Monitor::upstreamCalled);
    m_server->upstreams()->apply(
        {misbehavingUpstream(u"fx"_s, {}, UpstreamServerConfig::Restart::Never)});
    QTRY_VERIFY_WITH_TIMEOUT(m_server->tools()->contains(u"fx__slow"_s), kStartTimeoutMs);

    const QJsonObject slow = callToolOnce(m_port, u"fx__slow"_s, {{"ms"_L1, 300}}, kStartTimeoutMs);
    QVERIFY2(!slow.value("result"_L1).toObject().value("isError"_L1).toBool(),
             QJsonDocument(slow).toJson().constData());
    QTRY_COMPARE_WITH_TIMEOUT(calls.size(), 1, 5000);
    const UpstreamCallRecord ok = firstArguments<UpstreamCallRecord>(calls).at(0);
    QCOMPARE(ok.server, u"fx"_s);
    QCOMPARE(ok.upstreamTool, u"slow"_s);
    QCOMPARE(ok.exposedName, u"fx__slow"_s);
    QCOMPARE(ok.outcome, UpstreamCallOutcome::Ok);
    // The fixture waits 300 ms before it answers (a coarse timer: up to 5 % early), so the
    // latency is the call's own, not zero and not the time of the reply's last hop.
    QVERIFY2(ok.latencyUs >= 250'000, qPrintable(QString::number(ok.latencyUs)));

    // The server dies with the call in flight: failed, not ok and not a tool's own error.
    const QJsonObject crash = callToolOnce(m_port, u"fx__crash"_s, {}, kStartTimeoutMs);
    QVERIFY(crash.value("result"_L1).toObject().value("isError"_L1).toBool());
    QTRY_COMPARE_WITH_TIMEOUT(calls.size(), 2, 5000);
    const UpstreamCallRecord failed = firstArguments<UpstreamCallRecord>(calls).at(1);
    QCOMPARE(failed.upstreamTool, u"crash"_s);
    QCOMPARE(failed.outcome, UpstreamCallOutcome::Failed);

    // Counted per server and outcome, the latency in the histogram.
    const MonitorCounters counters = monitor->snapshot().counters;
    QCOMPARE(counters.upstreamCalls.value({u"fx"_s, u"ok"_s}), 1u);
    QCOMPARE(counters.upstreamCalls.value({u"fx"_s, u"failed"_s}), 1u);
    const LatencyHistogram histogram = counters.upstreamCallLatency.value(u"fx"_s);
    QCOMPARE(histogram.count, 2u);
    QVERIFY(histogram.sumUs >= ok.latencyUs);
    // Buckets by latency: the 300 ms call is above le=0.1 (index 5), both are below 300 s.
    QCOMPARE(LatencyHistogram::kBoundsUs[5], 100'000);
    QVERIFY(histogram.cumulative[5] <= 1u);
    QCOMPARE(histogram.cumulative.back(), 2u);
}

void tst_UpstreamMonitor::aCrashSchedulesARestartThatMetricsCount()
{
    QVERIFY(startServer());
    Monitor *monitor = m_server->monitor();
    QSignalSpy states(monitor, &Monitor::upstreamStateChanged);
    QSignalSpy restarts(monitor, &Monitor::upstreamRestartScheduled);
    m_server->upstreams()->apply(
        {misbehavingUpstream(u"fx"_s, {}, UpstreamServerConfig::Restart::OnFailure)});
    QTRY_VERIFY_WITH_TIMEOUT(m_server->tools()->contains(u"fx__crash"_s), kStartTimeoutMs);
    QVERIFY(
        !callToolOnce(m_port, u"fx__echo"_s, {{"text"_L1, "hi"_L1}}, kStartTimeoutMs).isEmpty());

    callToolOnce(m_port, u"fx__crash"_s, {}, kStartTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(restarts.size(), 1, 5000);
    const UpstreamRestartEvent restart = firstArguments<UpstreamRestartEvent>(restarts).at(0);
    QCOMPARE(restart.server, u"fx"_s);
    QCOMPARE(restart.attempt, 1);
    QCOMPARE(restart.delayMs, UpstreamSupervisorPolicy().restartBaseDelayMs);
    // The crash itself, with the reason, came first.
    const QList<UpstreamStatus> reported = firstArguments<UpstreamStatus>(states);
    const auto crashed = std::find_if(reported.cbegin(), reported.cend(), [](const auto &status) {
        return status.state == UpstreamState::Crashed;
    });
    QVERIFY(crashed != reported.cend());
    QVERIFY2(crashed->lastError.contains(u"exited with status 3"_s),
             qPrintable(crashed->lastError));

    // Back after the restart: up again, the restart and the calls counted on /metrics.
    QTRY_COMPARE_WITH_TIMEOUT(snapshotStatus(monitor, u"fx"_s).state, UpstreamState::Ready,
                              kStartTimeoutMs);
    const HttpResponse metrics = get("/metrics");
    QCOMPARE(metrics.status, 200);
    const Exposition exposition = parseExposition(metrics.body);
    QVERIFY2(exposition.error.isEmpty(), qPrintable(exposition.error));
    const QHash<QString, QString> values = exposition.byKey();
    QCOMPARE(values.value(u"heartline_upstream_up{server=fx}"_s), u"1"_s);
    QCOMPARE(values.value(u"heartline_upstream_restarts_total{server=fx}"_s), u"1"_s);
    QCOMPARE(values.value(u"heartline_upstream_calls_total{server=fx,outcome=ok}"_s), u"1"_s);
    QCOMPARE(values.value(u"heartline_upstream_calls_total{server=fx,outcome=failed}"_s), u"1"_s);
    QCOMPARE(values.value(u"heartline_upstream_calls_total{server=fx,outcome=tool_error}"_s),
             u"0"_s);
    QCOMPARE(values.value(u"heartline_upstream_call_duration_seconds_count{server=fx}"_s), u"2"_s);
    QCOMPARE(values.value(u"heartline_upstream_call_duration_seconds_bucket{server=fx,le=+Inf}"_s),
             u"2"_s);
    QCOMPARE(exposition.types.value(u"heartline_upstream_call_duration_seconds"_s), u"histogram"_s);
}

void tst_UpstreamMonitor::readyzWaitsForEveryEnabledServer()
{
    QVERIFY(startServer());
    HttpResponse ready = get("/readyz");
    QCOMPARE(ready.status, 200); // no upstreams: nothing to wait for
    QCOMPARE(ready.jsonObject().value("ready"_L1).toBool(), true);

    UpstreamServerConfig gone;
    gone.name = u"gone"_s;
    gone.command = u"heartline-no-such-command-xyz"_s;
    gone.restart = UpstreamServerConfig::Restart::Never;
    m_server->upstreams()->apply({misbehavingUpstream(u"fx"_s, {u"--slow-start"_s, u"1500"_s},
                                                      UpstreamServerConfig::Restart::Never),
                                  gone});
    // Starting (the fixture reads nothing for 1.5 s) or crashed: not ready.
    ready = get("/readyz");
    QCOMPARE(ready.status, 503);
    QCOMPARE(ready.mediaType(), QByteArray("application/json"));
    QCOMPARE(ready.jsonObject().value("ready"_L1).toBool(), false);
    QCOMPARE(ready.jsonObject().value("servers"_L1)["fx"_L1]["state"_L1].toString(), u"starting"_s);

    QTRY_COMPARE_WITH_TIMEOUT(snapshotStatus(m_server->monitor(), u"fx"_s).state,
                              UpstreamState::Ready, kStartTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(snapshotStatus(m_server->monitor(), u"gone"_s).state,
                              UpstreamState::Crashed, 5000);
    ready = get("/readyz");
    QCOMPARE(ready.status, 503); // fx is ready, gone is not
    const QJsonObject servers = ready.jsonObject().value("servers"_L1).toObject();
    QCOMPARE(servers["fx"_L1]["state"_L1].toString(), u"ready"_s);
    QCOMPARE(servers["gone"_L1]["state"_L1].toString(), u"crashed"_s);
    QVERIFY2(servers["gone"_L1]["error"_L1].toString().contains(u"not found in PATH="_s),
             ready.body.constData());

    // A disabled server is not waited for.
    QString error;
    QVERIFY2(m_server->upstreams()->setEnabled(u"gone"_s, false, &error), qPrintable(error));
    ready = get("/readyz");
    QCOMPARE(ready.status, 200);
    QCOMPARE(ready.jsonObject().value("ready"_L1).toBool(), true);
    QCOMPARE(ready.jsonObject().value("servers"_L1)["gone"_L1]["state"_L1].toString(),
             u"disabled"_s);
}

void tst_UpstreamMonitor::aRemovedServerLeavesTheSnapshot()
{
    QVERIFY(startServer());
    QSignalSpy removed(m_server->monitor(), &Monitor::upstreamRemoved);
    m_server->upstreams()->apply(
        {misbehavingUpstream(u"fx"_s, {}, UpstreamServerConfig::Restart::Never)});
    QTRY_COMPARE_WITH_TIMEOUT(snapshotStatus(m_server->monitor(), u"fx"_s).state,
                              UpstreamState::Ready, kStartTimeoutMs);

    m_server->upstreams()->apply({});
    QCOMPARE(removed.size(), 1);
    QCOMPARE(removed.at(0).at(0).toString(), u"fx"_s);
    QVERIFY(m_server->monitor()->snapshot().upstreams.isEmpty());
    // Not configured, so not "down": /metrics has no up gauge for it and /readyz is ready.
    const Exposition exposition = parseExposition(get("/metrics").body);
    QVERIFY2(exposition.error.isEmpty(), qPrintable(exposition.error));
    QVERIFY(!exposition.byKey().contains(u"heartline_upstream_up{server=fx}"_s));
    QCOMPARE(get("/readyz").status, 200);
}

HEARTLINE_SERVER_TEST_MAIN(tst_UpstreamMonitor)
#include "tst_upstreammonitor.moc"
