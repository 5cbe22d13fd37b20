#include "server/http/accesspolicy.h"
#include "tests/support/rawhttpclient.h"
#include "tests/support/servertestmain.h"
#include "tests/support/testhttpserver.h"

#include <QTest>

#include <optional>

using namespace heartline;
using namespace heartline::testing;
using namespace Qt::StringLiterals;

Q_DECLARE_METATYPE(heartline::DisconnectCause)

namespace {

ServerConfig configWith(const QString &host, const QString &token = {},
                        const QStringList &allowedOrigins = {},
                        const QStringList &allowedHosts = {})
{
    ServerConfig config;
    config.host = host;
    config.token = token;
    config.allowedOrigins = allowedOrigins;
    config.allowedHosts = allowedHosts;
    return config;
}

// A real QHttpServer whose routes hand each request to the policy under test, since a
// QHttpServerRequest only comes from a real request:
//   /check      -> the verdict of check(): its status, reason as body, its headers
//   /open       -> the verdict of check(request, false)
//   /cors       -> 200 with corsHeaders()
//   /preflight  -> preflight()
class PolicyServer final
{
public:
    PolicyServer()
    {
        const auto verdict = [this](const QHttpServerRequest &request,
                                    QHttpServerResponder &responder, bool requireToken) {
            const AccessPolicy::Verdict decision = m_policy->check(request, requireToken);
            HttpHeaders headers = decision.headers;
            headers.append({"X-Cause", DisconnectCauses::name(decision.cause).toUtf8()});
            HttpExchange::reply(responder, {decision.status, headers, decision.reason.toUtf8()});
        };
        m_server.route(u"/check"_s, [verdict](const QHttpServerRequest &request,
                                              QHttpServerResponder &&responder) {
            verdict(request, responder, true);
        });
        m_server.route(u"/open"_s, [verdict](const QHttpServerRequest &request,
                                             QHttpServerResponder &&responder) {
            verdict(request, responder, false);
        });
        m_server.route(u"/cors"_s, [this](const QHttpServerRequest &request,
                                          QHttpServerResponder &&responder) {
            HttpExchange::reply(responder, {200, m_policy->corsHeaders(request), "cors"});
        });
        m_server.route(u"/preflight"_s,
                       [this](const QHttpServerRequest &request, QHttpServerResponder &&responder) {
                           HttpExchange::reply(responder, m_policy->preflight(request));
                       });
    }

    bool listen() { return m_server.listen(); }
    void setPolicy(const ServerConfig &config) { m_policy.emplace(config); }

    // Sends one raw request and waits for its complete response on `client`.
    bool request(RawHttpClient &client, const QByteArray &method, const QByteArray &path,
                 const QList<QByteArray> &headerLines)
    {
        if (!client.connectTo(m_server.port()))
            return false;
        QByteArray raw = method + ' ' + path + " HTTP/1.1\r\n";
        for (const QByteArray &line : headerLines)
            raw += line + "\r\n";
        return client.sendRaw(raw + "\r\n") && client.waitForComplete();
    }

private:
    TestHttpServer m_server;
    std::optional<AccessPolicy> m_policy;
};

} // namespace

class tst_AccessPolicy : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void loopbackOriginsAreAllowedOthersRefused_data();
    void loopbackOriginsAreAllowedOthersRefused();
    void configuredOriginsMatchExactly_data();
    void configuredOriginsMatchExactly();
    void hostHeaderIsChecked_data();
    void hostHeaderIsChecked();
    void bearerTokenIsChecked_data();
    void bearerTokenIsChecked();
    void queryTokenOnlyWhenAllowed_data();
    void queryTokenOnlyWhenAllowed();
    void loopbackNamesAreRecognised_data();
    void loopbackNamesAreRecognised();
    void checkRefusesHostThenOriginThenToken_data();
    void checkRefusesHostThenOriginThenToken();
    void corsHeadersOnlyForAnAllowedOrigin_data();
    void corsHeadersOnlyForAnAllowedOrigin();
    void preflightAnswersAllowedOriginsWithoutToken_data();
    void preflightAnswersAllowedOriginsWithoutToken();

private:
    PolicyServer m_server;
};

void tst_AccessPolicy::initTestCase()
{
    QVERIFY(m_server.listen());
}

void tst_AccessPolicy::loopbackOriginsAreAllowedOthersRefused_data()
{
    QTest::addColumn<QString>("origin");
    QTest::addColumn<bool>("allowed");

    QTest::newRow("MCP Inspector") << u"http://localhost:6274"_s << true;
    QTest::newRow("localhost, default port") << u"http://localhost"_s << true;
    QTest::newRow("127.0.0.1 port 1") << u"http://127.0.0.1:1"_s << true;
    QTest::newRow("https ::1") << u"https://[::1]:8443"_s << true;
    QTest::newRow("upper case") << u"HTTP://LOCALHOST:6274"_s << true;
    QTest::newRow("trailing slash") << u"http://localhost:6274/"_s << true;
    QTest::newRow("localhost as a subdomain") << u"http://localhost.evil.example"_s << false;
    QTest::newRow("localhost as a prefix") << u"http://localhostevil.example"_s << false;
    QTest::newRow("plain foreign") << u"http://evil.example"_s << false;
    QTest::newRow("null") << u"null"_s << false;
    QTest::newRow("userinfo") << u"http://localhost@evil.example"_s << false;
    QTest::newRow("userinfo on loopback") << u"http://evil@localhost"_s << false;
    QTest::newRow("loopback as a subdomain") << u"http://127.0.0.1.nip.io"_s << false;
    QTest::newRow("file") << u"file://"_s << false;
    QTest::newRow("file with path") << u"file:///home/me/index.html"_s << false;
    QTest::newRow("with path") << u"http://localhost:6274/evil"_s << false;
    QTest::newRow("with query") << u"http://localhost:6274?x=1"_s << false;
    QTest::newRow("with fragment") << u"http://localhost:6274#x"_s << false;
    QTest::newRow("port out of range") << u"http://localhost:65536"_s << false;
    QTest::newRow("not http") << u"ftp://localhost"_s << false;
    QTest::newRow("empty") << QString() << false;
    QTest::newRow("no scheme") << u"localhost:6274"_s << false;
}

void tst_AccessPolicy::loopbackOriginsAreAllowedOthersRefused()
{
    QFETCH(QString, origin);
    QFETCH(bool, allowed);

    const AccessPolicy policy(configWith(u"127.0.0.1"_s));
    QCOMPARE(policy.isOriginAllowed(origin), allowed);
}

void tst_AccessPolicy::configuredOriginsMatchExactly_data()
{
    QTest::addColumn<QStringList>("configured");
    QTest::addColumn<QString>("origin");
    QTest::addColumn<bool>("allowed");

    const QStringList app{u"https://app.example.com"_s};
    QTest::newRow("exact") << app << u"https://app.example.com"_s << true;
    QTest::newRow("explicit default port") << app << u"https://app.example.com:443"_s << true;
    QTest::newRow("other port") << app << u"https://app.example.com:8443"_s << false;
    QTest::newRow("other scheme") << app << u"http://app.example.com"_s << false;
    QTest::newRow("subdomain") << app << u"https://x.app.example.com"_s << false;
    QTest::newRow("suffix") << app << u"https://app.example.com.evil"_s << false;
    QTest::newRow("parent domain") << app << u"https://example.com"_s << false;
    QTest::newRow("case") << app << u"https://APP.example.com"_s << true;
    const QStringList http80{u"http://tools.example:80"_s};
    QTest::newRow("configured default port") << http80 << u"http://tools.example"_s << true;
    const QStringList custom{u"http://tools.example:8080"_s};
    QTest::newRow("custom port") << custom << u"http://tools.example:8080"_s << true;
    QTest::newRow("custom port missing") << custom << u"http://tools.example"_s << false;
    QTest::newRow("nothing configured") << QStringList() << u"https://app.example.com"_s << false;
    QTest::newRow("invalid configured entry ignored")
        << QStringList{u"not an origin"_s} << u"not an origin"_s << false;
}

void tst_AccessPolicy::configuredOriginsMatchExactly()
{
    QFETCH(QStringList, configured);
    QFETCH(QString, origin);
    QFETCH(bool, allowed);

    const AccessPolicy policy(configWith(u"127.0.0.1"_s, {}, configured));
    QCOMPARE(policy.isOriginAllowed(origin), allowed);
}

void tst_AccessPolicy::hostHeaderIsChecked_data()
{
    QTest::addColumn<QString>("bound");
    QTest::addColumn<QStringList>("allowedHosts");
    QTest::addColumn<QString>("hostHeader");
    QTest::addColumn<bool>("allowed");

    const QString loopback = u"127.0.0.1"_s;
    QTest::newRow("localhost:8650") << loopback << QStringList() << u"localhost:8650"_s << true;
    QTest::newRow("127.0.0.1") << loopback << QStringList() << u"127.0.0.1"_s << true;
    QTest::newRow("127.0.0.1:8650") << loopback << QStringList() << u"127.0.0.1:8650"_s << true;
    QTest::newRow("[::1]:80") << loopback << QStringList() << u"[::1]:80"_s << true;
    QTest::newRow("[::1]") << loopback << QStringList() << u"[::1]"_s << true;
    QTest::newRow("upper case") << loopback << QStringList() << u"LOCALHOST:8650"_s << true;
    QTest::newRow("foreign") << loopback << QStringList() << u"evil.example.com"_s << false;
    QTest::newRow("foreign with port")
        << loopback << QStringList() << u"evil.example.com:8650"_s << false;
    QTest::newRow("localhost as a subdomain")
        << loopback << QStringList() << u"localhost.evil.example"_s << false;
    QTest::newRow("loopback as a subdomain")
        << loopback << QStringList() << u"127.0.0.1.nip.io"_s << false;
    QTest::newRow("non-numeric port") << loopback << QStringList() << u"localhost:evil"_s << false;
    QTest::newRow("empty") << loopback << QStringList() << QString() << false;
    QTest::newRow("unclosed bracket") << loopback << QStringList() << u"[::1"_s << false;
    const QString lan = u"192.168.1.5"_s;
    QTest::newRow("bound LAN address") << lan << QStringList() << u"192.168.1.5:8650"_s << true;
    QTest::newRow("bound LAN, loopback") << lan << QStringList() << u"localhost:8650"_s << true;
    QTest::newRow("bound LAN, neighbour") << lan << QStringList() << u"192.168.1.6:8650"_s << false;
    QTest::newRow("bound LAN, foreign") << lan << QStringList() << u"evil.example.com"_s << false;
    const QStringList named{u"MyBox.lan"_s};
    QTest::newRow("configured host") << loopback << named << u"mybox.lan:8650"_s << true;
    QTest::newRow("configured host, case") << loopback << named << u"MYBOX.LAN"_s << true;
    QTest::newRow("configured host as a suffix")
        << loopback << named << u"evilmybox.lan"_s << false;
    QTest::newRow("any IPv4, foreign")
        << u"0.0.0.0"_s << QStringList() << u"evil.example.com"_s << true;
    QTest::newRow("any IPv6, foreign") << u"::"_s << QStringList() << u"evil.example.com"_s << true;
}

void tst_AccessPolicy::hostHeaderIsChecked()
{
    QFETCH(QString, bound);
    QFETCH(QStringList, allowedHosts);
    QFETCH(QString, hostHeader);
    QFETCH(bool, allowed);

    const AccessPolicy policy(configWith(bound, u"t"_s, {}, allowedHosts));
    QCOMPARE(policy.isHostAllowed(hostHeader), allowed);
}

void tst_AccessPolicy::bearerTokenIsChecked_data()
{
    QTest::addColumn<QString>("token");
    QTest::addColumn<QByteArray>("authorization");
    QTest::addColumn<bool>("valid");

    QTest::newRow("no token configured, nothing sent") << QString() << QByteArray() << true;
    QTest::newRow("no token configured, anything sent")
        << QString() << QByteArray("Basic x") << true;
    const QString token = u"s3cret-T0ken"_s;
    QTest::newRow("Bearer") << token << QByteArray("Bearer s3cret-T0ken") << true;
    QTest::newRow("bearer") << token << QByteArray("bearer s3cret-T0ken") << true;
    QTest::newRow("BEARER") << token << QByteArray("BEARER s3cret-T0ken") << true;
    QTest::newRow("missing") << token << QByteArray() << false;
    QTest::newRow("scheme only") << token << QByteArray("Bearer ") << false;
    QTest::newRow("wrong token") << token << QByteArray("Bearer s3cret-T0keN") << false;
    QTest::newRow("token prefix") << token << QByteArray("Bearer s3cret") << false;
    QTest::newRow("token suffix") << token << QByteArray("Bearer s3cret-T0ken2") << false;
    QTest::newRow("token without scheme") << token << QByteArray("s3cret-T0ken") << false;
    QTest::newRow("Basic") << token << QByteArray("Basic czNjcmV0LVQwa2Vu") << false;
    QTest::newRow("Basic with the token") << token << QByteArray("Basic s3cret-T0ken") << false;
    QTest::newRow("no space") << token << QByteArray("Bearers3cret-T0ken") << false;
}

void tst_AccessPolicy::bearerTokenIsChecked()
{
    QFETCH(QString, token);
    QFETCH(QByteArray, authorization);
    QFETCH(bool, valid);

    const AccessPolicy policy(configWith(u"127.0.0.1"_s, token));
    QCOMPARE(policy.isTokenValid(authorization), valid);
}

void tst_AccessPolicy::queryTokenOnlyWhenAllowed_data()
{
    QTest::addColumn<bool>("allowed");
    QTest::addColumn<QString>("sent");
    QTest::addColumn<bool>("valid");

    QTest::newRow("allowed, right") << true << u"s3cret-T0ken"_s << true;
    QTest::newRow("allowed, wrong case") << true << u"s3cret-T0keN"_s << false;
    QTest::newRow("allowed, prefix") << true << u"s3cret"_s << false;
    QTest::newRow("allowed, empty") << true << QString() << false;
    QTest::newRow("allowed, with scheme") << true << u"Bearer s3cret-T0ken"_s << false;
    QTest::newRow("not allowed, right") << false << u"s3cret-T0ken"_s << false;
}

void tst_AccessPolicy::queryTokenOnlyWhenAllowed()
{
    QFETCH(bool, allowed);
    QFETCH(QString, sent);
    QFETCH(bool, valid);

    ServerConfig config = configWith(u"127.0.0.1"_s, u"s3cret-T0ken"_s);
    config.allowTokenInQuery = allowed;
    const AccessPolicy policy(config);
    QCOMPARE(policy.isQueryTokenValid(sent), valid);
}

void tst_AccessPolicy::loopbackNamesAreRecognised_data()
{
    QTest::addColumn<QString>("host");
    QTest::addColumn<bool>("loopback");

    QTest::newRow("localhost") << u"localhost"_s << true;
    QTest::newRow("127.0.0.1") << u"127.0.0.1"_s << true;
    QTest::newRow("127.1.2.3") << u"127.1.2.3"_s << true;
    QTest::newRow("::1") << u"::1"_s << true;
    QTest::newRow("0.0.0.0") << u"0.0.0.0"_s << false;
    QTest::newRow("LAN") << u"192.168.1.5"_s << false;
    QTest::newRow("localhost.evil") << u"localhost.evil"_s << false;
    QTest::newRow("empty") << QString() << false;
}

void tst_AccessPolicy::loopbackNamesAreRecognised()
{
    QFETCH(QString, host);
    QFETCH(bool, loopback);

    QCOMPARE(ServerConfig::isLoopbackHost(host), loopback); // the one rule AccessPolicy uses
}

void tst_AccessPolicy::checkRefusesHostThenOriginThenToken_data()
{
    QTest::addColumn<QString>("token");
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<QList<QByteArray>>("headers");
    QTest::addColumn<int>("status");
    QTest::addColumn<DisconnectCause>("cause");
    QTest::addColumn<QByteArray>("wwwAuthenticate");

    const QByteArray goodHost = "Host: 127.0.0.1:8650";
    const QByteArray goodAuth = "Authorization: Bearer t0k";
    const QString token = u"t0k"_s;
    const auto ok = DisconnectCause::OriginRejected; // Verdict's default, unused when allowed
    QTest::newRow("allowed, no token configured")
        << QString() << QByteArray("/check") << QList<QByteArray>{goodHost} << 200 << ok
        << QByteArray();
    QTest::newRow("allowed with token")
        << token << QByteArray("/check") << QList<QByteArray>{goodHost, goodAuth} << 200 << ok
        << QByteArray();
    QTest::newRow("allowed origin")
        << token << QByteArray("/check")
        << QList<QByteArray>{goodHost, "Origin: http://localhost:6274", goodAuth} << 200 << ok
        << QByteArray();
    QTest::newRow("header names in lower case")
        << token << QByteArray("/check")
        << QList<QByteArray>{"host: localhost", "origin: http://localhost:6274",
                             "authorization: Bearer t0k"}
        << 200 << ok << QByteArray();
    QTest::newRow("foreign host") << token << QByteArray("/check")
                                  << QList<QByteArray>{"Host: evil.example.com", goodAuth} << 403
                                  << DisconnectCause::OriginRejected << QByteArray();
    QTest::newRow("no host") << token << QByteArray("/check") << QList<QByteArray>{goodAuth} << 403
                             << DisconnectCause::OriginRejected << QByteArray();
    QTest::newRow("foreign origin")
        << token << QByteArray("/check")
        << QList<QByteArray>{goodHost, "Origin: http://localhost.evil.example", goodAuth} << 403
        << DisconnectCause::OriginRejected << QByteArray();
    QTest::newRow("foreign origin before missing token")
        << token << QByteArray("/check")
        << QList<QByteArray>{goodHost, "Origin: http://evil.example"} << 403
        << DisconnectCause::OriginRejected << QByteArray();
    QTest::newRow("foreign host before missing token")
        << token << QByteArray("/check") << QList<QByteArray>{"Host: evil.example.com"} << 403
        << DisconnectCause::OriginRejected << QByteArray();
    QTest::newRow("missing token")
        << token << QByteArray("/check") << QList<QByteArray>{goodHost} << 401
        << DisconnectCause::AuthFailed << QByteArray("Bearer realm=\"heartline\"");
    QTest::newRow("wrong token") << token << QByteArray("/check")
                                 << QList<QByteArray>{goodHost, "Authorization: Bearer nope"} << 401
                                 << DisconnectCause::AuthFailed
                                 << QByteArray(
                                        "Bearer realm=\"heartline\", error=\"invalid_token\"");
    QTest::newRow("Basic instead of Bearer")
        << token << QByteArray("/check") << QList<QByteArray>{goodHost, "Authorization: Basic dDBr"}
        << 401 << DisconnectCause::AuthFailed
        << QByteArray("Bearer realm=\"heartline\", error=\"invalid_token\"");
    QTest::newRow("token not required")
        << token << QByteArray("/open") << QList<QByteArray>{goodHost} << 200 << ok << QByteArray();
    QTest::newRow("token not required, host still checked")
        << token << QByteArray("/open") << QList<QByteArray>{"Host: evil.example.com"} << 403
        << DisconnectCause::OriginRejected << QByteArray();
}

void tst_AccessPolicy::checkRefusesHostThenOriginThenToken()
{
    QFETCH(QString, token);
    QFETCH(QByteArray, path);
    QFETCH(QList<QByteArray>, headers);
    QFETCH(int, status);
    QFETCH(DisconnectCause, cause);
    QFETCH(QByteArray, wwwAuthenticate);

    m_server.setPolicy(configWith(u"127.0.0.1"_s, token));
    RawHttpClient client;
    QVERIFY(m_server.request(client, "GET", path, headers));
    QVERIFY2(client.response().status == status, qPrintable(client.response().describe()));
    QCOMPARE(client.response().header("WWW-Authenticate"), wwwAuthenticate);
    if (status != 200) {
        QCOMPARE(client.response().header("X-Cause"), DisconnectCauses::name(cause).toUtf8());
        QVERIFY(!client.response().body.isEmpty()); // a reason a person can read
    }
    // The verdict never leaks the configured token.
    if (!token.isEmpty())
        QVERIFY(!client.response().body.contains(token.toUtf8()));
}

void tst_AccessPolicy::corsHeadersOnlyForAnAllowedOrigin_data()
{
    QTest::addColumn<QByteArray>("origin"); // empty: no Origin header
    QTest::addColumn<bool>("cors");

    QTest::newRow("no Origin") << QByteArray() << false;
    QTest::newRow("loopback") << QByteArray("http://localhost:6274") << true;
    QTest::newRow("configured") << QByteArray("https://app.example.com") << true;
    QTest::newRow("foreign") << QByteArray("http://evil.example") << false;
    QTest::newRow("prefix trick") << QByteArray("http://localhost.evil.example") << false;
}

void tst_AccessPolicy::corsHeadersOnlyForAnAllowedOrigin()
{
    QFETCH(QByteArray, origin);
    QFETCH(bool, cors);

    m_server.setPolicy(configWith(u"127.0.0.1"_s, u"t"_s, {u"https://app.example.com"_s}));
    QList<QByteArray> headers{"Host: localhost"};
    if (!origin.isEmpty())
        headers.append("Origin: " + origin);
    RawHttpClient client;
    QVERIFY(m_server.request(client, "GET", "/cors", headers));
    QCOMPARE(client.response().status, 200);
    if (!cors) {
        QCOMPARE(client.response().header("Access-Control-Allow-Origin"), QByteArray());
        QCOMPARE(client.response().header("Access-Control-Expose-Headers"), QByteArray());
        return;
    }
    QCOMPARE(client.response().header("Access-Control-Allow-Origin"), origin); // echoed, never "*"
    QCOMPARE(client.response().header("Vary"), QByteArray("Origin"));
    const QByteArray exposed = client.response().header("Access-Control-Expose-Headers").toLower();
    QVERIFY2(exposed.contains("mcp-session-id"), exposed.constData());
    QVERIFY2(exposed.contains("mcp-protocol-version"), exposed.constData());
}

void tst_AccessPolicy::preflightAnswersAllowedOriginsWithoutToken_data()
{
    QTest::addColumn<QByteArray>("host");
    QTest::addColumn<QByteArray>("origin"); // empty: no Origin header
    QTest::addColumn<int>("status");

    QTest::newRow("loopback origin")
        << QByteArray("localhost:8650") << QByteArray("http://localhost:6274") << 204;
    QTest::newRow("configured origin")
        << QByteArray("127.0.0.1:8650") << QByteArray("https://app.example.com") << 204;
    QTest::newRow("foreign origin")
        << QByteArray("localhost:8650") << QByteArray("http://evil.example") << 403;
    QTest::newRow("no origin") << QByteArray("localhost:8650") << QByteArray() << 403;
    QTest::newRow("foreign host") << QByteArray("evil.example.com")
                                  << QByteArray("http://localhost:6274") << 403;
}

void tst_AccessPolicy::preflightAnswersAllowedOriginsWithoutToken()
{
    QFETCH(QByteArray, host);
    QFETCH(QByteArray, origin);
    QFETCH(int, status);

    m_server.setPolicy(configWith(u"127.0.0.1"_s, u"t"_s, {u"https://app.example.com"_s}));
    QList<QByteArray> headers{"Host: " + host, "Access-Control-Request-Method: POST",
                              "Access-Control-Request-Headers: content-type, mcp-session-id"};
    if (!origin.isEmpty())
        headers.append("Origin: " + origin);
    RawHttpClient client;
    QVERIFY(m_server.request(client, "OPTIONS", "/preflight", headers));
    QCOMPARE(client.response().status, status);
    if (status != 204) {
        QCOMPARE(client.response().header("Access-Control-Allow-Origin"), QByteArray());
        return;
    }
    QCOMPARE(client.response().header("Access-Control-Allow-Origin"), origin);
    const auto listed = [&](const QByteArray &name) {
        QList<QByteArray> items;
        for (const QByteArray &item : client.response().header(name).split(','))
            items.append(item.trimmed().toLower());
        return items;
    };
    const QList<QByteArray> methods = listed("Access-Control-Allow-Methods");
    for (const QByteArray method : {"get", "post", "delete"})
        QVERIFY2(methods.contains(method), method.constData());
    const QList<QByteArray> allowed = listed("Access-Control-Allow-Headers");
    for (const QByteArray header : {"content-type", "accept", "authorization", "mcp-session-id",
                                    "mcp-protocol-version", "last-event-id"})
        QVERIFY2(allowed.contains(header), header.constData());
    const QList<QByteArray> exposed = listed("Access-Control-Expose-Headers");
    QVERIFY(exposed.contains("mcp-session-id"));
    QVERIFY(exposed.contains("mcp-protocol-version"));
    QVERIFY(client.response().header("Access-Control-Max-Age").toInt() > 0);
}

HEARTLINE_SERVER_TEST_MAIN(tst_AccessPolicy)
#include "tst_accesspolicy.moc"
