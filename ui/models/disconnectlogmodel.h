#pragma once

#include "server/api/monitorevents.h"
#include "ui/models/ringtablemodel.h"

#include <QHash>
#include <QList>

namespace heartline {

class Monitor;
class UiTick;

// The disconnect log: every ended stream, session and turned-away request, oldest first, in a
// ring of `capacity` rows (the oldest go when it is full). Events wait in a buffer until the
// UI tick, which removes the overflow and inserts the newcomers in one step each.
class DisconnectLogModel final : public RingTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DisconnectLogModel)

public:
    enum Column {
        Time,
        Session,
        Client,
        Transport,
        Cause,
        Detail,
        Duration,
        Bytes,
        Heartbeats,
        ColumnCount
    };
    enum Role {
        CauseRole = Qt::UserRole + 1, // the cause's name, e.g. "client_closed"
        SortRole,
        SessionIdRole,
    };

    static constexpr int kDefaultCapacity = 5000;

    DisconnectLogModel(Monitor *monitor, UiTick *tick, int capacity = kDefaultCapacity,
                       QObject *parent = nullptr);

    int capacity() const { return m_capacity; }
    // The rows shown, oldest first (for copy and export).
    QList<DisconnectEvent> events() const;
    DisconnectEvent eventAt(int row) const { return m_rows.at(row).event; }
    void clear();

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    struct Entry
    {
        DisconnectEvent event;
        QString transport; // empty when the session was never seen (a refused request)
    };

    void handleDisconnected(const DisconnectEvent &event);
    void rememberTransport(const SessionInfo &session);
    void forgetTransportLater(const QString &sessionId);
    void flush();

    int m_capacity;
    QList<Entry> m_rows;
    QList<Entry> m_pending;
    QHash<QString, TransportKind> m_transports;
    QList<QString> m_closedSessions; // closed, transport still kept for a late disconnect
};

} // namespace heartline
