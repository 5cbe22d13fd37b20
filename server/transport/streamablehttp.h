#pragma once

#include "server/protocol/wire/jsonrpc.h"
#include "server/qt64/httpexchange.h"
#include "server/session/servercontext.h"

#include <QObject>

class QHttpServerRequest;
class QHttpServerResponder;

namespace heartline {

class McpSession;
class SessionStore;

// The Streamable HTTP transport at /mcp (MCP 2025-03-26 and later): POST carries client
// messages, GET opens the session's standalone stream, DELETE ends the session. It resolves
// the session, checks the headers the spec asks about and turns bad input into the right
// HTTP status with a JSON-RPC error body; everything else is the session's business.
//
// Beside the sessions, the same endpoint serves MCP 2026-07-28 (stateless): a POST whose
// request claims a protocol version in params._meta, or whose MCP-Protocol-Version names a
// revision after 2025-11-25, is served on its own by a short-lived stateless session that no
// Mcp-Session-Id can reach, after its mirrored headers are checked against its body.
class StreamableHttp final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StreamableHttp)

public:
    StreamableHttp(const ServerContext &context, SessionStore *sessions, QObject *parent = nullptr);

    void handle(const QHttpServerRequest &request, QHttpServerResponder &&responder,
                const HttpHeaders &corsHeaders);

    static bool acceptsMediaType(const QByteArray &acceptHeader, const QByteArray &mediaType);
    static bool isJsonContentType(const QByteArray &contentType);

private:
    void handlePost(const QHttpServerRequest &request, QHttpServerResponder &responder,
                    const HttpHeaders &corsHeaders);
    void handleModernPost(const QHttpServerRequest &request, QHttpServerResponder &responder,
                          const HttpHeaders &corsHeaders, const JsonRpcBody &body,
                          const QByteArray &rawBody);
    // The inputSchema of the enabled tool a tools/call names (empty for anything else).
    QJsonObject calledToolSchema(const JsonRpcMessage &request) const;
    void handleGet(const QHttpServerRequest &request, QHttpServerResponder &responder,
                   const HttpHeaders &corsHeaders);
    void handleDelete(const QHttpServerRequest &request, QHttpServerResponder &responder,
                      const HttpHeaders &corsHeaders);

    // Resolves the Mcp-Session-Id of a request that needs one; answers 400/404 itself.
    McpSession *requireSession(const QHttpServerRequest &request, QHttpServerResponder &responder,
                               const HttpHeaders &corsHeaders);
    // Checks MCP-Protocol-Version; answers 400 itself when it names no revision we speak.
    bool checkProtocolVersionHeader(const QHttpServerRequest &request,
                                    QHttpServerResponder &responder,
                                    const HttpHeaders &corsHeaders);
    void reject(const QHttpServerRequest &request, QHttpServerResponder &responder,
                const HttpHeaders &corsHeaders, int status, JsonRpcCode code,
                const QString &message, const RequestId &id = {},
                const QJsonValue &data = QJsonValue::Undefined);

    ServerContext m_context;
    SessionStore *m_sessions;
};

} // namespace heartline
