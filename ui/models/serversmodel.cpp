#include "ui/models/serversmodel.h"

#include "server/api/clock.h"
#include "server/api/monitor.h"
#include "server/api/servercontrol.h"
#include "ui/models/displayformat.h"
#include "ui/models/uitick.h"

using namespace Qt::StringLiterals;

namespace heartline {

namespace {

bool isUp(UpstreamState state)
{
    return state == UpstreamState::Ready || state == UpstreamState::Degraded;
}

QString kindLabel(const QString &transport)
{
    if (transport == "stdio"_L1)
        return u"stdio"_s;
    if (transport == "sse"_L1)
        return u"SSE"_s;
    if (transport == "http"_L1)
        return u"HTTP"_s;
    return ServersModel::tr("HTTP or SSE");
}

int toolsOn(const UpstreamInfo &info)
{
    int on = 0;
    for (const UpstreamToolInfo &tool : info.tools)
        on += tool.enabled ? 1 : 0;
    return on;
}

bool sameServers(const QList<UpstreamInfo> &a, const QList<UpstreamInfo> &b)
{
    if (a.size() != b.size())
        return false;
    for (int row = 0; row < a.size(); ++row) {
        if (a.at(row).name != b.at(row).name)
            return false;
    }
    return true;
}

} // namespace

ServersModel::ServersModel(Monitor *monitor, ServerControl *control, UiTick *tick, QObject *parent)
    : QAbstractTableModel(parent)
    , m_control(control)
{
    const MonitorSnapshot snapshot = monitor->snapshot();
    for (auto it = snapshot.counters.upstreamCalls.cbegin();
         it != snapshot.counters.upstreamCalls.cend(); ++it) {
        CallStats &stats = m_stats[it.key().first];
        stats.calls += it.value();
        if (it.key().second != upstreamCallOutcomeName(UpstreamCallOutcome::Ok)
            && it.key().second != upstreamCallOutcomeName(UpstreamCallOutcome::Cancelled))
            stats.errors += it.value();
    }
    for (auto it = snapshot.counters.upstreamCallLatency.cbegin();
         it != snapshot.counters.upstreamCallLatency.cend(); ++it) {
        m_stats[it.key()].timed = it.value().count;
        m_stats[it.key()].totalLatencyUs = it.value().sumUs;
    }
    // The snapshot keeps each server's latest state with the time it was reached: for a
    // server up now, the start of its uptime.
    for (const UpstreamStatus &status : snapshot.upstreams) {
        if (isUp(status.state))
            m_readySinceWallMs.insert(status.server, status.wallMs);
    }
    reload();

    connect(monitor, &Monitor::upstreamStateChanged, this, &ServersModel::noteState);
    connect(monitor, &Monitor::upstreamRestartScheduled, this,
            [this](const UpstreamRestartEvent &event) {
                m_restarts.insert(event.server, {event.attempt, event.delayMs});
                m_dirty = true;
            });
    connect(monitor, &Monitor::upstreamRemoved, this, [this](const QString &server) {
        m_readySinceWallMs.remove(server);
        m_restarts.remove(server);
        m_dirty = true;
    });
    connect(monitor, &Monitor::upstreamListed, this,
            [this](const UpstreamListEvent &) { m_dirty = true; });
    connect(monitor, &Monitor::toolChanged, this, [this](const ToolEvent &) { m_dirty = true; });
    connect(monitor, &Monitor::upstreamCalled, this, [this](const UpstreamCallRecord &record) {
        CallStats &stats = m_stats[record.server];
        ++stats.calls;
        if (record.outcome == UpstreamCallOutcome::ToolError
            || record.outcome == UpstreamCallOutcome::Failed)
            ++stats.errors;
        ++stats.timed;
        stats.totalLatencyUs += record.latencyUs;
        m_callsDirty = true;
    });
    connect(tick, &UiTick::ticked, this, &ServersModel::flush);
}

void ServersModel::noteState(const UpstreamStatus &status)
{
    if (!isUp(status.state))
        m_readySinceWallMs.remove(status.server);
    else if (!m_readySinceWallMs.contains(status.server))
        m_readySinceWallMs.insert(status.server, status.wallMs);
    // A restart is pending from its scheduling until the server is on its way again.
    if (status.state != UpstreamState::Crashed)
        m_restarts.remove(status.server);
    m_dirty = true;
}

void ServersModel::reload()
{
    QList<UpstreamInfo> infos = m_control ? m_control->upstreams() : QList<UpstreamInfo>();
    if (sameServers(infos, m_rows)) {
        m_rows = std::move(infos);
        if (!m_rows.isEmpty())
            Q_EMIT dataChanged(index(0, 0), index(int(m_rows.size()) - 1, ColumnCount - 1));
        return;
    }
    // Servers come and go with the config file, rarely: a reset is simplest.
    beginResetModel();
    m_rows = std::move(infos);
    endResetModel();
}

void ServersModel::flush()
{
    if (m_dirty) {
        m_dirty = false;
        m_callsDirty = false;
        reload();
        return;
    }
    if (m_rows.isEmpty())
        return;
    if (m_callsDirty) {
        m_callsDirty = false;
        Q_EMIT dataChanged(index(0, Calls), index(int(m_rows.size()) - 1, MeanLatency));
    }
    if (!m_readySinceWallMs.isEmpty())
        Q_EMIT dataChanged(index(0, Uptime), index(int(m_rows.size()) - 1, Uptime));
}

int ServersModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int ServersModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

Qt::ItemFlags ServersModel::flags(const QModelIndex &index) const
{
    Qt::ItemFlags flags = QAbstractTableModel::flags(index);
    if (index.isValid() && index.column() == Enabled)
        flags |= Qt::ItemIsUserCheckable;
    return flags;
}

int ServersModel::rowOfServer(const QString &name) const
{
    for (int row = 0; row < m_rows.size(); ++row) {
        if (m_rows.at(row).name == name)
            return row;
    }
    return -1;
}

UpstreamInfo ServersModel::serverAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? m_rows.at(row) : UpstreamInfo();
}

qint64 ServersModel::uptimeMs(const QString &name) const
{
    const auto since = m_readySinceWallMs.constFind(name);
    return since == m_readySinceWallMs.cend() ? -1 : qMax<qint64>(0, Clock::wallMs() - *since);
}

QString ServersModel::stateText(const QString &name) const
{
    const int row = rowOfServer(name);
    if (row < 0)
        return {};
    const UpstreamInfo &info = m_rows.at(row);
    const auto restart = m_restarts.constFind(name);
    if (info.state == UpstreamState::Crashed && restart != m_restarts.cend()) {
        return tr("%1 · restart %2 in %3")
            .arg(info.stateLabel)
            .arg(restart->attempt)
            .arg(DisplayFormat::duration(restart->delayMs));
    }
    return info.stateLabel;
}

QVariant ServersModel::displayData(const UpstreamInfo &info, int column, bool sort) const
{
    const CallStats stats = m_stats.value(info.name);
    switch (column) {
    case Enabled:
        return sort ? QVariant(info.enabled ? 1 : 0) : QVariant();
    case Name:
        return info.name;
    case Kind:
        return kindLabel(info.transport);
    case State:
        return sort ? QVariant(int(info.state)) : QVariant(stateText(info.name));
    case Target:
        if (info.transport != "stdio"_L1)
            return info.target;
        if (sort)
            return info.pid;
        return info.pid > 0 ? tr("pid %1").arg(info.pid) : QString();
    case Uptime: {
        const qint64 uptime = uptimeMs(info.name);
        if (sort)
            return uptime;
        return uptime < 0 ? QString() : DisplayFormat::duration(uptime / 1000 * 1000);
    }
    case Restarts:
        return sort ? QVariant(info.restartCount) : QVariant(QString::number(info.restartCount));
    case Tools:
        if (sort)
            return toolsOn(info);
        return tr("%1/%2").arg(toolsOn(info)).arg(info.toolCount());
    case Calls:
        return sort ? QVariant(stats.calls) : QVariant(QString::number(stats.calls));
    case Errors:
        return sort ? QVariant(stats.errors) : QVariant(QString::number(stats.errors));
    case MeanLatency: {
        const qint64 meanMs =
            stats.timed > 0 ? stats.totalLatencyUs / qint64(stats.timed) / 1000 : -1;
        return sort ? QVariant(meanMs) : QVariant(DisplayFormat::milliseconds(meanMs));
    }
    case LastError:
        return info.lastError;
    default:
        return {};
    }
}

QVariant ServersModel::toolTipData(const UpstreamInfo &info, int column) const
{
    switch (column) {
    case Name: {
        QStringList lines{info.name};
        if (!info.description.isEmpty())
            lines.append(info.description);
        if (!info.importedFrom.isEmpty())
            lines.append(tr("Imported from %1").arg(info.importedFrom));
        return lines.join(u'\n');
    }
    case Target:
        // The whole command line or URL (never with secrets: UpstreamInfo::target has none).
        return info.target;
    case State:
        return stateText(info.name);
    case Tools: {
        QStringList off;
        for (const UpstreamToolInfo &tool : info.tools) {
            if (!tool.enabled)
                off.append(tool.upstreamName);
        }
        return off.isEmpty() ? tr("Every tool is on") : tr("Off: %1").arg(off.join(u", "_s));
    }
    case LastError:
        return info.lastError;
    default:
        return {};
    }
}

QVariant ServersModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const UpstreamInfo &info = m_rows.at(index.row());
    switch (role) {
    case ServerNameRole:
        return info.name;
    case StateRole:
        return index.column() == State ? QVariant::fromValue(info.state) : QVariant();
    case Qt::CheckStateRole:
        return index.column() == Enabled ? QVariant(info.enabled ? Qt::Checked : Qt::Unchecked)
                                         : QVariant();
    case Qt::TextAlignmentRole:
        return (index.column() >= Uptime && index.column() <= MeanLatency)
                   ? QVariant(int(Qt::AlignRight | Qt::AlignVCenter))
                   : QVariant();
    case Qt::ToolTipRole:
        return toolTipData(info, index.column());
    case Qt::DisplayRole:
        return displayData(info, index.column(), false);
    case SortRole:
        return displayData(info, index.column(), true);
    default:
        return {};
    }
}

bool ServersModel::setData(const QModelIndex &index, const QVariant &value, int role)
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid) || index.column() != Enabled
        || role != Qt::CheckStateRole)
        return false;
    return setEnabled(m_rows.at(index.row()).name, value.toInt() == Qt::Checked);
}

bool ServersModel::act(bool ok, const QString &error)
{
    if (!ok) {
        m_lastError = error;
        return false;
    }
    m_lastError.clear();
    // The person's own click shows at the next tick, with what the server made of it.
    m_dirty = true;
    return true;
}

bool ServersModel::start(const QString &name)
{
    QString error;
    return act(m_control && m_control->startUpstream(name, &error), error);
}

bool ServersModel::stop(const QString &name)
{
    QString error;
    return act(m_control && m_control->stopUpstream(name, &error), error);
}

bool ServersModel::restart(const QString &name)
{
    QString error;
    return act(m_control && m_control->restartUpstream(name, &error), error);
}

bool ServersModel::setEnabled(const QString &name, bool enabled)
{
    QString error;
    return act(m_control && m_control->setUpstreamEnabled(name, enabled, &error), error);
}

QVariant ServersModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Enabled:
        return tr("On");
    case Name:
        return tr("Server");
    case Kind:
        return tr("Kind");
    case State:
        return tr("State");
    case Target:
        return tr("Process / URL");
    case Uptime:
        return tr("Uptime");
    case Restarts:
        return tr("Restarts");
    case Tools:
        return tr("Tools");
    case Calls:
        return tr("Calls");
    case Errors:
        return tr("Errors");
    case MeanLatency:
        return tr("Mean latency");
    case LastError:
        return tr("Last error");
    default:
        return {};
    }
}

} // namespace heartline
