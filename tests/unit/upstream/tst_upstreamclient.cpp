#include "server/tools/upstream/upstreamclient.h"

#include "server/tools/upstream/closingchannels.h"
#include "server/tools/upstream/launchqueue.h"
#include "tests/support/fakeupstreamchannel.h"
#include "tests/support/servertestmain.h"

#include <QJsonArray>
#include <QSignalSpy>
#include <QTest>
#include <QTimer>

#include <memory>

using namespace Qt::StringLiterals;
using heartline::ClosingChannels;
using heartline::LaunchQueue;
using heartline::UpstreamClient;
using heartline::testing::FakeUpstreamChannel;

namespace {

constexpr int kWaitMs = 5000;

// One client over one fake channel (the client owns the channel).
struct Harness
{
    explicit Harness(const UpstreamClient::Options &options = {})
        : channel(new FakeUpstreamChannel)
        , client(std::make_unique<UpstreamClient>(channel, options))
    {}

    FakeUpstreamChannel *channel;
    std::unique_ptr<UpstreamClient> client;

    // start() and wait for the initialize request; returns it (empty on timeout).
    QJsonObject startAndTakeInitialize()
    {
        client->start();
        const bool sent = QTest::qWaitFor(
                [this] { return !channel->requests(u"initialize"_s).isEmpty(); }, kWaitMs);
        return sent ? channel->lastRequest(u"initialize"_s) : QJsonObject();
    }

    QJsonObject initializeResult(const QJsonObject &capabilities,
                                 const QString &revision = u"2025-11-25"_s) const
    {
        return {{"protocolVersion"_L1, revision},
                {"capabilities"_L1, capabilities},
                {"serverInfo"_L1, QJsonObject{{"name"_L1, "up"_L1}, {"version"_L1, "7"_L1}}},
                {"instructions"_L1, "be nice"_L1}};
    }

    // A server that offers no lists: ready right after initialize.
    bool startReady()
    {
        const QJsonObject initialize = startAndTakeInitialize();
        if (initialize.isEmpty())
            return false;
        channel->answer(initialize, initializeResult({}));
        return client->state() == UpstreamClient::State::Ready;
    }
};

QJsonObject toolNamed(const QString &name)
{
    return {{"name"_L1, name}, {"inputSchema"_L1, QJsonObject{{"type"_L1, "object"_L1}}}};
}

QStringList namesOf(const QList<QJsonObject> &entries)
{
    QStringList names;
    for (const QJsonObject &entry : entries)
        names.append(entry.value("name"_L1).toString());
    return names;
}

qint64 idOf(const QJsonObject &message)
{
    return message.value("id"_L1).toInteger(-1);
}

// Records what one Reply received, in order. Declared before the Harness: a client answers its
// pending requests when it is destroyed, so the log must outlive it.
struct ReplyLog
{
    QList<QJsonObject> results;
    QList<std::pair<int, QString>> errors;
    QList<QJsonObject> progress;

    UpstreamClient::Reply reply(bool wantsProgress = false)
    {
        UpstreamClient::Reply r;
        r.onResult = [this](const QJsonObject &result) { results.append(result); };
        r.onError = [this](int code, const QString &message, const QJsonValue &) {
            errors.append({code, message});
        };
        if (wantsProgress)
            r.onProgress = [this](const QJsonObject &params) { progress.append(params); };
        return r;
    }
    int answers() const { return int(results.size() + errors.size()); }
};

} // namespace

class TestUpstreamClient final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initializeSendsClientInfoThenInitializedThenLists()
    {
        UpstreamClient::Options options;
        options.clientName = u"heartline"_s;
        options.clientVersion = u"9.9"_s;
        options.capabilities = QJsonObject{{"sampling"_L1, QJsonObject()}};
        Harness h(options);
        QSignalSpy ready(h.client.get(), &UpstreamClient::ready);

        const QJsonObject initialize = h.startAndTakeInitialize();
        QVERIFY(!initialize.isEmpty());
        const QJsonObject params = initialize.value("params"_L1).toObject();
        QCOMPARE(params.value("protocolVersion"_L1).toString(), u"2025-11-25"_s);
        QCOMPARE(params.value("capabilities"_L1).toObject(), options.capabilities);
        QCOMPARE(params.value("clientInfo"_L1).toObject(),
                 (QJsonObject{{"name"_L1, "heartline"_L1}, {"version"_L1, "9.9"_L1}}));
        QCOMPARE(h.client->state(), UpstreamClient::State::Initializing);

        h.channel->answer(initialize, h.initializeResult({{"tools"_L1, QJsonObject()}}));
        QCOMPARE(h.channel->sent.size(), 3);
        QCOMPARE(h.channel->sent.at(1).value("method"_L1).toString(),
                 u"notifications/initialized"_s);
        QCOMPARE(h.channel->sent.at(2).value("method"_L1).toString(), u"tools/list"_s);
        QCOMPARE(ready.size(), 0);

        h.channel->answer(h.channel->lastRequest(u"tools/list"_s),
                          {{"tools"_L1, QJsonArray{toolNamed(u"a"_s)}}});
        QCOMPARE(ready.size(), 1);
        QCOMPARE(h.client->state(), UpstreamClient::State::Ready);
        QCOMPARE(namesOf(h.client->tools()), QStringList{u"a"_s});
        QCOMPARE(h.client->negotiatedRevision(), u"2025-11-25"_s);
        QCOMPARE(h.client->serverInfo().value("name"_L1).toString(), u"up"_s);
        QCOMPARE(h.client->instructions(), u"be nice"_s);
        // Nothing was offered but tools: no other list was asked for.
        QCOMPARE(h.channel->requests(u"prompts/list"_s).size(), 0);
        QCOMPARE(h.channel->requests(u"resources/list"_s).size(), 0);
    }

    void acceptsEveryRevisionHeartlineSpeaks_data()
    {
        QTest::addColumn<QString>("revision");
        QTest::newRow("2024-11-05") << u"2024-11-05"_s;
        QTest::newRow("2025-03-26") << u"2025-03-26"_s;
        QTest::newRow("2025-06-18") << u"2025-06-18"_s;
        QTest::newRow("2025-11-25") << u"2025-11-25"_s;
    }

    void acceptsEveryRevisionHeartlineSpeaks()
    {
        QFETCH(QString, revision);
        Harness h;
        const QJsonObject initialize = h.startAndTakeInitialize();
        h.channel->answer(initialize, h.initializeResult({}, revision));
        QCOMPARE(h.client->state(), UpstreamClient::State::Ready);
        QCOMPARE(h.client->negotiatedRevision(), revision);
    }

    void closesOnARevisionHeartlineDoesNotSpeak()
    {
        Harness h;
        QSignalSpy closed(h.client.get(), &UpstreamClient::closed);
        QSignalSpy ready(h.client.get(), &UpstreamClient::ready);
        const QJsonObject initialize = h.startAndTakeInitialize();
        h.channel->answer(initialize, h.initializeResult({{"tools"_L1, QJsonObject()}},
                                                         u"1999-01-01"_s));
        QCOMPARE(closed.size(), 1);
        QVERIFY2(closed.at(0).at(0).toString().contains("1999-01-01"_L1),
                 qPrintable(closed.at(0).at(0).toString()));
        QCOMPARE(closed.at(0).at(1).toBool(), false);
        QCOMPARE(h.channel->closeCount, 1);
        QCOMPARE(ready.size(), 0);
        QCOMPARE(h.channel->notifications(u"notifications/initialized"_s).size(), 0);
    }

    void initializeErrorCloses()
    {
        Harness h;
        QSignalSpy closed(h.client.get(), &UpstreamClient::closed);
        const QJsonObject initialize = h.startAndTakeInitialize();
        h.channel->answerError(initialize, -32602, u"no such version"_s);
        QCOMPARE(closed.size(), 1);
        QVERIFY(closed.at(0).at(0).toString().contains("no such version"_L1));
        QCOMPARE(h.client->state(), UpstreamClient::State::Closed);
    }

    void walksEveryPageOfEveryOfferedList()
    {
        Harness h;
        QSignalSpy ready(h.client.get(), &UpstreamClient::ready);
        const QJsonObject initialize = h.startAndTakeInitialize();
        h.channel->answer(initialize,
                          h.initializeResult({{"tools"_L1, QJsonObject()},
                                              {"prompts"_L1, QJsonObject()},
                                              {"resources"_L1, QJsonObject()}}));
        QCOMPARE(h.channel->requests(u"tools/list"_s).size(), 1);
        QCOMPARE(h.channel->requests(u"prompts/list"_s).size(), 1);
        QCOMPARE(h.channel->requests(u"resources/list"_s).size(), 1);
        QCOMPARE(h.channel->requests(u"resources/templates/list"_s).size(), 1);

        // tools in three pages; each next request carries the previous page's cursor.
        h.channel->answer(h.channel->lastRequest(u"tools/list"_s),
                          {{"tools"_L1, QJsonArray{toolNamed(u"t1"_s), toolNamed(u"t2"_s)}},
                           {"nextCursor"_L1, "c1"_L1}});
        QCOMPARE(h.channel->requests(u"tools/list"_s).size(), 2);
        QCOMPARE(h.channel->lastRequest(u"tools/list"_s)
                         .value("params"_L1).toObject().value("cursor"_L1).toString(),
                 u"c1"_s);
        h.channel->answer(h.channel->lastRequest(u"tools/list"_s),
                          {{"tools"_L1, QJsonArray{toolNamed(u"t3"_s)}}, {"nextCursor"_L1, "c2"_L1}});
        h.channel->answer(h.channel->lastRequest(u"prompts/list"_s),
                          {{"prompts"_L1, QJsonArray{QJsonObject{{"name"_L1, "p"_L1}}}}});
        h.channel->answer(h.channel->lastRequest(u"resources/list"_s),
                          {{"resources"_L1, QJsonArray{QJsonObject{{"name"_L1, "r"_L1}}}}});
        h.channel->answer(h.channel->lastRequest(u"resources/templates/list"_s),
                          {{"resourceTemplates"_L1, QJsonArray{QJsonObject{{"name"_L1, "rt"_L1}}}}});
        QCOMPARE(ready.size(), 0); // tools still has a page to come
        QCOMPARE(h.channel->lastRequest(u"tools/list"_s)
                         .value("params"_L1).toObject().value("cursor"_L1).toString(),
                 u"c2"_s);
        h.channel->answer(h.channel->lastRequest(u"tools/list"_s),
                          {{"tools"_L1, QJsonArray{toolNamed(u"t4"_s)}}});
        QCOMPARE(ready.size(), 1);
        QCOMPARE(namesOf(h.client->tools()),
                 (QStringList{u"t1"_s, u"t2"_s, u"t3"_s, u"t4"_s}));
        QCOMPARE(namesOf(h.client->prompts()), QStringList{u"p"_s});
        QCOMPARE(namesOf(h.client->resources()), QStringList{u"r"_s});
        QCOMPARE(namesOf(h.client->resourceTemplates()), QStringList{u"rt"_s});
    }

    void aListAnsweredMethodNotFoundIsEmpty()
    {
        Harness h;
        QSignalSpy ready(h.client.get(), &UpstreamClient::ready);
        QSignalSpy problems(h.client.get(), &UpstreamClient::problem);
        const QJsonObject initialize = h.startAndTakeInitialize();
        h.channel->answer(initialize, h.initializeResult({{"resources"_L1, QJsonObject()}}));
        h.channel->answer(h.channel->lastRequest(u"resources/list"_s),
                          {{"resources"_L1, QJsonArray{QJsonObject{{"name"_L1, "r"_L1}}}}});
        h.channel->answerError(h.channel->lastRequest(u"resources/templates/list"_s), -32601,
                               u"Method not found"_s);
        QCOMPARE(ready.size(), 1);
        QVERIFY(h.client->resourceTemplates().isEmpty());
        QCOMPARE(namesOf(h.client->resources()), QStringList{u"r"_s});
        QCOMPARE(problems.size(), 0); // not having a list is no fault
    }

    void aCursorLoopStopsAtThePageCap()
    {
        Harness h;
        QSignalSpy ready(h.client.get(), &UpstreamClient::ready);
        QSignalSpy problems(h.client.get(), &UpstreamClient::problem);
        // A server whose every page says "there is more".
        QObject::connect(h.channel, &FakeUpstreamChannel::messageSent, h.channel,
                         [&h](const QJsonObject &message) {
                             if (message.value("method"_L1).toString() != "tools/list"_L1)
                                 return;
                             QTimer::singleShot(0, h.channel, [&h, message] {
                                 h.channel->answer(message,
                                                   {{"tools"_L1, QJsonArray{toolNamed(u"x"_s)}},
                                                    {"nextCursor"_L1, "again"_L1}});
                             });
                         });
        const QJsonObject initialize = h.startAndTakeInitialize();
        h.channel->answer(initialize, h.initializeResult({{"tools"_L1, QJsonObject()}}));
        QTRY_COMPARE_WITH_TIMEOUT(ready.size(), 1, 15000);
        QCOMPARE(h.channel->requests(u"tools/list"_s).size(), 1000);
        QCOMPARE(h.client->tools().size(), 1000);
        QCOMPARE(problems.size(), 1);
        QVERIFY(problems.at(0).at(0).toString().contains("1000 pages"_L1));
    }

    void idsAreHeartlineIntegersNeverReused()
    {
        ReplyLog log;
        Harness h;
        QVERIFY(h.startReady());
        const qint64 a = h.client->request(u"tools/call"_s, {}, log.reply());
        h.client->cancel(a);
        const qint64 b = h.client->request(u"tools/call"_s, {}, log.reply(), 10);
        QTRY_COMPARE(log.errors.size(), 1); // b timed out
        const qint64 c = h.client->request(u"tools/call"_s, {}, log.reply());
        h.channel->answer(h.channel->lastRequest(u"tools/call"_s), {});
        const qint64 d = h.client->request(u"tools/call"_s, {}, log.reply());
        QVERIFY(a < b && b < c && c < d);

        QList<qint64> sentIds;
        for (const QJsonObject &message : h.channel->sent) {
            if (message.contains("id"_L1) && message.contains("method"_L1)) {
                QVERIFY(message.value("id"_L1).isDouble());
                sentIds.append(idOf(message));
            }
        }
        QCOMPARE(sentIds.size(), 5); // initialize + four calls
        for (int i = 1; i < sentIds.size(); ++i)
            QVERIFY2(sentIds.at(i) > sentIds.at(i - 1), "ids increase and are never reused");
        QCOMPARE(sentIds.mid(1), (QList<qint64>{a, b, c, d}));
    }

    void progressTokenIsTheUpstreamIdWhenAskedFor()
    {
        ReplyLog log;
        Harness h;
        QVERIFY(h.startReady());
        const QJsonObject params{
            {"name"_L1, "t"_L1},
            {"_meta"_L1, QJsonObject{{"progressToken"_L1, "client-token"_L1}, {"trace"_L1, 1}}}};
        const qint64 id = h.client->request(u"tools/call"_s, params, log.reply(true));
        const QJsonObject meta = h.channel->lastRequest(u"tools/call"_s)
                                         .value("params"_L1).toObject()
                                         .value("_meta"_L1).toObject();
        QCOMPARE(meta.value("progressToken"_L1).toInteger(), id);
        QCOMPARE(meta.value("trace"_L1).toInt(), 1); // other _meta keys pass on
    }

    void progressTokenIsRemovedWithoutOnProgress()
    {
        ReplyLog log;
        Harness h;
        QVERIFY(h.startReady());
        h.client->request(u"tools/call"_s,
                          {{"_meta"_L1, QJsonObject{{"progressToken"_L1, 5}, {"trace"_L1, 1}}}},
                          log.reply());
        QCOMPARE(h.channel->lastRequest(u"tools/call"_s).value("params"_L1).toObject()
                         .value("_meta"_L1).toObject(),
                 (QJsonObject{{"trace"_L1, 1}}));

        h.client->request(u"tools/call"_s,
                          {{"name"_L1, "t"_L1},
                           {"_meta"_L1, QJsonObject{{"progressToken"_L1, "tok"_L1}}}},
                          log.reply());
        const QJsonObject sentParams =
                h.channel->lastRequest(u"tools/call"_s).value("params"_L1).toObject();
        QVERIFY2(!sentParams.contains("_meta"_L1), "an empty _meta is dropped");
        QCOMPARE(sentParams.value("name"_L1).toString(), u"t"_s);
    }

    void progressIsRoutedToItsOwnRequest()
    {
        ReplyLog first, second;
        Harness h;
        QVERIFY(h.startReady());
        QSignalSpy problems(h.client.get(), &UpstreamClient::problem);
        const qint64 a = h.client->request(u"tools/call"_s, {}, first.reply(true));
        const qint64 b = h.client->request(u"tools/call"_s, {}, second.reply(true));
        Q_UNUSED(a)
        const QJsonObject progress{{"progressToken"_L1, b}, {"progress"_L1, 3}, {"total"_L1, 10}};
        h.channel->notifyClient(u"notifications/progress"_s, progress);
        QCOMPARE(first.progress.size(), 0);
        QCOMPARE(second.progress, QList<QJsonObject>{progress});
        QCOMPARE(problems.size(), 0);

        h.channel->notifyClient(u"notifications/progress"_s,
                                {{"progressToken"_L1, 4711}, {"progress"_L1, 1}});
        h.channel->notifyClient(u"notifications/progress"_s,
                                {{"progressToken"_L1, "b"_L1}, {"progress"_L1, 1}});
        QCOMPARE(problems.size(), 2);
        QCOMPARE(first.progress.size() + second.progress.size(), 1);
    }

    void anAnswerToAnUnknownIdIsAProblemAndDropped()
    {
        ReplyLog log;
        Harness h;
        QVERIFY(h.startReady());
        QSignalSpy problems(h.client.get(), &UpstreamClient::problem);
        h.client->request(u"tools/call"_s, {}, log.reply());
        h.channel->answer(QJsonObject{{"id"_L1, 999}}, {});
        h.channel->answer(QJsonObject{{"id"_L1, "abc"_L1}}, {});
        h.channel->answerError(QJsonObject{{"id"_L1, 1.5}}, -1, u"x"_s);
        QCOMPARE(problems.size(), 3);
        QCOMPARE(log.answers(), 0);
        QCOMPARE(h.client->pendingRequestCount(), 1);
    }

    void malformedMessagesAreProblems()
    {
        Harness h;
        QVERIFY(h.startReady());
        QSignalSpy problems(h.client.get(), &UpstreamClient::problem);
        h.channel->deliver({{"jsonrpc"_L1, "1.0"_L1}, {"method"_L1, "x"_L1}});
        h.channel->deliver({{"jsonrpc"_L1, "2.0"_L1}, {"id"_L1, 1}});
        h.channel->deliver({});
        Q_EMIT h.channel->protocolProblem(u"not JSON: hello"_s);
        QCOMPARE(problems.size(), 4);
        QCOMPARE(h.client->state(), UpstreamClient::State::Ready);
    }

    void cancelSendsCancelledAndDropsTheLateAnswer()
    {
        ReplyLog log;
        Harness h;
        QVERIFY(h.startReady());
        QSignalSpy problems(h.client.get(), &UpstreamClient::problem);
        const qint64 id = h.client->request(u"tools/call"_s, {}, log.reply(true));
        const QJsonObject call = h.channel->lastRequest(u"tools/call"_s);
        h.client->cancel(id, u"user gave up"_s);
        QCOMPARE(h.client->pendingRequestCount(), 0);
        const auto cancelled = h.channel->notifications(u"notifications/cancelled"_s);
        QCOMPARE(cancelled.size(), 1);
        QCOMPARE(cancelled.at(0).value("params"_L1).toObject(),
                 (QJsonObject{{"requestId"_L1, id}, {"reason"_L1, "user gave up"_L1}}));

        h.channel->notifyClient(u"notifications/progress"_s,
                                {{"progressToken"_L1, id}, {"progress"_L1, 1}});
        h.channel->answer(call, {{"content"_L1, QJsonArray()}});
        QCOMPARE(log.answers(), 0);
        QCOMPARE(log.progress.size(), 0);
        QCOMPARE(problems.size(), 0); // a cancelled request's answer is expected, not a fault
        // Once dropped, the id is forgotten: a second answer is a fault.
        h.channel->answer(call, {});
        QCOMPARE(problems.size(), 1);
    }

    void aTimeoutAnswersWithAnErrorAndCancelsUpstream()
    {
        ReplyLog log, patient;
        Harness h;
        QVERIFY(h.startReady());
        QSignalSpy problems(h.client.get(), &UpstreamClient::problem);
        const qint64 id = h.client->request(u"tools/call"_s, {}, log.reply(), 30);
        h.client->request(u"tools/call"_s, {}, patient.reply());
        const QJsonObject call = h.channel->requests(u"tools/call"_s).first();
        QTRY_COMPARE(log.errors.size(), 1);
        QCOMPARE(log.errors.at(0).first, -32001);
        QCOMPARE(log.errors.at(0).second, u"timed out after 30 ms"_s);
        const auto cancelled = h.channel->notifications(u"notifications/cancelled"_s);
        QCOMPARE(cancelled.size(), 1);
        QCOMPARE(cancelled.at(0).value("params"_L1).toObject().value("requestId"_L1).toInteger(),
                 id);
        h.channel->answer(call, {});
        QCOMPARE(log.answers(), 1);
        QCOMPARE(problems.size(), 0);
        QCOMPARE(patient.answers(), 0); // a request without a timeout waits
        QCOMPARE(h.client->pendingRequestCount(), 1);
    }

    void aClosingChannelFailsEveryPendingAtOnceBeforeClosed()
    {
        Harness h;
        QVERIFY(h.startReady());
        QStringList order;
        QObject::connect(h.client.get(), &UpstreamClient::closed, h.client.get(),
                         [&order](const QString &reason, bool expected) {
                             order.append(u"closed "_s + reason + (expected ? u" expected"_s
                                                                            : u" unexpected"_s));
                         });
        QList<std::pair<int, QString>> errors;
        for (int i = 0; i < 3; ++i) {
            UpstreamClient::Reply reply;
            reply.onError = [&order, &errors](int code, const QString &message, const QJsonValue &) {
                order.append(u"error"_s);
                errors.append({code, message});
            };
            h.client->request(u"tools/call"_s, {}, reply, 60'000);
        }
        h.channel->crash(u"killed by signal 9"_s);
        QCOMPARE(order, (QStringList{u"error"_s, u"error"_s, u"error"_s,
                                     u"closed killed by signal 9 unexpected"_s}));
        for (const auto &error : errors) {
            QCOMPARE(error.first, -32603);
            QCOMPARE(error.second, u"upstream server fake upstream closed: killed by signal 9"_s);
        }
        QCOMPARE(h.client->pendingRequestCount(), 0);
        QCOMPARE(h.client->state(), UpstreamClient::State::Closed);
    }

    void stopFailsPendingAndClosesTheChannel()
    {
        ReplyLog log;
        Harness h;
        QVERIFY(h.startReady());
        QSignalSpy closed(h.client.get(), &UpstreamClient::closed);
        h.client->request(u"tools/call"_s, {}, log.reply());
        h.client->stop();
        QCOMPARE(log.errors.size(), 1);
        QCOMPARE(closed.size(), 1);
        QCOMPARE(closed.at(0).at(1).toBool(), true);
        QCOMPARE(h.channel->closeCount, 1);
        QTRY_VERIFY(!h.channel->isOpen());
        QCOMPARE(closed.size(), 1); // the channel's own closed() adds nothing
    }

    // Stopped while its open waits in the launch queue: the channel never opens (nothing to
    // close, nothing left for a shutdown to wait for) and the client can start again.
    void stopBeforeItsLaunchTurnNeverOpensTheChannel()
    {
        LaunchQueue queue;
        ClosingChannels closing;
        UpstreamClient::Options options;
        options.launchQueue = &queue;
        options.closingChannels = &closing;
        Harness h(options);
        h.client->start();
        QCOMPARE(h.client->state(), UpstreamClient::State::Connecting);
        QCOMPARE(h.channel->openCount, 0); // waits for its turn
        QCOMPARE(queue.pendingCount(), 1);
        QSignalSpy closed(h.client.get(), &UpstreamClient::closed);
        h.client->stop();
        QCOMPARE(closed.size(), 1);
        QCOMPARE(queue.pendingCount(), 0);
        QCOMPARE(h.channel->closeCount, 0);

        QVERIFY(h.startReady()); // its turn comes this time
        QCOMPARE(h.channel->openCount, 1);
        h.client.reset();
        QCOMPARE(closing.count(), 1); // the live channel is handed over to finish closing
        QTRY_COMPARE(closing.count(), 0);
    }

    void aRequestBeforeReadyIsAnsweredWithAnErrorLater()
    {
        ReplyLog log;
        Harness h;
        h.client->request(u"tools/call"_s, {}, log.reply());
        QCOMPARE(log.answers(), 0); // never from inside request()
        QTRY_COMPARE(log.errors.size(), 1);
        QVERIFY(log.errors.at(0).second.contains("not ready"_L1));
        QVERIFY(h.channel->sent.isEmpty());
    }

    void listChangedRefetchesAndCoalescesABurst()
    {
        Harness h;
        const QJsonObject initialize = h.startAndTakeInitialize();
        h.channel->answer(initialize, h.initializeResult({{"tools"_L1, QJsonObject()}}));
        h.channel->answer(h.channel->lastRequest(u"tools/list"_s),
                          {{"tools"_L1, QJsonArray{toolNamed(u"old"_s)}}});
        QCOMPARE(h.client->state(), UpstreamClient::State::Ready);
        QSignalSpy toolsChanged(h.client.get(), &UpstreamClient::toolsChanged);
        QSignalSpy notifications(h.client.get(), &UpstreamClient::notificationReceived);

        for (int i = 0; i < 1000; ++i)
            h.channel->notifyClient(u"notifications/tools/list_changed"_s);
        QCOMPARE(h.channel->requests(u"tools/list"_s).size(), 2); // one walk in flight
        h.channel->answer(h.channel->lastRequest(u"tools/list"_s),
                          {{"tools"_L1, QJsonArray{toolNamed(u"mid"_s)}}});
        // The burst queued exactly one more walk, and nothing is announced before it ends.
        QCOMPARE(h.channel->requests(u"tools/list"_s).size(), 3);
        QCOMPARE(toolsChanged.size(), 0);
        h.channel->answer(h.channel->lastRequest(u"tools/list"_s),
                          {{"tools"_L1, QJsonArray{toolNamed(u"new"_s)}}});
        QCOMPARE(toolsChanged.size(), 1);
        QCOMPARE(namesOf(h.client->tools()), QStringList{u"new"_s});
        QCOMPARE(h.channel->requests(u"tools/list"_s).size(), 3);
        QCOMPARE(notifications.size(), 0); // list_changed is handled here, not passed up
    }

    void resourcesListChangedRefetchesBothResourceLists()
    {
        Harness h;
        const QJsonObject initialize = h.startAndTakeInitialize();
        h.channel->answer(initialize, h.initializeResult({{"resources"_L1, QJsonObject()}}));
        h.channel->answer(h.channel->lastRequest(u"resources/list"_s),
                          {{"resources"_L1, QJsonArray()}});
        h.channel->answer(h.channel->lastRequest(u"resources/templates/list"_s),
                          {{"resourceTemplates"_L1, QJsonArray()}});
        QSignalSpy resourcesChanged(h.client.get(), &UpstreamClient::resourcesChanged);
        QSignalSpy promptsChanged(h.client.get(), &UpstreamClient::promptsChanged);

        h.channel->notifyClient(u"notifications/resources/list_changed"_s);
        h.channel->answer(h.channel->lastRequest(u"resources/list"_s),
                          {{"resources"_L1, QJsonArray{QJsonObject{{"name"_L1, "r"_L1}}}}});
        QCOMPARE(resourcesChanged.size(), 0);
        h.channel->answer(h.channel->lastRequest(u"resources/templates/list"_s),
                          {{"resourceTemplates"_L1, QJsonArray()}});
        QCOMPARE(resourcesChanged.size(), 1);
        QCOMPARE(namesOf(h.client->resources()), QStringList{u"r"_s});

        h.channel->notifyClient(u"notifications/prompts/list_changed"_s);
        h.channel->answer(h.channel->lastRequest(u"prompts/list"_s),
                          {{"prompts"_L1, QJsonArray{QJsonObject{{"name"_L1, "p"_L1}}}}});
        QCOMPARE(promptsChanged.size(), 1);
        QCOMPARE(namesOf(h.client->prompts()), QStringList{u"p"_s});
    }

    void pingFromTheUpstreamIsAnsweredHereOtherRequestsGoUp()
    {
        Harness h;
        QVERIFY(h.startReady());
        QSignalSpy requests(h.client.get(), &UpstreamClient::requestReceived);
        h.channel->requestFromServer(u"p1"_s, u"ping"_s);
        QCOMPARE(h.channel->sent.last(),
                 (QJsonObject{{"jsonrpc"_L1, "2.0"_L1}, {"id"_L1, "p1"_L1},
                              {"result"_L1, QJsonObject()}}));
        QCOMPARE(requests.size(), 0);

        h.channel->requestFromServer(7, u"roots/list"_s, {{"x"_L1, 1}});
        QCOMPARE(requests.size(), 1);
        QCOMPARE(requests.at(0).at(0).value<QJsonValue>(), QJsonValue(7));
        QCOMPARE(requests.at(0).at(1).toString(), u"roots/list"_s);
        QCOMPARE(requests.at(0).at(2).value<QJsonObject>(), (QJsonObject{{"x"_L1, 1}}));
        h.client->respond(7, {{"roots"_L1, QJsonArray()}});
        QCOMPARE(h.channel->sent.last().value("id"_L1), QJsonValue(7));
        QCOMPARE(h.channel->sent.last().value("result"_L1).toObject(),
                 (QJsonObject{{"roots"_L1, QJsonArray()}}));
        h.client->respondError(u"s"_s, -32601, u"no"_s);
        QCOMPARE(h.channel->sent.last().value("error"_L1).toObject().value("code"_L1).toInt(),
                 -32601);
    }

    void otherNotificationsGoUp()
    {
        Harness h;
        QVERIFY(h.startReady());
        QSignalSpy notifications(h.client.get(), &UpstreamClient::notificationReceived);
        h.channel->notifyClient(u"notifications/message"_s, {{"level"_L1, "info"_L1}});
        QCOMPARE(notifications.size(), 1);
        QCOMPARE(notifications.at(0).at(0).toString(), u"notifications/message"_s);
    }

    void initializeMustAnswerInTime()
    {
        UpstreamClient::Options options;
        options.initializeTimeoutMs = 50;
        Harness h(options);
        QSignalSpy closed(h.client.get(), &UpstreamClient::closed);
        QVERIFY(!h.startAndTakeInitialize().isEmpty());
        QTRY_COMPARE(closed.size(), 1);
        QCOMPARE(closed.at(0).at(0).toString(), u"did not answer initialize within 50 ms"_s);
        QCOMPARE(closed.at(0).at(1).toBool(), false);
        QCOMPARE(h.channel->closeCount, 1);
        QCOMPARE(h.client->state(), UpstreamClient::State::Closed);
        QCOMPARE(h.client->pendingRequestCount(), 0);
    }

    void listsMustAlsoArriveWithinTheInitializeTimeout()
    {
        UpstreamClient::Options options;
        options.initializeTimeoutMs = 100;
        Harness h(options);
        QSignalSpy closed(h.client.get(), &UpstreamClient::closed);
        const QJsonObject initialize = h.startAndTakeInitialize();
        h.channel->answer(initialize, h.initializeResult({{"tools"_L1, QJsonObject()}}));
        QTRY_COMPARE(closed.size(), 1);
        QCOMPARE(h.client->state(), UpstreamClient::State::Closed);
    }

    void pingsTellUnresponsiveAndResponsive()
    {
        UpstreamClient::Options options;
        options.pingIntervalMs = 20;
        options.pingTimeoutMs = 40;
        Harness h(options);
        QSignalSpy unresponsive(h.client.get(), &UpstreamClient::unresponsive);
        QSignalSpy responsive(h.client.get(), &UpstreamClient::responsive);
        QVERIFY(h.startReady());
        QTRY_COMPARE(unresponsive.size(), 1);
        QCOMPARE(responsive.size(), 0);
        QVERIFY(!h.channel->requests(u"ping"_s).isEmpty());
        h.channel->answer(h.channel->lastRequest(u"ping"_s), {});
        QCOMPARE(responsive.size(), 1);
        // Answer every ping from now on: no new unresponsive.
        QObject::connect(h.channel, &FakeUpstreamChannel::messageSent, h.channel,
                         [&h](const QJsonObject &message) {
                             if (message.value("method"_L1).toString() == "ping"_L1)
                                 h.channel->answer(message, {});
                         });
        const int pingsBefore = int(h.channel->requests(u"ping"_s).size());
        QTRY_VERIFY(h.channel->requests(u"ping"_s).size() >= pingsBefore + 5);
        QCOMPARE(unresponsive.size(), 1);
    }

    void deletingTheClientAnswersPendingAndClosesTheChannel()
    {
        auto *channel = new FakeUpstreamChannel;
        auto client = std::make_unique<UpstreamClient>(channel, UpstreamClient::Options());
        client->start();
        QTRY_VERIFY(channel->isOpen());
        channel->answer(channel->lastRequest(u"initialize"_s),
                        {{"protocolVersion"_L1, "2025-11-25"_L1}, {"capabilities"_L1, QJsonObject()}});
        ReplyLog log;
        client->request(u"tools/call"_s, {}, log.reply());
        QPointer<FakeUpstreamChannel> watch(channel);
        client.reset();
        QCOMPARE(log.errors.size(), 1);
        QVERIFY(watch);
        QCOMPARE(watch->closeCount, 1);
        QTRY_VERIFY(!watch); // it deletes itself once closed
    }
};

HEARTLINE_SERVER_TEST_MAIN(TestUpstreamClient)
#include "tst_upstreamclient.moc"
