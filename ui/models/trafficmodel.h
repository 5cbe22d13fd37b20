#pragma once

#include "server/api/monitorevents.h"
#include "ui/models/ringtablemodel.h"

#include <QHash>
#include <QList>

namespace heartline {

class Monitor;
class UiTick;

// The traffic view: the JSON-RPC messages of one session (setSessionId), newest last, with a
// pretty-printed body per row (PrettyJsonRole). Every session's recent messages are kept, so
// picking another session shows its history at once: a ring of messagesPerSession() per
// session, at most sessionCapacity() sessions (the longest quiet go first) and a cap on the
// bytes kept in all. New messages of the shown session reach views on the UI tick.
class TrafficModel final : public RingTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TrafficModel)

public:
    enum Column { Time, Direction, Message, Size, ColumnCount };
    enum Role {
        PrettyJsonRole = Qt::UserRole + 1, // the body, indented (or as it came, if not JSON)
        DirectionRole,                     // "in" (client to server) or "out"
        SortRole,
        MethodRole,
        IdRole,
    };

    static constexpr int kDefaultMessagesPerSession = 500;
    static constexpr int kDefaultSessionCapacity = 200;
    static constexpr qint64 kDefaultByteBudget = 64 * 1024 * 1024;

    TrafficModel(Monitor *monitor, UiTick *tick, QObject *parent = nullptr);

    QString sessionId() const { return m_sessionId; }
    void setSessionId(const QString &sessionId);

    int messagesPerSession() const { return m_messagesPerSession; }
    int sessionCapacity() const { return m_sessionCapacity; }
    // Smaller limits, for tests; applied to what arrives from then on.
    void setLimits(int messagesPerSession, int sessionCapacity, qint64 byteBudget);
    // Sessions with kept traffic.
    QStringList sessionIds() const { return m_buffers.keys(); }
    MessageEvent messageAt(int row) const { return m_rows.at(row); }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    static QString prettyBody(const MessageEvent &message);

private:
    struct Buffer
    {
        QList<MessageEvent> messages;
        qint64 bytes = 0; // of the bodies kept
        qint64 lastWallMs = 0;
    };

    void handleMessage(const MessageEvent &event);
    void evictSessions();
    void flush();

    QString m_sessionId;
    QList<MessageEvent> m_rows;
    QList<MessageEvent> m_pending;
    QHash<QString, Buffer> m_buffers;
    qint64 m_totalBytes = 0;
    int m_messagesPerSession = kDefaultMessagesPerSession;
    int m_sessionCapacity = kDefaultSessionCapacity;
    qint64 m_byteBudget = kDefaultByteBudget;
};

} // namespace heartline
