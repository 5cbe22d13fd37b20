#pragma once

#include "server/protocol/wire/jsonrpc.h"

#include <QByteArray>
#include <QJsonObject>
#include <QLatin1StringView>
#include <QList>
#include <QPair>
#include <QString>

namespace heartline {

// The HTTP side of MCP 2026-07-28 requests (Streamable HTTP, "Request Metadata"): telling a
// modern request from a session-based one, and checking that the headers an intermediary may
// route on (MCP-Protocol-Version, Mcp-Method, Mcp-Name, Mcp-Param-{Name}) say what the body
// says. Pure functions over a parsed body and a header list, so every rule is testable here.
namespace RequestMetadata {

// Header fields as the HTTP server hands them over: names in any case, values raw.
using Headers = QList<QPair<QByteArray, QByteArray>>;

inline constexpr QLatin1StringView kProtocolVersionKey{"io.modelcontextprotocol/protocolVersion"};
inline constexpr QLatin1StringView kClientCapabilitiesKey{
    "io.modelcontextprotocol/clientCapabilities"};
inline constexpr QLatin1StringView kClientInfoKey{"io.modelcontextprotocol/clientInfo"};
inline constexpr QLatin1StringView kLogLevelKey{"io.modelcontextprotocol/logLevel"};

// Whether a revision name belongs to the era after sessions: a date-shaped name later than
// 2025-11-25, the last revision with initialize (2026-07-28 itself, or one we do not know yet).
bool isModernVersion(const QString &version);

// params._meta of a message (empty when there is none).
QJsonObject meta(const JsonRpcMessage &message);

// Whether a POST is modern traffic: one of its messages claims a protocol version in
// params._meta, or its MCP-Protocol-Version header names a modern revision. `body` may be a
// batch (a modern batch is then refused as one) or may have failed to parse.
bool isModern(const JsonRpcBody &body, const QByteArray &protocolVersionHeader);

// A header value with the `=?base64?...?=` sentinel decoded (Mcp-Name and Mcp-Param-*).
// False, with `problem` saying why, when the value holds characters a header value may not
// (RFC 9110: visible ASCII, space, tab), or the sentinel wraps invalid base64 or UTF-8.
bool decodeHeaderValue(const QByteArray &raw, QString *value, QString *problem);

// Checks the standard headers of a modern request and, for tools/call, the Mcp-Param-{Name}
// headers of the parameters `toolInputSchema` marks with x-mcp-header. Returns an empty
// string when they agree with the body, else the message of a HeaderMismatch (-32020) error.
// A request whose _meta is itself at fault (no protocolVersion or clientCapabilities, or a
// version we do not serve) passes unchecked beyond the version header: the session answers
// it with the error the body deserves (-32602, -32022), which comes first in the spec's order.
QString headerMismatch(const JsonRpcMessage &request, const Headers &headers,
                       const QJsonObject &toolInputSchema = {});

// The Mcp-Param-{Name} headers a tool's inputSchema declares: the header name and the chain of
// `properties` keys leading to the annotated parameter. Annotations a client may not honour
// (below items, composition or $ref; empty or non-token names) are not declarations.
struct ParamHeader
{
    QString name;
    QStringList path;
};
QList<ParamHeader> paramHeaders(const QJsonObject &inputSchema);

// The HTTP status of a modern request answered with `code` before any streaming began.
int httpStatusFor(int jsonRpcCode);

} // namespace RequestMetadata
} // namespace heartline
