// The real Heartline server, in this process on port 0, spoken to in raw HTTP/1.1: MCP
// 2026-07-28 (stateless) on /mcp beside the session-based revisions. Per-request _meta, the
// mirrored headers and their validation (streamable-http "Request Metadata", "Server
// Validation"), the HTTP status of each modern error, subscriptions/listen with heartbeats and
// a graceful end, closing a stream as cancellation, and what the Monitor shows of it all.

#include "tests/support/mcptestsupport.h"
#include "tests/support/rawhttpclient.h"

#include "server/api/monitor.h"
#include "server/core/heartlineserver.h"
#include "server/protocol/catalog/tool.h"
#include "server/protocol/catalog/toolregistry.h"
#include "server/session/mcpsession.h"
#include "server/session/sessionstore.h"
#include "tests/support/inprocessserver.h"
#include "tests/support/servertestmain.h"

#include <QJsonArray>
#include <QSignalSpy>
#include <QTest>
#include <QTimer>

#include <algorithm>
#include <memory>

using namespace Qt::StringLiterals;
using namespace heartline;
using namespace heartline::testing;

namespace {

constexpr int kHeartbeatMs = 50;
constexpr int kGraceMs = 20;
constexpr const char *kModern = kStatelessRevision;

RawHeaders withHeader(RawHeaders headers, const QByteArray &name, const QByteArray &value)
{
    headers.removeIf([&name](const QPair<QByteArray, QByteArray> &header) {
        return header.first.compare(name, Qt::CaseInsensitive) == 0;
    });
    if (!value.isNull())
        headers.append({name, value});
    return headers;
}

RawHeaders withoutHeader(const RawHeaders &headers, const QByteArray &name)
{
    return withHeader(headers, name, QByteArray());
}

QList<SessionInfo> statelessOpened(const QSignalSpy &opened)
{
    QList<SessionInfo> sessions;
    for (const SessionInfo &info : firstArguments<SessionInfo>(opened)) {
        if (info.transport == TransportKind::StreamableHttpStateless)
            sessions.append(info);
    }
    return sessions;
}

// A tool whose only parameter an intermediary may route on: region, mirrored as
// Mcp-Param-Region (and a nested tenant as Mcp-Param-Tenant).
class RoutedTool final : public Tool
{
public:
    ToolDefinition definition() const override
    {
        const QJsonObject region{{"type"_L1, "string"_L1}, {"x-mcp-header"_L1, "Region"_L1}};
        const QJsonObject tenant{{"type"_L1, "string"_L1}, {"x-mcp-header"_L1, "Tenant"_L1}};
        const QJsonObject target{{"type"_L1, "object"_L1},
                                 {"properties"_L1, QJsonObject{{"tenant"_L1, tenant}}}};
        return {u"routed"_s,
                {},
                u"Says where it ran"_s,
                {{"type"_L1, "object"_L1},
                 {"properties"_L1, QJsonObject{{"region"_L1, region}, {"target"_L1, target}}}},
                {},
                {}};
    }
    void call(ToolCall *call) override
    {
        call->finishWithText(u"ran in "_s + call->arguments().value("region"_L1).toString());
    }
};

// A tool that asks for its stream to be closed early (SEP-1699) and answers a little later.
class EarlyCloseTool final : public Tool
{
public:
    ToolDefinition definition() const override
    {
        return {u"early_close"_s,           {}, u"Closes its stream early"_s,
                {{"type"_L1, "object"_L1}}, {}, {}};
    }
    void call(ToolCall *call) override
    {
        call->closeStreamEarly();
        QTimer::singleShot(300, call, [call]() { call->finishWithText(u"after the close"_s); });
    }
};

} // namespace

class tst_Stateless final : public InProcessServerTest
{
    Q_OBJECT

public:
    tst_Stateless()
        : InProcessServerTest(loopbackConfig(kHeartbeatMs, kGraceMs))
    {}

private Q_SLOTS:
    // Answers
    void discoverAnswersJsonWithoutSessionId();
    void toolsListCarriesCacheHints();
    void slowCallStreamsProgressAndHeartbeats();
    void monitorShowsEachStatelessRequest();
    void notificationIsAccepted();
    void browserPreflightAllowsMirroredHeaders();

    // Errors and their HTTP status
    void refusesMismatchedHeaders_data();
    void refusesMismatchedHeaders();
    void acceptsMatchingEncodedHeaders_data();
    void acceptsMatchingEncodedHeaders();
    void unsupportedVersionIsRecognizableModernError_data();
    void unsupportedVersionIsRecognizableModernError();
    void unsupportedHeaderWithoutMetaIsModernError();
    void missingMetaIsInvalidParams_data();
    void missingMetaIsInvalidParams();
    void failedRequestsStay200MalformedOnesAre400_data();
    void failedRequestsStay200MalformedOnesAre400();
    void removedMethodsAreNotFound_data();
    void removedMethodsAreNotFound();
    void refusesBatchesResponsesAndBadJson_data();
    void refusesBatchesResponsesAndBadJson();

    // No sessions
    void sessionIdIsIgnoredAndNeverEchoed();
    void internalIdsAreUnreachable();
    void closingCallStreamCancelsTheCall();
    void closingBeforeAnyAnswerCancelsTheCall();
    void earlyCloseWishOnlyWhereResumable();

    // subscriptions/listen
    void listenAcknowledgesThenNotifies();
    void listenEndsGracefullyOnShutdown();
    void clientClosingListenEndsSubscription();
    void legacySessionWorksSideBySide();

private:
    // Opens a subscriptions/listen stream on `client` and waits for its acknowledgement.
    QString openListen(RawHttpClient &client, const QJsonValue &id, const QJsonObject &filter);
    // Empty when no stateless session is left over (each ends with its request).
    QString noneLeft();
};

QString tst_Stateless::openListen(RawHttpClient &client, const QJsonValue &id,
                                  const QJsonObject &filter)
{
    if (!client.send("POST", "/mcp", modernHeaders("subscriptions/listen"),
                     modernBody(id, u"subscriptions/listen"_s, {{"notifications"_L1, filter}})))
        return u"could not send subscriptions/listen"_s;
    if (!client.waitForHead())
        return u"no response head for subscriptions/listen: "_s + client.parseError();
    if (client.response().status != 200 || !client.response().isEventStream())
        return u"subscriptions/listen did not open a stream: "_s + client.response().describe();
    if (!client.waitForSse(
            [](const QList<SseItem> &items) { return !messagesOf(items).isEmpty(); }))
        return u"no acknowledgement on the listen stream: "_s + client.response().describe();
    return {};
}

QString tst_Stateless::noneLeft()
{
    if (!waitUntil([this]() { return m_server->sessions()->statelessCount() == 0; }))
        return u"%1 stateless sessions are left over"_s.arg(m_server->sessions()->statelessCount());
    return {};
}

// --- Answers -------------------------------------------------------------------------------

void tst_Stateless::discoverAnswersJsonWithoutSessionId()
{
    QVERIFY(startServer());
    const HttpResponse response =
        postOnce(m_port, modernHeaders("server/discover"), modernBody(1, u"server/discover"_s));
    QVERIFY2(response.status == 200, qPrintable(response.describe()));
    QCOMPARE(response.mediaType(), QByteArray("application/json"));
    QVERIFY2(!response.hasHeader("Mcp-Session-Id"), qPrintable(response.describe()));

    const QJsonObject message = response.jsonObject();
    QCOMPARE(message.value("id"_L1), QJsonValue(1));
    const QJsonObject result = message.value("result"_L1).toObject();
    const QJsonArray versions = result.value("supportedVersions"_L1).toArray();
    for (const char *version :
         {"2026-07-28", "2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"})
        QVERIFY2(versions.contains(QJsonValue(QLatin1StringView(version))), version);
    QVERIFY(result.value("capabilities"_L1).toObject().contains("tools"_L1));
    QCOMPARE(result.value("resultType"_L1).toString(), u"complete"_s);
    QVERIFY2(result.value("ttlMs"_L1).isDouble(), qPrintable(response.describe()));
    QVERIFY2(!result.value("cacheScope"_L1).toString().isEmpty(), qPrintable(response.describe()));
    const QJsonObject serverInfo = result.value("_meta"_L1)
                                       .toObject()
                                       .value("io.modelcontextprotocol/serverInfo"_L1)
                                       .toObject();
    QCOMPARE(serverInfo.value("name"_L1).toString(), u"heartline"_s);
    QVERIFY(!serverInfo.value("version"_L1).toString().isEmpty());

    QCOMPARE(m_server->sessions()->count(), 0);
    const QString problem = noneLeft();
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
}

void tst_Stateless::toolsListCarriesCacheHints()
{
    QVERIFY(startServer());
    const HttpResponse response =
        postOnce(m_port, modernHeaders("tools/list"), modernBody(u"list-1"_s, u"tools/list"_s));
    QVERIFY2(response.status == 200, qPrintable(response.describe()));
    const QJsonObject message = response.jsonObject();
    QCOMPARE(message.value("id"_L1), QJsonValue(u"list-1"_s));
    const QJsonObject result = message.value("result"_L1).toObject();
    QCOMPARE(result.value("resultType"_L1).toString(), u"complete"_s);
    QVERIFY2(result.value("ttlMs"_L1).isDouble() && result.value("ttlMs"_L1).toDouble() >= 0,
             qPrintable(response.describe()));
    QCOMPARE(result.value("cacheScope"_L1).toString(), u"public"_s);
    QStringList names;
    for (const QJsonValue &tool : result.value("tools"_L1).toArray())
        names.append(tool.toObject().value("name"_L1).toString());
    QVERIFY2(names.contains(u"sleep"_s), qPrintable(names.join(u", "_s)));
    QVERIFY2(!response.hasHeader("Mcp-Session-Id"), qPrintable(response.describe()));
}

void tst_Stateless::slowCallStreamsProgressAndHeartbeats()
{
    QVERIFY(startServer());
    RawHttpClient client(m_port);
    const HttpResponse response = client.request(
        "POST", "/mcp", modernHeaders("tools/call", "sleep"),
        modernBody(5, u"tools/call"_s,
                   {{"name"_L1, "sleep"_L1},
                    {"arguments"_L1, QJsonObject{{"ms"_L1, 400}, {"progressEveryMs"_L1, 100}}},
                    {"_meta"_L1, QJsonObject{{"progressToken"_L1, 9}}}}));
    QVERIFY2(response.complete, qPrintable(response.describe() + client.parseError()));
    QCOMPARE(response.status, 200);
    QVERIFY2(response.isEventStream(), qPrintable(response.describe()));
    QVERIFY2(!response.hasHeader("Mcp-Session-Id"), qPrintable(response.describe()));
    QCOMPARE(response.header("X-Accel-Buffering"), QByteArray("no"));

    const QList<SseItem> &items = response.sse;
    const QList<QJsonObject> messages = messagesOf(items);
    QVERIFY2(!messages.isEmpty() && isFinalResponse(messages.last()),
             qPrintable(response.describe()));
    QVERIFY2(countMethod(items, u"notifications/progress"_s) >= 2, qPrintable(response.describe()));
    QVERIFY2(heartbeatCount(items) >= 1, qPrintable(response.describe()));
    for (const SseItem &item : items) {
        // Not resumable (2026-07-28): no event carries an id, and there is no priming event.
        if (item.isEvent()) {
            QVERIFY2(!item.hasId, item.id.constData());
            QVERIFY2(!item.data.isEmpty(), "an event without data (a priming event?)");
        }
    }
    const QJsonObject progress = messages.first();
    QCOMPARE(progress.value("method"_L1).toString(), u"notifications/progress"_s);
    QCOMPARE(progress.value("params"_L1).toObject().value("progressToken"_L1), QJsonValue(9));

    const QJsonObject result = messages.last().value("result"_L1).toObject();
    QCOMPARE(messages.last().value("id"_L1), QJsonValue(5));
    QCOMPARE(result.value("resultType"_L1).toString(), u"complete"_s);
    QVERIFY2(!result.value("isError"_L1).toBool(), qPrintable(response.describe()));
    const QString problem = noneLeft();
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
}

void tst_Stateless::monitorShowsEachStatelessRequest()
{
    QVERIFY(startServer());
    QSignalSpy opened(m_server->monitor(), &Monitor::sessionOpened);
    QSignalSpy closed(m_server->monitor(), &Monitor::sessionClosed);
    QSignalSpy heartbeats(m_server->monitor(), &Monitor::heartbeatSent);
    QSignalSpy disconnected(m_server->monitor(), &Monitor::disconnected);
    QSignalSpy streamsClosed(m_server->monitor(), &Monitor::streamClosed);

    const HttpResponse response = postOnce(
        m_port, modernHeaders("tools/call", "sleep"),
        modernBody(6, u"tools/call"_s,
                   {{"name"_L1, "sleep"_L1}, {"arguments"_L1, QJsonObject{{"ms"_L1, 300}}}}));
    QVERIFY2(response.status == 200 && response.isEventStream(), qPrintable(response.describe()));
    const QList<SessionInfo> sessions = statelessOpened(opened);
    QCOMPARE(sessions.size(), 1);
    const SessionInfo &info = sessions.first();
    QCOMPARE(info.revision, QString::fromLatin1(kModern));
    QCOMPARE(transportKindName(info.transport), u"streamable-http (stateless)"_s);
    QCOMPARE(info.clientName, u"stateless-test"_s);
    QCOMPARE(info.clientVersion, u"2.0"_s);
    QVERIFY(info.initialized);
    QVERIFY(!info.id.isEmpty());

    QVERIFY(waitUntil([&]() { return closed.contains(QList<QVariant>{info.id}); }));
    QVERIFY(std::any_of(heartbeats.cbegin(), heartbeats.cend(), [&](const QList<QVariant> &a) {
        return a.at(0).value<HeartbeatEvent>().sessionId == info.id;
    }));
    // A request that simply finished is no disconnect, for the log or anybody.
    for (const DisconnectEvent &event : firstArguments<DisconnectEvent>(disconnected))
        QVERIFY2(event.sessionId != info.id, qPrintable(event.detail));
    bool streamCompleted = false;
    for (const StreamClosedEvent &event : firstArguments<StreamClosedEvent>(streamsClosed))
        streamCompleted = streamCompleted || (event.stream.sessionId == info.id && event.completed);
    QVERIFY(streamCompleted);
    // Nor does it stay in the snapshot once answered.
    const MonitorSnapshot snapshot = m_server->monitor()->snapshot();
    QVERIFY(std::none_of(snapshot.sessions.cbegin(), snapshot.sessions.cend(),
                         [&](const SessionInfo &s) { return s.id == info.id; }));
}

void tst_Stateless::notificationIsAccepted()
{
    QVERIFY(startServer());
    QJsonObject params{{"_meta"_L1, modernMeta()}};
    const HttpResponse response = postOnce(m_port, postHeaders({}, kModern),
                                           notificationBody(u"notifications/anything"_s, params));
    QVERIFY2(response.status == 202, qPrintable(response.describe()));
    QVERIFY(response.body.isEmpty());
    QVERIFY(!response.hasHeader("Mcp-Session-Id"));
    QCOMPARE(m_server->sessions()->count(), 0);
    QCOMPARE(m_server->sessions()->statelessCount(), 0);
}

void tst_Stateless::browserPreflightAllowsMirroredHeaders()
{
    QVERIFY(startServer());
    QVERIFY(m_server->tools()->registerTool(std::make_shared<RoutedTool>(), u"test"_s));
    const QByteArray origin = "http://localhost:6274";
    RawHttpClient client(m_port);
    const HttpResponse preflight = client.request(
        "OPTIONS", "/mcp",
        {{"Origin", origin},
         {"Access-Control-Request-Method", "POST"},
         {"Access-Control-Request-Headers",
          "content-type, mcp-method, mcp-name, mcp-param-region, mcp-protocol-version"}});
    QVERIFY2(preflight.status == 204, qPrintable(preflight.describe()));
    QList<QByteArray> allowed;
    for (const QByteArray &name : preflight.header("Access-Control-Allow-Headers").split(','))
        allowed.append(name.trimmed().toLower());
    for (const QByteArray name :
         {"content-type", "mcp-method", "mcp-name", "mcp-param-region", "mcp-protocol-version"})
        QVERIFY2(allowed.contains(name), qPrintable(preflight.describe()));

    const HttpResponse response =
        client.request("POST", "/mcp",
                       modernHeaders("tools/call", "routed")
                           + RawHeaders{{"Mcp-Param-Region", "us-west1"}, {"Origin", origin}},
                       modernBody(16, u"tools/call"_s,
                                  {{"name"_L1, "routed"_L1},
                                   {"arguments"_L1, QJsonObject{{"region"_L1, "us-west1"_L1}}}}));
    QVERIFY2(response.status == 200, qPrintable(response.describe()));
    QCOMPARE(response.header("Access-Control-Allow-Origin"), origin);
    QVERIFY(!response.hasHeader("Mcp-Session-Id"));
}

// --- Errors and their HTTP status ------------------------------------------------------------

void tst_Stateless::refusesMismatchedHeaders_data()
{
    QTest::addColumn<RawHeaders>("headers");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("mentions");

    const QByteArray list = modernBody(3, u"tools/list"_s);
    const RawHeaders listHeaders = modernHeaders("tools/list");
    const QByteArray call =
        modernBody(3, u"tools/call"_s,
                   {{"name"_L1, "echo"_L1}, {"arguments"_L1, QJsonObject{{"message"_L1, "x"_L1}}}});
    const RawHeaders callHeaders = modernHeaders("tools/call", "echo");
    const QByteArray routed = modernBody(
        3, u"tools/call"_s,
        {{"name"_L1, "routed"_L1},
         {"arguments"_L1, QJsonObject{{"region"_L1, "us-west1"_L1},
                                      {"target"_L1, QJsonObject{{"tenant"_L1, "acme"_L1}}}}}});
    const RawHeaders routedHeaders =
        modernHeaders("tools/call", "routed") + RawHeaders{{"Mcp-Param-Tenant", "acme"}};

    QTest::newRow("no MCP-Protocol-Version")
        << withoutHeader(listHeaders, "MCP-Protocol-Version") << list << u"MCP-Protocol-Version"_s;
    QTest::newRow("MCP-Protocol-Version differs from _meta")
        << withHeader(listHeaders, "MCP-Protocol-Version", "2025-11-25") << list
        << u"'2025-11-25' does not match body value '2026-07-28'"_s;
    QTest::newRow("future MCP-Protocol-Version differs from _meta")
        << withHeader(listHeaders, "MCP-Protocol-Version", "2099-01-01") << list
        << u"'2099-01-01'"_s;
    QTest::newRow("no Mcp-Method")
        << withoutHeader(listHeaders, "Mcp-Method") << list << u"Mcp-Method header is required"_s;
    QTest::newRow("Mcp-Method differs")
        << withHeader(listHeaders, "Mcp-Method", "prompts/list") << list
        << u"'prompts/list' does not match body value 'tools/list'"_s;
    QTest::newRow("no Mcp-Name on tools/call")
        << withoutHeader(callHeaders, "Mcp-Name") << call << u"Mcp-Name header is required"_s;
    QTest::newRow("Mcp-Name differs") << withHeader(callHeaders, "Mcp-Name", "sleep") << call
                                      << u"'sleep' does not match body value 'echo'"_s;
    QTest::newRow("Mcp-Name base64 of another name")
        << withHeader(callHeaders, "Mcp-Name", "=?base64?c2xlZXA=?=") << call
        << u"'sleep' does not match"_s;
    QTest::newRow("Mcp-Name invalid base64")
        << withHeader(callHeaders, "Mcp-Name", "=?base64?***?=") << call << u"malformed"_s;
    QTest::newRow("Mcp-Name with raw UTF-8") << withHeader(callHeaders, "Mcp-Name",
                                                           "\xc3\xa9"
                                                           "cho")
                                             << call << u"malformed"_s;
    QTest::newRow("Mcp-Param missing")
        << routedHeaders << routed << u"Mcp-Param-Region header is missing"_s;
    QTest::newRow("Mcp-Param differs")
        << routedHeaders + RawHeaders{{"Mcp-Param-Region", "eu-west1"}} << routed
        << u"'eu-west1' does not match body value 'us-west1'"_s;
    QTest::newRow("nested Mcp-Param missing") << withoutHeader(routedHeaders, "Mcp-Param-Tenant")
                                                     + RawHeaders{{"Mcp-Param-Region", "us-west1"}}
                                              << routed << u"arguments.target.tenant"_s;
}

void tst_Stateless::refusesMismatchedHeaders()
{
    QFETCH(RawHeaders, headers);
    QFETCH(QByteArray, body);
    QFETCH(QString, mentions);

    QVERIFY(startServer());
    QVERIFY(m_server->tools()->registerTool(std::make_shared<RoutedTool>(), u"test"_s));
    QSignalSpy opened(m_server->monitor(), &Monitor::sessionOpened);
    const HttpResponse response = postOnce(m_port, headers, body);
    QVERIFY2(response.status == 400, qPrintable(response.describe()));
    QCOMPARE(response.mediaType(), QByteArray("application/json"));
    QVERIFY2(response.jsonRpcErrorCode() == -32020, qPrintable(response.describe()));
    QCOMPARE(response.jsonObject().value("id"_L1), QJsonValue(3));
    const QString message =
        response.jsonObject().value("error"_L1).toObject().value("message"_L1).toString();
    QVERIFY2(message.startsWith("Header mismatch"_L1), qPrintable(message));
    QVERIFY2(message.contains(mentions), qPrintable(message));
    QVERIFY(!response.hasHeader("Mcp-Session-Id"));
    // Refused at the door: nothing was served, so nothing was opened.
    QVERIFY(statelessOpened(opened).isEmpty());
}

void tst_Stateless::acceptsMatchingEncodedHeaders_data()
{
    QTest::addColumn<RawHeaders>("headers");
    QTest::addColumn<QJsonObject>("arguments");

    const RawHeaders routed = modernHeaders("tools/call", "routed");
    QTest::newRow("plain") << routed + RawHeaders{{"Mcp-Param-Region", "us-west1"}}
                           << QJsonObject{{"region"_L1, "us-west1"_L1}};
    QTest::newRow("header names in any case")
        << RawHeaders{{"accept", "application/json, text/event-stream"},
                      {"content-type", "application/json"},
                      {"mcp-protocol-version", kModern},
                      {"MCP-METHOD", "tools/call"},
                      {"mcp-name", "routed"},
                      {"MCP-PARAM-REGION", "us-west1"}}
        << QJsonObject{{"region"_L1, "us-west1"_L1}};
    QTest::newRow("base64 value") << routed
                                         + RawHeaders{{"Mcp-Param-Region",
                                                       "=?base64?SGVsbG8sIOS4lueVjA==?="}}
                                  << QJsonObject{{"region"_L1, u"Hello, \u4e16\u754c"_s}};
    QTest::newRow("base64 name") << withHeader(routed, "Mcp-Name", "=?base64?cm91dGVk?=")
                                 << QJsonObject();
    QTest::newRow("null value, no header") << routed << QJsonObject{{"region"_L1, QJsonValue()}};
    QTest::newRow("absent value, no header") << routed << QJsonObject();
}

void tst_Stateless::acceptsMatchingEncodedHeaders()
{
    QFETCH(RawHeaders, headers);
    QFETCH(QJsonObject, arguments);

    QVERIFY(startServer());
    QVERIFY(m_server->tools()->registerTool(std::make_shared<RoutedTool>(), u"test"_s));
    const HttpResponse response = postOnce(
        m_port, headers,
        modernBody(4, u"tools/call"_s, {{"name"_L1, "routed"_L1}, {"arguments"_L1, arguments}}));
    QVERIFY2(response.status == 200, qPrintable(response.describe()));
    // Past the door: what the tool makes of its arguments (a null region is its business)
    // is a result, not a header problem.
    QVERIFY2(response.jsonObject().value("result"_L1).toObject().contains("content"_L1),
             qPrintable(response.describe()));
}

void tst_Stateless::unsupportedVersionIsRecognizableModernError_data()
{
    QTest::addColumn<QByteArray>("header");
    QTest::addColumn<QString>("claimed");

    // What the v2 client's probe looks like when it wants a version we do not speak: the
    // answer must be the modern error with the versions to retry with, never a legacy 400.
    QTest::newRow("old date in both") << QByteArray("1900-01-01") << u"1900-01-01"_s;
    QTest::newRow("future date in both") << QByteArray("2099-12-31") << u"2099-12-31"_s;
    QTest::newRow("no header") << QByteArray() << u"2099-12-31"_s;
    QTest::newRow("a session-based revision in _meta")
        << QByteArray("2025-11-25") << u"2025-11-25"_s;
}

void tst_Stateless::unsupportedVersionIsRecognizableModernError()
{
    QFETCH(QByteArray, header);
    QFETCH(QString, claimed);

    QVERIFY(startServer());
    RawHeaders headers = modernHeaders("server/discover");
    headers = withHeader(headers, "MCP-Protocol-Version", header.isEmpty() ? QByteArray() : header);
    const HttpResponse response =
        postOnce(m_port, headers, modernBody(8, u"server/discover"_s, {}, modernMeta(claimed)));
    QVERIFY2(response.status == 400, qPrintable(response.describe()));
    QVERIFY2(response.jsonRpcErrorCode() == -32022, qPrintable(response.describe()));
    QCOMPARE(response.jsonObject().value("id"_L1), QJsonValue(8));
    const QJsonObject data =
        response.jsonObject().value("error"_L1).toObject().value("data"_L1).toObject();
    QVERIFY2(data.value("supported"_L1).toArray().contains(QJsonValue(QLatin1StringView(kModern))),
             qPrintable(response.describe()));
    QCOMPARE(data.value("requested"_L1).toString(), claimed);
    QVERIFY(!response.hasHeader("Mcp-Session-Id"));
    const QString problem = noneLeft();
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
}

// Only the header speaks (no _meta): an unknown version there still gets the modern error with
// the versions to retry with, not a complaint about the missing _meta.
void tst_Stateless::unsupportedHeaderWithoutMetaIsModernError()
{
    QVERIFY(startServer());
    const HttpResponse response = postOnce(m_port, modernHeaders("tools/list", {}, "2099-12-31"),
                                           requestBody(9, u"tools/list"_s));
    QVERIFY2(response.status == 400, qPrintable(response.describe()));
    QVERIFY2(response.jsonRpcErrorCode() == -32022, qPrintable(response.describe()));
    const QJsonObject data =
        response.jsonObject().value("error"_L1).toObject().value("data"_L1).toObject();
    QCOMPARE(data.value("requested"_L1).toString(), u"2099-12-31"_s);
    QVERIFY(data.value("supported"_L1).toArray().contains(QJsonValue(QLatin1StringView(kModern))));
    QCOMPARE(response.jsonObject().value("id"_L1), QJsonValue(9));
}

void tst_Stateless::missingMetaIsInvalidParams_data()
{
    QTest::addColumn<QByteArray>("body");

    QJsonObject noCapabilities = modernMeta();
    noCapabilities.remove("io.modelcontextprotocol/clientCapabilities"_L1);
    QTest::newRow("no _meta at all") << requestBody(2, u"tools/list"_s);
    QTest::newRow("_meta without protocolVersion") << requestBody(
        2, u"tools/list"_s,
        {{"_meta"_L1,
          QJsonObject{{"io.modelcontextprotocol/clientCapabilities"_L1, QJsonObject()}}}});
    QTest::newRow("_meta without clientCapabilities")
        << requestBody(2, u"tools/list"_s, {{"_meta"_L1, noCapabilities}});
}

void tst_Stateless::missingMetaIsInvalidParams()
{
    QFETCH(QByteArray, body);

    QVERIFY(startServer());
    const HttpResponse response = postOnce(m_port, modernHeaders("tools/list"), body);
    QVERIFY2(response.status == 400, qPrintable(response.describe()));
    QVERIFY2(response.jsonRpcErrorCode() == -32602, qPrintable(response.describe()));
    QCOMPARE(response.jsonObject().value("id"_L1), QJsonValue(2));
    QVERIFY(!response.hasHeader("Mcp-Session-Id"));
}

// A well-formed request that fails (unknown tool, prompt or resource) is an ordinary JSON-RPC
// error on 200, as the SDKs answer; only a malformed one (a required field missing) is a 400,
// which a dual-era client would otherwise read as a legacy server's refusal.
void tst_Stateless::failedRequestsStay200MalformedOnesAre400_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("name");
    QTest::addColumn<QJsonObject>("params");
    QTest::addColumn<int>("status");

    QTest::newRow("unknown tool") << QByteArray("tools/call") << QByteArray("no_such_tool")
                                  << QJsonObject{{"name"_L1, "no_such_tool"_L1}} << 200;
    QTest::newRow("unknown prompt") << QByteArray("prompts/get") << QByteArray("no_such_prompt")
                                    << QJsonObject{{"name"_L1, "no_such_prompt"_L1}} << 200;
    QTest::newRow("unknown resource")
        << QByteArray("resources/read") << QByteArray("heartline://nothing")
        << QJsonObject{{"uri"_L1, "heartline://nothing"_L1}} << 200;
    QTest::newRow("tool name missing")
        << QByteArray("tools/call") << QByteArray() << QJsonObject{} << 400;
    QTest::newRow("uri missing") << QByteArray("resources/read") << QByteArray() << QJsonObject{}
                                 << 400;
}

void tst_Stateless::failedRequestsStay200MalformedOnesAre400()
{
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, name);
    QFETCH(QJsonObject, params);
    QFETCH(int, status);

    QVERIFY(startServer());
    const HttpResponse response = postOnce(m_port, modernHeaders(method, name),
                                           modernBody(4, QString::fromLatin1(method), params));
    QVERIFY2(response.status == status, qPrintable(response.describe()));
    QVERIFY2(response.jsonRpcErrorCode() == -32602, qPrintable(response.describe()));
    QCOMPARE(response.jsonObject().value("id"_L1), QJsonValue(4));
}

void tst_Stateless::removedMethodsAreNotFound_data()
{
    QTest::addColumn<QByteArray>("method");

    QTest::newRow("ping") << QByteArray("ping");
    QTest::newRow("initialize") << QByteArray("initialize");
    QTest::newRow("logging/setLevel") << QByteArray("logging/setLevel");
    QTest::newRow("resources/subscribe") << QByteArray("resources/subscribe");
    QTest::newRow("unknown") << QByteArray("nothing/here");
}

void tst_Stateless::removedMethodsAreNotFound()
{
    QFETCH(QByteArray, method);

    QVERIFY(startServer());
    const HttpResponse response =
        postOnce(m_port, modernHeaders(method), modernBody(10, QString::fromLatin1(method)));
    QVERIFY2(response.status == 404, qPrintable(response.describe()));
    // The JSON-RPC body tells a modern server's 404 from a missing endpoint.
    QCOMPARE(response.mediaType(), QByteArray("application/json"));
    QVERIFY2(response.jsonRpcErrorCode() == -32601, qPrintable(response.describe()));
    QCOMPARE(response.jsonObject().value("id"_L1), QJsonValue(10));
    QCOMPARE(m_server->sessions()->count(), 0);
}

void tst_Stateless::refusesBatchesResponsesAndBadJson_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("code");

    QTest::newRow("batch of modern requests")
        << QByteArray("[" + modernBody(1, u"tools/list"_s) + "]") << -32600;
    QTest::newRow("batch with one modern request") << QByteArray(
        "[" + requestBody(1, u"tools/list"_s) + "," + modernBody(2, u"tools/list"_s) + "]")
                                                   << -32600;
    QTest::newRow("a response") << QByteArray(R"({"jsonrpc":"2.0","id":1,"result":{}})") << -32600;
    QTest::newRow("malformed JSON") << QByteArray(R"({"jsonrpc":"2.0","id":1,)") << -32700;
    QTest::newRow("null id") << QByteArray(R"({"jsonrpc":"2.0","id":null,"method":"tools/list"})")
                             << -32600;
}

void tst_Stateless::refusesBatchesResponsesAndBadJson()
{
    QFETCH(QByteArray, body);
    QFETCH(int, code);

    QVERIFY(startServer());
    const HttpResponse response = postOnce(m_port, modernHeaders("tools/list"), body);
    QVERIFY2(response.status == 400, qPrintable(response.describe()));
    QVERIFY2(response.jsonRpcErrorCode() == code, qPrintable(response.describe()));
    QVERIFY(!response.hasHeader("Mcp-Session-Id"));
    QCOMPARE(m_server->sessions()->statelessCount(), 0);
}

// --- No sessions ---------------------------------------------------------------------------

void tst_Stateless::sessionIdIsIgnoredAndNeverEchoed()
{
    QVERIFY(startServer());
    const McpTestSession legacy = openSession(m_port);
    QVERIFY2(legacy.ok(), qPrintable(legacy.error));

    for (const QByteArray &id : {legacy.id, QByteArray("0123456789abcdef0123456789abcdef")}) {
        const HttpResponse response =
            postOnce(m_port, modernHeaders("tools/list") + RawHeaders{{"Mcp-Session-Id", id}},
                     modernBody(11, u"tools/list"_s));
        QVERIFY2(response.status == 200, qPrintable(response.describe()));
        QVERIFY(response.jsonObject().value("result"_L1).toObject().contains("tools"_L1));
        QVERIFY2(!response.hasHeader("Mcp-Session-Id"), qPrintable(response.describe()));
    }
    // The legacy session was neither used nor touched by it, and no session was added.
    QCOMPARE(m_server->sessions()->count(), 1);
    QString error;
    QVERIFY2(listToolNames(m_port, legacy, &error).contains(u"sleep"_s), qPrintable(error));
}

void tst_Stateless::internalIdsAreUnreachable()
{
    QVERIFY(startServer());
    QSignalSpy opened(m_server->monitor(), &Monitor::sessionOpened);
    RawHttpClient listen(m_port);
    const QString problem = openListen(listen, 1, {{"toolsListChanged"_L1, true}});
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    const QList<SessionInfo> sessions = statelessOpened(opened);
    QCOMPARE(sessions.size(), 1);
    const QByteArray internal = sessions.first().id.toLatin1();
    QCOMPARE(m_server->sessions()->find(sessions.first().id), nullptr);

    // Whatever a client learns of it (a log, the GUI), the id names no session it can use.
    const HttpResponse post =
        postOnce(m_port, postHeaders(internal, "2025-11-25"), requestBody(12, u"tools/list"_s));
    QVERIFY2(post.status == 404 && post.jsonRpcErrorCode() == -32001, qPrintable(post.describe()));
    RawHttpClient get(m_port);
    const HttpResponse got = get.request("GET", "/mcp", getHeaders(internal, "2025-11-25"));
    QVERIFY2(got.status == 404, qPrintable(got.describe()));
    RawHttpClient del(m_port);
    const HttpResponse deleted =
        del.request("DELETE", "/mcp", deleteHeaders(internal, "2025-11-25"));
    QVERIFY2(deleted.status == 404, qPrintable(deleted.describe()));

    // The subscription is untouched by all of that.
    QCOMPARE(m_server->sessions()->statelessCount(), 1);
    QVERIFY(!listen.wasDisconnected());
    QVERIFY(m_server->tools()->setEnabled(u"echo"_s, false));
    QVERIFY(listen.waitForSse([](const QList<SseItem> &items) {
        return countMethod(items, u"notifications/tools/list_changed"_s) == 1;
    }));
}

void tst_Stateless::closingCallStreamCancelsTheCall()
{
    QVERIFY(startServer());
    QSignalSpy closed(m_server->monitor(), &Monitor::sessionClosed);
    RawHttpClient client(m_port);
    QVERIFY(client.send(
        "POST", "/mcp", modernHeaders("tools/call", "sleep"),
        modernBody(13, u"tools/call"_s,
                   {{"name"_L1, "sleep"_L1}, {"arguments"_L1, QJsonObject{{"ms"_L1, 10000}}}})));
    QVERIFY(client.waitForHead());
    QVERIFY2(client.response().isEventStream(), qPrintable(client.response().describe()));
    QCOMPARE(m_server->sessions()->statelessCount(), 1);

    // Closing the response stream is the cancellation (2026-07-28): the work stops at once.
    client.abort();
    const QString problem = noneLeft();
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QVERIFY(waitUntil([&]() { return !closed.isEmpty(); }));
    const auto calls = m_server->monitor()->snapshot().counters.toolCalls;
    QVERIFY2(
        calls.value({u"sleep"_s, u"cancelled"_s}) == 1,
        qPrintable(u"sleep calls cancelled: %1"_s.arg(calls.value({u"sleep"_s, u"cancelled"_s}))));
}

void tst_Stateless::closingBeforeAnyAnswerCancelsTheCall()
{
    // A grace period longer than the test: the reply has not yet chosen JSON or a stream
    // when the client goes, so only the watch set on the connection can notice.
    ServerConfig config = testConfig();
    config.postGraceMs = 60000;
    QVERIFY(startServer(config));
    QSignalSpy closed(m_server->monitor(), &Monitor::sessionClosed);
    RawHttpClient client(m_port);
    QVERIFY(client.send(
        "POST", "/mcp", modernHeaders("tools/call", "sleep"),
        modernBody(15, u"tools/call"_s,
                   {{"name"_L1, "sleep"_L1}, {"arguments"_L1, QJsonObject{{"ms"_L1, 10000}}}})));
    QVERIFY(waitUntil([this]() { return m_server->sessions()->statelessCount() == 1; }));
    QVERIFY2(!client.response().headComplete, qPrintable(client.response().describe()));

    client.abort();
    const QString problem = noneLeft();
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QVERIFY(waitUntil([&]() { return !closed.isEmpty(); }));
    const auto calls = m_server->monitor()->snapshot().counters.toolCalls;
    QVERIFY2(
        calls.value({u"sleep"_s, u"cancelled"_s}) == 1,
        qPrintable(u"sleep calls cancelled: %1"_s.arg(calls.value({u"sleep"_s, u"cancelled"_s}))));
}

void tst_Stateless::earlyCloseWishOnlyWhereResumable()
{
    QVERIFY(startServer());
    QVERIFY(m_server->tools()->registerTool(std::make_shared<EarlyCloseTool>(), u"test"_s));
    const QJsonObject call{{"name"_L1, "early_close"_L1}, {"arguments"_L1, QJsonObject()}};

    // 2025-11-25 may close a stream early: priming event, retry, connection ended, and the
    // result waits for the client to resume with Last-Event-ID.
    const McpTestSession session = openSession(m_port, "2025-11-25");
    QVERIFY2(session.ok(), qPrintable(session.error));
    RawHttpClient cut(m_port);
    const HttpResponse closedEarly =
        cut.request("POST", "/mcp", session.post(), requestBody(14, u"tools/call"_s, call));
    QVERIFY2(closedEarly.complete && closedEarly.isEventStream(),
             qPrintable(closedEarly.describe()));
    QVERIFY2(messagesOf(closedEarly.sse).isEmpty(), qPrintable(closedEarly.describe()));
    QByteArray lastId;
    bool retry = false;
    for (const SseItem &item : closedEarly.sse) {
        if (item.hasId)
            lastId = item.id;
        retry = retry || item.retryMs >= 0;
    }
    QVERIFY2(!lastId.isEmpty() && retry, qPrintable(closedEarly.describe()));
    RawHttpClient resumed(m_port);
    const HttpResponse rest = resumed.request(
        "GET", "/mcp", session.get() + RawHeaders{{"Last-Event-ID", lastId}}, {}, 3000);
    QVERIFY2(rest.complete, qPrintable(rest.describe()));
    const QList<QJsonObject> restMessages = messagesOf(rest.sse);
    QVERIFY2(!restMessages.isEmpty() && restMessages.last().value("id"_L1) == QJsonValue(14),
             qPrintable(rest.describe()));

    // 2026-07-28 cannot resume: the wish is ignored and the result comes on the stream.
    const HttpResponse modern = postOnce(m_port, modernHeaders("tools/call", "early_close"),
                                         modernBody(15, u"tools/call"_s, call));
    QVERIFY2(modern.status == 200, qPrintable(modern.describe()));
    const QList<QJsonObject> messages =
        modern.isEventStream() ? messagesOf(modern.sse) : QList<QJsonObject>{modern.jsonObject()};
    QVERIFY2(!messages.isEmpty() && messages.last().value("id"_L1) == QJsonValue(15)
                 && messages.last().contains("result"_L1),
             qPrintable(modern.describe()));
}

// --- subscriptions/listen ------------------------------------------------------------------

void tst_Stateless::listenAcknowledgesThenNotifies()
{
    QVERIFY(startServer());
    QSignalSpy opened(m_server->monitor(), &Monitor::sessionOpened);
    RawHttpClient listen(m_port);
    const QString problem = openListen(listen, u"sub-1"_s, {{"toolsListChanged"_L1, true}});
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QVERIFY(!listen.response().hasHeader("Mcp-Session-Id"));

    // The acknowledgement comes first, tagged with the listen request's id (a string here).
    const QJsonObject ack = messagesOf(listen.response().sse).first();
    QCOMPARE(ack.value("method"_L1).toString(), u"notifications/subscriptions/acknowledged"_s);
    const QJsonObject ackParams = ack.value("params"_L1).toObject();
    QCOMPARE(
        ackParams.value("_meta"_L1).toObject().value("io.modelcontextprotocol/subscriptionId"_L1),
        QJsonValue(u"sub-1"_s));
    QVERIFY(ackParams.value("notifications"_L1).toObject().value("toolsListChanged"_L1).toBool());

    // A quiet listen stream is kept alive by heartbeats.
    QVERIFY(listen.waitForSse(
        [](const QList<SseItem> &items) { return heartbeatCount(items) >= 3; }, 3000));

    // Switching tools off and on in a burst: one notification, tagged.
    QVERIFY(m_server->tools()->setEnabled(u"echo"_s, false));
    QVERIFY(m_server->tools()->setEnabled(u"now"_s, false));
    QVERIFY(listen.waitForSse([](const QList<SseItem> &items) {
        return countMethod(items, u"notifications/tools/list_changed"_s) >= 1;
    }));
    QTest::qWait(100); // a second notification would have come by now
    QCOMPARE(countMethod(listen.response().sse, u"notifications/tools/list_changed"_s), 1);
    const QList<QJsonObject> messages = messagesOf(listen.response().sse);
    const QJsonObject changed = messages.last();
    QCOMPARE(changed.value("method"_L1).toString(), u"notifications/tools/list_changed"_s);
    QCOMPARE(changed.value("params"_L1)
                 .toObject()
                 .value("_meta"_L1)
                 .toObject()
                 .value("io.modelcontextprotocol/subscriptionId"_L1),
             QJsonValue(u"sub-1"_s));
    // Nothing on the stream carries an id (not resumable) and nothing ended it.
    for (const SseItem &item : listen.response().sse)
        QVERIFY2(!item.hasId, item.id.constData());
    QVERIFY(!listen.response().complete);
    QCOMPARE(statelessOpened(opened).size(), 1);
    QCOMPARE(m_server->sessions()->statelessCount(), 1);
}

void tst_Stateless::listenEndsGracefullyOnShutdown()
{
    QVERIFY(startServer());
    QSignalSpy streamsClosed(m_server->monitor(), &Monitor::streamClosed);
    QSignalSpy disconnected(m_server->monitor(), &Monitor::disconnected);
    RawHttpClient listen(m_port);
    const QString problem = openListen(listen, 21, {{"toolsListChanged"_L1, true}});
    QVERIFY2(problem.isEmpty(), qPrintable(problem));

    bool done = false;
    m_server->shutdown(2000, [&done]() { done = true; });
    QVERIFY2(listen.waitForComplete(2000), qPrintable(listen.response().describe()));
    // The final result says the end was deliberate; then the stream ends cleanly.
    const QList<QJsonObject> messages = messagesOf(listen.response().sse);
    QVERIFY2(messages.size() >= 2, qPrintable(listen.response().describe()));
    const QJsonObject last = messages.last();
    QVERIFY2(isFinalResponse(last), qPrintable(listen.response().describe()));
    QCOMPARE(last.value("id"_L1), QJsonValue(21));
    const QJsonObject result = last.value("result"_L1).toObject();
    QCOMPARE(result.value("resultType"_L1).toString(), u"complete"_s);
    QCOMPARE(result.value("_meta"_L1).toObject().value("io.modelcontextprotocol/subscriptionId"_L1),
             QJsonValue(21));
    QVERIFY(waitUntil([&done]() { return done; }, 3000));

    bool completed = false;
    for (const StreamClosedEvent &event : firstArguments<StreamClosedEvent>(streamsClosed))
        completed = completed || event.completed;
    QVERIFY(completed);
    for (const DisconnectEvent &event : firstArguments<DisconnectEvent>(disconnected))
        QVERIFY2(event.streamId.isEmpty() || event.cause != DisconnectCause::ServerShutdown,
                 qPrintable(event.streamId + u": "_s + event.detail));
}

void tst_Stateless::clientClosingListenEndsSubscription()
{
    // Heartbeats off and more silence than the proxy-idle tolerance (shortened here): the
    // case that would pass for a proxy's idle cut on a stream that owes a response. A
    // listener closing its stream is not that.
    ServerConfig config = loopbackConfig(kHeartbeatMs, kGraceMs);
    config.heartbeatMs = 0;
    config.proxyIdleToleranceMs = 100;
    QVERIFY(startServer(config));
    QSignalSpy opened(m_server->monitor(), &Monitor::sessionOpened);
    QSignalSpy closed(m_server->monitor(), &Monitor::sessionClosed);
    QSignalSpy disconnected(m_server->monitor(), &Monitor::disconnected);
    RawHttpClient listen(m_port);
    const QString problem = openListen(listen, 31, {{"toolsListChanged"_L1, true}});
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    const QList<SessionInfo> sessions = statelessOpened(opened);
    QCOMPARE(sessions.size(), 1);
    // Silence is what is being made here, not a wait for an event.
    QTest::qWait(2 * config.proxyIdleToleranceMs);

    listen.closeWriteSide();
    const QString left = noneLeft();
    QVERIFY2(left.isEmpty(), qPrintable(left));
    QVERIFY(waitUntil([&]() { return closed.contains(QList<QVariant>{sessions.first().id}); }));
    QVERIFY(waitUntil([&]() { return !disconnected.isEmpty(); }));
    for (const DisconnectEvent &event : firstArguments<DisconnectEvent>(disconnected)) {
        QCOMPARE(event.sessionId, sessions.first().id);
        QVERIFY2(!event.streamId.isEmpty(), "a session-level disconnect for a stateless request");
        QVERIFY2(event.cause == DisconnectCause::ClientClosed
                     || event.cause == DisconnectCause::ConnectionReset,
                 qPrintable(DisconnectCauses::name(event.cause) + u": "_s + event.detail));
    }
    QCOMPARE(disconnected.size(), 1);

    // A change after the subscription ended goes only to a subscription still open: the
    // ended stream hears nothing more, and nothing else ends.
    const qsizetype heardBefore = listen.response().sse.size();
    RawHttpClient other(m_port);
    const QString otherProblem = openListen(other, 32, {{"toolsListChanged"_L1, true}});
    QVERIFY2(otherProblem.isEmpty(), qPrintable(otherProblem));
    QVERIFY(m_server->tools()->setEnabled(u"echo"_s, false));
    QVERIFY2(other.waitForSse([](const QList<SseItem> &items) {
        return countMethod(items, u"notifications/tools/list_changed"_s) == 1;
    }),
             qPrintable(other.response().describe()));
    QCOMPARE(countMethod(listen.response().sse, u"notifications/tools/list_changed"_s), 0);
    QCOMPARE(listen.response().sse.size(), heardBefore);
    QCOMPARE(disconnected.size(), 1);
    QCOMPARE(m_server->sessions()->statelessCount(), 1);
}

void tst_Stateless::legacySessionWorksSideBySide()
{
    QVERIFY(startServer());
    const McpTestSession legacy = openSession(m_port);
    QVERIFY2(legacy.ok(), qPrintable(legacy.error));
    RawHttpClient get(m_port);
    QVERIFY(get.send("GET", "/mcp", legacy.get()));
    QVERIFY(get.waitForHead());
    QVERIFY2(get.response().status == 200, qPrintable(get.response().describe()));
    RawHttpClient listen(m_port);
    const QString problem = openListen(listen, 41, {{"toolsListChanged"_L1, true}});
    QVERIFY2(problem.isEmpty(), qPrintable(problem));

    // Both eras answer on the same endpoint at the same time.
    const HttpResponse legacyList =
        postOnce(m_port, legacy.post(), requestBody(42, u"tools/list"_s));
    QVERIFY2(legacyList.status == 200, qPrintable(legacyList.describe()));
    QVERIFY(!legacyList.jsonObject().value("result"_L1).toObject().contains("resultType"_L1));
    const HttpResponse modernList =
        postOnce(m_port, modernHeaders("tools/list"), modernBody(43, u"tools/list"_s));
    QVERIFY2(modernList.status == 200, qPrintable(modernList.describe()));
    QCOMPARE(modernList.jsonObject().value("result"_L1).toObject().value("resultType"_L1),
             QJsonValue(u"complete"_s));

    // One change reaches both: the session's GET stream untagged, the listener tagged.
    QVERIFY(m_server->tools()->setEnabled(u"echo"_s, false));
    QVERIFY(get.waitForSse([](const QList<SseItem> &items) {
        return countMethod(items, u"notifications/tools/list_changed"_s) == 1;
    }));
    QVERIFY(listen.waitForSse([](const QList<SseItem> &items) {
        return countMethod(items, u"notifications/tools/list_changed"_s) == 1;
    }));
    for (const QJsonObject &message : messagesOf(get.response().sse)) {
        if (message.value("method"_L1).toString() == "notifications/tools/list_changed"_L1)
            QVERIFY(!message.value("params"_L1).toObject().contains("_meta"_L1));
    }
    QCOMPARE(m_server->sessions()->count(), 1);
    QCOMPARE(m_server->sessions()->statelessCount(), 1);
}

HEARTLINE_SERVER_TEST_MAIN(tst_Stateless)
#include "tst_stateless.moc"
