#include "server/api/monitor.h"

#include <algorithm>

namespace heartline {

void LatencyHistogram::add(qint64 latencyUs)
{
    const qint64 us = qMax<qint64>(0, latencyUs);
    for (std::size_t i = 0; i < kBoundsUs.size(); ++i) {
        if (us <= kBoundsUs[i])
            ++cumulative[i];
    }
    ++count;
    sumUs += us;
}

Monitor::Monitor(QObject *parent)
    : QObject(parent)
{
    qRegisterMetaType<SessionInfo>();
    qRegisterMetaType<StreamInfo>();
    qRegisterMetaType<HeartbeatEvent>();
    qRegisterMetaType<MessageEvent>();
    qRegisterMetaType<ToolEvent>();
    qRegisterMetaType<ToolsListSeenEvent>();
    qRegisterMetaType<DisconnectEvent>();
    qRegisterMetaType<StreamClosedEvent>();
    qRegisterMetaType<StreamStats>();
    qRegisterMetaType<ToolCallRecord>();
    qRegisterMetaType<ToolCallStartedEvent>();
    qRegisterMetaType<UpstreamStatus>();
    qRegisterMetaType<UpstreamRestartEvent>();
    qRegisterMetaType<UpstreamListEvent>();
    qRegisterMetaType<UpstreamDiagnosticEvent>();
    qRegisterMetaType<UpstreamCallRecord>();
    qRegisterMetaType<UpstreamLogEvent>();
    qRegisterMetaType<UpstreamProblemEvent>();
}

MonitorSnapshot Monitor::snapshot() const
{
    QList<ToolCallStartedEvent> calls;
    for (const auto &session : m_callsInFlight)
        calls.append(session.values());
    std::sort(calls.begin(), calls.end(),
              [](const auto &a, const auto &b) { return a.wallMs < b.wallMs; });
    return {m_sessions.values(),   m_streams.values(), m_counters, m_endpoint,
            m_heartbeatIntervalMs, m_upstreams,        calls};
}

void Monitor::reportListening(const QString &endpoint, int heartbeatIntervalMs)
{
    m_endpoint = endpoint;
    m_heartbeatIntervalMs = heartbeatIntervalMs;
    Q_EMIT listening(endpoint, heartbeatIntervalMs);
}

void Monitor::reportHeartbeatInterval(int heartbeatIntervalMs)
{
    m_heartbeatIntervalMs = heartbeatIntervalMs;
    Q_EMIT heartbeatIntervalChanged(heartbeatIntervalMs);
}

void Monitor::reportSessionOpened(const SessionInfo &session)
{
    ++m_counters.sessionsOpened;
    m_sessions.insert(session.id, session);
    Q_EMIT sessionOpened(session);
}

void Monitor::reportSessionUpdated(const SessionInfo &session)
{
    if (!m_sessions.contains(session.id))
        return;
    m_sessions.insert(session.id, session);
    Q_EMIT sessionUpdated(session);
}

void Monitor::reportSessionClosed(const QString &sessionId)
{
    // Whatever it still ran ended with it.
    m_callsInFlight.remove(sessionId);
    if (m_sessions.remove(sessionId) > 0)
        Q_EMIT sessionClosed(sessionId);
}

void Monitor::reportStreamOpened(const StreamInfo &stream)
{
    ++m_counters.streamsOpened;
    m_streams.insert(stream.id, stream);
    Q_EMIT streamOpened(stream);
}

void Monitor::reportStreamClosed(const StreamClosedEvent &event)
{
    m_streams.remove(event.stream.id);
    ++(event.completed ? m_counters.streamsCompleted : m_counters.streamsDisconnected);
    Q_EMIT streamClosed(event);
}

void Monitor::reportHeartbeat(const HeartbeatEvent &event)
{
    ++m_counters.heartbeats;
    Q_EMIT heartbeatSent(event);
}

void Monitor::reportMessage(const MessageEvent &event)
{
    if (event.direction == MessageEvent::Direction::In)
        ++m_counters.messagesIn;
    else
        ++m_counters.messagesOut;
    Q_EMIT messageObserved(event);
}

void Monitor::reportToolChanged(const ToolEvent &event)
{
    Q_EMIT toolChanged(event);
}

void Monitor::reportToolsListSeen(const ToolsListSeenEvent &event)
{
    Q_EMIT toolsListSeen(event);
}

void Monitor::reportToolCallStarted(const ToolCallStartedEvent &event)
{
    m_callsInFlight[event.sessionId].insert(event.requestId, event);
    Q_EMIT toolCallStarted(event);
}

void Monitor::reportToolCall(const ToolCallRecord &record)
{
    if (const auto session = m_callsInFlight.find(record.sessionId);
        session != m_callsInFlight.end()) {
        session->remove(record.requestId);
        if (session->isEmpty())
            m_callsInFlight.erase(session);
    }
    ++m_counters.toolCalls[{record.tool, toolCallOutcomeName(record.outcome)}];
    Q_EMIT toolCalled(record);
}

void Monitor::reportPingAnswered(const QString &sessionId, qint64 roundTripMs)
{
    auto it = m_sessions.find(sessionId);
    if (it == m_sessions.end())
        return;
    it->pingRttMs = roundTripMs;
    Q_EMIT pingAnswered(sessionId, roundTripMs);
}

void Monitor::reportEventsEvicted(quint64 count)
{
    m_counters.eventsEvicted += count;
    Q_EMIT eventsEvicted(count);
}

void Monitor::reportDisconnect(const DisconnectEvent &event)
{
    ++m_counters.disconnectsByCause[DisconnectCauses::name(event.cause)];
    Q_EMIT disconnected(event);
}

void Monitor::reportUpstreamState(const UpstreamStatus &status)
{
    auto it = std::find_if(
        m_upstreams.begin(), m_upstreams.end(),
        [&status](const UpstreamStatus &known) { return known.server == status.server; });
    if (it == m_upstreams.end())
        m_upstreams.append(status);
    else
        *it = status;
    Q_EMIT upstreamStateChanged(status);
}

void Monitor::reportUpstreamRemoved(const QString &server)
{
    const qsizetype removed = m_upstreams.removeIf(
        [&server](const UpstreamStatus &known) { return known.server == server; });
    if (removed > 0)
        Q_EMIT upstreamRemoved(server);
}

void Monitor::reportUpstreamRestartScheduled(const UpstreamRestartEvent &event)
{
    ++m_counters.upstreamRestarts[event.server];
    Q_EMIT upstreamRestartScheduled(event);
}

void Monitor::reportUpstreamListed(const UpstreamListEvent &event)
{
    Q_EMIT upstreamListed(event);
}

void Monitor::reportUpstreamDiagnostic(const UpstreamDiagnosticEvent &event)
{
    Q_EMIT upstreamDiagnostic(event);
}

void Monitor::reportUpstreamCall(const UpstreamCallRecord &record)
{
    ++m_counters.upstreamCalls[{record.server, upstreamCallOutcomeName(record.outcome)}];
    m_counters.upstreamCallLatency[record.server].add(record.latencyUs);
    Q_EMIT upstreamCalled(record);
}

void Monitor::reportUpstreamLog(const UpstreamLogEvent &event)
{
    Q_EMIT upstreamLogged(event);
}

void Monitor::reportUpstreamProblem(const UpstreamProblemEvent &event)
{
    Q_EMIT upstreamProblem(event);
}

} // namespace heartline
