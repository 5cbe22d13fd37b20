#pragma once

#include "server/api/monitorevents.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QString>

#include <deque>
#include <functional>

namespace heartline {

class Monitor;
class UiTick;

// What the heartbeat timeline draws: one lane per stream with the recent heartbeats and
// messages on it, fed from the Monitor and published at most once per UI tick. Not an item
// model: the timeline paints lanes and marks, it has no rows or cells.
class TimelineModel final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TimelineModel)

public:
    enum class MarkKind : quint8 { Heartbeat, MessageIn, MessageOut };
    enum class LaneKind : quint8 { Post, Get, Legacy, Stateless };

    struct Mark
    {
        qint64 wallMs = 0;
        MarkKind kind = MarkKind::Heartbeat;
        // A message that reached the session without this stream (a plain JSON answer, the
        // POST that carried a request): shown on the session's lane, but it is no write here.
        bool offStream = false;
        quint64 sequence = 0; // heartbeat number
        QString method;       // messages: empty for responses
        QString id;           // messages: JSON-RPC id, empty for notifications
        qint64 bytes = 0;
    };

    // A write that came more than 1.5 intervals after the previous one while heartbeats were
    // on: the beat that should have been in between is missing.
    struct Gap
    {
        qint64 fromWallMs = 0;
        qint64 toWallMs = 0;
        int intervalMs = 0;
    };

    // A forwarded (upstream) tools/call, drawn along the lane of the stream that carries its
    // answer from start to end, so a long call and the heartbeats that kept it alive show
    // together. A call answered without a stream of its own is shown on the session's lane.
    struct CallSpan
    {
        QString requestId;
        QString tool;
        QString server;
        qint64 startWallMs = 0;
        qint64 endWallMs = 0; // 0 while it runs

        bool isRunning() const { return endWallMs == 0; }
    };

    struct Lane
    {
        QString streamId;
        QString sessionId;
        QString clientName;
        LaneKind kind = LaneKind::Post;
        qint64 openedWallMs = 0;
        qint64 closedWallMs = 0; // 0 while open
        qint64 lastWriteWallMs = 0;
        quint64 heartbeats = 0;
        std::deque<Mark> marks;     // oldest first
        std::deque<Gap> gaps;       // oldest first
        std::deque<CallSpan> calls; // by start, oldest first
        QStringList requestIds;     // what a POST's response stream answers
        quint64 sessionOrder = 0;   // lanes of one session stay together, in opening order
        quint64 laneOrder = 0;

        bool isClosed() const { return closedWallMs != 0; }
    };

    static constexpr qint64 kMaxWindowMs = 15 * 60 * 1000;
    static constexpr int kDefaultMarkCapacity = 1024;
    static constexpr int kDefaultLaneCapacity = 3000;
    static constexpr int kDefaultLingerMs = 5000;
    // With heartbeats off nothing is "missed", but a stream this quiet is what proxies cut.
    static constexpr int kSilentWithoutHeartbeatsMs = 15000;

    // `tick` may be null: then whoever owns the model calls handleTick() (tests do).
    TimelineModel(Monitor *monitor, UiTick *tick, QObject *parent = nullptr);

    int laneCount() const { return int(m_lanes.size()); }
    const Lane &lane(int index) const { return m_lanes.at(index); }
    // -1 when there is no lane for the stream.
    int indexOfStream(const QString &streamId) const { return m_index.value(streamId, -1); }

    int heartbeatIntervalMs() const { return m_heartbeatIntervalMs; }
    bool heartbeatsOn() const { return m_heartbeatIntervalMs > 0; }
    // How long a lane may go without a write before it is shown as silent.
    int silenceThresholdMs() const;
    bool isSilent(const Lane &lane, qint64 nowWallMs) const;
    // A beat is overdue right now (the gap that has not ended yet).
    bool isOverdue(const Lane &lane, qint64 nowWallMs) const;

    qint64 nowWallMs() const { return m_clock(); }
    // Tests freeze time with this; the default is the wall clock.
    void setClock(std::function<qint64()> clock);

    int markCapacity() const { return m_markCapacity; }
    void setMarkCapacity(int capacity);
    int laneCapacity() const { return m_laneCapacity; }
    void setLaneCapacity(int capacity);
    int lingerMs() const { return m_lingerMs; }
    void setLingerMs(int ms) { m_lingerMs = ms; }

public Q_SLOTS:
    // Drops what aged out, orders new lanes, and emits changed() if anything changed.
    void handleTick();

Q_SIGNALS:
    void changed();

private:
    struct SessionEntry
    {
        QString clientName;
        TransportKind transport = TransportKind::StreamableHttp;
        quint64 order = 0;
    };

    void loadSnapshot();
    void handleSessionSeen(const SessionInfo &session);
    void handleStreamOpened(const StreamInfo &stream);
    void handleStreamClosed(const StreamClosedEvent &event);
    void handleHeartbeat(const HeartbeatEvent &event);
    void handleMessage(const MessageEvent &event);
    void handleInterval(int intervalMs);
    void handleToolCallStarted(const ToolCallStartedEvent &event);
    void handleToolCalled(const ToolCallRecord &record);
    // The lane of `sessionId` whose stream answers `requestId`; null when none does (yet).
    Lane *laneCarrying(const QString &sessionId, const QString &requestId);
    void addCall(Lane &lane, CallSpan span);

    Lane *findLane(const QString &streamId);
    // The lane a message without a stream is shown on: the session's standing stream (GET or
    // legacy) if it has one, else its newest open lane.
    Lane *sessionLane(const QString &sessionId);
    void recordWrite(Lane &lane, qint64 wallMs);
    void addMark(Lane &lane, Mark mark);
    void makeRoomForLane();
    void rebuildIndex();

    Monitor *m_monitor;
    std::function<qint64()> m_clock;
    QList<Lane> m_lanes;
    QHash<QString, int> m_index; // stream id -> lane index
    QHash<QString, SessionEntry> m_sessions;
    quint64 m_sessionOrder = 0;
    quint64 m_laneOrder = 0;
    int m_heartbeatIntervalMs = 0;
    int m_markCapacity = kDefaultMarkCapacity;
    int m_laneCapacity = kDefaultLaneCapacity;
    int m_lingerMs = kDefaultLingerMs;
    bool m_dirty = false;
    bool m_orderDirty = false;
    // Forwarded calls whose stream has not opened yet (the POST's grace period), by session
    // id, then request id.
    QHash<QString, QHash<QString, CallSpan>> m_unplacedCalls;
};

} // namespace heartline
