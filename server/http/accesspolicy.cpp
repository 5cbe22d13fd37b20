#include "server/http/accesspolicy.h"

#include <QHostAddress>
#include <QHttpServerRequest>
#include <QUrl>
#include <QUrlQuery>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace heartline {
namespace {

// Made once: every request is checked, and a QByteArray built from a C string for each
// QHttpServerRequest::value() lookup allocated.
const QByteArray kHost = QByteArrayLiteral("Host");
const QByteArray kOrigin = QByteArrayLiteral("Origin");
const QByteArray kAuthorization = QByteArrayLiteral("Authorization");

// Splits "host:port" / "[v6]:port" into its host part, lower-cased, without brackets.
QString hostPart(const QString &hostHeader)
{
    QString host = hostHeader.trimmed().toLower();
    if (host.startsWith(u'[')) {
        const qsizetype close = host.indexOf(u']');
        return close > 0 ? host.mid(1, close - 1) : QString();
    }
    const qsizetype colon = host.lastIndexOf(u':');
    if (colon >= 0) {
        bool numeric = false;
        host.mid(colon + 1).toUShort(&numeric);
        if (!numeric)
            return {};
        host.truncate(colon);
    }
    return host;
}

QString canonicalOrigin(const QString &origin)
{
    const QUrl url(origin, QUrl::StrictMode);
    if (!url.isValid() || url.host().isEmpty() || !url.userInfo().isEmpty()
        || (!url.path().isEmpty() && url.path() != "/"_L1) || url.hasQuery() || url.hasFragment())
        return {};
    const QString scheme = url.scheme().toLower();
    const int defaultPort = scheme == "https"_L1 ? 443 : 80;
    const int port = url.port(defaultPort);
    QString host = url.host().toLower();
    if (host.contains(u':'))
        host = u'[' + host + u']';
    return scheme + "://"_L1 + host
           + (port == defaultPort ? QString() : u':' + QString::number(port));
}

bool constantTimeEquals(const QByteArray &a, const QByteArray &b)
{
    // Length leaks, content does not: compare every byte regardless of where they differ.
    unsigned char difference = a.size() == b.size() ? 0 : 1;
    const qsizetype n = qMin(a.size(), b.size());
    for (qsizetype i = 0; i < n; ++i)
        difference |= static_cast<unsigned char>(a.at(i) ^ b.at(i));
    return difference == 0;
}

} // namespace

AccessPolicy::AccessPolicy(const ServerConfig &config)
    : m_token(config.token.toUtf8())
    , m_allowTokenInQuery(config.allowTokenInQuery)
{
    for (const QString &origin : config.allowedOrigins) {
        const QString canonical = canonicalOrigin(origin);
        if (!canonical.isEmpty())
            m_allowedOrigins.append(canonical);
    }
    for (const QString &host : config.allowedHosts)
        m_allowedHosts.append(host.trimmed().toLower());
    const QHostAddress bound(config.host);
    // Bound to every interface, the machine answers to names we cannot list; the token
    // (required off loopback) is the protection there.
    if (bound == QHostAddress::Any || bound == QHostAddress::AnyIPv4
        || bound == QHostAddress::AnyIPv6)
        m_checkHost = false;
    else if (!ServerConfig::isLoopbackHost(config.host))
        m_allowedHosts.append(config.host.toLower());
}

bool AccessPolicy::isHostAllowed(const QString &hostHeader) const
{
    if (!m_checkHost)
        return true;
    const QString host = hostPart(hostHeader);
    if (host.isEmpty())
        return false;
    return ServerConfig::isLoopbackHost(host) || m_allowedHosts.contains(host);
}

bool AccessPolicy::isOriginAllowed(const QString &origin) const
{
    const QString canonical = canonicalOrigin(origin);
    if (canonical.isEmpty())
        return false;
    const QUrl url(canonical);
    if ((url.scheme() == "http"_L1 || url.scheme() == "https"_L1)
        && ServerConfig::isLoopbackHost(url.host()))
        return true;
    return m_allowedOrigins.contains(canonical);
}

bool AccessPolicy::isTokenValid(const QByteArray &authorization) const
{
    if (m_token.isEmpty())
        return true;
    const QByteArray prefix = "bearer ";
    if (authorization.size() <= prefix.size()
        || authorization.left(prefix.size()).toLower() != prefix)
        return false;
    return constantTimeEquals(authorization.mid(prefix.size()).trimmed(), m_token);
}

bool AccessPolicy::isQueryTokenValid(const QString &token) const
{
    if (m_token.isEmpty())
        return true;
    return m_allowTokenInQuery && !token.isEmpty() && constantTimeEquals(token.toUtf8(), m_token);
}

AccessPolicy::Verdict AccessPolicy::check(const QHttpServerRequest &request,
                                          bool requireToken) const
{
    const QString host = QString::fromUtf8(request.value(kHost));
    if (!isHostAllowed(host))
        return {false,
                403,
                DisconnectCause::OriginRejected,
                u"Forbidden: Host '%1' is not allowed (DNS rebinding protection)"_s.arg(host),
                {}};
    const QByteArray origin = request.value(kOrigin);
    if (!origin.isEmpty() && !isOriginAllowed(QString::fromUtf8(origin)))
        return {false,
                403,
                DisconnectCause::OriginRejected,
                u"Forbidden: Origin '%1' is not allowed"_s.arg(QString::fromUtf8(origin)),
                {}};
    if (requireToken && !isTokenValid(request.value(kAuthorization))) {
        const QUrlQuery query(request.url());
        const bool inQuery = query.hasQueryItem(u"token"_s);
        if (inQuery && isQueryTokenValid(query.queryItemValue(u"token"_s, QUrl::FullyDecoded)))
            return {};
        // A query token where none is accepted counts as no token at all.
        const bool sent =
            !request.value(kAuthorization).isEmpty() || (inQuery && m_allowTokenInQuery);
        QString reason;
        if (sent)
            reason = u"Unauthorized: the bearer token is not valid"_s;
        else if (inQuery)
            reason = u"Unauthorized: this server does not accept the token as ?token= "
                     "(allowTokenInQuery is off); send 'Authorization: Bearer <token>'"_s;
        else
            reason = u"Unauthorized: this server requires 'Authorization: Bearer <token>'"_s;
        return {false,
                401,
                DisconnectCause::AuthFailed,
                reason,
                {{"WWW-Authenticate", sent ? "Bearer realm=\"heartline\", error=\"invalid_token\""
                                           : "Bearer realm=\"heartline\""}}};
    }
    return {};
}

HttpHeaders AccessPolicy::corsHeaders(const QHttpServerRequest &request) const
{
    return corsHeadersFor(request.value(kOrigin));
}

HttpHeaders AccessPolicy::corsHeadersFor(const QByteArray &origin) const
{
    if (origin.isEmpty() || !isOriginAllowed(QString::fromUtf8(origin)))
        return {};
    return {{"Access-Control-Allow-Origin", origin},
            {"Vary", "Origin"},
            {"Access-Control-Expose-Headers", "Mcp-Session-Id, MCP-Protocol-Version"}};
}

HttpReply AccessPolicy::preflight(const QHttpServerRequest &request) const
{
    const QByteArray origin = request.value(kOrigin);
    if (origin.isEmpty() || !isOriginAllowed(QString::fromUtf8(origin))
        || !isHostAllowed(QString::fromUtf8(request.value(kHost))))
        return {403,
                {{"Content-Type", "text/plain; charset=utf-8"}},
                "Forbidden: this origin may not call Heartline\n"};
    HttpHeaders headers = corsHeaders(request);
    headers.push_back({"Access-Control-Allow-Methods", "GET, POST, DELETE, OPTIONS"});
    QByteArray allowed = "Content-Type, Accept, Authorization, Mcp-Session-Id, "
                         "MCP-Protocol-Version, Last-Event-ID, Mcp-Method, Mcp-Name";
    // MCP 2026-07-28 mirrors tool parameters into Mcp-Param-{Name} headers named by each
    // tool's schema, so no fixed list holds them: allow those the browser asks about.
    for (const QByteArray &requested : request.value("Access-Control-Request-Headers").split(',')) {
        const QByteArray name = requested.trimmed();
        const bool token = std::all_of(name.cbegin(), name.cend(), [](char c) {
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                   || c == '-' || c == '_';
        });
        if (token && name.size() > 10 && name.toLower().startsWith("mcp-param-"))
            allowed += ", " + name;
    }
    headers.push_back({"Access-Control-Allow-Headers", allowed});
    headers.push_back({"Access-Control-Max-Age", "600"});
    return {204, headers, {}};
}

} // namespace heartline
