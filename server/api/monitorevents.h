#pragma once

#include "server/api/disconnectcause.h"
#include "server/api/streamkind.h"

#include <QList>
#include <QMetaType>
#include <QString>

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
