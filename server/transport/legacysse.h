#pragma once

#include "server/protocol/wire/jsonrpc.h"
#include "server/qt64/httpexchange.h"
#include "server/session/servercontext.h"

#include <QObject>

class QHttpServerRequest;
class QHttpServerResponder;

namespace heartline {

class SessionStore;

// The HTTP+SSE transport of MCP 2024-11-05, still spoken by older SDKs, bridges and hubs:
// GET /sse opens the session's only stream and names, in an `endpoint` event, where the
// client POSTs its messages; every answer travels on that stream as `event: message`. The
// session lives exactly as long as the stream.
class LegacySse final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LegacySse)

public:
    static constexpr auto kMessagesPath = "/messages";

    LegacySse(const ServerContext &context, SessionStore *sessions, QObject *parent = nullptr);

    void handleStream(const QHttpServerRequest &request, QHttpServerResponder &&responder,
                      const HttpHeaders &corsHeaders);
    void handleMessage(const QHttpServerRequest &request, QHttpServerResponder &&responder,
                       const HttpHeaders &corsHeaders);

private:
    void reject(const QHttpServerRequest &request, QHttpServerResponder &responder,
                const HttpHeaders &corsHeaders, int status, JsonRpcCode code,
                const QString &message, const HttpHeaders &extraHeaders = {});

    ServerContext m_context;
    SessionStore *m_sessions;
};

} // namespace heartline
