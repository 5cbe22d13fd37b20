#include "server/transport/streamablehttp.h"

#include "server/protocol/catalog/toolregistry.h"
#include "server/protocol/session/requestmetadata.h"
#include "server/session/mcpsession.h"
#include "server/session/sessionstore.h"
#include "server/stream/postreply.h"
#include "server/stream/ssestream.h"

#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QJsonArray>
#include <QLoggingCategory>

#include <unordered_set>

using namespace Qt::StringLiterals;

namespace heartline {

Q_LOGGING_CATEGORY(lcStreamable, "heartline.server.mcp")

namespace {

// Calls `matches` with each item of a `separator`-separated header list, trimmed, until one
// matches.
template<typename Predicate>
bool anyListItem(QByteArrayView list, char separator, Predicate matches)
{
    for (;;) {
        const qsizetype end = list.indexOf(separator);
        if (matches((end < 0 ? list : list.first(end)).trimmed()))
            return true;
        if (end < 0)
            return false;
        list = list.sliced(end + 1);
    }
}

// Header names made once: QHttpServerRequest::value() takes a QByteArray, and one built from a
// C string for every lookup allocated.
const QByteArray kAccept = QByteArrayLiteral("Accept");
const QByteArray kContentType = QByteArrayLiteral("Content-Type");
const QByteArray kProtocolVersion = QByteArrayLiteral("MCP-Protocol-Version");
const QByteArray kSessionId = QByteArrayLiteral("Mcp-Session-Id");
const QByteArray kLastEventId = QByteArrayLiteral("Last-Event-ID");

QByteArrayView mediaTypeOf(QByteArrayView value)
{
    const qsizetype semicolon = value.indexOf(';');
    return (semicolon < 0 ? value : value.first(semicolon)).trimmed();
}

} // namespace

StreamableHttp::StreamableHttp(const ServerContext &context, SessionStore *sessions,
                               QObject *parent)
    : QObject(parent)
    , m_context(context)
    , m_sessions(sessions)
{}

bool StreamableHttp::acceptsMediaType(const QByteArray &acceptHeader, const QByteArray &mediaType)
{
    // Read in place, every POST and GET: splitting into lists of byte arrays cost more than the
    // rest of the header checks together.
    const QByteArrayView wanted(mediaType);
    const QByteArrayView type = wanted.first(qMax<qsizetype>(0, wanted.indexOf('/')));
    const auto sameText = [](QByteArrayView a, QByteArrayView b) {
        return a.compare(b, Qt::CaseInsensitive) == 0;
    };
    return anyListItem(acceptHeader, ',', [&](QByteArrayView range) {
        const qsizetype semicolon = range.indexOf(';');
        const QByteArrayView candidate = (semicolon < 0 ? range : range.first(semicolon)).trimmed();
        // q=0 means "not acceptable".
        const bool refused =
            semicolon >= 0
            && anyListItem(range.sliced(semicolon + 1), ';', [&](QByteArrayView parameter) {
                   return parameter.size() >= 2 && sameText(parameter.first(2), "q=")
                          && parameter.sliced(2).toDouble() <= 0.0;
               });
        if (refused)
            return false;
        return sameText(candidate, wanted) || candidate == "*/*"
               || (candidate.size() == type.size() + 2 && candidate.endsWith("/*")
                   && sameText(candidate.first(type.size()), type));
    });
}

bool StreamableHttp::isJsonContentType(const QByteArray &contentType)
{
    return mediaTypeOf(contentType).compare("application/json", Qt::CaseInsensitive) == 0;
}

void StreamableHttp::handle(const QHttpServerRequest &request, QHttpServerResponder &&responder,
                            const HttpHeaders &corsHeaders)
{
    switch (request.method()) {
    case QHttpServerRequest::Method::Post:
        handlePost(request, responder, corsHeaders);
        return;
    case QHttpServerRequest::Method::Get:
        handleGet(request, responder, corsHeaders);
        return;
    case QHttpServerRequest::Method::Delete:
        handleDelete(request, responder, corsHeaders);
        return;
    default:
        break;
    }
    HttpHeaders headers = corsHeaders;
    headers.push_back({"Allow", "GET, POST, DELETE, OPTIONS"});
    headers.push_back({"Content-Type", "application/json"});
    HttpExchange::reply(responder,
                        {405, headers,
                         JsonRpc::serialize(JsonRpc::error(
                             {}, JsonRpcCode::ServerError,
                             u"Method Not Allowed: /mcp takes GET, POST, DELETE and OPTIONS"_s))});
}

void StreamableHttp::reject(const QHttpServerRequest &request, QHttpServerResponder &responder,
                            const HttpHeaders &corsHeaders, int status, JsonRpcCode code,
                            const QString &message, const RequestId &id, const QJsonValue &data)
{
    qCWarning(lcStreamable).noquote()
        << "rejected" << request.url().path() << "from" << request.remoteAddress().toString()
        << "with" << status << "-" << message;
    HttpHeaders headers = corsHeaders;
    headers.push_back({"Content-Type", "application/json"});
    HttpExchange::reply(
        responder, {status, headers, JsonRpc::serialize(JsonRpc::error(id, code, message, data))});
}

bool StreamableHttp::checkProtocolVersionHeader(const QHttpServerRequest &request,
                                                QHttpServerResponder &responder,
                                                const HttpHeaders &corsHeaders)
{
    const QByteArray header = request.value(kProtocolVersion);
    Revision revision;
    if (header.isEmpty() || Revisions::parse(QString::fromUtf8(header), &revision))
        return true;
    reject(request, responder, corsHeaders, 400, JsonRpcCode::ServerError,
           u"Bad Request: unsupported MCP-Protocol-Version '%1' (supported: %2)"_s.arg(
               QString::fromUtf8(header), Revisions::supportedNames().join(u", "_s)));
    return false;
}

McpSession *StreamableHttp::requireSession(const QHttpServerRequest &request,
                                           QHttpServerResponder &responder,
                                           const HttpHeaders &corsHeaders)
{
    const QByteArray id = request.value(kSessionId);
    if (id.isEmpty()) {
        reject(request, responder, corsHeaders, 400, JsonRpcCode::ServerError,
               u"Bad Request: the Mcp-Session-Id header is required; send initialize first "
               "to get a session"_s);
        return nullptr;
    }
    McpSession *session = m_sessions->find(QString::fromLatin1(id));
    if (session && session->info().transport != TransportKind::StreamableHttp) {
        reject(request, responder, corsHeaders, 400, JsonRpcCode::ServerError,
               u"Bad Request: session exists but uses the HTTP+SSE transport at /sse"_s);
        return nullptr;
    }
    if (!session || session->isTerminated()) {
        // 404, never 400: it tells the client to start over with a fresh initialize.
        reject(request, responder, corsHeaders, 404, JsonRpcCode::SessionNotFound,
               u"Session not found: it ended or never existed; initialize a new session"_s);
        return nullptr;
    }
    return session;
}

void StreamableHttp::handlePost(const QHttpServerRequest &request, QHttpServerResponder &responder,
                                const HttpHeaders &corsHeaders)
{
    const QByteArray accept = request.value(kAccept);
    if (!acceptsMediaType(accept, "application/json")
        || !acceptsMediaType(accept, "text/event-stream")) {
        reject(request, responder, corsHeaders, 406, JsonRpcCode::ServerError,
               u"Not Acceptable: the client must accept both application/json and "
               "text/event-stream"_s);
        return;
    }
    if (!isJsonContentType(request.value(kContentType))) {
        reject(request, responder, corsHeaders, 415, JsonRpcCode::ServerError,
               u"Unsupported Media Type: Content-Type must be application/json"_s);
        return;
    }

    const QByteArray rawBody = request.body();
    const JsonRpcBody body = JsonRpc::parseBody(rawBody);
    if (RequestMetadata::isModern(body, request.value(kProtocolVersion))) {
        handleModernPost(request, responder, corsHeaders, body, rawBody);
        return;
    }

    if (!checkProtocolVersionHeader(request, responder, corsHeaders))
        return;
    if (!body.problems.isEmpty()) {
        const JsonRpcProblem &problem = body.problems.first();
        reject(request, responder, corsHeaders, 400, problem.code, problem.message, problem.id);
        return;
    }

    bool initializes = false;
    for (const JsonRpcMessage &message : body.messages)
        initializes = initializes || (message.isRequest() && message.method == "initialize"_L1);

    McpSession *session = nullptr;
    HttpHeaders headers = corsHeaders;
    if (initializes) {
        if (body.isBatch) {
            reject(request, responder, corsHeaders, 400, JsonRpcCode::InvalidRequest,
                   u"Invalid Request: initialize must not be part of a JSON-RPC batch"_s);
            return;
        }
        if (!request.value(kSessionId).isEmpty()) {
            reject(request, responder, corsHeaders, 400, JsonRpcCode::InvalidRequest,
                   u"Invalid Request: initialize starts a new session and must not carry "
                   "Mcp-Session-Id"_s,
                   body.messages.first().id);
            return;
        }
        session =
            m_sessions->create(TransportKind::StreamableHttp, request.remoteAddress().toString());
        headers.push_back({"Mcp-Session-Id", session->id().toLatin1()});
    } else {
        session = requireSession(request, responder, corsHeaders);
        if (!session)
            return;
        const RevisionTraits &traits = Revisions::traits(session->protocol()->revision());
        if (body.isBatch && !traits.acceptsBatches) {
            reject(request, responder, corsHeaders, 400, JsonRpcCode::InvalidRequest,
                   u"Invalid Request: JSON-RPC batches are accepted only in protocol revision "
                   "2025-03-26; this session uses %1"_s.arg(QString::fromLatin1(traits.name)));
            return;
        }
    }

    QList<RequestId> requestIds;
    // A batch's ids must differ among themselves too; a single request needs no set for that.
    std::unordered_set<RequestId, RequestIdHash> seen;
    const bool batchOfRequests = body.messages.size() > 1;
    for (const JsonRpcMessage &message : body.messages) {
        if (!message.isRequest())
            continue;
        if ((batchOfRequests && !seen.insert(message.id).second)
            || session->protocol()->isPending(message.id)) {
            reject(request, responder, corsHeaders, 400, JsonRpcCode::InvalidRequest,
                   u"Invalid Request: id %1 is already used by a request that has not "
                   "finished"_s.arg(message.id.display()),
                   message.id);
            return;
        }
        requestIds.append(message.id);
    }

    session->touch();
    for (const JsonRpcMessage &message : body.messages)
        session->reportIncoming(message, body.isBatch ? JsonRpc::serialize(message.raw) : rawBody);

    if (requestIds.isEmpty()) {
        // Only notifications and responses: accepted, nothing to say (MUST 202, no body).
        HttpExchange::reply(responder, {202, corsHeaders, {}});
        for (const JsonRpcMessage &message : body.messages)
            session->protocol()->receive(message);
        return;
    }

    auto *reply =
        new PostReply(std::move(responder), session, requestIds, body.isBatch, headers, session);
    session->registerReply(reply, requestIds);
    for (const JsonRpcMessage &message : body.messages)
        session->protocol()->receive(message);

    if (initializes && session->protocol()->state() == Session::State::AwaitingInitialize) {
        // initialize was refused (bad params): the session never began, so it goes again.
        session->terminate(DisconnectCause::ProtocolError, u"initialize failed"_s);
        return;
    }
    reply->start(m_context.config->postGraceMs);
}

void StreamableHttp::handleModernPost(const QHttpServerRequest &request,
                                      QHttpServerResponder &responder,
                                      const HttpHeaders &corsHeaders, const JsonRpcBody &body,
                                      const QByteArray &rawBody)
{
    // Any Mcp-Session-Id is ignored and none is minted or echoed (2026-07-28, "Backward
    // Compatibility"): these requests belong to no session a client can name.
    if (body.isBatch) {
        reject(request, responder, corsHeaders, 400, JsonRpcCode::InvalidRequest,
               u"Invalid Request: MCP 2026-07-28 takes one JSON-RPC message per POST, not a "
               "batch"_s);
        return;
    }
    if (!body.problems.isEmpty()) {
        const JsonRpcProblem &problem = body.problems.first();
        reject(request, responder, corsHeaders, 400, problem.code, problem.message, problem.id);
        return;
    }
    const JsonRpcMessage &message = body.messages.first();
    if (message.isResponse()) {
        reject(request, responder, corsHeaders, 400, JsonRpcCode::InvalidRequest,
               u"Invalid Request: MCP 2026-07-28 clients send no JSON-RPC responses (the server "
               "sends no requests)"_s,
               message.id);
        return;
    }
    if (message.isNotification()) {
        // No client notification means anything over HTTP in 2026-07-28 (closing a stream is
        // the cancellation): accepted and let go, as the transport rules ask.
        HttpExchange::reply(responder, {202, corsHeaders, {}});
        return;
    }
    // A version header naming a revision we do not speak, with no _meta to say otherwise: the
    // modern error with the versions to retry with, so a dual-era client can recover.
    const QByteArray versionHeader = request.value(kProtocolVersion);
    Revision headerRevision;
    if (!message.paramsObject()
             .value("_meta"_L1)
             .toObject()
             .contains("io.modelcontextprotocol/protocolVersion"_L1)
        && !versionHeader.isEmpty()
        && !Revisions::parse(QString::fromLatin1(versionHeader), &headerRevision)) {
        reject(
            request, responder, corsHeaders, 400, JsonRpcCode::UnsupportedProtocolVersion,
            u"Unsupported protocol version"_s, message.id,
            QJsonObject{{"supported"_L1, QJsonArray::fromStringList(Revisions::supportedNames())},
                        {"requested"_L1, QString::fromLatin1(versionHeader)}});
        return;
    }
    const QString mismatch =
        RequestMetadata::headerMismatch(message, request.headers(), calledToolSchema(message));
    if (!mismatch.isEmpty()) {
        reject(request, responder, corsHeaders, 400, JsonRpcCode::HeaderMismatch, mismatch,
               message.id);
        return;
    }

    McpSession *session = m_sessions->createStateless(request.remoteAddress().toString());
    auto *reply =
        new PostReply(std::move(responder), session, {message.id}, false, corsHeaders, session);
    session->registerReply(reply, {message.id});
    session->serveStateless(message, rawBody);
    reply->start(m_context.config->postGraceMs);
}

QJsonObject StreamableHttp::calledToolSchema(const JsonRpcMessage &request) const
{
    if (request.method != "tools/call"_L1)
        return {};
    const std::shared_ptr<Tool> tool =
        m_context.tools->enabledTool(request.paramsObject().value("name"_L1).toString());
    return tool ? tool->definition().inputSchema : QJsonObject();
}

void StreamableHttp::handleGet(const QHttpServerRequest &request, QHttpServerResponder &responder,
                               const HttpHeaders &corsHeaders)
{
    if (!acceptsMediaType(request.value(kAccept), "text/event-stream")) {
        reject(request, responder, corsHeaders, 406, JsonRpcCode::ServerError,
               u"Not Acceptable: a GET on /mcp opens an event stream; send "
               "'Accept: text/event-stream'"_s);
        return;
    }
    if (!checkProtocolVersionHeader(request, responder, corsHeaders))
        return;
    McpSession *session = requireSession(request, responder, corsHeaders);
    if (!session)
        return;
    HttpHeaders headers = corsHeaders;
    headers.push_back({"Mcp-Session-Id", session->id().toLatin1()});

    const QByteArray lastEventId = request.value(kLastEventId);
    if (!lastEventId.isEmpty()) {
        QString reason;
        if (const int status = session->checkResumable(lastEventId, &reason); status != 0) {
            reject(request, responder, corsHeaders, status, JsonRpcCode::ServerError, reason);
            return;
        }
        session->resume(lastEventId, std::make_unique<HttpExchange>(std::move(responder)), headers);
        return;
    }
    if (session->hasStandaloneStream()) {
        reject(request, responder, corsHeaders, 409, JsonRpcCode::ServerError,
               u"Conflict: this session already has an open GET stream; only one is allowed"_s);
        return;
    }

    session->touch();
    auto *stream =
        new SseStream(session->standaloneStreamId(), session->id(), StreamKind::Standalone,
                      std::make_unique<HttpExchange>(std::move(responder)), session);
    if (!stream->open(headers))
        return;
    session->adoptStream(stream);
    session->primeStream(stream);
    session->attachStandaloneStream(stream);
}

void StreamableHttp::handleDelete(const QHttpServerRequest &request,
                                  QHttpServerResponder &responder, const HttpHeaders &corsHeaders)
{
    if (!checkProtocolVersionHeader(request, responder, corsHeaders))
        return;
    McpSession *session = requireSession(request, responder, corsHeaders);
    if (!session)
        return;
    session->terminate(DisconnectCause::SessionDeleted,
                       u"the client ended the session with DELETE"_s);
    HttpExchange::reply(responder, {200, corsHeaders, {}});
}

} // namespace heartline
