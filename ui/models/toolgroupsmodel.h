#pragma once

#include "server/api/upstreaminfo.h"

#include <QAbstractItemModel>
#include <QList>

namespace heartline {

class Monitor;
class ServerControl;
class ToolsModel;
class UiTick;

// The tools panel's tree: the ToolsModel's rows grouped under their origin - Heartline's
// built-in tools first, then its command tools and any other of its own, then each upstream
// server in config order - each group sorted by tool name. A tool row is the ToolsModel's row
// (same columns, its check box switches the tool); a server's row carries the server's own
// switch (ServerControl::setUpstreamEnabled, written to its config entry) and says how many of
// its tools are on. A server without tools (switched off, not started, failing) keeps its row.
class ToolGroupsModel final : public QAbstractItemModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ToolGroupsModel)

public:
    enum Role {
        GroupKeyRole = Qt::UserRole + 100, // on every row: the group it is (or is in)
        IsGroupRole,
    };

    ToolGroupsModel(ToolsModel *tools, ServerControl *control, Monitor *monitor, UiTick *tick,
                    QObject *parent = nullptr);

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    bool setData(const QModelIndex &index, const QVariant &value, int role = Qt::EditRole) override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    // The row of the group `key` ("built-in", "command", or a server's name); invalid if none.
    QModelIndex groupIndex(const QString &key, int column = 0) const;
    // The row of a tool by its exposed name; invalid if none.
    QModelIndex toolIndex(const QString &name, int column = 0) const;
    QStringList groupKeys() const;
    QString lastError() const { return m_lastError; }

private:
    struct Group
    {
        QString key;
        bool upstream = false;
        UpstreamInfo server; // for an upstream group
        QList<int> toolRows; // rows of the ToolsModel, by tool name
    };
    static constexpr quintptr kGroupId = 0; // a tool row's internal id is its group's row + 1

    void rebuild();
    void refreshServers();
    void forwardDataChanged(const QModelIndex &topLeft, const QModelIndex &bottomRight,
                            const QList<int> &roles);
    QVariant groupData(const Group &group, int column, int role) const;
    QModelIndex sourceIndex(const QModelIndex &index) const;
    int toolsOn(const Group &group) const;

    ToolsModel *m_tools;
    ServerControl *m_control;
    QList<Group> m_groups;
    // For each ToolsModel row: its group and position there.
    QList<QPair<int, int>> m_placeOfRow;
    bool m_serversDirty = false;
    QString m_lastError;
};

} // namespace heartline
