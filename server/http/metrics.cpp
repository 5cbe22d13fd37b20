#include "server/http/metrics.h"

namespace heartline::Metrics {
namespace {

QByteArray labelValue(const QString &value)
{
    QByteArray escaped = value.toUtf8();
    escaped.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n");
    return escaped;
}

void family(QByteArray &out, const char *name, const char *type, const char *help)
{
    out += QByteArray("# HELP ") + name + ' ' + help + "\n# TYPE " + name + ' ' + type + '\n';
}

void sampleText(QByteArray &out, const char *name, const QByteArray &value,
                const QByteArray &labels)
{
    out += name;
    if (!labels.isEmpty())
        out += '{' + labels + '}';
    out += ' ' + value + '\n';
}

void sample(QByteArray &out, const char *name, quint64 value, const QByteArray &labels = {})
{
    sampleText(out, name, QByteArray::number(value), labels);
}

QByteArray serverLabel(const QString &server)
{
    return "server=\"" + labelValue(server) + '"';
}

QByteArray seconds(qint64 microseconds)
{
    return QByteArray::number(double(microseconds) / 1e6, 'f', 6);
}

// The `le` label of a bucket: its bound in seconds, as short as it is exact ("0.005", "2.5").
QByteArray bucketBound(qint64 microseconds)
{
    return QByteArray::number(double(microseconds) / 1e6, 'g', 12);
}

// Every server configured now, then any that left the config but still has counts, so a
// series once exposed does not vanish while Heartline runs.
QStringList upstreamServers(const MonitorSnapshot &snapshot)
{
    QStringList servers;
    for (const UpstreamStatus &status : snapshot.upstreams)
        servers.append(status.server);
    auto addCounted = [&servers](const QString &server) {
        if (!servers.contains(server))
            servers.append(server);
    };
    const MonitorCounters &counters = snapshot.counters;
    for (auto it = counters.upstreamRestarts.cbegin(); it != counters.upstreamRestarts.cend(); ++it)
        addCounted(it.key());
    for (auto it = counters.upstreamCalls.cbegin(); it != counters.upstreamCalls.cend(); ++it)
        addCounted(it.key().first);
    return servers;
}

void renderUpstreams(QByteArray &out, const MonitorSnapshot &snapshot)
{
    const MonitorCounters &counters = snapshot.counters;
    const QStringList servers = upstreamServers(snapshot);

    family(out, "heartline_upstream_up", "gauge",
           "1 when the upstream MCP server is ready, else 0; every configured server.");
    for (const UpstreamStatus &status : snapshot.upstreams)
        sample(out, "heartline_upstream_up", quint64(status.state == UpstreamState::Ready ? 1 : 0),
               serverLabel(status.server));

    family(out, "heartline_upstream_restarts_total", "counter",
           "Restarts of an upstream MCP server scheduled after it crashed.");
    for (const QString &server : servers)
        sample(out, "heartline_upstream_restarts_total", counters.upstreamRestarts.value(server),
               serverLabel(server));

    family(out, "heartline_upstream_calls_total", "counter",
           "Tool calls forwarded to an upstream MCP server, by outcome.");
    for (const QString &server : servers) {
        for (UpstreamCallOutcome outcome : allUpstreamCallOutcomes()) {
            const QString name = upstreamCallOutcomeName(outcome);
            sample(out, "heartline_upstream_calls_total",
                   counters.upstreamCalls.value({server, name}),
                   serverLabel(server) + ",outcome=\"" + labelValue(name) + '"');
        }
    }

    family(out, "heartline_upstream_call_duration_seconds", "histogram",
           "Time from forwarding a tool call to its end, per upstream MCP server.");
    for (const QString &server : servers) {
        const LatencyHistogram histogram = counters.upstreamCallLatency.value(server);
        const QByteArray label = serverLabel(server);
        for (std::size_t i = 0; i < LatencyHistogram::kBoundsUs.size(); ++i)
            sample(out, "heartline_upstream_call_duration_seconds_bucket", histogram.cumulative[i],
                   label + ",le=\"" + bucketBound(LatencyHistogram::kBoundsUs[i]) + '"');
        sample(out, "heartline_upstream_call_duration_seconds_bucket", histogram.count,
               label + ",le=\"+Inf\"");
        sampleText(out, "heartline_upstream_call_duration_seconds_sum", seconds(histogram.sumUs),
                   label);
        sample(out, "heartline_upstream_call_duration_seconds_count", histogram.count, label);
    }
}

} // namespace

QByteArray render(const MonitorSnapshot &snapshot, int toolCount, int enabledToolCount)
{
    QByteArray out;
    family(out, "heartline_sessions", "gauge", "Live MCP sessions.");
    sample(out, "heartline_sessions", quint64(snapshot.sessions.size()));
    family(out, "heartline_sessions_opened_total", "counter", "Sessions opened since start.");
    sample(out, "heartline_sessions_opened_total", snapshot.counters.sessionsOpened);
    family(out, "heartline_streams", "gauge", "Open SSE streams.");
    sample(out, "heartline_streams", quint64(snapshot.streams.size()));
    family(out, "heartline_streams_opened_total", "counter", "SSE streams opened since start.");
    sample(out, "heartline_streams_opened_total", snapshot.counters.streamsOpened);
    family(out, "heartline_streams_closed_total", "counter",
           "SSE streams ended since start: their response completed, or disconnected (each of "
           "those also counted in heartline_disconnects_total by cause).");
    sample(out, "heartline_streams_closed_total", snapshot.counters.streamsCompleted,
           "outcome=\"completed\"");
    sample(out, "heartline_streams_closed_total", snapshot.counters.streamsDisconnected,
           "outcome=\"disconnected\"");
    family(out, "heartline_heartbeats_total", "counter", "Heartbeat comments written.");
    sample(out, "heartline_heartbeats_total", snapshot.counters.heartbeats);
    family(out, "heartline_heartbeat_interval_milliseconds", "gauge",
           "Configured heartbeat interval (0 = off).");
    sample(out, "heartline_heartbeat_interval_milliseconds",
           quint64(qMax(0, snapshot.heartbeatIntervalMs)));
    family(out, "heartline_messages_total", "counter", "JSON-RPC messages by direction.");
    sample(out, "heartline_messages_total", snapshot.counters.messagesIn, "direction=\"in\"");
    sample(out, "heartline_messages_total", snapshot.counters.messagesOut, "direction=\"out\"");
    family(out, "heartline_events_evicted_total", "counter",
           "Events dropped from session event logs; resuming past them is refused.");
    sample(out, "heartline_events_evicted_total", snapshot.counters.eventsEvicted);
    family(out, "heartline_disconnects_total", "counter",
           "Ended connections and rejected requests by cause.");
    for (DisconnectCause cause : DisconnectCauses::all()) {
        const QString name = DisconnectCauses::name(cause);
        sample(out, "heartline_disconnects_total", snapshot.counters.disconnectsByCause.value(name),
               "cause=\"" + labelValue(name) + '"');
    }
    family(out, "heartline_tool_calls_total", "counter",
           "tools/call requests by tool and outcome.");
    for (auto it = snapshot.counters.toolCalls.cbegin(); it != snapshot.counters.toolCalls.cend();
         ++it)
        sample(out, "heartline_tool_calls_total", it.value(),
               "tool=\"" + labelValue(it.key().first) + "\",outcome=\""
                   + labelValue(it.key().second) + '"');
    family(out, "heartline_tools", "gauge", "Registered tools.");
    sample(out, "heartline_tools", quint64(toolCount), "state=\"registered\"");
    sample(out, "heartline_tools", quint64(enabledToolCount), "state=\"enabled\"");
    renderUpstreams(out, snapshot);
    return out;
}

} // namespace heartline::Metrics
