#include "server/http/metrics.h"
#include "tests/support/prometheustext.h"

#include <QHash>
#include <QSet>
#include <QTest>

using namespace heartline;
using namespace heartline::testing;
using namespace Qt::StringLiterals;

Q_DECLARE_METATYPE(heartline::MonitorSnapshot)

namespace {

UpstreamStatus upstreamStatus(const QString &server, UpstreamState state)
{
    UpstreamStatus status;
    status.server = server;
    status.state = state;
    return status;
}

// Two configured servers (one ready, one crashed) and one that left the config with counts.
void addUpstreams(MonitorSnapshot &snapshot)
{
    snapshot.upstreams = {upstreamStatus(u"memory"_s, UpstreamState::Ready),
                          upstreamStatus(u"flaky"_s, UpstreamState::Crashed)};
    snapshot.counters.upstreamRestarts.insert(u"flaky"_s, 3);
    snapshot.counters.upstreamCalls.insert({u"memory"_s, u"ok"_s}, 2);
    snapshot.counters.upstreamCalls.insert({u"memory"_s, u"tool_error"_s}, 1);
    snapshot.counters.upstreamCalls.insert({u"gone"_s, u"failed"_s}, 4);
    LatencyHistogram &memory = snapshot.counters.upstreamCallLatency[u"memory"_s];
    memory.add(300);        // 0.0003 s: in every bucket
    memory.add(7'000);      // 0.007 s: from le=0.01 on
    memory.add(90'000'000); // 90 s: from le=120 on
}

MonitorSnapshot busySnapshot()
{
    MonitorSnapshot snapshot;
    snapshot.sessions = {SessionInfo{}, SessionInfo{}, SessionInfo{}};
    snapshot.streams = {StreamInfo{}, StreamInfo{}};
    snapshot.heartbeatIntervalMs = 15000;
    snapshot.counters.sessionsOpened = 11;
    snapshot.counters.streamsOpened = 12;
    snapshot.counters.streamsCompleted = 7;
    snapshot.counters.streamsDisconnected = 3;
    snapshot.counters.heartbeats = 13;
    snapshot.counters.messagesIn = 14;
    snapshot.counters.messagesOut = 15;
    snapshot.counters.disconnectsByCause.insert(u"slow_consumer"_s, 16);
    snapshot.counters.disconnectsByCause.insert(u"client_closed"_s, 17);
    snapshot.counters.toolCalls.insert({u"echo"_s, u"ok"_s}, 18);
    snapshot.counters.toolCalls.insert({u"echo"_s, u"tool_error"_s}, 19);
    addUpstreams(snapshot);
    return snapshot;
}

} // namespace

class tst_Metrics : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void renderIsValidExposition_data();
    void renderIsValidExposition();
    void countsComeFromTheSnapshot_data();
    void countsComeFromTheSnapshot();
    void everyDisconnectCauseHasASeries();
    void labelValuesAreEscaped_data();
    void labelValuesAreEscaped();
    void heartbeatIntervalIsNeverNegative();
    void everyUpstreamHasEveryCallOutcome();
    void upstreamHistogramIsCumulativeAndComplete();
    void upstreamServerNamesAreEscaped();
};

void tst_Metrics::renderIsValidExposition_data()
{
    QTest::addColumn<MonitorSnapshot>("snapshot");

    QTest::newRow("empty") << MonitorSnapshot();
    QTest::newRow("busy") << busySnapshot();
    MonitorSnapshot awkward = busySnapshot();
    awkward.counters.toolCalls.insert({u"a\"b\\c\nd"_s, u"ok"_s}, 1);
    awkward.counters.toolCalls.insert({u"caf\u00e9 \u2713"_s, u"cancelled"_s}, 2);
    QTest::newRow("awkward tool names") << awkward;
}

void tst_Metrics::renderIsValidExposition()
{
    QFETCH(MonitorSnapshot, snapshot);

    const QByteArray text = Metrics::render(snapshot, 3, 2);
    const Exposition exposition = parseExposition(text);
    QVERIFY2(exposition.error.isEmpty(),
             qPrintable(exposition.error + u'\n' + QString::fromUtf8(text)));
    QVERIFY(!exposition.samples.isEmpty());
    // Every family announced has a type, and every type has help.
    QCOMPARE(QSet<QString>(exposition.types.keyBegin(), exposition.types.keyEnd()),
             QSet<QString>(exposition.helps.keyBegin(), exposition.helps.keyEnd()));
}

void tst_Metrics::countsComeFromTheSnapshot_data()
{
    QTest::addColumn<QString>("series");
    QTest::addColumn<QString>("value");

    QTest::newRow("sessions") << u"heartline_sessions{}"_s << u"3"_s;
    QTest::newRow("sessions opened") << u"heartline_sessions_opened_total{}"_s << u"11"_s;
    QTest::newRow("streams") << u"heartline_streams{}"_s << u"2"_s;
    QTest::newRow("streams opened") << u"heartline_streams_opened_total{}"_s << u"12"_s;
    QTest::newRow("streams completed")
        << u"heartline_streams_closed_total{outcome=completed}"_s << u"7"_s;
    QTest::newRow("streams disconnected")
        << u"heartline_streams_closed_total{outcome=disconnected}"_s << u"3"_s;
    QTest::newRow("heartbeats") << u"heartline_heartbeats_total{}"_s << u"13"_s;
    QTest::newRow("interval") << u"heartline_heartbeat_interval_milliseconds{}"_s << u"15000"_s;
    QTest::newRow("messages in") << u"heartline_messages_total{direction=in}"_s << u"14"_s;
    QTest::newRow("messages out") << u"heartline_messages_total{direction=out}"_s << u"15"_s;
    QTest::newRow("slow consumer")
        << u"heartline_disconnects_total{cause=slow_consumer}"_s << u"16"_s;
    QTest::newRow("client closed")
        << u"heartline_disconnects_total{cause=client_closed}"_s << u"17"_s;
    QTest::newRow("cause never seen")
        << u"heartline_disconnects_total{cause=too_large}"_s << u"0"_s;
    QTest::newRow("tool ok") << u"heartline_tool_calls_total{tool=echo,outcome=ok}"_s << u"18"_s;
    QTest::newRow("tool error") << u"heartline_tool_calls_total{tool=echo,outcome=tool_error}"_s
                                << u"19"_s;
    QTest::newRow("tools registered") << u"heartline_tools{state=registered}"_s << u"7"_s;
    QTest::newRow("tools enabled") << u"heartline_tools{state=enabled}"_s << u"5"_s;
    QTest::newRow("ready is up") << u"heartline_upstream_up{server=memory}"_s << u"1"_s;
    QTest::newRow("crashed is down") << u"heartline_upstream_up{server=flaky}"_s << u"0"_s;
    QTest::newRow("restarts") << u"heartline_upstream_restarts_total{server=flaky}"_s << u"3"_s;
    QTest::newRow("no restarts yet")
        << u"heartline_upstream_restarts_total{server=memory}"_s << u"0"_s;
    QTest::newRow("calls ok") << u"heartline_upstream_calls_total{server=memory,outcome=ok}"_s
                              << u"2"_s;
    QTest::newRow("calls tool error")
        << u"heartline_upstream_calls_total{server=memory,outcome=tool_error}"_s << u"1"_s;
    QTest::newRow("calls of a removed server")
        << u"heartline_upstream_calls_total{server=gone,outcome=failed}"_s << u"4"_s;
    QTest::newRow("count") << u"heartline_upstream_call_duration_seconds_count{server=memory}"_s
                           << u"3"_s;
    QTest::newRow("sum") << u"heartline_upstream_call_duration_seconds_sum{server=memory}"_s
                         << u"90.007300"_s;
    QTest::newRow("fastest bucket")
        << u"heartline_upstream_call_duration_seconds_bucket{server=memory,le=0.001}"_s << u"1"_s;
    QTest::newRow("10 ms bucket")
        << u"heartline_upstream_call_duration_seconds_bucket{server=memory,le=0.01}"_s << u"2"_s;
    QTest::newRow("60 s bucket")
        << u"heartline_upstream_call_duration_seconds_bucket{server=memory,le=60}"_s << u"2"_s;
    QTest::newRow("120 s bucket")
        << u"heartline_upstream_call_duration_seconds_bucket{server=memory,le=120}"_s << u"3"_s;
    QTest::newRow("+Inf bucket")
        << u"heartline_upstream_call_duration_seconds_bucket{server=memory,le=+Inf}"_s << u"3"_s;
    QTest::newRow("never called")
        << u"heartline_upstream_call_duration_seconds_count{server=flaky}"_s << u"0"_s;
}

void tst_Metrics::countsComeFromTheSnapshot()
{
    QFETCH(QString, series);
    QFETCH(QString, value);

    const Exposition exposition = parseExposition(Metrics::render(busySnapshot(), 7, 5));
    QVERIFY2(exposition.error.isEmpty(), qPrintable(exposition.error));
    const QHash<QString, QString> values = exposition.byKey();
    QVERIFY2(values.contains(series), qPrintable(QStringList(values.keys()).join(u'\n')));
    QCOMPARE(values.value(series), value);
}

void tst_Metrics::everyDisconnectCauseHasASeries()
{
    const Exposition exposition = parseExposition(Metrics::render(MonitorSnapshot(), 0, 0));
    QVERIFY2(exposition.error.isEmpty(), qPrintable(exposition.error));
    const QHash<QString, QString> values = exposition.byKey();
    for (DisconnectCause cause : DisconnectCauses::all()) {
        const QString series =
            u"heartline_disconnects_total{cause="_s + DisconnectCauses::name(cause) + u'}';
        QVERIFY2(values.contains(series), qPrintable(series));
        QCOMPARE(values.value(series), u"0"_s);
    }
}

void tst_Metrics::labelValuesAreEscaped_data()
{
    QTest::addColumn<QString>("tool");
    QTest::addColumn<QByteArray>("onTheWire");

    QTest::newRow("quote") << u"say \"hi\""_s << QByteArray(R"(tool="say \"hi\"")");
    QTest::newRow("backslash") << u"C:\\tools"_s << QByteArray(R"(tool="C:\\tools")");
    QTest::newRow("newline") << u"two\nlines"_s << QByteArray(R"(tool="two\nlines")");
    QTest::newRow("backslash then n") << u"a\\nb"_s << QByteArray(R"(tool="a\\nb")");
    QTest::newRow("utf-8") << u"caf\u00e9"_s << QByteArray("tool=\"caf\xc3\xa9\"");
}

void tst_Metrics::labelValuesAreEscaped()
{
    QFETCH(QString, tool);
    QFETCH(QByteArray, onTheWire);

    MonitorSnapshot snapshot;
    snapshot.counters.toolCalls.insert({tool, u"ok"_s}, 4);
    const QByteArray text = Metrics::render(snapshot, 1, 1);
    QVERIFY2(text.contains(
                 QByteArray("heartline_tool_calls_total{" + onTheWire + ",outcome=\"ok\"} 4\n")),
             text.constData());
    const Exposition exposition = parseExposition(text);
    QVERIFY2(exposition.error.isEmpty(), qPrintable(exposition.error));
    const QString series = u"heartline_tool_calls_total{tool="_s + tool + u",outcome=ok}"_s;
    QCOMPARE(exposition.byKey().value(series), u"4"_s);
}

void tst_Metrics::heartbeatIntervalIsNeverNegative()
{
    MonitorSnapshot snapshot;
    snapshot.heartbeatIntervalMs = -1;
    const Exposition exposition = parseExposition(Metrics::render(snapshot, 0, 0));
    QVERIFY2(exposition.error.isEmpty(), qPrintable(exposition.error));
    QCOMPARE(exposition.byKey().value(u"heartline_heartbeat_interval_milliseconds{}"_s), u"0"_s);
}

void tst_Metrics::everyUpstreamHasEveryCallOutcome()
{
    const Exposition exposition = parseExposition(Metrics::render(busySnapshot(), 0, 0));
    QVERIFY2(exposition.error.isEmpty(), qPrintable(exposition.error));
    const QHash<QString, QString> values = exposition.byKey();
    for (const QString &server : {u"memory"_s, u"flaky"_s, u"gone"_s}) {
        for (UpstreamCallOutcome outcome : allUpstreamCallOutcomes()) {
            const QString series = u"heartline_upstream_calls_total{server=%1,outcome=%2}"_s.arg(
                server, upstreamCallOutcomeName(outcome));
            QVERIFY2(values.contains(series), qPrintable(series));
        }
    }
    // Only configured servers have an up gauge; a removed one is not "down".
    QVERIFY(!values.contains(u"heartline_upstream_up{server=gone}"_s));
}

void tst_Metrics::upstreamHistogramIsCumulativeAndComplete()
{
    const Exposition exposition = parseExposition(Metrics::render(busySnapshot(), 0, 0));
    QVERIFY2(exposition.error.isEmpty(), qPrintable(exposition.error));
    double lastBound = -1;
    quint64 lastCount = 0;
    int buckets = 0;
    for (const Sample &sample : exposition.samples) {
        if (sample.family != "heartline_upstream_call_duration_seconds_bucket"_L1
            || sample.labels.value(0).second != "memory"_L1)
            continue;
        ++buckets;
        const QString le = sample.labels.value(1).second;
        const double bound = le == "+Inf"_L1 ? qInf() : le.toDouble();
        QVERIFY2(bound > lastBound, qPrintable(le)); // ascending
        const quint64 count = sample.value.toULongLong();
        QVERIFY2(count >= lastCount, qPrintable(le)); // cumulative
        lastBound = bound;
        lastCount = count;
    }
    QCOMPARE(buckets, int(LatencyHistogram::kBoundsUs.size()) + 1);
    QCOMPARE(lastBound, qInf());
    QCOMPARE(exposition.types.value(u"heartline_upstream_call_duration_seconds"_s), u"histogram"_s);
    QCOMPARE(exposition.types.value(u"heartline_upstream_up"_s), u"gauge"_s);
}

void tst_Metrics::upstreamServerNamesAreEscaped()
{
    const QString server = u"a\"b\\c\nd"_s;
    MonitorSnapshot snapshot;
    snapshot.upstreams = {upstreamStatus(server, UpstreamState::Ready)};
    snapshot.counters.upstreamCallLatency[server].add(1000);
    const QByteArray text = Metrics::render(snapshot, 0, 0);
    // Written as the format escapes it: a\"b\\c\nd
    const QByteArray onTheWire = "heartline_upstream_up{server=\"a\\\"b\\\\c\\nd\"} 1\n";
    QVERIFY2(text.contains(onTheWire), text.constData());
    const Exposition exposition = parseExposition(text);
    QVERIFY2(exposition.error.isEmpty(), qPrintable(exposition.error));
    QCOMPARE(exposition.byKey().value(u"heartline_upstream_up{server="_s + server + u'}'), u"1"_s);
    QCOMPARE(exposition.byKey().value(u"heartline_upstream_call_duration_seconds_bucket{server="_s
                                      + server + u",le=0.001}"_s),
             u"1"_s);
}

QTEST_APPLESS_MAIN(tst_Metrics)
#include "tst_metrics.moc"
