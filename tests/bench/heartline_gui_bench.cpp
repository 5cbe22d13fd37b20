// Is the window still responsive with 2,000 open streams and 200 calls per second (issue 6)?
//
// This process is the app as it runs for a person: a real HeartlineServer (port 0, 1 s
// heartbeat) on its own thread as the app runs it (ServerRunner; --same-thread puts it on the
// GUI thread, as before issue 12, to compare) and the real MainWindow over it, shown at 1400x900
// (offscreen platform unless DISPLAY is set). The load comes from another process, heartline_bench
// --mode load, so the clients' work does not count here: it holds N idle GET streams and sends echo
// calls at a fixed rate. Meanwhile this process measures
//   - event-loop lag: how late each firing of a 10 ms timer comes (what a click or a key
//     press would wait at most for the loop to get to it),
//   - the UI tick: the window's own tick timer is stopped and the bench ticks it at the same
//     interval, timing the synchronous ticked() emission, i.e. every model's flush,
//   - painting: each paintEvent of the heartbeat timeline and each repaint of the whole
//     window (its UpdateRequest), timed in QApplication::notify,
//   - CPU time of this process and of the load process, and of the whole machine (2 cores
//     shared with whatever else runs; the figures say how busy it was).
// With --upstreams N (20 by default) the server also hosts N upstream servers (the
// misbehaving-upstream fixture as real children, each with its tools), so the Servers panel,
// the grouped tools and the upstream bookkeeping are part of what the window carries; the load
// starts once every one is ready.
// The load prints "load-phase:" lines; the figures are kept per phase (streams opening,
// settling, steady calls, closing) and the steady phase is the answer.
#include "server/api/monitor.h"
#include "server/core/heartlineserver.h"
#include "server/core/serverrunner.h"
#include "server/tools/upstream/upstreamhost.h"
#include "ui/models/uitick.h"
#include "ui/timeline/heartbeattimeline.h"
#include "ui/window/appsettings.h"
#include "ui/window/mainwindow.h"
#include "ui/window/timelinepanel.h"
#include "ui/window/trafficpanel.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDockWidget>
#include <QElapsedTimer>
#include <QFile>
#include <QHash>
#include <QLoggingCategory>
#include <QMetaEnum>
#include <QProcess>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>
#include <QWindow>

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <ctime>
#include <vector>

using namespace Qt::StringLiterals;

namespace {

enum class Phase { Starting, Opening, Settling, Steady, Closing, Count };

const char *phaseName(Phase phase)
{
    switch (phase) {
    case Phase::Starting:
        return "starting";
    case Phase::Opening:
        return "streams opening";
    case Phase::Settling:
        return "streams open, no calls";
    case Phase::Steady:
        return "steady: streams + calls";
    case Phase::Closing:
        return "load gone, streams closing";
    case Phase::Count:
        break;
    }
    return "";
}

// utime + stime of a process, in seconds.
double processCpuSeconds(qint64 pid)
{
    QFile stat(u"/proc/%1/stat"_s.arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return 0;
    const QByteArray line = stat.readAll();
    const QList<QByteArray> fields = line.mid(line.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of stat, i.e. 11 and 12 after the command name.
    return (fields.value(11).toDouble() + fields.value(12).toDouble())
           / double(sysconf(_SC_CLK_TCK));
}

// Busy and total jiffies of all cores together, from the first line of /proc/stat.
struct MachineCpu
{
    double busy = 0;
    double total = 0;
};

MachineCpu machineCpu()
{
    QFile stat(u"/proc/stat"_s);
    if (!stat.open(QIODevice::ReadOnly))
        return {};
    const QList<QByteArray> fields = stat.readLine().simplified().split(' ');
    MachineCpu cpu;
    for (int i = 1; i < fields.size(); ++i) {
        const double value = fields.at(i).toDouble();
        cpu.total += value;
        if (i != 4 && i != 5) // idle and iowait
            cpu.busy += value;
    }
    return cpu;
}

QByteArray loadAverage()
{
    QFile file(u"/proc/loadavg"_s);
    if (!file.open(QIODevice::ReadOnly))
        return "?";
    const QList<QByteArray> fields = file.readAll().split(' ');
    return fields.mid(0, 3).join(' ');
}

// CPU time of the calling thread: on a machine shared with other work, wall-clock durations
// also count the time the process waited for a core; this does not.
qint64 threadCpuUs()
{
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return qint64(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
}

struct Samples
{
    std::vector<qint64> us;

    void add(qint64 value) { us.push_back(value); }
    void sort() { std::sort(us.begin(), us.end()); }
    double ms(double p) const
    {
        return us.empty() ? 0.0 : us[std::min(us.size() - 1, size_t(p * us.size()))] / 1000.0;
    }
    double maxMs() const { return us.empty() ? 0.0 : us.back() / 1000.0; }
    double totalMs() const
    {
        double sum = 0;
        for (qint64 v : us)
            sum += v;
        return sum / 1000.0;
    }
    QByteArray line() const
    {
        char text[128];
        std::snprintf(text, sizeof text, "p50 %6.2f  p99 %6.2f  max %7.2f ms  (n=%zu)", ms(0.5),
                      ms(0.99), maxMs(), us.size());
        return QByteArray(text);
    }
};

struct PhaseStats
{
    bool seen = false;
    qint64 startNs = 0;
    qint64 endNs = 0;
    double cpuStart = 0;
    double cpuEnd = 0;
    double loadCpuStart = 0;
    double loadCpuEnd = 0;
    MachineCpu machineStart;
    MachineCpu machineEnd;
    QByteArray loadAverageEnd;
    Samples lag;
    Samples tick;
    Samples tickCpu; // the same flushes in this thread's CPU time: without time preempted
    Samples timelinePaint;
    Samples windowPaint;
    // Where the loop's time went: event deliveries of 1 ms or more, by receiver and event type.
    struct Cost
    {
        qint64 count = 0;
        qint64 totalUs = 0;
        qint64 maxUs = 0;
        qint64 over16ms = 0;
    };
    QHash<QByteArray, Cost> slowEvents;

    double seconds() const { return (endNs - startNs) / 1e9; }
};

// Times paint events of the timeline and repaints of the whole window where Qt delivers them.
class BenchApplication final : public QApplication
{
public:
    using QApplication::QApplication;

    QObject *timeline = nullptr;
    QObject *window = nullptr;
    QObject *windowHandle = nullptr;
    PhaseStats *current = nullptr;

    bool notify(QObject *receiver, QEvent *event) override
    {
        if (current == nullptr || m_depth > 0)
            return timedNotify(receiver, event);
        // The outermost delivery is what holds the loop; time it and keep the slow ones.
        // The receiver may be gone afterwards (DeferredDelete): note what it is first.
        const char *className = receiver->metaObject()->className();
        const QString objectName = receiver->objectName();
        const char *parentClassName =
            receiver->parent() != nullptr ? receiver->parent()->metaObject()->className() : nullptr;
        const QEvent::Type type = event->type();
        ++m_depth;
        QElapsedTimer timer;
        timer.start();
        const bool result = timedNotify(receiver, event);
        const qint64 us = timer.nsecsElapsed() / 1000;
        --m_depth;
        if (us >= 1000 && current != nullptr) {
            PhaseStats::Cost &cost =
                current->slowEvents[describe(className, objectName, parentClassName, type)];
            ++cost.count;
            cost.totalUs += us;
            cost.maxUs = std::max(cost.maxUs, us);
            if (us >= 16000)
                ++cost.over16ms;
        }
        return result;
    }

private:
    // "Receiver class (named or parent class) / event type".
    static QByteArray describe(const char *className, const QString &objectName,
                               const char *parentClassName, QEvent::Type type)
    {
        QByteArray text = className;
        if (!objectName.isEmpty())
            text += " \"" + objectName.toUtf8() + '"';
        else if (parentClassName != nullptr)
            text += QByteArray(" in ") + parentClassName;
        const char *typeName = QMetaEnum::fromType<QEvent::Type>().valueToKey(type);
        return text + " / "
               + (typeName != nullptr ? QByteArray(typeName) : QByteArray::number(type));
    }

    bool timedNotify(QObject *receiver, QEvent *event)
    {
        const QEvent::Type type = event->type();
        const bool timelinePaint = type == QEvent::Paint && receiver == timeline;
        const bool windowPaint =
            type == QEvent::UpdateRequest && (receiver == window || receiver == windowHandle);
        if (current == nullptr || (!timelinePaint && !windowPaint))
            return QApplication::notify(receiver, event);
        QElapsedTimer timer;
        timer.start();
        const bool result = QApplication::notify(receiver, event);
        (timelinePaint ? current->timelinePaint : current->windowPaint)
            .add(timer.nsecsElapsed() / 1000);
        return result;
    }

    int m_depth = 0;
};

} // namespace

int main(int argc, char *argv[])
{
    Q_INIT_RESOURCE(heartline); // the window's icon
    // Offscreen unless there is a display to show the window on (or the caller chose).
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM") && qEnvironmentVariableIsEmpty("DISPLAY"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    BenchApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addOptions({
        {u"load"_s, u"the load generator (heartline_bench)"_s, u"PATH"_s,
         QStringLiteral(HEARTLINE_LOAD_BENCH)},
        {u"streams"_s, u"idle GET streams"_s, u"N"_s, u"2000"_s},
        {u"rate"_s, u"echo calls per second"_s, u"N"_s, u"200"_s},
        {u"seconds"_s, u"length of the steady part (streams + calls)"_s, u"S"_s, u"20"_s},
        {u"connections"_s, u"connections the calls go over"_s, u"N"_s, u"4"_s},
        {u"heartbeat-ms"_s, u"server heartbeat interval"_s, u"MS"_s, u"1000"_s},
        {u"tick-ms"_s, u"UI tick interval"_s, u"MS"_s,
         QString::number(heartline::UiTick::kDefaultIntervalMs)},
        {u"upstreams"_s, u"upstream servers hosted (real children)"_s, u"N"_s,
         QStringLiteral(HEARTLINE_MISBEHAVING_UPSTREAM).isEmpty() ? u"0"_s : u"20"_s},
        {u"upstream"_s, u"the upstream server's program"_s, u"PATH"_s,
         QStringLiteral(HEARTLINE_MISBEHAVING_UPSTREAM)},
    });
    parser.addOption({u"same-thread"_s, u"run the server on the GUI thread (before issue 12)"_s});
    parser.addOption({u"server-log"_s, u"keep the server's info logging on stderr (the app's "
                                       u"default; off here so the figures stay readable)"_s});
    parser.process(app);
    QLoggingCategory::setFilterRules(parser.isSet(u"server-log"_s)
                                         ? u"heartline.*.debug=false"_s
                                         : u"heartline.*.debug=false\nheartline.*.info=false"_s);

    QTemporaryDir settingsDir; // never the person's own settings
    heartline::AppSettings settings(settingsDir.filePath(u"bench.conf"_s));
    heartline::ServerConfig config;
    config.port = 0;
    config.heartbeatMs = parser.value(u"heartbeat-ms"_s).toInt();
    const bool sameThread = parser.isSet(u"same-thread"_s);
    heartline::ServerRunner runner(config, sameThread
                                               ? heartline::ServerRunner::Placement::CallerThread
                                               : heartline::ServerRunner::Placement::OwnThread);
    QString error;
    bool listening = false;
    QString mcpUrl;
    quint16 port = 0;
    runner.runOnServerThread([&]() {
        heartline::HeartlineServer *server = runner.server();
        server->registerBuiltinTools();
        listening = server->listen(&error);
        mcpUrl = server->mcpUrl();
        port = server->port();
    });
    if (!listening) {
        std::fprintf(stderr, "cannot listen: %s\n", qPrintable(error));
        return 1;
    }

    const int upstreams = parser.value(u"upstreams"_s).toInt();
    QList<heartline::UpstreamServerConfig> hosted;
    for (int i = 0; i < upstreams; ++i) {
        heartline::UpstreamServerConfig server;
        server.name = u"up%1"_s.arg(i + 1, 2, 10, QChar(u'0'));
        server.command = parser.value(u"upstream"_s);
        server.args = {u"--stderr-lines"_s, u"3"_s};
        hosted.append(server);
    }
    runner.runOnServerThread([&]() { runner.server()->upstreams()->apply(hosted); });

    heartline::MainWindow window(runner.monitor(), runner.control(), &settings);
    window.resize(1400, 900);
    window.show();
    // The Servers panel is the one on show: its rows are what the upstreams add.
    if (auto *servers = window.findChild<QDockWidget *>(u"serversDock"_s))
        servers->raise();
    heartline::HeartbeatTimeline *timeline = window.timelinePanel()->timeline();
    app.timeline = timeline;
    app.window = &window;
    app.windowHandle = window.windowHandle();

    std::array<PhaseStats, size_t(Phase::Count)> phases;
    QElapsedTimer clock;
    clock.start();
    qint64 loadPid = 0;
    Phase phase = Phase::Starting;
    auto enter = [&](Phase next) {
        const qint64 now = clock.nsecsElapsed();
        PhaseStats &old = phases[size_t(phase)];
        old.endNs = now;
        old.cpuEnd = processCpuSeconds(QCoreApplication::applicationPid());
        old.loadCpuEnd = processCpuSeconds(loadPid);
        old.machineEnd = machineCpu();
        old.loadAverageEnd = loadAverage();
        phase = next;
        if (next == Phase::Count) {
            app.current = nullptr;
            return;
        }
        PhaseStats &stats = phases[size_t(next)];
        stats.seen = true;
        stats.startNs = now;
        stats.cpuStart = old.cpuEnd;
        stats.loadCpuStart = old.loadCpuEnd;
        stats.machineStart = old.machineEnd;
        app.current = &stats;
    };
    phases[0].seen = true;
    phases[0].cpuStart = processCpuSeconds(QCoreApplication::applicationPid());
    phases[0].machineStart = machineCpu();
    app.current = &phases[0];

    // Event-loop lag: how much later than its interval each firing of a 10 ms timer comes.
    constexpr int kProbeMs = 10;
    QTimer probe;
    probe.setObjectName(u"bench lag probe"_s);
    probe.setTimerType(Qt::PreciseTimer);
    probe.setInterval(kProbeMs);
    qint64 lastProbeNs = clock.nsecsElapsed();
    QObject::connect(&probe, &QTimer::timeout, [&]() {
        const qint64 now = clock.nsecsElapsed();
        if (app.current != nullptr)
            app.current->lag.add(std::max<qint64>(0, (now - lastProbeNs) / 1000 - kProbeMs * 1000));
        lastProbeNs = now;
    });
    probe.start();

    // The UI tick, driven from here at the window's interval so each flush can be timed.
    heartline::UiTick *tick = window.uiTick();
    tick->setInterval(0);
    QTimer ticker;
    ticker.setObjectName(u"bench UI tick (all models flush)"_s);
    ticker.setInterval(parser.value(u"tick-ms"_s).toInt());
    QObject::connect(&ticker, &QTimer::timeout, [&]() {
        QElapsedTimer timer;
        timer.start();
        const qint64 cpuBefore = threadCpuUs();
        tick->tickNow();
        if (app.current != nullptr) {
            app.current->tick.add(timer.nsecsElapsed() / 1000);
            app.current->tickCpu.add(threadCpuUs() - cpuBefore);
        }
    });
    ticker.start();

    std::printf("heartline gui bench: platform %s, %d cores, load average %s\n",
                qPrintable(QGuiApplication::platformName()), QThread::idealThreadCount(),
                loadAverage().constData());
    std::printf("server %s on %s, heartbeat %d ms, UI tick %d ms; window %dx%d (MainWindow)\n",
                qPrintable(mcpUrl), sameThread ? "the GUI thread" : "its own thread",
                config.heartbeatMs, ticker.interval(), window.width(), window.height());
    std::fflush(stdout);

    // The load: another process, so its sockets' work is not ours.
    QProcess load;
    load.setProgram(parser.value(u"load"_s));
    load.setArguments({u"--mode"_s, u"load"_s, u"--port"_s, QString::number(port), u"--streams"_s,
                       parser.value(u"streams"_s), u"--rate"_s, parser.value(u"rate"_s),
                       u"--seconds"_s, parser.value(u"seconds"_s), u"--connections"_s,
                       parser.value(u"connections"_s)});
    load.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    QByteArray loadOut;
    QByteArray loadResult;
    QObject::connect(&load, &QProcess::readyReadStandardOutput, [&]() {
        loadOut += load.readAllStandardOutput();
        qsizetype nl;
        while ((nl = loadOut.indexOf('\n')) >= 0) {
            const QByteArray line = loadOut.left(nl);
            loadOut.remove(0, nl + 1);
            std::printf("  [load %6.2f s] %s\n", clock.elapsed() / 1000.0, line.constData());
            std::fflush(stdout);
            if (line.startsWith("load-phase: opening")) {
                enter(Phase::Opening);
            } else if (line.startsWith("load-phase: streams-open")) {
                enter(Phase::Settling);
            } else if (line.startsWith("load-phase: calls-start")) {
                enter(Phase::Steady);
                // The traffic view follows one of the sessions the calls go to.
                const qsizetype at = line.lastIndexOf(' ');
                window.trafficPanel()->setSessionId(QString::fromLatin1(line.mid(at + 1)));
            } else if (line.startsWith("load-phase: calls-end")) {
                enter(Phase::Closing);
            } else if (line.startsWith("load-result: ")) {
                loadResult = line.mid(13);
            }
        }
    });
    int loadStatus = -1;
    QObject::connect(&load, &QProcess::finished, [&](int exitCode, QProcess::ExitStatus status) {
        loadStatus = status == QProcess::NormalExit ? exitCode : -1;
        loadPid = 0;
        std::printf("  [load %6.2f s] load process ended (exit %d)\n", clock.elapsed() / 1000.0,
                    loadStatus);
        std::fflush(stdout);
        if (phase != Phase::Closing)
            enter(Phase::Closing);
        // Closed rows and lanes linger a few seconds; keep measuring until they have gone.
        QTimer::singleShot(5000, &app, [&]() {
            enter(Phase::Count);
            QCoreApplication::quit();
        });
    });
    QObject::connect(&load, &QProcess::errorOccurred, [&](QProcess::ProcessError e) {
        if (e == QProcess::FailedToStart) {
            std::fprintf(stderr, "cannot start %s\n", qPrintable(load.program()));
            QCoreApplication::exit(1);
        }
    });
    // The load starts once every upstream server is ready (or after a minute, said).
    QElapsedTimer upstreamClock;
    upstreamClock.start();
    QTimer upstreamWait;
    upstreamWait.setInterval(100);
    QObject::connect(&upstreamWait, &QTimer::timeout, [&]() {
        int ready = 0;
        for (const heartline::UpstreamStatus &status : runner.monitor()->snapshot().upstreams)
            ready += status.state == heartline::UpstreamState::Ready ? 1 : 0;
        if (ready < upstreams && upstreamClock.elapsed() < 60'000)
            return;
        upstreamWait.stop();
        std::printf("upstream servers: %d of %d ready after %.1f s\n", ready, upstreams,
                    upstreamClock.elapsed() / 1000.0);
        std::fflush(stdout);
        load.start();
        loadPid = load.processId();
    });
    upstreamWait.start();
    if (app.exec() != 0)
        return 1;

    const int cores = QThread::idealThreadCount();
    std::printf("\nper phase (lag = how late a 10 ms timer fired; tick = one UiTick flush of every "
                "model; paint = one timeline paintEvent / one whole-window repaint):\n");
    for (size_t i = 0; i < phases.size(); ++i) {
        PhaseStats &s = phases[i];
        if (!s.seen || s.seconds() <= 0)
            continue;
        s.lag.sort();
        s.tick.sort();
        s.tickCpu.sort();
        s.timelinePaint.sort();
        s.windowPaint.sort();
        const double seconds = s.seconds();
        const double machineBusy = s.machineEnd.total > s.machineStart.total
                                       ? (s.machineEnd.busy - s.machineStart.busy)
                                             / (s.machineEnd.total - s.machineStart.total)
                                       : 0;
        std::printf("- %s, %.1f s\n", phaseName(Phase(i)), seconds);
        std::printf("    event-loop lag   %s\n", s.lag.line().constData());
        std::printf("    UI tick flush    %s, %.1f%% of the time\n", s.tick.line().constData(),
                    100.0 * s.tick.totalMs() / 1000.0 / seconds);
        std::printf("    ... its CPU time %s\n", s.tickCpu.line().constData());
        std::printf("    timeline paint   %s\n", s.timelinePaint.line().constData());
        std::printf("    window repaint   %s, %.1f%% of the time\n",
                    s.windowPaint.line().constData(),
                    100.0 * s.windowPaint.totalMs() / 1000.0 / seconds);
        // The load process's figures are gone once it has exited.
        const QByteArray loadCpu =
            s.loadCpuEnd > 0 && s.loadCpuEnd >= s.loadCpuStart
                ? QByteArray::number(100.0 * (s.loadCpuEnd - s.loadCpuStart) / seconds, 'f', 1)
                      + '%'
                : QByteArray("n/a");
        std::printf("    CPU: this process %.1f%% of one core, load process %s, whole machine "
                    "%.0f%% of %d cores; load average at the end %s\n",
                    100.0 * (s.cpuEnd - s.cpuStart) / seconds, loadCpu.constData(),
                    100.0 * machineBusy, cores, s.loadAverageEnd.constData());
        std::vector<std::pair<QByteArray, PhaseStats::Cost>> slow;
        for (auto it = s.slowEvents.cbegin(); it != s.slowEvents.cend(); ++it)
            slow.emplace_back(it.key(), it.value());
        std::sort(slow.begin(), slow.end(),
                  [](const auto &a, const auto &b) { return a.second.totalUs > b.second.totalUs; });
        if (!slow.empty())
            std::printf("    event deliveries of >= 1 ms, by total time:\n");
        for (size_t k = 0; k < std::min<size_t>(slow.size(), 6); ++k) {
            const PhaseStats::Cost &c = slow[k].second;
            std::printf("      %7.1f ms in %5lld, max %6.1f ms, %3lld over 16 ms: %s\n",
                        c.totalUs / 1000.0, (long long)c.count, c.maxUs / 1000.0,
                        (long long)c.over16ms, slow[k].first.constData());
        }
    }

    const PhaseStats &steady = phases[size_t(Phase::Steady)];
    std::printf("\nsummary (steady phase):\n");
    std::printf("  streams %s, calls: %s\n", qPrintable(parser.value(u"streams"_s)),
                loadResult.isEmpty() ? "no result from the load" : loadResult.constData());
    std::printf("  event-loop lag   p50 %.2f ms, p99 %.2f ms, max %.2f ms\n", steady.lag.ms(0.5),
                steady.lag.ms(0.99), steady.lag.maxMs());
    std::printf("  UI tick flush    p50 %.2f ms, p99 %.2f ms, max %.2f ms\n", steady.tick.ms(0.5),
                steady.tick.ms(0.99), steady.tick.maxMs());
    std::printf("  ... its CPU time p50 %.2f ms, p99 %.2f ms, max %.2f ms (wall time less "
                "time spent waiting for a core)\n",
                steady.tickCpu.ms(0.5), steady.tickCpu.ms(0.99), steady.tickCpu.maxMs());
    std::printf("  timeline paint   p50 %.2f ms, p99 %.2f ms, max %.2f ms (%zu paints)\n",
                steady.timelinePaint.ms(0.5), steady.timelinePaint.ms(0.99),
                steady.timelinePaint.maxMs(), steady.timelinePaint.us.size());
    std::printf("  window repaint   p50 %.2f ms, p99 %.2f ms, max %.2f ms (%zu repaints)\n",
                steady.windowPaint.ms(0.5), steady.windowPaint.ms(0.99), steady.windowPaint.maxMs(),
                steady.windowPaint.us.size());
    std::printf("  CPU (server + window, one process) %.1f%% of one core\n",
                steady.seconds() > 0 ? 100.0 * (steady.cpuEnd - steady.cpuStart) / steady.seconds()
                                     : 0.0);
    // A rule of thumb, not a standard: input handled within ~100 ms feels immediate.
    const bool responsive =
        steady.lag.us.size() > 0 && steady.lag.ms(0.99) <= 50 && steady.lag.maxMs() <= 200;
    std::printf("  responsive (lag p99 <= 50 ms and max <= 200 ms): %s\n",
                responsive ? "yes" : "NO");
    return loadStatus == 0 ? 0 : 1;
}
