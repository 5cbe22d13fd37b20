#include "ui/models/toolgroupsmodel.h"

#include "server/api/monitor.h"
#include "server/api/servercontrol.h"
#include "ui/models/toolsmodel.h"
#include "ui/models/uitick.h"

#include <QFont>
#include <QSet>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace heartline {

namespace {

const QString kBuiltIn = u"built-in"_s;

QString ownGroupLabel(const QString &key)
{
    if (key == kBuiltIn)
        return ToolGroupsModel::tr("Built-in");
    if (key == "command"_L1)
        return ToolGroupsModel::tr("Command tools");
    if (key == "conformance"_L1)
        return ToolGroupsModel::tr("Conformance");
    return key;
}

} // namespace

ToolGroupsModel::ToolGroupsModel(ToolsModel *tools, ServerControl *control, Monitor *monitor,
                                 UiTick *tick, QObject *parent)
    : QAbstractItemModel(parent)
    , m_tools(tools)
    , m_control(control)
{
    rebuild();
    // Every change of the tool rows is a reset here (they come rarely: a server listed, a
    // plugin loaded), begun when the source's begins so no view reads a stale mapping.
    const auto begin = [this]() { beginResetModel(); };
    const auto end = [this]() {
        rebuild();
        endResetModel();
    };
    connect(m_tools, &QAbstractItemModel::modelAboutToBeReset, this, begin);
    connect(m_tools, &QAbstractItemModel::modelReset, this, end);
    connect(m_tools, &QAbstractItemModel::rowsAboutToBeInserted, this, begin);
    connect(m_tools, &QAbstractItemModel::rowsInserted, this, end);
    connect(m_tools, &QAbstractItemModel::rowsAboutToBeRemoved, this, begin);
    connect(m_tools, &QAbstractItemModel::rowsRemoved, this, end);
    connect(m_tools, &QAbstractItemModel::layoutAboutToBeChanged, this, begin);
    connect(m_tools, &QAbstractItemModel::layoutChanged, this, end);
    connect(m_tools, &QAbstractItemModel::dataChanged, this, &ToolGroupsModel::forwardDataChanged);
    const auto serversChanged = [this]() { m_serversDirty = true; };
    connect(monitor, &Monitor::upstreamStateChanged, this, serversChanged);
    connect(monitor, &Monitor::upstreamRemoved, this, serversChanged);
    connect(tick, &UiTick::ticked, this, &ToolGroupsModel::refreshServers);
}

void ToolGroupsModel::rebuild()
{
    const QList<UpstreamInfo> servers = m_control ? m_control->upstreams() : QList<UpstreamInfo>();
    QList<Group> own;
    QList<Group> upstream;
    for (const UpstreamInfo &server : servers)
        upstream.append({server.name, true, server, {}});
    const auto groupOf = [&](const QString &server, const QString &source) -> Group & {
        QList<Group> &list = server.isEmpty() ? own : upstream;
        const QString key = server.isEmpty() ? source : server;
        for (Group &group : list) {
            if (group.key == key)
                return group;
        }
        list.append({key, !server.isEmpty(), {}, {}});
        return list.last();
    };
    for (int row = 0; row < m_tools->rowCount(); ++row) {
        const QModelIndex tool = m_tools->index(row, ToolsModel::Source);
        groupOf(tool.data(ToolsModel::ServerRole).toString(), tool.data().toString())
            .toolRows.append(row);
    }
    // Heartline's own: built-in first, then the rest by name. Servers: config order.
    std::stable_sort(own.begin(), own.end(), [](const Group &a, const Group &b) {
        if ((a.key == kBuiltIn) != (b.key == kBuiltIn))
            return a.key == kBuiltIn;
        return a.key < b.key;
    });
    m_groups = own + upstream;
    m_placeOfRow = QList<QPair<int, int>>(m_tools->rowCount(), {-1, -1});
    for (int g = 0; g < m_groups.size(); ++g) {
        QList<int> &rows = m_groups[g].toolRows;
        std::sort(rows.begin(), rows.end(), [this](int a, int b) {
            return m_tools->index(a, ToolsModel::Name).data().toString()
                   < m_tools->index(b, ToolsModel::Name).data().toString();
        });
        for (int position = 0; position < rows.size(); ++position)
            m_placeOfRow[rows.at(position)] = {g, position};
    }
    m_serversDirty = false;
}

void ToolGroupsModel::refreshServers()
{
    if (!m_serversDirty)
        return;
    m_serversDirty = false;
    const QList<UpstreamInfo> servers = m_control ? m_control->upstreams() : QList<UpstreamInfo>();
    QSet<QString> known;
    for (const Group &group : std::as_const(m_groups)) {
        if (group.upstream)
            known.insert(group.key);
    }
    QSet<QString> now;
    for (const UpstreamInfo &server : servers)
        now.insert(server.name);
    if (known != now) {
        beginResetModel();
        rebuild();
        endResetModel();
        return;
    }
    for (int g = 0; g < m_groups.size(); ++g) {
        Group &group = m_groups[g];
        if (!group.upstream)
            continue;
        for (const UpstreamInfo &server : servers) {
            if (server.name == group.key)
                group.server = server;
        }
        Q_EMIT dataChanged(index(g, 0), index(g, ToolsModel::ColumnCount - 1));
    }
}

void ToolGroupsModel::forwardDataChanged(const QModelIndex &topLeft, const QModelIndex &bottomRight,
                                         const QList<int> &roles)
{
    QSet<int> groups;
    for (int row = topLeft.row(); row <= bottomRight.row() && row < m_placeOfRow.size(); ++row) {
        const auto [group, position] = m_placeOfRow.at(row);
        if (group < 0)
            continue;
        const QModelIndex parentRow = index(group, 0);
        Q_EMIT dataChanged(index(position, topLeft.column(), parentRow),
                           index(position, bottomRight.column(), parentRow), roles);
        groups.insert(group);
    }
    // A group row counts its tools that are on.
    for (int group : std::as_const(groups))
        Q_EMIT dataChanged(index(group, 0), index(group, ToolsModel::ColumnCount - 1));
}

QModelIndex ToolGroupsModel::index(int row, int column, const QModelIndex &parent) const
{
    if (column < 0 || column >= ToolsModel::ColumnCount || row < 0)
        return {};
    if (!parent.isValid())
        return row < m_groups.size() ? createIndex(row, column, kGroupId) : QModelIndex();
    if (parent.internalId() != kGroupId || parent.column() != 0 || parent.row() >= m_groups.size())
        return {};
    if (row >= m_groups.at(parent.row()).toolRows.size())
        return {};
    return createIndex(row, column, quintptr(parent.row()) + 1);
}

QModelIndex ToolGroupsModel::parent(const QModelIndex &child) const
{
    if (!child.isValid() || child.internalId() == kGroupId)
        return {};
    return createIndex(int(child.internalId() - 1), 0, kGroupId);
}

int ToolGroupsModel::rowCount(const QModelIndex &parent) const
{
    if (!parent.isValid())
        return int(m_groups.size());
    if (parent.internalId() != kGroupId || parent.column() != 0)
        return 0;
    return int(m_groups.at(parent.row()).toolRows.size());
}

int ToolGroupsModel::columnCount(const QModelIndex &) const
{
    return ToolsModel::ColumnCount;
}

QModelIndex ToolGroupsModel::sourceIndex(const QModelIndex &index) const
{
    if (!index.isValid() || index.internalId() == kGroupId)
        return {};
    const Group &group = m_groups.at(int(index.internalId() - 1));
    return m_tools->index(group.toolRows.at(index.row()), index.column());
}

int ToolGroupsModel::toolsOn(const Group &group) const
{
    int on = 0;
    for (int row : group.toolRows) {
        on +=
            m_tools->index(row, ToolsModel::Enabled).data(Qt::CheckStateRole).toInt() == Qt::Checked
                ? 1
                : 0;
    }
    return on;
}

QVariant ToolGroupsModel::groupData(const Group &group, int column, int role) const
{
    if (role == GroupKeyRole)
        return group.key;
    if (role == IsGroupRole)
        return true;
    if (role == Qt::FontRole && column == ToolsModel::Name) {
        QFont font;
        font.setBold(true);
        return font;
    }
    if (role == Qt::CheckStateRole && column == ToolsModel::Enabled && group.upstream)
        return group.server.enabled ? Qt::Checked : Qt::Unchecked;
    if (role == ToolsModel::SortRole && column == ToolsModel::Name)
        return group.key;
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole)
        return {};
    const int total = int(group.toolRows.size());
    switch (column) {
    case ToolsModel::Name:
        return group.upstream ? group.key : ownGroupLabel(group.key);
    case ToolsModel::Description: {
        const QString count = tr("%1 of %2 on").arg(toolsOn(group)).arg(total);
        if (!group.upstream)
            return count;
        if (!group.server.enabled)
            return tr("switched off: its tools are not offered");
        return tr("%1 · %2").arg(group.server.stateLabel, count);
    }
    default:
        return {};
    }
}

QVariant ToolGroupsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    if (index.internalId() == kGroupId)
        return groupData(m_groups.at(index.row()), index.column(), role);
    if (role == GroupKeyRole)
        return m_groups.at(int(index.internalId() - 1)).key;
    if (role == IsGroupRole)
        return false;
    return sourceIndex(index).data(role);
}

bool ToolGroupsModel::setData(const QModelIndex &index, const QVariant &value, int role)
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return false;
    if (index.internalId() != kGroupId) {
        const bool changed = m_tools->setData(sourceIndex(index), value, role);
        m_lastError = changed ? QString() : m_tools->lastError();
        return changed;
    }
    Group &group = m_groups[index.row()];
    if (!group.upstream || index.column() != ToolsModel::Enabled || role != Qt::CheckStateRole
        || !m_control)
        return false;
    const bool enabled = value.toInt() == Qt::Checked;
    QString error;
    if (!m_control->setUpstreamEnabled(group.key, enabled, &error)) {
        m_lastError = error;
        return false;
    }
    m_lastError.clear();
    group.server.enabled = enabled;
    Q_EMIT dataChanged(index.siblingAtColumn(0),
                       index.siblingAtColumn(ToolsModel::ColumnCount - 1));
    return true;
}

Qt::ItemFlags ToolGroupsModel::flags(const QModelIndex &index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    if (index.internalId() != kGroupId)
        return m_tools->flags(sourceIndex(index));
    Qt::ItemFlags flags = Qt::ItemIsEnabled | Qt::ItemIsSelectable;
    if (index.column() == ToolsModel::Enabled && m_groups.at(index.row()).upstream)
        flags |= Qt::ItemIsUserCheckable;
    return flags;
}

QVariant ToolGroupsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    return m_tools->headerData(section, orientation, role);
}

QModelIndex ToolGroupsModel::groupIndex(const QString &key, int column) const
{
    for (int g = 0; g < m_groups.size(); ++g) {
        if (m_groups.at(g).key == key)
            return index(g, column);
    }
    return {};
}

QModelIndex ToolGroupsModel::toolIndex(const QString &name, int column) const
{
    const int row = m_tools->rowOfTool(name);
    if (row < 0 || row >= m_placeOfRow.size() || m_placeOfRow.at(row).first < 0)
        return {};
    const auto [group, position] = m_placeOfRow.at(row);
    return index(position, column, index(group, 0));
}

QStringList ToolGroupsModel::groupKeys() const
{
    QStringList keys;
    for (const Group &group : m_groups)
        keys.append(group.key);
    return keys;
}

} // namespace heartline
