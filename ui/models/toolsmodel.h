#pragma once

#include "server/api/monitorevents.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QList>

namespace heartline {

class ServerControl;
class Monitor;
class UiTick;

// The tools panel: one row per registered tool with a check box that enables or disables it
// through ServerControl, the calls, errors and mean latency seen since start, and how many of the
// open sessions have re-listed the tools since that tool last changed (so the user can see
// whether a client picked up a toggle): a session has when the generation of the last list it
// received (Monitor::toolsListSeen) is at least the generation of the tool's last change. Monitor
// signals mark rows dirty; views hear of it on the UI tick.
class ToolsModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ToolsModel)

public:
    enum Column {
        Enabled,
        Name,
        UpstreamName,
        Source,
        Description,
        Calls,
        Errors,
        MeanLatency,
        Relisted,
        ColumnCount
    };
    enum Role {
        SortRole = Qt::UserRole + 1,
        ToolNameRole,
        ServerRole, // the upstream server of the tool; empty for Heartline's own
    };

    ToolsModel(Monitor *monitor, ServerControl *control, UiTick *tick, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    bool setData(const QModelIndex &index, const QVariant &value, int role = Qt::EditRole) override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    // The same as ticking the row's check box; false (with lastError()) when ServerControl refuses.
    bool setToolEnabled(const QString &name, bool enabled);
    QString lastError() const { return m_lastError; }
    int rowOfTool(const QString &name) const { return m_rowByName.value(name, -1); }
    // The upstream server `name` belongs to; empty for Heartline's own tools.
    QString serverOfTool(const QString &name) const;

Q_SIGNALS:
    void toolEnabledChanged(const QString &name, bool enabled);

private:
    struct CallStats
    {
        quint64 calls = 0;
        quint64 errors = 0;
        quint64 timed = 0; // calls whose latency we saw (the snapshot only has counts)
        qint64 totalLatencyMs = 0;
    };
    struct Row
    {
        QString name;
        QString source;
        QString server;
        QString upstreamName;
        QString description;
        bool enabled = true;
        bool dirty = false;
        // Counted once per tick: a view paints the cell far more often than sessions list.
        int notRelisted = 0;
    };

    void reloadTools();
    void flush();
    void markDirty(const QString &name);
    QVariant relistedData(const Row &row, int role) const;
    bool hasRelisted(const QString &sessionId, const QString &tool) const;
    QStringList sessionsNotRelisted(const QString &tool) const;
    int countNotRelisted(const QString &tool) const;

    ServerControl *m_control;
    QList<Row> m_rows;
    QHash<QString, int> m_rowByName;
    QHash<QString, CallStats> m_stats; // by tool; kept across registrations
    // By tool: the tool-list generation of its last enable/disable/registration.
    QHash<QString, quint64> m_changedGeneration;
    QHash<QString, QString> m_openSessions; // id -> client name, sessions that can re-list
    // By session: the generation of the last tool list its client received.
    QHash<QString, quint64> m_listedGeneration;
    bool m_toolsDirty = false;
    bool m_relistedDirty = true;
    qsizetype m_sessionsAtTick = 0; // the total the notRelisted counts were taken against
    QString m_lastError;
};

} // namespace heartline
