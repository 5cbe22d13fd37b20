#pragma once

#include "httpexchange.h"
#include "jsonrpc.h"
#include "servercontext.h"

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
                const QString &message, const RequestId &id = {});

    ServerContext m_context;
    SessionStore *m_sessions;
};

} // namespace heartline
