#pragma once

#include "server/api/monitorevents.h"
#include "server/api/upstreaminfo.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QList>

namespace heartline {

class Monitor;
class ServerControl;
class UiTick;

// The Servers panel: one row per configured upstream server, in config order, with its switch,
// kind, state (and a pending restart), pid or URL, uptime, restarts, tools on/total, the calls
// forwarded to it with their errors and mean latency, and its last error. The rows come from
// ServerControl::upstreams(), re-read on the UI tick after the Monitor said something changed;
// the call figures from the Monitor alone. The actions go through ServerControl.
class ServersModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ServersModel)

public:
    enum Column {
        Enabled,
        Name,
        Kind,
        State,
        Target,
        Uptime,
        Restarts,
        Tools,
        Calls,
        Errors,
        MeanLatency,
        LastError,
        ColumnCount
    };
    enum Role {
        SortRole = Qt::UserRole + 1,
        ServerNameRole,
        StateRole, // the UpstreamState, for the badge
    };

    ServersModel(Monitor *monitor, ServerControl *control, UiTick *tick, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    bool setData(const QModelIndex &index, const QVariant &value, int role = Qt::EditRole) override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    int rowOfServer(const QString &name) const;
    // The row's server as ServerControl last described it; a default one for a bad row.
    UpstreamInfo serverAt(int row) const;

    // The panel's actions. False, with lastError(), when ServerControl refuses; the row shows
    // the outcome on the next tick, as the Monitor reports it.
    bool start(const QString &name);
    bool stop(const QString &name);
    bool restart(const QString &name);
    bool setEnabled(const QString &name, bool enabled);
    QString lastError() const { return m_lastError; }

    // The text the State column shows, e.g. "Crashed · restart 2 in 2 s".
    QString stateText(const QString &name) const;

private:
    struct CallStats
    {
        quint64 calls = 0;
        quint64 errors = 0;
        quint64 timed = 0;
        qint64 totalLatencyUs = 0;
    };
    struct PendingRestart
    {
        int attempt = 0;
        int delayMs = 0;
    };

    void reload();
    void flush();
    void noteState(const UpstreamStatus &status);
    bool act(bool ok, const QString &error);
    QVariant displayData(const UpstreamInfo &info, int column, bool sort) const;
    QVariant toolTipData(const UpstreamInfo &info, int column) const;
    qint64 uptimeMs(const QString &name) const;

    ServerControl *m_control;
    QList<UpstreamInfo> m_rows;
    QHash<QString, CallStats> m_stats;         // by server; kept while it is away
    QHash<QString, qint64> m_readySinceWallMs; // servers ready (or degraded) now
    QHash<QString, PendingRestart> m_restarts; // crashed servers with a restart to come
    bool m_dirty = false;
    bool m_callsDirty = false;
    QString m_lastError;
};

} // namespace heartline
