// The HTTP+SSE transport of MCP 2024-11-05 at GET /sse + POST /messages?sessionId=, as older
// SDKs, bridges and hubs still speak it.
#include "server/api/monitor.h"
#include "server/core/control.h"
#include "server/core/heartlineserver.h"
#include "server/protocol/catalog/toolregistry.h"
#include "server/session/sessionstore.h"
#include "tests/support/inprocessserver.h"
#include "tests/support/mcptestsupport.h"
#include "tests/support/rawhttpclient.h"
#include "tests/support/servertestmain.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QSignalSpy>
#include <QTest>
#include <QUrl>
#include <QUrlQuery>

#include <memory>

using namespace Qt::StringLiterals;
using namespace heartline;
using namespace heartline::testing;

namespace {

RawHeaders jsonHeaders()
{
    return {{"Content-Type", "application/json"}};
}

QList<SseItem> messages(const QList<SseItem> &items)
{
    QList<SseItem> found;
    for (const SseItem &item : items) {
        if (item.isEvent() && item.event == "message")
            found.append(item);
    }
    return found;
}

} // namespace

class tst_LegacySse final : public InProcessServerTest
{
    Q_OBJECT

public:
    tst_LegacySse()
        : InProcessServerTest(loopbackConfig(50, 50))
    {}

private Q_SLOTS:
    void streamStartsWithARelativeEndpoint();
    void messagesAreAcceptedAndAnsweredOnTheStream();
    void streamCarriesHeartbeatsAndListChanged();
    void refusesBadPosts_data();
    void refusesBadPosts();
    void otherMethodsAreNotAllowed();
    void foreignOriginIsForbidden();
    void sessionEndsWithItsStream();
    void queryTokenCarriesOverToTheEndpoint();
    void legacySessionIdIsNotAStreamableSession();

private:
    // Opens /sse on `stream`; returns the endpoint path it names (empty on failure).
    QByteArray openStream(RawHttpClient &stream);
    HttpResponse post(const QByteArray &endpoint, const QByteArray &body,
                      const RawHeaders &headers = jsonHeaders());
};

QByteArray tst_LegacySse::openStream(RawHttpClient &stream)
{
    if (!stream.send("GET", "/sse", {{"Accept", "text/event-stream"}}))
        return {};
    QByteArray endpoint;
    stream.waitForSse([&endpoint](const QList<SseItem> &items) {
        for (const SseItem &item : items) {
            if (item.isEvent() && item.event == "endpoint")
                endpoint = item.data;
        }
        return !endpoint.isEmpty();
    });
    return endpoint;
}

HttpResponse tst_LegacySse::post(const QByteArray &endpoint, const QByteArray &body,
                                 const RawHeaders &headers)
{
    return RawHttpClient(m_port).request("POST", endpoint, headers, body);
}

void tst_LegacySse::streamStartsWithARelativeEndpoint()
{
    QVERIFY(startServer(testConfig()));
    RawHttpClient stream(m_port);
    const QByteArray endpoint = openStream(stream);
    QCOMPARE(stream.response().status, 200);
    QVERIFY(stream.response().isEventStream());
    QCOMPARE(stream.response().header("X-Accel-Buffering"), QByteArray("no"));
    // Same-origin and relative: SDK clients resolve it against the /sse URL.
    QVERIFY2(endpoint.startsWith("/messages?sessionId="), endpoint.constData());
    const QString id =
        QUrlQuery(QUrl(QString::fromLatin1(endpoint))).queryItemValue(u"sessionId"_s);
    QVERIFY(m_server->sessions()->find(id));
    // No priming event: 2024-11-05 clients would take empty data for a message.
    for (const SseItem &item : stream.response().sse)
        QVERIFY(!(item.isEvent() && item.hasData && item.data.isEmpty()));
}

void tst_LegacySse::messagesAreAcceptedAndAnsweredOnTheStream()
{
    QVERIFY(startServer(testConfig()));
    RawHttpClient stream(m_port);
    const QByteArray endpoint = openStream(stream);
    QVERIFY(!endpoint.isEmpty());

    const HttpResponse accepted = post(endpoint, initializeBody("2024-11-05"));
    QCOMPARE(accepted.status, 202);
    QCOMPARE(accepted.body, QByteArray("Accepted"));
    QVERIFY(
        stream.waitForSse([](const QList<SseItem> &items) { return !messages(items).isEmpty(); }));
    const QJsonObject result = messages(stream.response().sse).first().message();
    QCOMPARE(result.value("id"_L1), QJsonValue(0));
    QCOMPARE(result.value("result"_L1).toObject().value("protocolVersion"_L1).toString(),
             u"2024-11-05"_s);

    QCOMPARE(post(endpoint, notificationBody(u"notifications/initialized"_s)).status, 202);
    QCOMPARE(post(endpoint, toolCallBody(1, u"echo"_s, {{"message"_L1, u"héllo"_s}})).status, 202);
    QVERIFY(
        stream.waitForSse([](const QList<SseItem> &items) { return messages(items).size() >= 2; }));
    const QJsonObject echoed = messages(stream.response().sse).at(1).message();
    QCOMPARE(echoed.value("id"_L1), QJsonValue(1));
    QCOMPARE(firstContentText(echoed), u"héllo"_s);

    // Progress of a long call travels on the one stream too, before its response.
    QCOMPARE(
        post(endpoint, toolCallBody(2, u"sleep"_s, {{"ms"_L1, 300}, {"progressEveryMs"_L1, 50}}, 2))
            .status,
        202);
    QVERIFY(stream.waitForSse([](const QList<SseItem> &items) {
        for (const SseItem &item : messages(items)) {
            if (item.message().value("id"_L1) == QJsonValue(2))
                return true;
        }
        return false;
    }));
    int progress = 0;
    for (const SseItem &item : messages(stream.response().sse)) {
        if (item.message().value("method"_L1) == "notifications/progress"_L1)
            ++progress;
    }
    QVERIFY2(progress >= 3, qPrintable(QString::number(progress)));
}

void tst_LegacySse::streamCarriesHeartbeatsAndListChanged()
{
    QVERIFY(startServer(testConfig()));
    RawHttpClient stream(m_port);
    const QByteArray endpoint = openStream(stream);
    QVERIFY(stream.waitForSse([](const QList<SseItem> &items) {
        int beats = 0;
        for (const SseItem &item : items)
            beats += item.isHeartbeat() ? 1 : 0;
        return beats >= 3;
    }));
    QCOMPARE(post(endpoint, initializeBody("2025-06-18")).status, 202);
    QCOMPARE(post(endpoint, notificationBody(u"notifications/initialized"_s)).status, 202);
    QString error;
    QVERIFY(m_server->control()->setToolEnabled(u"now"_s, false, &error));
    QVERIFY(stream.waitForSse([](const QList<SseItem> &items) {
        for (const SseItem &item : messages(items)) {
            if (item.message().value("method"_L1) == "notifications/tools/list_changed"_L1)
                return true;
        }
        return false;
    }));
}

void tst_LegacySse::refusesBadPosts_data()
{
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<QByteArray>("contentType");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("status");

    const QByteArray ping = R"({"jsonrpc":"2.0","id":1,"method":"ping"})";
    QTest::newRow("no sessionId") << QByteArray("/messages") << QByteArray("application/json")
                                  << ping << 400;
    QTest::newRow("unknown sessionId")
        << QByteArray("/messages?sessionId=nope") << QByteArray("application/json") << ping << 404;
    QTest::newRow("streamable session")
        << QByteArray("STREAMABLE") << QByteArray("application/json") << ping << 400;
    QTest::newRow("text body") << QByteArray("LEGACY") << QByteArray("text/plain") << ping << 415;
    QTest::newRow("not JSON") << QByteArray("LEGACY") << QByteArray("application/json")
                              << QByteArray("{oops") << 400;
    QTest::newRow("not JSON-RPC") << QByteArray("LEGACY") << QByteArray("application/json")
                                  << QByteArray(R"({"id":1})") << 400;
    QTest::newRow("batch") << QByteArray("LEGACY") << QByteArray("application/json")
                           << QByteArray("[" + ping + "]") << 400;
}

void tst_LegacySse::refusesBadPosts()
{
    QFETCH(QByteArray, path);
    QFETCH(QByteArray, contentType);
    QFETCH(QByteArray, body);
    QFETCH(int, status);

    QVERIFY(startServer(testConfig()));
    RawHttpClient stream(m_port);
    const QByteArray endpoint = openStream(stream);
    QVERIFY(!endpoint.isEmpty());
    if (path == "LEGACY")
        path = endpoint;
    if (path == "STREAMABLE") {
        const McpTestSession streamable = openSession(m_port);
        QVERIFY(streamable.ok());
        path = "/messages?sessionId=" + streamable.id;
    }
    const HttpResponse refused = post(path, body, {{"Content-Type", contentType}});
    QCOMPARE(refused.status, status);
    QVERIFY2(refused.jsonRpcErrorCode() != 0, qPrintable(refused.describe()));

    // Nothing changed: the session still answers on its stream.
    QCOMPARE(post(endpoint, initializeBody("2024-11-05")).status, 202);
    QVERIFY(
        stream.waitForSse([](const QList<SseItem> &items) { return !messages(items).isEmpty(); }));
}

void tst_LegacySse::otherMethodsAreNotAllowed()
{
    QVERIFY(startServer(testConfig()));
    const HttpResponse postToSse =
        RawHttpClient(m_port).request("POST", "/sse", jsonHeaders(), "{}");
    QCOMPARE(postToSse.status, 405);
    QVERIFY(postToSse.header("Allow").contains("GET"));
    const HttpResponse getMessages = RawHttpClient(m_port).request("GET", "/messages");
    QCOMPARE(getMessages.status, 405);
    QVERIFY(getMessages.header("Allow").contains("POST"));
}

void tst_LegacySse::foreignOriginIsForbidden()
{
    QVERIFY(startServer(testConfig()));
    const HttpResponse refused = RawHttpClient(m_port).request(
        "GET", "/sse",
        {{"Accept", "text/event-stream"}, {"Origin", "http://localhost.evil.example"}});
    QCOMPARE(refused.status, 403);
    QCOMPARE(m_server->sessions()->count(), 0);
}

void tst_LegacySse::sessionEndsWithItsStream()
{
    QVERIFY(startServer(testConfig()));
    QSignalSpy ended(m_server->monitor(), &Monitor::disconnected);
    RawHttpClient stream(m_port);
    const QByteArray endpoint = openStream(stream);
    QVERIFY(!endpoint.isEmpty());
    QCOMPARE(m_server->sessions()->count(), 1);
    stream.closeWriteSide();
    QVERIFY(waitUntil([this]() { return m_server->sessions()->count() == 0; }));
    QCOMPARE(post(endpoint, R"({"jsonrpc":"2.0","id":1,"method":"ping"})").status, 404);
    bool clientClosed = false;
    for (const QList<QVariant> &args : ended)
        clientClosed =
            clientClosed
            || args.first().value<DisconnectEvent>().cause == DisconnectCause::ClientClosed;
    QVERIFY(clientClosed);
}

void tst_LegacySse::queryTokenCarriesOverToTheEndpoint()
{
    // A client that can only put the token in the URL gets it back in the endpoint, so its
    // POSTs pass the same check its stream did.
    ServerConfig config = testConfig();
    config.token = u"s3cr&t"_s;
    config.allowTokenInQuery = true;
    QVERIFY(startServer(config));
    RawHttpClient stream(m_port);
    QVERIFY(stream.send("GET", "/sse?token=s3cr%26t", {{"Accept", "text/event-stream"}}));
    QByteArray endpoint;
    QVERIFY(stream.waitForSse([&endpoint](const QList<SseItem> &items) {
        for (const SseItem &item : items) {
            if (item.isEvent() && item.event == "endpoint")
                endpoint = item.data;
        }
        return !endpoint.isEmpty();
    }));
    QVERIFY2(endpoint.endsWith("&token=s3cr%26t"), endpoint.constData());
    QCOMPARE(post(endpoint, initializeBody("2024-11-05")).status, 202);
    const QByteArray withoutToken = endpoint.left(endpoint.indexOf('&'));
    QCOMPARE(post(withoutToken, initializeBody("2024-11-05")).status, 401);
}

void tst_LegacySse::legacySessionIdIsNotAStreamableSession()
{
    QVERIFY(startServer(testConfig()));
    RawHttpClient stream(m_port);
    const QByteArray endpoint = openStream(stream);
    const QByteArray id = endpoint.mid(endpoint.indexOf('=') + 1);
    const HttpResponse refused =
        RawHttpClient(m_port).request("POST", "/mcp", postHeaders(id), requestBody(1, u"ping"_s));
    QCOMPARE(refused.status, 400);
    QVERIFY2(refused.body.contains("/sse"), refused.body.constData());
    QCOMPARE(RawHttpClient(m_port).request("DELETE", "/mcp", deleteHeaders(id)).status, 400);
    QCOMPARE(m_server->sessions()->count(), 1); // the legacy session lives on
}

HEARTLINE_SERVER_TEST_MAIN(tst_LegacySse)
#include "tst_legacysse.moc"
