#include "tests/support/sessionloopback.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QPointer>
#include <QSignalSpy>
#include <QTest>
#include <QTimer>

#include <memory>

using namespace Qt::StringLiterals;
using heartline::JsonRpcCode;
using heartline::LogLevel;
using heartline::OutgoingMessage;
using heartline::RequestId;
using heartline::RequestOutcome;
using heartline::Revision;
using heartline::ServerIdentity;
using heartline::Session;
using heartline::ToolCall;
using heartline::ToolRegistry;
namespace JsonRpc = heartline::JsonRpc;
namespace Revisions = heartline::Revisions;
using namespace heartline::testing;

namespace {

QStringList toolNames(const QJsonObject &toolsListResult)
{
    QStringList names;
    for (const QJsonValue &tool : toolsListResult.value("tools"_L1).toArray())
        names.append(tool.toObject().value("name"_L1).toString());
    return names;
}

// A session over tools alone; initialize() first lets the registry settle.
class Loopback final : public SessionLoopback
{
public:
    explicit Loopback(int toolsPageSize = 100)
        : SessionLoopback(testIdentity(), Session::Options{toolsPageSize},
                          LoopbackParts{false, false, 5})
    {}

    // initialize and notifications/initialized; leaves the session Ready with nothing sent.
    [[nodiscard]] bool initialize()
    {
        // Let the registry announce the tools added so far while nobody listens, so that a
        // late notifications/tools/list_changed does not surprise the test.
        if (m_toolsAdded) {
            QSignalSpy settled(&registry, &ToolRegistry::listChanged);
            if (!settled.wait(5000))
                return false;
            m_toolsAdded = false;
        }
        const QList<OutgoingMessage> answers = handshake();
        const bool answered = answers.size() == 1 && answers.first().isFinalResponse
                              && answers.first().json.contains("result"_L1);
        return answered && session.state() == Session::State::Ready;
    }

    std::shared_ptr<FakeTool> addTool(const QString &name,
                                      FakeTool::Mode mode = FakeTool::Mode::Immediate,
                                      const QJsonObject &schema = objectSchema())
    {
        m_toolsAdded = true;
        return SessionLoopback::addTool(name, mode, schema);
    }

    ToolRegistry &registry = tools;

private:
    bool m_toolsAdded = false;
};

QByteArray callWithToken(const QByteArray &id, const QByteArray &tool, const QByteArray &token)
{
    return R"({"jsonrpc":"2.0","id":)" + id + R"(,"method":"tools/call","params":{"name":")" + tool
           + R"(","arguments":{},"_meta":{"progressToken":)" + token + "}}}";
}

} // namespace

class tst_Session final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initializeNegotiatesRevisionAndDeclaresCapabilities_data();
    void initializeNegotiatesRevisionAndDeclaresCapabilities();
    void initializeNeedsAProtocolVersion();
    void secondInitializeIsInvalidRequest();
    void requestsBeforeInitializeAreRefusedButPingIsAnswered();
    void requestsAreServedBeforeInitializedArrives();
    void pingAnswersWithAnEmptyResult();
    void notificationsAreNeverAnswered_data();
    void notificationsAreNeverAnswered();
    void clientResponsesAreIgnored();
    void unknownMethodIsMethodNotFound_data();
    void unknownMethodIsMethodNotFound();
    void nonObjectParamsAreInvalidParams();
    void reusedPendingIdIsRefused();

    void toolsListWalksEveryPage_data();
    void toolsListWalksEveryPage();
    void toolsListServesDefinitionsVerbatim();
    void toolsListRejectsInvalidCursor_data();
    void toolsListRejectsInvalidCursor();
    void cursorStaysValidWhenAnEarlierToolIsDisabled();
    void answeringToolsListReportsTheGenerationServed();

    void disabledToolIsHiddenAndRefused();
    void toolsCallWithoutAKnownToolIsInvalidParams_data();
    void toolsCallWithoutAKnownToolIsInvalidParams();
    void missingArgumentsAreAnEmptyObject_data();
    void missingArgumentsAreAnEmptyObject();
    void argumentsThatAreNotAnObjectAreInvalidParams_data();
    void argumentsThatAreNotAnObjectAreInvalidParams();
    void schemaInvalidArgumentsAreAToolError();
    void toolFailureIsAResultNotAProtocolError();
    void laterAnswerCarriesTheRequestId_data();
    void laterAnswerCarriesTheRequestId();
    void requestFinishedReportsEachOutcome_data();
    void requestFinishedReportsEachOutcome();

    void progressEchoesTokenWithItsExactType_data();
    void progressEchoesTokenWithItsExactType();
    void progressWithoutAUsableTokenIsNotSent_data();
    void progressWithoutAUsableTokenIsNotSent();
    void progressMustStrictlyIncrease();
    void nothingFollowsTheFinalResponse();

    void cancelledCallIsNeverAnswered();
    void invalidOrLateCancellationsAreIgnored();

    void setLevelFiltersLogMessages_data();
    void setLevelFiltersLogMessages();
    void setLevelRejectsInvalidLevels_data();
    void setLevelRejectsInvalidLevels();
    void toolLogsGoWithTheirRequest();
    void setLevelAppliesToRunningCalls();

    void listChangedWaitsForInitialized();
    void listChangedIsCoalescedPerBurst();
    void listChangedSkipsChangesTheClientAlreadySaw();

    void closeCancelsRunningCallsSilently();
    void destroyingTheSessionCancelsRunningCalls();
};

void tst_Session::initializeNegotiatesRevisionAndDeclaresCapabilities_data()
{
    QTest::addColumn<QString>("requested");
    QTest::addColumn<QString>("negotiated");
    QTest::addColumn<QByteArray>("id");

    QTest::newRow("2025-11-25") << u"2025-11-25"_s << u"2025-11-25"_s << QByteArray("0");
    QTest::newRow("2025-06-18") << u"2025-06-18"_s << u"2025-06-18"_s << QByteArray("1");
    QTest::newRow("2025-03-26") << u"2025-03-26"_s << u"2025-03-26"_s << QByteArray(R"("init")");
    QTest::newRow("2024-11-05") << u"2024-11-05"_s << u"2024-11-05"_s << QByteArray("0");
    QTest::newRow("unknown future") << u"2099-01-01"_s << u"2025-11-25"_s << QByteArray("0");
    QTest::newRow("2024-10-07") << u"2024-10-07"_s << u"2025-11-25"_s << QByteArray("0");
    QTest::newRow("empty") << QString() << u"2025-11-25"_s << QByteArray("0");
}

void tst_Session::initializeNegotiatesRevisionAndDeclaresCapabilities()
{
    QFETCH(QString, requested);
    QFETCH(QString, negotiated);
    QFETCH(QByteArray, id);

    Loopback h;
    QSignalSpy identified(&h.session, &Session::clientIdentified);
    QSignalSpy ready(&h.session, &Session::ready);
    QVERIFY(h.send(R"({"jsonrpc":"2.0","id":)" + id
                   + R"(,"method":"initialize","params":{"protocolVersion":")" + requested.toUtf8()
                   +
                   R"(","capabilities":{"roots":{}},
                         "clientInfo":{"name":"tst-client","version":"3.1","title":"T"}}})"));

    QCOMPARE(h.sent.size(), 1);
    const OutgoingMessage &answer = h.sent.first();
    QVERIFY(answer.isFinalResponse);
    QCOMPARE(answer.relatedTo, RequestId(jsonValue(id)));
    QCOMPARE(wire(answer.json.value("id"_L1)), id);
    QVERIFY(!answer.json.contains("error"_L1));
    const QJsonObject result = resultOf(answer);
    QCOMPARE(result.value("protocolVersion"_L1).toString(), negotiated);
    const QJsonObject capabilities = result.value("capabilities"_L1).toObject();
    QCOMPARE(capabilities.value("tools"_L1).toObject().value("listChanged"_L1), QJsonValue(true));
    QVERIFY(capabilities.value("logging"_L1).isObject());
    QVERIFY(capabilities.value("logging"_L1).toObject().isEmpty());
    // Only what is implemented is declared.
    QCOMPARE(capabilities.keys(), (QStringList{u"logging"_s, u"tools"_s}));
    const QJsonObject serverInfo = result.value("serverInfo"_L1).toObject();
    QCOMPARE(serverInfo.value("name"_L1).toString(), u"heartline-test"_s);
    QCOMPARE(serverInfo.value("version"_L1).toString(), u"9.8.7"_s);
    QCOMPARE(serverInfo.value("title"_L1).toString(), u"Heartline Test"_s);
    QVERIFY(!result.contains("instructions"_L1));

    QCOMPARE(Revisions::name(h.session.revision()), negotiated);
    QCOMPARE(h.session.state(), Session::State::AwaitingInitialized);
    QCOMPARE(h.session.client().name, u"tst-client"_s);
    QCOMPARE(h.session.client().version, u"3.1"_s);
    QCOMPARE(h.session.client().title, u"T"_s);
    QVERIFY(h.session.client().capabilities.contains("roots"_L1));
    QCOMPARE(identified.size(), 1);
    QCOMPARE(ready.size(), 0);
    QVERIFY(!h.session.isPending(RequestId(jsonValue(id))));

    QVERIFY(h.send(R"({"jsonrpc":"2.0","method":"notifications/initialized"})"));
    QCOMPARE(h.sent.size(), 1);
    QCOMPARE(ready.size(), 1);
    QVERIFY(h.session.isInitialized());
}

void tst_Session::initializeNeedsAProtocolVersion()
{
    Loopback h;
    QVERIFY(
        h.send(R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}})"));
    QVERIFY(h.send(R"({"jsonrpc":"2.0","id":2,"method":"initialize","params":{
                       "protocolVersion":20251125}})"));
    QCOMPARE(h.sent.size(), 2);
    QCOMPARE(errorCode(h.sent.at(0)), int(JsonRpcCode::InvalidParams));
    QCOMPARE(errorCode(h.sent.at(1)), int(JsonRpcCode::InvalidParams));
    QCOMPARE(h.session.state(), Session::State::AwaitingInitialize);

    // A failed initialize leaves the door open for a correct one.
    QVERIFY(h.initialize());
}

void tst_Session::secondInitializeIsInvalidRequest()
{
    Loopback h;
    QVERIFY(h.send(R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{
                       "protocolVersion":"2025-06-18"}})"));
    QVERIFY(h.send(R"({"jsonrpc":"2.0","id":2,"method":"initialize","params":{
                       "protocolVersion":"2025-11-25"}})"));
    QCOMPARE(h.sent.size(), 2);
    QCOMPARE(errorCode(h.sent.at(1)), int(JsonRpcCode::InvalidRequest));
    QCOMPARE(wire(h.sent.at(1).json.value("id"_L1)), QByteArray("2"));
    QVERIFY(h.sent.at(1).isFinalResponse);
    QCOMPARE(h.session.revision(), Revision::V2025_06_18);

    QVERIFY(h.send(R"({"jsonrpc":"2.0","method":"notifications/initialized"})"));
    QVERIFY(h.send(R"({"jsonrpc":"2.0","id":3,"method":"initialize","params":{
                       "protocolVersion":"2025-11-25"}})"));
    QCOMPARE(errorCode(h.sent.last()), int(JsonRpcCode::InvalidRequest));
    QCOMPARE(h.session.revision(), Revision::V2025_06_18);
}

void tst_Session::requestsBeforeInitializeAreRefusedButPingIsAnswered()
{
    Loopback h;
    h.addTool(u"alpha"_s);
    QVERIFY(h.send(R"({"jsonrpc":"2.0","id":1,"method":"tools/list"})"));
    QVERIFY(h.send(R"({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"alpha"}})"));
    QVERIFY(h.send(R"({"jsonrpc":"2.0","id":3,"method":"ping"})"));

    QCOMPARE(h.sent.size(), 3);
    QCOMPARE(errorCode(h.sent.at(0)), int(JsonRpcCode::InvalidRequest));
    QCOMPARE(errorCode(h.sent.at(1)), int(JsonRpcCode::InvalidRequest));
    QCOMPARE(h.sent.at(2).json, JsonRpc::result(RequestId(QJsonValue(3)), {}));
    QCOMPARE(h.session.pendingCount(), 0);
}

void tst_Session::requestsAreServedBeforeInitializedArrives()
{
    Loopback h;
    h.addTool(u"alpha"_s);
    QVERIFY(h.send(R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{
                       "protocolVersion":"2025-11-25"}})"));
    QVERIFY(h.send(R"({"jsonrpc":"2.0","id":2,"method":"tools/list"})"));

    QCOMPARE(h.sent.size(), 2);
    QCOMPARE(toolNames(resultOf(h.sent.at(1))), QStringList{u"alpha"_s});
}

void tst_Session::pingAnswersWithAnEmptyResult()
{
    Loopback h;
    QVERIFY(h.initialize());
    QVERIFY(h.send(R"({"jsonrpc":"2.0","id":"p","method":"ping"})"));
    QVERIFY(h.send(R"({"jsonrpc":"2.0","id":0,"method":"ping","params":{}})"));

    QCOMPARE(h.sent.size(), 2);
    QCOMPARE(JsonRpc::serialize(h.sent.at(0).json),
             QByteArray(R"({"id":"p","jsonrpc":"2.0","result":{}})"));
    QCOMPARE(JsonRpc::serialize(h.sent.at(1).json),
             QByteArray(R"({"id":0,"jsonrpc":"2.0","result":{}})"));
    QVERIFY(h.sent.at(0).isFinalResponse);
    QCOMPARE(h.sent.at(0).relatedTo, RequestId(QJsonValue(u"p"_s)));
}

void tst_Session::notificationsAreNeverAnswered_data()
{
    QTest::addColumn<QByteArray>("notification");
    QTest::addColumn<bool>("initialized");

    const QList<QPair<const char *, QByteArray>> notifications{
        {"initialized", R"({"jsonrpc":"2.0","method":"notifications/initialized"})"},
        {"unknown notification", R"({"jsonrpc":"2.0","method":"notifications/whatever"})"},
        {"unknown method", R"({"jsonrpc":"2.0","method":"tools/list"})"},
        {"cancel unknown", R"({"jsonrpc":"2.0","method":"notifications/cancelled",
                               "params":{"requestId":99}})"},
        {"cancel without params", R"({"jsonrpc":"2.0","method":"notifications/cancelled"})"},
        {"progress", R"({"jsonrpc":"2.0","method":"notifications/progress",
                         "params":{"progressToken":1,"progress":1}})"},
        {"roots changed", R"({"jsonrpc":"2.0","method":"notifications/roots/list_changed"})"},
        {"array params", R"({"jsonrpc":"2.0","method":"notifications/x","params":[1]})"},
    };
    for (const auto &[name, json] : notifications) {
        QTest::addRow("%s, before initialize", name) << json << false;
        QTest::addRow("%s, when ready", name) << json << true;
    }
}

void tst_Session::notificationsAreNeverAnswered()
{
    QFETCH(QByteArray, notification);
    QFETCH(bool, initialized);

    Loopback h;
    if (initialized)
        QVERIFY(h.initialize());
    const Session::State state = h.session.state();
    QVERIFY(h.send(notification));
    QVERIFY(h.send(notification));

    QCOMPARE(h.sent.size(), 0);
    QCOMPARE(h.session.pendingCount(), 0);
    QCOMPARE(h.session.state(), state); // initialized before initialize changes nothing
}

void tst_Session::clientResponsesAreIgnored()
{
    Loopback h;
    QVERIFY(h.initialize());
    QVERIFY(h.send(R"({"jsonrpc":"2.0","id":1,"result":{}})"));
    QVERIFY(h.send(R"({"jsonrpc":"2.0","id":"x","error":{"code":-32601,"message":"no"}})"));
    QCOMPARE(h.sent.size(), 0);
    QCOMPARE(h.session.pendingCount(), 0);
}

void tst_Session::unknownMethodIsMethodNotFound_data()
{
    QTest::addColumn<QByteArray>("id");
    QTest::addColumn<QByteArray>("method");

    QTest::newRow("resources/list") << QByteArray("4") << QByteArray("resources/list");
    QTest::newRow("prompts/get") << QByteArray(R"("four")") << QByteArray("prompts/get");
    QTest::newRow("close relative of a real method") << QByteArray("0") << QByteArray("tools/List");
    QTest::newRow("a notification name as a request")
        << QByteArray("-1") << QByteArray("notifications/initialized");
}

void tst_Session::unknownMethodIsMethodNotFound()
{
    QFETCH(QByteArray, id);
    QFETCH(QByteArray, method);

    Loopback h;
    QVERIFY(h.initialize());
    QVERIFY(h.send(R"({"jsonrpc":"2.0","id":)" + id + R"(,"method":")" + method + R"("})"));

    QCOMPARE(h.sent.size(), 1);
    QCOMPARE(errorCode(h.sent.first()), int(JsonRpcCode::MethodNotFound));
    QCOMPARE(wire(h.sent.first().json.value("id"_L1)), id);
    QVERIFY(h.sent.first().isFinalResponse);
    QCOMPARE(h.sent.first().relatedTo, RequestId(jsonValue(id)));
    QCOMPARE(h.session.pendingCount(), 0);
}

void tst_Session::nonObjectParamsAreInvalidParams()
{
    Loopback h;
    QVERIFY(h.initialize());
    QVERIFY(h.send(R"({"jsonrpc":"2.0","id":1,"method":"tools/list","params":["x"]})"));
    QCOMPARE(h.sent.size(), 1);
    QCOMPARE(errorCode(h.sent.first()), int(JsonRpcCode::InvalidParams));
}

void tst_Session::reusedPendingIdIsRefused()
{
    Loopback h;
    const auto slow = h.addTool(u"slow"_s, FakeTool::Mode::Deferred);
    QVERIFY(h.initialize());
    QVERIFY(h.send(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"slow"}})"));
    QVERIFY(h.send(R"({"jsonrpc":"2.0","id":1,"method":"ping"})"));

    QCOMPARE(h.sent.size(), 1);
    QCOMPARE(errorCode(h.sent.first()), int(JsonRpcCode::InvalidRequest));
    QVERIFY(h.session.isPending(RequestId(QJsonValue(1))));
    QCOMPARE(slow->calls, 1);

    // The same digits as a string are another id.
    QVERIFY(h.send(R"({"jsonrpc":"2.0","id":"1","method":"ping"})"));
    QCOMPARE(h.sent.size(), 2);
    QVERIFY(h.sent.last().json.contains("result"_L1));

    // The first request is untouched and still answers.
    QVERIFY(slow->lastCall());
    slow->lastCall()->finishWithText(u"done"_s);
    QCOMPARE(h.sent.size(), 3);
    QCOMPARE(h.sent.last().json.value("id"_L1), QJsonValue(1));
    QCOMPARE(firstText(resultOf(h.sent.last())), u"done"_s);
}

void tst_Session::toolsListWalksEveryPage_data()
{
    QTest::addColumn<int>("pageSize");
    QTest::addColumn<int>("toolCount");
    QTest::addColumn<int>("pages");

    QTest::newRow("2 per page, 5 tools") << 2 << 5 << 3;
    QTest::newRow("3 per page, 6 tools") << 3 << 6 << 2;
    QTest::newRow("1 per page, 3 tools") << 1 << 3 << 3;
    QTest::newRow("all on one page") << 100 << 7 << 1;
    QTest::newRow("no tools") << 2 << 0 << 1;
}

void tst_Session::toolsListWalksEveryPage()
{
    QFETCH(int, pageSize);
    QFETCH(int, toolCount);
    QFETCH(int, pages);

    Loopback h(pageSize);
    QStringList expected;
    for (int i = toolCount - 1; i >= 0; --i) {
        const QString name = u"tool-%1"_s.arg(i);
        h.addTool(name);
        expected.prepend(name);
    }
    // A disabled tool is skipped without disturbing the pages.
    h.addTool(u"tool-1b"_s);
    QVERIFY(h.registry.setEnabled(u"tool-1b"_s, false));
    QVERIFY(h.initialize());

    QStringList seen;
    QJsonValue cursor;
    int page = 0;
    for (; page < 20; ++page) {
        QJsonObject params;
        if (!cursor.isUndefined())
            params.insert("cursor"_L1, cursor);
        h.session.receive(
            JsonRpc::parseBody(JsonRpc::serialize(JsonRpc::request(RequestId(QJsonValue(page + 10)),
                                                                   u"tools/list"_s, params)))
                .messages.first());
        QCOMPARE(h.sent.size(), page + 1);
        const QJsonObject result = resultOf(h.sent.last());
        const QStringList names = toolNames(result);
        QVERIFY2(names.size() <= pageSize, qPrintable(names.join(u',')));
        seen += names;
        cursor = result.value("nextCursor"_L1);
        if (cursor.isUndefined())
            break;
        QVERIFY(cursor.isString());
        QVERIFY(!names.isEmpty()); // never an empty page that still promises more
    }
    QCOMPARE(page + 1, pages);
    QCOMPARE(seen, expected);
}

void tst_Session::toolsListServesDefinitionsVerbatim()
{
    Loopback h;
    const QJsonObject schema =
        QJsonDocument::fromJson(R"({"$schema":"https://json-schema.org/draft/2020-12/schema",
            "type":"object","$defs":{"p":{"type":"string"}},"properties":{"a":{"$ref":"#/$defs/p"}},
            "additionalProperties":false})")
            .object();
    h.addTool(u"alpha"_s, FakeTool::Mode::Immediate, schema);
    QVERIFY(h.initialize());
    QVERIFY(h.send(R"({"jsonrpc":"2.0","id":1,"method":"tools/list"})"));

    const QJsonArray tools = resultOf(h.sent.first()).value("tools"_L1).toArray();
    QCOMPARE(tools.size(), 1);
    QCOMPARE(tools.first().toObject(), (QJsonObject{{"name"_L1, "alpha"_L1},
                                                    {"description"_L1, "A tool the test drives"_L1},
                                                    {"inputSchema"_L1, schema}}));
    QVERIFY(!resultOf(h.sent.first()).contains("nextCursor"_L1));
}

void tst_Session::toolsListRejectsInvalidCursor_data()
{
    QTest::addColumn<QByteArray>("cursor");

    QTest::newRow("garbage") << QByteArray(R"("not a cursor!!")");
    QTest::newRow("empty string") << QByteArray(R"("")");
    QTest::newRow("base64 of something else")
        << QByteArray("\"" + QByteArray("hello").toBase64() + "\"");
    QTest::newRow("base64url of a foreign cursor") << QByteArray(
        "\"" + QByteArray("before:tool-0").toBase64(QByteArray::Base64UrlEncoding) + "\"");
    QTest::newRow("the tool name itself") << QByteArray(R"("tool-0")");
    QTest::newRow("a number") << QByteArray("5");
    QTest::newRow("an object") << QByteArray(R"({"after":"tool-0"})");
    QTest::newRow("a boolean") << QByteArray("true");
}

void tst_Session::toolsListRejectsInvalidCursor()
{
    QFETCH(QByteArray, cursor);

    Loopback h(2);
    for (int i = 0; i < 4; ++i)
        h.addTool(u"tool-%1"_s.arg(i));
    QVERIFY(h.initialize());
    QVERIFY(h.send(R"({"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"cursor":)" + cursor
                   + "}}"));

    QCOMPARE(h.sent.size(), 1);
    QCOMPARE(errorCode(h.sent.first()), int(JsonRpcCode::InvalidParams));
    QVERIFY(h.sent.first().isFinalResponse);
}

void tst_Session::cursorStaysValidWhenAnEarlierToolIsDisabled()
{
    Loopback h(2);
    for (const QString &name : {u"a"_s, u"b"_s, u"c"_s, u"d"_s, u"e"_s})
        h.addTool(name);
    QVERIFY(h.initialize());
    QVERIFY(h.send(R"({"jsonrpc":"2.0","id":1,"method":"tools/list"})"));
    const QJsonObject first = resultOf(h.sent.last());
    QCOMPARE(toolNames(first), (QStringList{u"a"_s, u"b"_s}));
    const QString cursor = first.value("nextCursor"_L1).toString();
    QVERIFY(!cursor.isEmpty());

    QVERIFY(h.registry.setEnabled(u"a"_s, false));
    QVERIFY(h.registry.unregisterTool(u"b"_s));
    QVERIFY(h.send(R"({"jsonrpc":"2.0","id":2,"method":"tools/list","params":{"cursor":")"
                   + cursor.toUtf8() + R"("}})"));
    const QJsonObject second = resultOf(h.sent.last());
    QVERIFY(!h.sent.last().json.contains("error"_L1));
    QCOMPARE(toolNames(second), (QStringList{u"c"_s, u"d"_s}));
    QVERIFY(second.contains("nextCursor"_L1));
}

void tst_Session::answeringToolsListReportsTheGenerationServed()
{
    Loopback h;
    h.addTool(u"alpha"_s);
    QVERIFY(h.initialize());
    QSignalSpy served(&h.session, &Session::toolsListServed);
    QVERIFY(h.send(R"({"jsonrpc":"2.0","id":1,"method":"tools/list"})"));
    QCOMPARE(served.size(), 1);
    const quint64 first = served.first().first().toULongLong();
    QCOMPARE(first, h.registry.generation());

    QVERIFY(h.registry.setEnabled(u"alpha"_s, false));
    QVERIFY(h.registry.generation() > first);
    QVERIFY(h.send(R"({"jsonrpc":"2.0","id":2,"method":"tools/list"})"));
    QCOMPARE(served.size(), 2);
    QCOMPARE(served.last().first().toULongLong(), h.registry.generation());

    // A refused tools/list served no list.
    QVERIFY(h.send(R"({"jsonrpc":"2.0","id":3,"method":"tools/list","params":{"cursor":42}})"));
    QCOMPARE(errorCode(h.sent.last()), int(JsonRpcCode::InvalidParams));
    QCOMPARE(served.size(), 2);
}

void tst_Session::disabledToolIsHiddenAndRefused()
{
    Loopback h;
    const auto alpha = h.addTool(u"alpha"_s);
    h.addTool(u"beta"_s);
    QVERIFY(h.registry.setEnabled(u"alpha"_s, false));
    QVERIFY(h.initialize());

    QVERIFY(h.send(R"({"jsonrpc":"2.0","id":1,"method":"tools/list"})"));
    QCOMPARE(toolNames(resultOf(h.sent.last())), QStringList{u"beta"_s});

    QVERIFY(h.send(R"({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"alpha"}})"));
    QCOMPARE(errorCode(h.sent.last()), int(JsonRpcCode::InvalidParams));
    QCOMPARE(alpha->calls, 0);

    QVERIFY(h.registry.setEnabled(u"alpha"_s, true));
    QVERIFY(h.send(R"({"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"alpha"}})"));
    QCOMPARE(firstText(resultOf(h.sent.last())), u"alpha"_s);
    QCOMPARE(alpha->calls, 1);
}

void tst_Session::toolsCallWithoutAKnownToolIsInvalidParams_data()
{
    QTest::addColumn<QByteArray>("params");

    QTest::newRow("unknown tool") << QByteArray(R"({"name":"ghost"})");
    QTest::newRow("name in another case") << QByteArray(R"({"name":"ALPHA"})");
    QTest::newRow("no name") << QByteArray(R"({"arguments":{}})");
    QTest::newRow("name not a string") << QByteArray(R"({"name":5})");
    QTest::newRow("no params") << QByteArray();
}

void tst_Session::toolsCallWithoutAKnownToolIsInvalidParams()
{
    QFETCH(QByteArray, params);

    Loopback h;
    const auto alpha = h.addTool(u"alpha"_s);
    QVERIFY(h.initialize());
    QVERIFY(h.send(R"({"jsonrpc":"2.0","id":"c","method":"tools/call")"
                   + (params.isEmpty() ? QByteArray() : ",\"params\":" + params) + "}"));

    QCOMPARE(h.sent.size(), 1);
    QCOMPARE(errorCode(h.sent.first()), int(JsonRpcCode::InvalidParams));
    QCOMPARE(h.sent.first().json.value("id"_L1), QJsonValue(u"c"_s));
    QVERIFY(h.sent.first().isFinalResponse);
    QCOMPARE(alpha->calls, 0);
}

void tst_Session::missingArgumentsAreAnEmptyObject_data()
{
    QTest::addColumn<QByteArray>("params");

    QTest::newRow("absent") << QByteArray(R"({"name":"alpha"})");
    QTest::newRow("null") << QByteArray(R"({"name":"alpha","arguments":null})");
    QTest::newRow("empty object") << QByteArray(R"({"name":"alpha","arguments":{}})");
}

void tst_Session::missingArgumentsAreAnEmptyObject()
{
    QFETCH(QByteArray, params);

    Loopback h;
    // additionalProperties:false with nothing required: {} passes, anything else would not.
    const auto alpha = h.addTool(u"alpha"_s, FakeTool::Mode::Immediate,
                                 {{"type"_L1, "object"_L1},
                                  {"properties"_L1, QJsonObject{}},
                                  {"additionalProperties"_L1, false}});
    QVERIFY(h.initialize());
    QVERIFY(h.send(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":)" + params + "}"));

    QCOMPARE(h.sent.size(), 1);
    QVERIFY(!h.sent.first().json.contains("error"_L1));
    QVERIFY(!resultOf(h.sent.first()).value("isError"_L1).toBool());
    QCOMPARE(alpha->calls, 1);
    QCOMPARE(alpha->lastArguments, QJsonObject());
}

void tst_Session::argumentsThatAreNotAnObjectAreInvalidParams_data()
{
    QTest::addColumn<QByteArray>("arguments");

    QTest::newRow("array") << QByteArray("[]");
    QTest::newRow("string") << QByteArray(R"("ms=5")");
    QTest::newRow("number") << QByteArray("5");
    QTest::newRow("boolean") << QByteArray("false");
}

void tst_Session::argumentsThatAreNotAnObjectAreInvalidParams()
{
    QFETCH(QByteArray, arguments);

    Loopback h;
    const auto alpha = h.addTool(u"alpha"_s);
    QVERIFY(h.initialize());
    QVERIFY(h.send(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"alpha",
                       "arguments":)"
                   + arguments + "}}"));

    QCOMPARE(h.sent.size(), 1);
    QCOMPARE(errorCode(h.sent.first()), int(JsonRpcCode::InvalidParams));
    QCOMPARE(alpha->calls, 0);
}

void tst_Session::schemaInvalidArgumentsAreAToolError()
{
    Loopback h;
    const auto alpha = h.addTool(
        u"alpha"_s, FakeTool::Mode::Immediate,
        {{"type"_L1, "object"_L1},
         {"properties"_L1, QJsonObject{{"ms"_L1, QJsonObject{{"type"_L1, "integer"_L1}}}}},
         {"required"_L1, QJsonArray{"ms"_L1}}});
    QVERIFY(h.initialize());
    QVERIFY(h.send(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"alpha",
                       "arguments":{"ms":"soon"}}})"));
    QVERIFY(h.send(R"({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"alpha"}})"));

    QCOMPARE(h.sent.size(), 2);
    for (const OutgoingMessage &answer : std::as_const(h.sent)) {
        QVERIFY(!answer.json.contains("error"_L1));
        QVERIFY(answer.isFinalResponse);
        const QJsonObject result = resultOf(answer);
        QCOMPARE(result.value("isError"_L1), QJsonValue(true));
        QVERIFY(firstText(result).contains("'ms'"_L1));
        QCOMPARE(result.value("content"_L1).toArray().first().toObject().value("type"_L1),
                 QJsonValue(u"text"_s));
    }
    QVERIFY(firstText(resultOf(h.sent.at(0))).contains("integer"_L1));
    QVERIFY(firstText(resultOf(h.sent.at(1))).contains("missing"_L1));
    QCOMPARE(alpha->calls, 0);
}

void tst_Session::toolFailureIsAResultNotAProtocolError()
{
    Loopback h;
    const auto alpha = h.addTool(u"alpha"_s, FakeTool::Mode::Deferred);
    QVERIFY(h.initialize());
    QVERIFY(h.send(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"alpha"}})"));
    QVERIFY(alpha->lastCall());
    alpha->lastCall()->fail(u"the disk is full"_s);

    QCOMPARE(h.sent.size(), 1);
    QVERIFY(!h.sent.first().json.contains("error"_L1));
    QCOMPARE(resultOf(h.sent.first()).value("isError"_L1), QJsonValue(true));
    QCOMPARE(firstText(resultOf(h.sent.first())), u"the disk is full"_s);
}

void tst_Session::laterAnswerCarriesTheRequestId_data()
{
    QTest::addColumn<QByteArray>("id");

    QTest::newRow("integer") << QByteArray("7");
    QTest::newRow("zero") << QByteArray("0");
    QTest::newRow("negative") << QByteArray("-3");
    QTest::newRow("string") << QByteArray(R"("call-7")");
    QTest::newRow("string of digits") << QByteArray(R"("7")");
    QTest::newRow("2^53+1") << QByteArray("9007199254740993");
}

void tst_Session::laterAnswerCarriesTheRequestId()
{
    QFETCH(QByteArray, id);

    Loopback h;
    const auto slow = h.addTool(u"slow"_s, FakeTool::Mode::Deferred);
    QVERIFY(h.initialize());
    QVERIFY(h.send(R"({"jsonrpc":"2.0","id":)" + id
                   + R"(,"method":"tools/call","params":{"name":"slow","arguments":{"k":[1]}}})"));
    QCOMPARE(h.sent.size(), 0);
    QCOMPARE(slow->calls, 1);
    QCOMPARE(slow->lastArguments, (QJsonObject{{"k"_L1, QJsonArray{1}}}));
    QVERIFY(h.session.isPending(RequestId(jsonValue(id))));

    // Meanwhile the session keeps serving other requests.
    QVERIFY(h.send(R"({"jsonrpc":"2.0","id":"other","method":"ping"})"));
    QCOMPARE(h.sent.size(), 1);
    h.sent.clear();

    const QPointer<ToolCall> call = slow->lastCall();
    QTimer::singleShot(10, call, [call] { call->finishWithText(u"late"_s); });
    QTRY_COMPARE(h.sent.size(), 1);

    const OutgoingMessage &answer = h.sent.first();
    QCOMPARE(wire(answer.json.value("id"_L1)), id);
    QCOMPARE(answer.relatedTo, RequestId(jsonValue(id)));
    QVERIFY(answer.isFinalResponse);
    QCOMPARE(firstText(resultOf(answer)), u"late"_s);
    QVERIFY(!h.session.isPending(RequestId(jsonValue(id))));
    QTRY_VERIFY(call.isNull()); // the session does not leak finished calls
}

void tst_Session::requestFinishedReportsEachOutcome_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<int>("result");
    QTest::addColumn<QString>("method");
    QTest::addColumn<QString>("toolName");

    QTest::newRow("ping") << QByteArray(R"({"jsonrpc":"2.0","id":1,"method":"ping"})")
                          << int(RequestOutcome::Result::Ok) << u"ping"_s << QString();
    QTest::newRow("unknown method")
        << QByteArray(R"({"jsonrpc":"2.0","id":1,"method":"nope"})")
        << int(RequestOutcome::Result::ProtocolError) << u"nope"_s << QString();
    QTest::newRow("tool call") << QByteArray(
        R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"ok"}})")
                               << int(RequestOutcome::Result::Ok) << u"tools/call"_s << u"ok"_s;
    // A name the registry does not know is not recorded: clients must not be able to grow
    // per-tool statistics by inventing names.
    QTest::newRow("unknown tool") << QByteArray(
        R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x"}})")
                                  << int(RequestOutcome::Result::ProtocolError) << u"tools/call"_s
                                  << QString();
    QTest::newRow("invalid arguments")
        << QByteArray(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"strict",
                          "arguments":{"unexpected":1}}})")
        << int(RequestOutcome::Result::ToolError) << u"tools/call"_s << u"strict"_s;
}

void tst_Session::requestFinishedReportsEachOutcome()
{
    QFETCH(QByteArray, request);
    QFETCH(int, result);
    QFETCH(QString, method);
    QFETCH(QString, toolName);

    Loopback h;
    h.addTool(u"ok"_s);
    h.addTool(u"strict"_s, FakeTool::Mode::Immediate,
              {{"type"_L1, "object"_L1}, {"additionalProperties"_L1, false}});
    QVERIFY(h.initialize());
    QSignalSpy finished(&h.session, &Session::requestFinished);
    QVERIFY(h.send(request));

    QCOMPARE(finished.size(), 1);
    const auto outcome = finished.first().first().value<RequestOutcome>();
    QCOMPARE(int(outcome.result), result);
    QCOMPARE(outcome.method, method);
    QCOMPARE(outcome.toolName, toolName);
    QCOMPARE(outcome.id, RequestId(QJsonValue(1)));
    QVERIFY(outcome.elapsedMs >= 0);
}

void tst_Session::progressEchoesTokenWithItsExactType_data()
{
    QTest::addColumn<QByteArray>("token");

    QTest::newRow("integer") << QByteArray("1");
    QTest::newRow("zero") << QByteArray("0");
    QTest::newRow("string of digits") << QByteArray(R"("1")");
    QTest::newRow("string") << QByteArray(R"("tök-42")");
    QTest::newRow("2^53+1") << QByteArray("9007199254740993");
}

void tst_Session::progressEchoesTokenWithItsExactType()
{
    QFETCH(QByteArray, token);

    Loopback h;
    const auto slow = h.addTool(u"slow"_s, FakeTool::Mode::Deferred);
    QVERIFY(h.initialize());
    QVERIFY(h.send(callWithToken("5", "slow", token)));
    QVERIFY(slow->lastCall());
    QVERIFY(slow->lastCall()->wantsProgress());
    slow->lastCall()->reportProgress(1, 4, u"one"_s);
    slow->lastCall()->reportProgress(2);
    slow->lastCall()->finishWithText(u"done"_s);

    QCOMPARE(h.sent.size(), 3);
    for (int i = 0; i < 2; ++i) {
        const OutgoingMessage &progress = h.sent.at(i);
        QCOMPARE(progress.json.value("method"_L1).toString(), u"notifications/progress"_s);
        QVERIFY(!progress.json.contains("id"_L1));
        QVERIFY(!progress.isFinalResponse);
        QCOMPARE(progress.relatedTo, RequestId(QJsonValue(5)));
        const QJsonObject params = progress.json.value("params"_L1).toObject();
        QCOMPARE(wire(params.value("progressToken"_L1)), token);
        QCOMPARE(params.value("progress"_L1).toDouble(), double(i + 1));
    }
    const QJsonObject firstParams = h.sent.at(0).json.value("params"_L1).toObject();
    QCOMPARE(firstParams.value("total"_L1).toDouble(), 4.0);
    QCOMPARE(firstParams.value("message"_L1).toString(), u"one"_s);
    QVERIFY(h.sent.at(2).isFinalResponse);
}

void tst_Session::progressWithoutAUsableTokenIsNotSent_data()
{
    QTest::addColumn<QByteArray>("meta"); // the params._meta member, or empty for none

    QTest::newRow("no _meta") << QByteArray();
    QTest::newRow("_meta without token") << QByteArray(R"({})");
    QTest::newRow("null token") << QByteArray(R"({"progressToken":null})");
    QTest::newRow("boolean token") << QByteArray(R"({"progressToken":true})");
    QTest::newRow("object token") << QByteArray(R"({"progressToken":{"id":1}})");
}

void tst_Session::progressWithoutAUsableTokenIsNotSent()
{
    QFETCH(QByteArray, meta);

    Loopback h;
    const auto slow = h.addTool(u"slow"_s, FakeTool::Mode::Deferred);
    QVERIFY(h.initialize());
    QVERIFY(h.send(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"slow")"
                   + (meta.isEmpty() ? QByteArray() : ",\"_meta\":" + meta) + "}}"));
    QVERIFY(slow->lastCall());
    QVERIFY(!slow->lastCall()->wantsProgress());
    slow->lastCall()->reportProgress(1, 2);
    slow->lastCall()->finishWithText(u"done"_s);

    QCOMPARE(h.sent.size(), 1);
    QVERIFY(h.sent.first().isFinalResponse);
}

void tst_Session::progressMustStrictlyIncrease()
{
    Loopback h;
    const auto slow = h.addTool(u"slow"_s, FakeTool::Mode::Deferred);
    QVERIFY(h.initialize());
    QVERIFY(h.send(callWithToken("1", "slow", "1")));
    const QPointer<ToolCall> call = slow->lastCall();
    QVERIFY(call);
    for (const double progress : {0.5, 1.0, 1.0, 0.75, 3.0, 2.0, 3.5})
        call->reportProgress(progress, 10);

    QList<double> sent;
    for (const OutgoingMessage &message : std::as_const(h.sent))
        sent.append(message.json.value("params"_L1).toObject().value("progress"_L1).toDouble());
    QCOMPARE(sent, (QList<double>{0.5, 1.0, 3.0, 3.5}));
}

void tst_Session::nothingFollowsTheFinalResponse()
{
    Loopback h;
    const auto slow = h.addTool(u"slow"_s, FakeTool::Mode::Deferred);
    QVERIFY(h.initialize());
    QVERIFY(h.send(callWithToken(R"("r")", "slow", R"("t")")));
    const QPointer<ToolCall> call = slow->lastCall();
    QVERIFY(call);
    call->reportProgress(1);
    call->finishWithText(u"done"_s);
    QCOMPARE(h.sent.size(), 2);

    QVERIFY(call); // deletion is deferred, so a tool may still hold it for a moment
    call->reportProgress(2);
    call->log(LogLevel::Emergency, u"late"_s);
    call->finishWithText(u"again"_s);
    call->fail(u"and again"_s);
    QTRY_VERIFY(call.isNull());

    QCOMPARE(h.sent.size(), 2);
    QVERIFY(h.sent.last().isFinalResponse);
    QCOMPARE(firstText(resultOf(h.sent.last())), u"done"_s);
}

void tst_Session::cancelledCallIsNeverAnswered()
{
    Loopback h;
    const auto slow = h.addTool(u"slow"_s, FakeTool::Mode::Deferred);
    QVERIFY(h.initialize());
    QSignalSpy finished(&h.session, &Session::requestFinished);
    QVERIFY(h.send(callWithToken("5", "slow", "5")));
    const QPointer<ToolCall> call = slow->lastCall();
    QVERIFY(call);
    call->reportProgress(1);
    QCOMPARE(h.sent.size(), 1);

    QVERIFY(h.send(R"({"jsonrpc":"2.0","method":"notifications/cancelled",
                       "params":{"requestId":5,"reason":"the user changed their mind"}})"));
    QCOMPARE(slow->cancellations, 1);
    QVERIFY(!h.session.isPending(RequestId(QJsonValue(5))));
    QCOMPARE(finished.size(), 1);
    QCOMPARE(finished.first().first().value<RequestOutcome>().result,
             RequestOutcome::Result::Cancelled);

    // A tool that does not notice keeps reporting and finishing: none of it goes out.
    if (call) {
        call->reportProgress(2);
        call->finishWithText(u"too late"_s);
    }
    QTRY_VERIFY(call.isNull());
    QCOMPARE(h.sent.size(), 1);

    // The id is free again.
    QVERIFY(h.send(R"({"jsonrpc":"2.0","id":5,"method":"ping"})"));
    QCOMPARE(h.sent.size(), 2);
    QVERIFY(h.sent.last().json.contains("result"_L1));
}

void tst_Session::invalidOrLateCancellationsAreIgnored()
{
    Loopback h;
    const auto slow = h.addTool(u"slow"_s, FakeTool::Mode::Deferred);
    QVERIFY(h.initialize());
    QVERIFY(h.send(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"slow"}})"));
    const QList<QByteArray> ignored{
        R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":2}})",
        R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"1"}})",
        R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":null}})",
        R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{}})",
        R"({"jsonrpc":"2.0","method":"notifications/cancelled"})",
        R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":[1]})",
    };
    for (const QByteArray &cancel : ignored) {
        QVERIFY(h.send(cancel));
        QCOMPARE(slow->cancellations, 0);
        QVERIFY(h.session.isPending(RequestId(QJsonValue(1))));
    }
    QCOMPARE(h.sent.size(), 0);

    slow->lastCall()->finishWithText(u"done"_s);
    QCOMPARE(h.sent.size(), 1);
    // The race the spec warns about: the cancel arrives after the response went out.
    QVERIFY(h.send(R"({"jsonrpc":"2.0","method":"notifications/cancelled",
                       "params":{"requestId":1}})"));
    QCOMPARE(slow->cancellations, 0);
    QCOMPARE(h.sent.size(), 1);
}

void tst_Session::setLevelFiltersLogMessages_data()
{
    QTest::addColumn<QString>("level"); // empty: no logging/setLevel sent
    QTest::addColumn<QStringList>("delivered");

    const QStringList all{u"debug"_s, u"info"_s,     u"notice"_s, u"warning"_s,
                          u"error"_s, u"critical"_s, u"alert"_s,  u"emergency"_s};
    QTest::newRow("default sends everything") << QString() << all;
    QTest::newRow("debug") << u"debug"_s << all;
    QTest::newRow("info") << u"info"_s << all.mid(1);
    QTest::newRow("warning") << u"warning"_s << all.mid(3);
    QTest::newRow("emergency") << u"emergency"_s << QStringList{u"emergency"_s};
}

void tst_Session::setLevelFiltersLogMessages()
{
    QFETCH(QString, level);
    QFETCH(QStringList, delivered);

    Loopback h;
    QVERIFY(h.initialize());
    if (!level.isEmpty()) {
        QVERIFY(h.send(R"({"jsonrpc":"2.0","id":1,"method":"logging/setLevel","params":{"level":")"
                       + level.toUtf8() + R"("}})"));
        QCOMPARE(h.sent.size(), 1);
        QCOMPARE(h.sent.first().json, JsonRpc::result(RequestId(QJsonValue(1)), {}));
        QCOMPARE(heartline::LogLevels::name(h.session.logLevel()), level);
        h.sent.clear();
    }

    for (int i = int(LogLevel::Debug); i <= int(LogLevel::Emergency); ++i)
        h.session.logUnrelated(LogLevel(i), QJsonObject{{"n"_L1, i}}, u"tst"_s);

    QStringList levels;
    for (const OutgoingMessage &message : std::as_const(h.sent)) {
        QCOMPARE(message.json.value("method"_L1).toString(), u"notifications/message"_s);
        QVERIFY(!message.relatedTo.isValid());
        QVERIFY(!message.isFinalResponse);
        const QJsonObject params = message.json.value("params"_L1).toObject();
        QCOMPARE(params.value("logger"_L1).toString(), u"tst"_s);
        QVERIFY(params.value("data"_L1).toObject().contains("n"_L1));
        levels.append(params.value("level"_L1).toString());
    }
    QCOMPARE(levels, delivered);
}

void tst_Session::setLevelRejectsInvalidLevels_data()
{
    QTest::addColumn<QByteArray>("params");

    QTest::newRow("unknown name") << QByteArray(R"({"level":"verbose"})");
    QTest::newRow("upper case") << QByteArray(R"({"level":"WARNING"})");
    QTest::newRow("empty") << QByteArray(R"({"level":""})");
    QTest::newRow("number") << QByteArray(R"({"level":3})");
    QTest::newRow("missing") << QByteArray(R"({})");
}

void tst_Session::setLevelRejectsInvalidLevels()
{
    QFETCH(QByteArray, params);

    Loopback h;
    QVERIFY(h.initialize());
    QVERIFY(h.send(
        R"({"jsonrpc":"2.0","id":1,"method":"logging/setLevel","params":{"level":"error"}})"));
    QVERIFY(
        h.send(R"({"jsonrpc":"2.0","id":2,"method":"logging/setLevel","params":)" + params + "}"));

    QCOMPARE(h.sent.size(), 2);
    QCOMPARE(errorCode(h.sent.last()), int(JsonRpcCode::InvalidParams));
    QCOMPARE(h.session.logLevel(), LogLevel::Error); // the earlier level still holds
}

void tst_Session::toolLogsGoWithTheirRequest()
{
    Loopback h;
    const auto slow = h.addTool(u"slow"_s, FakeTool::Mode::Deferred);
    QVERIFY(h.initialize());
    QVERIFY(h.send(
        R"({"jsonrpc":"2.0","id":1,"method":"logging/setLevel","params":{"level":"notice"}})"));
    QVERIFY(h.send(R"({"jsonrpc":"2.0","id":"t","method":"tools/call","params":{"name":"slow"}})"));
    h.sent.clear();
    QVERIFY(slow->lastCall());
    slow->lastCall()->log(LogLevel::Info, u"filtered"_s);
    slow->lastCall()->log(LogLevel::Warning, QJsonObject{{"disk"_L1, 91}});
    slow->lastCall()->finishWithText(u"done"_s);

    QCOMPARE(h.sent.size(), 2);
    const OutgoingMessage &log = h.sent.first();
    QCOMPARE(log.relatedTo, RequestId(QJsonValue(u"t"_s)));
    QVERIFY(!log.isFinalResponse);
    QCOMPARE(log.json, JsonRpc::notification(u"notifications/message"_s,
                                             {{"level"_L1, "warning"_L1},
                                              {"logger"_L1, "slow"_L1},
                                              {"data"_L1, QJsonObject{{"disk"_L1, 91}}}}));
    QVERIFY(h.sent.last().isFinalResponse);
}

// logging/setLevel is the session's minimum from then on, for calls already running too.
void tst_Session::setLevelAppliesToRunningCalls()
{
    Loopback h;
    const auto slow = h.addTool(u"slow"_s, FakeTool::Mode::Deferred);
    QVERIFY(h.initialize());
    QVERIFY(h.send(R"({"jsonrpc":"2.0","id":"t","method":"tools/call","params":{"name":"slow"}})"));
    QVERIFY(slow->lastCall());
    QVERIFY(h.send(
        R"({"jsonrpc":"2.0","id":1,"method":"logging/setLevel","params":{"level":"error"}})"));
    h.sent.clear();
    slow->lastCall()->log(LogLevel::Warning, u"filtered"_s);
    slow->lastCall()->finishWithText(u"done"_s);

    QCOMPARE(h.sent.size(), 1);
    QVERIFY(h.sent.first().isFinalResponse);
}

void tst_Session::listChangedWaitsForInitialized()
{
    Loopback h;
    h.addTool(u"alpha"_s);
    QSignalSpy registryChanged(&h.registry, &ToolRegistry::listChanged);
    QVERIFY(registryChanged.wait(5000)); // the registration itself, before initialize
    QCOMPARE(h.sent.size(), 0);

    QVERIFY(h.send(R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{
                       "protocolVersion":"2025-11-25"}})"));
    h.sent.clear();
    QVERIFY(h.registry.setEnabled(u"alpha"_s, false));
    QVERIFY(registryChanged.wait(5000)); // between initialize and initialized
    QCOMPARE(h.sent.size(), 0);

    QVERIFY(h.send(R"({"jsonrpc":"2.0","method":"notifications/initialized"})"));
    QVERIFY(h.registry.setEnabled(u"alpha"_s, true));
    QTRY_COMPARE(h.sent.size(), 1);
    const OutgoingMessage &changed = h.sent.first();
    QCOMPARE(changed.json, JsonRpc::notification(u"notifications/tools/list_changed"_s));
    QVERIFY(!changed.json.contains("params"_L1));
    QVERIFY(!changed.relatedTo.isValid());
    QVERIFY(!changed.isFinalResponse);
}

void tst_Session::listChangedIsCoalescedPerBurst()
{
    Loopback h;
    h.addTool(u"alpha"_s);
    h.addTool(u"beta"_s);
    QVERIFY(h.initialize());

    QVERIFY(h.registry.setEnabled(u"alpha"_s, false));
    QVERIFY(h.registry.setEnabled(u"beta"_s, false));
    QVERIFY(h.registry.setEnabled(u"alpha"_s, true));
    QVERIFY(h.registry.unregisterTool(u"beta"_s));
    h.addTool(u"gamma"_s);
    QCOMPARE(h.sent.size(), 0);
    QTRY_COMPARE(h.countMethod(u"notifications/tools/list_changed"_s), 1);

    // A later change is a new burst with its own notification; a second one left over from
    // the first burst would have arrived before it.
    QVERIFY(h.registry.setEnabled(u"gamma"_s, false));
    QTRY_COMPARE(h.countMethod(u"notifications/tools/list_changed"_s), 2);
    QCOMPARE(h.sent.size(), 2);
}

void tst_Session::listChangedSkipsChangesTheClientAlreadySaw()
{
    Loopback h;
    h.registry.setCoalesceInterval(50);
    QSignalSpy registryChanged(&h.registry, &ToolRegistry::listChanged);

    // A tool registered just before the client initializes is in the list it will fetch:
    // the burst announced a moment later is old news for this session.
    h.addTool(u"alpha"_s);
    QVERIFY(h.send(R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{
                       "protocolVersion":"2025-11-25"}})"));
    QVERIFY(h.send(R"({"jsonrpc":"2.0","method":"notifications/initialized"})"));
    h.sent.clear();
    QVERIFY(registryChanged.wait(5000));
    QCOMPARE(h.countMethod(u"notifications/tools/list_changed"_s), 0);

    // Likewise a change the client has already listed since.
    QVERIFY(h.registry.setEnabled(u"alpha"_s, false));
    QVERIFY(h.send(R"({"jsonrpc":"2.0","id":2,"method":"tools/list"})"));
    QVERIFY(registryChanged.wait(5000));
    QCOMPARE(h.countMethod(u"notifications/tools/list_changed"_s), 0);

    // A change it has not seen is announced.
    QVERIFY(h.registry.setEnabled(u"alpha"_s, true));
    QTRY_COMPARE(h.countMethod(u"notifications/tools/list_changed"_s), 1);
}

void tst_Session::closeCancelsRunningCallsSilently()
{
    Loopback h;
    const auto slow = h.addTool(u"slow"_s, FakeTool::Mode::Deferred);
    QVERIFY(h.initialize());
    QVERIFY(h.send(callWithToken("1", "slow", "1")));
    QVERIFY(h.send(callWithToken(R"("two")", "slow", "2")));
    QCOMPARE(h.session.pendingCount(), 2);
    QCOMPARE(slow->running.size(), 2);
    const QPointer<ToolCall> first = slow->running.at(0);

    h.session.close();
    QCOMPARE(h.session.state(), Session::State::Closed);
    QCOMPARE(slow->cancellations, 2);
    QCOMPARE(h.session.pendingCount(), 0);
    QCOMPARE(h.sent.size(), 0);

    if (first) {
        first->reportProgress(1);
        first->finishWithText(u"late"_s);
    }
    QVERIFY(h.send(R"({"jsonrpc":"2.0","id":3,"method":"ping"})"));
    h.session.logUnrelated(LogLevel::Emergency, u"closed"_s, u"tst"_s);
    QSignalSpy registryChanged(&h.registry, &ToolRegistry::listChanged);
    QVERIFY(h.registry.setEnabled(u"slow"_s, false));
    QVERIFY(registryChanged.wait(5000));
    h.session.close(); // closing twice is harmless

    QCOMPARE(h.sent.size(), 0);
    QCOMPARE(slow->calls, 2);
    QTRY_VERIFY(first.isNull());
}

void tst_Session::destroyingTheSessionCancelsRunningCalls()
{
    ToolRegistry registry;
    const auto slow = std::make_shared<FakeTool>(u"slow"_s, FakeTool::Mode::Deferred);
    QVERIFY(registry.registerTool(slow));
    auto session = std::make_unique<Session>(&registry, ServerIdentity{u"s"_s, {}, u"1"_s, {}});
    int sent = 0;
    connect(session.get(), &Session::outgoing, this, [&sent] { ++sent; });
    for (const QByteArray &json :
         {QByteArray(R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{
                         "protocolVersion":"2025-11-25"}})"),
          QByteArray(R"({"jsonrpc":"2.0","method":"notifications/initialized"})"),
          QByteArray(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"slow"}})")})
        session->receive(JsonRpc::parseBody(json).messages.first());
    QCOMPARE(sent, 1);
    QCOMPARE(slow->running.size(), 1);

    session.reset();
    QCOMPARE(slow->cancellations, 1);
    QVERIFY(slow->running.first().isNull());
    QCOMPARE(sent, 1);
}

QTEST_GUILESS_MAIN(tst_Session)
#include "tst_session.moc"
