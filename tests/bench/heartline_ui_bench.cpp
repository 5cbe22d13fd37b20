// How long the window's heaviest model and view take with thousands of streams: the figures the
// UI tests used to hold to a wall-clock limit, which a shared test machine cannot promise.
//
//   - the connections model's one UI tick over 2,000 streams (200 sessions x 10) after 10,000
//     heartbeats: the flush a burst of network events costs the GUI thread,
//   - grabbing the heartbeat timeline with 2,000 lanes of 50 beats each: one paint of what is in
//     view (painting every lane would be far slower).
//
// Offscreen unless told otherwise; each figure is the best and the median of --rounds runs.
//   build/tests/bench/heartline_ui_bench --rounds 10
#include "server/api/monitor.h"
#include "ui/models/connectionsmodel.h"
#include "ui/models/uitick.h"
#include "ui/timeline/heartbeattimeline.h"
#include "ui/timeline/timelinemodel.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDateTime>
#include <QElapsedTimer>
#include <QImage>
#include <QSignalSpy>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <vector>

using namespace Qt::StringLiterals;
using namespace heartline;

namespace {

constexpr int kSessions = 200;
constexpr int kStreamsPerSession = 10;
constexpr int kHeartbeatRounds = 5;
constexpr int kLanes = 2000;
constexpr int kBeatsPerLane = 50;

struct Figures
{
    double bestMs = 0;
    double medianMs = 0;
};

// Runs `measure` (which returns milliseconds) `rounds` times.
Figures repeat(int rounds, const std::function<double()> &measure)
{
    std::vector<double> runs;
    for (int i = 0; i < rounds; ++i)
        runs.push_back(measure());
    std::sort(runs.begin(), runs.end());
    return {runs.front(), runs.at(runs.size() / 2)};
}

// One tick of a ConnectionsModel over 2,000 streams, after 10,000 heartbeats.
double connectionsTickMs(int *dataChanged)
{
    Monitor monitor;
    UiTick tick;
    tick.setInterval(0);
    ConnectionsModel model(&monitor, nullptr, &tick);
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (int s = 0; s < kSessions; ++s) {
        SessionInfo session;
        session.id = u"session-%1"_s.arg(s);
        session.clientName = u"client"_s;
        session.openedWallMs = now;
        monitor.reportSessionOpened(session);
        for (int k = 0; k < kStreamsPerSession; ++k)
            monitor.reportStreamOpened({u"stream-%1-%2"_s.arg(s).arg(k), session.id,
                                        StreamKind::Standalone, u"127.0.0.1"_s, now, false, {}});
    }
    tick.tickNow();

    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    for (int round = 0; round < kHeartbeatRounds; ++round) {
        for (int s = 0; s < kSessions; ++s) {
            for (int k = 0; k < kStreamsPerSession; ++k)
                monitor.reportHeartbeat({u"stream-%1-%2"_s.arg(s).arg(k), u"session-%1"_s.arg(s),
                                         quint64(round + 1), now + round});
        }
    }
    QElapsedTimer timer;
    timer.start();
    tick.tickNow();
    const double ms = double(timer.nsecsElapsed()) / 1e6;
    *dataChanged = int(changed.count());
    return ms;
}

// A timeline over 2,000 lanes, the way tst_heartbeattimeline builds it, and the time of one
// grab of it.
class TimelineScene final
{
    Q_DISABLE_COPY_MOVE(TimelineScene)

public:
    TimelineScene()
        : m_model(&m_monitor, nullptr)
        , m_view(&m_model)
    {
        constexpr qint64 kStart = 1'700'000'003'333;
        m_monitor.reportListening(u"http://127.0.0.1:1"_s, 30'000);
        m_model.setClock([] { return kStart; });
        m_view.resize(HeartbeatTimeline::kLabelWidth + 12 + 600 + 1, 300);
        for (int i = 0; i < kLanes; ++i) {
            SessionInfo session;
            session.id = u"s"_s + QString::number(i);
            session.clientName = u"client-"_s + session.id;
            m_monitor.reportSessionOpened(session);
            const QString stream = session.id + u"/get1"_s;
            m_monitor.reportStreamOpened(
                {stream, session.id, StreamKind::Standalone, {}, kStart - 60'000, false, {}});
            for (int beat = 0; beat < kBeatsPerLane; ++beat)
                m_monitor.reportHeartbeat(
                    {stream, session.id, quint64(beat + 1), kStart - 60'000 + beat * 1000});
        }
        m_view.show();
        m_model.handleTick();
    }

    double grabMs()
    {
        QElapsedTimer timer;
        timer.start();
        const QImage image = m_view.grab().toImage();
        return image.isNull() ? -1 : double(timer.nsecsElapsed()) / 1e6;
    }

    int laneCount() const { return m_view.laneCount(); }

private:
    Monitor m_monitor;
    TimelineModel m_model;
    HeartbeatTimeline m_view;
};

} // namespace

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(u"Times the connections model and the heartbeat timeline "
                                     u"with thousands of streams."_s);
    parser.addHelpOption();
    const QCommandLineOption roundsOption(u"rounds"_s, u"Runs of each figure (default 10)."_s,
                                          u"N"_s, u"10"_s);
    parser.addOption(roundsOption);
    parser.process(app);
    const int rounds = qMax(1, parser.value(roundsOption).toInt());

    int dataChanged = 0;
    const Figures tick = repeat(rounds, [&dataChanged] { return connectionsTickMs(&dataChanged); });
    std::printf("connections model, one tick over %d streams after %d heartbeats: best %.1f ms, "
                "median %.1f ms, %d dataChanged\n",
                kSessions * kStreamsPerSession, kSessions * kStreamsPerSession * kHeartbeatRounds,
                tick.bestMs, tick.medianMs, dataChanged);

    TimelineScene scene;
    const Figures grab = repeat(rounds, [&scene] { return scene.grabMs(); });
    std::printf("heartbeat timeline, one grab with %d lanes of %d beats: best %.1f ms, "
                "median %.1f ms\n",
                scene.laneCount(), kBeatsPerLane, grab.bestMs, grab.medianMs);
    return 0;
}
