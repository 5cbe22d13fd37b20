#pragma once

#include "server/api/disconnectcause.h"
#include "server/api/streamkind.h"
#include "server/api/upstreamstate.h"

#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>

namespace heartline {

// Small value types that cross the Monitor boundary. They never point into the server, so a
// model or a log line can keep them as long as it likes.

// StreamableHttpStateless: one MCP 2026-07-28 request on /mcp, served without a session; it
// shows as a "session" for as long as its request (or its subscriptions/listen stream) runs.
enum class TransportKind { StreamableHttp, LegacySse, StreamableHttpStateless };
QString transportKindName(TransportKind kind);

struct SessionInfo
{
    QString id;
    TransportKind transport = TransportKind::StreamableHttp;
    QString revision;
    QString clientName;
    QString clientVersion;
    QString peer;
    qint64 openedWallMs = 0;
    bool initialized = false;
    qint64 pingRttMs = -1; // round trip of the last answered server ping; -1 before one
};

struct StreamInfo
{
    QString id;
    QString sessionId;
    StreamKind kind = StreamKind::PostResponse;
    QString peer;
    qint64 openedWallMs = 0;
    bool resumed = false; // opened by a GET with Last-Event-ID, continuing an earlier stream
    // A POST's response stream: the JSON-RPC ids (display form) of the requests it answers,
    // so a view can put a tool call on the stream that carries it.
    QStringList requestIds;
};

// What a stream is doing right now, polled by the window on its tick (never pushed per write).
struct StreamStats
{
    QString streamId;
    QString sessionId;
    qint64 bytesQueued = 0; // written by us, not yet taken by the client's socket
    quint64 heartbeats = 0;
    quint64 messagesOut = 0;
    qint64 lastWriteWallMs = 0;     // any bytes, heartbeats included
    qint64 lastHeartbeatWallMs = 0; // 0 before the first
    qint64 lastMessageWallMs = 0;   // 0 before the first message
};

struct HeartbeatEvent
{
    QString streamId;
    QString sessionId;
    quint64 sequence = 0;
    qint64 wallMs = 0;
};

// The traffic view shows message bodies; beyond this they are cut (and marked so).
constexpr int kTrafficBodyLimit = 16 * 1024;

struct MessageEvent
{
    enum class Direction { In, Out };

    QString sessionId;
    QString streamId; // empty for messages answered as plain JSON
    Direction direction = Direction::In;
    QString method; // empty for responses
    QString id;     // display form of the JSON-RPC id, empty for notifications
    qint64 bytes = 0;
    qint64 latencyMs = -1; // responses only
    qint64 wallMs = 0;
    QByteArray body;            // the JSON text, at most kTrafficBodyLimit bytes
    bool bodyTruncated = false; // the message was longer than body
};

struct ToolEvent
{
    enum class Change { Registered, Unregistered, Enabled, Disabled };

    QString name;
    Change change = Change::Registered;
    qint64 wallMs = 0;
    // The first generation of the tool list that includes this change: a session that has
    // seen this generation (ToolsListSeenEvent) has the change.
    quint64 generation = 0;
};

// A session's client received a tools/list result, served from this generation of the tool
// list. Reported by the protocol session itself, so nobody has to read traffic to learn it.
struct ToolsListSeenEvent
{
    QString sessionId;
    quint64 generation = 0;
    qint64 wallMs = 0;
};

struct DisconnectEvent
{
    QString sessionId;
    QString streamId; // empty when a whole session or a rejected request ended
    QString clientName;
    QString peer;
    DisconnectCause cause = DisconnectCause::ClientClosed;
    QString detail;
    qint64 durationMs = 0;
    quint64 bytes = 0;
    quint64 heartbeats = 0;
    qint64 sinceLastWriteMs = -1;
    qint64 wallMs = 0;
};

struct StreamClosedEvent
{
    StreamInfo stream;
    bool completed = false;
    quint64 heartbeats = 0;
    quint64 events = 0;
    quint64 bytes = 0;
    qint64 wallMs = 0;
};

enum class ToolCallOutcome { Ok, ToolError, ProtocolError, Cancelled };
// The machine name ("ok", "tool_error", "protocol_error", "cancelled"): the outcome label of
// /metrics and the key of MonitorCounters::toolCalls, so it never changes and is never
// translated.
QString toolCallOutcomeName(ToolCallOutcome outcome);

struct ToolCallRecord
{
    QString tool;
    ToolCallOutcome outcome = ToolCallOutcome::Ok;
    qint64 latencyMs = 0;
    QString sessionId;
    qint64 wallMs = 0;
    QString requestId; // display form of the tools/call's JSON-RPC id
};

// A tools/call of a registered tool began; its ToolCallRecord (same session and request id)
// says when it ended. `server` names the upstream server a forwarded call goes to, and is
// empty for Heartline's own tools.
struct ToolCallStartedEvent
{
    QString sessionId;
    QString requestId;
    QString tool;
    QString server;
    qint64 wallMs = 0;
};

// Where one upstream server stands now. The Monitor keeps the latest of each configured server
// in its snapshot, so a late subscriber (the Servers panel, /readyz) sees every server.
struct UpstreamStatus
{
    QString server;
    UpstreamState state = UpstreamState::Stopped;
    QString label;     // upstreamStateLabel(state), translated, for people
    QString lastError; // why it last failed; empty while all is well
    // A disabled server is never expected to be ready: /readyz leaves it out.
    bool enabled = true;
    qint64 wallMs = 0;
};

// A crashed upstream will be started again after delayMs; attempt counts from 1.
struct UpstreamRestartEvent
{
    QString server;
    int attempt = 0;
    int delayMs = 0;
    qint64 wallMs = 0;
};

// A server's lists were fetched (after it became ready, or on its list_changed). -1: unknown.
struct UpstreamListEvent
{
    QString server;
    int tools = 0; // published, i.e. not switched off in disabledTools
    int prompts = -1;
    int resources = -1;
    qint64 wallMs = 0;
};

// One line of an upstream's stderr (or its transport's diagnostics). Never kept by the
// Monitor: the supervisor holds the bounded ring.
struct UpstreamDiagnosticEvent
{
    QString server;
    QString line;
    qint64 wallMs = 0;
};

// How a forwarded call ended: answered with a result, answered with isError, or not answered
// at all (a timeout, the server gone or not ready, a JSON-RPC error), or cancelled by the client.
enum class UpstreamCallOutcome { Ok, ToolError, Failed, Cancelled };
// The machine name ("ok", "tool_error", "failed", "cancelled"): the outcome label of /metrics
// and the key of MonitorCounters::upstreamCalls; never changed, never translated.
QString upstreamCallOutcomeName(UpstreamCallOutcome outcome);
QList<UpstreamCallOutcome> allUpstreamCallOutcomes();

struct UpstreamCallRecord
{
    QString server;
    QString upstreamTool;
    QString exposedName; // as the clients know it; empty when no longer known
    UpstreamCallOutcome outcome = UpstreamCallOutcome::Ok;
    qint64 latencyUs = 0;
    qint64 wallMs = 0;
};

// A notifications/message from an upstream that no single call owns.
struct UpstreamLogEvent
{
    QString server;
    QString level;  // the MCP level name ("warning")
    QString logger; // the server's name, then the upstream's own logger if it gave one
    QString text;   // the message's data: a string as it is, anything else as compact JSON
    qint64 wallMs = 0;
};

// Something an upstream did that Heartline survived or refused (unknown ids, a clash of
// names, a request no session could be meant for), for the log.
struct UpstreamProblemEvent
{
    QString server;
    QString message;
    qint64 wallMs = 0;
};

} // namespace heartline

Q_DECLARE_METATYPE(heartline::SessionInfo)
Q_DECLARE_METATYPE(heartline::StreamInfo)
Q_DECLARE_METATYPE(heartline::HeartbeatEvent)
Q_DECLARE_METATYPE(heartline::MessageEvent)
Q_DECLARE_METATYPE(heartline::ToolEvent)
Q_DECLARE_METATYPE(heartline::ToolsListSeenEvent)
Q_DECLARE_METATYPE(heartline::DisconnectEvent)
Q_DECLARE_METATYPE(heartline::StreamClosedEvent)
Q_DECLARE_METATYPE(heartline::StreamStats)
Q_DECLARE_METATYPE(heartline::ToolCallRecord)
Q_DECLARE_METATYPE(heartline::ToolCallStartedEvent)
Q_DECLARE_METATYPE(heartline::UpstreamStatus)
Q_DECLARE_METATYPE(heartline::UpstreamRestartEvent)
Q_DECLARE_METATYPE(heartline::UpstreamListEvent)
Q_DECLARE_METATYPE(heartline::UpstreamDiagnosticEvent)
Q_DECLARE_METATYPE(heartline::UpstreamCallRecord)
Q_DECLARE_METATYPE(heartline::UpstreamLogEvent)
Q_DECLARE_METATYPE(heartline::UpstreamProblemEvent)
