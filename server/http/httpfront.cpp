#include "server/http/httpfront.h"

#include "server/api/clock.h"
#include "server/api/monitor.h"
#include "server/http/metrics.h"
#include "server/http/readiness.h"
#include "server/protocol/catalog/toolregistry.h"
#include "server/qt64/gatekeeper.h"
#include "server/qt64/peeraddress.h"
#include "server/session/sessionstore.h"
#include "server/transport/legacysse.h"
#include "server/transport/streamablehttp.h"

#include <QHostAddress>
#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QTcpSocket>

using namespace Qt::StringLiterals;

namespace heartline {

Q_LOGGING_CATEGORY(lcFront, "heartline.server.front")

namespace {

HttpReply jsonError(int status, JsonRpcCode code, const QString &message,
                    const HttpHeaders &extra = {})
{
    HttpHeaders headers = extra;
    headers.push_back({"Content-Type", "application/json"});
    return {status, headers, JsonRpc::serialize(JsonRpc::error({}, code, message))};
}

} // namespace

HttpFront::HttpFront(const ServerContext &context, SessionStore *sessions, QObject *parent)
    : QObject(parent)
    , m_context(context)
    , m_sessions(sessions)
    , m_policy(*context.config)
    , m_rateLimiter(context.config->rateLimitPerSecond, context.config->rateLimitBurst)
    , m_streamable(new StreamableHttp(context, sessions, this))
    , m_legacy(new LegacySse(context, sessions, this))
{
    setUpRoutes();
}

HttpFront::~HttpFront() = default;

void HttpFront::setUpRoutes()
{
    m_http.route(u"/mcp"_s,
                 [this](const QHttpServerRequest &request, QHttpServerResponder &&responder) {
                     serveMcp(request, std::move(responder));
                 });
    m_http.route(u"/sse"_s,
                 [this](const QHttpServerRequest &request, QHttpServerResponder &&responder) {
                     serveLegacy(request, std::move(responder), true);
                 });
    m_http.route(QString::fromLatin1(LegacySse::kMessagesPath),
                 [this](const QHttpServerRequest &request, QHttpServerResponder &&responder) {
                     serveLegacy(request, std::move(responder), false);
                 });
    m_http.route(u"/healthz"_s,
                 [this](const QHttpServerRequest &request, QHttpServerResponder &&responder) {
                     serveHealth(request, std::move(responder));
                 });
    // Under the same rules as /healthz (no token, no Host or Origin check, no rate limit), so
    // that a supervisor or a load balancer can ask without credentials.
    m_http.route(u"/readyz"_s,
                 [this](const QHttpServerRequest &request, QHttpServerResponder &&responder) {
                     serveReady(request, std::move(responder));
                 });
    m_http.route(u"/metrics"_s,
                 [this](const QHttpServerRequest &request, QHttpServerResponder &&responder) {
                     serveMetrics(request, std::move(responder));
                 });
    m_http.setMissingHandler(
        [this](const QHttpServerRequest &request, QHttpServerResponder &&responder) {
            serveMissing(request, std::move(responder));
        });
}

bool HttpFront::listen(QString *error)
{
    m_gatekeeper = bindGatekeeper(m_context.config->host, m_context.config->port, error);
    return m_gatekeeper;
}

Gatekeeper *HttpFront::bindGatekeeper(const QString &host, quint16 port, QString *error)
{
    const QHostAddress address =
        host == "localhost"_L1 ? QHostAddress(QHostAddress::LocalHost) : QHostAddress(host);
    if (address.isNull()) {
        *error = u"'%1' is not an IP address to listen on (try 127.0.0.1)"_s.arg(host);
        return nullptr;
    }
    auto *gatekeeper = new Gatekeeper(*m_context.config, this);
    // A browser reads why it was refused only with the CORS headers any response would have.
    gatekeeper->setCorsHeaders(
        [this](const QByteArray &origin) { return m_policy.corsHeadersFor(origin); });
    connect(gatekeeper, &Gatekeeper::refused, this,
            [this](const QString &peer, int status, DisconnectCause cause, const QString &detail) {
                // The Gatekeeper logs its own refusals; the Monitor counts and shows them.
                reportRefusal(peer, {}, status, cause, detail);
            });
    if (!gatekeeper->startListening(address, port)) {
        *error = u"cannot listen on %1:%2: %3"_s.arg(host).arg(port).arg(gatekeeper->errorString());
        delete gatekeeper;
        return nullptr;
    }
    gatekeeper->handOverTo(&m_http);
    return gatekeeper;
}

bool HttpFront::relisten(const QString &host, quint16 port, QString *error)
{
    Gatekeeper *replacement = bindGatekeeper(host, port, error);
    // A new host on the port we hold (127.0.0.1 to 0.0.0.0, say) collides with our own
    // listener: let go of it for the attempt, and take it back if the new one still fails.
    if (!replacement && m_gatekeeper && m_gatekeeper->isListening()
        && port == m_gatekeeper->serverPort()) {
        const QHostAddress oldAddress = m_gatekeeper->serverAddress();
        const quint16 oldPort = m_gatekeeper->serverPort();
        m_gatekeeper->close();
        replacement = bindGatekeeper(host, port, error);
        if (!replacement && !m_gatekeeper->startListening(oldAddress, oldPort))
            qCWarning(lcFront) << "could not listen on the old address again:"
                               << m_gatekeeper->errorString();
    }
    if (!replacement)
        return false;
    // A retired Gatekeeper owns the sockets it accepted: it stays until they are all gone.
    for (QTcpServer *server : m_http.servers()) {
        if (server != m_gatekeeper && server != replacement
            && server->findChildren<QTcpSocket *>().isEmpty())
            server->deleteLater();
    }
    if (m_gatekeeper)
        m_gatekeeper->close();
    m_gatekeeper = replacement;
    return true;
}

void HttpFront::applyConfig()
{
    const ServerConfig &config = *m_context.config;
    m_policy = AccessPolicy(config);
    // Fresh buckets: a peer refused under the old limit starts over under the new one.
    m_rateLimiter = RateLimiter(config.rateLimitPerSecond, config.rateLimitBurst);
    for (QTcpServer *server : m_http.servers()) {
        if (auto *gatekeeper = qobject_cast<Gatekeeper *>(server))
            gatekeeper->applyLimits(config);
    }
}

quint16 HttpFront::port() const
{
    return m_gatekeeper ? m_gatekeeper->serverPort() : 0;
}

void HttpFront::stopListening()
{
    m_stopping = true;
    for (QTcpServer *server : m_http.servers())
        server->close();
}

qint64 HttpFront::bytesPending() const
{
    // Retired Gatekeepers (after a re-listen) too: their connections may still carry streams.
    qint64 pending = 0;
    for (const QTcpServer *server : m_http.servers()) {
        for (const QTcpSocket *socket : server->findChildren<QTcpSocket *>())
            pending += socket->bytesToWrite();
    }
    return pending;
}

void HttpFront::closeConnections()
{
    for (const QTcpServer *server : m_http.servers()) {
        for (QTcpSocket *socket : server->findChildren<QTcpSocket *>())
            socket->disconnectFromHost();
    }
}

bool HttpFront::admit(const QHttpServerRequest &request, QHttpServerResponder &responder,
                      bool requireToken)
{
    if (m_stopping) {
        HttpExchange::reply(responder,
                            jsonError(503, JsonRpcCode::ServerError,
                                      u"Service Unavailable: Heartline is shutting down"_s,
                                      {{"Retry-After", "5"}}));
        return false;
    }
    // Before the token check, so a client guessing tokens is slowed down like any other.
    if (!withinRateLimit(request, responder))
        return false;
    const AccessPolicy::Verdict verdict = m_policy.check(request, requireToken);
    if (verdict.allowed)
        return true;
    reportRefusal(request.remoteAddress().toString(), request.url().path(), verdict.status,
                  verdict.cause, verdict.reason);
    HttpExchange::reply(responder, jsonError(verdict.status, JsonRpcCode::ServerError,
                                             verdict.reason, verdict.headers));
    return false;
}

bool HttpFront::withinRateLimit(const QHttpServerRequest &request, QHttpServerResponder &responder)
{
    if (!m_rateLimiter.isEnabled())
        return true;
    const QString peer = peerAddressKey(request.remoteAddress());
    if (QHostAddress(peer).isLoopback() && !m_context.config->rateLimitLoopback)
        return true;
    const RateLimiter::Decision decision = m_rateLimiter.take(peer, Clock::monotonicMs());
    if (decision.allowed)
        return true;
    const QByteArray retryAfter = QByteArray::number(decision.retryAfterSeconds());
    const QString reason = u"Too Many Requests: %1 is over the limit of %2 requests per second "
                           "(bursts of %3); retry after %4 s"_s.arg(peer)
                               .arg(m_context.config->rateLimitPerSecond)
                               .arg(m_context.config->rateLimitBurst)
                               .arg(QString::fromLatin1(retryAfter));
    reportRefusal(peer, request.url().path(), 429, DisconnectCause::RateLimited, reason);
    HttpExchange::reply(
        responder, jsonError(429, JsonRpcCode::ServerError, reason, {{"Retry-After", retryAfter}}));
    return false;
}

void HttpFront::reportRefusal(const QString &peer, const QString &what, int status,
                              DisconnectCause cause, const QString &detail)
{
    if (!what.isEmpty())
        qCWarning(lcFront).noquote()
            << "refused" << what << "from" << peer << "with" << status << "-" << detail;
    DisconnectEvent event;
    event.peer = peer;
    event.cause = cause;
    event.detail = detail;
    event.wallMs = Clock::wallMs();
    m_context.monitor->reportDisconnect(event);
}

void HttpFront::serveMcp(const QHttpServerRequest &request, QHttpServerResponder &&responder)
{
    if (request.method() == QHttpServerRequest::Method::Options) {
        HttpExchange::reply(responder, m_policy.preflight(request));
        return;
    }
    if (!admit(request, responder, true))
        return;
    m_streamable->handle(request, std::move(responder), m_policy.corsHeaders(request));
}

void HttpFront::serveLegacy(const QHttpServerRequest &request, QHttpServerResponder &&responder,
                            bool stream)
{
    if (request.method() == QHttpServerRequest::Method::Options) {
        HttpExchange::reply(responder, m_policy.preflight(request));
        return;
    }
    if (!admit(request, responder, true))
        return;
    if (stream)
        m_legacy->handleStream(request, std::move(responder), m_policy.corsHeaders(request));
    else
        m_legacy->handleMessage(request, std::move(responder), m_policy.corsHeaders(request));
}

void HttpFront::serveHealth(const QHttpServerRequest &request, QHttpServerResponder &&responder)
{
    Q_UNUSED(request);
    const QJsonObject health{{"status"_L1, "ok"_L1},
                             {"version"_L1, m_context.identity.version},
                             {"sessions"_L1, m_sessions->count()}};
    HttpExchange::reply(responder,
                        {200,
                         {{"Content-Type", "application/json"}, {"Cache-Control", "no-store"}},
                         QJsonDocument(health).toJson(QJsonDocument::Compact)});
}

void HttpFront::serveReady(const QHttpServerRequest &request, QHttpServerResponder &&responder)
{
    Q_UNUSED(request);
    const QList<UpstreamStatus> upstreams = m_context.monitor->upstreams();
    HttpExchange::reply(responder,
                        {Readiness::isReady(upstreams) ? 200 : 503,
                         {{"Content-Type", "application/json"}, {"Cache-Control", "no-store"}},
                         Readiness::render(upstreams)});
}

void HttpFront::serveMetrics(const QHttpServerRequest &request, QHttpServerResponder &&responder)
{
    if (!admit(request, responder, true))
        return;
    const int registered = int(m_context.tools->entries().size());
    const int enabled = int(m_context.tools->enabledDefinitions().size());
    HttpExchange::reply(responder,
                        {200,
                         {{"Content-Type", "text/plain; version=0.0.4; charset=utf-8"},
                          {"Cache-Control", "no-store"}},
                         Metrics::render(m_context.monitor->snapshot(), registered, enabled)});
}

void HttpFront::serveMissing(const QHttpServerRequest &request, QHttpServerResponder &&responder)
{
    // A scanner walking paths costs what any other client's requests cost.
    if (!withinRateLimit(request, responder))
        return;
    const QString path = request.url().path();
    HttpHeaders headers = m_policy.corsHeaders(request);
    if (path == "/mcp"_L1) {
        // Methods Qt does not know (e.g. BREW) never match the route; they are still wrong
        // methods on a real endpoint, not a missing page.
        headers.append(qMakePair(QByteArray("Allow"), QByteArray("GET, POST, DELETE, OPTIONS")));
        HttpExchange::reply(responder,
                            jsonError(405, JsonRpcCode::ServerError,
                                      u"Method Not Allowed: /mcp takes GET, POST, DELETE and "
                                      "OPTIONS"_s,
                                      headers));
        return;
    }
    HttpExchange::reply(responder,
                        jsonError(404, JsonRpcCode::ServerError,
                                  u"Not Found: '%1' - Heartline serves /mcp, /sse, /messages, "
                                  "/healthz, /readyz and /metrics"_s.arg(path),
                                  headers));
}

} // namespace heartline
