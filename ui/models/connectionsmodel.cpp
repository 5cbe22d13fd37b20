// Over 500 lines: one two-level tree model (sessions with their streams beneath) whose index
// plumbing, tick flush (batched inserts, one change run per parent) and per-column formatting
// share the same row store. The formatting is the part to move out next, into a row formatter.
#include "ui/models/connectionsmodel.h"

#include "server/api/monitor.h"
#include "server/api/servercontrol.h"
#include "ui/models/displayformat.h"
#include "ui/models/uitick.h"

#include <QBrush>
#include <QDateTime>
#include <QGuiApplication>
#include <QPalette>

#include <algorithm>
#include <limits>

using namespace Qt::StringLiterals;

namespace heartline {

struct ConnectionsModel::StreamRow
{
    StreamInfo info;
    SessionRow *session = nullptr;
    quint64 heartbeats = 0;
    quint64 messagesIn = 0;
    quint64 messagesOut = 0;
    qint64 bytesQueued = 0;
    qint64 lastHeartbeatWallMs = 0;
    qint64 lastMessageWallMs = 0;
    qint64 closedWallMs = 0;              // 0 while open
    std::optional<ConnectionState> state; // worked out on the tick
    bool dirty = false;
};

struct ConnectionsModel::SessionRow
{
    SessionInfo info;
    bool announced = false;      // sessionOpened seen (or in the snapshot), not just a stream
    QList<StreamRow *> children; // shown
    QList<StreamRow *> pending;  // shown on the next tick
    quint64 messagesIn = 0;
    quint64 messagesOut = 0;
    quint64 retiredHeartbeats = 0; // of streams whose rows are gone
    qint64 lastMessageWallMs = 0;
    qint64 closedWallMs = 0;
    int row = -1;                         // in m_rows; -1 while pending
    std::optional<ConnectionState> state; // worked out on the tick
    bool dirty = false;
    // Forwarded (upstream) tools/calls running now, oldest first.
    QList<ToolCallStartedEvent> upstreamCalls;
};

namespace {

constexpr qint64 kClockJitterMs = 5;

qint64 wallNow()
{
    return QDateTime::currentMSecsSinceEpoch();
}

QString streamLabel(StreamKind kind)
{
    switch (kind) {
    case StreamKind::Standalone:
        return ConnectionsModel::tr("GET stream");
    case StreamKind::PostResponse:
        return ConnectionsModel::tr("POST stream");
    case StreamKind::Legacy:
        return ConnectionsModel::tr("SSE stream (legacy)");
    }
    return {};
}

QVariant stateData(const std::optional<ConnectionState> &state)
{
    return state ? QVariant::fromValue(*state) : QVariant();
}

QString stateText(const std::optional<ConnectionState> &state)
{
    return state ? connectionStateLabel(*state) : QString();
}

// Runs of consecutive rows for which `selected(row)` holds, as [first, last] pairs.
template<typename Predicate>
QList<QPair<int, int>> runs(int count, Predicate selected)
{
    QList<QPair<int, int>> result;
    int first = -1;
    for (int row = 0; row <= count; ++row) {
        const bool in = row < count && selected(row);
        if (in && first < 0)
            first = row;
        if (!in && first >= 0) {
            result.push_back({first, row - 1});
            first = -1;
        }
    }
    return result;
}

} // namespace

ConnectionsModel::ConnectionsModel(Monitor *monitor, ServerControl *control, UiTick *tick,
                                   QObject *parent)
    : QAbstractItemModel(parent)
    , m_control(control)
    , m_nowWallMs(wallNow())
{
    const MonitorSnapshot snapshot = monitor->snapshot();
    m_heartbeatIntervalMs = snapshot.heartbeatIntervalMs;
    QList<SessionInfo> sessions = snapshot.sessions;
    std::sort(sessions.begin(), sessions.end(), [](const SessionInfo &a, const SessionInfo &b) {
        return a.openedWallMs < b.openedWallMs;
    });
    for (const SessionInfo &info : sessions) {
        SessionRow *session = ensureSession(info.id);
        session->info = info;
        session->announced = true;
    }
    QList<StreamInfo> streams = snapshot.streams;
    std::sort(streams.begin(), streams.end(), [](const StreamInfo &a, const StreamInfo &b) {
        return a.openedWallMs < b.openedWallMs;
    });
    for (const StreamInfo &info : streams)
        addStream(info);
    // Nothing is attached yet: show the snapshot at once rather than on the first tick.
    for (SessionRow *session : std::as_const(m_pendingRows)) {
        session->row = int(m_rows.size());
        m_rows.push_back(session);
    }
    m_pendingRows.clear();
    for (SessionRow *session : std::as_const(m_rows)) {
        session->children = session->pending;
        session->pending.clear();
    }
    for (const ToolCallStartedEvent &call : snapshot.toolCallsInFlight)
        handleToolCallStarted(call);
    pollStreamStats();
    refreshStates();

    connect(monitor, &Monitor::toolCallStarted, this, &ConnectionsModel::handleToolCallStarted);
    connect(monitor, &Monitor::toolCalled, this, &ConnectionsModel::handleToolCalled);
    connect(monitor, &Monitor::sessionOpened, this, &ConnectionsModel::handleSessionOpened);
    connect(monitor, &Monitor::sessionUpdated, this, &ConnectionsModel::handleSessionUpdated);
    connect(monitor, &Monitor::sessionClosed, this, &ConnectionsModel::handleSessionClosed);
    connect(monitor, &Monitor::streamOpened, this, &ConnectionsModel::handleStreamOpened);
    connect(monitor, &Monitor::streamClosed, this, &ConnectionsModel::handleStreamClosed);
    connect(monitor, &Monitor::heartbeatSent, this, &ConnectionsModel::handleHeartbeat);
    connect(monitor, &Monitor::messageObserved, this, &ConnectionsModel::handleMessage);
    connect(monitor, &Monitor::pingAnswered, this, &ConnectionsModel::handlePingAnswered);
    connect(monitor, &Monitor::heartbeatIntervalChanged, this,
            [this](int intervalMs) { m_heartbeatIntervalMs = intervalMs; });
    connect(monitor, &Monitor::listening, this,
            [this](const QString &, int intervalMs) { m_heartbeatIntervalMs = intervalMs; });
    connect(tick, &UiTick::ticked, this, &ConnectionsModel::flush);
}

ConnectionsModel::~ConnectionsModel() = default;

ConnectionsModel::SessionRow *ConnectionsModel::ensureSession(const QString &sessionId)
{
    auto it = m_sessions.find(sessionId);
    if (it != m_sessions.end())
        return it->second.get();
    auto session = std::make_unique<SessionRow>();
    session->info.id = sessionId;
    session->info.openedWallMs = wallNow();
    SessionRow *raw = session.get();
    m_sessions.emplace(sessionId, std::move(session));
    m_pendingRows.push_back(raw);
    return raw;
}

void ConnectionsModel::addStream(const StreamInfo &info)
{
    if (m_streams.count(info.id) > 0)
        return;
    SessionRow *session = ensureSession(info.sessionId);
    if (!session->announced && session->info.peer.isEmpty()) {
        session->info.peer = info.peer;
        session->info.openedWallMs = info.openedWallMs;
    }
    auto stream = std::make_unique<StreamRow>();
    stream->info = info;
    stream->session = session;
    session->pending.push_back(stream.get());
    session->dirty = true;
    m_streams.emplace(info.id, std::move(stream));
}

void ConnectionsModel::handleSessionOpened(const SessionInfo &info)
{
    SessionRow *session = ensureSession(info.id);
    session->info = info;
    session->announced = true;
    session->closedWallMs = 0;
    session->dirty = true;
}

void ConnectionsModel::handleSessionUpdated(const SessionInfo &info)
{
    SessionRow *session = ensureSession(info.id);
    session->info = info;
    session->announced = true;
    session->dirty = true;
}

void ConnectionsModel::handleSessionClosed(const QString &sessionId)
{
    auto it = m_sessions.find(sessionId);
    if (it == m_sessions.end())
        return;
    SessionRow *session = it->second.get();
    const qint64 now = wallNow();
    session->closedWallMs = now;
    session->dirty = true;
    // Its streams end with it, whether or not their own closes were reported first.
    for (const QList<StreamRow *> *list : {&session->children, &session->pending}) {
        for (StreamRow *stream : *list) {
            if (stream->closedWallMs == 0) {
                stream->closedWallMs = now;
                stream->dirty = true;
            }
        }
    }
}

void ConnectionsModel::handleStreamOpened(const StreamInfo &info)
{
    addStream(info);
}

void ConnectionsModel::handleStreamClosed(const StreamClosedEvent &event)
{
    auto it = m_streams.find(event.stream.id);
    if (it == m_streams.end())
        return;
    StreamRow *stream = it->second.get();
    stream->closedWallMs = event.wallMs > 0 ? event.wallMs : wallNow();
    stream->heartbeats = qMax<quint64>(stream->heartbeats, event.heartbeats);
    stream->bytesQueued = 0;
    stream->dirty = true;
    stream->session->dirty = true;
}

void ConnectionsModel::handleHeartbeat(const HeartbeatEvent &event)
{
    auto it = m_streams.find(event.streamId);
    if (it == m_streams.end())
        return;
    StreamRow *stream = it->second.get();
    stream->heartbeats = qMax<quint64>(stream->heartbeats, event.sequence);
    stream->lastHeartbeatWallMs = qMax(stream->lastHeartbeatWallMs, event.wallMs);
    stream->dirty = true;
    stream->session->dirty = true;
}

void ConnectionsModel::handleMessage(const MessageEvent &event)
{
    const bool in = event.direction == MessageEvent::Direction::In;
    if (auto it = m_sessions.find(event.sessionId); it != m_sessions.end()) {
        SessionRow *session = it->second.get();
        ++(in ? session->messagesIn : session->messagesOut);
        session->lastMessageWallMs = qMax(session->lastMessageWallMs, event.wallMs);
        session->dirty = true;
    }
    if (event.streamId.isEmpty())
        return;
    if (auto it = m_streams.find(event.streamId); it != m_streams.end()) {
        StreamRow *stream = it->second.get();
        ++(in ? stream->messagesIn : stream->messagesOut);
        stream->lastMessageWallMs = qMax(stream->lastMessageWallMs, event.wallMs);
        stream->dirty = true;
    }
}

void ConnectionsModel::handlePingAnswered(const QString &sessionId, qint64 roundTripMs)
{
    if (auto it = m_sessions.find(sessionId); it != m_sessions.end()) {
        it->second->info.pingRttMs = roundTripMs;
        it->second->dirty = true;
    }
}

void ConnectionsModel::flush()
{
    m_nowWallMs = wallNow();
    pollStreamStats();
    removeExpiredRows();
    insertPendingRows();
    refreshStates();
    emitChangedRows();
}

void ConnectionsModel::pollStreamStats()
{
    if (!m_control)
        return;
    const QList<StreamStats> all = m_control->streamStats();
    for (const StreamStats &stats : all) {
        auto it = m_streams.find(stats.streamId);
        if (it == m_streams.end())
            continue;
        StreamRow *stream = it->second.get();
        if (stream->closedWallMs != 0)
            continue;
        const quint64 heartbeats = qMax<quint64>(stream->heartbeats, stats.heartbeats);
        const quint64 messagesOut = qMax<quint64>(stream->messagesOut, stats.messagesOut);
        // Streams keep monotonic times that the server converts to wall times on every call, so
        // the same instant can come back a millisecond apart: only a real move counts.
        const auto later = [](qint64 known, qint64 polled) {
            return polled > known + kClockJitterMs ? polled : known;
        };
        const qint64 lastHeartbeat = later(stream->lastHeartbeatWallMs, stats.lastHeartbeatWallMs);
        const qint64 lastMessage = later(stream->lastMessageWallMs, stats.lastMessageWallMs);
        if (heartbeats == stream->heartbeats && messagesOut == stream->messagesOut
            && lastHeartbeat == stream->lastHeartbeatWallMs
            && lastMessage == stream->lastMessageWallMs
            && stats.bytesQueued == stream->bytesQueued) {
            continue;
        }
        stream->heartbeats = heartbeats;
        stream->messagesOut = messagesOut;
        stream->lastHeartbeatWallMs = lastHeartbeat;
        stream->lastMessageWallMs = lastMessage;
        stream->bytesQueued = stats.bytesQueued;
        stream->dirty = true;
        stream->session->dirty = true;
    }
}

void ConnectionsModel::refreshStates()
{
    for (const auto &entry : m_streams) {
        StreamRow *stream = entry.second.get();
        const ConnectionState state = streamState(*stream);
        if (state != stream->state) {
            stream->state = state;
            stream->dirty = true;
        }
    }
    for (const auto &entry : m_sessions) {
        SessionRow *session = entry.second.get();
        const ConnectionState state = sessionState(*session);
        if (state != session->state) {
            session->state = state;
            session->dirty = true;
        }
    }
}

void ConnectionsModel::removeExpiredRows()
{
    const auto expired = [this](qint64 closedWallMs) {
        return closedWallMs != 0 && m_nowWallMs - closedWallMs >= m_lingerMs;
    };

    // Closed streams of sessions that stay, one removal per run of rows, last run first so
    // the earlier rows keep their numbers.
    for (SessionRow *session : std::as_const(m_rows)) {
        if (expired(session->closedWallMs))
            continue;
        const QList<StreamRow *> &children = session->children;
        const auto gone = runs(int(children.size()),
                               [&](int row) { return expired(children.at(row)->closedWallMs); });
        if (gone.isEmpty())
            continue;
        const QModelIndex parent = createIndex(session->row, 0, nullptr);
        for (auto run = gone.crbegin(); run != gone.crend(); ++run) {
            beginRemoveRows(parent, run->first, run->second);
            for (int row = run->second; row >= run->first; --row) {
                StreamRow *stream = session->children.takeAt(row);
                session->retiredHeartbeats += stream->heartbeats;
                m_streams.erase(stream->info.id);
            }
            endRemoveRows();
        }
        session->dirty = true;
    }
    for (int i = int(m_pendingRows.size()) - 1; i >= 0; --i) {
        SessionRow *session = m_pendingRows.at(i);
        if (expired(session->closedWallMs)) {
            m_pendingRows.removeAt(i);
            destroySession(session);
        }
    }

    const auto gone =
        runs(int(m_rows.size()), [&](int row) { return expired(m_rows.at(row)->closedWallMs); });
    if (gone.isEmpty())
        return;
    for (auto run = gone.crbegin(); run != gone.crend(); ++run) {
        beginRemoveRows({}, run->first, run->second);
        for (int row = run->second; row >= run->first; --row)
            destroySession(m_rows.takeAt(row));
        endRemoveRows();
    }
    renumberSessions(gone.first().first);
}

void ConnectionsModel::destroySession(SessionRow *session)
{
    for (const QList<StreamRow *> *list : {&session->children, &session->pending}) {
        for (StreamRow *stream : *list)
            m_streams.erase(stream->info.id);
    }
    m_sessions.erase(session->info.id);
}

void ConnectionsModel::renumberSessions(int from)
{
    for (int row = from; row < m_rows.size(); ++row)
        m_rows.at(row)->row = row;
}

void ConnectionsModel::insertPendingRows()
{
    // Streams of sessions already shown: one insertion per session.
    for (SessionRow *session : std::as_const(m_rows)) {
        if (session->pending.isEmpty())
            continue;
        const int first = int(session->children.size());
        beginInsertRows(createIndex(session->row, 0, nullptr), first,
                        first + int(session->pending.size()) - 1);
        session->children.append(session->pending);
        session->pending.clear();
        endInsertRows();
    }
    // New sessions arrive with their streams, in one insertion.
    if (m_pendingRows.isEmpty())
        return;
    const int first = int(m_rows.size());
    beginInsertRows({}, first, first + int(m_pendingRows.size()) - 1);
    for (SessionRow *session : std::as_const(m_pendingRows)) {
        session->row = int(m_rows.size());
        session->children = session->pending;
        session->pending.clear();
        session->dirty = false;
        m_rows.push_back(session);
    }
    m_pendingRows.clear();
    endInsertRows();
}

void ConnectionsModel::emitChangedRows()
{
    const auto emitFor = [this](int count, auto isDirty, auto rowIndex) {
        if (count == 0)
            return;
        for (const auto &run : runs(count, isDirty))
            Q_EMIT dataChanged(rowIndex(run.first, 0), rowIndex(run.second, ColumnCount - 1));
    };

    emitFor(
        int(m_rows.size()), [this](int row) { return m_rows.at(row)->dirty; },
        [this](int row, int column) { return createIndex(row, column, nullptr); });
    for (SessionRow *session : std::as_const(m_rows)) {
        session->dirty = false;
        const QList<StreamRow *> &children = session->children;
        emitFor(
            int(children.size()), [&children](int row) { return children.at(row)->dirty; },
            [this, session](int row, int column) { return createIndex(row, column, session); });
        for (StreamRow *stream : children)
            stream->dirty = false;
    }
    Q_EMIT clockAdvanced();
}

int ConnectionsModel::idleAfterMs() const
{
    return m_heartbeatIntervalMs > 0 ? m_heartbeatIntervalMs : kIdleWithoutHeartbeatMs;
}

ConnectionState ConnectionsModel::streamState(const StreamRow &stream) const
{
    if (stream.closedWallMs != 0)
        return ConnectionState::Closed;
    // A resumed stream shows as resuming while it catches up: its first interval.
    if (stream.info.resumed
        && m_nowWallMs - stream.info.openedWallMs < qMax(idleAfterMs(), 2 * kStreamingWindowMs))
        return ConnectionState::Resuming;
    // A POST stream exists only while its response is still owed.
    if (stream.info.kind == StreamKind::PostResponse)
        return ConnectionState::Streaming;
    if (stream.lastMessageWallMs > 0 && m_nowWallMs - stream.lastMessageWallMs < kStreamingWindowMs)
        return ConnectionState::Streaming;
    const qint64 lastActivity = qMax(stream.lastMessageWallMs, stream.info.openedWallMs);
    if (m_nowWallMs - lastActivity > idleAfterMs())
        return ConnectionState::Idle;
    return ConnectionState::Open;
}

ConnectionState ConnectionsModel::sessionState(const SessionRow &session) const
{
    if (session.closedWallMs != 0)
        return ConnectionState::Closed;
    bool anyResuming = false;
    bool anyOpen = false;
    bool anyIdle = false;
    for (const QList<StreamRow *> *list : {&session.children, &session.pending}) {
        for (const StreamRow *stream : *list) {
            if (stream->state == ConnectionState::Streaming)
                return ConnectionState::Streaming;
            anyResuming = anyResuming || stream->state == ConnectionState::Resuming;
            anyOpen = anyOpen || stream->state == ConnectionState::Open;
            anyIdle = anyIdle || stream->state == ConnectionState::Idle;
        }
    }
    if (session.lastMessageWallMs > 0
        && m_nowWallMs - session.lastMessageWallMs < kStreamingWindowMs)
        return ConnectionState::Streaming;
    if (anyResuming)
        return ConnectionState::Resuming;
    if (anyOpen)
        return ConnectionState::Open;
    if (anyIdle)
        return ConnectionState::Idle;
    const qint64 lastActivity = qMax(session.lastMessageWallMs, session.info.openedWallMs);
    return m_nowWallMs - lastActivity > idleAfterMs() ? ConnectionState::Idle
                                                      : ConnectionState::Open;
}

QModelIndex ConnectionsModel::index(int row, int column, const QModelIndex &parent) const
{
    if (row < 0 || column < 0 || column >= ColumnCount)
        return {};
    if (!parent.isValid())
        return row < m_rows.size() ? createIndex(row, column, nullptr) : QModelIndex();
    if (parent.internalPointer() != nullptr || parent.column() != 0
        || parent.row() >= m_rows.size())
        return {};
    SessionRow *session = m_rows.at(parent.row());
    return row < session->children.size() ? createIndex(row, column, session) : QModelIndex();
}

QModelIndex ConnectionsModel::parent(const QModelIndex &child) const
{
    if (!child.isValid() || child.internalPointer() == nullptr)
        return {};
    const auto *session = static_cast<const SessionRow *>(child.internalPointer());
    return createIndex(session->row, 0, nullptr);
}

int ConnectionsModel::rowCount(const QModelIndex &parent) const
{
    if (!parent.isValid())
        return int(m_rows.size());
    if (parent.internalPointer() != nullptr || parent.column() != 0
        || parent.row() >= m_rows.size())
        return 0;
    return int(m_rows.at(parent.row())->children.size());
}

int ConnectionsModel::columnCount(const QModelIndex &) const
{
    return ColumnCount;
}

QModelIndex ConnectionsModel::indexOfSession(const QString &sessionId) const
{
    auto it = m_sessions.find(sessionId);
    if (it == m_sessions.end() || it->second->row < 0)
        return {};
    return createIndex(it->second->row, 0, nullptr);
}

QModelIndex ConnectionsModel::indexOfStream(const QString &streamId) const
{
    auto it = m_streams.find(streamId);
    if (it == m_streams.end())
        return {};
    SessionRow *session = it->second->session;
    const int row = int(session->children.indexOf(it->second.get()));
    if (session->row < 0 || row < 0)
        return {};
    return createIndex(row, 0, session);
}

QVariant ConnectionsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    if (index.internalPointer() == nullptr)
        return sessionData(*m_rows.at(index.row()), index.column(), role);
    const auto *session = static_cast<const SessionRow *>(index.internalPointer());
    return streamData(*session->children.at(index.row()), index.column(), role);
}

namespace {

QVariant closedForeground()
{
    return QBrush(QGuiApplication::palette().color(QPalette::Disabled, QPalette::Text));
}

bool isNumeric(int column)
{
    return column >= ConnectionsModel::Heartbeats && column <= ConnectionsModel::PingRtt;
}

// The time and count columns, which session and stream rows show alike from their own figures.
struct RowFigures
{
    qint64 openedWallMs = 0;
    qint64 lastActivityWallMs = 0;
    qint64 lastHeartbeatWallMs = 0;
    quint64 heartbeats = 0;
    quint64 messagesIn = 0;
    quint64 messagesOut = 0;
    qint64 bytesQueued = 0;
    qint64 pingRttMs = -1; // none
};

QVariant figureData(const RowFigures &figures, int column, bool sort, qint64 nowWallMs)
{
    switch (column) {
    case ConnectionsModel::Opened:
        return sort ? QVariant(figures.openedWallMs)
                    : QVariant(DisplayFormat::clock(figures.openedWallMs));
    case ConnectionsModel::IdleAge:
        return sort ? QVariant(nowWallMs - figures.lastActivityWallMs)
                    : QVariant(DisplayFormat::duration(
                        qMax<qint64>(0, nowWallMs - figures.lastActivityWallMs)));
    case ConnectionsModel::LastHeartbeat:
        if (sort)
            return figures.lastHeartbeatWallMs > 0 ? nowWallMs - figures.lastHeartbeatWallMs
                                                   : std::numeric_limits<qint64>::max();
        return DisplayFormat::age(nowWallMs, figures.lastHeartbeatWallMs);
    case ConnectionsModel::Heartbeats:
        return sort ? QVariant(figures.heartbeats) : QVariant(QString::number(figures.heartbeats));
    case ConnectionsModel::MessagesIn:
        return sort ? QVariant(figures.messagesIn) : QVariant(QString::number(figures.messagesIn));
    case ConnectionsModel::MessagesOut:
        return sort ? QVariant(figures.messagesOut)
                    : QVariant(QString::number(figures.messagesOut));
    case ConnectionsModel::BytesQueued:
        return sort ? QVariant(figures.bytesQueued)
                    : QVariant(DisplayFormat::bytes(figures.bytesQueued));
    case ConnectionsModel::PingRtt:
        return sort ? QVariant(figures.pingRttMs)
                    : QVariant(DisplayFormat::milliseconds(figures.pingRttMs));
    default:
        return {};
    }
}

} // namespace

void ConnectionsModel::handleToolCallStarted(const ToolCallStartedEvent &event)
{
    if (event.server.isEmpty())
        return; // Heartline's own tool: nothing is forwarded
    const auto it = m_sessions.find(event.sessionId);
    if (it == m_sessions.end())
        return;
    it->second->upstreamCalls.append(event);
    markSessionDirty(it->second.get());
}

void ConnectionsModel::handleToolCalled(const ToolCallRecord &record)
{
    const auto it = m_sessions.find(record.sessionId);
    if (it == m_sessions.end())
        return;
    QList<ToolCallStartedEvent> &calls = it->second->upstreamCalls;
    const auto removed = std::remove_if(calls.begin(), calls.end(), [&](const auto &call) {
        return call.requestId == record.requestId;
    });
    if (removed == calls.end())
        return;
    calls.erase(removed, calls.end());
    markSessionDirty(it->second.get());
}

void ConnectionsModel::markSessionDirty(SessionRow *session)
{
    session->dirty = true;
    for (StreamRow *stream : std::as_const(session->children))
        stream->dirty = true;
}

QVariant ConnectionsModel::upstreamCallsData(const QList<ToolCallStartedEvent> &calls,
                                             int role) const
{
    if (role == SortRole)
        return int(calls.size());
    if (calls.isEmpty())
        return role == Qt::ToolTipRole ? QVariant() : QVariant(QString());
    if (role == Qt::ToolTipRole) {
        QStringList lines;
        for (const ToolCallStartedEvent &call : calls) {
            lines.append(
                tr("%1 on %2, request %3, for %4")
                    .arg(call.tool, call.server, call.requestId,
                         DisplayFormat::duration(qMax<qint64>(0, m_nowWallMs - call.wallMs))));
        }
        return lines.join(u'\n');
    }
    const ToolCallStartedEvent &oldest = calls.first();
    const QString age = DisplayFormat::duration(qMax<qint64>(0, m_nowWallMs - oldest.wallMs));
    if (calls.size() == 1)
        return tr("%1 · %2").arg(oldest.tool, age);
    return tr("%1 calls · %2 %3").arg(calls.size()).arg(oldest.tool, age);
}

QVariant ConnectionsModel::sessionData(const SessionRow &session, int column, int role) const
{
    if (column == UpstreamCalls
        && (role == Qt::DisplayRole || role == SortRole || role == Qt::ToolTipRole))
        return upstreamCallsData(session.upstreamCalls, role);
    switch (role) {
    case SessionIdRole:
        return session.info.id;
    case StreamIdRole:
        return QString();
    case StateRole:
        return stateData(session.state);
    case Qt::ForegroundRole:
        return session.closedWallMs != 0 ? closedForeground() : QVariant();
    case Qt::TextAlignmentRole:
        return isNumeric(column) ? QVariant(int(Qt::AlignRight | Qt::AlignVCenter)) : QVariant();
    case Qt::ToolTipRole:
        if (column == Client)
            return u"%1\nSession %2"_s.arg(
                QString(session.info.clientName + u' ' + session.info.clientVersion).trimmed(),
                session.info.id);
        return {};
    case Qt::DisplayRole:
    case SortRole:
        break;
    default:
        return {};
    }
    RowFigures figures;
    figures.openedWallMs = session.info.openedWallMs;
    figures.lastActivityWallMs = qMax(session.lastMessageWallMs, session.info.openedWallMs);
    figures.heartbeats = session.retiredHeartbeats;
    for (const QList<StreamRow *> *list : {&session.children, &session.pending}) {
        for (const StreamRow *stream : *list) {
            figures.lastHeartbeatWallMs =
                qMax(figures.lastHeartbeatWallMs, stream->lastHeartbeatWallMs);
            figures.heartbeats += stream->heartbeats;
            figures.bytesQueued += stream->bytesQueued;
        }
    }
    figures.messagesIn = session.messagesIn;
    figures.messagesOut = session.messagesOut;
    figures.pingRttMs = session.info.pingRttMs;
    switch (column) {
    case Client: {
        const QString name =
            session.info.clientName.isEmpty()
                ? u"(no client info)"_s
                : QString(session.info.clientName + u' ' + session.info.clientVersion).trimmed();
        return name;
    }
    case Transport:
        return session.info.revision.isEmpty() ? transportKindName(session.info.transport)
                                               : QString(transportKindName(session.info.transport)
                                                         + u" · "_s + session.info.revision);
    case Peer:
        return session.info.peer;
    case State:
        return stateText(session.state);
    default:
        return figureData(figures, column, role == SortRole, m_nowWallMs);
    }
}

QVariant ConnectionsModel::streamData(const StreamRow &stream, int column, int role) const
{
    if (column == UpstreamCalls
        && (role == Qt::DisplayRole || role == SortRole || role == Qt::ToolTipRole)) {
        // The calls whose answer this stream carries (a POST's response stream).
        QList<ToolCallStartedEvent> carried;
        if (!stream.info.requestIds.isEmpty()) {
            for (const ToolCallStartedEvent &call : stream.session->upstreamCalls) {
                if (stream.info.requestIds.contains(call.requestId))
                    carried.append(call);
            }
        }
        return upstreamCallsData(carried, role);
    }
    switch (role) {
    case SessionIdRole:
        return stream.info.sessionId;
    case StreamIdRole:
        return stream.info.id;
    case StateRole:
        return stateData(stream.state);
    case Qt::ForegroundRole:
        return stream.closedWallMs != 0 ? closedForeground() : QVariant();
    case Qt::TextAlignmentRole:
        return isNumeric(column) ? QVariant(int(Qt::AlignRight | Qt::AlignVCenter)) : QVariant();
    case Qt::ToolTipRole:
        if (column == Client)
            return u"Stream %1%2"_s.arg(stream.info.id,
                                        stream.info.resumed ? u" (resumed)"_s : QString());
        return {};
    case Qt::DisplayRole:
    case SortRole:
        break;
    default:
        return {};
    }
    RowFigures figures;
    figures.openedWallMs = stream.info.openedWallMs;
    figures.lastActivityWallMs = qMax(stream.lastMessageWallMs, stream.info.openedWallMs);
    figures.lastHeartbeatWallMs = stream.lastHeartbeatWallMs;
    figures.heartbeats = stream.heartbeats;
    figures.messagesIn = stream.messagesIn;
    figures.messagesOut = stream.messagesOut;
    figures.bytesQueued = stream.bytesQueued;
    switch (column) {
    case Client:
        return streamLabel(stream.info.kind);
    case Transport:
        return QString();
    case Peer:
        return stream.info.peer;
    case State:
        return stateText(stream.state);
    default:
        return figureData(figures, column, role == SortRole, m_nowWallMs);
    }
}

QVariant ConnectionsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Client:
        return tr("Client");
    case Transport:
        return tr("Transport");
    case Peer:
        return tr("Peer");
    case State:
        return tr("State");
    case Opened:
        return tr("Opened");
    case IdleAge:
        return tr("Idle");
    case LastHeartbeat:
        return tr("Last heartbeat");
    case Heartbeats:
        return tr("Heartbeats");
    case MessagesIn:
        return tr("In");
    case MessagesOut:
        return tr("Out");
    case BytesQueued:
        return tr("Queued");
    case PingRtt:
        return tr("Ping RTT");
    case UpstreamCalls:
        return tr("Upstream calls");
    default:
        return {};
    }
}

} // namespace heartline
