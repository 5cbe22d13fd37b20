#pragma once

#include "server/api/monitorevents.h"

#include <QHash>
#include <QMap>
#include <QObject>

namespace heartline {

// Running totals behind /metrics and the status views.
struct MonitorCounters
{
    quint64 sessionsOpened = 0;
    quint64 streamsOpened = 0;
    quint64 heartbeats = 0;
    quint64 messagesIn = 0;
    quint64 messagesOut = 0;
    quint64 eventsEvicted = 0;
    QMap<QString, quint64> disconnectsByCause;
    // (tool, toolCallOutcomeName(outcome)) -> calls; named as /metrics labels them
    QMap<QPair<QString, QString>, quint64> toolCalls;
};

struct MonitorSnapshot
{
    QList<SessionInfo> sessions;
    QList<StreamInfo> streams;
    MonitorCounters counters;
    QString endpoint;
    int heartbeatIntervalMs = 0;
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
    void reportToolCall(const ToolCallRecord &record);
    void reportPingAnswered(const QString &sessionId, qint64 roundTripMs);
    // Events dropped from session event logs (a resume past them is refused).
    void reportEventsEvicted(quint64 count);
    void reportDisconnect(const DisconnectEvent &event);

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
    // Every finished tools/call, for the tools panel's calls, errors and latency.
    void toolCalled(const heartline::ToolCallRecord &record);

private:
    QHash<QString, SessionInfo> m_sessions;
    QHash<QString, StreamInfo> m_streams;
    MonitorCounters m_counters;
    QString m_endpoint;
    int m_heartbeatIntervalMs = 0;
};

} // namespace heartline
