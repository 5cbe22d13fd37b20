#include "server/transport/legacysse.h"

#include "server/session/mcpsession.h"
#include "server/session/sessionstore.h"
#include "server/stream/ssestream.h"
#include "server/transport/streamablehttp.h"

#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QLoggingCategory>
#include <QUrl>
#include <QUrlQuery>

using namespace Qt::StringLiterals;

namespace heartline {

Q_LOGGING_CATEGORY(lcLegacy, "heartline.server.legacy")

LegacySse::LegacySse(const ServerContext &context, SessionStore *sessions, QObject *parent)
    : QObject(parent)
    , m_context(context)
    , m_sessions(sessions)
{}

void LegacySse::reject(const QHttpServerRequest &request, QHttpServerResponder &responder,
                       const HttpHeaders &corsHeaders, int status, JsonRpcCode code,
                       const QString &message, const HttpHeaders &extraHeaders)
{
    qCWarning(lcLegacy).noquote() << "rejected" << request.url().path() << "from"
                                  << request.remoteAddress().toString() << "with" << status << "-"
                                  << message;
    HttpHeaders headers = corsHeaders + extraHeaders;
    headers.push_back({"Content-Type", "application/json"});
    HttpExchange::reply(responder,
                        {status, headers, JsonRpc::serialize(JsonRpc::error({}, code, message))});
}

void LegacySse::handleStream(const QHttpServerRequest &request, QHttpServerResponder &&responder,
                             const HttpHeaders &corsHeaders)
{
    if (request.method() != QHttpServerRequest::Method::Get) {
        reject(request, responder, corsHeaders, 405, JsonRpcCode::ServerError,
               u"Method Not Allowed: /sse opens an event stream with GET; messages go to "
               "/messages"_s,
               {{"Allow", "GET, OPTIONS"}});
        return;
    }
    const QByteArray accept = request.value("Accept");
    if (!accept.isEmpty() && !StreamableHttp::acceptsMediaType(accept, "text/event-stream")) {
        reject(request, responder, corsHeaders, 406, JsonRpcCode::ServerError,
               u"Not Acceptable: /sse answers with text/event-stream"_s);
        return;
    }

    McpSession *session =
        m_sessions->create(TransportKind::LegacySse, request.remoteAddress().toString());
    auto *stream =
        new SseStream(session->newStreamId(StreamKind::Legacy), session->id(), StreamKind::Legacy,
                      std::make_unique<HttpExchange>(std::move(responder)), session);
    if (!stream->open(corsHeaders)) {
        session->terminate(DisconnectCause::ClientClosed,
                           u"the client left before its stream opened"_s);
        return;
    }
    session->adoptStream(stream);
    // Relative, so it resolves against the URL the client used (through any proxy), and
    // same-origin, which the SDK clients insist on.
    SseEvent endpoint;
    endpoint.event = "endpoint";
    endpoint.data = QByteArray(kMessagesPath) + "?sessionId=" + session->id().toLatin1();
    // A client that could only authenticate with ?token= (it cannot set headers) needs it on
    // the messages URL too; it sent the token itself, so nobody new learns it here.
    const QString token = QUrlQuery(request.url()).queryItemValue(u"token"_s, QUrl::FullyDecoded);
    if (m_context.config->allowTokenInQuery && !token.isEmpty())
        endpoint.data += "&token=" + QUrl::toPercentEncoding(token);
    stream->sendEvent(endpoint);
    session->attachStandaloneStream(stream);
}

void LegacySse::handleMessage(const QHttpServerRequest &request, QHttpServerResponder &&responder,
                              const HttpHeaders &corsHeaders)
{
    if (request.method() != QHttpServerRequest::Method::Post) {
        reject(request, responder, corsHeaders, 405, JsonRpcCode::ServerError,
               u"Method Not Allowed: /messages takes POST"_s, {{"Allow", "POST, OPTIONS"}});
        return;
    }
    const QString id = QUrlQuery(request.url()).queryItemValue(u"sessionId"_s);
    if (id.isEmpty()) {
        reject(request, responder, corsHeaders, 400, JsonRpcCode::ServerError,
               u"Bad Request: the sessionId query parameter is required; open /sse to get "
               "one"_s);
        return;
    }
    McpSession *session = m_sessions->find(id);
    if (!session || session->isTerminated()) {
        reject(request, responder, corsHeaders, 404, JsonRpcCode::SessionNotFound,
               u"Session not found: its stream ended or it never existed; open /sse again"_s);
        return;
    }
    if (session->info().transport != TransportKind::LegacySse) {
        reject(request, responder, corsHeaders, 400, JsonRpcCode::ServerError,
               u"Bad Request: session exists but uses the Streamable HTTP transport at /mcp"_s);
        return;
    }
    if (!StreamableHttp::isJsonContentType(request.value("Content-Type"))) {
        reject(request, responder, corsHeaders, 415, JsonRpcCode::ServerError,
               u"Unsupported Media Type: Content-Type must be application/json"_s);
        return;
    }
    const QByteArray rawBody = request.body();
    const JsonRpcBody body = JsonRpc::parseBody(rawBody);
    if (!body.problems.isEmpty()) {
        const JsonRpcProblem &problem = body.problems.first();
        reject(request, responder, corsHeaders, 400, problem.code, problem.message);
        return;
    }
    if (body.isBatch) {
        reject(request, responder, corsHeaders, 400, JsonRpcCode::InvalidRequest,
               u"Invalid Request: the HTTP+SSE transport takes one message per POST"_s);
        return;
    }

    const JsonRpcMessage &message = body.messages.first();
    session->touch();
    session->reportIncoming(message, rawBody);
    HttpHeaders headers = corsHeaders;
    headers.push_back({"Content-Type", "text/plain; charset=utf-8"});
    HttpExchange::reply(responder, {202, headers, "Accepted"});
    // Whatever the session answers goes on the session's stream.
    session->protocol()->receive(message);
}

} // namespace heartline
