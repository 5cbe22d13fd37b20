#pragma once

#include "server/api/disconnectcause.h"
#include "server/api/serverconfig.h"
#include "server/qt64/httpexchange.h"

#include <QString>
#include <QStringList>

class QHttpServerRequest;

namespace heartline {

// Who may talk to the server: Host (DNS rebinding), Origin (browsers) and the bearer token -
// from `Authorization: Bearer`, or, when allowTokenInQuery is set, from a `?token=` query item
// for clients that cannot set headers. Tokens are compared in constant time and never logged.
// Origins and hosts are compared exactly - scheme, host and port - never by prefix, so
// http://localhost.evil.example is not http://localhost.
class AccessPolicy final
{
public:
    struct Verdict
    {
        bool allowed = true;
        int status = 200;
        DisconnectCause cause = DisconnectCause::OriginRejected;
        QString reason;
        HttpHeaders headers;
    };

    explicit AccessPolicy(const ServerConfig &config);

    Verdict check(const QHttpServerRequest &request, bool requireToken = true) const;
    bool isOriginAllowed(const QString &origin) const;
    bool isHostAllowed(const QString &hostHeader) const;
    bool isTokenValid(const QByteArray &authorization) const;
    // The value of a `token` query item; false unless allowTokenInQuery is set.
    bool isQueryTokenValid(const QString &token) const;

    // CORS headers for a response to an allowed Origin (none without an Origin).
    HttpHeaders corsHeaders(const QHttpServerRequest &request) const;
    HttpHeaders corsHeadersFor(const QByteArray &origin) const;
    // The answer to an OPTIONS preflight; never behind the token, which browsers do not send.
    HttpReply preflight(const QHttpServerRequest &request) const;

private:
    QStringList m_allowedOrigins;
    QStringList m_allowedHosts;
    QByteArray m_token;
    bool m_checkHost = true;
    bool m_allowTokenInQuery = false;
};

} // namespace heartline
