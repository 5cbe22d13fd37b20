#include "ui/timeline/timelinemodel.h"

#include "server/api/clock.h"
#include "server/api/monitor.h"
#include "ui/models/uitick.h"

#include <algorithm>

namespace heartline {

namespace {

TimelineModel::LaneKind laneKindOf(StreamKind streamKind, TransportKind transport)
{
    if (transport == TransportKind::StreamableHttpStateless)
        return TimelineModel::LaneKind::Stateless;
    switch (streamKind) {
    case StreamKind::Standalone:
        return TimelineModel::LaneKind::Get;
    case StreamKind::Legacy:
        return TimelineModel::LaneKind::Legacy;
    case StreamKind::PostResponse:
        break;
    }
    return TimelineModel::LaneKind::Post;
}

} // namespace

TimelineModel::TimelineModel(Monitor *monitor, UiTick *tick, QObject *parent)
    : QObject(parent)
    , m_monitor(monitor)
    , m_clock([] { return Clock::wallMs(); })
{
    loadSnapshot();
    connect(monitor, &Monitor::listening, this,
            [this](const QString &, int intervalMs) { handleInterval(intervalMs); });
    connect(monitor, &Monitor::heartbeatIntervalChanged, this, &TimelineModel::handleInterval);
    connect(monitor, &Monitor::sessionOpened, this, &TimelineModel::handleSessionSeen);
    connect(monitor, &Monitor::sessionUpdated, this, &TimelineModel::handleSessionSeen);
    connect(monitor, &Monitor::sessionClosed, this, [this](const QString &sessionId) {
        m_sessions.remove(sessionId);
        m_unplacedCalls.remove(sessionId);
    });
    connect(monitor, &Monitor::streamOpened, this, &TimelineModel::handleStreamOpened);
    connect(monitor, &Monitor::streamClosed, this, &TimelineModel::handleStreamClosed);
    connect(monitor, &Monitor::heartbeatSent, this, &TimelineModel::handleHeartbeat);
    connect(monitor, &Monitor::messageObserved, this, &TimelineModel::handleMessage);
    connect(monitor, &Monitor::toolCallStarted, this, &TimelineModel::handleToolCallStarted);
    connect(monitor, &Monitor::toolCalled, this, &TimelineModel::handleToolCalled);
    if (tick)
        connect(tick, &UiTick::ticked, this, &TimelineModel::handleTick);
}

int TimelineModel::silenceThresholdMs() const
{
    return heartbeatsOn() ? m_heartbeatIntervalMs : kSilentWithoutHeartbeatsMs;
}

bool TimelineModel::isSilent(const Lane &lane, qint64 nowWallMs) const
{
    return !lane.isClosed() && nowWallMs - lane.lastWriteWallMs > silenceThresholdMs();
}

bool TimelineModel::isOverdue(const Lane &lane, qint64 nowWallMs) const
{
    return heartbeatsOn() && !lane.isClosed()
           && (nowWallMs - lane.lastWriteWallMs) * 2 > qint64(m_heartbeatIntervalMs) * 3;
}

void TimelineModel::setClock(std::function<qint64()> clock)
{
    m_clock = std::move(clock);
}

void TimelineModel::setMarkCapacity(int capacity)
{
    m_markCapacity = std::max(1, capacity);
    for (Lane &lane : m_lanes) {
        while (int(lane.marks.size()) > m_markCapacity)
            lane.marks.pop_front();
    }
    m_dirty = true;
}

void TimelineModel::setLaneCapacity(int capacity)
{
    m_laneCapacity = std::max(1, capacity);
    while (laneCount() > m_laneCapacity)
        makeRoomForLane();
}

void TimelineModel::handleTick()
{
    const qint64 now = nowWallMs();
    const qint64 oldest = now - kMaxWindowMs;
    const auto before = m_lanes.size();
    m_lanes.removeIf(
        [&](const Lane &lane) { return lane.isClosed() && now - lane.closedWallMs > m_lingerMs; });
    if (m_lanes.size() != before) {
        m_dirty = true;
        m_orderDirty = true;
    }
    for (Lane &lane : m_lanes) {
        while (!lane.marks.empty() && lane.marks.front().wallMs < oldest) {
            lane.marks.pop_front();
            m_dirty = true;
        }
        while (!lane.gaps.empty() && lane.gaps.front().toWallMs < oldest) {
            lane.gaps.pop_front();
            m_dirty = true;
        }
        while (!lane.calls.empty() && !lane.calls.front().isRunning()
               && lane.calls.front().endWallMs < oldest) {
            lane.calls.pop_front();
            m_dirty = true;
        }
        // A running call grows with the clock.
        if (!lane.calls.empty() && lane.calls.back().isRunning())
            m_dirty = true;
    }
    if (m_orderDirty) {
        std::stable_sort(m_lanes.begin(), m_lanes.end(), [](const Lane &a, const Lane &b) {
            if (a.sessionOrder != b.sessionOrder)
                return a.sessionOrder < b.sessionOrder;
            return a.laneOrder < b.laneOrder;
        });
        rebuildIndex();
        m_orderDirty = false;
    }
    if (m_dirty) {
        m_dirty = false;
        Q_EMIT changed();
    }
}

void TimelineModel::loadSnapshot()
{
    const MonitorSnapshot snapshot = m_monitor->snapshot();
    m_heartbeatIntervalMs = snapshot.heartbeatIntervalMs;
    QList<SessionInfo> sessions = snapshot.sessions;
    std::sort(sessions.begin(), sessions.end(), [](const SessionInfo &a, const SessionInfo &b) {
        return a.openedWallMs < b.openedWallMs;
    });
    for (const SessionInfo &session : std::as_const(sessions))
        handleSessionSeen(session);
    QList<StreamInfo> streams = snapshot.streams;
    std::sort(streams.begin(), streams.end(), [](const StreamInfo &a, const StreamInfo &b) {
        return a.openedWallMs < b.openedWallMs;
    });
    for (const StreamInfo &stream : std::as_const(streams))
        handleStreamOpened(stream);
    for (const ToolCallStartedEvent &call : snapshot.toolCallsInFlight)
        handleToolCallStarted(call);
    // Published on the first tick, sorted, like anything else.
}

void TimelineModel::handleSessionSeen(const SessionInfo &session)
{
    auto it = m_sessions.find(session.id);
    if (it == m_sessions.end())
        it = m_sessions.insert(session.id, {{}, session.transport, ++m_sessionOrder});
    it->transport = session.transport;
    if (it->clientName == session.clientName)
        return;
    it->clientName = session.clientName;
    for (Lane &lane : m_lanes) {
        if (lane.sessionId == session.id && !lane.isClosed()) {
            lane.clientName = session.clientName;
            m_dirty = true;
        }
    }
}

void TimelineModel::handleStreamOpened(const StreamInfo &stream)
{
    if (m_index.contains(stream.id))
        return;
    makeRoomForLane();
    Lane lane;
    lane.streamId = stream.id;
    lane.sessionId = stream.sessionId;
    lane.openedWallMs = stream.openedWallMs > 0 ? stream.openedWallMs : nowWallMs();
    // The first bytes of every stream are written as it opens (DESIGN.md: a priming comment).
    lane.lastWriteWallMs = lane.openedWallMs;
    lane.laneOrder = ++m_laneOrder;
    auto session = m_sessions.constFind(stream.sessionId);
    if (session != m_sessions.constEnd()) {
        lane.clientName = session->clientName;
        lane.kind = laneKindOf(stream.kind, session->transport);
        lane.sessionOrder = session->order;
    } else {
        lane.kind = laneKindOf(stream.kind, TransportKind::StreamableHttp);
        lane.sessionOrder = ++m_sessionOrder;
    }
    lane.requestIds = stream.requestIds;
    // A forwarded call that began before its answer needed a stream moves onto it now.
    if (auto unplaced = m_unplacedCalls.find(stream.sessionId); unplaced != m_unplacedCalls.end()) {
        for (const QString &requestId : stream.requestIds) {
            if (unplaced->contains(requestId))
                addCall(lane, unplaced->take(requestId));
        }
        if (unplaced->isEmpty())
            m_unplacedCalls.erase(unplaced);
    }
    m_index.insert(lane.streamId, int(m_lanes.size()));
    m_lanes.push_back(std::move(lane));
    m_dirty = true;
    m_orderDirty = true;
}

void TimelineModel::handleStreamClosed(const StreamClosedEvent &event)
{
    Lane *lane = findLane(event.stream.id);
    if (!lane || lane->isClosed())
        return;
    lane->closedWallMs = event.wallMs > 0 ? event.wallMs : nowWallMs();
    m_dirty = true;
}

void TimelineModel::handleHeartbeat(const HeartbeatEvent &event)
{
    Lane *lane = findLane(event.streamId);
    if (!lane)
        return;
    Mark mark;
    mark.wallMs = event.wallMs > 0 ? event.wallMs : nowWallMs();
    mark.kind = MarkKind::Heartbeat;
    mark.sequence = event.sequence;
    ++lane->heartbeats;
    recordWrite(*lane, mark.wallMs);
    addMark(*lane, std::move(mark));
}

void TimelineModel::handleMessage(const MessageEvent &event)
{
    Lane *lane = event.streamId.isEmpty() ? nullptr : findLane(event.streamId);
    const bool offStream = !lane;
    if (!lane)
        lane = sessionLane(event.sessionId);
    if (!lane)
        return;
    Mark mark;
    mark.wallMs = event.wallMs > 0 ? event.wallMs : nowWallMs();
    mark.kind =
        event.direction == MessageEvent::Direction::In ? MarkKind::MessageIn : MarkKind::MessageOut;
    mark.offStream = offStream;
    mark.method = event.method;
    mark.id = event.id;
    mark.bytes = event.bytes;
    if (!offStream && mark.kind == MarkKind::MessageOut)
        recordWrite(*lane, mark.wallMs);
    addMark(*lane, std::move(mark));
}

void TimelineModel::handleInterval(int intervalMs)
{
    if (m_heartbeatIntervalMs == intervalMs)
        return;
    m_heartbeatIntervalMs = intervalMs;
    m_dirty = true;
}

TimelineModel::Lane *TimelineModel::findLane(const QString &streamId)
{
    const int index = m_index.value(streamId, -1);
    return index < 0 ? nullptr : &m_lanes[index];
}

void TimelineModel::handleToolCallStarted(const ToolCallStartedEvent &event)
{
    if (event.server.isEmpty())
        return; // only forwarded calls are drawn
    CallSpan span{event.requestId, event.tool, event.server,
                  event.wallMs > 0 ? event.wallMs : nowWallMs(), 0};
    if (Lane *lane = laneCarrying(event.sessionId, event.requestId))
        addCall(*lane, std::move(span));
    else
        m_unplacedCalls[event.sessionId].insert(event.requestId, std::move(span));
}

void TimelineModel::handleToolCalled(const ToolCallRecord &record)
{
    const qint64 end = record.wallMs > 0 ? record.wallMs : nowWallMs();
    if (auto unplaced = m_unplacedCalls.find(record.sessionId);
        unplaced != m_unplacedCalls.end() && unplaced->contains(record.requestId)) {
        CallSpan span = unplaced->take(record.requestId);
        if (unplaced->isEmpty())
            m_unplacedCalls.erase(unplaced);
        // Answered as plain JSON (or refused before a stream was needed): on the session's
        // lane, so it is still seen.
        span.endWallMs = end;
        if (Lane *lane = sessionLane(record.sessionId))
            addCall(*lane, std::move(span));
        return;
    }
    for (Lane &lane : m_lanes) {
        if (lane.sessionId != record.sessionId)
            continue;
        for (CallSpan &span : lane.calls) {
            if (span.isRunning() && span.requestId == record.requestId) {
                span.endWallMs = end;
                m_dirty = true;
                return;
            }
        }
    }
}

TimelineModel::Lane *TimelineModel::laneCarrying(const QString &sessionId, const QString &requestId)
{
    for (Lane &lane : m_lanes) {
        if (lane.sessionId == sessionId && !lane.isClosed() && lane.requestIds.contains(requestId))
            return &lane;
    }
    return nullptr;
}

void TimelineModel::addCall(Lane &lane, CallSpan span)
{
    lane.calls.push_back(std::move(span));
    while (int(lane.calls.size()) > m_markCapacity)
        lane.calls.pop_front();
    m_dirty = true;
}

TimelineModel::Lane *TimelineModel::sessionLane(const QString &sessionId)
{
    if (sessionId.isEmpty())
        return nullptr;
    Lane *newest = nullptr;
    for (Lane &lane : m_lanes) {
        if (lane.sessionId != sessionId || lane.isClosed())
            continue;
        if (lane.kind == LaneKind::Get || lane.kind == LaneKind::Legacy)
            return &lane;
        if (!newest || lane.laneOrder > newest->laneOrder)
            newest = &lane;
    }
    return newest;
}

void TimelineModel::recordWrite(Lane &lane, qint64 wallMs)
{
    if (heartbeatsOn() && lane.lastWriteWallMs > 0
        && (wallMs - lane.lastWriteWallMs) * 2 > qint64(m_heartbeatIntervalMs) * 3) {
        lane.gaps.push_back({lane.lastWriteWallMs, wallMs, m_heartbeatIntervalMs});
        while (int(lane.gaps.size()) > m_markCapacity)
            lane.gaps.pop_front();
    }
    lane.lastWriteWallMs = std::max(lane.lastWriteWallMs, wallMs);
}

void TimelineModel::addMark(Lane &lane, Mark mark)
{
    // Events arrive in order; should one not, it still goes where binary searches expect it.
    auto at = lane.marks.end();
    if (!lane.marks.empty() && lane.marks.back().wallMs > mark.wallMs) {
        at = std::upper_bound(lane.marks.begin(), lane.marks.end(), mark.wallMs,
                              [](qint64 wallMs, const Mark &m) { return wallMs < m.wallMs; });
    }
    lane.marks.insert(at, std::move(mark));
    while (int(lane.marks.size()) > m_markCapacity)
        lane.marks.pop_front();
    m_dirty = true;
}

void TimelineModel::makeRoomForLane()
{
    if (laneCount() < m_laneCapacity)
        return;
    // The longest-closed lane goes first; failing that, the oldest stream.
    int victim = -1;
    for (int i = 0; i < laneCount(); ++i) {
        const Lane &lane = m_lanes.at(i);
        if (!lane.isClosed())
            continue;
        if (victim < 0 || lane.closedWallMs < m_lanes.at(victim).closedWallMs)
            victim = i;
    }
    if (victim < 0) {
        for (int i = 0; i < laneCount(); ++i) {
            if (victim < 0 || m_lanes.at(i).laneOrder < m_lanes.at(victim).laneOrder)
                victim = i;
        }
    }
    m_lanes.removeAt(victim);
    rebuildIndex();
    m_dirty = true;
}

void TimelineModel::rebuildIndex()
{
    m_index.clear();
    m_index.reserve(m_lanes.size());
    for (int i = 0; i < laneCount(); ++i)
        m_index.insert(m_lanes.at(i).streamId, i);
}

} // namespace heartline
