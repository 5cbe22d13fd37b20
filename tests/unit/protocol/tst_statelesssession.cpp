#include "server/protocol/catalog/content.h"
#include "server/protocol/catalog/prompt.h"
#include "server/protocol/catalog/promptregistry.h"
#include "server/protocol/catalog/resource.h"
#include "server/protocol/catalog/resourceregistry.h"
#include "server/protocol/wire/revision.h"
#include "tests/support/sessionloopback.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QPointer>
#include <QSignalSpy>
#include <QTest>

#include <memory>

// MCP 2026-07-28 sessions (Options.stateless): no initialize, every request carries its
// revision and client capabilities in params._meta; server/discover, cache hints, per-request
// log levels, subscriptions/listen streams and input_required results (MRTR).

using namespace Qt::StringLiterals;
using heartline::ClientInfo;
using heartline::JsonRpcCode;
using heartline::LogLevel;
using heartline::OutgoingMessage;
using heartline::Prompt;
using heartline::PromptDefinition;
using heartline::PromptRegistry;
using heartline::PromptResult;
using heartline::RequestId;
using heartline::RequestOutcome;
using heartline::Resource;
using heartline::ResourceContents;
using heartline::ResourceDefinition;
using heartline::ResourceRegistry;
using heartline::ResourceTemplate;
using heartline::ResourceTemplateDefinition;
using heartline::Revision;
using heartline::Session;
using heartline::ToolCall;
using heartline::ToolRegistry;
namespace Content = heartline::Content;
namespace JsonRpc = heartline::JsonRpc;
namespace Revisions = heartline::Revisions;
using namespace heartline::testing;

namespace {

constexpr auto kVersionKey = "io.modelcontextprotocol/protocolVersion"_L1;
constexpr auto kCapabilitiesKey = "io.modelcontextprotocol/clientCapabilities"_L1;
constexpr auto kClientInfoKey = "io.modelcontextprotocol/clientInfo"_L1;
constexpr auto kLogLevelKey = "io.modelcontextprotocol/logLevel"_L1;
constexpr auto kServerInfoKey = "io.modelcontextprotocol/serverInfo"_L1;
constexpr auto kSubscriptionKey = "io.modelcontextprotocol/subscriptionId"_L1;
constexpr int kTtlMs = 60000;

class FakeTemplate final : public ResourceTemplate
{
public:
    ResourceTemplateDefinition definition() const override
    {
        ResourceTemplateDefinition definition;
        definition.uriTemplate = u"note://{name}"_s;
        definition.name = u"notes"_s;
        return definition;
    }

    bool read(const QString &uri, const QHash<QString, QString> &variables,
              QList<ResourceContents> *contents) const override
    {
        *contents = {ResourceContents::fromText(uri, {}, variables.value(u"name"_s))};
        return true;
    }
};

class FakePrompt final : public Prompt
{
public:
    explicit FakePrompt(const QString &name)
        : m_name(name)
    {}

    PromptDefinition definition() const override
    {
        PromptDefinition definition;
        definition.name = m_name;
        return definition;
    }

    PromptResult get(const QHash<QString, QString> &arguments) const override
    {
        Q_UNUSED(arguments)
        return {{}, {{u"user"_s, Content::text(m_name)}}};
    }

    QStringList completeArgument(const QString &argument,
                                 const QHash<QString, QString> &context) const override
    {
        Q_UNUSED(argument)
        Q_UNUSED(context)
        return {u"one"_s, u"two"_s};
    }

private:
    QString m_name;
};

QJsonObject paramsOf(const OutgoingMessage &message)
{
    return message.json.value("params"_L1).toObject();
}

QJsonObject metaOf(const QJsonObject &object)
{
    return object.value("_meta"_L1).toObject();
}

// The per-request metadata a 2026-07-28 client sends.
QJsonObject requestMeta(const QJsonObject &capabilities = {}, const QString &logLevel = {})
{
    QJsonObject meta{{kVersionKey, "2026-07-28"_L1},
                     {kCapabilitiesKey, capabilities},
                     {kClientInfoKey, QJsonObject{{"name"_L1, "tst-modern"_L1},
                                                  {"version"_L1, "2.0"_L1},
                                                  {"title"_L1, "Modern Client"_L1}}}};
    if (!logLevel.isEmpty())
        meta.insert(kLogLevelKey, logLevel);
    return meta;
}

// A stateless session over a small catalog, with everything it sends kept in a list.
class Loopback final : public SessionLoopback
{
public:
    explicit Loopback(int ttlMs = kTtlMs)
        : SessionLoopback(testIdentity(u"Use it well."_s), options(ttlMs))
    {
        immediate = addTool(u"quick"_s, FakeTool::Mode::Immediate);
        deferred = addTool(u"slow"_s, FakeTool::Mode::Deferred);
        if (!resources.registerResource(std::make_shared<TextResource>(u"file:///a.txt"_s))
            || !resources.registerTemplate(std::make_shared<FakeTemplate>())
            || !prompts.registerPrompt(std::make_shared<FakePrompt>(u"hello"_s))) {
            qFatal("could not build the test catalog");
        }
    }

    static Session::Options options(int ttlMs)
    {
        Session::Options options;
        options.stateless = true;
        options.listTtlMs = ttlMs;
        return options;
    }

    // A request exactly as given: no _meta is added.
    void raw(const QJsonValue &id, const QString &method, const QJsonObject &params)
    {
        send(JsonRpc::request(RequestId(id), method, params));
    }

    // A request with the standard _meta (the given capabilities and log level) merged in.
    void request(const QJsonValue &id, const QString &method, QJsonObject params = {},
                 const QJsonObject &capabilities = {}, const QString &logLevel = {})
    {
        params.insert("_meta"_L1, requestMeta(capabilities, logLevel));
        raw(id, method, params);
    }

    // One request and the one message it must produce (or a marker that fails every check).
    OutgoingMessage ask(const QJsonValue &id, const QString &method, const QJsonObject &params = {},
                        const QJsonObject &capabilities = {})
    {
        sent.clear();
        request(id, method, params, capabilities);
        return sole();
    }

    OutgoingMessage askRaw(const QJsonValue &id, const QString &method, const QJsonObject &params)
    {
        sent.clear();
        raw(id, method, params);
        return sole();
    }

    // Lets every registry announce the catalog built in the constructor, so that no late
    // list_changed from it reaches a subscription a test opens.
    [[nodiscard]] bool settle()
    {
        QSignalSpy toolsChanged(&tools, &ToolRegistry::listChanged);
        QSignalSpy resourcesChanged(&resources, &ResourceRegistry::listChanged);
        QSignalSpy promptsChanged(&prompts, &PromptRegistry::listChanged);
        return (toolsChanged.size() > 0 || toolsChanged.wait(5000))
               && (resourcesChanged.size() > 0 || resourcesChanged.wait(5000))
               && (promptsChanged.size() > 0 || promptsChanged.wait(5000));
    }

    std::shared_ptr<FakeTool> immediate;
    std::shared_ptr<FakeTool> deferred;
};

const QJsonObject kElicitation{{"elicitation"_L1, QJsonObject{}}};

} // namespace

class tst_StatelessSession final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void servesWithoutInitialize();
    void requestsNeedProtocolMeta_data();
    void requestsNeedProtocolMeta();
    void unsupportedVersionIsRefusedWithTheSupportedList_data();
    void unsupportedVersionIsRefusedWithTheSupportedList();
    void badLogLevelIsInvalidParams_data();
    void badLogLevelIsInvalidParams();
    void removedMethodsAreMethodNotFound_data();
    void removedMethodsAreMethodNotFound();
    void clientIdentifiedCarriesClientInfo();

    void discoverDescribesTheServer();
    void cacheableResultsCarryHints_data();
    void cacheableResultsCarryHints();
    void negativeTtlIsSentAsZero();
    void otherResultsCarryNoCacheHints_data();
    void otherResultsCarryNoCacheHints();
    void unknownResourceIsInvalidParams();
    void onlyMalformedRequestsAreMarkedSo_data();
    void onlyMalformedRequestsAreMarkedSo();

    void logsOnlyWhenRequestedAndAtLevel_data();
    void logsOnlyWhenRequestedAndAtLevel();

    void listenIsAcknowledgedFirst_data();
    void listenIsAcknowledgedFirst();
    void listenDeliversListChangedOnlyWhenAsked_data();
    void listenDeliversListChangedOnlyWhenAsked();
    void listenDeliversUpdatesForItsUris();
    void concurrentListensAreTaggedApart();
    void listenStaysPendingUntilEndSubscriptions();
    void closeEndsListenSilently();
    void cancelledListenEndsSilently();
    void listenRefusesBadFilters_data();
    void listenRefusesBadFilters();

    void inputRequestEndsTheCallWithInputRequired();
    void questionsOfOneTurnTravelTogether();
    void retryDeliversTheAnswers();
    void retryMissingAnAnswerAsksAgain();
    void inputWithoutTheCapabilityFails();
};

void tst_StatelessSession::servesWithoutInitialize()
{
    Loopback h;
    QVERIFY(h.session.isStateless());
    QCOMPARE(h.session.state(), Session::State::Ready);
    QCOMPARE(h.session.revision(), Revision::V2026_07_28);
    const OutgoingMessage answer = h.ask(1, u"tools/list"_s);
    QVERIFY(answer.isFinalResponse);
    QCOMPARE(answer.relatedTo, RequestId(QJsonValue(1)));
    QCOMPARE(resultOf(answer).value("tools"_L1).toArray().size(), 2);
}

void tst_StatelessSession::requestsNeedProtocolMeta_data()
{
    QTest::addColumn<QJsonObject>("params");

    const QJsonObject capabilities{{kCapabilitiesKey, QJsonObject{}}};
    const QJsonObject version{{kVersionKey, "2026-07-28"_L1}};
    QTest::newRow("no params") << QJsonObject{};
    QTest::newRow("no _meta") << QJsonObject{{"cursor"_L1, QJsonValue::Null}};
    QTest::newRow("_meta not an object") << QJsonObject{{"_meta"_L1, "2026-07-28"_L1}};
    QTest::newRow("empty _meta") << QJsonObject{{"_meta"_L1, QJsonObject{}}};
    QTest::newRow("version missing") << QJsonObject{{"_meta"_L1, capabilities}};
    QTest::newRow("version a number") << QJsonObject{
        {"_meta"_L1, QJsonObject{{kVersionKey, 20260728}, {kCapabilitiesKey, QJsonObject{}}}}};
    QTest::newRow("capabilities missing") << QJsonObject{{"_meta"_L1, version}};
    QTest::newRow("capabilities an array")
        << QJsonObject{{"_meta"_L1, QJsonObject{{kVersionKey, "2026-07-28"_L1},
                                                {kCapabilitiesKey, QJsonArray{}}}}};
    QTest::newRow("capabilities null")
        << QJsonObject{{"_meta"_L1, QJsonObject{{kVersionKey, "2026-07-28"_L1},
                                                {kCapabilitiesKey, QJsonValue::Null}}}};
    QTest::newRow("keys without their prefix")
        << QJsonObject{{"_meta"_L1, QJsonObject{{"protocolVersion"_L1, "2026-07-28"_L1},
                                                {"clientCapabilities"_L1, QJsonObject{}}}}};
}

void tst_StatelessSession::requestsNeedProtocolMeta()
{
    QFETCH(QJsonObject, params);

    Loopback h;
    QSignalSpy identified(&h.session, &Session::clientIdentified);
    for (const char *method : {"tools/list", "server/discover", "tools/call"}) {
        const OutgoingMessage answer = h.askRaw(u"r"_s, QString::fromLatin1(method), params);
        QCOMPARE(errorCode(answer), int(JsonRpcCode::InvalidParams));
        QVERIFY(answer.isFinalResponse);
        QCOMPARE(answer.relatedTo, RequestId(QJsonValue(u"r"_s)));
        QVERIFY(answer.malformedRequest); // over HTTP: 400
    }
    QCOMPARE(h.immediate->calls + h.deferred->calls, 0);
    QCOMPARE(identified.size(), 0);
    QCOMPARE(h.session.pendingCount(), 0);
}

void tst_StatelessSession::unsupportedVersionIsRefusedWithTheSupportedList_data()
{
    QTest::addColumn<QString>("version");

    QTest::newRow("2025-11-25 (needs initialize)") << u"2025-11-25"_s;
    QTest::newRow("2024-11-05") << u"2024-11-05"_s;
    QTest::newRow("future") << u"2099-01-01"_s;
    QTest::newRow("empty") << QString();
    QTest::newRow("nonsense") << u"latest"_s;
}

void tst_StatelessSession::unsupportedVersionIsRefusedWithTheSupportedList()
{
    QFETCH(QString, version);

    Loopback h;
    const OutgoingMessage answer = h.askRaw(
        3, u"tools/list"_s,
        {{"_meta"_L1, QJsonObject{{kVersionKey, version}, {kCapabilitiesKey, QJsonObject{}}}}});
    QCOMPARE(errorCode(answer), int(JsonRpcCode::UnsupportedProtocolVersion));
    QCOMPARE(errorCode(answer), -32022);
    const QJsonObject data = errorData(answer);
    QCOMPARE(data.value("requested"_L1), QJsonValue(version));
    QVERIFY(data.value("supported"_L1).isArray());
    const QJsonArray supported = data.value("supported"_L1).toArray();
    QVERIFY(supported.contains(QJsonValue(u"2026-07-28"_s)));
    QVERIFY(!supported.contains(QJsonValue(u"2099-01-01"_s)));
    for (const QJsonValue &name : supported)
        QVERIFY(name.isString());
    QCOMPARE(h.immediate->calls, 0);
}

void tst_StatelessSession::badLogLevelIsInvalidParams_data()
{
    QTest::addColumn<QJsonValue>("level");

    QTest::newRow("unknown") << QJsonValue(u"verbose"_s);
    QTest::newRow("upper case") << QJsonValue(u"WARNING"_s);
    QTest::newRow("empty") << QJsonValue(u""_s);
    QTest::newRow("number") << QJsonValue(3);
    QTest::newRow("null") << QJsonValue(QJsonValue::Null);
}

void tst_StatelessSession::badLogLevelIsInvalidParams()
{
    QFETCH(QJsonValue, level);

    Loopback h;
    QJsonObject meta = requestMeta();
    meta.insert(kLogLevelKey, level);
    const OutgoingMessage answer =
        h.askRaw(1, u"tools/call"_s, {{"name"_L1, "quick"_L1}, {"_meta"_L1, meta}});
    QCOMPARE(errorCode(answer), int(JsonRpcCode::InvalidParams));
    QVERIFY(answer.malformedRequest);
    QCOMPARE(h.immediate->calls, 0);
}

void tst_StatelessSession::removedMethodsAreMethodNotFound_data()
{
    QTest::addColumn<QString>("method");
    QTest::addColumn<QJsonObject>("params");

    QTest::newRow("initialize") << u"initialize"_s
                                << QJsonObject{{"protocolVersion"_L1, "2025-11-25"_L1},
                                               {"capabilities"_L1, QJsonObject{}}};
    QTest::newRow("ping") << u"ping"_s << QJsonObject{};
    QTest::newRow("logging/setLevel")
        << u"logging/setLevel"_s << QJsonObject{{"level"_L1, "debug"_L1}};
    QTest::newRow("resources/subscribe")
        << u"resources/subscribe"_s << QJsonObject{{"uri"_L1, "file:///a.txt"_L1}};
    QTest::newRow("resources/unsubscribe")
        << u"resources/unsubscribe"_s << QJsonObject{{"uri"_L1, "file:///a.txt"_L1}};
    QTest::newRow("never a method") << u"tools/remove"_s << QJsonObject{};
}

void tst_StatelessSession::removedMethodsAreMethodNotFound()
{
    QFETCH(QString, method);
    QFETCH(QJsonObject, params);

    Loopback h;
    const OutgoingMessage answer = h.ask(u"x"_s, method, params);
    QCOMPARE(errorCode(answer), int(JsonRpcCode::MethodNotFound));
    QVERIFY(answer.isFinalResponse);
    QCOMPARE(h.session.logLevel(), LogLevel::Debug);
    QVERIFY(!h.session.isSubscribedTo(u"file:///a.txt"_s));
    QCOMPARE(h.session.state(), Session::State::Ready);
}

void tst_StatelessSession::clientIdentifiedCarriesClientInfo()
{
    Loopback h;
    QSignalSpy identified(&h.session, &Session::clientIdentified);
    const QJsonObject capabilities{{"sampling"_L1, QJsonObject{}}};
    QVERIFY(h.ask(1, u"server/discover"_s, {}, capabilities).json.contains("result"_L1));

    QCOMPARE(identified.size(), 1);
    const ClientInfo client = identified.first().at(0).value<ClientInfo>();
    QCOMPARE(client.name, u"tst-modern"_s);
    QCOMPARE(client.version, u"2.0"_s);
    QCOMPARE(client.title, u"Modern Client"_s);
    QCOMPARE(client.capabilities, capabilities);
    QCOMPARE(identified.first().at(1).value<Revision>(), Revision::V2026_07_28);
    QCOMPARE(h.session.client().name, u"tst-modern"_s);

    // Identified once per session, not once per request.
    QVERIFY(h.ask(2, u"tools/list"_s).json.contains("result"_L1));
    QCOMPARE(identified.size(), 1);
}

void tst_StatelessSession::discoverDescribesTheServer()
{
    Loopback h;
    const OutgoingMessage answer = h.ask(u"discover-1"_s, u"server/discover"_s);
    QVERIFY(answer.isFinalResponse);
    QCOMPARE(wire(answer.json.value("id"_L1)), QByteArray(R"("discover-1")"));
    const QJsonObject result = resultOf(answer);

    QCOMPARE(result.value("resultType"_L1).toString(), u"complete"_s);
    const QJsonArray versions = result.value("supportedVersions"_L1).toArray();
    QVERIFY(versions.contains(QJsonValue(u"2026-07-28"_s)));
    QCOMPARE(versions, QJsonArray::fromStringList(Revisions::supportedNames()));
    const QJsonObject capabilities = result.value("capabilities"_L1).toObject();
    for (const char *capability : {"tools", "resources", "prompts", "completions"})
        QVERIFY2(capabilities.value(QLatin1StringView(capability)).isObject(), capability);
    QCOMPARE(metaOf(result).value(kServerInfoKey).toObject(),
             (QJsonObject{{"name"_L1, "heartline-test"_L1},
                          {"title"_L1, "Heartline Test"_L1},
                          {"version"_L1, "9.8.7"_L1}}));
    QCOMPARE(result.value("instructions"_L1).toString(), u"Use it well."_s);
    QVERIFY(result.value("ttlMs"_L1).isDouble());
    QCOMPARE(result.value("ttlMs"_L1).toInt(), kTtlMs);
    QCOMPARE(result.value("cacheScope"_L1).toString(), u"public"_s);
}

void tst_StatelessSession::cacheableResultsCarryHints_data()
{
    QTest::addColumn<QString>("method");
    QTest::addColumn<QJsonObject>("params");
    QTest::addColumn<QString>("listKey");
    QTest::addColumn<QString>("scope");

    QTest::newRow("tools/list") << u"tools/list"_s << QJsonObject{} << u"tools"_s << u"public"_s;
    QTest::newRow("prompts/list") << u"prompts/list"_s << QJsonObject{} << u"prompts"_s
                                  << u"public"_s;
    QTest::newRow("resources/list")
        << u"resources/list"_s << QJsonObject{} << u"resources"_s << u"public"_s;
    QTest::newRow("resources/templates/list")
        << u"resources/templates/list"_s << QJsonObject{} << u"resourceTemplates"_s << u"public"_s;
    // What a resource says may depend on who asks.
    QTest::newRow("resources/read")
        << u"resources/read"_s << QJsonObject{{"uri"_L1, "file:///a.txt"_L1}} << u"contents"_s
        << u"private"_s;
    QTest::newRow("resources/read of a template")
        << u"resources/read"_s << QJsonObject{{"uri"_L1, "note://x"_L1}} << u"contents"_s
        << u"private"_s;
}

void tst_StatelessSession::cacheableResultsCarryHints()
{
    QFETCH(QString, method);
    QFETCH(QJsonObject, params);
    QFETCH(QString, listKey);
    QFETCH(QString, scope);

    Loopback h;
    const QJsonObject result = resultOf(h.ask(1, method, params));
    QCOMPARE(result.value("resultType"_L1).toString(), u"complete"_s);
    QVERIFY2(!result.value(listKey).toArray().isEmpty(), qPrintable(listKey));
    QVERIFY(result.value("ttlMs"_L1).isDouble());
    QCOMPARE(result.value("ttlMs"_L1).toInt(), kTtlMs);
    QCOMPARE(result.value("cacheScope"_L1).toString(), scope);
    QCOMPARE(metaOf(result).value(kServerInfoKey).toObject().value("name"_L1).toString(),
             u"heartline-test"_s);
}

void tst_StatelessSession::negativeTtlIsSentAsZero()
{
    Loopback h(-5);
    const QJsonObject result = resultOf(h.ask(1, u"tools/list"_s));
    QVERIFY(result.value("ttlMs"_L1).isDouble());
    QCOMPARE(result.value("ttlMs"_L1).toInt(), 0);
}

void tst_StatelessSession::otherResultsCarryNoCacheHints_data()
{
    QTest::addColumn<QString>("method");
    QTest::addColumn<QJsonObject>("params");

    QTest::newRow("tools/call") << u"tools/call"_s << QJsonObject{{"name"_L1, "quick"_L1}};
    QTest::newRow("prompts/get") << u"prompts/get"_s << QJsonObject{{"name"_L1, "hello"_L1}};
    QTest::newRow("completion/complete")
        << u"completion/complete"_s
        << QJsonObject{
               {"ref"_L1, QJsonObject{{"type"_L1, "ref/prompt"_L1}, {"name"_L1, "hello"_L1}}},
               {"argument"_L1, QJsonObject{{"name"_L1, "a"_L1}, {"value"_L1, ""_L1}}}};
}

void tst_StatelessSession::otherResultsCarryNoCacheHints()
{
    QFETCH(QString, method);
    QFETCH(QJsonObject, params);

    Loopback h;
    const OutgoingMessage answer = h.ask(1, method, params);
    QVERIFY(answer.isFinalResponse);
    const QJsonObject result = resultOf(answer);
    QCOMPARE(result.value("resultType"_L1).toString(), u"complete"_s);
    QVERIFY(metaOf(result).value(kServerInfoKey).isObject());
    QVERIFY(!result.contains("ttlMs"_L1));
    QVERIFY(!result.contains("cacheScope"_L1));
    if (method == "tools/call"_L1)
        QCOMPARE(result.value("content"_L1).toArray().first().toObject().value("text"_L1),
                 QJsonValue(u"quick"_s));
}

void tst_StatelessSession::unknownResourceIsInvalidParams()
{
    Loopback h;
    const OutgoingMessage answer =
        h.ask(1, u"resources/read"_s, {{"uri"_L1, "file:///missing.txt"_L1}});
    QCOMPARE(errorCode(answer), int(JsonRpcCode::InvalidParams)); // -32002 is gone in 2026
    QCOMPARE(errorData(answer), (QJsonObject{{"uri"_L1, "file:///missing.txt"_L1}}));
    QVERIFY(!answer.malformedRequest); // a well-formed request that failed: over HTTP, 200
}

void tst_StatelessSession::onlyMalformedRequestsAreMarkedSo_data()
{
    QTest::addColumn<QString>("method");
    QTest::addColumn<QJsonObject>("params");
    QTest::addColumn<bool>("malformed");

    const QJsonObject argument{{"name"_L1, "a"_L1}, {"value"_L1, ""_L1}};
    QTest::newRow("tools/call without a name") << u"tools/call"_s << QJsonObject{} << true;
    QTest::newRow("tools/call with array arguments")
        << u"tools/call"_s << QJsonObject{{"name"_L1, "quick"_L1}, {"arguments"_L1, QJsonArray{}}}
        << true;
    QTest::newRow("resources/read without a uri") << u"resources/read"_s << QJsonObject{} << true;
    QTest::newRow("prompts/get with a number argument")
        << u"prompts/get"_s
        << QJsonObject{{"name"_L1, "hello"_L1}, {"arguments"_L1, QJsonObject{{"x"_L1, 1}}}} << true;
    QTest::newRow("completion/complete without argument")
        << u"completion/complete"_s
        << QJsonObject{{"ref"_L1,
                        QJsonObject{{"type"_L1, "ref/prompt"_L1}, {"name"_L1, "hello"_L1}}}}
        << true;
    QTest::newRow("unknown tool") << u"tools/call"_s << QJsonObject{{"name"_L1, "nope"_L1}}
                                  << false;
    QTest::newRow("unknown prompt")
        << u"prompts/get"_s << QJsonObject{{"name"_L1, "nope"_L1}} << false;
    QTest::newRow("unknown resource")
        << u"resources/read"_s << QJsonObject{{"uri"_L1, "file:///nope"_L1}} << false;
    QTest::newRow("completion of an unknown prompt")
        << u"completion/complete"_s
        << QJsonObject{{"ref"_L1,
                        QJsonObject{{"type"_L1, "ref/prompt"_L1}, {"name"_L1, "nope"_L1}}},
                       {"argument"_L1, argument}}
        << false;
}

void tst_StatelessSession::onlyMalformedRequestsAreMarkedSo()
{
    QFETCH(QString, method);
    QFETCH(QJsonObject, params);
    QFETCH(bool, malformed);

    Loopback h;
    const OutgoingMessage answer = h.ask(1, method, params);
    QCOMPARE(errorCode(answer), int(JsonRpcCode::InvalidParams));
    QCOMPARE(answer.malformedRequest, malformed);
    QVERIFY(answer.isFinalResponse);
}

void tst_StatelessSession::logsOnlyWhenRequestedAndAtLevel_data()
{
    QTest::addColumn<QString>("level"); // empty: no logLevel in _meta
    QTest::addColumn<QStringList>("delivered");

    const QStringList all{u"debug"_s, u"info"_s,     u"notice"_s, u"warning"_s,
                          u"error"_s, u"critical"_s, u"alert"_s,  u"emergency"_s};
    QTest::newRow("not asked for") << QString() << QStringList{};
    QTest::newRow("debug") << u"debug"_s << all;
    QTest::newRow("notice") << u"notice"_s << all.mid(2);
    QTest::newRow("error") << u"error"_s << all.mid(4);
    QTest::newRow("emergency") << u"emergency"_s << QStringList{u"emergency"_s};
}

void tst_StatelessSession::logsOnlyWhenRequestedAndAtLevel()
{
    QFETCH(QString, level);
    QFETCH(QStringList, delivered);

    Loopback h;
    h.request(u"c"_s, u"tools/call"_s, {{"name"_L1, "slow"_L1}}, {}, level);
    const QPointer<ToolCall> call = h.deferred->lastCall();
    QVERIFY(call);
    for (int i = int(LogLevel::Debug); i <= int(LogLevel::Emergency); ++i)
        call->log(LogLevel(i), QJsonObject{{"n"_L1, i}});
    // Nothing unrelated to a request is logged in 2026-07-28: there is no stream for it.
    h.session.logUnrelated(LogLevel::Emergency, u"unrelated"_s, u"tst"_s);
    call->finishWithText(u"done"_s);

    QStringList levels;
    for (int i = 0; i < h.sent.size() - 1; ++i) {
        const OutgoingMessage &log = h.sent.at(i);
        QCOMPARE(log.json.value("method"_L1).toString(), u"notifications/message"_s);
        QCOMPARE(log.relatedTo, RequestId(QJsonValue(u"c"_s)));
        QVERIFY(!log.isFinalResponse);
        QCOMPARE(paramsOf(log).value("logger"_L1).toString(), u"slow"_s);
        levels.append(paramsOf(log).value("level"_L1).toString());
    }
    QCOMPARE(levels, delivered);
    QVERIFY(h.sent.last().isFinalResponse);
}

void tst_StatelessSession::listenIsAcknowledgedFirst_data()
{
    QTest::addColumn<QByteArray>("id");
    QTest::addColumn<QJsonObject>("filter");
    QTest::addColumn<QJsonObject>("honoured");

    const QJsonObject tools{{"toolsListChanged"_L1, true}};
    QTest::newRow("number id, tools") << QByteArray("1") << tools << tools;
    QTest::newRow("string id, tools") << QByteArray(R"("1")") << tools << tools;
    QTest::newRow("zero id, tools") << QByteArray("0") << tools << tools;
    QTest::newRow("everything")
        << QByteArray("7")
        << QJsonObject{{"toolsListChanged"_L1, true},
                       {"promptsListChanged"_L1, true},
                       {"resourcesListChanged"_L1, true},
                       {"resourceSubscriptions"_L1,
                        QJsonArray{u"file:///a.txt"_s, u"note://x"_s, u"file:///a.txt"_s}}}
        << QJsonObject{{"toolsListChanged"_L1, true},
                       {"promptsListChanged"_L1, true},
                       {"resourcesListChanged"_L1, true},
                       {"resourceSubscriptions"_L1, QJsonArray{u"file:///a.txt"_s, u"note://x"_s}}};
    QTest::newRow("false and unknown members are not honoured")
        << QByteArray(R"("s")")
        << QJsonObject{{"toolsListChanged"_L1, false},
                       {"promptsListChanged"_L1, true},
                       {"rootsListChanged"_L1, true}}
        << QJsonObject{{"promptsListChanged"_L1, true}};
    QTest::newRow("URIs that are not URIs are dropped")
        << QByteArray("8")
        << QJsonObject{{"resourceSubscriptions"_L1, QJsonArray{u"a b"_s, 3, u"file:///a.txt"_s}}}
        << QJsonObject{{"resourceSubscriptions"_L1, QJsonArray{u"file:///a.txt"_s}}};
    QTest::newRow("empty filter") << QByteArray("9") << QJsonObject{} << QJsonObject{};
}

void tst_StatelessSession::listenIsAcknowledgedFirst()
{
    QFETCH(QByteArray, id);
    QFETCH(QJsonObject, filter);
    QFETCH(QJsonObject, honoured);

    Loopback h;
    const RequestId requestId(jsonValue(id));
    const OutgoingMessage ack =
        h.ask(jsonValue(id), u"subscriptions/listen"_s, {{"notifications"_L1, filter}});
    QCOMPARE(ack.json.value("method"_L1).toString(), u"notifications/subscriptions/acknowledged"_s);
    QVERIFY(!ack.json.contains("id"_L1));
    QCOMPARE(ack.relatedTo, requestId); // on the listen request's own stream
    QVERIFY(!ack.isFinalResponse);
    const QJsonObject params = paramsOf(ack);
    // The subscription id is the listen request's id, in its own JSON type.
    QCOMPARE(wire(metaOf(params).value(kSubscriptionKey)), id);
    QCOMPARE(params.value("notifications"_L1).toObject(), honoured);

    QVERIFY(h.session.isPending(requestId));
    QCOMPARE(h.session.subscriptionCount(), 1);
    for (const QJsonValue &uri : honoured.value("resourceSubscriptions"_L1).toArray())
        QVERIFY(h.session.isSubscribedTo(uri.toString()));
}

void tst_StatelessSession::listenDeliversListChangedOnlyWhenAsked_data()
{
    QTest::addColumn<QString>("flag");
    QTest::addColumn<bool>("asked");

    for (const char *flag : {"toolsListChanged", "promptsListChanged", "resourcesListChanged"}) {
        QTest::addRow("%s, asked", flag) << QString::fromLatin1(flag) << true;
        QTest::addRow("%s, not asked", flag) << QString::fromLatin1(flag) << false;
    }
}

void tst_StatelessSession::listenDeliversListChangedOnlyWhenAsked()
{
    QFETCH(QString, flag);
    QFETCH(bool, asked);

    Loopback h;
    QVERIFY(h.settle());
    // Every other kind is asked for, so a notification of the wrong kind would show.
    QJsonObject filter{{"toolsListChanged"_L1, true},
                       {"promptsListChanged"_L1, true},
                       {"resourcesListChanged"_L1, true}};
    filter.insert(flag, asked);
    h.ask(5, u"subscriptions/listen"_s, {{"notifications"_L1, filter}});
    h.sent.clear();

    const QString method = flag == "toolsListChanged"_L1 ? u"notifications/tools/list_changed"_s
                           : flag == "promptsListChanged"_L1
                               ? u"notifications/prompts/list_changed"_s
                               : u"notifications/resources/list_changed"_s;
    std::unique_ptr<QSignalSpy> changed;
    if (flag == "toolsListChanged"_L1) {
        changed = std::make_unique<QSignalSpy>(&h.tools, &ToolRegistry::listChanged);
        // A burst of toggles is one notification.
        QVERIFY(h.tools.setEnabled(u"quick"_s, false));
        QVERIFY(h.tools.setEnabled(u"slow"_s, false));
        QVERIFY(h.tools.setEnabled(u"quick"_s, true));
    } else if (flag == "promptsListChanged"_L1) {
        changed = std::make_unique<QSignalSpy>(&h.prompts, &PromptRegistry::listChanged);
        QVERIFY(h.prompts.registerPrompt(std::make_shared<FakePrompt>(u"p1"_s)));
        QVERIFY(h.prompts.registerPrompt(std::make_shared<FakePrompt>(u"p2"_s)));
    } else {
        changed = std::make_unique<QSignalSpy>(&h.resources, &ResourceRegistry::listChanged);
        QVERIFY(h.resources.registerResource(std::make_shared<TextResource>(u"mem://1"_s)));
        QVERIFY(h.resources.unregisterResource(u"file:///a.txt"_s));
    }
    QCOMPARE(h.sent.size(), 0);
    QVERIFY(changed->wait(5000));
    QCOMPARE(changed->size(), 1);

    QCOMPARE(h.sent.size(), asked ? 1 : 0);
    if (asked) {
        const OutgoingMessage &notification = h.sent.first();
        QCOMPARE(notification.json,
                 JsonRpc::notification(method, {{"_meta"_L1, QJsonObject{{kSubscriptionKey, 5}}}}));
        QCOMPARE(notification.relatedTo, RequestId(QJsonValue(5)));
        QVERIFY(!notification.isFinalResponse);
    }
    QVERIFY(h.session.isPending(RequestId(QJsonValue(5))));
}

void tst_StatelessSession::listenDeliversUpdatesForItsUris()
{
    Loopback h;
    h.ask(u"L"_s, u"subscriptions/listen"_s,
          {{"notifications"_L1,
            QJsonObject{{"resourceSubscriptions"_L1, QJsonArray{u"file:///a.txt"_s}}}}});
    QVERIFY(h.session.isSubscribedTo(u"file:///a.txt"_s));
    QVERIFY(!h.session.isSubscribedTo(u"note://x"_s));
    h.sent.clear();

    h.resources.notifyUpdated(u"note://x"_s);
    QCOMPARE(h.sent.size(), 0);
    h.resources.notifyUpdated(u"file:///a.txt"_s);
    QCOMPARE(h.sent.size(), 1);
    QCOMPARE(h.sent.first().json,
             JsonRpc::notification(u"notifications/resources/updated"_s,
                                   {{"_meta"_L1, QJsonObject{{kSubscriptionKey, "L"_L1}}},
                                    {"uri"_L1, "file:///a.txt"_L1}}));
    QCOMPARE(h.sent.first().relatedTo, RequestId(QJsonValue(u"L"_s)));
    QVERIFY(!h.sent.first().isFinalResponse);

    // Updates are not list changes: a subscription that asked only for URIs hears no more.
    QSignalSpy changed(&h.tools, &ToolRegistry::listChanged);
    QVERIFY(h.tools.setEnabled(u"quick"_s, false));
    QVERIFY(changed.wait(5000));
    QCOMPARE(h.sent.size(), 1);
}

void tst_StatelessSession::concurrentListensAreTaggedApart()
{
    Loopback h;
    QVERIFY(h.settle());
    h.ask(1, u"subscriptions/listen"_s,
          {{"notifications"_L1, QJsonObject{{"toolsListChanged"_L1, true}}}});
    h.ask(u"1"_s, u"subscriptions/listen"_s,
          {{"notifications"_L1, QJsonObject{{"toolsListChanged"_L1, true}}}});
    QCOMPARE(h.session.subscriptionCount(), 2);
    h.sent.clear();

    QVERIFY(h.tools.setEnabled(u"quick"_s, false));
    QTRY_COMPARE(h.sent.size(), 2);
    QSet<QByteArray> tags;
    for (const OutgoingMessage &message : std::as_const(h.sent)) {
        const QJsonValue tag = metaOf(paramsOf(message)).value(kSubscriptionKey);
        QCOMPARE(message.relatedTo, RequestId(tag));
        tags.insert(wire(tag));
    }
    QCOMPARE(tags, (QSet<QByteArray>{"1", R"("1")"}));
}

void tst_StatelessSession::listenStaysPendingUntilEndSubscriptions()
{
    Loopback h;
    QVERIFY(h.settle());
    QSignalSpy finished(&h.session, &Session::requestFinished);
    h.ask(u"sub"_s, u"subscriptions/listen"_s,
          {{"notifications"_L1, QJsonObject{{"toolsListChanged"_L1, true}}}});
    const RequestId id(QJsonValue(u"sub"_s));
    // Other requests come and go while it stays open.
    QVERIFY(h.ask(2, u"tools/list"_s).isFinalResponse);
    QVERIFY(h.session.isPending(id));
    QCOMPARE(finished.size(), 1);
    h.sent.clear();

    h.session.endSubscriptions();
    QCOMPARE(h.sent.size(), 1);
    const OutgoingMessage &end = h.sent.first();
    QVERIFY(end.isFinalResponse);
    QCOMPARE(end.relatedTo, id);
    QCOMPARE(end.json.value("id"_L1), QJsonValue(u"sub"_s));
    const QJsonObject result = resultOf(end);
    QCOMPARE(result.value("resultType"_L1).toString(), u"complete"_s);
    QCOMPARE(metaOf(result).value(kSubscriptionKey), QJsonValue(u"sub"_s));
    QCOMPARE(metaOf(result).value(kServerInfoKey).toObject().value("name"_L1).toString(),
             u"heartline-test"_s);
    QVERIFY(!result.contains("ttlMs"_L1));
    QVERIFY(!h.session.isPending(id));
    QCOMPARE(h.session.subscriptionCount(), 0);
    QCOMPARE(finished.size(), 2);
    QCOMPARE(finished.last().first().value<RequestOutcome>().method, u"subscriptions/listen"_s);

    // Nothing follows the end.
    QVERIFY(h.tools.setEnabled(u"quick"_s, false));
    QSignalSpy changed(&h.tools, &ToolRegistry::listChanged);
    QVERIFY(changed.wait(5000));
    h.session.endSubscriptions();
    QCOMPARE(h.sent.size(), 1);
}

void tst_StatelessSession::closeEndsListenSilently()
{
    Loopback h;
    QVERIFY(h.settle());
    h.ask(1, u"subscriptions/listen"_s,
          {{"notifications"_L1,
            QJsonObject{{"toolsListChanged"_L1, true},
                        {"resourceSubscriptions"_L1, QJsonArray{u"file:///a.txt"_s}}}}});
    h.sent.clear();

    h.session.close();
    QCOMPARE(h.session.subscriptionCount(), 0);
    QVERIFY(!h.session.isPending(RequestId(QJsonValue(1))));
    QVERIFY(!h.session.isSubscribedTo(u"file:///a.txt"_s));
    h.session.endSubscriptions();
    h.resources.notifyUpdated(u"file:///a.txt"_s);
    QSignalSpy changed(&h.tools, &ToolRegistry::listChanged);
    QVERIFY(h.tools.setEnabled(u"quick"_s, false));
    QVERIFY(changed.wait(5000));
    QCOMPARE(h.sent.size(), 0);
}

void tst_StatelessSession::cancelledListenEndsSilently()
{
    Loopback h;
    QVERIFY(h.settle());
    QSignalSpy finished(&h.session, &Session::requestFinished);
    h.ask(3, u"subscriptions/listen"_s,
          {{"notifications"_L1, QJsonObject{{"toolsListChanged"_L1, true}}}});
    h.sent.clear();

    h.send(JsonRpc::notification(u"notifications/cancelled"_s, {{"requestId"_L1, 3}}));
    QCOMPARE(h.session.subscriptionCount(), 0);
    QVERIFY(!h.session.isPending(RequestId(QJsonValue(3))));
    QCOMPARE(finished.size(), 1);
    QCOMPARE(finished.first().first().value<RequestOutcome>().result,
             RequestOutcome::Result::Cancelled);
    QSignalSpy changed(&h.tools, &ToolRegistry::listChanged);
    QVERIFY(h.tools.setEnabled(u"quick"_s, false));
    QVERIFY(changed.wait(5000));
    QCOMPARE(h.sent.size(), 0);
}

void tst_StatelessSession::listenRefusesBadFilters_data()
{
    QTest::addColumn<QJsonObject>("params");

    QTest::newRow("no filter") << QJsonObject{};
    QTest::newRow("filter an array")
        << QJsonObject{{"notifications"_L1, QJsonArray{u"toolsListChanged"_s}}};
    QTest::newRow("filter a string") << QJsonObject{{"notifications"_L1, "all"_L1}};
    QTest::newRow("filter true") << QJsonObject{{"notifications"_L1, true}};
    QTest::newRow("resourceSubscriptions a string") << QJsonObject{
        {"notifications"_L1, QJsonObject{{"resourceSubscriptions"_L1, "file:///a.txt"_L1}}}};
    QTest::newRow("resourceSubscriptions an object") << QJsonObject{
        {"notifications"_L1,
         QJsonObject{{"toolsListChanged"_L1, true},
                     {"resourceSubscriptions"_L1, QJsonObject{{"uri"_L1, "file:///a.txt"_L1}}}}}};
}

void tst_StatelessSession::listenRefusesBadFilters()
{
    QFETCH(QJsonObject, params);

    Loopback h;
    const OutgoingMessage answer = h.ask(1, u"subscriptions/listen"_s, params);
    QCOMPARE(errorCode(answer), int(JsonRpcCode::InvalidParams));
    QVERIFY(answer.isFinalResponse);
    QVERIFY(answer.malformedRequest);
    QCOMPARE(h.session.subscriptionCount(), 0);
    QCOMPARE(h.session.pendingCount(), 0);
}

void tst_StatelessSession::inputRequestEndsTheCallWithInputRequired()
{
    Loopback h;
    QSignalSpy finished(&h.session, &Session::requestFinished);
    h.request(1, u"tools/call"_s, {{"name"_L1, "slow"_L1}}, kElicitation);
    const QPointer<ToolCall> call = h.deferred->lastCall();
    QVERIFY(call);
    QSignalSpy failed(call.data(), &ToolCall::inputFailed);
    const QJsonObject params{{"mode"_L1, "form"_L1},
                             {"message"_L1, "Your name?"_L1},
                             {"requestedSchema"_L1, QJsonObject{{"type"_L1, "object"_L1}}}};
    call->requestInput(u"ask"_s, u"elicitation/create"_s, params);
    QCOMPARE(h.sent.size(), 0); // no request of our own goes out in 2026-07-28

    QTRY_COMPARE(h.sent.size(), 1);
    const OutgoingMessage &answer = h.sent.first();
    QVERIFY(answer.isFinalResponse);
    QCOMPARE(answer.relatedTo, RequestId(QJsonValue(1)));
    const QJsonObject result = resultOf(answer);
    QCOMPARE(result.value("resultType"_L1).toString(), u"input_required"_s);
    QCOMPARE(result.value("inputRequests"_L1).toObject(),
             (QJsonObject{{"ask"_L1, QJsonObject{{"method"_L1, "elicitation/create"_L1},
                                                 {"params"_L1, params}}}}));
    QVERIFY(!result.contains("ttlMs"_L1)); // interim results are never cacheable
    QVERIFY(metaOf(result).value(kServerInfoKey).isObject());
    QVERIFY(!h.session.isPending(RequestId(QJsonValue(1))));
    QCOMPARE(finished.size(), 1);
    // The call is over: the retry runs the tool afresh.
    QCOMPARE(h.deferred->cancellations, 1);
    QCOMPARE(failed.size(), 0);
    if (call)
        call->finishWithText(u"too late"_s);
    QTRY_VERIFY(call.isNull());
    QCOMPARE(h.sent.size(), 1);
}

void tst_StatelessSession::questionsOfOneTurnTravelTogether()
{
    Loopback h;
    h.request(u"t"_s, u"tools/call"_s, {{"name"_L1, "slow"_L1}},
              {{"elicitation"_L1, QJsonObject{}}, {"sampling"_L1, QJsonObject{}}});
    const QPointer<ToolCall> call = h.deferred->lastCall();
    QVERIFY(call);
    call->requestInput(u"who"_s, u"elicitation/create"_s, {{"message"_L1, "Who?"_L1}});
    call->requestInput(u"capital"_s, u"sampling/createMessage"_s, {{"maxTokens"_L1, 100}});

    QTRY_COMPARE(h.sent.size(), 1);
    const QJsonObject requests = resultOf(h.sent.first()).value("inputRequests"_L1).toObject();
    QCOMPARE(requests.keys(), (QStringList{u"capital"_s, u"who"_s}));
    QCOMPARE(requests.value("capital"_L1).toObject().value("method"_L1).toString(),
             u"sampling/createMessage"_s);
    QCOMPARE(requests.value("who"_L1).toObject().value("params"_L1).toObject(),
             (QJsonObject{{"message"_L1, "Who?"_L1}}));
    // One result for the turn, never a second.
    QTRY_VERIFY(call.isNull());
    QCOMPARE(h.sent.size(), 1);
}

void tst_StatelessSession::retryDeliversTheAnswers()
{
    Loopback h;
    const QJsonObject accepted{{"action"_L1, "accept"_L1},
                               {"content"_L1, QJsonObject{{"name"_L1, "octocat"_L1}}}};
    h.request(2, u"tools/call"_s,
              {{"name"_L1, "slow"_L1}, {"inputResponses"_L1, QJsonObject{{"ask"_L1, accepted}}}},
              kElicitation);
    const QPointer<ToolCall> call = h.deferred->lastCall();
    QVERIFY(call);
    QSignalSpy received(call.data(), &ToolCall::inputReceived);
    QSignalSpy failed(call.data(), &ToolCall::inputFailed);
    call->requestInput(u"ask"_s, u"elicitation/create"_s, {{"message"_L1, "Who?"_L1}});
    QCOMPARE(received.size(), 0); // never inside requestInput()

    QTRY_COMPARE(received.size(), 1);
    QCOMPARE(received.first().at(0).toString(), u"ask"_s);
    QCOMPARE(received.first().at(1).toJsonObject(), accepted);
    QCOMPARE(failed.size(), 0);
    QCOMPARE(h.sent.size(), 0);
    QVERIFY(h.session.isPending(RequestId(QJsonValue(2))));

    call->finishWithText(u"hello octocat"_s);
    QCOMPARE(h.sent.size(), 1);
    const QJsonObject result = resultOf(h.sent.first());
    QCOMPARE(result.value("resultType"_L1).toString(), u"complete"_s);
    QVERIFY(!result.contains("inputRequests"_L1));
    QCOMPARE(result.value("content"_L1).toArray().first().toObject().value("text"_L1),
             QJsonValue(u"hello octocat"_s));
    QCOMPARE(h.deferred->cancellations, 0);
}

void tst_StatelessSession::retryMissingAnAnswerAsksAgain()
{
    Loopback h;
    h.request(3, u"tools/call"_s,
              {{"name"_L1, "slow"_L1},
               {"inputResponses"_L1,
                QJsonObject{{"first"_L1, QJsonObject{{"action"_L1, "accept"_L1}}},
                            {"unasked"_L1, QJsonObject{{"action"_L1, "accept"_L1}}}}}},
              kElicitation);
    const QPointer<ToolCall> call = h.deferred->lastCall();
    QVERIFY(call);
    call->requestInput(u"first"_s, u"elicitation/create"_s, {{"message"_L1, "1"_L1}});
    call->requestInput(u"second"_s, u"elicitation/create"_s, {{"message"_L1, "2"_L1}});

    QTRY_COMPARE(h.sent.size(), 1);
    const QJsonObject result = resultOf(h.sent.first());
    QCOMPARE(result.value("resultType"_L1).toString(), u"input_required"_s);
    // Only what is still missing is asked again.
    QCOMPARE(result.value("inputRequests"_L1).toObject().keys(), QStringList{u"second"_s});
}

void tst_StatelessSession::inputWithoutTheCapabilityFails()
{
    Loopback h;
    h.request(4, u"tools/call"_s, {{"name"_L1, "slow"_L1}},
              {{"sampling"_L1, QJsonObject{}}}); // not elicitation
    const QPointer<ToolCall> call = h.deferred->lastCall();
    QVERIFY(call);
    QSignalSpy failed(call.data(), &ToolCall::inputFailed);
    call->requestInput(u"ask"_s, u"elicitation/create"_s, {{"message"_L1, "?"_L1}});
    QCOMPARE(failed.size(), 0);

    QTRY_COMPARE(failed.size(), 1);
    QCOMPARE(failed.first().at(0).toString(), u"ask"_s);
    QCOMPARE(h.sent.size(), 0); // no input_required asking for what the client cannot give
    QVERIFY(h.session.isPending(RequestId(QJsonValue(4))));
    call->finishWithText(u"without"_s);
    QCOMPARE(h.sent.size(), 1);
    QCOMPARE(resultOf(h.sent.first()).value("resultType"_L1).toString(), u"complete"_s);
}

QTEST_GUILESS_MAIN(tst_StatelessSession)
#include "tst_statelesssession.moc"
