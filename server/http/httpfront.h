#pragma once

#include "server/http/accesspolicy.h"
#include "server/http/ratelimiter.h"
#include "server/session/servercontext.h"

#include <QHttpServer>
#include <QObject>
#include <QPointer>

namespace heartline {

class Gatekeeper;
class SessionStore;
class LegacySse;
class StreamableHttp;

// The HTTP face of Heartline: owns the QHttpServer and its Gatekeeper, routes each path, and
// applies the AccessPolicy (Host, Origin, token) before a request reaches a transport.
// Every refusal is logged and reported to the Monitor with its cause.
class HttpFront final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HttpFront)

public:
    HttpFront(const ServerContext &context, SessionStore *sessions, QObject *parent = nullptr);
    ~HttpFront() override;

    bool listen(QString *error);
    // Listens on a new address; only once it is bound does the old one stop accepting (its
    // open connections and streams carry on). False, with the old address still serving,
    // when the new one cannot be bound.
    bool relisten(const QString &host, quint16 port, QString *error);
    // The config changed live: rebuilds the access policy and the rate limiter, and gives
    // the Gatekeeper its new limits.
    void applyConfig();
    quint16 port() const;
    // Stops accepting connections; requests on connections already open get 503.
    void stopListening();
    // Bytes accepted for sending but not yet handed to the kernel, over all connections.
    qint64 bytesPending() const;
    void closeConnections();

private:
    void setUpRoutes();
    Gatekeeper *bindGatekeeper(const QString &host, quint16 port, QString *error);
    bool admit(const QHttpServerRequest &request, QHttpServerResponder &responder,
               bool requireToken);
    bool withinRateLimit(const QHttpServerRequest &request, QHttpServerResponder &responder);
    void reportRefusal(const QString &peer, const QString &what, int status, DisconnectCause cause,
                       const QString &detail);
    void serveMcp(const QHttpServerRequest &request, QHttpServerResponder &&responder);
    void serveLegacy(const QHttpServerRequest &request, QHttpServerResponder &&responder,
                     bool stream);
    void serveHealth(const QHttpServerRequest &request, QHttpServerResponder &&responder);
    // 200 when every enabled upstream server is ready, 503 otherwise; each server's state.
    void serveReady(const QHttpServerRequest &request, QHttpServerResponder &&responder);
    void serveMetrics(const QHttpServerRequest &request, QHttpServerResponder &&responder);
    void serveMissing(const QHttpServerRequest &request, QHttpServerResponder &&responder);

    ServerContext m_context;
    SessionStore *m_sessions;
    AccessPolicy m_policy;
    RateLimiter m_rateLimiter;
    QHttpServer m_http;
    QPointer<Gatekeeper> m_gatekeeper;
    StreamableHttp *m_streamable;
    LegacySse *m_legacy;
    bool m_stopping = false;
};

} // namespace heartline
