// The real Heartline server, in this process on port 0, spoken to in raw HTTP/1.1 over
// QTcpSocket: the Streamable HTTP transport at /mcp (server-requirements.md §a, the status
// table §a.10 and the pitfalls of §h), the SSE behaviour DESIGN.md promises (opening comment,
// heartbeats, priming, adaptive POST replies) and what the Monitor reports about it.

#include "tests/support/mcptestsupport.h"
#include "tests/support/rawhttpclient.h"

#include "server/api/monitor.h"
#include "server/core/control.h"
#include "server/core/heartlineserver.h"
#include "server/protocol/catalog/toolregistry.h"
#include "server/session/sessionstore.h"
#include "server/transport/streamablehttp.h"
#include "tests/support/inprocessserver.h"
#include "tests/support/servertestmain.h"

#include <QJsonArray>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>

#include <algorithm>
#include <memory>

using namespace Qt::StringLiterals;
using namespace heartline;
using namespace heartline::testing;

namespace {

constexpr int kHeartbeatMs = 50;
constexpr int kGraceMs = 20;
constexpr char kListChanged[] = "notifications/tools/list_changed";

// The id of the POST stream the Monitor saw open for `sessionId` (empty if none or several).
QString postStreamId(const QSignalSpy &opened, const QByteArray &sessionId)
{
    QStringList ids;
    for (const QList<QVariant> &arguments : opened) {
        const StreamInfo info = arguments.at(0).value<StreamInfo>();
        if (info.sessionId == QString::fromLatin1(sessionId)
            && info.kind == StreamKind::PostResponse)
            ids.append(info.id);
    }
    return ids.size() == 1 ? ids.first() : QString();
}

// Whether the Monitor saw the request `id` of `method` arrive.
bool sawIncoming(const QSignalSpy &observed, const QString &method, const QString &id)
{
    return std::any_of(observed.cbegin(), observed.cend(), [&](const QList<QVariant> &arguments) {
        const MessageEvent event = arguments.at(0).value<MessageEvent>();
        return event.direction == MessageEvent::Direction::In && event.method == method
               && event.id == id;
    });
}

// Whether any event of a stream is a final response (a result or an error) to `id`.
bool answers(const QList<SseItem> &items, int id)
{
    return std::any_of(items.cbegin(), items.cend(), [id](const SseItem &item) {
        const QJsonObject message = item.message();
        return item.isEvent() && isFinalResponse(message)
               && message.value("id"_L1) == QJsonValue(id);
    });
}

// Replaces {SID} in a header line of a data table by the session of the test.
RawHeaders expandHeaders(const QByteArrayList &lines, const QByteArray &sessionId)
{
    RawHeaders headers;
    for (QByteArray line : lines) {
        line.replace("{SID}", sessionId);
        const qsizetype colon = line.indexOf(':');
        headers.append({line.left(colon).trimmed(), line.mid(colon + 1).trimmed()});
    }
    return headers;
}

QByteArrayList withHeader(QByteArrayList lines, const QByteArray &line)
{
    const QByteArray name = line.left(line.indexOf(':')).toLower();
    lines.removeIf(
        [&name](const QByteArray &l) { return l.left(l.indexOf(':')).toLower() == name; });
    lines.append(line);
    return lines;
}

QByteArrayList withoutHeader(QByteArrayList lines, const QByteArray &name)
{
    lines.removeIf([&name](const QByteArray &l) {
        return l.left(l.indexOf(':')).toLower() == name.toLower();
    });
    return lines;
}

// The value of one unlabelled sample in a Prometheus text exposition, or -1.
qint64 metricValue(const QByteArray &exposition, const QByteArray &name)
{
    for (const QByteArray &line : exposition.split('\n')) {
        if (line.startsWith(QByteArray(name + ' ')))
            return line.mid(name.size() + 1).trimmed().toLongLong();
    }
    return -1;
}

} // namespace

class tst_StreamableHttp final : public InProcessServerTest
{
    Q_OBJECT

public:
    tst_StreamableHttp()
        : InProcessServerTest(loopbackConfig(kHeartbeatMs, kGraceMs))
    {}

private Q_SLOTS:
    // Handshake
    void initializeAnswersJsonWithSessionId();
    void sessionIdsAreVisibleAsciiAndUnique();
    void initializedNotificationIsAcceptedWithEmptyBody();
    void clientResponsesAreAcceptedWithEmptyBody();

    // Status codes (§a.10); after each refusal the server serves the same session unchanged
    void refusesBadRequests_data();
    void refusesBadRequests();
    void readsAcceptAndContentTypeAsRfc9110_data();
    void readsAcceptAndContentTypeAsRfc9110();
    void acceptsSupportedProtocolVersionHeaders_data();
    void acceptsSupportedProtocolVersionHeaders();
    void answersBatchOnlyOnRevision20250326();
    void refusesSecondGetStream();
    void allowsLoopbackBrowserOriginWithCors();
    void answersPreflightWithoutToken();
    void requiresBearerTokenWhenConfigured_data();
    void requiresBearerTokenWhenConfigured();
    void servesHealthz();
    void metricsCountSessionsAndHeartbeats();

    // Behaviour
    void idleGetStreamCarriesHeartbeats();
    void primingEventStartsStreamsFromRevision20251125_data();
    void primingEventStartsStreamsFromRevision20251125();
    void slowToolCallStreamsProgressBeforeResponse();
    void fastToolCallIsAnsweredAsJson();
    void connectionIsReusedAfterPostStream();
    void toolToggleBurstSendsOneListChanged();
    void disabledToolIsRefused();
    void deleteEndsSessionAndItsStreams();
    void duplicateInFlightRequestIdIsRefused();
    void idleSessionExpires();
    void clientClosingGetStreamIsReported();

    // Requests that end without their answer
    void cancelledStreamingCallEndsItsPostWithoutResponse();
    void cancelWithinGracePeriodEndsThePostAtOnce();
    void endingSessionAnswersPendingPostWithError_data();
    void endingSessionAnswersPendingPostWithError();
    void shutdownAnswersPendingPostAndRefusesNewRequests();
    void metricsNameOnlyRegisteredTools();

private:
    // Empty when the session still answers tools/list and no session came or went.
    QString stillServes(const McpTestSession &session, int sessionsBefore);
};

QString tst_StreamableHttp::stillServes(const McpTestSession &session, int sessionsBefore)
{
    static int nextId = 5000;
    const HttpResponse response =
        postOnce(m_port, session.post(), requestBody(++nextId, u"tools/list"_s));
    if (response.status != 200
        || !response.jsonObject().value("result"_L1).toObject().value("tools"_L1).isArray())
        return u"the session no longer answers tools/list: "_s + response.describe();
    if (m_server->sessions()->count() != sessionsBefore)
        return u"the number of sessions changed from %1 to %2"_s.arg(sessionsBefore)
            .arg(m_server->sessions()->count());
    return {};
}

// --- Handshake ---------------------------------------------------------------------------

void tst_StreamableHttp::initializeAnswersJsonWithSessionId()
{
    QVERIFY(startServer());
    RawHttpClient client(m_port);
    const HttpResponse response =
        client.request("POST", "/mcp", postHeaders(), initializeBody(kLatestRevision, 0));
    QVERIFY2(response.complete, qPrintable(response.describe()));
    QCOMPARE(response.status, 200);
    QCOMPARE(response.mediaType(), QByteArray("application/json"));
    QVERIFY(!response.header("Mcp-Session-Id").isEmpty());

    const QJsonObject message = response.jsonObject();
    // id 0 is a valid id and must come back as the number 0, not null or "0".
    QVERIFY(message.value("id"_L1).isDouble());
    QCOMPARE(message.value("id"_L1).toInt(-1), 0);
    const QJsonObject result = message.value("result"_L1).toObject();
    QCOMPARE(result.value("protocolVersion"_L1).toString(), QString::fromLatin1(kLatestRevision));
    QVERIFY(result.value("capabilities"_L1).toObject().contains("tools"_L1));
    QCOMPARE(result.value("serverInfo"_L1).toObject().value("name"_L1).toString(), u"heartline"_s);
    QCOMPARE(m_server->sessions()->count(), 1);
}

void tst_StreamableHttp::sessionIdsAreVisibleAsciiAndUnique()
{
    QVERIFY(startServer());
    static const QRegularExpression visibleAscii(u"^[\\x21-\\x7E]{32,}$"_s);
    QSet<QByteArray> ids;
    for (int i = 0; i < 4; ++i) {
        const McpTestSession session = openSession(m_port, kLatestRevision, false);
        QVERIFY2(session.ok(), qPrintable(session.error));
        QVERIFY2(visibleAscii.match(QString::fromLatin1(session.id)).hasMatch(),
                 session.id.constData());
        ids.insert(session.id);
    }
    QCOMPARE(ids.size(), 4);
}

void tst_StreamableHttp::initializedNotificationIsAcceptedWithEmptyBody()
{
    QVERIFY(startServer());
    const McpTestSession session = openSession(m_port, kLatestRevision, false);
    QVERIFY2(session.ok(), qPrintable(session.error));

    const HttpResponse response =
        postOnce(m_port, session.post(), notificationBody(u"notifications/initialized"_s));
    QVERIFY2(response.complete, qPrintable(response.describe()));
    QCOMPARE(response.status, 202);
    QVERIFY2(response.body.isEmpty(), response.body.constData());
    QVERIFY(stillServes(session, 1).isEmpty());
}

void tst_StreamableHttp::clientResponsesAreAcceptedWithEmptyBody()
{
    QVERIFY(startServer());
    const McpTestSession session = openSession(m_port);
    QVERIFY2(session.ok(), qPrintable(session.error));

    // What a client sends back for a sampling or elicitation request: a result, or an error.
    const QList<QByteArray> bodies{
        R"({"jsonrpc":"2.0","id":99,"result":{"action":"decline"}})",
        R"({"jsonrpc":"2.0","id":"s-1","error":{"code":-32601,"message":"not supported"}})"};
    for (const QByteArray &body : bodies) {
        const HttpResponse response = postOnce(m_port, session.post(), body);
        QVERIFY2(response.complete, qPrintable(response.describe()));
        QCOMPARE(response.status, 202);
        QVERIFY2(response.body.isEmpty(), response.body.constData());
    }
    const QString problem = stillServes(session, 1);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
}

// --- Status codes --------------------------------------------------------------------------

void tst_StreamableHttp::readsAcceptAndContentTypeAsRfc9110_data()
{
    QTest::addColumn<QByteArray>("accept");
    QTest::addColumn<bool>("json");   // application/json acceptable
    QTest::addColumn<bool>("events"); // text/event-stream acceptable

    QTest::newRow("both") << QByteArray("application/json, text/event-stream") << true << true;
    QTest::newRow("no spaces, other case")
        << QByteArray("Application/JSON,TEXT/Event-Stream") << true << true;
    QTest::newRow("anything") << QByteArray("*/*") << true << true;
    QTest::newRow("type wildcards") << QByteArray("application/*, text/*") << true << true;
    QTest::newRow("one of them") << QByteArray("application/json") << true << false;
    QTest::newRow("q=0 refuses") << QByteArray("application/json;q=0, text/event-stream") << false
                                 << true;
    QTest::newRow("q=0.0 refuses, spaced")
        << QByteArray("text/event-stream ; Q=0.0 , application/json") << true << false;
    QTest::newRow("q=0.5 accepts")
        << QByteArray("application/json;q=0.5, text/*;q=0.1") << true << true;
    QTest::newRow("unreadable q refuses") << QByteArray("*/*;q=x") << false << false;
    QTest::newRow("refused wildcard, named type")
        << QByteArray("*/*;q=0, application/json") << true << false;
    QTest::newRow("longer name") << QByteArray("application/jsonx, text/event-streams") << false
                                 << false;
    QTest::newRow("other type's wildcard") << QByteArray("text/*") << false << true;
    QTest::newRow("type only") << QByteArray("application, text") << false << false;
    QTest::newRow("empty") << QByteArray() << false << false;
    QTest::newRow("commas only") << QByteArray(" , ,") << false << false;
}

void tst_StreamableHttp::readsAcceptAndContentTypeAsRfc9110()
{
    QFETCH(QByteArray, accept);
    QFETCH(bool, json);
    QFETCH(bool, events);
    QCOMPARE(StreamableHttp::acceptsMediaType(accept, "application/json"), json);
    QCOMPARE(StreamableHttp::acceptsMediaType(accept, "text/event-stream"), events);
    // Content-Type is one media type with parameters, its name read without regard to case.
    QVERIFY(StreamableHttp::isJsonContentType("application/json"));
    QVERIFY(StreamableHttp::isJsonContentType(" Application/JSON ; charset=utf-8"));
    QVERIFY(!StreamableHttp::isJsonContentType("application/json-patch+json"));
    QVERIFY(!StreamableHttp::isJsonContentType(""));
}

void tst_StreamableHttp::refusesBadRequests_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<QByteArrayList>("headers"); // "Name: value", {SID} = the test's session
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("status");
    QTest::addColumn<int>("rpcCode");           // 0: any (or no) body
    QTest::addColumn<QByteArray>("mustHeader"); // a header the refusal must carry

    const QByteArrayList post{"Accept: application/json, text/event-stream",
                              "Content-Type: application/json", "Mcp-Session-Id: {SID}",
                              "MCP-Protocol-Version: 2025-11-25"};
    const QByteArrayList get{"Accept: text/event-stream", "Mcp-Session-Id: {SID}",
                             "MCP-Protocol-Version: 2025-11-25"};
    const QByteArrayList del{"Mcp-Session-Id: {SID}", "MCP-Protocol-Version: 2025-11-25"};
    const QByteArray list = R"({"jsonrpc":"2.0","id":1,"method":"tools/list"})";
    const QByteArray unknownId = "Mcp-Session-Id: 0123456789abcdef0123456789abcdef";
    const QByteArray init = initializeBody(kLatestRevision, 0);

    QTest::newRow("POST without session id")
        << QByteArray("POST") << QByteArray("/mcp") << withoutHeader(post, "Mcp-Session-Id") << list
        << 400 << 0 << QByteArray();
    QTest::newRow("POST with unknown session id")
        << QByteArray("POST") << QByteArray("/mcp") << withHeader(post, unknownId) << list << 404
        << -32001 << QByteArray();
    QTest::newRow("GET without session id")
        << QByteArray("GET") << QByteArray("/mcp") << withoutHeader(get, "Mcp-Session-Id")
        << QByteArray() << 400 << 0 << QByteArray();
    QTest::newRow("GET with unknown session id")
        << QByteArray("GET") << QByteArray("/mcp") << withHeader(get, unknownId) << QByteArray()
        << 404 << -32001 << QByteArray();
    QTest::newRow("DELETE without session id")
        << QByteArray("DELETE") << QByteArray("/mcp") << withoutHeader(del, "Mcp-Session-Id")
        << QByteArray() << 400 << 0 << QByteArray();
    QTest::newRow("DELETE with unknown session id")
        << QByteArray("DELETE") << QByteArray("/mcp") << withHeader(del, unknownId) << QByteArray()
        << 404 << -32001 << QByteArray();

    QTest::newRow("unsupported MCP-Protocol-Version")
        << QByteArray("POST") << QByteArray("/mcp")
        << withHeader(post, "MCP-Protocol-Version: 1999-01-01") << list << 400 << 0 << QByteArray();
    QTest::newRow("invalid MCP-Protocol-Version")
        << QByteArray("POST") << QByteArray("/mcp")
        << withHeader(post, "MCP-Protocol-Version: latest") << list << 400 << 0 << QByteArray();
    QTest::newRow("unsupported MCP-Protocol-Version on GET")
        << QByteArray("GET") << QByteArray("/mcp")
        << withHeader(get, "MCP-Protocol-Version: 2099-12-31") << QByteArray() << 400 << 0
        << QByteArray();

    QTest::newRow("Accept without text/event-stream")
        << QByteArray("POST") << QByteArray("/mcp") << withHeader(post, "Accept: application/json")
        << list << 406 << 0 << QByteArray();
    QTest::newRow("Accept without application/json")
        << QByteArray("POST") << QByteArray("/mcp") << withHeader(post, "Accept: text/event-stream")
        << list << 406 << 0 << QByteArray();
    QTest::newRow("no Accept") << QByteArray("POST") << QByteArray("/mcp")
                               << withoutHeader(post, "Accept") << list << 406 << 0 << QByteArray();
    QTest::newRow("GET accepting only JSON")
        << QByteArray("GET") << QByteArray("/mcp") << withHeader(get, "Accept: application/json")
        << QByteArray() << 406 << 0 << QByteArray();

    QTest::newRow("Content-Type text/plain")
        << QByteArray("POST") << QByteArray("/mcp") << withHeader(post, "Content-Type: text/plain")
        << list << 415 << 0 << QByteArray();
    QTest::newRow("no Content-Type")
        << QByteArray("POST") << QByteArray("/mcp") << withoutHeader(post, "Content-Type") << list
        << 415 << 0 << QByteArray();

    QTest::newRow("PUT") << QByteArray("PUT") << QByteArray("/mcp") << post << list << 405 << 0
                         << QByteArray("Allow");
    QTest::newRow("PATCH") << QByteArray("PATCH") << QByteArray("/mcp") << post << list << 405 << 0
                           << QByteArray("Allow");

    QTest::newRow("malformed JSON")
        << QByteArray("POST") << QByteArray("/mcp") << post
        << QByteArray(R"({"jsonrpc":"2.0","id":1,)") << 400 << -32700 << QByteArray();
    QTest::newRow("JSON-RPC 1.0") << QByteArray("POST") << QByteArray("/mcp") << post
                                  << QByteArray(R"({"jsonrpc":"1.0","id":1,"method":"ping"})")
                                  << 400 << -32600 << QByteArray();
    QTest::newRow("neither method nor result")
        << QByteArray("POST") << QByteArray("/mcp") << post
        << QByteArray(R"({"jsonrpc":"2.0","id":1})") << 400 << -32600 << QByteArray();
    QTest::newRow("null request id") << QByteArray("POST") << QByteArray("/mcp") << post
                                     << QByteArray(R"({"jsonrpc":"2.0","id":null,"method":"ping"})")
                                     << 400 << -32600 << QByteArray();
    QTest::newRow("batch on a 2025-11-25 session")
        << QByteArray("POST") << QByteArray("/mcp") << post
        << QByteArray(R"([{"jsonrpc":"2.0","id":1,"method":"ping"}])") << 400 << 0 << QByteArray();
    QTest::newRow("initialize inside a batch")
        << QByteArray("POST") << QByteArray("/mcp")
        << withoutHeader(withoutHeader(post, "Mcp-Session-Id"), "MCP-Protocol-Version")
        << QByteArray("[" + init + "]") << 400 << 0 << QByteArray();
    QTest::newRow("initialize on an existing session")
        << QByteArray("POST") << QByteArray("/mcp") << post << init << 400 << 0 << QByteArray();

    QTest::newRow("Origin http://evil.example")
        << QByteArray("POST") << QByteArray("/mcp")
        << withHeader(post, "Origin: http://evil.example") << list << 403 << 0 << QByteArray();
    QTest::newRow("Origin http://localhost.evil.example")
        << QByteArray("POST") << QByteArray("/mcp")
        << withHeader(post, "Origin: http://localhost.evil.example") << list << 403 << 0
        << QByteArray();
    QTest::newRow("Origin null") << QByteArray("POST") << QByteArray("/mcp")
                                 << withHeader(post, "Origin: null") << list << 403 << 0
                                 << QByteArray();
    QTest::newRow("Origin on GET")
        << QByteArray("GET") << QByteArray("/mcp") << withHeader(get, "Origin: http://evil.example")
        << QByteArray() << 403 << 0 << QByteArray();
    QTest::newRow("Host evil.example.com")
        << QByteArray("POST") << QByteArray("/mcp") << withHeader(post, "Host: evil.example.com")
        << list << 403 << 0 << QByteArray();
    QTest::newRow("Host and Origin evil.example.com")
        << QByteArray("POST") << QByteArray("/mcp")
        << withHeader(withHeader(post, "Host: evil.example.com"), "Origin: http://evil.example.com")
        << list << 403 << 0 << QByteArray();
    QTest::newRow("Host localhost.evil.example")
        << QByteArray("POST") << QByteArray("/mcp")
        << withHeader(post, "Host: localhost.evil.example") << list << 403 << 0 << QByteArray();

    QTest::newRow("unknown path") << QByteArray("GET") << QByteArray("/nothing-here")
                                  << QByteArrayList() << QByteArray() << 404 << 0 << QByteArray();
    QTest::newRow("path next to /mcp")
        << QByteArray("POST") << QByteArray("/mcp2") << post << list << 404 << 0 << QByteArray();
}

void tst_StreamableHttp::refusesBadRequests()
{
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, path);
    QFETCH(QByteArrayList, headers);
    QFETCH(QByteArray, body);
    QFETCH(int, status);
    QFETCH(int, rpcCode);
    QFETCH(QByteArray, mustHeader);

    QVERIFY(startServer());
    const McpTestSession session = openSession(m_port);
    QVERIFY2(session.ok(), qPrintable(session.error));
    const int sessionsBefore = m_server->sessions()->count();

    RawHttpClient client(m_port);
    const HttpResponse response =
        client.request(method, path, expandHeaders(headers, session.id), body);
    QVERIFY2(response.complete, qPrintable(response.describe() + client.parseError()));
    QVERIFY2(response.status == status, qPrintable(response.describe()));
    if (rpcCode != 0) {
        QCOMPARE(response.mediaType(), QByteArray("application/json"));
        QVERIFY2(response.jsonRpcErrorCode() == rpcCode, qPrintable(response.describe()));
    }
    if (!mustHeader.isEmpty())
        QVERIFY2(!response.header(mustHeader).isEmpty(), qPrintable(response.describe()));
    if (status == 405) {
        const QByteArray allow = response.header("Allow");
        for (const char *allowed : {"GET", "POST", "DELETE"})
            QVERIFY2(allow.contains(allowed), allow.constData());
        QVERIFY(!allow.contains(method));
    }
    // A refused request opens no session (no Mcp-Session-Id handed out).
    QVERIFY2(!response.hasHeader("Mcp-Session-Id")
                 || response.header("Mcp-Session-Id") == session.id,
             qPrintable(response.describe()));

    const QString problem = stillServes(session, sessionsBefore);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
}

void tst_StreamableHttp::acceptsSupportedProtocolVersionHeaders_data()
{
    QTest::addColumn<QByteArray>("header");
    // §h.4: reject only unsupported values; conformance 0.1.16 sends 2025-03-26 on a
    // 2025-11-25 session, and a missing header means "the negotiated one".
    QTest::newRow("2025-03-26 on a 2025-11-25 session") << QByteArray("2025-03-26");
    QTest::newRow("2025-06-18 on a 2025-11-25 session") << QByteArray("2025-06-18");
    QTest::newRow("the negotiated 2025-11-25") << QByteArray("2025-11-25");
    QTest::newRow("no header") << QByteArray();
}

void tst_StreamableHttp::acceptsSupportedProtocolVersionHeaders()
{
    QFETCH(QByteArray, header);
    QVERIFY(startServer());
    const McpTestSession session = openSession(m_port);
    QVERIFY2(session.ok(), qPrintable(session.error));

    const HttpResponse response =
        postOnce(m_port, postHeaders(session.id, header), requestBody(7, u"tools/list"_s));
    QVERIFY2(response.status == 200, qPrintable(response.describe()));
    QCOMPARE(response.jsonObject().value("id"_L1).toInt(), 7);
    QVERIFY(response.jsonObject().value("result"_L1).toObject().value("tools"_L1).isArray());

    RawHttpClient stream(m_port);
    QVERIFY(stream.send("GET", "/mcp", getHeaders(session.id, header)));
    QVERIFY(stream.waitForHead());
    QVERIFY2(stream.response().status == 200, qPrintable(stream.response().describe()));
}

void tst_StreamableHttp::answersBatchOnlyOnRevision20250326()
{
    QVERIFY(startServer());
    const McpTestSession session = openSession(m_port, "2025-03-26");
    QVERIFY2(session.ok(), qPrintable(session.error));
    QCOMPARE(session.revision, QByteArray("2025-03-26"));

    // Two requests (one numeric, one string id) and a notification in one body.
    const QByteArray batch =
        "[" + requestBody(1, u"tools/list"_s) + ","
        + notificationBody(u"notifications/cancelled"_s, {{"requestId"_L1, 12345}}) + ","
        + requestBody(u"two"_s, u"ping"_s) + "]";
    const HttpResponse response = postOnce(m_port, session.post(), batch);
    QVERIFY2(response.status == 200, qPrintable(response.describe()));
    QCOMPARE(response.mediaType(), QByteArray("application/json"));
    QVERIFY2(response.json().isArray(), qPrintable(response.describe()));
    const QJsonArray answers = response.json().toArray();
    QCOMPARE(answers.size(), 2);
    QJsonObject listAnswer, pingAnswer;
    for (const QJsonValue &answer : answers) {
        const QJsonValue id = answer.toObject().value("id"_L1);
        if (id.isDouble() && id.toInt() == 1)
            listAnswer = answer.toObject();
        else if (id.isString() && id.toString() == "two"_L1)
            pingAnswer = answer.toObject();
    }
    QVERIFY2(listAnswer.value("result"_L1).toObject().value("tools"_L1).isArray(),
             qPrintable(response.describe()));
    QVERIFY2(pingAnswer.value("result"_L1).isObject(), qPrintable(response.describe()));

    // Only notifications: accepted, nothing to say.
    const QByteArray notifications =
        "[" + notificationBody(u"notifications/cancelled"_s, {{"requestId"_L1, 1}}) + "]";
    const HttpResponse accepted = postOnce(m_port, session.post(), notifications);
    QCOMPARE(accepted.status, 202);
    QVERIFY(accepted.body.isEmpty());

    // initialize never rides in a batch, on any revision.
    const HttpResponse refused =
        postOnce(m_port, session.post(), "[" + initializeBody("2025-03-26", 50) + "]");
    QVERIFY2(refused.status == 400, qPrintable(refused.describe()));
    const QString problem = stillServes(session, 1);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
}

void tst_StreamableHttp::refusesSecondGetStream()
{
    QVERIFY(startServer());
    const McpTestSession session = openSession(m_port);
    QVERIFY2(session.ok(), qPrintable(session.error));

    RawHttpClient first(m_port);
    QString problem = openGetStream(first, session);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));

    RawHttpClient second(m_port);
    const HttpResponse conflict = second.request("GET", "/mcp", session.get());
    QVERIFY2(conflict.status == 409, qPrintable(conflict.describe()));

    // The first stream is untouched: still open and still beating.
    const int beats = heartbeatCount(first.response().sse);
    QVERIFY(first.waitForSse(
        [beats](const QList<SseItem> &items) { return heartbeatCount(items) >= beats + 2; }));
    QVERIFY(!first.response().complete);
    QVERIFY(!first.wasDisconnected());
    problem = stillServes(session, 1);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
}

void tst_StreamableHttp::allowsLoopbackBrowserOriginWithCors()
{
    QVERIFY(startServer());
    // The MCP Inspector's own origin.
    const QByteArray origin = "http://localhost:6274";
    RawHttpClient client(m_port);
    const HttpResponse response =
        client.request("POST", "/mcp", postHeaders() + RawHeaders{{"Origin", origin}},
                       initializeBody(kLatestRevision));
    QVERIFY2(response.status == 200, qPrintable(response.describe()));
    QVERIFY(!response.header("Mcp-Session-Id").isEmpty());
    QCOMPARE(response.header("Access-Control-Allow-Origin"), origin);
    // A browser client can only read the session id if it is exposed.
    QVERIFY2(response.header("Access-Control-Expose-Headers").toLower().contains("mcp-session-id"),
             qPrintable(response.describe()));

    McpTestSession session;
    session.id = response.header("Mcp-Session-Id");
    session.revision = kLatestRevision;
    const HttpResponse list = postOnce(m_port, session.post() + RawHeaders{{"Origin", origin}},
                                       requestBody(2, u"tools/list"_s));
    QVERIFY2(list.status == 200, qPrintable(list.describe()));
    QCOMPARE(list.header("Access-Control-Allow-Origin"), origin);
}

void tst_StreamableHttp::answersPreflightWithoutToken()
{
    ServerConfig config = loopbackConfig(kHeartbeatMs, kGraceMs);
    config.token = u"preflight-token"_s;
    QVERIFY(startServer(config));

    RawHttpClient client(m_port);
    const HttpResponse preflight = client.request(
        "OPTIONS", "/mcp",
        {{"Origin", "http://localhost:6274"},
         {"Access-Control-Request-Method", "POST"},
         {"Access-Control-Request-Headers", "authorization, content-type, mcp-session-id"}});
    QVERIFY2(preflight.status == 204, qPrintable(preflight.describe()));
    QCOMPARE(preflight.header("Access-Control-Allow-Origin"), QByteArray("http://localhost:6274"));
    QVERIFY2(preflight.header("Access-Control-Allow-Methods").contains("POST"),
             qPrintable(preflight.describe()));
    const QByteArray allowed = preflight.header("Access-Control-Allow-Headers").toLower();
    for (const char *header : {"authorization", "content-type", "mcp-session-id"})
        QVERIFY2(allowed.contains(header), qPrintable(preflight.describe()));

    // The real request behind the preflight still needs the token.
    const HttpResponse withoutToken = client.request(
        "POST", "/mcp", postHeaders() + RawHeaders{{"Origin", "http://localhost:6274"}},
        initializeBody(kLatestRevision));
    QVERIFY2(withoutToken.status == 401, qPrintable(withoutToken.describe()));
}

void tst_StreamableHttp::requiresBearerTokenWhenConfigured_data()
{
    QTest::addColumn<QByteArray>("authorization"); // empty: no header
    QTest::addColumn<int>("status");

    QTest::newRow("missing") << QByteArray() << 401;
    QTest::newRow("wrong token") << QByteArray("Bearer not-the-token") << 401;
    QTest::newRow("a prefix of the token") << QByteArray("Bearer s3cret") << 401;
    QTest::newRow("the token and more") << QByteArray("Bearer s3cret-token-and-more") << 401;
    QTest::newRow("another scheme") << QByteArray("Basic czNjcmV0LXRva2Vu") << 401;
    QTest::newRow("right token") << QByteArray("Bearer s3cret-token") << 200;
    QTest::newRow("scheme is case-insensitive") << QByteArray("bearer s3cret-token") << 200;
}

void tst_StreamableHttp::requiresBearerTokenWhenConfigured()
{
    QFETCH(QByteArray, authorization);
    QFETCH(int, status);
    ServerConfig config = loopbackConfig(kHeartbeatMs, kGraceMs);
    config.token = u"s3cret-token"_s;
    QVERIFY(startServer(config));

    RawHeaders headers = postHeaders();
    if (!authorization.isEmpty())
        headers.append({"Authorization", authorization});
    RawHttpClient client(m_port);
    const HttpResponse response =
        client.request("POST", "/mcp", headers, initializeBody(kLatestRevision));
    QVERIFY2(response.status == status, qPrintable(response.describe()));
    if (status == 401) {
        QVERIFY2(response.header("WWW-Authenticate").startsWith("Bearer"),
                 qPrintable(response.describe()));
        QVERIFY(!response.hasHeader("Mcp-Session-Id"));
        QCOMPARE(m_server->sessions()->count(), 0);
    } else {
        QVERIFY(!response.header("Mcp-Session-Id").isEmpty());
    }

    // Liveness is never behind the token.
    const HttpResponse health = client.request("GET", "/healthz");
    QCOMPARE(health.status, 200);
}

void tst_StreamableHttp::servesHealthz()
{
    QVERIFY(startServer());
    RawHttpClient client(m_port);
    const HttpResponse response = client.request("GET", "/healthz");
    QVERIFY2(response.status == 200, qPrintable(response.describe()));
    QCOMPARE(response.jsonObject().value("status"_L1).toString(), u"ok"_s);
}

void tst_StreamableHttp::metricsCountSessionsAndHeartbeats()
{
    QVERIFY(startServer());
    RawHttpClient scraper(m_port);
    HttpResponse metrics = scraper.request("GET", "/metrics");
    QVERIFY2(metrics.status == 200, qPrintable(metrics.describe()));
    QVERIFY(metrics.mediaType().startsWith("text/plain"));
    QVERIFY2(metrics.body.contains("# TYPE heartline_sessions gauge"), metrics.body.constData());
    QCOMPARE(metricValue(metrics.body, "heartline_sessions"), 0);
    QCOMPARE(metricValue(metrics.body, "heartline_heartbeats_total"), 0);

    const McpTestSession session = openSession(m_port);
    QVERIFY2(session.ok(), qPrintable(session.error));
    RawHttpClient stream(m_port);
    const QString problem = openGetStream(stream, session);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QVERIFY(
        stream.waitForSse([](const QList<SseItem> &items) { return heartbeatCount(items) >= 2; }));
    const int seen = heartbeatCount(stream.response().sse);

    metrics = scraper.request("GET", "/metrics");
    QVERIFY2(metrics.status == 200, qPrintable(metrics.describe()));
    QCOMPARE(metricValue(metrics.body, "heartline_sessions"), 1);
    QCOMPARE(metricValue(metrics.body, "heartline_streams"), 1);
    QVERIFY2(metricValue(metrics.body, "heartline_heartbeats_total") >= seen,
             metrics.body.constData());
}

// --- Behaviour -----------------------------------------------------------------------------

void tst_StreamableHttp::idleGetStreamCarriesHeartbeats()
{
    QVERIFY(startServer());
    // 2025-06-18: no priming event, so an idle stream carries nothing but comments.
    const McpTestSession session = openSession(m_port, "2025-06-18");
    QVERIFY2(session.ok(), qPrintable(session.error));

    RawHttpClient client(m_port);
    QVERIFY(client.send("GET", "/mcp", session.get()));
    QVERIFY(client.waitForHead());
    const HttpResponse &head = client.response();
    QVERIFY2(head.status == 200, qPrintable(head.describe()));
    // DESIGN.md, SSE response headers.
    QCOMPARE(head.mediaType(), QByteArray("text/event-stream"));
    QVERIFY(head.header("Cache-Control").contains("no-cache"));
    QVERIFY(head.header("Cache-Control").contains("no-transform"));
    QCOMPARE(head.header("X-Accel-Buffering").toLower(), QByteArray("no"));
    QCOMPARE(head.header("Connection").toLower(), QByteArray("keep-alive"));
    QVERIFY(head.chunked);

    constexpr int kBeats = 6;
    QVERIFY2(client.waitForSse(
                 [](const QList<SseItem> &items) { return heartbeatCount(items) >= kBeats; }),
             qPrintable(client.response().describe()));
    const QList<SseItem> items = client.response().sse;

    // The first bytes are a comment, written at once: it arrives with the head, long before
    // a heartbeat is due, and it is not itself a heartbeat.
    const SseItem &opening = items.first();
    QVERIFY(opening.isComment());
    QVERIFY2(!opening.isHeartbeat(), opening.comment.constData());
    QVERIFY2(opening.arrivedMs - head.headArrivedMs < kHeartbeatMs,
             qPrintable(u"the opening comment came %1 ms after the head"_s.arg(
                 opening.arrivedMs - head.headArrivedMs)));

    // Heartbeats are comments only (never id: or data:), numbered from 1.
    QVERIFY2(client.response().sseEvents().isEmpty(), qPrintable(client.response().describe()));
    const QList<SseItem> beats = client.response().heartbeats();
    for (int i = 0; i < beats.size(); ++i)
        QCOMPARE(beats.at(i).comment, "heartbeat " + QByteArray::number(i + 1));

    // At the configured interval: the first one an interval after the opening comment, then
    // one per interval. Shared machines stall, so look at the median gap and bound each
    // gap loosely.
    QVERIFY2(beats.first().arrivedMs - opening.arrivedMs >= kHeartbeatMs / 2,
             qPrintable(u"first heartbeat %1 ms after the opening comment"_s.arg(
                 beats.first().arrivedMs - opening.arrivedMs)));
    QList<qint64> gaps;
    for (int i = 1; i < beats.size(); ++i)
        gaps.append(beats.at(i).arrivedMs - beats.at(i - 1).arrivedMs);
    QList<qint64> sorted = gaps;
    std::sort(sorted.begin(), sorted.end());
    const qint64 median = sorted.at(sorted.size() / 2);
    QString gapText;
    for (qint64 gap : gaps)
        gapText += QString::number(gap) + u' ';
    QVERIFY2(median >= kHeartbeatMs * 8 / 10 && median <= kHeartbeatMs * 3,
             qPrintable(u"heartbeat gaps (ms): "_s + gapText));
    QVERIFY2(sorted.last() <= kHeartbeatMs * 20, qPrintable(u"heartbeat gaps (ms): "_s + gapText));
    QVERIFY(!client.response().complete);
}

void tst_StreamableHttp::primingEventStartsStreamsFromRevision20251125_data()
{
    QTest::addColumn<QByteArray>("revision");
    QTest::addColumn<bool>("primed");
    QTest::newRow("2025-11-25") << QByteArray("2025-11-25") << true;
    QTest::newRow("2025-06-18") << QByteArray("2025-06-18") << false;
    QTest::newRow("2025-03-26") << QByteArray("2025-03-26") << false;
}

void tst_StreamableHttp::primingEventStartsStreamsFromRevision20251125()
{
    QFETCH(QByteArray, revision);
    QFETCH(bool, primed);
    QVERIFY(startServer());
    const McpTestSession session = openSession(m_port, revision);
    QVERIFY2(session.ok(), qPrintable(session.error));
    QCOMPARE(session.revision, revision);

    auto isPriming = [](const SseItem &item) {
        return item.isEvent() && item.hasId && !item.id.isEmpty() && item.hasData
               && item.data.isEmpty();
    };

    // GET: whatever the server sends on opening has arrived once two heartbeats have.
    RawHttpClient get(m_port);
    QString problem = openGetStream(get, session);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QVERIFY(get.waitForSse([](const QList<SseItem> &items) { return heartbeatCount(items) >= 2; }));
    const QList<SseItem> getEvents = get.response().sseEvents();
    if (primed) {
        QCOMPARE(getEvents.size(), 1);
        QVERIFY2(isPriming(getEvents.first()), getEvents.first().data.constData());
        // It comes first: only the opening comment precedes it.
        QVERIFY(get.response().sse.at(0).isComment());
        QVERIFY(get.response().sse.at(1).isEvent());
    } else {
        QCOMPARE(getEvents.size(), 0);
    }

    // POST: a call slower than the grace period is answered as a stream.
    RawHttpClient post(m_port);
    const HttpResponse response =
        post.request("POST", "/mcp", session.post(), toolCallBody(3, u"sleep"_s, {{"ms"_L1, 150}}));
    QVERIFY2(response.complete && response.status == 200, qPrintable(response.describe()));
    QVERIFY2(response.isEventStream(), qPrintable(response.describe()));
    const QList<SseItem> postEvents = response.sseEvents();
    QVERIFY(!postEvents.isEmpty());
    QVERIFY(isFinalResponse(postEvents.last().message()));
    if (primed) {
        QCOMPARE(postEvents.size(), 2);
        QVERIFY2(isPriming(postEvents.first()), postEvents.first().data.constData());
        // Event ids are unique across every stream of the session.
        QVERIFY(getEvents.first().id != postEvents.first().id);
        QVERIFY(postEvents.last().id != postEvents.first().id);
    } else {
        QCOMPARE(postEvents.size(), 1);
        for (const SseItem &event : postEvents)
            QVERIFY2(!event.data.isEmpty(), "an event with empty data on a pre-2025-11-25 stream");
    }
}

void tst_StreamableHttp::slowToolCallStreamsProgressBeforeResponse()
{
    QVERIFY(startServer());
    const McpTestSession session = openSession(m_port);
    QVERIFY2(session.ok(), qPrintable(session.error));

    RawHttpClient client(m_port);
    const qint64 sent = monotonicMs();
    const HttpResponse response = client.request(
        "POST", "/mcp", session.post(),
        toolCallBody(42, u"sleep"_s, {{"ms"_L1, 400}, {"progressEveryMs"_L1, 100}}, 7));
    QVERIFY2(response.complete, qPrintable(response.describe() + client.parseError()));
    QCOMPARE(response.status, 200);
    QCOMPARE(response.mediaType(), QByteArray("text/event-stream"));
    QVERIFY(response.chunked);
    QVERIFY2(response.completedMs - sent >= 380,
             qPrintable(u"answered after %1 ms"_s.arg(response.completedMs - sent)));

    const QList<SseItem> &items = response.sse;
    qsizetype finalAt = -1;
    qsizetype firstHeartbeatAt = -1;
    QList<double> progress;
    for (qsizetype i = 0; i < items.size(); ++i) {
        const SseItem &item = items.at(i);
        if (item.isHeartbeat() && firstHeartbeatAt < 0)
            firstHeartbeatAt = i;
        if (!item.isEvent() || item.data.isEmpty())
            continue;
        const QJsonObject message = item.message();
        if (isFinalResponse(message)) {
            QVERIFY2(finalAt < 0, "two final responses on one POST stream");
            finalAt = i;
            continue;
        }
        QCOMPARE(message.value("method"_L1).toString(), u"notifications/progress"_s);
        QVERIFY2(finalAt < 0, "progress after the final response");
        const QJsonObject params = message.value("params"_L1).toObject();
        // The token keeps its JSON type: the integer 7, not "7".
        QVERIFY2(params.value("progressToken"_L1).isDouble(), item.data.constData());
        QCOMPARE(params.value("progressToken"_L1).toInt(), 7);
        if (!progress.isEmpty())
            QVERIFY2(params.value("progress"_L1).toDouble() > progress.last(),
                     item.data.constData());
        progress.append(params.value("progress"_L1).toDouble());
    }
    QVERIFY2(finalAt >= 0, qPrintable(response.describe()));
    QVERIFY2(progress.size() >= 2, qPrintable(response.describe()));
    QVERIFY2(firstHeartbeatAt >= 0 && firstHeartbeatAt < finalAt,
             "no heartbeat before the final response");
    // The response ends the stream: nothing follows it but the chunked terminator.
    QCOMPARE(finalAt, items.size() - 1);

    const QJsonObject final = items.at(finalAt).message();
    QVERIFY(final.value("id"_L1).isDouble());
    QCOMPARE(final.value("id"_L1).toInt(), 42);
    const QJsonObject result = final.value("result"_L1).toObject();
    QVERIFY2(!result.value("isError"_L1).toBool(), items.at(finalAt).data.constData());
    QVERIFY(result.value("content"_L1)
                .toArray()
                .first()
                .toObject()
                .value("text"_L1)
                .toString()
                .contains("400"_L1));
    QVERIFY(client.unexpectedBytes().isEmpty());
}

void tst_StreamableHttp::fastToolCallIsAnsweredAsJson()
{
    QVERIFY(startServer());
    const McpTestSession session = openSession(m_port);
    QVERIFY2(session.ok(), qPrintable(session.error));

    const QString text = u"hello, heartline \u2713"_s;
    RawHttpClient client(m_port);
    const HttpResponse response =
        client.request("POST", "/mcp", session.post(),
                       toolCallBody(u"req-1"_s, u"echo"_s, {{"message"_L1, text}}));
    QVERIFY2(response.status == 200, qPrintable(response.describe()));
    QCOMPARE(response.mediaType(), QByteArray("application/json"));
    QVERIFY(!response.chunked);
    QCOMPARE(response.header("Content-Length").toLongLong(), response.body.size());

    const QJsonObject message = response.jsonObject();
    QVERIFY(message.value("id"_L1).isString());
    QCOMPARE(message.value("id"_L1).toString(), u"req-1"_s);
    const QJsonObject result = message.value("result"_L1).toObject();
    QVERIFY(!result.value("isError"_L1).toBool());
    const QJsonObject content = result.value("content"_L1).toArray().first().toObject();
    QCOMPARE(content.value("type"_L1).toString(), u"text"_s);
    QCOMPARE(content.value("text"_L1).toString(), text);
}

void tst_StreamableHttp::connectionIsReusedAfterPostStream()
{
    QVERIFY(startServer());
    const McpTestSession session = openSession(m_port);
    QVERIFY2(session.ok(), qPrintable(session.error));

    RawHttpClient client(m_port);
    const HttpResponse streamed = client.request("POST", "/mcp", session.post(),
                                                 toolCallBody(1, u"sleep"_s, {{"ms"_L1, 120}}));
    QVERIFY2(streamed.complete && streamed.isEventStream(), qPrintable(streamed.describe()));
    const quint16 localPort = client.localPort();

    const HttpResponse echoed = client.request(
        "POST", "/mcp", session.post(), toolCallBody(2, u"echo"_s, {{"message"_L1, "again"_L1}}));
    QVERIFY2(echoed.status == 200, qPrintable(echoed.describe()));
    QCOMPARE(echoed.jsonObject().value("id"_L1).toInt(), 2);
    const HttpResponse health = client.request("GET", "/healthz");
    QCOMPARE(health.status, 200);

    QCOMPARE(client.connectionCount(), 1);
    QVERIFY(!client.wasDisconnected());
    QCOMPARE(client.localPort(), localPort);
}

void tst_StreamableHttp::toolToggleBurstSendsOneListChanged()
{
    QVERIFY(startServer());
    const McpTestSession ready = openSession(m_port);
    QVERIFY2(ready.ok(), qPrintable(ready.error));
    // Never sent notifications/initialized: the server must not notify it (lifecycle §c.2).
    const McpTestSession unready = openSession(m_port, kLatestRevision, false);
    QVERIFY2(unready.ok(), qPrintable(unready.error));
    // Initialized, but its GET stream opens only after the burst.
    const McpTestSession late = openSession(m_port);
    QVERIFY2(late.ok(), qPrintable(late.error));

    RawHttpClient readyStream(m_port);
    RawHttpClient unreadyStream(m_port);
    QString problem = openGetStream(readyStream, ready);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    problem = openGetStream(unreadyStream, unready);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));

    Control *control = m_server->control();
    QString error;
    QVERIFY2(control->setToolEnabled(u"echo"_s, false, &error), qPrintable(error));
    QVERIFY2(control->setToolEnabled(u"echo"_s, true, &error), qPrintable(error));
    QVERIFY2(control->setToolEnabled(u"echo"_s, false, &error), qPrintable(error));
    QVERIFY2(control->setToolEnabled(u"sleep"_s, false, &error), qPrintable(error));
    QVERIFY2(control->setToolEnabled(u"sleep"_s, true, &error), qPrintable(error));

    QVERIFY(readyStream.waitForSse(
        [](const QList<SseItem> &items) { return countMethod(items, kListChanged) >= 1; }));
    // An observation window many coalescing intervals long: a notification per toggle, or
    // one for the unready session, would arrive in it.
    QVERIFY(!waitUntil(
        [&]() {
            return countMethod(readyStream.response().sse, kListChanged) > 1
                   || countMethod(unreadyStream.response().sse, kListChanged) > 0;
        },
        300));
    QCOMPARE(countMethod(readyStream.response().sse, kListChanged), 1);
    QCOMPARE(countMethod(unreadyStream.response().sse, kListChanged), 0);

    // It travels as a JSON-RPC notification in an event with an id (a resume cursor).
    for (const SseItem &event : readyStream.response().sseEvents()) {
        if (event.message().value("method"_L1).toString() != QLatin1StringView(kListChanged))
            continue;
        QVERIFY(event.hasId && !event.id.isEmpty());
        QVERIFY(!event.message().contains("id"_L1));
    }

    // Kept for the session that had no GET stream, and delivered once it opens one.
    RawHttpClient lateStream(m_port);
    problem = openGetStream(lateStream, late);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QVERIFY(lateStream.waitForSse(
        [](const QList<SseItem> &items) { return countMethod(items, kListChanged) >= 1; }));
    QVERIFY(!waitUntil([&]() { return countMethod(lateStream.response().sse, kListChanged) > 1; },
                       150));

    // A later burst is announced again.
    QVERIFY2(control->setToolEnabled(u"echo"_s, true, &error), qPrintable(error));
    QVERIFY(readyStream.waitForSse(
        [](const QList<SseItem> &items) { return countMethod(items, kListChanged) >= 2; }));
    QCOMPARE(countMethod(unreadyStream.response().sse, kListChanged), 0);
}

void tst_StreamableHttp::disabledToolIsRefused()
{
    QVERIFY(startServer());
    const McpTestSession session = openSession(m_port);
    QVERIFY2(session.ok(), qPrintable(session.error));

    QString error;
    QVERIFY(!m_server->control()->setToolEnabled(u"no-such-tool"_s, false, &error));
    QVERIFY(!error.isEmpty());
    QVERIFY2(m_server->control()->setToolEnabled(u"echo"_s, false, &error), qPrintable(error));

    error.clear();
    const QStringList names = listToolNames(m_port, session, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QVERIFY2(!names.contains(u"echo"_s), qPrintable(names.join(u", "_s)));
    QVERIFY2(names.contains(u"sleep"_s) && names.contains(u"now"_s),
             qPrintable(names.join(u", "_s)));

    HttpResponse response =
        postOnce(m_port, session.post(), toolCallBody(9, u"echo"_s, {{"message"_L1, "hi"_L1}}));
    QVERIFY2(response.status == 200, qPrintable(response.describe()));
    QCOMPARE(response.jsonObject().value("id"_L1).toInt(), 9);
    QVERIFY2(response.jsonRpcErrorCode() == -32602, qPrintable(response.describe()));

    QVERIFY2(m_server->control()->setToolEnabled(u"echo"_s, true, &error), qPrintable(error));
    response =
        postOnce(m_port, session.post(), toolCallBody(10, u"echo"_s, {{"message"_L1, "hi"_L1}}));
    QVERIFY2(response.jsonObject().value("result"_L1).isObject(), qPrintable(response.describe()));
}

void tst_StreamableHttp::deleteEndsSessionAndItsStreams()
{
    QVERIFY(startServer());
    QSignalSpy disconnected(m_server->monitor(), &Monitor::disconnected);
    const McpTestSession session = openSession(m_port);
    QVERIFY2(session.ok(), qPrintable(session.error));
    const McpTestSession other = openSession(m_port);
    QVERIFY2(other.ok(), qPrintable(other.error));

    RawHttpClient stream(m_port);
    QString problem = openGetStream(stream, session);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));

    RawHttpClient client(m_port);
    const HttpResponse deleted = client.request("DELETE", "/mcp", session.post());
    QVERIFY2(deleted.status >= 200 && deleted.status < 300, qPrintable(deleted.describe()));

    // The GET stream ends cleanly: the chunked body is finished, not cut.
    QVERIFY2(stream.waitForComplete(), qPrintable(stream.response().describe()));

    for (const QByteArray &method : {QByteArray("POST"), QByteArray("GET"), QByteArray("DELETE")}) {
        RawHttpClient after(m_port);
        const HttpResponse gone =
            after.request(method, "/mcp", method == "GET" ? session.get() : session.post(),
                          method == "POST" ? requestBody(5, u"tools/list"_s) : QByteArray());
        QVERIFY2(gone.status == 404,
                 qPrintable(QString::fromLatin1(method) + u": "_s + gone.describe()));
        QCOMPARE(gone.jsonRpcErrorCode(), -32001);
    }

    bool streamReported = false;
    bool sessionReported = false;
    for (const DisconnectEvent &event : firstArguments<DisconnectEvent>(disconnected)) {
        if (event.sessionId != QString::fromLatin1(session.id))
            continue;
        QCOMPARE(DisconnectCauses::name(event.cause), u"session_deleted"_s);
        streamReported = streamReported || !event.streamId.isEmpty();
        sessionReported = sessionReported || event.streamId.isEmpty();
    }
    QVERIFY(streamReported);
    QVERIFY(sessionReported);

    // Only that session ended.
    QCOMPARE(m_server->sessions()->count(), 1);
    problem = stillServes(other, 1);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
}

void tst_StreamableHttp::duplicateInFlightRequestIdIsRefused()
{
    QVERIFY(startServer());
    const McpTestSession session = openSession(m_port);
    QVERIFY2(session.ok(), qPrintable(session.error));

    RawHttpClient slow(m_port);
    QVERIFY(
        slow.send("POST", "/mcp", session.post(), toolCallBody(5, u"sleep"_s, {{"ms"_L1, 300}})));
    // Once the reply has turned into a stream, request 5 is certainly in flight.
    QVERIFY(slow.waitForHead());
    QVERIFY2(slow.response().isEventStream(), qPrintable(slow.response().describe()));

    for (const QByteArray &body :
         {requestBody(5, u"ping"_s), toolCallBody(5, u"echo"_s, {{"message"_L1, "x"_L1}})}) {
        const HttpResponse duplicate = postOnce(m_port, session.post(), body);
        QVERIFY2(duplicate.status == 400, qPrintable(duplicate.describe()));
        QCOMPARE(duplicate.jsonRpcErrorCode(), -32600);
    }
    // Other ids are fine, and the string "5" is not the number 5.
    for (const QJsonValue &id : {QJsonValue(6), QJsonValue(u"5"_s)}) {
        const HttpResponse ping = postOnce(m_port, session.post(), requestBody(id, u"ping"_s));
        QVERIFY2(ping.status == 200, qPrintable(ping.describe()));
        QCOMPARE(ping.jsonObject().value("id"_L1), id);
    }

    // The original request finishes as if nothing had happened.
    QVERIFY2(slow.waitForComplete(), qPrintable(slow.response().describe()));
    const QList<SseItem> events = slow.response().sseEvents();
    QVERIFY(!events.isEmpty());
    const QJsonObject final = events.last().message();
    QCOMPARE(final.value("id"_L1).toInt(), 5);
    QVERIFY2(final.value("result"_L1).isObject(), events.last().data.constData());
}

void tst_StreamableHttp::idleSessionExpires()
{
    // The policy (McpSession::isIdleFor): a session expires after sessionIdleTimeoutMs with
    // no request in flight, no stream open and no client activity (a request arriving, a
    // stream opening or ending). Heartbeats are written only to open streams, and an open
    // GET stream means the client holds the session, so it never expires while the stream
    // is open however long it stays silent; heartbeats never count as activity, so once the
    // stream closes, the session expires one timeout after the close.
    constexpr int kIdleMs = 200;
    ServerConfig config = loopbackConfig(kHeartbeatMs, kGraceMs);
    config.sessionIdleTimeoutMs = kIdleMs;
    QVERIFY(startServer(config));
    // When the Monitor reported each session as expired (the test's clock).
    QHash<QString, qint64> expiries;
    connect(m_server->monitor(), &Monitor::disconnected, this,
            [&expiries](const DisconnectEvent &event) {
                if (event.cause == DisconnectCause::SessionExpired && event.streamId.isEmpty())
                    expiries.insert(event.sessionId, monotonicMs());
            });

    const McpTestSession held = openSession(m_port);
    QVERIFY2(held.ok(), qPrintable(held.error));
    RawHttpClient heldStream(m_port);
    QString problem = openGetStream(heldStream, held);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));

    const qint64 idleSince = monotonicMs();
    const McpTestSession idle = openSession(m_port);
    QVERIFY2(idle.ok(), qPrintable(idle.error));

    QVERIFY(waitUntil([&]() { return expiries.contains(QString::fromLatin1(idle.id)); }));
    QVERIFY2(expiries.value(QString::fromLatin1(idle.id)) - idleSince >= kIdleMs,
             "expired before the idle timeout");
    HttpResponse gone = postOnce(m_port, idle.post(), requestBody(1, u"tools/list"_s));
    QVERIFY2(gone.status == 404, qPrintable(gone.describe()));

    // The held session lives on for many timeouts while heartbeats flow on its stream.
    const int beats = heartbeatCount(heldStream.response().sse);
    QVERIFY(
        !waitUntil([&]() { return expiries.contains(QString::fromLatin1(held.id)); }, kIdleMs * 5));
    QVERIFY(heartbeatCount(heldStream.response().sse) >= beats + 5);
    QVERIFY(!heldStream.response().complete);
    QVERIFY(m_server->sessions()->find(QString::fromLatin1(held.id)));

    // Closed by its client, it expires one timeout later.
    const qint64 closedAt = monotonicMs();
    heldStream.closeWriteSide();
    QVERIFY(waitUntil([&]() { return expiries.contains(QString::fromLatin1(held.id)); }));
    QVERIFY2(expiries.value(QString::fromLatin1(held.id)) - closedAt >= kIdleMs,
             "expired before the idle timeout after its stream closed");
    gone = postOnce(m_port, held.post(), requestBody(2, u"tools/list"_s));
    QVERIFY2(gone.status == 404, qPrintable(gone.describe()));
    QCOMPARE(m_server->sessions()->count(), 0);
}

void tst_StreamableHttp::clientClosingGetStreamIsReported()
{
    QVERIFY(startServer());
    QSignalSpy opened(m_server->monitor(), &Monitor::streamOpened);
    QSignalSpy disconnected(m_server->monitor(), &Monitor::disconnected);
    const McpTestSession session = openSession(m_port);
    QVERIFY2(session.ok(), qPrintable(session.error));

    RawHttpClient stream(m_port);
    QString problem = openGetStream(stream, session);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QString streamId;
    for (const QList<QVariant> &arguments : opened) {
        const StreamInfo info = arguments.at(0).value<StreamInfo>();
        if (info.sessionId == QString::fromLatin1(session.id)
            && info.kind == StreamKind::Standalone)
            streamId = info.id;
    }
    QVERIFY(!streamId.isEmpty());

    stream.closeWriteSide();
    auto reported = [&]() {
        for (const DisconnectEvent &event : firstArguments<DisconnectEvent>(disconnected)) {
            if (event.streamId == streamId)
                return true;
        }
        return false;
    };
    QVERIFY(waitUntil(reported));
    for (const DisconnectEvent &event : firstArguments<DisconnectEvent>(disconnected)) {
        if (event.streamId != streamId)
            continue;
        QCOMPARE(DisconnectCauses::name(event.cause), u"client_closed"_s);
        QCOMPARE(event.sessionId, QString::fromLatin1(session.id));
    }

    // Losing its stream does not end the session, and it may open a new one.
    problem = stillServes(session, 1);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    RawHttpClient again(m_port);
    problem = openGetStream(again, session);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
}

// --- Requests that end without their answer ---------------------------------------------

void tst_StreamableHttp::cancelledStreamingCallEndsItsPostWithoutResponse()
{
    QVERIFY(startServer());
    const McpTestSession session = openSession(m_port);
    QVERIFY2(session.ok(), qPrintable(session.error));

    RawHttpClient call(m_port);
    QVERIFY(
        call.send("POST", "/mcp", session.post(),
                  toolCallBody(31, u"sleep"_s, {{"ms"_L1, 5000}, {"progressEveryMs"_L1, 100}}, 8)));
    QVERIFY(call.waitForHead());
    QVERIFY2(call.response().isEventStream(), qPrintable(call.response().describe()));
    QVERIFY2(call.waitForSse([](const QList<SseItem> &items) {
        return countMethod(items, "notifications/progress") >= 1;
    }),
             qPrintable(call.response().describe()));

    const qint64 cancelledAt = monotonicMs();
    const HttpResponse accepted = postOnce(
        m_port, session.post(),
        notificationBody(u"notifications/cancelled"_s,
                         {{"requestId"_L1, 31}, {"reason"_L1, "the user changed their mind"_L1}}));
    QVERIFY2(accepted.status == 202, qPrintable(accepted.describe()));

    // The sleep had seconds left: only the cancellation can end the stream this soon, and it
    // ends cleanly (the chunked terminator), not cut.
    QVERIFY2(call.waitForComplete(2000), qPrintable(call.response().describe()));
    QVERIFY2(call.response().completedMs - cancelledAt < 2000,
             qPrintable(
                 u"ended %1 ms after the cancel"_s.arg(call.response().completedMs - cancelledAt)));
    // A cancelled request is never answered.
    QVERIFY2(!answers(call.response().sse, 31), qPrintable(call.response().describe()));
    QVERIFY(call.unexpectedBytes().isEmpty());

    // The connection and the session both go on.
    const HttpResponse ping =
        call.request("POST", "/mcp", session.post(), requestBody(32, u"ping"_s));
    QVERIFY2(ping.status == 200, qPrintable(ping.describe()));
    QCOMPARE(call.connectionCount(), 1);
    const QString problem = stillServes(session, 1);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
}

void tst_StreamableHttp::cancelWithinGracePeriodEndsThePostAtOnce()
{
    // A grace period far longer than the test: the reply stays undecided (neither JSON nor a
    // stream yet) when the cancel comes.
    constexpr int kLongGraceMs = 3000;
    ServerConfig config = loopbackConfig(kHeartbeatMs, kGraceMs);
    config.postGraceMs = kLongGraceMs;
    QVERIFY(startServer(config));
    const McpTestSession session = openSession(m_port);
    QVERIFY2(session.ok(), qPrintable(session.error));
    QSignalSpy observed(m_server->monitor(), &Monitor::messageObserved);

    RawHttpClient call(m_port);
    QVERIFY(call.send("POST", "/mcp", session.post(),
                      toolCallBody(33, u"sleep"_s, {{"ms"_L1, 10000}})));
    // The server hands a request on in the same turn it reports it: now it is in flight.
    QVERIFY(waitUntil([&]() { return sawIncoming(observed, u"tools/call"_s, u"33"_s); }));
    QVERIFY2(!call.response().headComplete, qPrintable(call.response().describe()));

    const qint64 cancelledAt = monotonicMs();
    const HttpResponse accepted =
        postOnce(m_port, session.post(),
                 notificationBody(u"notifications/cancelled"_s, {{"requestId"_L1, 33}}));
    QVERIFY2(accepted.status == 202, qPrintable(accepted.describe()));

    // Answered at once, long before the grace period would have turned it into a stream:
    // a request cannot be answered 202, so the empty answer is an event stream that ends.
    QVERIFY2(call.waitForComplete(kLongGraceMs / 2), qPrintable(call.response().describe()));
    QVERIFY2(call.response().completedMs - cancelledAt < kLongGraceMs / 2,
             qPrintable(u"answered %1 ms after the cancel"_s.arg(call.response().completedMs
                                                                 - cancelledAt)));
    QVERIFY2(call.response().status == 200, qPrintable(call.response().describe()));
    QVERIFY2(call.response().isEventStream(), qPrintable(call.response().describe()));
    QVERIFY2(!answers(call.response().sse, 33), qPrintable(call.response().describe()));
    for (const SseItem &event : call.response().sseEvents())
        QVERIFY2(event.data.isEmpty(), event.data.constData()); // at most the priming event
    QVERIFY(call.unexpectedBytes().isEmpty());
    const QString problem = stillServes(session, 1);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
}

void tst_StreamableHttp::endingSessionAnswersPendingPostWithError_data()
{
    QTest::addColumn<bool>("byDelete");
    QTest::newRow("closed through Control") << false;
    QTest::newRow("DELETE by the client") << true;
}

void tst_StreamableHttp::endingSessionAnswersPendingPostWithError()
{
    QFETCH(bool, byDelete);
    QVERIFY(startServer());
    QSignalSpy opened(m_server->monitor(), &Monitor::streamOpened);
    QSignalSpy closed(m_server->monitor(), &Monitor::streamClosed);
    QSignalSpy disconnected(m_server->monitor(), &Monitor::disconnected);
    const McpTestSession session = openSession(m_port);
    QVERIFY2(session.ok(), qPrintable(session.error));

    RawHttpClient call(m_port);
    QVERIFY(call.send("POST", "/mcp", session.post(),
                      toolCallBody(34, u"sleep"_s, {{"ms"_L1, 10000}})));
    QVERIFY(call.waitForHead());
    QVERIFY2(call.response().isEventStream(), qPrintable(call.response().describe()));
    const QString streamId = postStreamId(opened, session.id);
    QVERIFY(!streamId.isEmpty());

    if (byDelete) {
        RawHttpClient client(m_port);
        const HttpResponse deleted = client.request("DELETE", "/mcp", session.post());
        QVERIFY2(deleted.status >= 200 && deleted.status < 300, qPrintable(deleted.describe()));
    } else {
        QString error;
        QVERIFY2(m_server->control()->closeSession(QString::fromLatin1(session.id), &error),
                 qPrintable(error));
    }

    // The request is answered with an error naming the cause, and then the stream ends
    // cleanly; the sleep had seconds left.
    QVERIFY2(call.waitForComplete(2000), qPrintable(call.response().describe()));
    const QList<QJsonObject> messages = messagesOf(call.response().sse);
    QVERIFY2(!messages.isEmpty(), qPrintable(call.response().describe()));
    const QJsonObject last = messages.last();
    QVERIFY2(isFinalResponse(last), qPrintable(call.response().describe()));
    QCOMPARE(last.value("id"_L1), QJsonValue(34));
    const QJsonObject error = last.value("error"_L1).toObject();
    QVERIFY2(error.value("code"_L1).toInt() == -32000, qPrintable(call.response().describe()));
    QVERIFY2(error.value("message"_L1).toString().contains("session_deleted"_L1),
             qPrintable(call.response().describe()));
    QVERIFY(call.unexpectedBytes().isEmpty());

    // The Monitor saw the POST stream cut by the session's end, not complete.
    bool streamDisconnected = false;
    for (const DisconnectEvent &event : firstArguments<DisconnectEvent>(disconnected)) {
        if (event.streamId != streamId)
            continue;
        QCOMPARE(DisconnectCauses::name(event.cause), u"session_deleted"_s);
        streamDisconnected = true;
    }
    QVERIFY(streamDisconnected);
    bool streamClosed = false;
    for (const QList<QVariant> &arguments : closed) {
        const StreamClosedEvent event = arguments.at(0).value<StreamClosedEvent>();
        if (event.stream.id != streamId)
            continue;
        QVERIFY2(!event.completed, "the POST stream was reported as completed");
        streamClosed = true;
    }
    QVERIFY(streamClosed);
    QCOMPARE(m_server->sessions()->count(), 0);
}

void tst_StreamableHttp::shutdownAnswersPendingPostAndRefusesNewRequests()
{
    QVERIFY(startServer());
    QSignalSpy opened(m_server->monitor(), &Monitor::streamOpened);
    QSignalSpy closed(m_server->monitor(), &Monitor::streamClosed);
    QSignalSpy disconnected(m_server->monitor(), &Monitor::disconnected);
    const McpTestSession session = openSession(m_port);
    QVERIFY2(session.ok(), qPrintable(session.error));

    RawHttpClient call(m_port);
    QVERIFY(call.send("POST", "/mcp", session.post(),
                      toolCallBody(35, u"sleep"_s, {{"ms"_L1, 10000}})));
    QVERIFY(call.waitForHead());
    QVERIFY2(call.response().isEventStream(), qPrintable(call.response().describe()));
    const QString streamId = postStreamId(opened, session.id);
    QVERIFY(!streamId.isEmpty());

    // A keep-alive connection the server has already accepted and served.
    RawHttpClient keptOpen(m_port);
    QCOMPARE(keptOpen.request("GET", "/healthz").status, 200);

    bool done = false;
    m_server->shutdown(2000, [&done]() { done = true; });
    // shutdown() returns at once and finishes on the event loop; a request that arrives on
    // an open connection meanwhile is refused, with a hint to come back.
    QVERIFY(keptOpen.send("POST", "/mcp", session.post(), requestBody(36, u"tools/list"_s)));
    QVERIFY2(keptOpen.waitForComplete(), qPrintable(keptOpen.response().describe()));
    QVERIFY2(keptOpen.response().status == 503, qPrintable(keptOpen.response().describe()));
    QVERIFY2(!keptOpen.response().header("Retry-After").isEmpty(),
             qPrintable(keptOpen.response().describe()));
    QCOMPARE(keptOpen.connectionCount(), 1);

    // The pending request is answered with an error naming the cause, then its stream ends.
    QVERIFY2(call.waitForComplete(2000), qPrintable(call.response().describe()));
    const QList<QJsonObject> messages = messagesOf(call.response().sse);
    QVERIFY2(!messages.isEmpty(), qPrintable(call.response().describe()));
    const QJsonObject last = messages.last();
    QVERIFY2(isFinalResponse(last), qPrintable(call.response().describe()));
    QCOMPARE(last.value("id"_L1), QJsonValue(35));
    const QJsonObject error = last.value("error"_L1).toObject();
    QVERIFY2(error.value("code"_L1).toInt() == -32000, qPrintable(call.response().describe()));
    QVERIFY2(error.value("message"_L1).toString().contains("server_shutdown"_L1),
             qPrintable(call.response().describe()));

    bool streamDisconnected = false;
    for (const DisconnectEvent &event : firstArguments<DisconnectEvent>(disconnected)) {
        if (event.streamId != streamId)
            continue;
        QCOMPARE(DisconnectCauses::name(event.cause), u"server_shutdown"_s);
        streamDisconnected = true;
    }
    QVERIFY(streamDisconnected);
    for (const QList<QVariant> &arguments : closed) {
        const StreamClosedEvent event = arguments.at(0).value<StreamClosedEvent>();
        if (event.stream.id == streamId)
            QVERIFY2(!event.completed, "the POST stream was reported as completed");
    }
    QVERIFY(waitUntil([&done]() { return done; }));
}

void tst_StreamableHttp::metricsNameOnlyRegisteredTools()
{
    QVERIFY(startServer());
    const McpTestSession session = openSession(m_port);
    QVERIFY2(session.ok(), qPrintable(session.error));
    QString error;
    QVERIFY2(m_server->control()->setToolEnabled(u"now"_s, false, &error), qPrintable(error));

    // A client may invent any name; it is refused, and must not become a metrics series.
    HttpResponse response =
        postOnce(m_port, session.post(), toolCallBody(37, u"invented-tool-4711"_s, {}));
    QVERIFY2(response.jsonRpcErrorCode() == -32602, qPrintable(response.describe()));
    // A real tool that is disabled is refused too, and counted under its name.
    response = postOnce(m_port, session.post(), toolCallBody(38, u"now"_s, {}));
    QVERIFY2(response.jsonRpcErrorCode() == -32602, qPrintable(response.describe()));

    RawHttpClient scraper(m_port);
    const HttpResponse metrics = scraper.request("GET", "/metrics");
    QVERIFY2(metrics.status == 200, qPrintable(metrics.describe()));
    QVERIFY2(!metrics.body.contains("invented-tool-4711"), metrics.body.constData());
    QVERIFY2(metricValue(metrics.body,
                         R"(heartline_tool_calls_total{tool="now",outcome="protocol_error"})")
                 == 1,
             metrics.body.constData());
}

HEARTLINE_SERVER_TEST_MAIN(tst_StreamableHttp)
#include "tst_streamablehttp.moc"
