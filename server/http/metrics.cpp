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

void sample(QByteArray &out, const char *name, quint64 value, const QByteArray &labels = {})
{
    out += name;
    if (!labels.isEmpty())
        out += '{' + labels + '}';
    out += ' ' + QByteArray::number(value) + '\n';
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
    return out;
}

} // namespace heartline::Metrics
