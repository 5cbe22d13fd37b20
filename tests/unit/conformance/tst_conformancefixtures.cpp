#include "server/protocol/catalog/promptregistry.h"
#include "server/protocol/catalog/resourceregistry.h"
#include "server/protocol/catalog/toolregistry.h"
#include "server/tools/conformance/conformancefixtures.h"
#include "server/tools/conformance/conformancemedia.h"
#include "tests/support/sessionloopback.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;
using heartline::OutgoingMessage;
using heartline::PromptRegistry;
using heartline::RequestId;
using heartline::ResourceRegistry;
using heartline::Session;
using heartline::ToolEntry;
using heartline::ToolRegistry;
namespace JsonRpc = heartline::JsonRpc;
using heartline::testing::firstText;
using heartline::testing::LoopbackParts;
using heartline::testing::SessionLoopback;

namespace {

constexpr int kAnswerTimeoutMs = 5000;

const QStringList kFixtureTools = {
    u"test_simple_text"_s,
    u"test_image_content"_s,
    u"test_audio_content"_s,
    u"test_embedded_resource"_s,
    u"test_multiple_content_types"_s,
    u"test_tool_with_logging"_s,
    u"test_error_handling"_s,
    u"test_tool_with_progress"_s,
    u"test_sampling"_s,
    u"test_elicitation"_s,
    u"test_elicitation_sep1034_defaults"_s,
    u"test_elicitation_sep1330_enums"_s,
    u"json_schema_2020_12_tool"_s,
    u"test_reconnection"_s,
};

QByteArray pngBase64()
{
    return QByteArray(heartline::ConformanceMedia::kPngBase64);
}

QJsonObject parse(const QByteArray &json)
{
    return QJsonDocument::fromJson(json).object();
}

QByteArray compact(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

// The fixture pack behind a Session, wired as a transport would, with everything the session
// sends kept in order. The client of each test declares `capabilities`.
class Harness final : public SessionLoopback
{
public:
    Harness()
        : SessionLoopback({u"conformance-test"_s, {}, u"1.0.0"_s, {}}, Session::Options{},
                          LoopbackParts{true, true, 1})
    {
        QObject::connect(&tools, &ToolRegistry::listChanged, &session, [this] { ++announced; });
        QObject::connect(&resources, &ResourceRegistry::listChanged, &session,
                         [this] { ++announced; });
        QObject::connect(&prompts, &PromptRegistry::listChanged, &session, [this] { ++announced; });
        registered = heartline::registerConformanceFixtures(&tools, &resources, &prompts);
        QObject::connect(&session, &Session::streamCloseRequested, &session,
                         [this](const RequestId &id) { closeRequests.append(id); });
    }

    [[nodiscard]] bool initialize(const QJsonObject &capabilities = {})
    {
        // Let the registries announce the fixtures while nobody listens, so that no late
        // list_changed lands between a test's messages.
        if (!QTest::qWaitFor([this] { return announced == 3; }, kAnswerTimeoutMs))
            return false;
        const QList<OutgoingMessage> answers = handshake(
            capabilities, {{"name"_L1, "conformance-test-client"_L1}, {"version"_L1, "1.0.0"_L1}});
        serverCapabilities =
            answers.value(0).json.value("result"_L1).toObject().value("capabilities"_L1).toObject();
        return session.isInitialized();
    }

    // Sends a request and returns the whole response, waiting for it if it comes later.
    QJsonObject request(int id, const QString &method, const QJsonObject &params = {})
    {
        const qsizetype from = sent.size();
        if (!send(compact({{"jsonrpc"_L1, "2.0"_L1},
                           {"id"_L1, id},
                           {"method"_L1, method},
                           {"params"_L1, params}})))
            return {};
        if (!QTest::qWaitFor([&]() { return responseIndex(id, from) >= 0; }, kAnswerTimeoutMs))
            return {};
        return sent.at(responseIndex(id, from)).json;
    }

    QJsonObject result(int id, const QString &method, const QJsonObject &params = {})
    {
        return request(id, method, params).value("result"_L1).toObject();
    }

    QJsonObject callTool(int id, const QString &name, const QJsonObject &arguments = {},
                         const QJsonObject &meta = {})
    {
        QJsonObject params{{"name"_L1, name}, {"arguments"_L1, arguments}};
        if (!meta.isEmpty())
            params.insert("_meta"_L1, meta);
        return result(id, u"tools/call"_s, params);
    }

    qsizetype responseIndex(int id, qsizetype from = 0) const
    {
        for (qsizetype i = from; i < sent.size(); ++i) {
            const QJsonObject &json = sent.at(i).json;
            if (json.value("id"_L1) == QJsonValue(id) && !json.contains("method"_L1))
                return i;
        }
        return -1;
    }

    // The messages of one method sent for request `id`, in order.
    QList<QJsonObject> related(int id, const QString &method) const
    {
        QList<QJsonObject> found;
        for (const OutgoingMessage &message : sent) {
            if (message.relatedTo == RequestId(QJsonValue(id))
                && message.json.value("method"_L1).toString() == method)
                found.append(message.json);
        }
        return found;
    }

    bool registered = false;
    int announced = 0; // listChanged of the three registries after registration
    QJsonObject serverCapabilities;
    QList<RequestId> closeRequests;
};

const QJsonObject kSamplingClient{{"sampling"_L1, QJsonObject{}}};
const QJsonObject kElicitationClient{{"elicitation"_L1, QJsonObject{}}};

} // namespace

class tst_ConformanceFixtures final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void everyFixtureIsRegisteredOnceUnderItsSource();
    void capabilitiesAreDeclared();
    void toolsListHasEveryFixtureWithADescriptionAndSchema();
    void jsonSchema202012ToolIsServedVerbatim();
    void contentTools_data();
    void contentTools();
    void errorToolIsAToolErrorNotAProtocolError();
    void progressToolReportsThreeStepsBeforeTheResult();
    void progressToolWithoutATokenReportsNothing();
    void loggingToolLogsThreeMessagesBeforeTheResult();
    void samplingAsksTheClientOnTheCallsStream();
    void elicitationTools_data();
    void elicitationTools();
    void toolsNeedingAClientCapabilityFailWithoutIt_data();
    void toolsNeedingAClientCapabilityFailWithoutIt();
    void declinedElicitationIsReported();
    void reconnectionToolAsksToCloseItsStreamThenAnswers();
    void cancelledTimedToolSendsNothingMore();
    void resourcesAndTemplateAreListed();
    void resourceReads_data();
    void resourceReads();
    void watchedResourceCanBeSubscribedAndUnsubscribed();
    void promptsAreListedWithDescriptionsAndArguments();
    void promptGets_data();
    void promptGets();
    void promptArgumentsComplete();
};

void tst_ConformanceFixtures::everyFixtureIsRegisteredOnceUnderItsSource()
{
    Harness harness;
    QVERIFY(harness.registered);
    QStringList names;
    for (const ToolEntry &entry : harness.tools.entries()) {
        QCOMPARE(entry.source, u"conformance"_s);
        QVERIFY(entry.enabled);
        names.append(entry.definition.name);
    }
    QStringList expected = kFixtureTools;
    expected.sort();
    QCOMPARE(names, expected);
    QCOMPARE(harness.resources.definitions().size(), 3);
    QCOMPARE(harness.resources.templateDefinitions().size(), 1);
    QCOMPARE(harness.prompts.definitions().size(), 4);

    // Everything is taken: a second registration changes nothing and says so, once per fixture.
    const int fixtures = int(kFixtureTools.size()) + 3 + 1 + 4;
    for (int i = 0; i < fixtures; ++i)
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"refused .* already registered"_s));
    QVERIFY(!heartline::registerConformanceFixtures(&harness.tools, &harness.resources,
                                                    &harness.prompts));
    QCOMPARE(harness.tools.entries().size(), kFixtureTools.size());
}

void tst_ConformanceFixtures::capabilitiesAreDeclared()
{
    Harness harness;
    QVERIFY(harness.initialize());
    const QJsonObject capabilities = harness.serverCapabilities;
    for (const char *capability : {"tools", "resources", "prompts", "logging", "completions"})
        QVERIFY2(capabilities.value(QLatin1StringView(capability)).isObject(), capability);
    QCOMPARE(capabilities.value("resources"_L1).toObject().value("subscribe"_L1), QJsonValue(true));
}

void tst_ConformanceFixtures::toolsListHasEveryFixtureWithADescriptionAndSchema()
{
    Harness harness;
    QVERIFY(harness.initialize());
    const QJsonArray tools = harness.result(1, u"tools/list"_s).value("tools"_L1).toArray();
    QStringList names;
    for (const QJsonValue &value : tools) {
        const QJsonObject tool = value.toObject();
        const QString name = tool.value("name"_L1).toString();
        names.append(name);
        // The tools-list scenario fails on a single tool without a description.
        QVERIFY2(!tool.value("description"_L1).toString().isEmpty(), qPrintable(name));
        QCOMPARE(tool.value("inputSchema"_L1).toObject().value("type"_L1), QJsonValue(u"object"_s));
    }
    for (const QString &name : kFixtureTools)
        QVERIFY2(names.contains(name), qPrintable(name));
}

void tst_ConformanceFixtures::jsonSchema202012ToolIsServedVerbatim()
{
    Harness harness;
    QVERIFY(harness.initialize());
    QJsonObject listed;
    for (const QJsonValue &value : harness.result(1, u"tools/list"_s).value("tools"_L1).toArray()) {
        if (value.toObject().value("name"_L1) == "json_schema_2020_12_tool"_L1)
            listed = value.toObject();
    }
    const QJsonObject expected = parse(R"({"name":"json_schema_2020_12_tool",
        "description":"Tool with JSON Schema 2020-12 features",
        "inputSchema":{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object",
          "$defs":{"address":{"type":"object","properties":{"street":{"type":"string"},
                                                            "city":{"type":"string"}}}},
          "properties":{"name":{"type":"string"},"address":{"$ref":"#/$defs/address"}},
          "additionalProperties":false}})");
    QCOMPARE(listed, expected);

    const QJsonObject result = harness.callTool(
        2, u"json_schema_2020_12_tool"_s,
        parse(R"({"name":"Ada","address":{"street":"1 Main St","city":"Springfield"}})"));
    QVERIFY(!result.value("isError"_L1).toBool());
    QVERIFY(firstText(result).startsWith("JSON Schema 2020-12 tool called with: "_L1));
    QVERIFY(firstText(result).contains("Springfield"_L1));
}

void tst_ConformanceFixtures::contentTools_data()
{
    QTest::addColumn<QString>("tool");
    QTest::addColumn<QByteArray>("expectedContent");

    const QByteArray png = pngBase64();
    QTest::newRow("simple text")
        << u"test_simple_text"_s
        << QByteArray(R"([{"type":"text","text":"This is a simple text response for testing."}])");
    QTest::newRow("image") << u"test_image_content"_s
                           << QByteArray(R"([{"type":"image","data":")" + png
                                         + R"(","mimeType":"image/png"}])");
    QTest::newRow("audio") << u"test_audio_content"_s
                           << QByteArray(R"([{"type":"audio","data":")"
                                         + QByteArray(heartline::ConformanceMedia::kWavBase64)
                                         + R"(","mimeType":"audio/wav"}])");
    QTest::newRow("embedded resource")
        << u"test_embedded_resource"_s
        << QByteArray(R"([{"type":"resource","resource":{"uri":"test://embedded-resource",
                        "mimeType":"text/plain","text":"This is an embedded resource content."}}])");
    QTest::newRow("mixed content")
        << u"test_multiple_content_types"_s
        << QByteArray(R"([{"type":"text","text":"Multiple content types test:"},
                          {"type":"image","data":")"
                      + png + R"(","mimeType":"image/png"},
                          {"type":"resource","resource":{"uri":"test://mixed-content-resource",
                           "mimeType":"application/json",
                           "text":"{\"test\":\"data\",\"value\":123}"}}])");
}

void tst_ConformanceFixtures::contentTools()
{
    QFETCH(QString, tool);
    QFETCH(QByteArray, expectedContent);
    Harness harness;
    QVERIFY(harness.initialize());
    // The suite omits `arguments` for test_simple_text; it must read as {}.
    QVERIFY(harness.send(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":")"
                         + tool.toUtf8() + R"("}})"));
    QTRY_VERIFY_WITH_TIMEOUT(harness.responseIndex(1) >= 0, kAnswerTimeoutMs);
    const QJsonObject result =
        harness.sent.at(harness.responseIndex(1)).json.value("result"_L1).toObject();
    QVERIFY(!result.value("isError"_L1).toBool());
    QCOMPARE(result.value("content"_L1).toArray(),
             QJsonDocument::fromJson(expectedContent).array());
}

void tst_ConformanceFixtures::errorToolIsAToolErrorNotAProtocolError()
{
    Harness harness;
    QVERIFY(harness.initialize());
    const QJsonObject response =
        harness.request(1, u"tools/call"_s,
                        {{"name"_L1, "test_error_handling"_L1}, {"arguments"_L1, QJsonObject{}}});
    QVERIFY(!response.contains("error"_L1));
    const QJsonObject result = response.value("result"_L1).toObject();
    QCOMPARE(result.value("isError"_L1), QJsonValue(true));
    QCOMPARE(firstText(result), u"This tool intentionally returns an error for testing"_s);
}

void tst_ConformanceFixtures::progressToolReportsThreeStepsBeforeTheResult()
{
    Harness harness;
    QVERIFY(harness.initialize());
    QElapsedTimer elapsed;
    elapsed.start();
    const QJsonObject result =
        harness.callTool(3, u"test_tool_with_progress"_s, {}, {{"progressToken"_L1, 3}});
    const qint64 took = elapsed.elapsed();
    QVERIFY(!result.value("isError"_L1).toBool());

    const QList<QJsonObject> progress = harness.related(3, u"notifications/progress"_s);
    QCOMPARE(progress.size(), 3);
    const double expected[] = {0, 50, 100};
    for (int i = 0; i < 3; ++i) {
        const QJsonObject params = progress.at(i).value("params"_L1).toObject();
        // The token goes back exactly as it came: the integer 3, not "3".
        QCOMPARE(params.value("progressToken"_L1), QJsonValue(3));
        QCOMPARE(params.value("progress"_L1).toDouble(), expected[i]);
        QCOMPARE(params.value("total"_L1).toDouble(), 100.0);
    }
    // Before the response: the SDK drops its progress handler once the response arrives.
    QCOMPARE(harness.responseIndex(3), harness.sent.size() - 1);
    // Two 50 ms steps; a shared machine may be slower, never faster.
    QVERIFY2(took >= 90, qPrintable(u"took %1 ms"_s.arg(took)));
}

void tst_ConformanceFixtures::progressToolWithoutATokenReportsNothing()
{
    Harness harness;
    QVERIFY(harness.initialize());
    const QJsonObject result = harness.callTool(1, u"test_tool_with_progress"_s);
    QVERIFY(!result.value("isError"_L1).toBool());
    QVERIFY(harness.related(1, u"notifications/progress"_s).isEmpty());
}

void tst_ConformanceFixtures::loggingToolLogsThreeMessagesBeforeTheResult()
{
    Harness harness;
    QVERIFY(harness.initialize());
    // As the suite does: level debug first, so info messages must pass.
    QCOMPARE(harness.result(1, u"logging/setLevel"_s, {{"level"_L1, "debug"_L1}}), QJsonObject{});
    const QJsonObject result = harness.callTool(2, u"test_tool_with_logging"_s);
    QCOMPARE(firstText(result), u"Tool with logging executed successfully"_s);

    const QList<QJsonObject> logs = harness.related(2, u"notifications/message"_s);
    QStringList texts;
    for (const QJsonObject &log : logs) {
        QCOMPARE(log.value("params"_L1).toObject().value("level"_L1), QJsonValue(u"info"_s));
        texts.append(log.value("params"_L1).toObject().value("data"_L1).toString());
    }
    QCOMPARE(texts, QStringList({u"Tool execution started"_s, u"Tool processing data"_s,
                                 u"Tool execution completed"_s}));
    QCOMPARE(harness.responseIndex(2), harness.sent.size() - 1);
}

void tst_ConformanceFixtures::samplingAsksTheClientOnTheCallsStream()
{
    Harness harness;
    QVERIFY(harness.initialize(kSamplingClient));
    QVERIFY(harness.send(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{
        "name":"test_sampling","arguments":{"prompt":"Test prompt for sampling"}}})"));
    QTRY_COMPARE_WITH_TIMEOUT(harness.related(1, u"sampling/createMessage"_s).size(), 1,
                              kAnswerTimeoutMs);
    const QJsonObject request = harness.related(1, u"sampling/createMessage"_s).first();
    const QJsonObject params = request.value("params"_L1).toObject();
    QCOMPARE(params, parse(R"({"messages":[{"role":"user","content":{"type":"text",
                                 "text":"Test prompt for sampling"}}],"maxTokens":100})"));
    QCOMPARE(harness.responseIndex(1), -1);

    const QJsonObject answer{
        {"jsonrpc"_L1, "2.0"_L1},
        {"id"_L1, request.value("id"_L1)},
        {"result"_L1, parse(R"({"model":"test-model","stopReason":"endTurn","role":"assistant",
            "content":{"type":"text","text":"This is a test response from the client"}})")}};
    QVERIFY(harness.send(compact(answer)));
    QTRY_VERIFY_WITH_TIMEOUT(harness.responseIndex(1) >= 0, kAnswerTimeoutMs);
    const QJsonObject result =
        harness.sent.at(harness.responseIndex(1)).json.value("result"_L1).toObject();
    QCOMPARE(firstText(result), u"LLM response: This is a test response from the client"_s);
}

void tst_ConformanceFixtures::elicitationTools_data()
{
    QTest::addColumn<QString>("tool");
    QTest::addColumn<QJsonObject>("arguments");
    QTest::addColumn<QByteArray>("expectedRequest");
    QTest::addColumn<QJsonObject>("answer");
    QTest::addColumn<QString>("expectedText");

    const QJsonObject user = parse(R"({"username":"testuser","email":"test@example.com"})");
    QTest::newRow("user details")
        << u"test_elicitation"_s
        << QJsonObject{{"message"_L1, "Please provide your information"_L1}}
        << QByteArray(R"({"message":"Please provide your information","requestedSchema":{
               "type":"object","properties":{
                 "username":{"type":"string","description":"User's response"},
                 "email":{"type":"string","description":"User's email address"}},
               "required":["username","email"]}})")
        << QJsonObject{{"action"_L1, "accept"_L1}, {"content"_L1, user}}
        << u"User response: action=accept, content="_s + QString::fromUtf8(compact(user));

    const QJsonObject defaults =
        parse(R"({"name":"Jane Smith","age":25,"score":88,"status":"inactive","verified":false})");
    QTest::newRow("SEP-1034 defaults")
        << u"test_elicitation_sep1034_defaults"_s << QJsonObject{}
        << QByteArray(R"({"message":"Please review and update the form fields with defaults",
             "requestedSchema":{"type":"object","required":[],"properties":{
               "name":{"type":"string","description":"User name","default":"John Doe"},
               "age":{"type":"integer","description":"User age","default":30},
               "score":{"type":"number","description":"User score","default":95.5},
               "status":{"type":"string","description":"User status",
                         "enum":["active","inactive","pending"],"default":"active"},
               "verified":{"type":"boolean","description":"Verification status",
                           "default":true}}}})")
        << QJsonObject{{"action"_L1, "accept"_L1}, {"content"_L1, defaults}}
        << u"Elicitation completed: action=accept, content="_s
               + QString::fromUtf8(compact(defaults));

    const QJsonObject enums = parse(R"({"untitledSingle":"option1","titledSingle":"value1",
        "legacyEnum":"opt1","untitledMulti":["option1","option2"],
        "titledMulti":["value1","value2"]})");
    QTest::newRow("SEP-1330 enums")
        << u"test_elicitation_sep1330_enums"_s << QJsonObject{}
        << QByteArray(R"json({"message":"Please select options from the enum fields",
             "requestedSchema":{"type":"object","required":[],"properties":{
               "untitledSingle":{"type":"string","description":"Select one option",
                                 "enum":["option1","option2","option3"]},
               "titledSingle":{"type":"string","description":"Select one option with titles",
                 "oneOf":[{"const":"value1","title":"First Option"},
                          {"const":"value2","title":"Second Option"},
                          {"const":"value3","title":"Third Option"}]},
               "legacyEnum":{"type":"string","description":"Select one option (legacy)",
                 "enum":["opt1","opt2","opt3"],
                 "enumNames":["Option One","Option Two","Option Three"]},
               "untitledMulti":{"type":"array","description":"Select multiple options",
                 "minItems":1,"maxItems":3,
                 "items":{"type":"string","enum":["option1","option2","option3"]}},
               "titledMulti":{"type":"array","description":"Select multiple options with titles",
                 "minItems":1,"maxItems":3,
                 "items":{"anyOf":[{"const":"value1","title":"First Choice"},
                                   {"const":"value2","title":"Second Choice"},
                                   {"const":"value3","title":"Third Choice"}]}}}}})json")
        << QJsonObject{{"action"_L1, "accept"_L1}, {"content"_L1, enums}}
        << u"Elicitation completed: action=accept, content="_s + QString::fromUtf8(compact(enums));
}

void tst_ConformanceFixtures::elicitationTools()
{
    QFETCH(QString, tool);
    QFETCH(QJsonObject, arguments);
    QFETCH(QByteArray, expectedRequest);
    QFETCH(QJsonObject, answer);
    QFETCH(QString, expectedText);

    Harness harness;
    QVERIFY(harness.initialize(kElicitationClient));
    QVERIFY(harness.send(
        compact({{"jsonrpc"_L1, "2.0"_L1},
                 {"id"_L1, 1},
                 {"method"_L1, "tools/call"_L1},
                 {"params"_L1, QJsonObject{{"name"_L1, tool}, {"arguments"_L1, arguments}}}})));
    QTRY_COMPARE_WITH_TIMEOUT(harness.related(1, u"elicitation/create"_s).size(), 1,
                              kAnswerTimeoutMs);
    const QJsonObject request = harness.related(1, u"elicitation/create"_s).first();
    // Types matter (30 not "30", 95.5, true): the SEP-1034 checks compare JSON types exactly.
    QCOMPARE(request.value("params"_L1).toObject(), parse(expectedRequest));

    QVERIFY(harness.send(compact(
        {{"jsonrpc"_L1, "2.0"_L1}, {"id"_L1, request.value("id"_L1)}, {"result"_L1, answer}})));
    QTRY_VERIFY_WITH_TIMEOUT(harness.responseIndex(1) >= 0, kAnswerTimeoutMs);
    const QJsonObject result =
        harness.sent.at(harness.responseIndex(1)).json.value("result"_L1).toObject();
    QVERIFY(!result.value("isError"_L1).toBool());
    QCOMPARE(firstText(result), expectedText);
}

void tst_ConformanceFixtures::toolsNeedingAClientCapabilityFailWithoutIt_data()
{
    QTest::addColumn<QString>("tool");
    QTest::addColumn<QJsonObject>("arguments");
    QTest::addColumn<QString>("capability");

    QTest::newRow("sampling") << u"test_sampling"_s << QJsonObject{{"prompt"_L1, "hello"_L1}}
                              << u"sampling"_s;
    QTest::newRow("elicitation") << u"test_elicitation"_s << QJsonObject{{"message"_L1, "hello"_L1}}
                                 << u"elicitation"_s;
    QTest::newRow("defaults") << u"test_elicitation_sep1034_defaults"_s << QJsonObject{}
                              << u"elicitation"_s;
    QTest::newRow("enums") << u"test_elicitation_sep1330_enums"_s << QJsonObject{}
                           << u"elicitation"_s;
}

void tst_ConformanceFixtures::toolsNeedingAClientCapabilityFailWithoutIt()
{
    QFETCH(QString, tool);
    QFETCH(QJsonObject, arguments);
    QFETCH(QString, capability);

    Harness harness;
    QVERIFY(harness.initialize());
    const QJsonObject result = harness.callTool(1, tool, arguments);
    QCOMPARE(result.value("isError"_L1), QJsonValue(true));
    QVERIFY2(firstText(result).contains(u"'%1' capability"_s.arg(capability)),
             qPrintable(firstText(result)));
    // Nothing was asked of a client that cannot answer.
    for (const OutgoingMessage &message : harness.sent)
        QVERIFY(!message.json.contains("method"_L1));
}

void tst_ConformanceFixtures::declinedElicitationIsReported()
{
    Harness harness;
    QVERIFY(harness.initialize(kElicitationClient));
    QVERIFY(harness.send(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{
        "name":"test_elicitation","arguments":{"message":"Who are you?"}}})"));
    QTRY_COMPARE_WITH_TIMEOUT(harness.related(1, u"elicitation/create"_s).size(), 1,
                              kAnswerTimeoutMs);
    const QJsonValue id = harness.related(1, u"elicitation/create"_s).first().value("id"_L1);
    QVERIFY(harness.send(compact({{"jsonrpc"_L1, "2.0"_L1},
                                  {"id"_L1, id},
                                  {"result"_L1, parse(R"({"action":"decline"})")}})));
    QTRY_VERIFY_WITH_TIMEOUT(harness.responseIndex(1) >= 0, kAnswerTimeoutMs);
    const QJsonObject result =
        harness.sent.at(harness.responseIndex(1)).json.value("result"_L1).toObject();
    QCOMPARE(firstText(result), u"User response: action=decline"_s);
}

void tst_ConformanceFixtures::reconnectionToolAsksToCloseItsStreamThenAnswers()
{
    Harness harness;
    QVERIFY(harness.initialize());
    QVERIFY(harness.send(
        R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"test_reconnection"}})"));
    // The wish to close comes first, the answer a little later (on the resumed stream).
    QCOMPARE(harness.closeRequests.size(), 1);
    QVERIFY(harness.closeRequests.first() == RequestId(QJsonValue(1)));
    QCOMPARE(harness.responseIndex(1), -1);
    QTRY_VERIFY_WITH_TIMEOUT(harness.responseIndex(1) >= 0, kAnswerTimeoutMs);
    const QJsonObject result =
        harness.sent.at(harness.responseIndex(1)).json.value("result"_L1).toObject();
    QVERIFY(!result.value("isError"_L1).toBool());
    QVERIFY(firstText(result).startsWith("Reconnection test completed successfully"_L1));
}

void tst_ConformanceFixtures::cancelledTimedToolSendsNothingMore()
{
    Harness harness;
    QVERIFY(harness.initialize());
    QVERIFY(harness.send(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{
        "name":"test_tool_with_progress","arguments":{},"_meta":{"progressToken":"p"}}})"));
    QCOMPARE(harness.related(1, u"notifications/progress"_s).size(), 1);
    QVERIFY(harness.send(R"({"jsonrpc":"2.0","method":"notifications/cancelled",
                             "params":{"requestId":1}})"));
    const qsizetype after = harness.sent.size();
    QTest::qWait(3 * 50 + 100);
    QCOMPARE(harness.sent.size(), after);
    QVERIFY(!harness.session.isPending(RequestId(QJsonValue(1))));
}

void tst_ConformanceFixtures::resourcesAndTemplateAreListed()
{
    Harness harness;
    QVERIFY(harness.initialize());
    QHash<QString, QString> mimeTypes;
    for (const QJsonValue &value :
         harness.result(1, u"resources/list"_s).value("resources"_L1).toArray()) {
        const QJsonObject resource = value.toObject();
        QVERIFY(!resource.value("name"_L1).toString().isEmpty());
        mimeTypes.insert(resource.value("uri"_L1).toString(),
                         resource.value("mimeType"_L1).toString());
    }
    const QHash<QString, QString> expected{{u"test://static-text"_s, u"text/plain"_s},
                                           {u"test://static-binary"_s, u"image/png"_s},
                                           {u"test://watched-resource"_s, u"text/plain"_s}};
    QCOMPARE(mimeTypes, expected);

    const QJsonArray templates =
        harness.result(2, u"resources/templates/list"_s).value("resourceTemplates"_L1).toArray();
    QCOMPARE(templates.size(), 1);
    QCOMPARE(templates.first().toObject().value("uriTemplate"_L1),
             QJsonValue(u"test://template/{id}/data"_s));
    QCOMPARE(templates.first().toObject().value("mimeType"_L1), QJsonValue(u"application/json"_s));
}

void tst_ConformanceFixtures::resourceReads_data()
{
    QTest::addColumn<QString>("uri");
    QTest::addColumn<QByteArray>("expectedContents");

    QTest::newRow("static text") << u"test://static-text"_s
                                 << QByteArray(R"([{"uri":"test://static-text",
        "mimeType":"text/plain","text":"This is the content of the static text resource."}])");
    QTest::newRow("static binary")
        << u"test://static-binary"_s
        << QByteArray(R"([{"uri":"test://static-binary","mimeType":"image/png","blob":")"
                      + pngBase64() + R"("}])");
    QTest::newRow("watched") << u"test://watched-resource"_s
                             << QByteArray(R"([{"uri":"test://watched-resource",
        "mimeType":"text/plain","text":"Watched resource content"}])");
    QTest::newRow("template")
        << u"test://template/123/data"_s
        << QByteArray(R"([{"uri":"test://template/123/data","mimeType":"application/json",
            "text":"{\"data\":\"Data for ID: 123\",\"id\":\"123\",\"templateTest\":true}"}])");
    QTest::newRow("template, another id")
        << u"test://template/abc/data"_s
        << QByteArray(R"([{"uri":"test://template/abc/data","mimeType":"application/json",
            "text":"{\"data\":\"Data for ID: abc\",\"id\":\"abc\",\"templateTest\":true}"}])");
}

void tst_ConformanceFixtures::resourceReads()
{
    QFETCH(QString, uri);
    QFETCH(QByteArray, expectedContents);
    Harness harness;
    QVERIFY(harness.initialize());
    const QJsonObject result = harness.result(1, u"resources/read"_s, {{"uri"_L1, uri}});
    QCOMPARE(result.value("contents"_L1).toArray(),
             QJsonDocument::fromJson(expectedContents).array());
}

void tst_ConformanceFixtures::watchedResourceCanBeSubscribedAndUnsubscribed()
{
    Harness harness;
    QVERIFY(harness.initialize());
    const QJsonObject uri{{"uri"_L1, "test://watched-resource"_L1}};
    QCOMPARE(harness.request(1, u"resources/subscribe"_s, uri).value("result"_L1),
             QJsonValue(QJsonObject{}));
    QVERIFY(harness.session.isSubscribedTo(u"test://watched-resource"_s));
    QCOMPARE(harness.request(2, u"resources/unsubscribe"_s, uri).value("result"_L1),
             QJsonValue(QJsonObject{}));
    QVERIFY(!harness.session.isSubscribedTo(u"test://watched-resource"_s));
}

void tst_ConformanceFixtures::promptsAreListedWithDescriptionsAndArguments()
{
    Harness harness;
    QVERIFY(harness.initialize());
    QHash<QString, QJsonObject> prompts;
    for (const QJsonValue &value :
         harness.result(1, u"prompts/list"_s).value("prompts"_L1).toArray()) {
        const QJsonObject prompt = value.toObject();
        QVERIFY2(!prompt.value("description"_L1).toString().isEmpty(),
                 qPrintable(prompt.value("name"_L1).toString()));
        prompts.insert(prompt.value("name"_L1).toString(), prompt);
    }
    QCOMPARE(prompts.size(), 4);
    QVERIFY(prompts.contains(u"test_simple_prompt"_s));
    QVERIFY(prompts.contains(u"test_prompt_with_image"_s));
    QCOMPARE(prompts.value(u"test_prompt_with_arguments"_s).value("arguments"_L1).toArray(),
             QJsonDocument::fromJson(R"([
                 {"name":"arg1","description":"First test argument","required":true},
                 {"name":"arg2","description":"Second test argument","required":true}])")
                 .array());
    QCOMPARE(prompts.value(u"test_prompt_with_embedded_resource"_s)
                 .value("arguments"_L1)
                 .toArray()
                 .first()
                 .toObject()
                 .value("name"_L1),
             QJsonValue(u"resourceUri"_s));
}

void tst_ConformanceFixtures::promptGets_data()
{
    QTest::addColumn<QByteArray>("params");
    QTest::addColumn<QByteArray>("expectedMessages");

    const QByteArray png = pngBase64();
    QTest::newRow("simple, arguments omitted")
        << QByteArray(R"({"name":"test_simple_prompt"})")
        << QByteArray(R"([{"role":"user","content":{"type":"text",
                            "text":"This is a simple prompt for testing."}}])");
    QTest::newRow("with arguments") << QByteArray(R"({"name":"test_prompt_with_arguments",
                          "arguments":{"arg1":"testValue1","arg2":"testValue2"}})")
                                    << QByteArray(R"([{"role":"user","content":{"type":"text",
              "text":"Prompt with arguments: arg1='testValue1', arg2='testValue2'"}}])");
    QTest::newRow("embedded resource")
        << QByteArray(R"({"name":"test_prompt_with_embedded_resource",
                          "arguments":{"resourceUri":"test://example-resource"}})")
        << QByteArray(R"([{"role":"user","content":{"type":"resource","resource":{
                             "uri":"test://example-resource","mimeType":"text/plain",
                             "text":"Embedded resource content for testing."}}},
                          {"role":"user","content":{"type":"text",
                             "text":"Please process the embedded resource above."}}])");
    QTest::newRow("image") << QByteArray(R"({"name":"test_prompt_with_image"})")
                           << QByteArray(R"([{"role":"user","content":{"type":"image","data":")"
                                         + png + R"(","mimeType":"image/png"}},
                          {"role":"user","content":{"type":"text",
                             "text":"Please analyze the image above."}}])");
}

void tst_ConformanceFixtures::promptGets()
{
    QFETCH(QByteArray, params);
    QFETCH(QByteArray, expectedMessages);
    Harness harness;
    QVERIFY(harness.initialize());
    const QJsonObject result = harness.result(1, u"prompts/get"_s, parse(params));
    QCOMPARE(result.value("messages"_L1).toArray(),
             QJsonDocument::fromJson(expectedMessages).array());
}

void tst_ConformanceFixtures::promptArgumentsComplete()
{
    Harness harness;
    QVERIFY(harness.initialize());
    const QJsonObject completion =
        harness
            .result(1, u"completion/complete"_s,
                    parse(R"({"ref":{"type":"ref/prompt","name":"test_prompt_with_arguments"},
                              "argument":{"name":"arg1","value":"test"}})"))
            .value("completion"_L1)
            .toObject();
    const QJsonArray values = completion.value("values"_L1).toArray();
    QVERIFY(values.contains(u"testValue1"_s));
    for (const QJsonValue &value : values)
        QVERIFY2(value.toString().startsWith("test"_L1), qPrintable(value.toString()));
    QVERIFY(!values.contains(u"example"_s));
}

QTEST_GUILESS_MAIN(tst_ConformanceFixtures)
#include "tst_conformancefixtures.moc"
