#include "ui/models/disconnectlogmodel.h"

#include "server/api/monitor.h"
#include "ui/models/displayformat.h"
#include "ui/models/uitick.h"

using namespace Qt::StringLiterals;

namespace heartline {

namespace {

// Sessions whose transport is still remembered after they closed: a disconnect reported just
// after the close still finds it, and the table cannot grow without bound.
constexpr int kClosedSessionsRemembered = 1000;

} // namespace

DisconnectLogModel::DisconnectLogModel(Monitor *monitor, UiTick *tick, int capacity,
                                       QObject *parent)
    : RingTableModel(parent)
    , m_capacity(qMax(1, capacity))
{
    const MonitorSnapshot snapshot = monitor->snapshot();
    for (const SessionInfo &session : snapshot.sessions)
        rememberTransport(session);
    connect(monitor, &Monitor::sessionOpened, this, &DisconnectLogModel::rememberTransport);
    connect(monitor, &Monitor::sessionUpdated, this, &DisconnectLogModel::rememberTransport);
    connect(monitor, &Monitor::sessionClosed, this, &DisconnectLogModel::forgetTransportLater);
    connect(monitor, &Monitor::disconnected, this, &DisconnectLogModel::handleDisconnected);
    connect(tick, &UiTick::ticked, this, &DisconnectLogModel::flush);
}

void DisconnectLogModel::rememberTransport(const SessionInfo &session)
{
    m_transports.insert(session.id, session.transport);
}

void DisconnectLogModel::forgetTransportLater(const QString &sessionId)
{
    m_closedSessions.push_back(sessionId);
    while (m_closedSessions.size() > kClosedSessionsRemembered)
        m_transports.remove(m_closedSessions.takeFirst());
}

void DisconnectLogModel::handleDisconnected(const DisconnectEvent &event)
{
    const auto transport = m_transports.constFind(event.sessionId);
    m_pending.push_back({event, transport == m_transports.cend() || event.sessionId.isEmpty()
                                    ? QString()
                                    : transportKindName(*transport)});
    // Only the newest `capacity` could ever be shown.
    if (m_pending.size() > m_capacity)
        m_pending.remove(0, m_pending.size() - m_capacity);
}

void DisconnectLogModel::flush()
{
    appendToRing(m_rows, m_pending, m_capacity);
}

QList<DisconnectEvent> DisconnectLogModel::events() const
{
    QList<DisconnectEvent> events;
    events.reserve(m_rows.size());
    for (const Entry &entry : m_rows)
        events.push_back(entry.event);
    return events;
}

void DisconnectLogModel::clear()
{
    beginResetModel();
    m_rows.clear();
    m_pending.clear();
    endResetModel();
}

int DisconnectLogModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int DisconnectLogModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant DisconnectLogModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const Entry &entry = m_rows.at(index.row());
    const DisconnectEvent &event = entry.event;
    switch (role) {
    case CauseRole:
        return DisconnectCauses::name(event.cause);
    case SessionIdRole:
        return event.sessionId;
    case Qt::ToolTipRole:
        if (index.column() == Session) {
            return event.streamId.isEmpty()
                       ? event.sessionId
                       : QString(event.sessionId + u"\nstream "_s + event.streamId);
        }
        if (index.column() == Detail)
            return event.detail;
        if (index.column() == Client)
            return event.peer;
        return {};
    case Qt::TextAlignmentRole:
        return index.column() >= Duration ? QVariant(int(Qt::AlignRight | Qt::AlignVCenter))
                                          : QVariant();
    case Qt::DisplayRole:
    case SortRole:
        break;
    default:
        return {};
    }
    const bool sort = role == SortRole;
    switch (index.column()) {
    case Time:
        return sort ? QVariant(event.wallMs) : QVariant(DisplayFormat::clock(event.wallMs));
    case Session:
        if (sort || event.sessionId.isEmpty())
            return event.sessionId;
        // A DELETE ends the session and each of its open streams with the same cause and words:
        // the column says which row is a stream ("stream get1") and which the session.
        return QString(event.sessionId.left(8)
                       + (event.streamId.isEmpty()
                              ? u" · session"_s
                              : u" · stream "_s + event.streamId.section(u'/', -1)));
    case Client:
        return event.clientName.isEmpty() ? event.peer : event.clientName;
    case Transport:
        return entry.transport;
    case Cause:
        return DisconnectCauses::name(event.cause);
    case Detail:
        return event.detail;
    case Duration:
        return sort ? QVariant(event.durationMs)
                    : QVariant(DisplayFormat::duration(event.durationMs));
    case Bytes:
        return sort ? QVariant(event.bytes) : QVariant(DisplayFormat::bytes(qint64(event.bytes)));
    case Heartbeats:
        return sort ? QVariant(event.heartbeats) : QVariant(QString::number(event.heartbeats));
    default:
        return {};
    }
}

QVariant DisconnectLogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Time:
        return tr("Time");
    case Session:
        return tr("Session");
    case Client:
        return tr("Client");
    case Transport:
        return tr("Transport");
    case Cause:
        return tr("Cause");
    case Detail:
        return tr("Detail");
    case Duration:
        return tr("Duration");
    case Bytes:
        return tr("Bytes");
    case Heartbeats:
        return tr("Heartbeats");
    default:
        return {};
    }
}

} // namespace heartline
