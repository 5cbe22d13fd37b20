#include "server/protocol/catalog/content.h"
#include "server/protocol/catalog/prompt.h"
#include "server/protocol/catalog/promptregistry.h"
#include "server/protocol/catalog/resource.h"
#include "server/protocol/catalog/resourceregistry.h"
#include "tests/support/sessionloopback.h"

#include <QJsonArray>
#include <QPointer>
#include <QSignalSpy>
#include <QTest>

#include <memory>
#include <tuple>

// The catalog as 2025 sessions see it (initialize first): resources, templates, prompts and
// completion, subscriptions and list changes, server-to-client requests asked by a running
// tool, and structured tool output.

using namespace Qt::StringLiterals;
using heartline::JsonRpcCode;
using heartline::OutgoingMessage;
using heartline::Prompt;
using heartline::PromptArgument;
using heartline::PromptDefinition;
using heartline::PromptRegistry;
using heartline::PromptResult;
using heartline::RequestId;
using heartline::Resource;
using heartline::ResourceContents;
using heartline::ResourceDefinition;
using heartline::ResourceRegistry;
using heartline::ResourceTemplate;
using heartline::ResourceTemplateDefinition;
using heartline::Session;
using heartline::ToolCall;
namespace Content = heartline::Content;
namespace JsonRpc = heartline::JsonRpc;
using namespace heartline::testing;

namespace {

class FakeResource final : public Resource
{
public:
    FakeResource(const QString &uri, const QString &mimeType, const QString &data, bool blob)
        : m_uri(uri)
        , m_mimeType(mimeType)
        , m_data(data)
        , m_blob(blob)
    {}

    ResourceDefinition definition() const override
    {
        ResourceDefinition definition;
        definition.uri = m_uri;
        definition.name = u"name of "_s + m_uri;
        definition.mimeType = m_mimeType;
        return definition;
    }

    QList<ResourceContents> read() const override
    {
        return {m_blob ? ResourceContents::fromBlob(m_uri, m_mimeType, m_data)
                       : ResourceContents::fromText(m_uri, m_mimeType, m_data)};
    }

private:
    QString m_uri;
    QString m_mimeType;
    QString m_data;
    bool m_blob;
};

// "note://{folder}/{name}": exists for the names it knows, in any folder.
class FakeTemplate final : public ResourceTemplate
{
public:
    static constexpr auto kUriTemplate = "note://{folder}/{name}"_L1;

    ResourceTemplateDefinition definition() const override
    {
        ResourceTemplateDefinition definition;
        definition.uriTemplate = kUriTemplate;
        definition.name = u"notes"_s;
        definition.mimeType = u"text/plain"_s;
        return definition;
    }

    bool read(const QString &uri, const QHash<QString, QString> &variables,
              QList<ResourceContents> *contents) const override
    {
        if (!m_names.contains(variables.value(u"name"_s)))
            return false;
        *contents = {ResourceContents::fromText(
            uri, u"text/plain"_s,
            u"folder=%1 name=%2"_s.arg(variables.value(u"folder"_s), variables.value(u"name"_s)))};
        return true;
    }

    QStringList completeVariable(const QString &variable,
                                 const QHash<QString, QString> &context) const override
    {
        if (variable == "folder"_L1)
            return {u"home"_s, u"work"_s};
        if (variable == "name"_L1)
            return context.value(u"folder"_s) == "home"_L1 ? QStringList{u"holiday"_s} : m_names;
        return {};
    }

private:
    QStringList m_names{u"todo"_s, u"tasks"_s, u"ideas"_s};
};

// "greet": a required "name" and an optional "style".
class FakePrompt final : public Prompt
{
public:
    explicit FakePrompt(const QString &name = u"greet"_s)
        : m_name(name)
    {}

    PromptDefinition definition() const override
    {
        PromptDefinition definition;
        definition.name = m_name;
        definition.title = u"Greeting"_s;
        definition.description = u"Greets someone"_s;
        definition.arguments = {PromptArgument{u"name"_s, {}, u"who"_s, true},
                                PromptArgument{u"style"_s, {}, {}, false}};
        return definition;
    }

    PromptResult get(const QHash<QString, QString> &arguments) const override
    {
        QString text = u"Hello, "_s + arguments.value(u"name"_s);
        if (arguments.contains(u"style"_s))
            text += u" ("_s + arguments.value(u"style"_s) + u')';
        return {u"A greeting"_s, {{u"user"_s, Content::text(text)}}};
    }

    QStringList completeArgument(const QString &argument,
                                 const QHash<QString, QString> &context) const override
    {
        Q_UNUSED(context)
        if (argument == "name"_L1)
            return {u"alice"_s, u"bob"_s, u"Albert"_s, u"alfred"_s};
        if (argument == "style"_L1) {
            QStringList many;
            for (int i = 0; i < 250; ++i)
                many.append(u"s%1"_s.arg(i, 3, 10, QLatin1Char('0')));
            return many;
        }
        return {};
    }

private:
    QString m_name;
};

QStringList valuesOf(const QJsonArray &array, const QString &key)
{
    QStringList values;
    for (const QJsonValue &item : array)
        values.append(item.toObject().value(key).toString());
    return values;
}

struct Parts
{
    bool resources = true;
    bool prompts = true;
    int pageSize = 100;
};

// A 2025 session over a full catalog, with everything it sends kept in a list.
class Loopback final : public SessionLoopback
{
public:
    explicit Loopback(const Parts &parts = Parts{})
        : SessionLoopback(testIdentity(), Session::Options{parts.pageSize},
                          LoopbackParts{parts.resources, parts.prompts, 5})
    {}

    // Two plain resources (text and blob), the note template and the greet prompt.
    void populate()
    {
        addResource(u"file:///b.bin"_s, u"application/octet-stream"_s, u"AAEC"_s, true);
        addResource(u"file:///a.txt"_s, u"text/plain"_s, u"alpha"_s, false);
        if (!resources.registerTemplate(std::make_shared<FakeTemplate>()))
            qFatal("could not register the test template");
        if (!prompts.registerPrompt(std::make_shared<FakePrompt>()))
            qFatal("could not register the test prompt");
    }

    void addResource(const QString &uri, const QString &mimeType = u"text/plain"_s,
                     const QString &data = u"x"_s, bool blob = false)
    {
        if (!resources.registerResource(std::make_shared<FakeResource>(uri, mimeType, data, blob)))
            qFatal("could not register a test resource");
    }

    std::shared_ptr<FakeTool> addTool(const QString &name,
                                      FakeTool::Mode mode = FakeTool::Mode::Deferred,
                                      const QJsonObject &outputSchema = {})
    {
        return SessionLoopback::addTool(name, mode, objectSchema(), outputSchema);
    }

    void request(const QJsonValue &id, const QString &method, const QJsonObject &params = {})
    {
        send(JsonRpc::request(RequestId(id), method, params));
    }

    // One request and the one message it must produce (or a marker that fails every check).
    OutgoingMessage ask(const QJsonValue &id, const QString &method, const QJsonObject &params = {})
    {
        sent.clear();
        request(id, method, params);
        return sole();
    }

    [[nodiscard]] bool initialize(const QJsonObject &capabilities = {})
    {
        const QList<OutgoingMessage> answers = handshake(capabilities);
        return answers.size() == 1 && resultOf(answers.first()).contains("capabilities"_L1)
               && session.isInitialized();
    }
};

const QJsonObject kOutputSchema{
    {"type"_L1, "object"_L1},
    {"properties"_L1, QJsonObject{{"n"_L1, QJsonObject{{"type"_L1, "number"_L1}}}}},
    {"required"_L1, QJsonArray{u"n"_s}}};

} // namespace

class tst_SessionCatalog final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void capabilitiesFollowTheCatalog_data();
    void capabilitiesFollowTheCatalog();
    void methodsNeedTheirCapability_data();
    void methodsNeedTheirCapability();

    void resourcesListWalksEveryPage_data();
    void resourcesListWalksEveryPage();
    void listsRejectBadCursors_data();
    void listsRejectBadCursors();
    void templatesListServesDefinitions();
    void resourcesReadReturnsTextAndBlob_data();
    void resourcesReadReturnsTextAndBlob();
    void templateReadSeesItsVariables();
    void unknownResourceIsResourceNotFound_data();
    void unknownResourceIsResourceNotFound();
    void resourcesReadNeedsAUri_data();
    void resourcesReadNeedsAUri();

    void updatedGoesOnlyToSubscribedUris();
    void subscribeRefusesWhatIsNotAUri_data();
    void subscribeRefusesWhatIsNotAUri();
    void listChangedIsCoalescedAndSkipsWhatTheClientListed_data();
    void listChangedIsCoalescedAndSkipsWhatTheClientListed();

    void promptsListServesDefinitions();
    void promptsGetFillsInArguments();
    void promptsGetRefusesBadRequests_data();
    void promptsGetRefusesBadRequests();

    void completionOffersCandidates_data();
    void completionOffersCandidates();
    void completionIsCappedAtOneHundred();
    void completionRefusesUnknownReferences_data();
    void completionRefusesUnknownReferences();

    void toolRequestGoesOutOnItsCallsStream_data();
    void toolRequestGoesOutOnItsCallsStream();
    void answersReachTheQuestionTheyBelongTo();
    void errorAnswerFailsTheInput();
    void requestWithoutTheCapabilityFailsLater_data();
    void requestWithoutTheCapabilityFailsLater();
    void answerAfterTheCallEndedIsIgnored_data();
    void answerAfterTheCallEndedIsIgnored();

    void structuredContentIsCheckedAgainstOutputSchema_data();
    void structuredContentIsCheckedAgainstOutputSchema();

    void statelessMethodsAreMethodNotFound_data();
    void statelessMethodsAreMethodNotFound();
};

void tst_SessionCatalog::capabilitiesFollowTheCatalog_data()
{
    QTest::addColumn<bool>("withResources");
    QTest::addColumn<bool>("withPrompts");
    QTest::addColumn<QStringList>("keys");

    QTest::newRow("full catalog") << true << true
                                  << QStringList{u"completions"_s, u"logging"_s, u"prompts"_s,
                                                 u"resources"_s, u"tools"_s};
    QTest::newRow("resources only")
        << true << false << QStringList{u"completions"_s, u"logging"_s, u"resources"_s, u"tools"_s};
    QTest::newRow("prompts only") << false << true
                                  << QStringList{u"completions"_s, u"logging"_s, u"prompts"_s,
                                                 u"tools"_s};
    QTest::newRow("tools only") << false << false << QStringList{u"logging"_s, u"tools"_s};
}

void tst_SessionCatalog::capabilitiesFollowTheCatalog()
{
    QFETCH(bool, withResources);
    QFETCH(bool, withPrompts);
    QFETCH(QStringList, keys);

    Loopback h(Parts{withResources, withPrompts});
    const OutgoingMessage answer =
        h.ask(1, u"initialize"_s, {{"protocolVersion"_L1, "2025-11-25"_L1}});
    const QJsonObject capabilities = resultOf(answer).value("capabilities"_L1).toObject();
    QCOMPARE(capabilities.keys(), keys);
    if (withResources) {
        QCOMPARE(capabilities.value("resources"_L1).toObject(),
                 (QJsonObject{{"subscribe"_L1, true}, {"listChanged"_L1, true}}));
    }
    if (withPrompts) {
        QCOMPARE(capabilities.value("prompts"_L1).toObject(),
                 (QJsonObject{{"listChanged"_L1, true}}));
    }
    if (withResources || withPrompts)
        QCOMPARE(capabilities.value("completions"_L1), QJsonValue(QJsonObject{}));
}

void tst_SessionCatalog::methodsNeedTheirCapability_data()
{
    QTest::addColumn<bool>("withResources");
    QTest::addColumn<bool>("withPrompts");
    QTest::addColumn<QString>("method");
    QTest::addColumn<QJsonObject>("params");
    QTest::addColumn<bool>("served");

    const QJsonObject uri{{"uri"_L1, "file:///a.txt"_L1}};
    const QJsonObject prompt{{"name"_L1, "greet"_L1},
                             {"arguments"_L1, QJsonObject{{"name"_L1, "x"_L1}}}};
    const QJsonObject argument{{"name"_L1, "name"_L1}, {"value"_L1, "a"_L1}};
    const QJsonObject completePrompt{
        {"ref"_L1, QJsonObject{{"type"_L1, "ref/prompt"_L1}, {"name"_L1, "greet"_L1}}},
        {"argument"_L1, argument}};
    const QJsonObject completeTemplate{
        {"ref"_L1,
         QJsonObject{{"type"_L1, "ref/resource"_L1}, {"uri"_L1, "note://{folder}/{name}"_L1}}},
        {"argument"_L1, argument}};
    const QList<std::tuple<const char *, QJsonObject, bool, bool>> methods{
        // method, params, needs resources, needs prompts
        {"resources/list", {}, true, false},         {"resources/templates/list", {}, true, false},
        {"resources/read", uri, true, false},        {"resources/subscribe", uri, true, false},
        {"resources/unsubscribe", uri, true, false}, {"prompts/list", {}, false, true},
        {"prompts/get", prompt, false, true},
    };
    const QList<QPair<bool, bool>> catalogs{
        {true, true}, {true, false}, {false, true}, {false, false}};
    for (const auto &[withResources, withPrompts] : catalogs) {
        const char *catalog = withResources ? (withPrompts ? "full" : "resources only")
                                            : (withPrompts ? "prompts only" : "tools only");
        for (const auto &[method, params, needsResources, needsPrompts] : methods) {
            const bool served =
                (!needsResources || withResources) && (!needsPrompts || withPrompts);
            QTest::addRow("%s, %s", method, catalog)
                << withResources << withPrompts << QString::fromLatin1(method) << params << served;
        }
        // Completion is declared whenever there is something to complete.
        QTest::addRow("completion/complete, %s", catalog)
            << withResources << withPrompts << u"completion/complete"_s
            << (withPrompts ? completePrompt : completeTemplate) << (withResources || withPrompts);
    }
}

void tst_SessionCatalog::methodsNeedTheirCapability()
{
    QFETCH(bool, withResources);
    QFETCH(bool, withPrompts);
    QFETCH(QString, method);
    QFETCH(QJsonObject, params);
    QFETCH(bool, served);

    Loopback h(Parts{withResources, withPrompts});
    h.populate();
    QVERIFY(h.initialize());
    const OutgoingMessage answer = h.ask(u"m"_s, method, params);
    QVERIFY(answer.isFinalResponse);
    QCOMPARE(answer.relatedTo, RequestId(QJsonValue(u"m"_s)));
    if (served) {
        QVERIFY2(answer.json.contains("result"_L1), JsonRpc::serialize(answer.json).constData());
    } else {
        QCOMPARE(errorCode(answer), int(JsonRpcCode::MethodNotFound));
    }
    QCOMPARE(h.session.pendingCount(), 0);
}

void tst_SessionCatalog::resourcesListWalksEveryPage_data()
{
    QTest::addColumn<int>("pageSize");
    QTest::addColumn<int>("count");
    QTest::addColumn<int>("pages");

    QTest::newRow("2 per page, 5 resources") << 2 << 5 << 3;
    QTest::newRow("3 per page, 6 resources") << 3 << 6 << 2;
    QTest::newRow("1 per page, 2 resources") << 1 << 2 << 2;
    QTest::newRow("all on one page") << 100 << 4 << 1;
    QTest::newRow("no resources") << 2 << 0 << 1;
}

void tst_SessionCatalog::resourcesListWalksEveryPage()
{
    QFETCH(int, pageSize);
    QFETCH(int, count);
    QFETCH(int, pages);

    Loopback h(Parts{true, true, pageSize});
    QStringList expected;
    for (int i = count - 1; i >= 0; --i) {
        const QString uri = u"mem://r/%1"_s.arg(i, 2, 10, QLatin1Char('0'));
        h.addResource(uri);
        expected.prepend(uri);
    }
    // Templates are listed elsewhere and never appear among resources.
    QVERIFY(h.resources.registerTemplate(std::make_shared<FakeTemplate>()));
    QVERIFY(h.initialize());

    QStringList seen;
    QJsonValue cursor(QJsonValue::Undefined);
    int page = 0;
    for (; page < 20; ++page) {
        QJsonObject params;
        if (!cursor.isUndefined())
            params.insert("cursor"_L1, cursor);
        const QJsonObject result = resultOf(h.ask(page + 10, u"resources/list"_s, params));
        const QJsonArray items = result.value("resources"_L1).toArray();
        QVERIFY(items.size() <= pageSize);
        for (const QJsonValue &item : items) {
            QCOMPARE(item.toObject().value("name"_L1).toString(),
                     u"name of "_s + item.toObject().value("uri"_L1).toString());
        }
        seen += valuesOf(items, u"uri"_s);
        if (!result.contains("nextCursor"_L1))
            break;
        cursor = result.value("nextCursor"_L1);
        QVERIFY(cursor.isString());
        QVERIFY(!items.isEmpty()); // never a page that only says "more"
    }
    QCOMPARE(page + 1, pages);
    QCOMPARE(seen, expected);
}

void tst_SessionCatalog::listsRejectBadCursors_data()
{
    QTest::addColumn<QString>("method");
    QTest::addColumn<QJsonValue>("cursor");

    for (const char *method : {"resources/list", "resources/templates/list", "prompts/list"}) {
        QTest::addRow("%s, garbage", method) << QString::fromLatin1(method) << QJsonValue(u"%%%"_s);
        QTest::addRow("%s, empty", method) << QString::fromLatin1(method) << QJsonValue(u""_s);
        QTest::addRow("%s, number", method) << QString::fromLatin1(method) << QJsonValue(42);
        QTest::addRow("%s, object", method)
            << QString::fromLatin1(method) << QJsonValue(QJsonObject{{"after"_L1, "a"_L1}});
        // Valid base64 that is not a cursor of ours.
        QTest::addRow("%s, foreign base64", method)
            << QString::fromLatin1(method) << QJsonValue(u"aGVsbG8"_s);
    }
}

void tst_SessionCatalog::listsRejectBadCursors()
{
    QFETCH(QString, method);
    QFETCH(QJsonValue, cursor);

    Loopback h(Parts{true, true, 1});
    h.populate();
    QVERIFY(h.initialize());
    const OutgoingMessage answer = h.ask(3, method, {{"cursor"_L1, cursor}});
    QCOMPARE(errorCode(answer), int(JsonRpcCode::InvalidParams));
    QVERIFY(answer.isFinalResponse);

    // A null cursor is the same as none.
    QVERIFY(h.ask(4, method, {{"cursor"_L1, QJsonValue::Null}}).json.contains("result"_L1));
}

void tst_SessionCatalog::templatesListServesDefinitions()
{
    Loopback h;
    h.populate();
    QVERIFY(h.initialize());
    const QJsonObject result = resultOf(h.ask(1, u"resources/templates/list"_s));
    QCOMPARE(result,
             (QJsonObject{{"resourceTemplates"_L1,
                           QJsonArray{QJsonObject{{"uriTemplate"_L1, "note://{folder}/{name}"_L1},
                                                  {"name"_L1, "notes"_L1},
                                                  {"mimeType"_L1, "text/plain"_L1}}}}}));
}

void tst_SessionCatalog::resourcesReadReturnsTextAndBlob_data()
{
    QTest::addColumn<QString>("uri");
    QTest::addColumn<QJsonObject>("contents");

    QTest::newRow("text") << u"file:///a.txt"_s
                          << QJsonObject{{"uri"_L1, "file:///a.txt"_L1},
                                         {"mimeType"_L1, "text/plain"_L1},
                                         {"text"_L1, "alpha"_L1}};
    QTest::newRow("blob") << u"file:///b.bin"_s
                          << QJsonObject{{"uri"_L1, "file:///b.bin"_L1},
                                         {"mimeType"_L1, "application/octet-stream"_L1},
                                         {"blob"_L1, "AAEC"_L1}};
}

void tst_SessionCatalog::resourcesReadReturnsTextAndBlob()
{
    QFETCH(QString, uri);
    QFETCH(QJsonObject, contents);

    Loopback h;
    h.populate();
    QVERIFY(h.initialize());
    const OutgoingMessage answer = h.ask(1, u"resources/read"_s, {{"uri"_L1, uri}});
    QVERIFY(answer.isFinalResponse);
    QCOMPARE(resultOf(answer), (QJsonObject{{"contents"_L1, QJsonArray{contents}}}));
}

void tst_SessionCatalog::templateReadSeesItsVariables()
{
    Loopback h;
    h.populate();
    QVERIFY(h.initialize());
    const QJsonObject result =
        resultOf(h.ask(1, u"resources/read"_s, {{"uri"_L1, "note://work/todo"_L1}}));
    QCOMPARE(result,
             (QJsonObject{{"contents"_L1,
                           QJsonArray{QJsonObject{{"uri"_L1, "note://work/todo"_L1},
                                                  {"mimeType"_L1, "text/plain"_L1},
                                                  {"text"_L1, "folder=work name=todo"_L1}}}}}));
}

void tst_SessionCatalog::unknownResourceIsResourceNotFound_data()
{
    QTest::addColumn<QString>("uri");

    QTest::newRow("unknown file") << u"file:///missing.txt"_s;
    QTest::newRow("template match the template refuses") << u"note://work/nothing"_s;
    QTest::newRow("template shape with a slash in a variable") << u"note://a/b/todo"_s;
    QTest::newRow("not a URI") << u"just words"_s;
}

void tst_SessionCatalog::unknownResourceIsResourceNotFound()
{
    QFETCH(QString, uri);

    Loopback h;
    h.populate();
    QVERIFY(h.initialize());
    const OutgoingMessage answer = h.ask(1, u"resources/read"_s, {{"uri"_L1, uri}});
    QCOMPARE(errorCode(answer), int(JsonRpcCode::ResourceNotFound));
    QCOMPARE(errorData(answer), (QJsonObject{{"uri"_L1, uri}}));
    QVERIFY(answer.isFinalResponse);
}

void tst_SessionCatalog::resourcesReadNeedsAUri_data()
{
    QTest::addColumn<QJsonObject>("params");

    QTest::newRow("no params") << QJsonObject{};
    QTest::newRow("uri missing") << QJsonObject{{"name"_L1, "file:///a.txt"_L1}};
    QTest::newRow("uri empty") << QJsonObject{{"uri"_L1, ""_L1}};
    QTest::newRow("uri a number") << QJsonObject{{"uri"_L1, 7}};
    QTest::newRow("uri null") << QJsonObject{{"uri"_L1, QJsonValue::Null}};
    // Matched against templates, a huge URI would hold the event loop; refused unread.
    QTest::newRow("uri over 8 KiB")
        << QJsonObject{{"uri"_L1, QString(u"file:///"_s + QString(8 * 1024, u'a'))}};
}

void tst_SessionCatalog::resourcesReadNeedsAUri()
{
    QFETCH(QJsonObject, params);

    Loopback h;
    h.populate();
    QVERIFY(h.initialize());
    QCOMPARE(errorCode(h.ask(1, u"resources/read"_s, params)), int(JsonRpcCode::InvalidParams));
}

void tst_SessionCatalog::updatedGoesOnlyToSubscribedUris()
{
    Loopback h;
    h.populate();
    QVERIFY(h.initialize());

    const OutgoingMessage subscribed =
        h.ask(1, u"resources/subscribe"_s, {{"uri"_L1, "file:///a.txt"_L1}});
    QCOMPARE(subscribed.json, JsonRpc::result(RequestId(QJsonValue(1)), {}));
    // A URI nobody has registered (yet) may be watched too.
    QCOMPARE(h.ask(2, u"resources/subscribe"_s, {{"uri"_L1, "note://home/todo"_L1}}).json,
             JsonRpc::result(RequestId(QJsonValue(2)), {}));
    QVERIFY(h.session.isSubscribedTo(u"file:///a.txt"_s));
    QVERIFY(!h.session.isSubscribedTo(u"file:///b.bin"_s));

    h.sent.clear();
    h.resources.notifyUpdated(u"file:///b.bin"_s);
    QCOMPARE(h.sent.size(), 0);
    h.resources.notifyUpdated(u"file:///a.txt"_s);
    h.resources.notifyUpdated(u"note://home/todo"_s);
    QCOMPARE(h.sent.size(), 2);
    for (const OutgoingMessage &updated : std::as_const(h.sent)) {
        QVERIFY(!updated.relatedTo.isValid()); // the standalone stream, not a request's
        QVERIFY(!updated.isFinalResponse);
    }
    QCOMPARE(h.sent.at(0).json, JsonRpc::notification(u"notifications/resources/updated"_s,
                                                      {{"uri"_L1, "file:///a.txt"_L1}}));
    QCOMPARE(h.sent.at(1).json.value("params"_L1).toObject().value("uri"_L1).toString(),
             u"note://home/todo"_s);

    QCOMPARE(h.ask(3, u"resources/unsubscribe"_s, {{"uri"_L1, "file:///a.txt"_L1}}).json,
             JsonRpc::result(RequestId(QJsonValue(3)), {}));
    // Unsubscribing from something never subscribed is harmless.
    QCOMPARE(h.ask(4, u"resources/unsubscribe"_s, {{"uri"_L1, "file:///b.bin"_L1}}).json,
             JsonRpc::result(RequestId(QJsonValue(4)), {}));
    QVERIFY(!h.session.isSubscribedTo(u"file:///a.txt"_s));
    h.sent.clear();
    h.resources.notifyUpdated(u"file:///a.txt"_s);
    QCOMPARE(h.sent.size(), 0);
    h.resources.notifyUpdated(u"note://home/todo"_s);
    QCOMPARE(h.sent.size(), 1);
}

void tst_SessionCatalog::subscribeRefusesWhatIsNotAUri_data()
{
    QTest::addColumn<QJsonObject>("params");

    QTest::newRow("no uri") << QJsonObject{};
    QTest::newRow("empty") << QJsonObject{{"uri"_L1, ""_L1}};
    QTest::newRow("no scheme") << QJsonObject{{"uri"_L1, "a.txt"_L1}};
    QTest::newRow("whitespace") << QJsonObject{{"uri"_L1, "file:///a b"_L1}};
    QTest::newRow("number") << QJsonObject{{"uri"_L1, 3}};
}

void tst_SessionCatalog::subscribeRefusesWhatIsNotAUri()
{
    QFETCH(QJsonObject, params);

    Loopback h;
    h.populate();
    QVERIFY(h.initialize());
    QCOMPARE(errorCode(h.ask(1, u"resources/subscribe"_s, params)),
             int(JsonRpcCode::InvalidParams));
    QVERIFY(!h.session.isSubscribedTo(params.value("uri"_L1).toString()));
}

void tst_SessionCatalog::listChangedIsCoalescedAndSkipsWhatTheClientListed_data()
{
    QTest::addColumn<bool>("prompts"); // false: resources

    QTest::newRow("resources") << false;
    QTest::newRow("prompts") << true;
}

void tst_SessionCatalog::listChangedIsCoalescedAndSkipsWhatTheClientListed()
{
    QFETCH(bool, prompts);

    Loopback h;
    h.resources.setCoalesceInterval(50);
    h.prompts.setCoalesceInterval(50);
    h.populate();
    QVERIFY(h.initialize());
    int changes = 0;
    const auto change = [&] {
        ++changes;
        if (prompts)
            QVERIFY(h.prompts.registerPrompt(std::make_shared<FakePrompt>(u"p%1"_s.arg(changes))));
        else
            h.addResource(u"mem://extra/%1"_s.arg(changes));
    };
    const QString method = prompts ? u"notifications/prompts/list_changed"_s
                                   : u"notifications/resources/list_changed"_s;
    const QString otherMethod = prompts ? u"notifications/resources/list_changed"_s
                                        : u"notifications/prompts/list_changed"_s;
    std::unique_ptr<QSignalSpy> registryChanged =
        prompts ? std::make_unique<QSignalSpy>(&h.prompts, &PromptRegistry::listChanged)
                : std::make_unique<QSignalSpy>(&h.resources, &ResourceRegistry::listChanged);

    // A burst is one notification, on the standalone stream, without params.
    change();
    change();
    change();
    QCOMPARE(h.sent.size(), 0);
    QTRY_COMPARE(h.countMethod(method), 1);
    QCOMPARE(h.sent.size(), 1);
    QCOMPARE(h.sent.first().json, JsonRpc::notification(method));
    QVERIFY(!h.sent.first().relatedTo.isValid());
    QVERIFY(!h.sent.first().isFinalResponse);

    // A change the client has already listed is old news.
    registryChanged->clear();
    change();
    h.request(7, prompts ? u"prompts/list"_s : u"resources/list"_s);
    QVERIFY(registryChanged->wait(5000));
    QCOMPARE(h.countMethod(method), 1);

    // One it has not seen is announced again.
    change();
    QTRY_COMPARE(h.countMethod(method), 2);
    QCOMPARE(h.countMethod(otherMethod), 0);
}

void tst_SessionCatalog::promptsListServesDefinitions()
{
    Loopback h;
    h.populate();
    QVERIFY(h.initialize());
    const QJsonObject result = resultOf(h.ask(1, u"prompts/list"_s));
    QCOMPARE(
        result,
        (QJsonObject{{"prompts"_L1,
                      QJsonArray{QJsonObject{
                          {"name"_L1, "greet"_L1},
                          {"title"_L1, "Greeting"_L1},
                          {"description"_L1, "Greets someone"_L1},
                          {"arguments"_L1, QJsonArray{QJsonObject{{"name"_L1, "name"_L1},
                                                                  {"description"_L1, "who"_L1},
                                                                  {"required"_L1, true}},
                                                      QJsonObject{{"name"_L1, "style"_L1}}}}}}}}));
}

void tst_SessionCatalog::promptsGetFillsInArguments()
{
    Loopback h;
    h.populate();
    QVERIFY(h.initialize());
    const QJsonObject result = resultOf(
        h.ask(1, u"prompts/get"_s,
              {{"name"_L1, "greet"_L1},
               {"arguments"_L1, QJsonObject{{"name"_L1, "Ada"_L1}, {"style"_L1, "warm"_L1}}}}));
    QCOMPARE(result, (QJsonObject{{"description"_L1, "A greeting"_L1},
                                  {"messages"_L1,
                                   QJsonArray{QJsonObject{
                                       {"role"_L1, "user"_L1},
                                       {"content"_L1, Content::text(u"Hello, Ada (warm)"_s)}}}}}));

    // The optional argument may be left out.
    const QJsonObject plain = resultOf(
        h.ask(2, u"prompts/get"_s,
              {{"name"_L1, "greet"_L1}, {"arguments"_L1, QJsonObject{{"name"_L1, "Bo"_L1}}}}));
    QCOMPARE(plain.value("messages"_L1).toArray().first().toObject().value("content"_L1),
             QJsonValue(Content::text(u"Hello, Bo"_s)));
}

void tst_SessionCatalog::promptsGetRefusesBadRequests_data()
{
    QTest::addColumn<QJsonObject>("params");

    QTest::newRow("unknown prompt")
        << QJsonObject{{"name"_L1, "nope"_L1}, {"arguments"_L1, QJsonObject{{"name"_L1, "x"_L1}}}};
    QTest::newRow("no name") << QJsonObject{{"arguments"_L1, QJsonObject{{"name"_L1, "x"_L1}}}};
    QTest::newRow("required argument missing") << QJsonObject{
        {"name"_L1, "greet"_L1}, {"arguments"_L1, QJsonObject{{"style"_L1, "x"_L1}}}};
    QTest::newRow("no arguments at all") << QJsonObject{{"name"_L1, "greet"_L1}};
    QTest::newRow("argument a number")
        << QJsonObject{{"name"_L1, "greet"_L1}, {"arguments"_L1, QJsonObject{{"name"_L1, 5}}}};
    QTest::newRow("optional argument not a string")
        << QJsonObject{{"name"_L1, "greet"_L1},
                       {"arguments"_L1, QJsonObject{{"name"_L1, "x"_L1}, {"style"_L1, true}}}};
    QTest::newRow("arguments an array")
        << QJsonObject{{"name"_L1, "greet"_L1}, {"arguments"_L1, QJsonArray{u"x"_s}}};
}

void tst_SessionCatalog::promptsGetRefusesBadRequests()
{
    QFETCH(QJsonObject, params);

    Loopback h;
    h.populate();
    QVERIFY(h.initialize());
    const OutgoingMessage answer = h.ask(1, u"prompts/get"_s, params);
    QCOMPARE(errorCode(answer), int(JsonRpcCode::InvalidParams));
    QVERIFY(answer.isFinalResponse);
}

void tst_SessionCatalog::completionOffersCandidates_data()
{
    QTest::addColumn<QJsonObject>("ref");
    QTest::addColumn<QString>("argument");
    QTest::addColumn<QString>("value");
    QTest::addColumn<QJsonObject>("context");
    QTest::addColumn<QStringList>("values");

    const QJsonObject prompt{{"type"_L1, "ref/prompt"_L1}, {"name"_L1, "greet"_L1}};
    const QJsonObject notes{{"type"_L1, "ref/resource"_L1},
                            {"uri"_L1, "note://{folder}/{name}"_L1}};
    QTest::newRow("prompt, case-sensitive first")
        << prompt << u"name"_s << u"al"_s << QJsonObject{}
        << QStringList{u"alice"_s, u"alfred"_s, u"Albert"_s};
    QTest::newRow("prompt, nothing typed")
        << prompt << u"name"_s << QString() << QJsonObject{}
        << QStringList{u"alice"_s, u"bob"_s, u"Albert"_s, u"alfred"_s};
    QTest::newRow("prompt, no match")
        << prompt << u"name"_s << u"z"_s << QJsonObject{} << QStringList{};
    QTest::newRow("prompt, argument without candidates")
        << prompt << u"unknown"_s << u"a"_s << QJsonObject{} << QStringList{};
    QTest::newRow("template variable")
        << notes << u"name"_s << u"t"_s << QJsonObject{} << QStringList{u"todo"_s, u"tasks"_s};
    QTest::newRow("template variable with context")
        << notes << u"name"_s << QString()
        << QJsonObject{{"arguments"_L1, QJsonObject{{"folder"_L1, "home"_L1}}}}
        << QStringList{u"holiday"_s};
    QTest::newRow("other variable")
        << notes << u"folder"_s << u"w"_s << QJsonObject{} << QStringList{u"work"_s};
}

void tst_SessionCatalog::completionOffersCandidates()
{
    QFETCH(QJsonObject, ref);
    QFETCH(QString, argument);
    QFETCH(QString, value);
    QFETCH(QJsonObject, context);
    QFETCH(QStringList, values);

    Loopback h;
    h.populate();
    QVERIFY(h.initialize());
    QJsonObject params{{"ref"_L1, ref},
                       {"argument"_L1, QJsonObject{{"name"_L1, argument}, {"value"_L1, value}}}};
    if (!context.isEmpty())
        params.insert("context"_L1, context);
    const QJsonObject result = resultOf(h.ask(1, u"completion/complete"_s, params));
    QCOMPARE(result, (QJsonObject{{"completion"_L1,
                                   QJsonObject{{"values"_L1, QJsonArray::fromStringList(values)},
                                               {"total"_L1, int(values.size())},
                                               {"hasMore"_L1, false}}}}));
}

void tst_SessionCatalog::completionIsCappedAtOneHundred()
{
    Loopback h;
    h.populate();
    QVERIFY(h.initialize());
    const QJsonObject completion =
        resultOf(
            h.ask(1, u"completion/complete"_s,
                  {{"ref"_L1, QJsonObject{{"type"_L1, "ref/prompt"_L1}, {"name"_L1, "greet"_L1}}},
                   {"argument"_L1, QJsonObject{{"name"_L1, "style"_L1}, {"value"_L1, "s"_L1}}}}))
            .value("completion"_L1)
            .toObject();
    const QJsonArray values = completion.value("values"_L1).toArray();
    QCOMPARE(values.size(), 100);
    QCOMPARE(values.first().toString(), u"s000"_s);
    QCOMPARE(values.last().toString(), u"s099"_s);
    QCOMPARE(completion.value("total"_L1).toInt(), 250);
    QCOMPARE(completion.value("hasMore"_L1), QJsonValue(true));
}

void tst_SessionCatalog::completionRefusesUnknownReferences_data()
{
    QTest::addColumn<QJsonObject>("params");

    const QJsonObject argument{{"name"_L1, "name"_L1}, {"value"_L1, "a"_L1}};
    QTest::newRow("unknown prompt") << QJsonObject{
        {"ref"_L1, QJsonObject{{"type"_L1, "ref/prompt"_L1}, {"name"_L1, "nope"_L1}}},
        {"argument"_L1, argument}};
    QTest::newRow("unknown resource") << QJsonObject{
        {"ref"_L1, QJsonObject{{"type"_L1, "ref/resource"_L1}, {"uri"_L1, "note://{x}"_L1}}},
        {"argument"_L1, argument}};
    QTest::newRow("unknown ref type")
        << QJsonObject{{"ref"_L1, QJsonObject{{"type"_L1, "ref/tool"_L1}, {"name"_L1, "greet"_L1}}},
                       {"argument"_L1, argument}};
    QTest::newRow("no ref") << QJsonObject{{"argument"_L1, argument}};
    QTest::newRow("no argument") << QJsonObject{
        {"ref"_L1, QJsonObject{{"type"_L1, "ref/prompt"_L1}, {"name"_L1, "greet"_L1}}}};
    QTest::newRow("value not a string") << QJsonObject{
        {"ref"_L1, QJsonObject{{"type"_L1, "ref/prompt"_L1}, {"name"_L1, "greet"_L1}}},
        {"argument"_L1, QJsonObject{{"name"_L1, "name"_L1}, {"value"_L1, 1}}}};
}

void tst_SessionCatalog::completionRefusesUnknownReferences()
{
    QFETCH(QJsonObject, params);

    Loopback h;
    h.populate();
    QVERIFY(h.initialize());
    QCOMPARE(errorCode(h.ask(1, u"completion/complete"_s, params)),
             int(JsonRpcCode::InvalidParams));
}

void tst_SessionCatalog::toolRequestGoesOutOnItsCallsStream_data()
{
    QTest::addColumn<QString>("method");
    QTest::addColumn<QString>("capability");
    QTest::addColumn<QJsonObject>("params");
    QTest::addColumn<QJsonObject>("answer");

    QTest::newRow("sampling") << u"sampling/createMessage"_s << u"sampling"_s
                              << QJsonObject{{"messages"_L1,
                                              QJsonArray{QJsonObject{
                                                  {"role"_L1, "user"_L1},
                                                  {"content"_L1, Content::text(u"2+2?"_s)}}}},
                                             {"maxTokens"_L1, 10}}
                              << QJsonObject{{"role"_L1, "assistant"_L1},
                                             {"content"_L1, Content::text(u"4"_s)},
                                             {"model"_L1, "m"_L1}};
    QTest::newRow("elicitation")
        << u"elicitation/create"_s << u"elicitation"_s
        << QJsonObject{{"message"_L1, "Your name?"_L1},
                       {"requestedSchema"_L1,
                        QJsonObject{
                            {"type"_L1, "object"_L1},
                            {"properties"_L1,
                             QJsonObject{{"name"_L1, QJsonObject{{"type"_L1, "string"_L1}}}}}}}}
        << QJsonObject{{"action"_L1, "accept"_L1},
                       {"content"_L1, QJsonObject{{"name"_L1, "Ada"_L1}}}};
}

void tst_SessionCatalog::toolRequestGoesOutOnItsCallsStream()
{
    QFETCH(QString, method);
    QFETCH(QString, capability);
    QFETCH(QJsonObject, params);
    QFETCH(QJsonObject, answer);

    Loopback h;
    const auto tool = h.addTool(u"asker"_s);
    QVERIFY(h.initialize({{capability, QJsonObject{}}}));
    QSignalSpy responses(&h.session, &Session::responseReceived);
    h.request(7, u"tools/call"_s, {{"name"_L1, "asker"_L1}});
    const QPointer<ToolCall> call = tool->lastCall();
    QVERIFY(call);
    QVERIFY(call->clientSupports(capability));
    QSignalSpy received(call.data(), &ToolCall::inputReceived);
    QSignalSpy failed(call.data(), &ToolCall::inputFailed);

    call->requestInput(u"q"_s, method, params);
    QCOMPARE(h.sent.size(), 1);
    const OutgoingMessage asked = h.sent.first();
    QCOMPARE(asked.relatedTo, RequestId(QJsonValue(7))); // on the call's own stream
    QVERIFY(!asked.isFinalResponse);
    QCOMPARE(asked.json.value("method"_L1).toString(), method);
    QCOMPARE(asked.json.value("params"_L1).toObject(), params);
    const QJsonValue id = asked.json.value("id"_L1);
    QVERIFY2(id.isString(), "server request ids are strings, a space of their own");
    QVERIFY(h.session.isAwaiting(RequestId(id)));

    // The client answers in a message of its own.
    h.send({{"jsonrpc"_L1, "2.0"_L1}, {"id"_L1, id}, {"result"_L1, answer}});
    QCOMPARE(received.size(), 1);
    QCOMPARE(received.first().at(0).toString(), u"q"_s);
    QCOMPARE(received.first().at(1).toJsonObject(), answer);
    QCOMPARE(failed.size(), 0);
    QCOMPARE(responses.size(), 0); // that signal is for the session's own requests
    QVERIFY(!h.session.isAwaiting(RequestId(id)));
    QCOMPARE(h.sent.size(), 1); // a response is never answered

    // A second answer with the same id is a stray.
    h.send({{"jsonrpc"_L1, "2.0"_L1}, {"id"_L1, id}, {"result"_L1, answer}});
    QCOMPARE(received.size(), 1);

    call->finishWithText(u"done"_s);
    QCOMPARE(h.sent.size(), 2);
    QVERIFY(h.sent.last().isFinalResponse);
    QCOMPARE(firstText(resultOf(h.sent.last())), u"done"_s);
}

void tst_SessionCatalog::answersReachTheQuestionTheyBelongTo()
{
    Loopback h;
    const auto tool = h.addTool(u"asker"_s);
    QVERIFY(h.initialize({{"sampling"_L1, QJsonObject{}}, {"elicitation"_L1, QJsonObject{}}}));
    h.request(u"a"_s, u"tools/call"_s, {{"name"_L1, "asker"_L1}});
    h.request(u"b"_s, u"tools/call"_s, {{"name"_L1, "asker"_L1}});
    QCOMPARE(tool->running.size(), 2);
    const QPointer<ToolCall> first = tool->running.at(0);
    const QPointer<ToolCall> second = tool->running.at(1);
    QSignalSpy firstReceived(first.data(), &ToolCall::inputReceived);
    QSignalSpy secondReceived(second.data(), &ToolCall::inputReceived);

    first->requestInput(u"one"_s, u"elicitation/create"_s, {{"message"_L1, "1"_L1}});
    first->requestInput(u"two"_s, u"sampling/createMessage"_s, {{"maxTokens"_L1, 1}});
    second->requestInput(u"one"_s, u"elicitation/create"_s, {{"message"_L1, "3"_L1}});
    QCOMPARE(h.sent.size(), 3);
    QCOMPARE(h.sent.at(0).relatedTo, RequestId(QJsonValue(u"a"_s)));
    QCOMPARE(h.sent.at(1).relatedTo, RequestId(QJsonValue(u"a"_s)));
    QCOMPARE(h.sent.at(2).relatedTo, RequestId(QJsonValue(u"b"_s)));
    QSet<QString> ids;
    for (const OutgoingMessage &message : std::as_const(h.sent))
        ids.insert(message.json.value("id"_L1).toString());
    QCOMPARE(ids.size(), 3);

    // Answers in reverse order each find their question.
    for (int i = 2; i >= 0; --i) {
        h.send({{"jsonrpc"_L1, "2.0"_L1},
                {"id"_L1, h.sent.at(i).json.value("id"_L1)},
                {"result"_L1, QJsonObject{{"n"_L1, i}}}});
    }
    QCOMPARE(secondReceived.size(), 1);
    QCOMPARE(secondReceived.at(0).at(0).toString(), u"one"_s);
    QCOMPARE(secondReceived.at(0).at(1).toJsonObject(), (QJsonObject{{"n"_L1, 2}}));
    QCOMPARE(firstReceived.size(), 2);
    QCOMPARE(firstReceived.at(0).at(0).toString(), u"two"_s);
    QCOMPARE(firstReceived.at(0).at(1).toJsonObject(), (QJsonObject{{"n"_L1, 1}}));
    QCOMPARE(firstReceived.at(1).at(0).toString(), u"one"_s);
    QCOMPARE(firstReceived.at(1).at(1).toJsonObject(), (QJsonObject{{"n"_L1, 0}}));
}

void tst_SessionCatalog::errorAnswerFailsTheInput()
{
    Loopback h;
    const auto tool = h.addTool(u"asker"_s);
    QVERIFY(h.initialize({{"elicitation"_L1, QJsonObject{}}}));
    h.request(1, u"tools/call"_s, {{"name"_L1, "asker"_L1}});
    const QPointer<ToolCall> call = tool->lastCall();
    QVERIFY(call);
    QSignalSpy received(call.data(), &ToolCall::inputReceived);
    QSignalSpy failed(call.data(), &ToolCall::inputFailed);
    call->requestInput(u"q"_s, u"elicitation/create"_s, {{"message"_L1, "?"_L1}});
    QCOMPARE(h.sent.size(), 1);

    h.send({{"jsonrpc"_L1, "2.0"_L1},
            {"id"_L1, h.sent.first().json.value("id"_L1)},
            {"error"_L1, QJsonObject{{"code"_L1, -32600}, {"message"_L1, "User declined"_L1}}}});
    QCOMPARE(failed.size(), 1);
    QCOMPARE(failed.first().at(0).toString(), u"q"_s);
    QVERIFY2(failed.first().at(1).toString().contains("User declined"_L1),
             qPrintable(failed.first().at(1).toString()));
    QCOMPARE(received.size(), 0);
    QVERIFY(h.session.isPending(RequestId(QJsonValue(1)))); // the tool decides what follows
    QCOMPARE(h.sent.size(), 1);
}

void tst_SessionCatalog::requestWithoutTheCapabilityFailsLater_data()
{
    QTest::addColumn<QJsonObject>("capabilities");
    QTest::addColumn<QString>("method");

    QTest::newRow("sampling, none declared") << QJsonObject{} << u"sampling/createMessage"_s;
    QTest::newRow("elicitation, none declared") << QJsonObject{} << u"elicitation/create"_s;
    QTest::newRow("elicitation, only sampling declared")
        << QJsonObject{{"sampling"_L1, QJsonObject{}}} << u"elicitation/create"_s;
    QTest::newRow("sampling declared as true, not an object")
        << QJsonObject{{"sampling"_L1, true}} << u"sampling/createMessage"_s;
    QTest::newRow("not a client request")
        << QJsonObject{{"sampling"_L1, QJsonObject{}}, {"elicitation"_L1, QJsonObject{}}}
        << u"tools/list"_s;
}

void tst_SessionCatalog::requestWithoutTheCapabilityFailsLater()
{
    QFETCH(QJsonObject, capabilities);
    QFETCH(QString, method);

    Loopback h;
    const auto tool = h.addTool(u"asker"_s);
    QVERIFY(h.initialize(capabilities));
    h.request(1, u"tools/call"_s, {{"name"_L1, "asker"_L1}});
    const QPointer<ToolCall> call = tool->lastCall();
    QVERIFY(call);
    QSignalSpy received(call.data(), &ToolCall::inputReceived);
    QSignalSpy failed(call.data(), &ToolCall::inputFailed);

    call->requestInput(u"q"_s, method, {});
    // Never inside requestInput(): a tool may still be setting up when it asks.
    QCOMPARE(failed.size(), 0);
    QTRY_COMPARE(failed.size(), 1);
    QCOMPARE(failed.first().at(0).toString(), u"q"_s);
    QVERIFY(!failed.first().at(1).toString().isEmpty());
    QCOMPARE(received.size(), 0);
    QCOMPARE(h.sent.size(), 0); // nothing was asked of the client

    call->finishWithText(u"done without"_s);
    QCOMPARE(h.sent.size(), 1);
    QCOMPARE(firstText(resultOf(h.sent.first())), u"done without"_s);
}

void tst_SessionCatalog::answerAfterTheCallEndedIsIgnored_data()
{
    QTest::addColumn<bool>("cancelled"); // false: the tool finished

    QTest::newRow("call finished") << false;
    QTest::newRow("call cancelled") << true;
}

void tst_SessionCatalog::answerAfterTheCallEndedIsIgnored()
{
    QFETCH(bool, cancelled);

    Loopback h;
    const auto tool = h.addTool(u"asker"_s);
    QVERIFY(h.initialize({{"elicitation"_L1, QJsonObject{}}}));
    h.request(1, u"tools/call"_s, {{"name"_L1, "asker"_L1}});
    QPointer<ToolCall> call = tool->lastCall();
    QVERIFY(call);
    QSignalSpy received(call.data(), &ToolCall::inputReceived);
    QSignalSpy failed(call.data(), &ToolCall::inputFailed);
    call->requestInput(u"q"_s, u"elicitation/create"_s, {{"message"_L1, "?"_L1}});
    QCOMPARE(h.sent.size(), 1);
    const QJsonValue id = h.sent.first().json.value("id"_L1);

    if (cancelled) {
        h.send(JsonRpc::notification(u"notifications/cancelled"_s, {{"requestId"_L1, 1}}));
        QCOMPARE(tool->cancellations, 1);
    } else {
        call->finishWithText(u"gave up waiting"_s);
    }
    QVERIFY(!h.session.isPending(RequestId(QJsonValue(1))));
    QTRY_VERIFY(call.isNull());

    // The client may reuse the id of a finished request, and the new call may ask a question
    // under the same key: the stale answer must still not reach it.
    h.request(1, u"tools/call"_s, {{"name"_L1, "asker"_L1}});
    const QPointer<ToolCall> later = tool->lastCall();
    QVERIFY(later);
    QSignalSpy laterReceived(later.data(), &ToolCall::inputReceived);
    QSignalSpy laterFailed(later.data(), &ToolCall::inputFailed);
    later->requestInput(u"q"_s, u"elicitation/create"_s, {{"message"_L1, "again?"_L1}});
    const QJsonValue laterId = h.sent.last().json.value("id"_L1);
    QVERIFY(laterId != id);
    const int sentBefore = int(h.sent.size());

    const QJsonObject stale{{"jsonrpc"_L1, "2.0"_L1},
                            {"id"_L1, id},
                            {"result"_L1, QJsonObject{{"action"_L1, "cancel"_L1}}}};
    h.send(stale);
    QVERIFY(!h.session.isAwaiting(RequestId(id)));
    QCOMPARE(laterReceived.size(), 0);
    QCOMPARE(laterFailed.size(), 0);
    QCOMPARE(received.size(), 0);
    QCOMPARE(failed.size(), 0);
    QCOMPARE(h.sent.size(), sentBefore);

    // The new question's own answer still arrives.
    h.send({{"jsonrpc"_L1, "2.0"_L1},
            {"id"_L1, laterId},
            {"result"_L1, QJsonObject{{"action"_L1, "decline"_L1}}}});
    QCOMPARE(laterReceived.size(), 1);
    QCOMPARE(laterReceived.first().at(1).toJsonObject(),
             (QJsonObject{{"action"_L1, "decline"_L1}}));
    h.send(stale);
    QCOMPARE(laterReceived.size(), 1);
}

void tst_SessionCatalog::structuredContentIsCheckedAgainstOutputSchema_data()
{
    QTest::addColumn<QJsonObject>("outputSchema");
    QTest::addColumn<QJsonObject>("toolResult");
    QTest::addColumn<bool>("isError");
    QTest::addColumn<QString>("text"); // the first content block's text must contain it

    const QJsonArray oneBlock{Content::text(u"one"_s)};
    QTest::newRow("conforming, with content")
        << kOutputSchema
        << QJsonObject{{"structuredContent"_L1, QJsonObject{{"n"_L1, 1}}}, {"content"_L1, oneBlock}}
        << false << u"one"_s;
    QTest::newRow("conforming, without content")
        << kOutputSchema << QJsonObject{{"structuredContent"_L1, QJsonObject{{"n"_L1, 1}}}} << false
        << uR"({"n":1})"_s;
    QTest::newRow("conforming, empty content")
        << kOutputSchema
        << QJsonObject{{"structuredContent"_L1, QJsonObject{{"n"_L1, 2}}},
                       {"content"_L1, QJsonArray{}}}
        << false << uR"({"n":2})"_s;
    QTest::newRow("wrong type") << kOutputSchema
                                << QJsonObject{{"structuredContent"_L1,
                                                QJsonObject{{"n"_L1, "1"_L1}}},
                                               {"content"_L1, oneBlock}}
                                << true << u"outputSchema"_s;
    QTest::newRow("required member missing")
        << kOutputSchema << QJsonObject{{"structuredContent"_L1, QJsonObject{}}} << true
        << u"outputSchema"_s;
    QTest::newRow("no structuredContent")
        << kOutputSchema << QJsonObject{{"content"_L1, oneBlock}} << true << u"outputSchema"_s;
    QTest::newRow("structuredContent not an object")
        << kOutputSchema << QJsonObject{{"structuredContent"_L1, QJsonArray{1}}} << true
        << u"outputSchema"_s;
    QTest::newRow("a tool error passes as it is")
        << kOutputSchema
        << QJsonObject{{"content"_L1, QJsonArray{Content::text(u"boom"_s)}}, {"isError"_L1, true}}
        << true << u"boom"_s;
    QTest::newRow("no schema, structured without content")
        << QJsonObject{} << QJsonObject{{"structuredContent"_L1, QJsonObject{{"a"_L1, true}}}}
        << false << uR"({"a":true})"_s;
}

void tst_SessionCatalog::structuredContentIsCheckedAgainstOutputSchema()
{
    QFETCH(QJsonObject, outputSchema);
    QFETCH(QJsonObject, toolResult);
    QFETCH(bool, isError);
    QFETCH(QString, text);

    Loopback h;
    const auto tool = h.addTool(u"shaped"_s, FakeTool::Mode::Deferred, outputSchema);
    QVERIFY(h.initialize());
    h.request(1, u"tools/call"_s, {{"name"_L1, "shaped"_L1}});
    QVERIFY(tool->lastCall());
    tool->lastCall()->finish(toolResult);

    QCOMPARE(h.sent.size(), 1);
    QVERIFY(h.sent.first().isFinalResponse);
    QVERIFY(!h.sent.first().json.contains("error"_L1)); // a result either way, never -326xx
    const QJsonObject result = resultOf(h.sent.first());
    QCOMPARE(result.value("isError"_L1).toBool(), isError);
    QVERIFY2(firstText(result).contains(text), qPrintable(firstText(result)));
    if (!isError) {
        QCOMPARE(result.value("structuredContent"_L1), toolResult.value("structuredContent"_L1));
        QVERIFY(result.value("content"_L1).isArray());
    } else if (toolResult.value("isError"_L1).toBool()) {
        QCOMPARE(result, toolResult);
    } else {
        QVERIFY(!result.contains("structuredContent"_L1)); // the broken data is not passed on
    }
}

void tst_SessionCatalog::statelessMethodsAreMethodNotFound_data()
{
    QTest::addColumn<QString>("method");

    QTest::newRow("server/discover") << u"server/discover"_s;
    QTest::newRow("subscriptions/listen") << u"subscriptions/listen"_s;
}

void tst_SessionCatalog::statelessMethodsAreMethodNotFound()
{
    QFETCH(QString, method);

    Loopback h;
    h.populate();
    QVERIFY(h.initialize());
    const OutgoingMessage answer =
        h.ask(9, method,
              {{"notifications"_L1, QJsonObject{{"toolsListChanged"_L1, true}}},
               {"_meta"_L1,
                QJsonObject{{"io.modelcontextprotocol/protocolVersion"_L1, "2026-07-28"_L1},
                            {"io.modelcontextprotocol/clientCapabilities"_L1, QJsonObject{}}}}});
    QCOMPARE(errorCode(answer), int(JsonRpcCode::MethodNotFound));
    QVERIFY(answer.isFinalResponse);
    QCOMPARE(h.session.subscriptionCount(), 0);
    QCOMPARE(h.session.pendingCount(), 0);
}

QTEST_GUILESS_MAIN(tst_SessionCatalog)
#include "tst_sessioncatalog.moc"
