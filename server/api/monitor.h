#pragma once

#include "server/api/monitorevents.h"

#include <QHash>
#include <QMap>
#include <QObject>

#include <array>

namespace heartline {

// Forwarded-call latency of one upstream server in fixed buckets, as /metrics exposes it
// (a Prometheus histogram). The buckets reach minutes: long upstream calls are normal.
struct LatencyHistogram
{
    // Upper bounds in microseconds (the `le` labels are these in seconds).
    static constexpr std::array<qint64, 16> kBoundsUs{
        1'000,      5'000,      10'000,      25'000,     50'000,    100'000,
        250'000,    500'000,    1'000'000,   2'500'000,  5'000'000, 10'000'000,
        30'000'000, 60'000'000, 120'000'000, 300'000'000};

    // cumulative[i]: calls that took at most kBoundsUs[i]; count is the +Inf bucket.
    std::array<quint64, kBoundsUs.size()> cumulative{};
    quint64 count = 0;
    qint64 sumUs = 0;

    void add(qint64 latencyUs);
};

// Running totals behind /metrics and the status views.
struct MonitorCounters
{
    quint64 sessionsOpened = 0;
    quint64 streamsOpened = 0;
    // Streams ended, by whether their response completed; each of the others is also in
    // disconnectsByCause, under the cause it was given.
    quint64 streamsCompleted = 0;
    quint64 streamsDisconnected = 0;
    quint64 heartbeats = 0;
    quint64 messagesIn = 0;
    quint64 messagesOut = 0;
    quint64 eventsEvicted = 0;
    QMap<QString, quint64> disconnectsByCause;
    // (tool, toolCallOutcomeName(outcome)) -> calls; named as /metrics labels them
    QMap<QPair<QString, QString>, quint64> toolCalls;
    // Per upstream server, since start (kept when a server leaves the config):
    QMap<QString, quint64> upstreamRestarts; // restarts scheduled after a crash
    // (server, upstreamCallOutcomeName(outcome)) -> forwarded calls
    QMap<QPair<QString, QString>, quint64> upstreamCalls;
    QMap<QString, LatencyHistogram> upstreamCallLatency;
};

struct MonitorSnapshot
{
    QList<SessionInfo> sessions;
    QList<StreamInfo> streams;
    MonitorCounters counters;
    QString endpoint;
    int heartbeatIntervalMs = 0;
    // Every configured upstream server's current state, in the order they were first reported.
    QList<UpstreamStatus> upstreams;
    // The tools/calls running now, oldest first.
    QList<ToolCallStartedEvent> toolCallsInFlight;
};

// The one observable boundary of the server (DESIGN.md): the GUI's models and the headless
// log read it; nothing outside server/ looks further in. Components report what happened;
// the Monitor keeps just enough state to hand a late subscriber a snapshot.
class Monitor final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Monitor)

public:
    explicit Monitor(QObject *parent = nullptr);

    MonitorSnapshot snapshot() const;
    // The upstream part of the snapshot alone, for /readyz probes.
    QList<UpstreamStatus> upstreams() const { return m_upstreams; }

    void reportListening(const QString &endpoint, int heartbeatIntervalMs);
    void reportHeartbeatInterval(int heartbeatIntervalMs);
    void reportSessionOpened(const SessionInfo &session);
    void reportSessionUpdated(const SessionInfo &session);
    void reportSessionClosed(const QString &sessionId);
    void reportStreamOpened(const StreamInfo &stream);
    void reportStreamClosed(const StreamClosedEvent &event);
    void reportHeartbeat(const HeartbeatEvent &event);
    void reportMessage(const MessageEvent &event);
    void reportToolChanged(const ToolEvent &event);
    void reportToolsListSeen(const ToolsListSeenEvent &event);
    void reportToolCallStarted(const ToolCallStartedEvent &event);
    void reportToolCall(const ToolCallRecord &record);
    void reportPingAnswered(const QString &sessionId, qint64 roundTripMs);
    // Events dropped from session event logs (a resume past them is refused).
    void reportEventsEvicted(quint64 count);
    void reportDisconnect(const DisconnectEvent &event);
    // The user's upstream MCP servers. A state replaces the server's previous one in the
    // snapshot; a removed server (gone from the config) leaves it, its counters stay.
    void reportUpstreamState(const UpstreamStatus &status);
    void reportUpstreamRemoved(const QString &server);
    void reportUpstreamRestartScheduled(const UpstreamRestartEvent &event);
    void reportUpstreamListed(const UpstreamListEvent &event);
    void reportUpstreamDiagnostic(const UpstreamDiagnosticEvent &event);
    void reportUpstreamCall(const UpstreamCallRecord &record);
    void reportUpstreamLog(const UpstreamLogEvent &event);
    void reportUpstreamProblem(const UpstreamProblemEvent &event);

Q_SIGNALS:
    void listening(const QString &endpoint, int heartbeatIntervalMs);
    void heartbeatIntervalChanged(int heartbeatIntervalMs);
    void sessionOpened(const heartline::SessionInfo &session);
    void sessionUpdated(const heartline::SessionInfo &session);
    void sessionClosed(const QString &sessionId);
    void streamOpened(const heartline::StreamInfo &stream);
    void streamClosed(const heartline::StreamClosedEvent &event);
    void heartbeatSent(const heartline::HeartbeatEvent &event);
    void messageObserved(const heartline::MessageEvent &event);
    void toolChanged(const heartline::ToolEvent &event);
    // A session's client has the tool list of event.generation (the tools panel's re-listed).
    void toolsListSeen(const heartline::ToolsListSeenEvent &event);
    void disconnected(const heartline::DisconnectEvent &event);
    void pingAnswered(const QString &sessionId, qint64 roundTripMs);
    void eventsEvicted(quint64 count);
    void toolCallStarted(const heartline::ToolCallStartedEvent &event);
    // Every finished tools/call, for the tools panel's calls, errors and latency.
    void toolCalled(const heartline::ToolCallRecord &record);
    void upstreamStateChanged(const heartline::UpstreamStatus &status);
    void upstreamRemoved(const QString &server);
    void upstreamRestartScheduled(const heartline::UpstreamRestartEvent &event);
    void upstreamListed(const heartline::UpstreamListEvent &event);
    void upstreamDiagnostic(const heartline::UpstreamDiagnosticEvent &event);
    void upstreamCalled(const heartline::UpstreamCallRecord &record);
    void upstreamLogged(const heartline::UpstreamLogEvent &event);
    void upstreamProblem(const heartline::UpstreamProblemEvent &event);

private:
    QHash<QString, SessionInfo> m_sessions;
    QHash<QString, StreamInfo> m_streams;
    MonitorCounters m_counters;
    QString m_endpoint;
    int m_heartbeatIntervalMs = 0;
    QList<UpstreamStatus> m_upstreams;
    // By session id, then request id: the calls running now.
    QHash<QString, QHash<QString, ToolCallStartedEvent>> m_callsInFlight;
};

} // namespace heartline
