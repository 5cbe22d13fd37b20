// The remote upstream channels (Streamable HTTP, legacy HTTP+SSE, and the fallback between
// them) driven by hand with JSON-RPC messages against Heartline's own server in this process,
// and against a scripted QHttpServer where a test needs to see or bend what goes over the wire.
#include "server/api/monitor.h"
#include "server/core/control.h"
#include "server/core/heartlineserver.h"
#include "server/session/mcpsession.h"
#include "server/session/sessionstore.h"
#include "server/tools/upstream/fallbackchannel.h"
#include "server/tools/upstream/remotechannelfactory.h"
#include "server/tools/upstream/ssechannel.h"
#include "server/tools/upstream/streamablehttpchannel.h"
#include "tests/support/inprocessserver.h"
#include "tests/support/mcptestsupport.h"
#include "tests/support/rawhttpclient.h"
#include "tests/support/servertestmain.h"
#include "tests/support/testhttpserver.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;
using namespace heartline;
using namespace heartline::testing;

namespace {

QJsonObject message(const QByteArray &body)
{
    return QJsonDocument::fromJson(body).object();
}

QJsonObject initializeMessage(const QByteArray &revision = kLatestRevision)
{
    return message(initializeBody(revision, 0));
}

QJsonObject initializedMessage()
{
    return message(notificationBody(u"notifications/initialized"_s));
}

// What a channel emitted, with waits for the one thing a test expects next.
class Recorder final
{
public:
    explicit Recorder(UpstreamChannel *channel)
        : opened(channel, &UpstreamChannel::opened)
        , messages(channel, &UpstreamChannel::messageReceived)
        , problems(channel, &UpstreamChannel::protocolProblem)
        , diagnostics(channel, &UpstreamChannel::diagnosticLine)
        , closed(channel, &UpstreamChannel::closed)
    {}

    QList<QJsonObject> received() const { return firstArguments<QJsonObject>(messages); }

    // The response to `id` once it came (an empty object if it did not within the deadline).
    QJsonObject response(const QJsonValue &id, int timeoutMs = 5000) const
    {
        QJsonObject found;
        waitUntil(
            [&]() {
                for (const QJsonObject &each : received()) {
                    if (isFinalResponse(each) && each.value("id"_L1) == id)
                        found = each;
                }
                return !found.isEmpty();
            },
            timeoutMs);
        return found;
    }

    int countOf(const QJsonValue &id) const
    {
        int count = 0;
        for (const QJsonObject &each : received())
            count += isFinalResponse(each) && each.value("id"_L1) == id ? 1 : 0;
        return count;
    }

    int countMethod(const QString &method) const
    {
        int count = 0;
        for (const QJsonObject &each : received())
            count += each.value("method"_L1).toString() == method ? 1 : 0;
        return count;
    }

    QString closedReason() const
    {
        return closed.isEmpty() ? QString() : closed.first().first().toString();
    }
    bool closedExpected() const { return !closed.isEmpty() && closed.first().at(1).toBool(); }
    QString allLines(const QSignalSpy &spy) const
    {
        return firstArguments<QString>(spy).join(u" | "_s);
    }

    QSignalSpy opened;
    QSignalSpy messages;
    QSignalSpy problems;
    QSignalSpy diagnostics;
    QSignalSpy closed;
};

// Opens `channel`, initializes in `revision` and sends notifications/initialized; empty when
// all went well, else what did not.
QString handshake(UpstreamChannel *channel, const Recorder &recorder,
                  const QByteArray &revision = kLatestRevision)
{
    channel->open();
    if (!waitUntil([&]() { return !recorder.opened.isEmpty() || !recorder.closed.isEmpty(); }))
        return u"neither opened() nor closed()"_s;
    if (!recorder.closed.isEmpty())
        return u"closed: "_s + recorder.closedReason();
    channel->send(initializeMessage(revision));
    const QJsonObject answer = recorder.response(0);
    if (!answer.contains("result"_L1))
        return u"initialize: "_s + QString::fromUtf8(QJsonDocument(answer).toJson())
               + recorder.closedReason();
    channel->send(initializedMessage());
    return {};
}

// What a scripted Streamable HTTP server answers to the handshake: initialize (choosing
// 2025-06-18, with a session id), 202 to notifications, 405 to GET. False for anything else.
bool answerHandshake(const QHttpServerRequest &request, QHttpServerResponder &responder)
{
    if (request.method() == QHttpServerRequest::Method::Get) {
        responder.write(QHttpServerResponder::StatusCode::MethodNotAllowed);
        return true;
    }
    const QJsonObject in = QJsonDocument::fromJson(request.body()).object();
    if (in.value("method"_L1) == "initialize"_L1) {
        const QJsonObject answer{
            {"jsonrpc"_L1, u"2.0"_s},
            {"id"_L1, in.value("id"_L1)},
            {"result"_L1, QJsonObject{{"protocolVersion"_L1, u"2025-06-18"_s},
                                      {"capabilities"_L1, QJsonObject()},
                                      {"serverInfo"_L1, QJsonObject{{"name"_L1, u"stub"_s}}}}}};
        responder.write(QJsonDocument(answer), {{"Mcp-Session-Id", "stub-session-1"}},
                        QHttpServerResponder::StatusCode::Ok);
        return true;
    }
    if (!in.contains("id"_L1)) {
        responder.write(QHttpServerResponder::StatusCode::Accepted);
        return true;
    }
    return false;
}

QJsonObject echoCall(int id, const QString &text)
{
    return message(toolCallBody(id, u"echo"_s, {{"message"_L1, text}}));
}

} // namespace

class tst_RemoteChannels final : public InProcessServerTest
{
    Q_OBJECT

public:
    tst_RemoteChannels()
        : InProcessServerTest(loopbackConfig(50, 50))
    {}

private Q_SLOTS:
    void streamableHttpKeepsTheSessionAndRevision();
    void streamableHttpSendsItsHeadersAndOnlyTheConfiguredOnes();
    void slowCallArrivesOnAnEventStreamWithItsProgress();
    void getStreamReceivesTheServersListChanged();
    void postStreamClosedEarlyIsResumedWithLastEventId();
    void closeDeletesTheSession();
    void expiredSessionClosesTheChannelUnexpectedly();
    void answerPastTheCapIsDroppedAndTheRequestAnswered();
    void eventPastTheCapDropsItsStream();
    void configuredAuthorizationHeaderIsSent();
    void legacySseUsesTheEndpointEvent();
    void legacySseRefusesAForeignEndpoint();
    void legacyStreamEndClosesTheChannel();
    void fallbackTakesLegacySseWhenPostIsRefused();
    void fallbackKeepsStreamableHttpWhenItWorks();
    void fallbackFailingBothWaysSaysWhy();
    void badUrlIsRefusedAtOpen_data();
    void badUrlIsRefusedAtOpen();

private:
    // A Streamable HTTP channel to the server of the test, opened and initialized, in
    // m_channel and m_recorder; empty when that went well, else what did not.
    QString connectStreamable(const StreamableHttpChannel::Options &options = {})
    {
        m_channel = std::make_unique<StreamableHttpChannel>(QUrl(m_server->mcpUrl()),
                                                            QHash<QString, QString>(), options);
        m_recorder = std::make_unique<Recorder>(m_channel.get());
        return handshake(m_channel.get(), *m_recorder);
    }

    void cleanupBeforeStop() override
    {
        m_recorder.reset();
        m_channel.reset();
    }

    McpSession *onlySession() const
    {
        const QList<McpSession *> sessions = m_server->sessions()->all();
        return sessions.size() == 1 ? sessions.first() : nullptr;
    }

    std::unique_ptr<StreamableHttpChannel> m_channel;
    std::unique_ptr<Recorder> m_recorder;
};

void tst_RemoteChannels::streamableHttpKeepsTheSessionAndRevision()
{
    QVERIFY(startServer(testConfig()));
    const QString failed = connectStreamable();
    QVERIFY2(failed.isEmpty(), qPrintable(failed));
    QCOMPARE(m_recorder->opened.size(), 1);

    // The session the server made is the one the channel carries on.
    McpSession *session = onlySession();
    QVERIFY(session);
    QCOMPARE(m_channel->sessionId(), session->id().toLatin1());
    QCOMPARE(m_channel->protocolVersion(), QByteArray(kLatestRevision));

    // Without the session header these would be refused with 400.
    m_channel->send(message(requestBody(1, u"tools/list"_s)));
    const QJsonObject tools = m_recorder->response(1);
    QStringList names;
    for (const QJsonValue &tool : tools.value("result"_L1).toObject().value("tools"_L1).toArray())
        names.append(tool.toObject().value("name"_L1).toString());
    QVERIFY2(names.contains(u"echo"_s), qPrintable(names.join(u',')));
    m_channel->send(echoCall(2, u"héllo"_s));
    QCOMPARE(firstContentText(m_recorder->response(2)), u"héllo"_s);
    QCOMPARE(m_server->sessions()->count(), 1);
    QVERIFY2(m_recorder->problems.isEmpty(),
             qPrintable(m_recorder->allLines(m_recorder->problems)));
    QVERIFY(m_recorder->closed.isEmpty());
}

void tst_RemoteChannels::streamableHttpSendsItsHeadersAndOnlyTheConfiguredOnes()
{
    struct Seen
    {
        QByteArray method;
        QHash<QByteArray, QByteArray> headers;
    };
    QList<Seen> seen;
    TestHttpServer stub;
    stub.route(u"/mcp"_s, [&seen](const QHttpServerRequest &request,
                                  QHttpServerResponder &&responder) {
        Seen one;
        one.method = request.method() == QHttpServerRequest::Method::Get ? "GET" : "POST";
        for (const auto &header : request.headers())
            one.headers.insert(header.first.toLower(), header.second);
        seen.append(one);
        if (!answerHandshake(request, responder)) {
            // A batch: a log notification, then the response.
            const QJsonValue id = QJsonDocument::fromJson(request.body()).object().value("id"_L1);
            const QJsonArray batch{
                QJsonObject{{"jsonrpc"_L1, u"2.0"_s},
                            {"method"_L1, u"notifications/message"_s},
                            {"params"_L1, QJsonObject{{"level"_L1, u"info"_s}, {"data"_L1, 1}}}},
                QJsonObject{{"jsonrpc"_L1, u"2.0"_s},
                            {"id"_L1, id},
                            {"result"_L1, QJsonObject{{"tools"_L1, QJsonArray()}}}}};
            responder.write(QJsonDocument(batch), QHttpServerResponder::StatusCode::Ok);
        }
    });
    QVERIFY(stub.listen());

    const QUrl url(u"http://127.0.0.1:%1/mcp"_s.arg(stub.port()));
    StreamableHttpChannel channel(url, {{u"X-Api-Key"_s, u"configured"_s}}, {});
    Recorder recorder(&channel);
    const QString failed = handshake(&channel, recorder);
    QVERIFY2(failed.isEmpty(), qPrintable(failed));
    channel.send(message(requestBody(1, u"tools/list"_s)));
    QVERIFY(recorder.response(1).contains("result"_L1));
    QCOMPARE(recorder.countMethod(u"notifications/message"_s), 1);
    // After notifications/initialized went out, the GET stream is tried; 405 is no failure.
    QTRY_VERIFY_WITH_TIMEOUT(!recorder.diagnostics.isEmpty(), 5000);
    QVERIFY(recorder.allLines(recorder.diagnostics).contains(u"405"_s));
    QVERIFY(recorder.closed.isEmpty());

    QCOMPARE(seen.size(), 4); // initialize, initialized, GET, tools/list (GET may come last)
    const Seen &first = seen.at(0);
    QCOMPARE(first.method, QByteArray("POST"));
    QVERIFY(!first.headers.contains("mcp-session-id"));
    QVERIFY(!first.headers.contains("mcp-protocol-version"));
    for (const Seen &each : seen) {
        QCOMPARE(each.headers.value("x-api-key"), QByteArray("configured"));
        QVERIFY2(!each.headers.contains("authorization"), each.method.constData());
        QVERIFY(!each.headers.contains("cookie"));
        if (each.method == "POST") {
            QCOMPARE(each.headers.value("accept"),
                     QByteArray("application/json, text/event-stream"));
            QCOMPARE(each.headers.value("content-type"), QByteArray("application/json"));
        } else {
            QCOMPARE(each.headers.value("accept"), QByteArray("text/event-stream"));
        }
    }
    for (const Seen &each : seen.mid(1)) {
        QCOMPARE(each.headers.value("mcp-session-id"), QByteArray("stub-session-1"));
        // The revision the server chose, not the one the client asked for.
        QCOMPARE(each.headers.value("mcp-protocol-version"), QByteArray("2025-06-18"));
    }
}

void tst_RemoteChannels::slowCallArrivesOnAnEventStreamWithItsProgress()
{
    QVERIFY(startServer(testConfig()));
    const QString failed = connectStreamable();
    QVERIFY2(failed.isEmpty(), qPrintable(failed));

    m_channel->send(message(
        toolCallBody(3, u"sleep"_s, {{"ms"_L1, 300}, {"progressEveryMs"_L1, 50}}, u"tok"_s)));
    const QJsonObject answer = m_recorder->response(3);
    QVERIFY(answer.contains("result"_L1));
    QCOMPARE(m_recorder->countOf(3), 1);
    // The progress came first, on the call's own stream.
    int progress = 0;
    for (const QJsonObject &each : m_recorder->received()) {
        if (each.value("method"_L1) == "notifications/progress"_L1) {
            QCOMPARE(each.value("params"_L1).toObject().value("progressToken"_L1),
                     QJsonValue(u"tok"_s));
            ++progress;
        }
        if (isFinalResponse(each) && each.value("id"_L1) == QJsonValue(3))
            break;
    }
    QVERIFY2(progress >= 2, qPrintable(QString::number(progress)));
}

void tst_RemoteChannels::getStreamReceivesTheServersListChanged()
{
    QVERIFY(startServer(testConfig()));
    const QString failed = connectStreamable();
    QVERIFY2(failed.isEmpty(), qPrintable(failed));
    McpSession *session = onlySession();
    QVERIFY(session);
    QTRY_VERIFY_WITH_TIMEOUT(session->hasStandaloneStream(), 5000);

    QString error;
    QVERIFY2(m_server->control()->setToolEnabled(u"now"_s, false, &error), qPrintable(error));
    QTRY_VERIFY_WITH_TIMEOUT(m_recorder->countMethod(u"notifications/tools/list_changed"_s) == 1,
                             5000);
}

void tst_RemoteChannels::postStreamClosedEarlyIsResumedWithLastEventId()
{
    ServerConfig config = testConfig();
    config.pollCloseAfterMs = 150; // the server ends long POST streams early...
    config.retryMs = 100;          // ...and tells the client when to come back
    QVERIFY(startServer(config));
    QSignalSpy disconnects(m_server->monitor(), &Monitor::disconnected);
    const QString failed = connectStreamable();
    QVERIFY2(failed.isEmpty(), qPrintable(failed));

    m_channel->send(
        message(toolCallBody(5, u"sleep"_s, {{"ms"_L1, 700}, {"progressEveryMs"_L1, 50}}, 5)));
    const QJsonObject answer = m_recorder->response(5, 10000);
    QVERIFY2(answer.contains("result"_L1), qPrintable(m_recorder->allLines(m_recorder->problems)));
    QCOMPARE(m_recorder->countOf(5), 1);
    bool pollClose = false;
    for (const DisconnectEvent &event : firstArguments<DisconnectEvent>(disconnects))
        pollClose = pollClose || event.cause == DisconnectCause::PollClose;
    QVERIFY2(pollClose, "the server should have ended the POST stream early");
    // Every progress notification arrived once: the resumption replayed nothing twice.
    QList<double> progress;
    for (const QJsonObject &each : m_recorder->received()) {
        if (each.value("method"_L1) == "notifications/progress"_L1)
            progress.append(each.value("params"_L1).toObject().value("progress"_L1).toDouble());
    }
    QVERIFY(progress.size() >= 5);
    for (qsizetype i = 1; i < progress.size(); ++i)
        QVERIFY(progress.at(i) > progress.at(i - 1));
    QVERIFY(m_recorder->closed.isEmpty());
}

void tst_RemoteChannels::closeDeletesTheSession()
{
    QVERIFY(startServer(testConfig()));
    const QString failed = connectStreamable();
    QVERIFY2(failed.isEmpty(), qPrintable(failed));
    QCOMPARE(m_server->sessions()->count(), 1);

    m_channel->close();
    QVERIFY(m_recorder->closed.wait(5000));
    QVERIFY(m_recorder->closedExpected());
    // closed() follows the DELETE's answer: the session is gone by then.
    QCOMPARE(m_server->sessions()->count(), 0);
    QCOMPARE(m_recorder->closed.size(), 1);
    m_channel->send(echoCall(9, u"late"_s)); // dropped, nothing more is emitted
    QTest::qWait(0);
    QCOMPARE(m_recorder->countOf(9), 0);
}

void tst_RemoteChannels::expiredSessionClosesTheChannelUnexpectedly()
{
    QVERIFY(startServer(testConfig()));
    const QString failed = connectStreamable();
    QVERIFY2(failed.isEmpty(), qPrintable(failed));

    m_server->sessions()->terminateAll(DisconnectCause::SessionExpired, u"test"_s);
    m_channel->send(echoCall(4, u"anyone?"_s));
    QVERIFY(m_recorder->closed.wait(5000));
    QVERIFY(!m_recorder->closedExpected());
    QVERIFY2(m_recorder->closedReason().startsWith(u"session expired"_s),
             qPrintable(m_recorder->closedReason()));
    QVERIFY2(m_recorder->closedReason().contains(u"404"_s), qPrintable(m_recorder->closedReason()));
}

void tst_RemoteChannels::answerPastTheCapIsDroppedAndTheRequestAnswered()
{
    QVERIFY(startServer(testConfig()));
    StreamableHttpChannel::Options options;
    options.maxMessageBytes = 2048;
    const QString failed = connectStreamable(options);
    QVERIFY2(failed.isEmpty(), qPrintable(failed));

    m_channel->send(echoCall(6, QString(4000, u'x')));
    const QJsonObject refused = m_recorder->response(6);
    QVERIFY2(refused.contains("error"_L1),
             qPrintable(QString::fromUtf8(QJsonDocument(refused).toJson())));
    QVERIFY(m_recorder->allLines(m_recorder->problems).contains(u"2048"_s));
    // The channel goes on.
    m_channel->send(echoCall(7, u"small"_s));
    QCOMPARE(firstContentText(m_recorder->response(7)), u"small"_s);
    QVERIFY(m_recorder->closed.isEmpty());
}

void tst_RemoteChannels::eventPastTheCapDropsItsStream()
{
    TestHttpServer stub;
    stub.route(u"/mcp"_s, [](const QHttpServerRequest &request, QHttpServerResponder &&responder) {
        if (answerHandshake(request, responder))
            return;
        const QJsonValue id = QJsonDocument::fromJson(request.body()).object().value("id"_L1);
        const QJsonObject huge{{"jsonrpc"_L1, u"2.0"_s},
                               {"id"_L1, id},
                               {"result"_L1, QJsonObject{{"pad"_L1, QString(4000, u'x')}}}};
        responder.write("data: " + QJsonDocument(huge).toJson(QJsonDocument::Compact) + "\n\n",
                        "text/event-stream");
    });
    QVERIFY(stub.listen());
    StreamableHttpChannel::Options options;
    options.maxMessageBytes = 2048;
    StreamableHttpChannel channel(QUrl(u"http://127.0.0.1:%1/mcp"_s.arg(stub.port())), {}, options);
    Recorder recorder(&channel);
    const QString failed = handshake(&channel, recorder);
    QVERIFY2(failed.isEmpty(), qPrintable(failed));

    channel.send(message(requestBody(1, u"tools/list"_s)));
    const QJsonObject answer = recorder.response(1);
    // Not the huge result: the request is answered with an error, the stream dropped.
    QVERIFY(answer.contains("error"_L1));
    QVERIFY(recorder.allLines(recorder.problems).contains(u"2048"_s));
    QCOMPARE(recorder.countOf(1), 1);
    QVERIFY(recorder.closed.isEmpty());
}

void tst_RemoteChannels::configuredAuthorizationHeaderIsSent()
{
    ServerConfig config = testConfig();
    config.token = u"s3cret-token"_s;
    QVERIFY(startServer(config));

    StreamableHttpChannel without(QUrl(m_server->mcpUrl()), {}, {});
    Recorder refused(&without);
    without.open();
    QVERIFY(refused.opened.wait(5000));
    without.send(initializeMessage());
    QVERIFY(refused.closed.wait(5000));
    QVERIFY(!refused.closedExpected());
    QVERIFY2(refused.closedReason().startsWith(u"HTTP 401"_s), qPrintable(refused.closedReason()));

    StreamableHttpChannel with(QUrl(m_server->mcpUrl()),
                               {{u"Authorization"_s, u"Bearer s3cret-token"_s}}, {});
    Recorder accepted(&with);
    const QString failed = handshake(&with, accepted);
    QVERIFY2(failed.isEmpty(), qPrintable(failed));
    with.send(echoCall(1, u"authorized"_s));
    QCOMPARE(firstContentText(accepted.response(1)), u"authorized"_s);
}

void tst_RemoteChannels::legacySseUsesTheEndpointEvent()
{
    QVERIFY(startServer(testConfig()));
    SseChannel channel(QUrl(m_server->baseUrl() + u"/sse"_s), {});
    Recorder recorder(&channel);
    const QString failed = handshake(&channel, recorder, "2024-11-05");
    QVERIFY2(failed.isEmpty(), qPrintable(failed));
    QCOMPARE(channel.endpoint().path(), u"/messages"_s);
    QCOMPARE(channel.endpoint().port(), int(m_port));
    QCOMPARE(recorder.response(0).value("result"_L1).toObject().value("protocolVersion"_L1),
             QJsonValue(u"2024-11-05"_s));

    channel.send(echoCall(1, u"legacy"_s));
    QCOMPARE(firstContentText(recorder.response(1)), u"legacy"_s);
    channel.send(
        message(toolCallBody(2, u"sleep"_s, {{"ms"_L1, 200}, {"progressEveryMs"_L1, 50}}, 2)));
    QVERIFY(recorder.response(2).contains("result"_L1));
    QVERIFY(recorder.countMethod(u"notifications/progress"_s) >= 2);
    QCOMPARE(m_server->sessions()->count(), 1);

    channel.close();
    QVERIFY(recorder.closed.wait(5000));
    QVERIFY(recorder.closedExpected());
    // Leaving the stream is how a legacy session ends.
    QTRY_COMPARE_WITH_TIMEOUT(m_server->sessions()->count(), 0, 5000);
}

void tst_RemoteChannels::legacySseRefusesAForeignEndpoint()
{
    TestHttpServer stub;
    stub.route(u"/sse"_s, [](const QHttpServerRequest &, QHttpServerResponder &&responder) {
        // localhost is not 127.0.0.1: the same machine, another origin.
        responder.write("event: endpoint\ndata: http://localhost:1/messages\n\n",
                        "text/event-stream");
    });
    QVERIFY(stub.listen());
    SseChannel channel(QUrl(u"http://127.0.0.1:%1/sse"_s.arg(stub.port())), {});
    Recorder recorder(&channel);
    channel.open();
    QVERIFY(recorder.closed.wait(5000));
    QVERIFY(recorder.opened.isEmpty());
    QVERIFY(!recorder.closedExpected());
    QVERIFY2(recorder.closedReason().contains(u"another origin"_s),
             qPrintable(recorder.closedReason()));
}

void tst_RemoteChannels::legacyStreamEndClosesTheChannel()
{
    QVERIFY(startServer(testConfig()));
    SseChannel channel(QUrl(m_server->baseUrl() + u"/sse"_s), {});
    Recorder recorder(&channel);
    channel.open();
    QVERIFY(recorder.opened.wait(5000));
    // The legacy transport has no resumption: a lost stream is a lost session.
    m_server->sessions()->terminateAll(DisconnectCause::SessionExpired, u"test"_s);
    QVERIFY(recorder.closed.wait(5000));
    QVERIFY(!recorder.closedExpected());
    QVERIFY2(recorder.closedReason().contains(u"ended"_s), qPrintable(recorder.closedReason()));
    channel.send(echoCall(1, u"after the end"_s)); // dropped: nothing more is emitted
    QTest::qWait(0);
    QCOMPARE(recorder.closed.size(), 1);
    QVERIFY(recorder.messages.isEmpty());
}

void tst_RemoteChannels::fallbackTakesLegacySseWhenPostIsRefused()
{
    QVERIFY(startServer(testConfig()));
    // Heartline's /sse answers POST with 405, as a server of the old generation would.
    FallbackChannel channel(QUrl(m_server->baseUrl() + u"/sse"_s), {});
    Recorder recorder(&channel);
    const QString failed = handshake(&channel, recorder, "2024-11-05");
    QVERIFY2(failed.isEmpty(), qPrintable(failed));
    QVERIFY(channel.usesLegacySse());
    QCOMPARE(recorder.opened.size(), 1);
    QCOMPARE(recorder.countOf(0), 1);
    QVERIFY(recorder.allLines(recorder.diagnostics).contains(u"405"_s));
    QVERIFY(channel.describe().contains(u"legacy SSE"_s));

    channel.send(echoCall(1, u"fell back"_s));
    QCOMPARE(firstContentText(recorder.response(1)), u"fell back"_s);
    QCOMPARE(m_server->sessions()->count(), 1);
    channel.close();
    QVERIFY(recorder.closed.wait(5000));
    QVERIFY(recorder.closedExpected());
}

void tst_RemoteChannels::fallbackKeepsStreamableHttpWhenItWorks()
{
    QVERIFY(startServer(testConfig()));
    FallbackChannel channel(QUrl(m_server->mcpUrl()), {});
    Recorder recorder(&channel);
    const QString failed = handshake(&channel, recorder);
    QVERIFY2(failed.isEmpty(), qPrintable(failed));
    QVERIFY(!channel.usesLegacySse());
    channel.send(echoCall(1, u"modern"_s));
    QCOMPARE(firstContentText(recorder.response(1)), u"modern"_s);
    McpSession *session = onlySession();
    QVERIFY(session);
    QCOMPARE(session->info().transport, TransportKind::StreamableHttp);
}

void tst_RemoteChannels::fallbackFailingBothWaysSaysWhy()
{
    QVERIFY(startServer(testConfig()));
    FallbackChannel channel(QUrl(m_server->baseUrl() + u"/nowhere"_s), {});
    Recorder recorder(&channel);
    channel.open();
    QVERIFY(recorder.opened.wait(5000));
    channel.send(initializeMessage());
    QVERIFY(recorder.closed.wait(5000));
    QVERIFY(!recorder.closedExpected());
    const QString reason = recorder.closedReason();
    QVERIFY2(reason.startsWith(u"Streamable HTTP: HTTP 404"_s), qPrintable(reason));
    QVERIFY2(reason.contains(u"legacy SSE: HTTP 404"_s), qPrintable(reason));
    QCOMPARE(recorder.closed.size(), 1);
    QVERIFY(recorder.messages.isEmpty());
}

void tst_RemoteChannels::badUrlIsRefusedAtOpen_data()
{
    QTest::addColumn<int>("transport");
    QTest::addColumn<QString>("url");
    const QList<std::pair<const char *, UpstreamServerConfig::Transport>> transports{
        {"http", UpstreamServerConfig::Transport::StreamableHttp},
        {"sse", UpstreamServerConfig::Transport::Sse},
        {"fallback", UpstreamServerConfig::Transport::HttpThenSse}};
    for (const auto &[name, transport] : transports) {
        QTest::addRow("%s: not http", name) << int(transport) << u"ftp://127.0.0.1/mcp"_s;
        QTest::addRow("%s: no scheme", name) << int(transport) << u"127.0.0.1:8650/mcp"_s;
        QTest::addRow("%s: no host", name) << int(transport) << u"http:///mcp"_s;
        QTest::addRow("%s: credentials", name)
            << int(transport) << u"http://user:pw@127.0.0.1:1/mcp"_s;
        QTest::addRow("%s: garbage", name) << int(transport) << u"http://[::1/mcp"_s;
    }
}

void tst_RemoteChannels::badUrlIsRefusedAtOpen()
{
    QFETCH(int, transport);
    QFETCH(QString, url);
    UpstreamServerConfig config;
    config.transport = UpstreamServerConfig::Transport(transport);
    config.url = url;
    std::unique_ptr<UpstreamChannel> channel(createRemoteChannel(config));
    QVERIFY(channel);
    Recorder recorder(channel.get());
    channel->open();
    QVERIFY(recorder.closed.isEmpty()); // reported from the event loop, never inside open()
    QVERIFY(recorder.closed.wait(2000));
    QVERIFY(recorder.opened.isEmpty());
    QVERIFY(!recorder.closedExpected());
    QVERIFY2(recorder.closedReason().contains(u"url"_s), qPrintable(recorder.closedReason()));
}

HEARTLINE_SERVER_TEST_MAIN(tst_RemoteChannels)
#include "tst_remotechannels.moc"
