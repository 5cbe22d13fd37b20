#include "ui/models/trafficmodel.h"

#include "server/api/monitor.h"
#include "ui/models/displayformat.h"
#include "ui/models/uitick.h"

#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace heartline {

TrafficModel::TrafficModel(Monitor *monitor, UiTick *tick, QObject *parent)
    : RingTableModel(parent)
{
    connect(monitor, &Monitor::messageObserved, this, &TrafficModel::handleMessage);
    connect(tick, &UiTick::ticked, this, &TrafficModel::flush);
}

void TrafficModel::setLimits(int messagesPerSession, int sessionCapacity, qint64 byteBudget)
{
    m_messagesPerSession = qMax(1, messagesPerSession);
    m_sessionCapacity = qMax(1, sessionCapacity);
    m_byteBudget = qMax<qint64>(1, byteBudget);
}

void TrafficModel::setSessionId(const QString &sessionId)
{
    if (sessionId == m_sessionId)
        return;
    beginResetModel();
    m_sessionId = sessionId;
    m_rows = m_buffers.value(sessionId).messages;
    m_pending.clear();
    endResetModel();
}

void TrafficModel::handleMessage(const MessageEvent &event)
{
    Buffer &buffer = m_buffers[event.sessionId];
    buffer.messages.push_back(event);
    buffer.bytes += event.body.size();
    m_totalBytes += event.body.size();
    buffer.lastWallMs = event.wallMs;
    while (buffer.messages.size() > m_messagesPerSession) {
        const qint64 size = buffer.messages.constFirst().body.size();
        buffer.bytes -= size;
        m_totalBytes -= size;
        buffer.messages.removeFirst();
    }
    if (event.sessionId == m_sessionId) {
        m_pending.push_back(event);
        if (m_pending.size() > m_messagesPerSession)
            m_pending.removeFirst();
    }
    evictSessions();
}

void TrafficModel::evictSessions()
{
    while (m_buffers.size() > m_sessionCapacity
           || (m_totalBytes > m_byteBudget && m_buffers.size() > 1)) {
        auto quietest = m_buffers.end();
        for (auto it = m_buffers.begin(); it != m_buffers.end(); ++it) {
            if (it.key() == m_sessionId)
                continue;
            if (quietest == m_buffers.end() || it->lastWallMs < quietest->lastWallMs)
                quietest = it;
        }
        if (quietest == m_buffers.end())
            return;
        m_totalBytes -= quietest->bytes;
        m_buffers.erase(quietest);
    }
}

void TrafficModel::flush()
{
    appendToRing(m_rows, m_pending, m_messagesPerSession);
}

QString TrafficModel::prettyBody(const MessageEvent &message)
{
    QString text;
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(message.body, &error);
    if (!message.bodyTruncated && error.error == QJsonParseError::NoError && !document.isNull())
        text = QString::fromUtf8(document.toJson(QJsonDocument::Indented)).trimmed();
    else
        text = QString::fromUtf8(message.body);
    if (message.bodyTruncated) {
        text += u"\n… (cut at %1; the message was %2)"_s.arg(
            DisplayFormat::bytes(message.body.size()), DisplayFormat::bytes(message.bytes));
    }
    return text;
}

namespace {

QString summary(const MessageEvent &message)
{
    QString text;
    if (!message.method.isEmpty())
        text = message.method;
    else
        text = u"response"_s;
    if (!message.id.isEmpty())
        text += u" #"_s + message.id;
    if (message.latencyMs >= 0)
        text += u" (%1)"_s.arg(DisplayFormat::milliseconds(message.latencyMs));
    return text;
}

} // namespace

int TrafficModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int TrafficModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant TrafficModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const MessageEvent &message = m_rows.at(index.row());
    const bool in = message.direction == MessageEvent::Direction::In;
    switch (role) {
    case PrettyJsonRole:
        return prettyBody(message);
    case DirectionRole:
        return in ? u"in"_s : u"out"_s;
    case MethodRole:
        return message.method;
    case IdRole:
        return message.id;
    case Qt::ToolTipRole:
        return index.column() == Message ? QVariant(prettyBody(message).left(2000)) : QVariant();
    case Qt::TextAlignmentRole:
        return index.column() == Size ? QVariant(int(Qt::AlignRight | Qt::AlignVCenter))
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
        return sort ? QVariant(message.wallMs)
                    : QVariant(DisplayFormat::preciseClock(message.wallMs));
    case Direction:
        return in ? tr("→ in") : tr("← out");
    case Message:
        return summary(message);
    case Size:
        return sort ? QVariant(message.bytes) : QVariant(DisplayFormat::bytes(message.bytes));
    default:
        return {};
    }
}

QVariant TrafficModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Time:
        return tr("Time");
    case Direction:
        return tr("Direction");
    case Message:
        return tr("Message");
    case Size:
        return tr("Size");
    default:
        return {};
    }
}

} // namespace heartline
