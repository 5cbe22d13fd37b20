// The soak: the real heartline binary, headless, under a crowd of clients that for a while open
// and drop sessions, streams and calls at random (clean closes, resets, half-open and silent
// connections, stalled readers, calls cut mid-stream and resumed with Last-Event-ID, bad bytes,
// 2026-07-28 listen streams), checking every resumed call gets each event and its response
// exactly once. Then, once every session has expired: the server's RSS within 10 % of what it
// was after the warm-up, its open descriptors back to that count, no session or stream left,
// every stream ended (completed, or disconnected under a cause), and a clean exit on SIGTERM.
//
//   heartline_soak --seconds 1800          (the README's 30-minute figures)
//   ctest -L soak                          (60 s)
#include "tests/soak/servervitals.h"
#include "tests/soak/soakdriver.h"
#include "tests/soak/soaktally.h"
#include "tests/support/heartlineprocess.h"
#include "tests/support/rawhttpclient.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QFile>
#include <QProcess>
#include <QRandomGenerator>
#include <QTemporaryDir>

#include <cstdio>
#include <initializer_list>
#include <utility>

using namespace Qt::StringLiterals;
using namespace heartline::soak;
using namespace heartline::testing;

namespace {

// Short server timeouts, so a run ends quickly: sessions left behind expire, silent requests
// and idle connections are closed.
constexpr int kSessionIdleTimeoutMs = 4000;
constexpr int kRequestTimeoutMs = 2000;
constexpr int kKeepAliveTimeoutMs = 3000;
constexpr double kRssTolerance = 0.10;

void say(const QString &line)
{
    std::fprintf(stdout, "%s\n", qPrintable(line));
    std::fflush(stdout);
}

bool isQuiet(const ServerVitals &vitals)
{
    return vitals.error.isEmpty() && vitals.metric(u"heartline_sessions{}"_s) == 0
           && vitals.metric(u"heartline_streams{}"_s) == 0;
}

// Polls the server until no session or stream is left and its descriptor count holds still
// (equals `fdTarget` when given); the last reading, or an empty one when the deadline passed.
ServerVitals waitForQuiet(qint64 pid, quint16 port, int fdTarget, int timeoutMs)
{
    const qint64 deadline = monotonicMs() + timeoutMs;
    ServerVitals previous;
    while (monotonicMs() < deadline) {
        ServerVitals vitals = readVitals(pid, port);
        const bool fdsSettled =
            fdTarget >= 0 ? vitals.openFds == fdTarget : vitals.openFds == previous.openFds;
        if (isQuiet(vitals) && fdsSettled)
            return vitals;
        previous = vitals;
        waitUntil([]() { return false; }, 250); // the next reading, while the server winds down
    }
    return previous;
}

// "name 12, other 3": a report line.
QString figures(std::initializer_list<std::pair<const char *, quint64>> named)
{
    QStringList parts;
    for (const auto &[name, value] : named)
        parts << QString::fromLatin1(name) + u' ' + QString::number(value);
    return parts.join(u", "_s);
}

QString percent(qint64 now, qint64 then)
{
    return then > 0 ? QString::number(100.0 * double(now - then) / double(then), 'f', 1) + u'%'
                    : u"?"_s;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(u"Heartline under random load and faults, then checked."_s);
    parser.addHelpOption();
    parser.addOptions(
        {{u"seconds"_s, u"How long the load runs (default 60)"_s, u"N"_s, u"60"_s},
         {u"warmup"_s, u"Seconds of load before the baseline is read (default 10)"_s, u"N"_s,
          u"10"_s},
         {u"actors"_s, u"Scenarios running at once (default 16)"_s, u"N"_s, u"16"_s},
         {u"seed"_s, u"Seed of the random choices (default: from the clock, printed)"_s, u"N"_s},
         {u"binary"_s, u"The heartline binary"_s, u"PATH"_s, QStringLiteral(HEARTLINE_BINARY)}});
    parser.process(app);
    const int seconds = parser.value(u"seconds"_s).toInt();
    const int warmup = parser.value(u"warmup"_s).toInt();
    const int actors = parser.value(u"actors"_s).toInt();
    const quint32 seed = parser.isSet(u"seed"_s)
                             ? parser.value(u"seed"_s).toUInt()
                             : quint32(QDateTime::currentMSecsSinceEpoch() & 0xffffffff);
    if (seconds <= 0 || warmup <= 0 || actors <= 0) {
        say(u"heartline_soak: --seconds, --warmup and --actors take a positive number"_s);
        return 2;
    }

    QTemporaryDir home;
    const QString config = home.filePath(u"soak.json"_s);
    QFile file(config);
    if (!file.open(QIODevice::WriteOnly)
        || file.write(u"{\"sessionIdleTimeoutMs\": %1, \"requestTimeoutMs\": %2, "
                      "\"keepAliveTimeoutMs\": %3}\n"_s.arg(kSessionIdleTimeoutMs)
                          .arg(kRequestTimeoutMs)
                          .arg(kKeepAliveTimeoutMs)
                          .toUtf8())
               < 0) {
        say(u"heartline_soak: cannot write "_s + config);
        return 2;
    }
    file.close();

    QProcess server;
    QString error;
    const quint16 port = startHeadlessHeartline(
        server, parser.value(u"binary"_s), home.path(),
        {u"--port"_s, u"0"_s, u"--heartbeat-ms"_s, u"250"_s, u"--config"_s, config}, &error);
    if (port == 0) {
        say(u"heartline_soak: the server did not start: "_s + error);
        return 1;
    }
    const qint64 pid = server.processId();
    say(u"soak: server pid %1 on port %2; %3 actors, %4 s warm-up, %5 s of load, seed %6"_s.arg(pid)
            .arg(port)
            .arg(actors)
            .arg(warmup)
            .arg(seconds)
            .arg(seed));

    SoakTally tally;
    QRandomGenerator random(seed);
    const SoakContext context{port, &tally, &random, kRequestTimeoutMs};
    SoakDriver driver(context, actors);
    const int quietTimeoutMs = 3 * kSessionIdleTimeoutMs + 30000;

    // Warm-up, then the baseline in the same quiet state the end is read in.
    driver.run(warmup);
    waitUntil([&driver]() { return driver.isDrained(); }, warmup * 1000 + 60000);
    const ServerVitals baseline = waitForQuiet(pid, port, -1, quietTimeoutMs);
    if (!isQuiet(baseline)) {
        say(u"soak: FAILED: the server never became quiet after the warm-up: "_s + baseline.error);
        return 1;
    }
    say(u"soak: baseline after the warm-up: RSS %1 KiB, %2 open descriptors"_s.arg(baseline.rssKiB)
            .arg(baseline.openFds));

    const qint64 loadStarted = monotonicMs();
    driver.run(seconds);
    const bool drained =
        waitUntil([&driver]() { return driver.isDrained(); }, seconds * 1000 + 60000);
    const double loadSeconds = double(monotonicMs() - loadStarted) / 1000.0;
    const ServerVitals end = waitForQuiet(pid, port, baseline.openFds, quietTimeoutMs);

    QStringList problems;
    if (!drained)
        problems << u"%1 scenarios still running a minute after the load ended"_s.arg(
            driver.running());
    if (server.state() != QProcess::Running)
        problems << u"the server is gone (exit code %1)"_s.arg(server.exitCode());
    if (tally.failures > 0)
        problems << u"%1 scenarios failed"_s.arg(tally.failures);
    if (!end.error.isEmpty())
        problems << u"/metrics: "_s + end.error;
    const double sessions = end.metric(u"heartline_sessions{}"_s);
    const double streams = end.metric(u"heartline_streams{}"_s);
    if (sessions != 0 || streams != 0)
        problems << u"%1 sessions and %2 streams left after expiry"_s.arg(sessions).arg(streams);
    if (end.openFds != baseline.openFds)
        problems << u"%1 open descriptors at the end, %2 at the start"_s.arg(end.openFds)
                        .arg(baseline.openFds);
    if (end.rssKiB > qint64(double(baseline.rssKiB) * (1.0 + kRssTolerance)))
        problems << u"RSS grew from %1 to %2 KiB"_s.arg(baseline.rssKiB).arg(end.rssKiB);
    const double opened = end.metric(u"heartline_streams_opened_total{}"_s);
    const double completed = end.metric(u"heartline_streams_closed_total{outcome=completed}"_s);
    const double disconnected =
        end.metric(u"heartline_streams_closed_total{outcome=disconnected}"_s);
    const double causes = end.familyTotal(u"heartline_disconnects_total"_s);
    if (opened != completed + disconnected)
        problems << u"%1 streams opened, %2 completed and %3 disconnected"_s.arg(opened)
                        .arg(completed)
                        .arg(disconnected);
    if (causes < disconnected)
        problems << u"%1 disconnected streams but %2 disconnects with a cause"_s.arg(disconnected)
                        .arg(causes);
    if (tally.cutsOnOpenStreams() > 0 && disconnected == 0)
        problems << u"streams were cut but the server saw no disconnect"_s;

    server.terminate();
    waitUntil([&server]() { return server.state() == QProcess::NotRunning; }, 15000);
    if (server.state() != QProcess::NotRunning || server.exitStatus() != QProcess::NormalExit
        || server.exitCode() != 0)
        problems << u"the server did not exit cleanly on SIGTERM (status %1, code %2)"_s
                        .arg(int(server.exitStatus()))
                        .arg(server.exitCode());

    say(u"soak: %1 s of load with %2 actors (seed %3)"_s.arg(loadSeconds, 0, 'f', 1)
            .arg(actors)
            .arg(seed));
    say(u"  "_s
        + figures({{"scenarios", tally.scenarios},
                   {"connections", tally.connections},
                   {"calls", tally.calls}}));
    say(u"  "_s
        + figures({{"resumable calls", tally.resumableCalls},
                   {"cuts", tally.cutsOnOpenStreams()},
                   {"by RST", tally.cutsReset},
                   {"by FIN", tally.cutsClosed},
                   {"resumptions", tally.resumptions},
                   {"progress seen", tally.progressSeen},
                   {"losses", tally.losses},
                   {"duplicates", tally.duplicates}}));
    say(u"  "_s
        + figures({{"listen streams", tally.listenStreams},
                   {"standalone streams", tally.standaloneStreams},
                   {"bad inputs", tally.badInputs},
                   {"stalled readers", tally.stalls},
                   {"half-open", tally.halfOpen}}));
    say(u"  server: RSS %1 -> %2 KiB (%3), descriptors %4 -> %5"_s.arg(baseline.rssKiB)
            .arg(end.rssKiB)
            .arg(percent(end.rssKiB, baseline.rssKiB))
            .arg(baseline.openFds)
            .arg(end.openFds));
    say(u"  server: streams opened %1 = %2 completed + %3 disconnected"_s.arg(opened)
            .arg(completed)
            .arg(disconnected));
    QStringList byCause;
    for (auto it = end.metrics.cbegin(); it != end.metrics.cend(); ++it) {
        if (it.key().startsWith(u"heartline_disconnects_total{"_s) && it.value() > 0)
            byCause << it.key().section(u'=', 1).chopped(1) + u' ' + QString::number(it.value());
    }
    byCause.sort();
    say(u"  disconnects by cause: "_s + byCause.join(u", "_s));
    for (const QString &failure : tally.firstFailures)
        say(u"  failure: "_s + failure);
    if (!problems.isEmpty()) {
        say(u"soak: FAILED: "_s + problems.join(u"; "_s));
        return 1;
    }
    say(u"soak: passed"_s);
    return 0;
}
