#include "server/core/control.h"

#include "server/api/clock.h"
#include "server/api/monitor.h"
#include "server/protocol/catalog/toolregistry.h"
#include "server/session/mcpsession.h"
#include "server/session/sessionstore.h"
#include "server/stream/heartbeatscheduler.h"
#include "server/stream/ssestream.h"

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
    for (const ToolEntry &entry : entries)
        infos.push_back({entry.definition.name, entry.definition.title,
                         entry.definition.description, entry.source, entry.enabled});
    return infos;
}

bool Control::setToolEnabled(const QString &name, bool enabled, QString *error)
{
    if (m_parts.tools->setEnabled(name, enabled))
        return true;
    *error = u"no tool named '%1' (see 'heartline ctl tools list')"_s.arg(name);
    return false;
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
