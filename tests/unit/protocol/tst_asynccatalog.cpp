#include "server/protocol/catalog/prompt.h"
#include "server/protocol/catalog/promptregistry.h"
#include "server/protocol/catalog/resource.h"
#include "server/protocol/catalog/resourceregistry.h"
#include "tests/support/sessionloopback.h"

#include <QJsonArray>
#include <QSignalSpy>
#include <QTest>
#include <QTimer>

#include <memory>

// Prompts, resources, templates and completions that answer later (as an upstream server's do):
// the answer reaches the client verbatim on a later turn of the event loop, an error becomes a
// JSON-RPC error, and an answer nobody waits for any more (cancelled, id reused, session closed
// or gone) is dropped. And resource subscriptions counted over every session, so the owner of a
// URI hears when the first subscriber came and the last one left.

using namespace Qt::StringLiterals;
using heartline::CompletionReply;
using heartline::JsonRpcCode;
using heartline::OutgoingMessage;
using heartline::Prompt;
using heartline::PromptArgument;
using heartline::PromptDefinition;
using heartline::PromptReply;
using heartline::RequestId;
using heartline::RequestOutcome;
using heartline::Resource;
using heartline::ResourceDefinition;
using heartline::ResourceReadOutcome;
using heartline::ResourceReadReply;
using heartline::ResourceRegistry;
using heartline::ResourceTemplate;
using heartline::ResourceTemplateDefinition;
using heartline::Session;
namespace JsonRpc = heartline::JsonRpc;
using namespace heartline::testing;

namespace {

// What the deferred entries were asked, with the replies kept for the test to give.
struct Asked
{
    void complete(const QString &typed, CompletionReply reply)
    {
        completionTyped.append(typed);
        completions.append(std::move(reply));
    }
    void read(const QString &what, ResourceReadReply reply)
    {
        readUris.append(what);
        reads.append(std::move(reply));
    }

    QList<PromptReply> prompts;
    QList<QHash<QString, QString>> promptArguments;
    QList<CompletionReply> completions;
    QStringList completionTyped;
    QList<ResourceReadReply> reads;
    QStringList readUris;
};

class DeferredPrompt final : public Prompt
{
public:
    explicit DeferredPrompt(Asked *asked)
        : m_asked(asked)
    {}

    PromptDefinition definition() const override
    {
        PromptDefinition definition;
        definition.name = u"later"_s;
        definition.arguments = {PromptArgument{u"topic"_s, {}, {}, true}};
        return definition;
    }

    void getAsync(const QHash<QString, QString> &arguments, PromptReply reply) const override
    {
        m_asked->promptArguments.append(arguments);
        m_asked->prompts.append(std::move(reply));
    }

    void completeAsync(const QString & /*argument*/, const QString &typed,
                       const QHash<QString, QString> & /*context*/,
                       CompletionReply reply) const override
    {
        m_asked->complete(typed, std::move(reply));
    }

private:
    Asked *m_asked;
};

class DeferredResource final : public Resource
{
public:
    DeferredResource(const QString &uri, Asked *asked)
        : m_uri(uri)
        , m_asked(asked)
    {}

    ResourceDefinition definition() const override { return {m_uri, m_uri, {}, {}, {}, -1, {}}; }

    void readAsync(ResourceReadReply reply) const override
    {
        m_asked->read(m_uri, std::move(reply));
    }

private:
    QString m_uri;
    Asked *m_asked;
};

class DeferredTemplate final : public ResourceTemplate
{
public:
    DeferredTemplate(const QString &uriTemplate, Asked *asked)
        : m_uriTemplate(uriTemplate)
        , m_asked(asked)
    {}

    ResourceTemplateDefinition definition() const override
    {
        return {m_uriTemplate, m_uriTemplate, {}, {}, {}, {}};
    }

    void readAsync(const QString &uri, const QHash<QString, QString> &variables,
                   ResourceReadReply reply) const override
    {
        Q_UNUSED(variables)
        m_asked->read(m_uriTemplate + u" <- "_s + uri, std::move(reply));
    }

    void completeAsync(const QString & /*variable*/, const QString &typed,
                       const QHash<QString, QString> & /*context*/,
                       CompletionReply reply) const override
    {
        m_asked->complete(typed, std::move(reply));
    }

private:
    QString m_uriTemplate;
    Asked *m_asked;
};

// Calls `reply` on a later turn of the event loop, as an upstream's answer would come.
template<typename Reply, typename... Values>
void answerLater(const Reply &reply, const Values &...values)
{
    QTimer::singleShot(0, [reply, values...]() { reply(values...); });
}

// A 2025 session over a catalog of deferred entries.
class Loopback final : public SessionLoopback
{
public:
    Loopback()
        : SessionLoopback(testIdentity(), Session::Options{})
    {
        if (!prompts.registerPrompt(std::make_shared<DeferredPrompt>(&asked))
            || !resources.registerResource(
                std::make_shared<DeferredResource>(u"up://exact"_s, &asked))
            || !resources.registerTemplate(
                std::make_shared<DeferredTemplate>(u"up://a/{x}"_s, &asked))
            || !resources.registerTemplate(
                std::make_shared<DeferredTemplate>(u"up://{y}/{x}"_s, &asked))) {
            qFatal("could not build the test catalog");
        }
        handshake();
    }

    void request(const QJsonValue &id, const QString &method, const QJsonObject &params)
    {
        send(JsonRpc::request(RequestId(id), method, params));
    }

    void cancel(const QJsonValue &id)
    {
        send(JsonRpc::notification(u"notifications/cancelled"_s, {{"requestId"_L1, id}}));
    }

    Asked asked;
};

QJsonObject getLater(const QString &topic)
{
    return {{"name"_L1, "later"_L1}, {"arguments"_L1, QJsonObject{{"topic"_L1, topic}}}};
}

// A prompts/get result with what no built-in prompt would write, so "verbatim" shows.
QJsonObject upstreamPromptResult()
{
    return {{"description"_L1, "from upstream"_L1},
            {"messages"_L1,
             QJsonArray{QJsonObject{
                 {"role"_L1, "user"_L1},
                 {"content"_L1, QJsonObject{{"type"_L1, "text"_L1}, {"text"_L1, "hi"_L1}}}}}},
            {"_meta"_L1, QJsonObject{{"vendor/x"_L1, 1}}}};
}

// The per-request metadata a 2026-07-28 client must send (client info is optional).
QJsonObject modernMeta()
{
    return {{"io.modelcontextprotocol/protocolVersion"_L1, "2026-07-28"_L1},
            {"io.modelcontextprotocol/clientCapabilities"_L1, QJsonObject{}}};
}

} // namespace

class tst_AsyncCatalog : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void promptAnswersOnALaterTurnVerbatim();
    void promptErrorBecomesInternalError();
    void promptAnswerAfterCancellationIsDropped();
    void lateAnswerDoesNotEndALaterRequestWithTheSameId();
    void answerAfterSessionClosedOrDestroyedIsDropped();
    void exactResourceAnswersLater();
    void templatesAreTriedInOrderUntilOneFindsIt();
    void notFoundKeepsEachRevisionsCode_data();
    void notFoundKeepsEachRevisionsCode();
    void readFailureBecomesInternalError();
    void completionPassesThroughVerbatim_data();
    void completionPassesThroughVerbatim();
    void completionErrorBecomesInternalError();
    void builtInEntriesStillAnswerAtOnce();
    void subscriptionsAreCountedOverSessions();
    void listenSubscriptionsCountUntilTheListenEnds();
};

void tst_AsyncCatalog::promptAnswersOnALaterTurnVerbatim()
{
    Loopback h;
    h.request(1, u"prompts/get"_s, getLater(u"tea"_s));
    QCOMPARE(h.asked.prompts.size(), 1);
    QCOMPARE(h.asked.promptArguments.first().value(u"topic"_s), u"tea"_s);
    QVERIFY(h.sent.isEmpty());
    QVERIFY(h.session.isPending(RequestId(QJsonValue(1))));

    answerLater(h.asked.prompts.first(), upstreamPromptResult(), QString());
    QVERIFY(h.sent.isEmpty()); // not before the loop turns
    QTRY_COMPARE_WITH_TIMEOUT(h.sent.size(), 1, 5000);
    QVERIFY(h.sent.first().isFinalResponse);
    QCOMPARE(h.sent.first().json.value("id"_L1), QJsonValue(1));
    QCOMPARE(resultOf(h.sent.first()), upstreamPromptResult());
    QVERIFY(!h.session.isPending(RequestId(QJsonValue(1))));
}

void tst_AsyncCatalog::promptErrorBecomesInternalError()
{
    Loopback h;
    h.request(1, u"prompts/get"_s, getLater(u"tea"_s));
    answerLater(h.asked.prompts.first(), QJsonObject(), u"upstream server 'x' is not running"_s);
    QTRY_COMPARE_WITH_TIMEOUT(h.sent.size(), 1, 5000);
    QCOMPARE(errorCode(h.sent.first()), int(JsonRpcCode::InternalError));
    QCOMPARE(h.sent.first().json.value("error"_L1).toObject().value("message"_L1).toString(),
             u"upstream server 'x' is not running"_s);
    QVERIFY(!h.session.isPending(RequestId(QJsonValue(1))));
}

void tst_AsyncCatalog::promptAnswerAfterCancellationIsDropped()
{
    Loopback h;
    QSignalSpy finished(&h.session, &Session::requestFinished);
    h.request(7, u"prompts/get"_s, getLater(u"tea"_s));
    h.cancel(7);
    // Cancelling ends the request at once, without an answer (the spec's SHOULD NOT respond).
    QVERIFY(!h.session.isPending(RequestId(QJsonValue(7))));
    QCOMPARE(finished.size(), 1);
    QCOMPARE(finished.first().first().value<RequestOutcome>().result,
             RequestOutcome::Result::Cancelled);

    // The answer still comes (upstreams answer cancelled requests too) and goes nowhere.
    bool answered = false;
    const PromptReply reply = h.asked.prompts.first();
    QTimer::singleShot(0, [&answered, reply]() {
        reply(upstreamPromptResult(), {});
        answered = true;
    });
    QTRY_VERIFY_WITH_TIMEOUT(answered, 5000);
    QVERIFY(h.sent.isEmpty());
    QCOMPARE(finished.size(), 1);
}

void tst_AsyncCatalog::lateAnswerDoesNotEndALaterRequestWithTheSameId()
{
    Loopback h;
    h.request(3, u"prompts/get"_s, getLater(u"first"_s));
    h.cancel(3);
    h.request(3, u"prompts/get"_s, getLater(u"second"_s)); // clients may reuse a finished id
    QCOMPARE(h.asked.prompts.size(), 2);

    QJsonObject firstAnswer = upstreamPromptResult();
    firstAnswer.insert("description"_L1, "first"_L1);
    h.asked.prompts.at(0)(firstAnswer, {});
    QVERIFY(h.sent.isEmpty());
    QVERIFY(h.session.isPending(RequestId(QJsonValue(3))));

    QJsonObject secondAnswer = upstreamPromptResult();
    secondAnswer.insert("description"_L1, "second"_L1);
    h.asked.prompts.at(1)(secondAnswer, {});
    QCOMPARE(h.sent.size(), 1);
    QCOMPARE(resultOf(h.sent.first()).value("description"_L1).toString(), u"second"_s);
    // A second answer to the same request goes nowhere either.
    h.asked.prompts.at(1)(firstAnswer, {});
    QCOMPARE(h.sent.size(), 1);
}

void tst_AsyncCatalog::answerAfterSessionClosedOrDestroyedIsDropped()
{
    Asked survivor;
    {
        Loopback h;
        h.request(1, u"prompts/get"_s, getLater(u"tea"_s));
        h.request(2, u"resources/read"_s, {{"uri"_L1, "up://exact"_L1}});
        h.session.close();
        h.asked.prompts.first()(upstreamPromptResult(), {});
        h.asked.reads.first()(ResourceReadOutcome::found(QJsonArray{}));
        QVERIFY(h.sent.isEmpty());

        h.request(3, u"prompts/get"_s, getLater(u"tea"_s)); // closed: not even asked
        QCOMPARE(h.asked.prompts.size(), 1);
    }
    auto h = std::make_unique<Loopback>();
    h->request(1, u"prompts/get"_s, getLater(u"tea"_s));
    h->request(2, u"completion/complete"_s,
               {{"ref"_L1, QJsonObject{{"type"_L1, "ref/prompt"_L1}, {"name"_L1, "later"_L1}}},
                {"argument"_L1, QJsonObject{{"name"_L1, "topic"_L1}, {"value"_L1, "t"_L1}}}});
    const PromptReply prompt = h->asked.prompts.first();
    const CompletionReply completion = h->asked.completions.first();
    h.reset();
    // Nothing is left to answer to: no crash, no use of the freed session.
    prompt(upstreamPromptResult(), {});
    completion(QJsonObject{{"values"_L1, QJsonArray{}}}, {});
}

void tst_AsyncCatalog::exactResourceAnswersLater()
{
    Loopback h;
    h.request(1, u"resources/read"_s, {{"uri"_L1, "up://exact"_L1}});
    QCOMPARE(h.asked.readUris, QStringList{u"up://exact"_s});
    QVERIFY(h.sent.isEmpty());
    // An upstream's contents entry, with a field Heartline's own ResourceContents never writes.
    const QJsonArray contents{QJsonObject{{"uri"_L1, "up://exact"_L1},
                                          {"text"_L1, "body"_L1},
                                          {"_meta"_L1, QJsonObject{{"k"_L1, "v"_L1}}}}};
    answerLater(h.asked.reads.first(), ResourceReadOutcome::found(contents));
    QTRY_COMPARE_WITH_TIMEOUT(h.sent.size(), 1, 5000);
    QCOMPARE(resultOf(h.sent.first()), (QJsonObject{{"contents"_L1, contents}}));
}

void tst_AsyncCatalog::templatesAreTriedInOrderUntilOneFindsIt()
{
    Loopback h;
    h.request(1, u"resources/read"_s, {{"uri"_L1, "up://a/b"_L1}});
    // Sorted order: "up://a/{x}" before "up://{y}/{x}"; only the first is asked yet.
    QCOMPARE(h.asked.readUris, QStringList{u"up://a/{x} <- up://a/b"_s});
    answerLater(h.asked.reads.at(0), ResourceReadOutcome::notFound());
    QTRY_COMPARE_WITH_TIMEOUT(h.asked.reads.size(), 2, 5000);
    QCOMPARE(h.asked.readUris.at(1), u"up://{y}/{x} <- up://a/b"_s);
    QVERIFY(h.sent.isEmpty());
    const QJsonArray contents{QJsonObject{{"uri"_L1, "up://a/b"_L1}, {"blob"_L1, "AAE="_L1}}};
    answerLater(h.asked.reads.at(1), ResourceReadOutcome::found(contents));
    QTRY_COMPARE_WITH_TIMEOUT(h.sent.size(), 1, 5000);
    QCOMPARE(resultOf(h.sent.first()).value("contents"_L1).toArray(), contents);
}

void tst_AsyncCatalog::notFoundKeepsEachRevisionsCode_data()
{
    QTest::addColumn<bool>("stateless");
    QTest::addColumn<int>("code");
    QTest::newRow("2025-11-25") << false << int(JsonRpcCode::ResourceNotFound);
    QTest::newRow("2026-07-28") << true << int(JsonRpcCode::InvalidParams);
}

void tst_AsyncCatalog::notFoundKeepsEachRevisionsCode()
{
    QFETCH(bool, stateless);
    QFETCH(int, code);
    Asked asked;
    Session::Options options;
    options.stateless = stateless;
    SessionLoopback h(SessionLoopback::testIdentity(), options);
    QVERIFY(
        h.resources.registerTemplate(std::make_shared<DeferredTemplate>(u"up://{x}"_s, &asked)));
    if (!stateless)
        h.handshake();
    QJsonObject params{{"uri"_L1, "up://gone"_L1}};
    if (stateless)
        params.insert("_meta"_L1, modernMeta());
    h.send(JsonRpc::request(RequestId(QJsonValue(1)), u"resources/read"_s, params));
    QCOMPARE(asked.reads.size(), 1);
    answerLater(asked.reads.first(), ResourceReadOutcome::notFound());
    QTRY_COMPARE_WITH_TIMEOUT(h.sent.size(), 1, 5000);
    QCOMPARE(errorCode(h.sent.first()), code);
    QCOMPARE(errorData(h.sent.first()).value("uri"_L1).toString(), u"up://gone"_s);
}

void tst_AsyncCatalog::readFailureBecomesInternalError()
{
    Loopback h;
    h.request(1, u"resources/read"_s, {{"uri"_L1, "up://exact"_L1}});
    answerLater(h.asked.reads.first(), ResourceReadOutcome::failed(u"upstream timed out"_s));
    QTRY_COMPARE_WITH_TIMEOUT(h.sent.size(), 1, 5000);
    QCOMPARE(errorCode(h.sent.first()), int(JsonRpcCode::InternalError));
    QCOMPARE(h.sent.first().json.value("error"_L1).toObject().value("message"_L1).toString(),
             u"upstream timed out"_s);
}

void tst_AsyncCatalog::completionPassesThroughVerbatim_data()
{
    QTest::addColumn<QJsonObject>("ref");
    QTest::newRow("prompt") << QJsonObject{{"type"_L1, "ref/prompt"_L1}, {"name"_L1, "later"_L1}};
    QTest::newRow("template") << QJsonObject{{"type"_L1, "ref/resource"_L1},
                                             {"uri"_L1, "up://a/{x}"_L1}};
}

void tst_AsyncCatalog::completionPassesThroughVerbatim()
{
    QFETCH(QJsonObject, ref);
    Loopback h;
    h.request(1, u"completion/complete"_s,
              {{"ref"_L1, ref},
               {"argument"_L1, QJsonObject{{"name"_L1, "x"_L1}, {"value"_L1, "ap"_L1}}}});
    QCOMPARE(h.asked.completionTyped, QStringList{u"ap"_s});
    QVERIFY(h.sent.isEmpty());
    // The upstream filtered and counted itself: its values and total go out untouched, even
    // ones that do not start with what was typed.
    const QJsonObject completion{{"values"_L1, QJsonArray{"apple"_L1, "Apricot"_L1, "other"_L1}},
                                 {"total"_L1, 1000},
                                 {"hasMore"_L1, true}};
    answerLater(h.asked.completions.first(), completion, QString());
    QTRY_COMPARE_WITH_TIMEOUT(h.sent.size(), 1, 5000);
    QCOMPARE(resultOf(h.sent.first()), (QJsonObject{{"completion"_L1, completion}}));
}

void tst_AsyncCatalog::completionErrorBecomesInternalError()
{
    Loopback h;
    h.request(1, u"completion/complete"_s,
              {{"ref"_L1, QJsonObject{{"type"_L1, "ref/resource"_L1}, {"uri"_L1, "up://a/{x}"_L1}}},
               {"argument"_L1, QJsonObject{{"name"_L1, "x"_L1}, {"value"_L1, ""_L1}}}});
    answerLater(h.asked.completions.first(), QJsonObject(), u"method not found upstream"_s);
    QTRY_COMPARE_WITH_TIMEOUT(h.sent.size(), 1, 5000);
    QCOMPARE(errorCode(h.sent.first()), int(JsonRpcCode::InternalError));
}

void tst_AsyncCatalog::builtInEntriesStillAnswerAtOnce()
{
    SessionLoopback h(SessionLoopback::testIdentity(), Session::Options{});
    QVERIFY(h.resources.registerResource(std::make_shared<TextResource>(u"file:///a.txt"_s)));
    h.handshake();
    h.send(JsonRpc::request(RequestId(QJsonValue(1)), u"resources/read"_s,
                            {{"uri"_L1, "file:///a.txt"_L1}}));
    // Within the call, as before: the synchronous entries go through the default async forms.
    QCOMPARE(h.sent.size(), 1);
    QCOMPARE(resultOf(h.sent.first())
                 .value("contents"_L1)
                 .toArray()
                 .first()
                 .toObject()
                 .value("text"_L1)
                 .toString(),
             u"content of file:///a.txt"_s);
}

void tst_AsyncCatalog::subscriptionsAreCountedOverSessions()
{
    Loopback a;
    auto b = std::make_unique<SiblingSession>(a);

    QSignalSpy first(&a.resources, &ResourceRegistry::firstSubscriber);
    QSignalSpy gone(&a.resources, &ResourceRegistry::lastSubscriberGone);
    const QJsonObject x{{"uri"_L1, "up://exact"_L1}};
    const QJsonObject y{{"uri"_L1, "up://a/b"_L1}};

    a.request(1, u"resources/subscribe"_s, x);
    QCOMPARE(first.size(), 1);
    QCOMPARE(first.first().first().toString(), u"up://exact"_s);
    a.request(2, u"resources/subscribe"_s, x); // the same session again: still one
    b->request(1, u"resources/subscribe"_s, x);
    b->request(2, u"resources/subscribe"_s, y);
    QCOMPARE(first.size(), 2);
    QCOMPARE(first.last().first().toString(), u"up://a/b"_s);
    QCOMPARE(a.resources.subscriberCount(u"up://exact"_s), 2);

    a.request(3, u"resources/unsubscribe"_s, x);
    a.request(4, u"resources/unsubscribe"_s, x); // twice: counted down once
    QCOMPARE(gone.size(), 0);
    QCOMPARE(a.resources.subscriberCount(u"up://exact"_s), 1);

    // The only update goes to the session still subscribed.
    a.sent.clear();
    b->sent.clear();
    a.resources.notifyUpdated(u"up://exact"_s);
    QCOMPARE(a.sent.size(), 0);
    QCOMPARE(b->sent.size(), 1);

    // A session that ends gives up what it held.
    b.reset();
    QCOMPARE(gone.size(), 2);
    QSet<QString> goneUris{gone.at(0).first().toString(), gone.at(1).first().toString()};
    QCOMPARE(goneUris, (QSet<QString>{u"up://exact"_s, u"up://a/b"_s}));
    QCOMPARE(a.resources.subscriberCount(u"up://exact"_s), 0);

    a.request(5, u"resources/subscribe"_s, y);
    QCOMPARE(first.size(), 3); // first again after the last had gone
    a.session.close();
    QCOMPARE(gone.size(), 3);
    QCOMPARE(first.size(), 3);
}

void tst_AsyncCatalog::listenSubscriptionsCountUntilTheListenEnds()
{
    Session::Options options;
    options.stateless = true;
    SessionLoopback h(SessionLoopback::testIdentity(), options);
    QSignalSpy first(&h.resources, &ResourceRegistry::firstSubscriber);
    QSignalSpy gone(&h.resources, &ResourceRegistry::lastSubscriberGone);
    const auto listen = [&h](int id) {
        h.send(JsonRpc::request(
            RequestId(QJsonValue(id)), u"subscriptions/listen"_s,
            {{"_meta"_L1, modernMeta()},
             {"notifications"_L1,
              QJsonObject{{"resourceSubscriptions"_L1, QJsonArray{"up://x"_L1, "up://y"_L1}}}}}));
    };
    listen(1);
    listen(2);
    QCOMPARE(first.size(), 2); // x and y, once each
    QCOMPARE(h.resources.subscriberCount(u"up://x"_s), 2);

    h.send(JsonRpc::notification(u"notifications/cancelled"_s, {{"requestId"_L1, 1}}));
    QCOMPARE(gone.size(), 0);
    QCOMPARE(h.resources.subscriberCount(u"up://x"_s), 1);

    h.session.endSubscriptions();
    QCOMPARE(gone.size(), 2);
    QCOMPARE(h.resources.subscriberCount(u"up://y"_s), 0);

    listen(3);
    QCOMPARE(first.size(), 4);
    h.session.close();
    QCOMPARE(gone.size(), 4);
}

QTEST_GUILESS_MAIN(tst_AsyncCatalog)
#include "tst_asynccatalog.moc"
