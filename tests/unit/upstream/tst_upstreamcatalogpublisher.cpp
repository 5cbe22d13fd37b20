#include "server/protocol/catalog/promptregistry.h"
#include "server/protocol/catalog/resourceregistry.h"
#include "server/tools/upstream/upstreamcatalogpublisher.h"
#include "server/tools/upstream/upstreamclient.h"
#include "tests/support/fakeupstreamchannel.h"
#include "tests/support/servertestmain.h"
#include "tests/support/sessionloopback.h"

#include <QJsonArray>
#include <QSignalSpy>
#include <QTest>

#include <memory>

// Upstream prompts, resources and templates as a downstream session sees them: requests sent
// to the upstream under its own names with the answers passed back verbatim, a URI two
// servers offer served by the first in config order, "not running" without a client, and
// resource subscriptions passed on once for every session. A real UpstreamClient over the fake
// channel, which answers the handshake itself and leaves every other request to the test.

using namespace Qt::StringLiterals;
using heartline::JsonRpcCode;
using heartline::RequestId;
using heartline::ResourceRegistry;
using heartline::Session;
using heartline::UpstreamCatalogPublisher;
using heartline::UpstreamClient;
namespace JsonRpc = heartline::JsonRpc;
using namespace heartline::testing;

namespace {

// One upstream server: the fake channel playing a server that offers prompts, resources with
// subscriptions and completions, and a real client over it. What it lists is handed to the
// publisher by the test (the fake lists nothing itself).
struct Upstream
{
    explicit Upstream(const QList<QJsonObject> &promptList = {},
                      const QList<QJsonObject> &resourceList = {},
                      const QList<QJsonObject> &templateList = {})
        : prompts(promptList)
        , resources(resourceList)
        , templates(templateList)
        , channel(new FakeUpstreamChannel)
    {
        channel->actAsServer = true;
        channel->serverCapabilities = {{"prompts"_L1, QJsonObject{}},
                                       {"resources"_L1, QJsonObject{{"subscribe"_L1, true}}},
                                       {"completions"_L1, QJsonObject{}}};
        client = std::make_unique<UpstreamClient>(channel, UpstreamClient::Options{});
    }

    // The requests of `method` the upstream got; the last one.
    int count(const QString &method) const { return int(channel->requests(method).size()); }
    QJsonObject last(const QString &method) const { return channel->lastRequest(method); }

    [[nodiscard]] bool start()
    {
        QSignalSpy ready(client.get(), &UpstreamClient::ready);
        client->start();
        return ready.size() > 0 || ready.wait(5000);
    }

    QList<QJsonObject> prompts;
    QList<QJsonObject> resources;
    QList<QJsonObject> templates;
    FakeUpstreamChannel *channel; // owned by the client
    std::unique_ptr<UpstreamClient> client;
};

QJsonObject promptEntry(const QString &name)
{
    return {
        {"name"_L1, name},
        {"description"_L1, "upstream prompt"_L1},
        {"arguments"_L1, QJsonArray{QJsonObject{{"name"_L1, "who"_L1}, {"required"_L1, true}}}}};
}

QJsonObject resourceEntry(const QString &uri, const QString &name = {})
{
    return {{"uri"_L1, uri}, {"name"_L1, name.isEmpty() ? uri : name}};
}

QJsonObject templateEntry(const QString &uriTemplate)
{
    return {{"uriTemplate"_L1, uriTemplate}, {"name"_L1, "a template"_L1}};
}

// A 2025 session over the registries the publisher fills.
class Loopback final : public SessionLoopback
{
public:
    Loopback()
        : SessionLoopback(testIdentity(), Session::Options{})
        , publisher(&prompts, &resources)
    {
        handshake();
    }

    void request(int id, const QString &method, const QJsonObject &params)
    {
        send(JsonRpc::request(RequestId(QJsonValue(id)), method, params));
    }

    UpstreamCatalogPublisher publisher;
};

} // namespace

class tst_UpstreamCatalogPublisher : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void promptGetGoesUpstreamUnderItsOwnName();
    void promptCompletionRenamesTheRef();
    void resourceAndTemplateReadsAreForwarded();
    void templateCompletionIsForwarded();
    void upstreamErrorBecomesInternalError();
    void stoppedServerIsNotRunning();
    void sharedUriGoesToTheFirstServerInConfigOrder();
    void subscriptionsArePassedOnOnce();
    void updatesOfHiddenCopiesAreIgnored();
    void withdrawTakesEverythingOut();
};

void tst_UpstreamCatalogPublisher::promptGetGoesUpstreamUnderItsOwnName()
{
    Loopback h;
    Upstream up({promptEntry(u"greet"_s)});
    QVERIFY(up.start());
    h.publisher.publish(u"srv"_s, 0, up.client.get(), up.prompts, {}, {});
    QCOMPARE(h.publisher.exposedPromptName(u"srv"_s, u"greet"_s), u"srv__greet"_s);
    QVERIFY(h.prompts.contains(u"srv__greet"_s));

    h.request(1, u"prompts/get"_s,
              {{"name"_L1, "srv__greet"_L1}, {"arguments"_L1, QJsonObject{{"who"_L1, "ann"_L1}}}});
    QTRY_COMPARE_WITH_TIMEOUT(up.count(u"prompts/get"_s), 1, 5000);
    const QJsonObject sent = up.last(u"prompts/get"_s);
    QCOMPARE(sent.value("method"_L1).toString(), u"prompts/get"_s);
    QCOMPARE(sent.value("params"_L1).toObject().value("name"_L1).toString(), u"greet"_s);
    QCOMPARE(sent.value("params"_L1).toObject().value("arguments"_L1).toObject(),
             (QJsonObject{{"who"_L1, "ann"_L1}}));
    QVERIFY(h.sent.isEmpty());

    const QJsonObject result{
        {"messages"_L1,
         QJsonArray{QJsonObject{
             {"role"_L1, "user"_L1},
             {"content"_L1, QJsonObject{{"type"_L1, "text"_L1}, {"text"_L1, "hello ann"_L1}}}}}},
        {"_meta"_L1, QJsonObject{{"upstream/extra"_L1, true}}}};
    up.channel->answer(sent, result);
    QTRY_COMPARE_WITH_TIMEOUT(h.sent.size(), 1, 5000);
    QCOMPARE(resultOf(h.sent.first()), result);
}

void tst_UpstreamCatalogPublisher::promptCompletionRenamesTheRef()
{
    Loopback h;
    Upstream up({promptEntry(u"greet"_s)});
    QVERIFY(up.start());
    h.publisher.publish(u"srv"_s, 0, up.client.get(), up.prompts, {}, {});
    h.request(1, u"completion/complete"_s,
              {{"ref"_L1, QJsonObject{{"type"_L1, "ref/prompt"_L1}, {"name"_L1, "srv__greet"_L1}}},
               {"argument"_L1, QJsonObject{{"name"_L1, "who"_L1}, {"value"_L1, "a"_L1}}}});
    QTRY_COMPARE_WITH_TIMEOUT(up.count(u"completion/complete"_s), 1, 5000);
    const QJsonObject params = up.last(u"completion/complete"_s).value("params"_L1).toObject();
    QCOMPARE(up.last(u"completion/complete"_s).value("method"_L1).toString(),
             u"completion/complete"_s);
    QCOMPARE(params.value("ref"_L1).toObject(),
             (QJsonObject{{"type"_L1, "ref/prompt"_L1}, {"name"_L1, "greet"_L1}}));
    QCOMPARE(params.value("argument"_L1).toObject(),
             (QJsonObject{{"name"_L1, "who"_L1}, {"value"_L1, "a"_L1}}));

    const QJsonObject completion{
        {"values"_L1, QJsonArray{"ann"_L1, "al"_L1}}, {"total"_L1, 7}, {"hasMore"_L1, true}};
    up.channel->answer(up.last(u"completion/complete"_s), {{"completion"_L1, completion}});
    QTRY_COMPARE_WITH_TIMEOUT(h.sent.size(), 1, 5000);
    QCOMPARE(resultOf(h.sent.first()), (QJsonObject{{"completion"_L1, completion}}));
}

void tst_UpstreamCatalogPublisher::resourceAndTemplateReadsAreForwarded()
{
    Loopback h;
    Upstream up({}, {resourceEntry(u"mem://notes"_s)}, {templateEntry(u"mem://doc/{id}"_s)});
    QVERIFY(up.start());
    h.publisher.publish(u"srv"_s, 0, up.client.get(), {}, up.resources, up.templates);
    QVERIFY(h.resources.containsUri(u"mem://notes"_s));
    QVERIFY(h.resources.containsTemplate(u"mem://doc/{id}"_s));

    h.request(1, u"resources/read"_s, {{"uri"_L1, "mem://notes"_L1}});
    h.request(2, u"resources/read"_s, {{"uri"_L1, "mem://doc/42"_L1}});
    QTRY_COMPARE_WITH_TIMEOUT(up.count(u"resources/read"_s), 2, 5000);
    const QList<QJsonObject> reads = up.channel->requests(u"resources/read"_s);
    QCOMPARE(reads.at(0).value("params"_L1).toObject().value("uri"_L1).toString(),
             u"mem://notes"_s);
    QCOMPARE(reads.at(1).value("params"_L1).toObject().value("uri"_L1).toString(),
             u"mem://doc/42"_s);

    const QJsonArray notes{QJsonObject{{"uri"_L1, "mem://notes"_L1}, {"text"_L1, "n"_L1}}};
    const QJsonArray doc{QJsonObject{
        {"uri"_L1, "mem://doc/42"_L1}, {"blob"_L1, "AAE="_L1}, {"mimeType"_L1, "x/y"_L1}}};
    up.channel->answer(reads.at(1), {{"contents"_L1, doc}});
    up.channel->answer(reads.at(0), {{"contents"_L1, notes}});
    QTRY_COMPARE_WITH_TIMEOUT(h.sent.size(), 2, 5000);
    // Each answer reaches its own request, in the order the upstream gave them.
    QCOMPARE(h.sent.at(0).json.value("id"_L1), QJsonValue(2));
    QCOMPARE(resultOf(h.sent.at(0)).value("contents"_L1).toArray(), doc);
    QCOMPARE(h.sent.at(1).json.value("id"_L1), QJsonValue(1));
    QCOMPARE(resultOf(h.sent.at(1)).value("contents"_L1).toArray(), notes);
}

void tst_UpstreamCatalogPublisher::templateCompletionIsForwarded()
{
    Loopback h;
    Upstream up({}, {}, {templateEntry(u"mem://doc/{id}"_s)});
    QVERIFY(up.start());
    h.publisher.publish(u"srv"_s, 0, up.client.get(), {}, {}, up.templates);
    h.request(
        1, u"completion/complete"_s,
        {{"ref"_L1, QJsonObject{{"type"_L1, "ref/resource"_L1}, {"uri"_L1, "mem://doc/{id}"_L1}}},
         {"argument"_L1, QJsonObject{{"name"_L1, "id"_L1}, {"value"_L1, "4"_L1}}},
         {"context"_L1, QJsonObject{{"arguments"_L1, QJsonObject{{"k"_L1, "v"_L1}}}}}});
    QTRY_COMPARE_WITH_TIMEOUT(up.count(u"completion/complete"_s), 1, 5000);
    const QJsonObject params = up.last(u"completion/complete"_s).value("params"_L1).toObject();
    QCOMPARE(params.value("ref"_L1).toObject(),
             (QJsonObject{{"type"_L1, "ref/resource"_L1}, {"uri"_L1, "mem://doc/{id}"_L1}}));
    QCOMPARE(params.value("context"_L1).toObject().value("arguments"_L1).toObject(),
             (QJsonObject{{"k"_L1, "v"_L1}}));
    const QJsonObject completion{{"values"_L1, QJsonArray{"42"_L1}}};
    up.channel->answer(up.last(u"completion/complete"_s), {{"completion"_L1, completion}});
    QTRY_COMPARE_WITH_TIMEOUT(h.sent.size(), 1, 5000);
    QCOMPARE(resultOf(h.sent.first()), (QJsonObject{{"completion"_L1, completion}}));
}

void tst_UpstreamCatalogPublisher::upstreamErrorBecomesInternalError()
{
    Loopback h;
    Upstream up({promptEntry(u"greet"_s)}, {resourceEntry(u"mem://notes"_s)});
    QVERIFY(up.start());
    h.publisher.publish(u"srv"_s, 0, up.client.get(), up.prompts, up.resources, {});
    h.request(1, u"prompts/get"_s,
              {{"name"_L1, "srv__greet"_L1}, {"arguments"_L1, QJsonObject{{"who"_L1, "x"_L1}}}});
    h.request(2, u"resources/read"_s, {{"uri"_L1, "mem://notes"_L1}});
    QTRY_COMPARE_WITH_TIMEOUT(up.count(u"prompts/get"_s) + up.count(u"resources/read"_s), 2, 5000);
    up.channel->answerError(up.last(u"prompts/get"_s), -32603, u"disk on fire"_s);
    // The upstream's "not found" keeps the revision's own not-found error.
    up.channel->answerError(up.last(u"resources/read"_s), -32002, u"no such note"_s);
    QTRY_COMPARE_WITH_TIMEOUT(h.sent.size(), 2, 5000);
    QCOMPARE(errorCode(h.sent.at(0)), int(JsonRpcCode::InternalError));
    QVERIFY(h.sent.at(0)
                .json.value("error"_L1)
                .toObject()
                .value("message"_L1)
                .toString()
                .contains(u"disk on fire"_s));
    QCOMPARE(errorCode(h.sent.at(1)), int(JsonRpcCode::ResourceNotFound));
}

void tst_UpstreamCatalogPublisher::stoppedServerIsNotRunning()
{
    Loopback h;
    auto up = std::make_unique<Upstream>(QList<QJsonObject>{promptEntry(u"greet"_s)});
    QVERIFY(up->start());
    h.publisher.publish(u"srv"_s, 0, up->client.get(), up->prompts, {}, {});
    up.reset(); // the server went away; its entries are still listed until withdrawn
    h.request(1, u"prompts/get"_s,
              {{"name"_L1, "srv__greet"_L1}, {"arguments"_L1, QJsonObject{{"who"_L1, "x"_L1}}}});
    QCOMPARE(h.sent.size(), 1); // at once, without asking anyone
    QCOMPARE(errorCode(h.sent.first()), int(JsonRpcCode::InternalError));
    QCOMPARE(h.sent.first().json.value("error"_L1).toObject().value("message"_L1).toString(),
             u"upstream server 'srv' is not running"_s);
}

void tst_UpstreamCatalogPublisher::sharedUriGoesToTheFirstServerInConfigOrder()
{
    Loopback h;
    QSignalSpy problems(&h.publisher, &UpstreamCatalogPublisher::problem);
    Upstream first({}, {resourceEntry(u"mem://shared"_s, u"first's"_s)});
    Upstream second({}, {resourceEntry(u"mem://shared"_s, u"second's"_s)});
    QVERIFY(first.start());
    QVERIFY(second.start());
    // The second in config order comes up first and serves the URI until the first arrives.
    h.publisher.publish(u"b"_s, 1, second.client.get(), {}, second.resources, {});
    QCOMPARE(h.publisher.ownerOf(u"mem://shared"_s), u"b"_s);
    h.publisher.publish(u"a"_s, 0, first.client.get(), {}, first.resources, {});
    QCOMPARE(h.publisher.ownerOf(u"mem://shared"_s), u"a"_s);
    QCOMPARE(h.resources.definitions().size(), 1);
    QCOMPARE(h.resources.definitions().first().name, u"first's"_s);
    QVERIFY(!problems.isEmpty());
    QCOMPARE(problems.last().at(0).toString(), u"b"_s);
    QVERIFY(problems.last().at(1).toString().contains(u"mem://shared"_s));

    // Re-listing the second changes nothing; the first going hands the URI over.
    h.publisher.publish(u"b"_s, 1, second.client.get(), {}, second.resources, {});
    QCOMPARE(h.publisher.ownerOf(u"mem://shared"_s), u"a"_s);
    h.publisher.withdraw(u"a"_s);
    QCOMPARE(h.publisher.ownerOf(u"mem://shared"_s), u"b"_s);
    QCOMPARE(h.resources.definitions().first().name, u"second's"_s);

    h.request(1, u"resources/read"_s, {{"uri"_L1, "mem://shared"_L1}});
    QTRY_COMPARE_WITH_TIMEOUT(second.count(u"resources/read"_s), 1, 5000);
    QCOMPARE(first.count(u"resources/read"_s), 0);
}

void tst_UpstreamCatalogPublisher::subscriptionsArePassedOnOnce()
{
    Loopback h;
    Upstream up({}, {resourceEntry(u"mem://notes"_s)});
    QVERIFY(up.start());
    h.publisher.publish(u"srv"_s, 0, up.client.get(), {}, up.resources, {});
    auto other = std::make_unique<SiblingSession>(h);
    h.request(1, u"resources/subscribe"_s, {{"uri"_L1, "mem://notes"_L1}});
    other->request(1, u"resources/subscribe"_s, {{"uri"_L1, "mem://notes"_L1}});
    QTRY_COMPARE_WITH_TIMEOUT(up.count(u"resources/subscribe"_s), 1, 5000);
    QCOMPARE(
        up.last(u"resources/subscribe"_s).value("params"_L1).toObject().value("uri"_L1).toString(),
        u"mem://notes"_s);

    h.sent.clear();
    other->sent.clear();
    up.channel->notifyClient(u"notifications/resources/updated"_s, {{"uri"_L1, "mem://notes"_L1}});
    QTRY_COMPARE_WITH_TIMEOUT(h.countMethod(u"notifications/resources/updated"_s), 1, 5000);
    QCOMPARE(other->sent.size(), 1);

    h.request(2, u"resources/unsubscribe"_s, {{"uri"_L1, "mem://notes"_L1}});
    other.reset(); // the last subscriber leaves with its session
    QTRY_COMPARE_WITH_TIMEOUT(up.count(u"resources/unsubscribe"_s), 1, 5000);
    QCOMPARE(up.count(u"resources/subscribe"_s), 1);
}

void tst_UpstreamCatalogPublisher::updatesOfHiddenCopiesAreIgnored()
{
    Loopback h;
    Upstream first({}, {resourceEntry(u"mem://shared"_s)});
    Upstream second({}, {resourceEntry(u"mem://shared"_s)});
    QVERIFY(first.start());
    QVERIFY(second.start());
    h.publisher.publish(u"a"_s, 0, first.client.get(), {}, first.resources, {});
    h.publisher.publish(u"b"_s, 1, second.client.get(), {}, second.resources, {});
    h.request(1, u"resources/subscribe"_s, {{"uri"_L1, "mem://shared"_L1}});
    QTRY_COMPARE_WITH_TIMEOUT(first.count(u"resources/subscribe"_s), 1, 5000);
    QCOMPARE(second.count(u"resources/subscribe"_s), 0);

    h.sent.clear();
    // The hidden copy's news is delivered first (timers of one interval fire in order), so by
    // the time the owner's has arrived, it has been seen and dropped.
    second.channel->notifyClient(u"notifications/resources/updated"_s,
                                 {{"uri"_L1, "mem://shared"_L1}});
    first.channel->notifyClient(u"notifications/resources/updated"_s,
                                {{"uri"_L1, "mem://shared"_L1}});
    QTRY_COMPARE_WITH_TIMEOUT(h.countMethod(u"notifications/resources/updated"_s), 1, 5000);
    QCOMPARE(h.sent.size(), 1);
}

void tst_UpstreamCatalogPublisher::withdrawTakesEverythingOut()
{
    Loopback h;
    Upstream up({promptEntry(u"greet"_s)}, {resourceEntry(u"mem://notes"_s)},
                {templateEntry(u"mem://doc/{id}"_s)});
    QVERIFY(up.start());
    h.publisher.publish(u"srv"_s, 0, up.client.get(), up.prompts, up.resources, up.templates);
    QCOMPARE(h.prompts.definitions().size(), 1);
    h.publisher.withdraw(u"srv"_s);
    QVERIFY(h.prompts.definitions().isEmpty());
    QVERIFY(h.resources.definitions().isEmpty());
    QVERIFY(h.resources.templateDefinitions().isEmpty());
    QVERIFY(!h.publisher.promptOriginOf(u"srv__greet"_s));
}

HEARTLINE_SERVER_TEST_MAIN(tst_UpstreamCatalogPublisher)
#include "tst_upstreamcatalogpublisher.moc"
