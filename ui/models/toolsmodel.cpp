#include "ui/models/toolsmodel.h"

#include "server/api/monitor.h"
#include "server/api/servercontrol.h"
#include "ui/models/displayformat.h"
#include "ui/models/uitick.h"

using namespace Qt::StringLiterals;

namespace heartline {

namespace {

bool isError(ToolCallOutcome outcome)
{
    return outcome == ToolCallOutcome::ToolError || outcome == ToolCallOutcome::ProtocolError;
}

// Stateless 2026-07-28 "sessions" last one request; they never re-list and would skew counts.
bool canRelist(const SessionInfo &session)
{
    return session.transport != TransportKind::StreamableHttpStateless;
}

} // namespace

ToolsModel::ToolsModel(Monitor *monitor, ServerControl *control, UiTick *tick, QObject *parent)
    : QAbstractTableModel(parent)
    , m_control(control)
{
    const MonitorSnapshot snapshot = monitor->snapshot();
    for (auto it = snapshot.counters.toolCalls.cbegin(); it != snapshot.counters.toolCalls.cend();
         ++it) {
        CallStats &stats = m_stats[it.key().first];
        stats.calls += it.value();
        // The Monitor's totals are keyed by the outcome's machine name (as /metrics shows them).
        if (it.key().second == toolCallOutcomeName(ToolCallOutcome::ToolError)
            || it.key().second == toolCallOutcomeName(ToolCallOutcome::ProtocolError))
            stats.errors += it.value();
    }
    for (const SessionInfo &session : snapshot.sessions) {
        if (canRelist(session))
            m_openSessions.insert(session.id, session.clientName);
    }
    reloadTools();

    connect(monitor, &Monitor::toolChanged, this, [this](const ToolEvent &event) {
        m_changedGeneration.insert(event.name, event.generation);
        m_toolsDirty = true;
        m_relistedDirty = true;
    });
    connect(monitor, &Monitor::toolCalled, this, [this](const ToolCallRecord &record) {
        CallStats &stats = m_stats[record.tool];
        ++stats.calls;
        if (isError(record.outcome))
            ++stats.errors;
        ++stats.timed;
        stats.totalLatencyMs += record.latencyMs;
        markDirty(record.tool);
    });
    connect(monitor, &Monitor::toolsListSeen, this, [this](const ToolsListSeenEvent &event) {
        m_listedGeneration.insert(event.sessionId, event.generation);
        m_relistedDirty = true;
    });
    const auto sessionSeen = [this](const SessionInfo &session) {
        if (!canRelist(session))
            return;
        m_openSessions.insert(session.id, session.clientName);
        m_relistedDirty = true;
    };
    connect(monitor, &Monitor::sessionOpened, this, sessionSeen);
    connect(monitor, &Monitor::sessionUpdated, this, sessionSeen);
    connect(monitor, &Monitor::sessionClosed, this, [this](const QString &sessionId) {
        m_listedGeneration.remove(sessionId);
        if (m_openSessions.remove(sessionId) > 0)
            m_relistedDirty = true;
    });
    connect(tick, &UiTick::ticked, this, &ToolsModel::flush);
}

void ToolsModel::reloadTools()
{
    const QList<ToolInfo> entries = m_control ? m_control->tools() : QList<ToolInfo>();
    bool sameNames = entries.size() == m_rows.size();
    for (int row = 0; sameNames && row < entries.size(); ++row)
        sameNames = entries.at(row).name == m_rows.at(row).name;

    if (sameNames) {
        for (int row = 0; row < entries.size(); ++row) {
            const ToolInfo &entry = entries.at(row);
            Row &current = m_rows[row];
            if (current.enabled != entry.enabled || current.source != entry.source
                || current.description != entry.description || current.server != entry.server
                || current.upstreamName != entry.upstreamName) {
                current.enabled = entry.enabled;
                current.source = entry.source;
                current.description = entry.description;
                current.server = entry.server;
                current.upstreamName = entry.upstreamName;
                current.dirty = true;
            }
        }
        return;
    }
    // Tools come and go rarely (a plugin loaded, the conformance pack): a reset is simplest.
    beginResetModel();
    m_rows.clear();
    m_rowByName.clear();
    for (const ToolInfo &entry : entries) {
        m_rowByName.insert(entry.name, int(m_rows.size()));
        Row row;
        row.name = entry.name;
        row.source = entry.source;
        row.server = entry.server;
        row.upstreamName = entry.upstreamName;
        row.description = entry.description;
        row.enabled = entry.enabled;
        m_rows.push_back(row);
    }
    endResetModel();
    m_relistedDirty = true;
}

void ToolsModel::markDirty(const QString &name)
{
    const int row = m_rowByName.value(name, -1);
    if (row >= 0)
        m_rows[row].dirty = true;
}

void ToolsModel::flush()
{
    if (m_toolsDirty) {
        m_toolsDirty = false;
        reloadTools();
    }
    int first = -1;
    for (int row = 0; row <= m_rows.size(); ++row) {
        const bool dirty = row < m_rows.size() && m_rows.at(row).dirty;
        if (dirty && first < 0)
            first = row;
        if (!dirty && first >= 0) {
            Q_EMIT dataChanged(index(first, 0), index(row - 1, ColumnCount - 1));
            first = -1;
        }
        if (dirty)
            m_rows[row].dirty = false;
    }
    if (m_relistedDirty && !m_rows.isEmpty()) {
        m_sessionsAtTick = m_openSessions.size();
        for (Row &row : m_rows)
            row.notRelisted = countNotRelisted(row.name);
        Q_EMIT dataChanged(index(0, Relisted), index(int(m_rows.size()) - 1, Relisted));
    }
    m_relistedDirty = false;
}

int ToolsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int ToolsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

Qt::ItemFlags ToolsModel::flags(const QModelIndex &index) const
{
    Qt::ItemFlags flags = QAbstractTableModel::flags(index);
    if (index.isValid() && index.column() == Enabled)
        flags |= Qt::ItemIsUserCheckable;
    return flags;
}

bool ToolsModel::hasRelisted(const QString &sessionId, const QString &tool) const
{
    const auto listed = m_listedGeneration.constFind(sessionId);
    return listed != m_listedGeneration.cend() && *listed >= m_changedGeneration.value(tool, 0);
}

QStringList ToolsModel::sessionsNotRelisted(const QString &tool) const
{
    QStringList names;
    for (auto it = m_openSessions.cbegin(); it != m_openSessions.cend(); ++it) {
        if (!hasRelisted(it.key(), tool))
            names.push_back(it.value().isEmpty() ? it.key() : it.value());
    }
    names.sort();
    return names;
}

int ToolsModel::countNotRelisted(const QString &tool) const
{
    int count = 0;
    for (auto it = m_openSessions.cbegin(); it != m_openSessions.cend(); ++it)
        count += hasRelisted(it.key(), tool) ? 0 : 1;
    return count;
}

QVariant ToolsModel::relistedData(const Row &row, int role) const
{
    const qint64 total = m_sessionsAtTick;
    const qint64 relisted = qMax<qint64>(0, total - row.notRelisted);
    if (role == SortRole)
        return total == 0 ? 1.0 : double(relisted) / double(total);
    if (role == Qt::ToolTipRole) {
        const QStringList missing = sessionsNotRelisted(row.name);
        return missing.isEmpty()
                   ? tr("Every open session has the current tool list")
                   : tr("Not re-listed since the last change: %1").arg(missing.join(u", "_s));
    }
    if (total == 0)
        return tr("no sessions");
    return tr("%1 of %2 sessions").arg(relisted).arg(total);
}

QVariant ToolsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const Row &row = m_rows.at(index.row());
    const CallStats stats = m_stats.value(row.name);
    const qint64 mean = stats.timed > 0 ? stats.totalLatencyMs / qint64(stats.timed) : -1;
    if (role == ToolNameRole)
        return row.name;
    if (role == ServerRole)
        return row.server;
    if (role == Qt::CheckStateRole)
        return index.column() == Enabled ? QVariant(row.enabled ? Qt::Checked : Qt::Unchecked)
                                         : QVariant();
    if (role == Qt::TextAlignmentRole) {
        return index.column() >= Calls && index.column() <= MeanLatency
                   ? QVariant(int(Qt::AlignRight | Qt::AlignVCenter))
                   : QVariant();
    }
    if (index.column() == Relisted
        && (role == Qt::DisplayRole || role == SortRole || role == Qt::ToolTipRole))
        return relistedData(row, role);
    if (role == Qt::ToolTipRole && index.column() == Description)
        return row.description;
    if (role != Qt::DisplayRole && role != SortRole)
        return {};
    const bool sort = role == SortRole;
    switch (index.column()) {
    case Enabled:
        return sort ? QVariant(row.enabled ? 1 : 0) : QVariant();
    case Name:
        return row.name;
    case UpstreamName:
        return row.upstreamName;
    case Source:
        return row.source;
    case Description:
        return row.description;
    case Calls:
        return sort ? QVariant(stats.calls) : QVariant(QString::number(stats.calls));
    case Errors:
        return sort ? QVariant(stats.errors) : QVariant(QString::number(stats.errors));
    case MeanLatency:
        return sort ? QVariant(mean) : QVariant(DisplayFormat::milliseconds(mean));
    default:
        return {};
    }
}

QString ToolsModel::serverOfTool(const QString &name) const
{
    const int row = rowOfTool(name);
    return row < 0 ? QString() : m_rows.at(row).server;
}

bool ToolsModel::setData(const QModelIndex &index, const QVariant &value, int role)
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid) || index.column() != Enabled
        || role != Qt::CheckStateRole)
        return false;
    const bool enabled = value.toInt() == Qt::Checked;
    return setToolEnabled(m_rows.at(index.row()).name, enabled);
}

bool ToolsModel::setToolEnabled(const QString &name, bool enabled)
{
    const int row = m_rowByName.value(name, -1);
    if (row < 0 || !m_control) {
        m_lastError = tr("no tool named '%1'").arg(name);
        return false;
    }
    if (m_rows.at(row).enabled == enabled)
        return true;
    QString error;
    if (!m_control->setToolEnabled(name, enabled, &error)) {
        m_lastError = error;
        return false;
    }
    m_lastError.clear();
    m_rows[row].enabled = enabled;
    // The person's own click shows at once; everything the network does waits for the tick.
    Q_EMIT dataChanged(index(row, Enabled), index(row, Enabled));
    Q_EMIT toolEnabledChanged(name, enabled);
    return true;
}

QVariant ToolsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Enabled:
        return tr("On");
    case Name:
        return tr("Name");
    case UpstreamName:
        return tr("Upstream name");
    case Source:
        return tr("Source");
    case Description:
        return tr("Description");
    case Calls:
        return tr("Calls");
    case Errors:
        return tr("Errors");
    case MeanLatency:
        return tr("Mean latency");
    case Relisted:
        return tr("Re-listed");
    default:
        return {};
    }
}

} // namespace heartline
