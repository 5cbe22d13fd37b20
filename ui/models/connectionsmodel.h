#pragma once

#include "server/api/monitorevents.h"
#include "ui/models/connectionstate.h"

#include <QAbstractItemModel>
#include <QList>

#include <memory>
#include <optional>
#include <unordered_map>

namespace heartline {

class ServerControl;
class Monitor;
class UiTick;

// The connections panel: one top-level row per session, its SSE streams as children. Monitor
// signals only update counters and mark rows dirty; the rows change for views on the UI tick,
// with one rowsInserted per parent and one dataChanged per run of changed rows. The age columns
// move with the clock alone: they are announced by clockAdvanced() once per tick, not by a
// dataChanged per parent (at 2,000 sessions those signals were most of the window's tick,
// issue 12); their sort values keep the rows' order whatever the clock reads, so only a repaint
// is owed. Live stream figures (bytes queued, heartbeats)
// are polled from ServerControl::streamStats() on the same tick. Closed rows linger greyed for
// lingerMs(), then go.
class ConnectionsModel final : public QAbstractItemModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConnectionsModel)

public:
    enum Column {
        Client,
        Transport,
        Peer,
        State,
        Opened,
        IdleAge,
        LastHeartbeat,
        Heartbeats,
        MessagesIn,
        MessagesOut,
        BytesQueued,
        PingRtt,
        UpstreamCalls, // forwarded tools/calls running now, with the oldest one's age
        ColumnCount
    };
    enum Role {
        SessionIdRole = Qt::UserRole + 1,
        StreamIdRole, // empty on session rows
        StateRole,    // a ConnectionState; invalid before the first tick has worked it out
        SortRole,     // the raw number (or text) behind the displayed value
    };

    static constexpr int kDefaultLingerMs = 3000;
    // A stream that carried a message this recently counts as streaming.
    static constexpr int kStreamingWindowMs = 1000;
    // With heartbeats off, a stream is idle after this long without a message.
    static constexpr int kIdleWithoutHeartbeatMs = 15000;

    ConnectionsModel(Monitor *monitor, ServerControl *control, UiTick *tick,
                     QObject *parent = nullptr);
    ~ConnectionsModel() override;

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    // Column 0 of a session's or a stream's row; invalid when it is not (or no longer) shown.
    QModelIndex indexOfSession(const QString &sessionId) const;
    QModelIndex indexOfStream(const QString &streamId) const;

    // Every column whose value is an age against the tick's clock.
    static bool isClockColumn(int column)
    {
        return column == IdleAge || column == LastHeartbeat || column == UpstreamCalls;
    }

    int lingerMs() const { return m_lingerMs; }
    void setLingerMs(int milliseconds) { m_lingerMs = milliseconds; }
    int heartbeatIntervalMs() const { return m_heartbeatIntervalMs; }

Q_SIGNALS:
    // The tick moved the clock the age columns are read against: views showing them repaint.
    void clockAdvanced();

private:
    struct SessionRow;
    struct StreamRow;

    SessionRow *ensureSession(const QString &sessionId);
    void addStream(const StreamInfo &info);
    void handleSessionOpened(const SessionInfo &info);
    void handleSessionUpdated(const SessionInfo &info);
    void handleSessionClosed(const QString &sessionId);
    void handleStreamOpened(const StreamInfo &info);
    void handleStreamClosed(const StreamClosedEvent &event);
    void handleHeartbeat(const HeartbeatEvent &event);
    void handleMessage(const MessageEvent &event);
    void handlePingAnswered(const QString &sessionId, qint64 roundTripMs);
    void handleToolCallStarted(const ToolCallStartedEvent &event);
    void handleToolCalled(const ToolCallRecord &record);
    void markSessionDirty(SessionRow *session);
    QVariant upstreamCallsData(const QList<ToolCallStartedEvent> &calls, int role) const;

    void flush();
    void pollStreamStats();
    void refreshStates();
    void removeExpiredRows();
    void insertPendingRows();
    void emitChangedRows();
    void renumberSessions(int from);
    void destroySession(SessionRow *session);

    ConnectionState streamState(const StreamRow &stream) const;
    ConnectionState sessionState(const SessionRow &session) const;
    int idleAfterMs() const;
    QVariant sessionData(const SessionRow &session, int column, int role) const;
    QVariant streamData(const StreamRow &stream, int column, int role) const;

    ServerControl *m_control;
    // Hashed: every heartbeat and every polled stream looks its row up (a tree of QString
    // compares was a tenth of the window's time at 2,000 streams).
    std::unordered_map<QString, std::unique_ptr<SessionRow>> m_sessions;
    std::unordered_map<QString, std::unique_ptr<StreamRow>> m_streams;
    QList<SessionRow *> m_rows;        // shown, in display order
    QList<SessionRow *> m_pendingRows; // known, shown on the next tick
    int m_heartbeatIntervalMs = 0;
    int m_lingerMs = kDefaultLingerMs;
    qint64 m_nowWallMs = 0; // the clock as of the last tick: every age shown is against it
};

} // namespace heartline
