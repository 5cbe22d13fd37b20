#include "server/core/control.h"

#include "server/api/clock.h"
#include "server/api/monitor.h"
#include "server/protocol/catalog/toolregistry.h"
#include "server/session/mcpsession.h"
#include "server/session/sessionstore.h"
#include "server/stream/heartbeatscheduler.h"
#include "server/stream/ssestream.h"
#include "server/tools/upstream/upstreamhost.h"

using namespace Qt::StringLiterals;

namespace heartline {

Control::Control(const Parts &parts, QObject *parent)
    : QObject(parent)
    , m_parts(parts)
{}

QList<ToolInfo> Control::tools() const
{
    const QList<ToolEntry> entries = m_parts.tools->entries();
    QList<ToolInfo> infos;
    infos.reserve(entries.size());
    for (const ToolEntry &entry : entries) {
        ToolInfo info{entry.definition.name,
                      entry.definition.title,
                      entry.definition.description,
                      entry.source,
                      entry.enabled,
                      {},
                      {}};
        if (m_parts.upstreams)
            info.server = m_parts.upstreams->serverOfTool(info.name, &info.upstreamName);
        infos.push_back(info);
    }
    return infos;
}

bool Control::setToolEnabled(const QString &name, bool enabled, QString *error)
{
    QString upstreamTool;
    const QString server =
        m_parts.upstreams ? m_parts.upstreams->serverOfTool(name, &upstreamTool) : QString();
    if (!server.isEmpty())
        return setUpstreamToolEnabled(server, upstreamTool, enabled, error);
    if (m_parts.tools->setEnabled(name, enabled))
        return true;
    *error = u"no tool named '%1' (see 'heartline ctl tools list')"_s.arg(name);
    return false;
}

bool Control::setUpstreamToolEnabled(const QString &server, const QString &upstreamTool,
                                     bool enabled, QString *error)
{
    QStringList disabled = m_parts.upstreams->disabledTools(server);
    if (disabled.contains(upstreamTool) != enabled)
        return true; // already so: nothing to write
    if (enabled)
        disabled.removeAll(upstreamTool);
    else
        disabled.append(upstreamTool);
    // The file first: a switch that could not be kept is refused, not half made.
    if (!m_switches.writeDisabledTools(server, disabled, error))
        return false;
    return m_parts.upstreams->setDisabledTools(server, disabled, error);
}

UpstreamHost *Control::hostOf(const QString &name, QString *error) const
{
    UpstreamHost *host = m_parts.upstreams;
    if (host && host->supervisor(name))
        return host;
    *error = u"no upstream server named '%1' (see 'heartline ctl servers list')"_s.arg(name);
    return nullptr;
}

QList<UpstreamInfo> Control::upstreams() const
{
    return m_parts.upstreams ? m_parts.upstreams->infos() : QList<UpstreamInfo>();
}

bool Control::startUpstream(const QString &name, QString *error)
{
    UpstreamHost *host = hostOf(name, error);
    return host && host->start(name, error);
}

bool Control::stopUpstream(const QString &name, QString *error)
{
    UpstreamHost *host = hostOf(name, error);
    return host && host->stop(name, error);
}

bool Control::restartUpstream(const QString &name, QString *error)
{
    UpstreamHost *host = hostOf(name, error);
    return host && host->restart(name, error);
}

bool Control::setUpstreamEnabled(const QString &name, bool enabled, QString *error)
{
    UpstreamHost *host = hostOf(name, error);
    if (!host)
        return false;
    if (host->supervisor(name)->isEnabled() == enabled)
        return true;
    if (!m_switches.writeEnabled(name, enabled, error))
        return false;
    return host->setEnabled(name, enabled, error);
}

QStringList Control::upstreamLog(const QString &name, QString *error) const
{
    const UpstreamHost *host = hostOf(name, error);
    return host ? host->supervisor(name)->diagnosticLines() : QStringList();
}

QList<SessionInfo> Control::sessions() const
{
    QList<SessionInfo> infos;
    for (const McpSession *session : m_parts.sessions->all())
        infos.append(session->info());
    return infos;
}

bool Control::closeSession(const QString &idOrPrefix, QString *error)
{
    QList<McpSession *> matches;
    for (McpSession *session : m_parts.sessions->all()) {
        if (session->id() == idOrPrefix) {
            matches = {session};
            break;
        }
        if (!idOrPrefix.isEmpty() && session->id().startsWith(idOrPrefix))
            matches.append(session);
    }
    if (matches.size() != 1) {
        *error =
            matches.isEmpty()
                ? u"no session with id '%1' (see 'heartline ctl sessions list')"_s.arg(idOrPrefix)
                : u"'%1' matches %2 sessions; give more of the id"_s.arg(idOrPrefix)
                      .arg(matches.size());
        return false;
    }
    matches.first()->terminate(DisconnectCause::SessionDeleted,
                               u"closed by the user of this Heartline"_s);
    return true;
}

int Control::heartbeatInterval() const
{
    return m_parts.heartbeats->interval();
}

void Control::setHeartbeatInterval(int milliseconds)
{
    m_parts.heartbeats->setInterval(milliseconds);
    m_parts.monitor->reportHeartbeatInterval(m_parts.heartbeats->interval());
}

QList<StreamStats> Control::streamStats() const
{
    // Streams keep monotonic times (cheap, and immune to clock jumps); one conversion here.
    const qint64 wallOffset = Clock::wallMs() - Clock::monotonicMs();
    const auto wall = [wallOffset](qint64 monotonicMs) {
        return monotonicMs < 0 ? 0 : monotonicMs + wallOffset;
    };
    QList<StreamStats> stats;
    stats.reserve(m_parts.heartbeats->streamCount());
    m_parts.heartbeats->forEachStream([&](const SseStream *stream) {
        if (!stream->isOpen())
            return;
        const SseStreamStats &sent = stream->stats();
        StreamStats entry;
        entry.streamId = stream->id();
        entry.sessionId = stream->sessionId();
        entry.bytesQueued = stream->bytesQueued();
        entry.heartbeats = sent.heartbeats;
        entry.messagesOut = sent.messages;
        entry.lastWriteWallMs = wall(sent.lastWriteMonotonicMs);
        entry.lastHeartbeatWallMs = wall(sent.lastHeartbeatMonotonicMs);
        entry.lastMessageWallMs = wall(sent.lastMessageMonotonicMs);
        stats.push_back(entry);
    });
    return stats;
}

ServerConfig Control::settings() const
{
    ServerConfig config = m_parts.owner->config();
    // setHeartbeatInterval() changes the scheduler alone.
    config.heartbeatMs = m_parts.heartbeats->interval();
    return config;
}

bool Control::applySettings(const ServerConfig &config, QString *error)
{
    return m_parts.owner->applyConfig(config, error);
}

QJsonObject Control::status() const
{
    const MonitorSnapshot snapshot = m_parts.monitor->snapshot();
    return {{"endpoint"_L1, snapshot.endpoint},
            {"sessions"_L1, int(snapshot.sessions.size())},
            {"streams"_L1, int(snapshot.streams.size())},
            {"heartbeatMs"_L1, m_parts.heartbeats->interval()},
            {"heartbeatsSent"_L1, qint64(snapshot.counters.heartbeats)},
            {"eventsEvicted"_L1, qint64(snapshot.counters.eventsEvicted)},
            {"tools"_L1, int(m_parts.tools->entries().size())},
            {"toolsEnabled"_L1, int(m_parts.tools->enabledDefinitions().size())}};
}

} // namespace heartline
