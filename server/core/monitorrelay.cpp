#include "server/core/monitorrelay.h"

#include "server/api/monitor.h"

#include <memory>

namespace heartline {

MonitorRelay::MonitorRelay(Monitor *source, Monitor *mirror, QObject *parent)
    : QObject(parent)
    , m_mirror(mirror)
{
    m_flushTimer.setSingleShot(true);
    m_flushTimer.setInterval(kBatchIntervalMs);
    connect(&m_flushTimer, &QTimer::timeout, this, &MonitorRelay::flush);

    relay(source, &Monitor::listening, &Monitor::reportListening);
    relay(source, &Monitor::heartbeatIntervalChanged, &Monitor::reportHeartbeatInterval);
    relay(source, &Monitor::sessionOpened, &Monitor::reportSessionOpened);
    relay(source, &Monitor::sessionUpdated, &Monitor::reportSessionUpdated);
    relay(source, &Monitor::sessionClosed, &Monitor::reportSessionClosed);
    relay(source, &Monitor::streamOpened, &Monitor::reportStreamOpened);
    relay(source, &Monitor::streamClosed, &Monitor::reportStreamClosed);
    relay(source, &Monitor::heartbeatSent, &Monitor::reportHeartbeat);
    relay(source, &Monitor::messageObserved, &Monitor::reportMessage);
    relay(source, &Monitor::toolChanged, &Monitor::reportToolChanged);
    relay(source, &Monitor::toolsListSeen, &Monitor::reportToolsListSeen);
    relay(source, &Monitor::disconnected, &Monitor::reportDisconnect);
    relay(source, &Monitor::pingAnswered, &Monitor::reportPingAnswered);
    relay(source, &Monitor::eventsEvicted, &Monitor::reportEventsEvicted);
    relay(source, &Monitor::toolCallStarted, &Monitor::reportToolCallStarted);
    relay(source, &Monitor::toolCalled, &Monitor::reportToolCall);
    relay(source, &Monitor::upstreamStateChanged, &Monitor::reportUpstreamState);
    relay(source, &Monitor::upstreamRemoved, &Monitor::reportUpstreamRemoved);
    relay(source, &Monitor::upstreamRestartScheduled, &Monitor::reportUpstreamRestartScheduled);
    relay(source, &Monitor::upstreamListed, &Monitor::reportUpstreamListed);
    relay(source, &Monitor::upstreamDiagnostic, &Monitor::reportUpstreamDiagnostic);
    relay(source, &Monitor::upstreamCalled, &Monitor::reportUpstreamCall);
    relay(source, &Monitor::upstreamLogged, &Monitor::reportUpstreamLog);
    relay(source, &Monitor::upstreamProblem, &Monitor::reportUpstreamProblem);
}

template<typename... Args>
void MonitorRelay::relay(Monitor *source, void (Monitor::*signal)(Args...),
                         void (Monitor::*report)(Args...))
{
    // Direct: runs on the server thread as the event is reported; the arguments are copied
    // into the replay, which is all that crosses.
    connect(source, signal, this, [this, report](Args... args) {
        queue([report, args...](Monitor &mirror) { (mirror.*report)(args...); });
    });
}

void MonitorRelay::queue(Replay replay)
{
    m_batch.push_back(std::move(replay));
    if (!m_flushTimer.isActive())
        m_flushTimer.start();
}

void MonitorRelay::flush()
{
    auto batch = std::make_shared<std::vector<Replay>>(std::move(m_batch));
    m_batch.clear();
    Monitor *mirror = m_mirror;
    QMetaObject::invokeMethod(
        mirror,
        [mirror, batch]() {
            for (const Replay &replay : *batch)
                replay(*mirror);
        },
        Qt::QueuedConnection);
}

} // namespace heartline
