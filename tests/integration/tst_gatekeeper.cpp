// The Gatekeeper and the HTTP front's other refusals, against the real server in this process
// on port 0 with small limits: oversized and malformed requests (431, 413, 400) refused before
// QHttpServer buffers them, the connection caps (503), slow clients (408) next to long
// responses that must never be cut, pipelining, the per-peer rate limit (429), the opt-in
// ?token= query, and how a peer's FIN and RST are told apart; pipelined answers in request
// order, refusals after the response before them and with CORS headers, keep-alive idle close.

#include "tests/support/mcptestsupport.h"
#include "tests/support/rawhttpclient.h"

#include "server/api/monitor.h"
#include "server/core/heartlineserver.h"
#include "server/protocol/catalog/toolregistry.h"
#include "server/session/sessionstore.h"
#include "tests/support/inprocessserver.h"
#include "tests/support/servertestmain.h"

#include <QLoggingCategory>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>
#include <QTimer>

#include <algorithm>
#include <memory>

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace Qt::StringLiterals;
using namespace heartline;
using namespace heartline::testing;

namespace {

constexpr int kMaxHead = 4096;
constexpr qint64 kMaxBody = 64 * 1024;
constexpr int kShortTimeoutMs = 400;
constexpr char kToken[] = "s3cret-Token";

ServerConfig gatekeeperConfig()
{
    ServerConfig config = loopbackConfig(0, 20);
    config.maxHeaderBytes = kMaxHead;
    config.maxBodyBytes = kMaxBody;
    // Long enough that only the tests about slow clients ever meet it.
    config.requestTimeoutMs = 10000;
    return config;
}

// `config` with the per-peer rate limit applied to loopback clients too.
ServerConfig rateLimited(ServerConfig config, int perSecond, int burst)
{
    config.rateLimitPerSecond = perSecond;
    config.rateLimitBurst = burst;
    config.rateLimitLoopback = true;
    return config;
}

// Whether an event of `cause` whose detail contains `fragment` was reported.
bool wasReported(const QSignalSpy &spy, const QString &cause, const QString &fragment,
                 DisconnectEvent *found = nullptr)
{
    for (const DisconnectEvent &event : firstArguments<DisconnectEvent>(spy)) {
        if (DisconnectCauses::name(event.cause) == cause && event.detail.contains(fragment)) {
            if (found)
                *found = event;
            return true;
        }
    }
    return false;
}

QByteArray head(const QByteArray &requestLine, const QList<QByteArray> &lines = {})
{
    QByteArray bytes = requestLine + "\r\nHost: 127.0.0.1\r\n";
    for (const QByteArray &line : lines)
        bytes += line + "\r\n";
    return bytes + "\r\n";
}

// A POST of `body` to /mcp in `session`, as bytes to pipeline.
QByteArray mcpPost(const McpTestSession &session, const QByteArray &body,
                   const QList<QByteArray> &more = {})
{
    QList<QByteArray> lines;
    for (const auto &[name, value] : session.post())
        lines.append(name + ": " + value);
    lines += more;
    lines.append("Content-Length: " + QByteArray::number(body.size()));
    return head("POST /mcp HTTP/1.1", lines) + body;
}

QByteArray chunk(const QByteArray &payload)
{
    return QByteArray::number(payload.size(), 16) + "\r\n" + payload + "\r\n";
}

// Checks a refusal as the Gatekeeper writes it; empty when it is one.
QString refusalProblem(const HttpResponse &response, int status, const QString &fragment)
{
    if (!response.complete)
        return u"no complete response: "_s + response.describe();
    if (response.status != status)
        return u"status %1, expected %2: "_s.arg(response.status).arg(status) + response.describe();
    if (response.mediaType() != "application/json")
        return u"not application/json: "_s + response.describe();
    if (response.header("Connection").toLower() != "close")
        return u"no 'Connection: close': "_s + response.describe();
    if (!response.hasHeader("Content-Length"))
        return u"no Content-Length: "_s + response.describe();
    const QJsonObject body = response.jsonObject();
    const QJsonObject error = body.value("error"_L1).toObject();
    if (body.value("jsonrpc"_L1).toString() != "2.0"_L1 || !body.value("id"_L1).isNull()
        || error.value("code"_L1).toInt() != -32000)
        return u"not a JSON-RPC error without id: "_s + response.describe();
    if (!error.value("message"_L1).toString().contains(fragment))
        return u"the message does not say '%1': "_s.arg(fragment) + response.describe();
    return {};
}

// A plain non-blocking POSIX socket: unlike QTcpSocket it stays open for writing after the
// server has ended its side, as a client still sending its request does.
class PosixClient final
{
public:
    ~PosixClient()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }

    bool connectTo(quint16 port)
    {
        m_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in address = {};
        address.sin_family = AF_INET;
        address.sin_port = htons(port);
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (m_fd < 0
            || ::connect(m_fd, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0)
            return false;
        return ::fcntl(m_fd, F_SETFL, O_NONBLOCK) == 0;
    }

    bool write(const QByteArray &bytes)
    {
        return ::send(m_fd, bytes.constData(), size_t(bytes.size()), MSG_NOSIGNAL) == bytes.size();
    }

    // Reads what has arrived; true once the server has ended its side (EOF).
    bool pump()
    {
        char buffer[4096];
        while (true) {
            const ssize_t n = ::recv(m_fd, buffer, sizeof buffer, 0);
            if (n > 0) {
                m_received.append(buffer, n);
                continue;
            }
            if (n == 0)
                m_ended = true;
            return m_ended;
        }
    }

    QByteArray received() const { return m_received; }

private:
    int m_fd = -1;
    QByteArray m_received;
    bool m_ended = false;
};

} // namespace

class tst_Gatekeeper final : public InProcessServerTest
{
    Q_OBJECT

public:
    tst_Gatekeeper()
        : InProcessServerTest(gatekeeperConfig())
    {}

private Q_SLOTS:
    // Requests refused before QHttpServer sees them; each answered once, then closed
    void refusesOversizedOrMalformedRequests_data();
    void refusesOversizedOrMalformedRequests();
    void refusesHugeContentLengthBeforeTheBodyIsSent();
    void refusedConnectionIsNotReadAnyFurther();
    void refusesChunkedBodyOncePassingTheCap();
    void acceptsBodyAtTheCap_data();
    void acceptsBodyAtTheCap();

    // Connections
    void connectionCapsAnswer503_data();
    void connectionCapsAnswer503();
    void slowRequestIsClosed_data();
    void slowRequestIsClosed();
    void idleNewConnectionIsClosed();
    void longResponsesAreNeverTimedOut();
    void pipelinedAndKeptAliveRequestsAreServed();
    void cutsOffClientPipeliningTooFarAhead();
    void pipelinedAnswersComeInRequestOrder();
    void aRefusalWaitsForTheResponseBeforeIt();
    void refusalsCarryCorsHeaders();
    void notFoundAndWrongMethodsAreRateLimited();
    void anIdleKeptAliveConnectionIsClosed();
    void aConnectionCarryingAStreamIsNeverIdle();
    void raisesFileDescriptorSoftLimit();

    // The HTTP front
    void rateLimitAnswers429AndRecovers();
    void loopbackIsExemptFromRateLimitByDefault();
    void tokenInQueryOnlyWhenAllowed_data();
    void tokenInQueryOnlyWhenAllowed();

    // How connections end
    void peerResetAndPeerCloseAreToldApart_data();
    void peerResetAndPeerCloseAreToldApart();
    void serverCloseReachesThePeerPromptly();

private:
    // Empty when a plain request on a new connection is still answered.
    QString stillServes();
};

QString tst_Gatekeeper::stillServes()
{
    RawHttpClient client(m_port);
    const HttpResponse response = client.request("GET", "/healthz");
    if (response.status != 200 || response.jsonObject().value("status"_L1) != "ok"_L1)
        return u"the server no longer answers /healthz: "_s + response.describe();
    return {};
}

// --- Requests refused before QHttpServer sees them ---------------------------------------

void tst_Gatekeeper::refusesOversizedOrMalformedRequests_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("cause");
    QTest::addColumn<QString>("message");

    const QByteArray pad(kMaxHead + 100, 'a');
    QTest::newRow("headers over the cap") << head("GET /healthz HTTP/1.1", {"X-Pad: " + pad}) << 431
                                          << u"too_large"_s << u"exceed 4096 bytes"_s;
    QTest::newRow("request line over the cap") << head("GET /healthz?" + pad + " HTTP/1.1") << 431
                                               << u"too_large"_s << u"exceed 4096 bytes"_s;
    QList<QByteArray> fields;
    for (int i = 0; i <= 100; ++i)
        fields.append("X-F" + QByteArray::number(i) + ": v");
    QTest::newRow("more than 100 header fields")
        << head("GET /healthz HTTP/1.1", fields) << 431 << u"too_large"_s
        << u"more than 100 header fields"_s;
    QTest::newRow("Content-Length over the cap")
        << head("POST /mcp HTTP/1.1", {"Content-Length: " + QByteArray::number(kMaxBody + 1)})
        << 413 << u"too_large"_s << u"Content-Length: 65537"_s;
    QTest::newRow("chunk size over the cap")
        << head("POST /mcp HTTP/1.1", {"Transfer-Encoding: chunked"})
               + QByteArray::number(kMaxBody + 1, 16) + "\r\n"
        << 413 << u"too_large"_s << u"passes the limit of 65536 bytes"_s;
    QTest::newRow("header line without a colon")
        << head("GET /healthz HTTP/1.1", {"NoColonHere"}) << 400 << u"protocol_error"_s
        << u"is not 'Name: value'"_s;
    QTest::newRow("space in a header name") << head("GET /healthz HTTP/1.1", {"Bad Name: x"}) << 400
                                            << u"protocol_error"_s << u"is not 'Name: value'"_s;
    QTest::newRow("Content-Length not a number")
        << head("POST /mcp HTTP/1.1", {"Content-Length: ten"}) << 400 << u"protocol_error"_s
        << u"is not a number of bytes"_s;
    QTest::newRow("two different Content-Length")
        << head("POST /mcp HTTP/1.1", {"Content-Length: 2", "Content-Length: 3"}) + "ab" << 400
        << u"protocol_error"_s << u"two different Content-Length"_s;
    QTest::newRow("chunk size not hexadecimal")
        << head("POST /mcp HTTP/1.1", {"Transfer-Encoding: chunked"}) + "zz\r\n"
        << 400 << u"protocol_error"_s << u"is not hexadecimal"_s;
    QTest::newRow("trailer fields") << head("POST /mcp HTTP/1.1", {"Transfer-Encoding: chunked"})
                                           + chunk("{}") + "0\r\nX-Trailer: 1\r\n\r\n"
                                    << 400 << u"protocol_error"_s << u"trailer fields"_s;
}

void tst_Gatekeeper::refusesOversizedOrMalformedRequests()
{
    QFETCH(QByteArray, request);
    QFETCH(int, status);
    QFETCH(QString, cause);
    QFETCH(QString, message);

    QVERIFY(startServer());
    QSignalSpy disconnected(m_server->monitor(), &Monitor::disconnected);
    RawHttpClient client(m_port);
    QVERIFY(client.sendRaw(request));
    QVERIFY2(client.waitForComplete(), qPrintable(client.response().describe()));
    const QString problem = refusalProblem(client.response(), status, message);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));

    // Answered once - QHttpServer never saw the request - then closed by the server.
    QVERIFY(client.waitForDisconnected());
    QCOMPARE(client.unexpectedBytes(), QByteArray());
    DisconnectEvent event;
    QVERIFY(waitUntil([&]() { return wasReported(disconnected, cause, message, &event); }));
    QCOMPARE(event.peer, u"127.0.0.1"_s);
    const QString serves = stillServes();
    QVERIFY2(serves.isEmpty(), qPrintable(serves));
}

void tst_Gatekeeper::refusesHugeContentLengthBeforeTheBodyIsSent()
{
    QVERIFY(startServer());
    QSignalSpy disconnected(m_server->monitor(), &Monitor::disconnected);
    RawHttpClient client(m_port);
    // A gigabyte announced; not one byte of it is ever sent, and the answer comes anyway.
    QVERIFY(client.sendRaw(head("POST /mcp HTTP/1.1",
                                {"Content-Type: application/json", "Content-Length: 1073741824"})));
    QVERIFY2(client.waitForComplete(), qPrintable(client.response().describe()));
    const QString problem = refusalProblem(client.response(), 413, u"Content-Length: 1073741824"_s);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QVERIFY(client.waitForDisconnected());
    QVERIFY(
        waitUntil([&]() { return wasReported(disconnected, u"too_large"_s, u"1073741824"_s); }));
    const QString serves = stillServes();
    QVERIFY2(serves.isEmpty(), qPrintable(serves));
}

void tst_Gatekeeper::refusedConnectionIsNotReadAnyFurther()
{
    // QHttpServer is cut off a refused connection: what the client sends after the answer is
    // discarded, never parsed as a request (here one that would open a session).
    QVERIFY(startServer());
    PosixClient client;
    QVERIFY(client.connectTo(m_port));
    QVERIFY(client.write(head("POST /mcp HTTP/1.1", {"Content-Length: 1073741824"})));
    QVERIFY(waitUntil([&]() { return client.pump(); }));
    QVERIFY2(client.received().startsWith("HTTP/1.1 413 "), client.received().constData());

    const QByteArray body = initializeBody(kLatestRevision);
    QByteArray initialize = "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    for (const auto &header : postHeaders())
        initialize += header.first + ": " + header.second + "\r\n";
    initialize += "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
    QVERIFY(client.write(initialize));
    QVERIFY(!waitUntil([this]() { return m_server->sessions()->count() > 0; }, 300));
    QCOMPARE(client.received().count("HTTP/1.1"), 1);
    const QString serves = stillServes();
    QVERIFY2(serves.isEmpty(), qPrintable(serves));
}

void tst_Gatekeeper::refusesChunkedBodyOncePassingTheCap()
{
    QVERIFY(startServer());
    RawHttpClient client(m_port);
    QVERIFY(client.sendRaw(head("POST /mcp HTTP/1.1",
                                {"Content-Type: application/json", "Transfer-Encoding: chunked"})));
    // Exactly the cap so far, in chunks each well within it: not refused yet.
    for (int i = 0; i < 4; ++i)
        QVERIFY(client.sendRaw(chunk(QByteArray(kMaxBody / 4, ' '))));
    QVERIFY(!client.waitForHead(300));
    QVERIFY(client.isConnected());
    // One more byte passes it.
    QVERIFY(client.sendRaw(chunk(" ")));
    QVERIFY2(client.waitForComplete(), qPrintable(client.response().describe()));
    const QString problem =
        refusalProblem(client.response(), 413, u"passes the limit of 65536 bytes"_s);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QVERIFY(client.waitForDisconnected());
    const QString serves = stillServes();
    QVERIFY2(serves.isEmpty(), qPrintable(serves));
}

void tst_Gatekeeper::acceptsBodyAtTheCap_data()
{
    QTest::addColumn<bool>("chunked");
    QTest::addColumn<qint64>("size");
    QTest::newRow("Content-Length at the cap") << false << kMaxBody;
    QTest::newRow("Content-Length just under the cap") << false << kMaxBody - 1;
    QTest::newRow("chunked at the cap") << true << kMaxBody;
}

void tst_Gatekeeper::acceptsBodyAtTheCap()
{
    QFETCH(bool, chunked);
    QFETCH(qint64, size);

    QVERIFY(startServer());
    // initialize, padded with JSON whitespace to the size under test.
    QByteArray body = initializeBody(kLatestRevision);
    QVERIFY(body.size() < size);
    body += QByteArray(size - body.size(), ' ');

    RawHttpClient client(m_port);
    if (chunked) {
        RawHeaders headers = postHeaders();
        headers.append(qMakePair(QByteArray("Transfer-Encoding"), QByteArray("chunked")));
        QByteArray request = "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n";
        for (const auto &header : headers)
            request += header.first + ": " + header.second + "\r\n";
        request += "\r\n";
        for (qsizetype pos = 0; pos < body.size(); pos += 8192)
            request += chunk(body.mid(pos, 8192));
        request += "0\r\n\r\n";
        QVERIFY(client.sendRaw(request));
        QVERIFY(client.waitForComplete());
    } else {
        client.request("POST", "/mcp", postHeaders(), body);
    }
    const HttpResponse &response = client.response();
    QVERIFY2(response.status == 200, qPrintable(response.describe()));
    QVERIFY(response.hasHeader("Mcp-Session-Id"));
    QCOMPARE(response.jsonObject().value("result"_L1).toObject().value("protocolVersion"_L1),
             QJsonValue(QString::fromLatin1(kLatestRevision)));
    QVERIFY(client.isConnected());
}

// --- Connections -------------------------------------------------------------------------

void tst_Gatekeeper::connectionCapsAnswer503_data()
{
    QTest::addColumn<int>("total");
    QTest::addColumn<int>("perPeer");
    QTest::addColumn<QString>("message");
    QTest::newRow("connections in total") << 3 << 100 << u"limit of 3 open connections"_s;
    QTest::newRow("connections per peer")
        << 100 << 3 << u"127.0.0.1 has reached the limit of 3 open connections per peer"_s;
}

void tst_Gatekeeper::connectionCapsAnswer503()
{
    QFETCH(int, total);
    QFETCH(int, perPeer);
    QFETCH(QString, message);

    ServerConfig config = testConfig();
    config.maxConnections = total;
    config.maxConnectionsPerPeer = perPeer;
    QVERIFY(startServer(config));
    QSignalSpy disconnected(m_server->monitor(), &Monitor::disconnected);

    // Three connections the server has surely accepted: each was answered.
    std::vector<std::unique_ptr<RawHttpClient>> held;
    for (int i = 0; i < 3; ++i) {
        held.push_back(std::make_unique<RawHttpClient>(m_port));
        QCOMPARE(held.back()->request("GET", "/healthz").status, 200);
    }

    // The fourth is answered once its request head is read, with the CORS headers its Origin
    // earns (a browser client can read why), then closed.
    const QByteArray origin = "http://localhost:3000";
    RawHttpClient refused(m_port);
    QVERIFY(refused.send("GET", "/healthz", {{"Origin", origin}}));
    QVERIFY2(refused.waitForComplete(), qPrintable(refused.response().describe()));
    QString problem = refusalProblem(refused.response(), 503, message);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QCOMPARE(refused.response().header("Retry-After"), QByteArray("2"));
    QCOMPARE(refused.response().header("Access-Control-Allow-Origin"), origin);
    QVERIFY(refused.waitForDisconnected());
    QVERIFY(waitUntil([&]() { return wasReported(disconnected, u"rate_limited"_s, message); }));
    // One that asks nothing is answered all the same, without waiting for a head that never
    // comes longer than Gatekeeper::kRefusalHeadWaitMs.
    RawHttpClient silent(m_port);
    QVERIFY(silent.connectToServer());
    QVERIFY2(silent.waitForComplete(), qPrintable(silent.response().describe()));
    problem = refusalProblem(silent.response(), 503, message);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QVERIFY(!silent.response().hasHeader("Access-Control-Allow-Origin"));

    // The connections already open are unaffected, and one closing makes room.
    QCOMPARE(held.front()->request("GET", "/healthz").status, 200);
    held.back()->abort();
    QString served = u"not tried"_s;
    QVERIFY2(waitUntil([&]() {
                 if (!served.isEmpty())
                     served = stillServes();
                 return served.isEmpty();
             }),
             qPrintable(served));
}

void tst_Gatekeeper::slowRequestIsClosed_data()
{
    QTest::addColumn<bool>("afterRequest");
    QTest::newRow("first request: 408") << false;
    // After a request, a response may be going out: the connection is closed, never answered.
    QTest::newRow("next request on a kept-alive connection: closed") << true;
}

void tst_Gatekeeper::slowRequestIsClosed()
{
    QFETCH(bool, afterRequest);

    ServerConfig config = testConfig();
    config.requestTimeoutMs = kShortTimeoutMs;
    QVERIFY(startServer(config));
    QSignalSpy disconnected(m_server->monitor(), &Monitor::disconnected);

    RawHttpClient client(m_port);
    QVERIFY(client.connectToServer());
    if (afterRequest)
        QCOMPARE(client.request("GET", "/healthz").status, 200);

    // The client waits half the timeout, then sends its request one byte every 40 ms: never
    // quiet for long, but never done. The deadline counts from its first byte.
    const QByteArray request =
        "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + QByteArray(200, 'a') + "\r\n\r\n";
    int trickled = 0;
    qint64 firstByteMs = -1;
    QTimer trickle;
    trickle.setInterval(40);
    connect(&trickle, &QTimer::timeout, &client, [&]() {
        if (!client.isConnected() || trickled >= request.size())
            return;
        if (firstByteMs < 0)
            firstByteMs = monotonicMs();
        if (client.sendRaw(request.mid(trickled, 1)))
            ++trickled;
    });
    QTimer::singleShot(kShortTimeoutMs / 2, &trickle, qOverload<>(&QTimer::start));
    QVERIFY(client.waitForDisconnected(kShortTimeoutMs * 10));
    trickle.stop();
    const qint64 closedAfterMs = monotonicMs() - firstByteMs;

    QVERIFY(firstByteMs >= 0);
    QVERIFY2(closedAfterMs >= kShortTimeoutMs * 9 / 10, qPrintable(QString::number(closedAfterMs)));
    QVERIFY2(trickled >= 5, qPrintable(QString::number(trickled)));
    if (afterRequest) {
        QVERIFY2(!client.response().headComplete, qPrintable(client.response().describe()));
    } else {
        const QString problem =
            refusalProblem(client.response(), 408, u"not complete 400 ms after its first byte"_s);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
    }
    QVERIFY(waitUntil([&]() {
        return wasReported(disconnected, u"protocol_error"_s,
                           u"not complete 400 ms after its first byte (requestTimeoutMs)"_s);
    }));
    const QString serves = stillServes();
    QVERIFY2(serves.isEmpty(), qPrintable(serves));
}

void tst_Gatekeeper::idleNewConnectionIsClosed()
{
    ServerConfig config = testConfig();
    config.requestTimeoutMs = kShortTimeoutMs;
    QVERIFY(startServer(config));
    QSignalSpy disconnected(m_server->monitor(), &Monitor::disconnected);

    RawHttpClient client(m_port);
    QVERIFY(client.connectToServer());
    const qint64 connectedMs = monotonicMs();
    QVERIFY(client.waitForDisconnected(kShortTimeoutMs * 10));
    const qint64 closedAfterMs = monotonicMs() - connectedMs;
    QVERIFY2(closedAfterMs >= kShortTimeoutMs * 9 / 10, qPrintable(QString::number(closedAfterMs)));
    const QString problem = refusalProblem(client.response(), 408, u"no request arrived"_s);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QVERIFY(waitUntil([&]() {
        return wasReported(disconnected, u"protocol_error"_s,
                           u"within 400 ms of connecting (requestTimeoutMs)"_s);
    }));
    const QString serves = stillServes();
    QVERIFY2(serves.isEmpty(), qPrintable(serves));
}

void tst_Gatekeeper::longResponsesAreNeverTimedOut()
{
    ServerConfig config = testConfig();
    config.requestTimeoutMs = kShortTimeoutMs;
    config.heartbeatMs = 50;
    QVERIFY(startServer(config));
    QSignalSpy disconnected(m_server->monitor(), &Monitor::disconnected);
    const McpTestSession session = openSession(m_port);
    QVERIFY2(session.ok(), qPrintable(session.error));

    RawHttpClient stream(m_port);
    QVERIFY(stream.send("GET", "/mcp", session.get()));
    QVERIFY(stream.waitForHead());
    QCOMPARE(stream.response().status, 200);
    QVERIFY(stream.response().isEventStream());

    // A tool call answered after more than twice the request timeout...
    RawHttpClient call(m_port);
    const HttpResponse answered =
        call.request("POST", "/mcp", session.post(),
                     toolCallBody(7, u"sleep"_s, {{"ms"_L1, kShortTimeoutMs * 2 + 200}}), 10000);
    QVERIFY2(answered.complete && answered.status == 200, qPrintable(answered.describe()));
    const bool hasResult =
        answered.isEventStream()
            ? std::any_of(answered.sse.cbegin(), answered.sse.cend(),
                          [](const SseItem &item) { return item.message().contains("result"_L1); })
            : answered.jsonObject().contains("result"_L1);
    QVERIFY2(hasResult, qPrintable(answered.describe()));

    // ...while the GET stream, open all along, still is, and still carries heartbeats.
    QVERIFY(monotonicMs() - stream.requestSentMs() > kShortTimeoutMs * 2);
    const qsizetype beats = stream.response().heartbeats().size();
    QVERIFY(stream.waitForSse(
        [beats](const QList<SseItem> &items) {
            return std::count_if(items.cbegin(), items.cend(),
                                 [](const SseItem &item) { return item.isHeartbeat(); })
                   > beats + 1;
        },
        2000));
    QVERIFY(!stream.wasDisconnected());
    QVERIFY(!call.wasDisconnected());
    for (const DisconnectEvent &event : firstArguments<DisconnectEvent>(disconnected))
        QVERIFY2(event.cause != DisconnectCause::ProtocolError, qPrintable(event.detail));
}

void tst_Gatekeeper::pipelinedAndKeptAliveRequestsAreServed()
{
    QVERIFY(startServer());
    // Every head is under the cap, all of them together well over it: the framing starts
    // again with each request.
    const QByteArray pad = "X-Pad: " + QByteArray(kMaxHead / 3, 'p');
    const QByteArray body(1500, 'b');
    const QByteArray pipeline =
        head("GET /healthz HTTP/1.1", {pad})
        + head("POST /healthz HTTP/1.1", {pad, "Content-Length: 1500"}) + body
        + head("POST /healthz HTTP/1.1", {pad, "Transfer-Encoding: chunked"}) + chunk(body)
        + "0\r\n\r\n" + head("GET /healthz HTTP/1.1", {pad}) + head("GET /nowhere HTTP/1.1", {pad});

    RawHttpClient wire(m_port);
    // All at once, then again split at awkward places on the same connection.
    QVERIFY(wire.sendRaw(pipeline));
    QList<HttpResponse> responses = wire.waitForResponses(5);
    QCOMPARE(responses.size(), 5);
    const QList<int> expected{200, 200, 200, 200, 404};
    for (int i = 0; i < 5; ++i)
        QCOMPARE(responses.at(i).status, expected.at(i));

    qsizetype pos = 0;
    for (const qsizetype cut : {qsizetype(7), qsizetype(kMaxHead / 3 + 20), pipeline.size() / 2,
                                pipeline.size() - 3, pipeline.size()}) {
        QVERIFY(wire.sendMore(pipeline.mid(pos, cut - pos)));
        pos = cut;
        // Give the server a turn to read this piece by itself (correct either way).
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
    }
    responses += wire.waitForResponses(5);
    QCOMPARE(responses.size(), 10);
    for (int i = 0; i < 5; ++i)
        QCOMPARE(responses.at(5 + i).status, expected.at(i));
    QVERIFY(wire.isConnected());

    // A request with the first part of the next one behind it: the part is followed once,
    // though it is still unread when the server turns to it.
    const QByteArray big =
        head("GET /healthz HTTP/1.1", {"X-Pad: " + QByteArray(kMaxHead * 2 / 3, 'q')});
    QVERIFY(wire.sendMore(head("GET /healthz HTTP/1.1") + big.left(big.size() - 10)));
    responses += wire.waitForResponses(1);
    QCOMPARE(responses.size(), 11);
    QVERIFY(wire.sendMore(big.right(10)));
    responses += wire.waitForResponses(1);
    QCOMPARE(responses.size(), 12);
    QCOMPARE(responses.at(11).status, 200);

    // Keep-alive, one request after another, heads adding up to many times the cap.
    RawHttpClient client(m_port);
    for (int i = 0; i < 6; ++i)
        QCOMPARE(
            client.request("GET", "/healthz", {{"X-Pad", QByteArray(kMaxHead / 2, 'k')}}).status,
            200);
    QCOMPARE(client.connectionCount(), 1);
}

void tst_Gatekeeper::cutsOffClientPipeliningTooFarAhead()
{
    QVERIFY(startServer());
    QSignalSpy disconnected(m_server->monitor(), &Monitor::disconnected);
    // More than one largest request (head + body caps) queued behind the first at once.
    const QByteArray one = head("GET /healthz HTTP/1.1", {"X-Pad: " + QByteArray(3000, 'p')});
    QByteArray pipeline;
    while (pipeline.size() < 4 * (kMaxHead + kMaxBody))
        pipeline += one;
    RawHttpClient wire(m_port);
    QVERIFY(wire.sendRaw(pipeline));
    QVERIFY(wire.waitForDisconnected());
    QVERIFY(waitUntil(
        [&]() { return wasReported(disconnected, u"too_large"_s, u"pipelined requests"_s); }));
    const QString serves = stillServes();
    QVERIFY2(serves.isEmpty(), qPrintable(serves));
}

// RFC 9112 §9.3.2: a slow call pipelined before a fast one is still answered first.
void tst_Gatekeeper::pipelinedAnswersComeInRequestOrder()
{
    QVERIFY(startServer());
    const McpTestSession session = openSession(m_port);
    QVERIFY2(session.ok(), qPrintable(session.error));
    RawHttpClient wire(m_port);
    QVERIFY(wire.sendRaw(
        mcpPost(session, toolCallBody(1, u"sleep"_s, QJsonObject{{"ms"_L1, 300}}))
        + mcpPost(session, requestBody(2, u"ping"_s))
        + mcpPost(session, toolCallBody(3, u"echo"_s, QJsonObject{{"message"_L1, u"third"_s}}))));
    const QList<HttpResponse> responses = wire.waitForResponses(3);
    QCOMPARE(responses.size(), 3);
    for (int i = 0; i < 3; ++i) {
        QCOMPARE(responses.at(i).status, 200);
        QCOMPARE(finalAnswer(responses.at(i)).value("id"_L1).toInt(), i + 1);
    }
    QCOMPARE(firstContentText(finalAnswer(responses.at(2))), u"third"_s);
    QVERIFY(wire.unexpectedBytes().isEmpty());
    QVERIFY(wire.isConnected());
}

// A request refused behind one still being answered: the answer goes out whole, then the
// refusal, then the close - never a refusal inside the earlier body.
void tst_Gatekeeper::aRefusalWaitsForTheResponseBeforeIt()
{
    QVERIFY(startServer());
    const McpTestSession session = openSession(m_port);
    QVERIFY2(session.ok(), qPrintable(session.error));
    QSignalSpy disconnected(m_server->monitor(), &Monitor::disconnected);
    RawHttpClient wire(m_port);
    QVERIFY(wire.sendRaw(
        mcpPost(session,
                toolCallBody(1, u"sleep"_s, QJsonObject{{"ms"_L1, 300}, {"progressEveryMs"_L1, 50}},
                             u"progress-1"_s))
        + head("GET /healthz HTTP/1.1", {"X-Pad: " + QByteArray(kMaxHead * 2, 'p')})));
    // The refusal is decided at once; it is written only after the answer.
    QVERIFY(waitUntil(
        [&]() { return wasReported(disconnected, u"too_large"_s, u"Header Fields Too Large"_s); }));
    const QList<HttpResponse> responses = wire.waitForResponses(2);
    QCOMPARE(responses.size(), 2);
    QCOMPARE(finalAnswer(responses.at(0)).value("id"_L1).toInt(), 1);
    QVERIFY2(!responses.at(0).body.contains("Too Large"), responses.at(0).body.constData());
    const QString problem = refusalProblem(responses.at(1), 431, u"Header Fields Too Large"_s);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QVERIFY(wire.waitForDisconnected());
}

void tst_Gatekeeper::refusalsCarryCorsHeaders()
{
    QVERIFY(startServer());
    const QByteArray origin = "http://localhost:3000";
    // 413: the head is read, its Origin known.
    RawHttpClient tooLarge(m_port);
    QVERIFY(tooLarge.sendRaw(
        head("POST /mcp HTTP/1.1",
             {"Origin: " + origin, "Content-Length: " + QByteArray::number(kMaxBody + 1)})));
    QVERIFY(tooLarge.waitForComplete());
    QCOMPARE(tooLarge.response().status, 413);
    QCOMPARE(tooLarge.response().header("Access-Control-Allow-Origin"), origin);
    // 431 with the Origin line before the part that is too large.
    RawHttpClient headTooLarge(m_port);
    QVERIFY(headTooLarge.sendRaw(
        head("GET /mcp HTTP/1.1", {"Origin: " + origin, "X-Pad: " + QByteArray(kMaxHead, 'p')})));
    QVERIFY(headTooLarge.waitForComplete());
    QCOMPARE(headTooLarge.response().status, 431);
    QCOMPARE(headTooLarge.response().header("Access-Control-Allow-Origin"), origin);
    // An origin not allowed earns none, as on any other response.
    RawHttpClient stranger(m_port);
    QVERIFY(stranger.sendRaw(
        head("POST /mcp HTTP/1.1", {"Origin: https://evil.example",
                                    "Content-Length: " + QByteArray::number(kMaxBody + 1)})));
    QVERIFY(stranger.waitForComplete());
    QCOMPARE(stranger.response().status, 413);
    QVERIFY(!stranger.response().hasHeader("Access-Control-Allow-Origin"));
    // 404 and 405 too.
    RawHttpClient client(m_port);
    QCOMPARE(client.request("GET", "/nowhere", {{"Origin", origin}}).status, 404);
    QCOMPARE(client.response().header("Access-Control-Allow-Origin"), origin);
    QCOMPARE(client.request("BREW", "/mcp", {{"Origin", origin}}).status, 405);
    QCOMPARE(client.response().header("Access-Control-Allow-Origin"), origin);
}

void tst_Gatekeeper::notFoundAndWrongMethodsAreRateLimited()
{
    QVERIFY(startServer(rateLimited(testConfig(), 1, 3)));
    RawHttpClient client(m_port);
    QCOMPARE(client.request("GET", "/nowhere").status, 404);
    QCOMPARE(client.request("BREW", "/mcp").status, 405);
    QCOMPARE(client.request("GET", "/wp-login.php").status, 404);
    // The burst is spent: a scanner walking paths is slowed like any client.
    QCOMPARE(client.request("GET", "/admin").status, 429);
    QCOMPARE(client.request("BREW", "/mcp").status, 429);
}

void tst_Gatekeeper::anIdleKeptAliveConnectionIsClosed()
{
    ServerConfig config = testConfig();
    config.keepAliveTimeoutMs = kShortTimeoutMs;
    QVERIFY(startServer(config));
    QSignalSpy disconnected(m_server->monitor(), &Monitor::disconnected);
    RawHttpClient client(m_port);
    QCOMPARE(client.request("GET", "/healthz").status, 200);
    QCOMPARE(client.request("GET", "/healthz").status, 200);
    QVERIFY(client.waitForDisconnected(kShortTimeoutMs * 10));
    QVERIFY(client.unexpectedBytes().isEmpty());
    // An ordinary end: no refusal, no disconnect event.
    QVERIFY(disconnected.isEmpty());
    // A connection that asked nothing yet is still the request timeout's (10 s here).
    RawHttpClient fresh(m_port);
    QVERIFY(fresh.connectToServer());
    QVERIFY(!waitUntil([&]() { return fresh.wasDisconnected(); }, kShortTimeoutMs * 3));
}

void tst_Gatekeeper::aConnectionCarryingAStreamIsNeverIdle()
{
    ServerConfig config = testConfig();
    config.keepAliveTimeoutMs = 100;
    config.heartbeatMs = 0; // nothing written on it while it waits
    QVERIFY(startServer(config));
    const McpTestSession session = openSession(m_port);
    QVERIFY2(session.ok(), qPrintable(session.error));
    RawHttpClient stream(m_port);
    QVERIFY(stream.send("GET", "/mcp", getHeaders(session.id, session.revision)));
    QVERIFY(stream.waitForHead());
    QCOMPARE(stream.response().status, 200);
    // Many times the keep-alive timeout: a stream owes its response for as long as it lasts.
    QVERIFY(!waitUntil([&]() { return stream.wasDisconnected(); }, 1000));
    QVERIFY(stream.isConnected());
}

void tst_Gatekeeper::raisesFileDescriptorSoftLimit()
{
    struct rlimit limit = {};
    QCOMPARE(getrlimit(RLIMIT_NOFILE, &limit), 0);
    if (limit.rlim_max <= 512)
        QSKIP("the hard limit on file descriptors is too low to lower the soft one");
    limit.rlim_cur = 512;
    QCOMPARE(setrlimit(RLIMIT_NOFILE, &limit), 0);

    QVERIFY(startServer());
    QCOMPARE(getrlimit(RLIMIT_NOFILE, &limit), 0);
    QCOMPARE(quint64(limit.rlim_cur), quint64(limit.rlim_max));
}

// --- The HTTP front ----------------------------------------------------------------------

void tst_Gatekeeper::rateLimitAnswers429AndRecovers()
{
    QVERIFY(startServer(rateLimited(testConfig(), 5, 3)));
    QSignalSpy disconnected(m_server->monitor(), &Monitor::disconnected);

    RawHttpClient client(m_port);
    for (int i = 0; i < 3; ++i)
        QCOMPARE(client.request("GET", "/metrics").status, 200);
    const HttpResponse limited = client.request("GET", "/metrics");
    QCOMPARE(limited.status, 429);
    QCOMPARE(limited.header("Retry-After"), QByteArray("1"));
    QCOMPARE(limited.mediaType(), QByteArray("application/json"));
    QVERIFY(limited.jsonObject().value("id"_L1).isNull());
    QVERIFY2(limited.jsonObject()
                 .value("error"_L1)
                 .toObject()
                 .value("message"_L1)
                 .toString()
                 .contains("Too Many Requests"_L1),
             qPrintable(limited.describe()));
    QVERIFY(waitUntil(
        [&]() { return wasReported(disconnected, u"rate_limited"_s, u"Too Many Requests"_s); }));
    // The connection stays usable, and the exempt requests pass.
    QCOMPARE(client.request("GET", "/healthz").status, 200);
    QVERIFY(client.request("OPTIONS", "/mcp", {{"Origin", "http://localhost:3000"}}).status != 429);
    QCOMPARE(client.connectionCount(), 1);

    // One token comes back every 200 ms. (Asked every 20 ms; the predicate remembers its
    // success, since waitUntil() asks once more at the end.)
    const qint64 limitedMs = monotonicMs();
    qint64 askedMs = 0;
    int status = 0;
    QVERIFY(waitUntil(
        [&]() {
            if (status != 200 && monotonicMs() - askedMs >= 20) {
                askedMs = monotonicMs();
                status = client.request("GET", "/metrics").status;
            }
            return status == 200;
        },
        3000));
    QVERIFY(monotonicMs() - limitedMs >= 100);
}

void tst_Gatekeeper::loopbackIsExemptFromRateLimitByDefault()
{
    ServerConfig config = testConfig();
    config.rateLimitPerSecond = 1;
    config.rateLimitBurst = 1;
    QVERIFY(startServer(config));
    RawHttpClient client(m_port);
    for (int i = 0; i < 10; ++i)
        QCOMPARE(client.request("GET", "/metrics").status, 200);
}

void tst_Gatekeeper::tokenInQueryOnlyWhenAllowed_data()
{
    QTest::addColumn<bool>("allowed");
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<QByteArray>("authorization");
    QTest::addColumn<int>("status");

    const QByteArray token(kToken);
    QTest::newRow("allowed, right query token")
        << true << "/metrics?token=" + token << QByteArray() << 200;
    QTest::newRow("allowed, percent-encoded query token")
        << true << QByteArray("/metrics?token=s%33cret-Token") << QByteArray() << 200;
    QTest::newRow("allowed, wrong query token")
        << true << QByteArray("/metrics?token=nope") << QByteArray() << 401;
    QTest::newRow("allowed, empty query token")
        << true << QByteArray("/metrics?token=") << QByteArray() << 401;
    QTest::newRow("allowed, header still works")
        << true << QByteArray("/metrics") << "Bearer " + token << 200;
    QTest::newRow("not allowed, right query token")
        << false << "/metrics?token=" + token << QByteArray() << 401;
    QTest::newRow("not allowed, header")
        << false << QByteArray("/metrics?token=nope") << "Bearer " + token << 200;
    QTest::newRow("not allowed, on /mcp") << false << "/mcp?token=" + token << QByteArray() << 401;
}

namespace {
QStringList g_messages;
void captureMessage(QtMsgType, const QMessageLogContext &, const QString &message)
{
    g_messages.append(message);
}
} // namespace

void tst_Gatekeeper::tokenInQueryOnlyWhenAllowed()
{
    QFETCH(bool, allowed);
    QFETCH(QByteArray, path);
    QFETCH(QByteArray, authorization);
    QFETCH(int, status);

    ServerConfig config = testConfig();
    config.token = QString::fromLatin1(kToken);
    config.allowTokenInQuery = allowed;
    QVERIFY(startServer(config));

    g_messages.clear();
    QLoggingCategory::setFilterRules(u"heartline.*.debug=true"_s);
    const QtMessageHandler previous = qInstallMessageHandler(captureMessage);
    RawHttpClient client(m_port);
    RawHeaders headers;
    if (!authorization.isEmpty())
        headers.append(qMakePair(QByteArray("Authorization"), authorization));
    const HttpResponse response =
        path.startsWith("/mcp")
            ? client.request("POST", path, postHeaders() + headers, initializeBody(kLatestRevision))
            : client.request("GET", path, headers);
    qInstallMessageHandler(previous);
    QLoggingCategory::setFilterRules(u"heartline.*.debug=false"_s);

    QCOMPARE(response.status, status);
    if (status == 401) {
        QVERIFY(response.hasHeader("WWW-Authenticate"));
        const QString message =
            response.jsonObject().value("error"_L1).toObject().value("message"_L1).toString();
        QVERIFY(!message.isEmpty());
        if (!allowed && path.contains("token="))
            QVERIFY2(message.contains("allowTokenInQuery"_L1), qPrintable(message));
    }
    // The token never reaches a log line or an answer.
    QVERIFY(!response.body.contains(kToken));
    for (const QString &line : std::as_const(g_messages))
        QVERIFY2(!line.contains(QLatin1StringView(kToken)), qPrintable(line));
}

// --- How connections end -----------------------------------------------------------------

void tst_Gatekeeper::peerResetAndPeerCloseAreToldApart_data()
{
    QTest::addColumn<bool>("reset");
    QTest::addColumn<QString>("cause");
    QTest::newRow("reset (RST)") << true << u"connection_reset"_s;
    QTest::newRow("close (FIN)") << false << u"client_closed"_s;
}

void tst_Gatekeeper::peerResetAndPeerCloseAreToldApart()
{
    QFETCH(bool, reset);
    QFETCH(QString, cause);

    QVERIFY(startServer()); // heartbeats off: nothing unread on the client when it closes
    QSignalSpy opened(m_server->monitor(), &Monitor::streamOpened);
    QSignalSpy disconnected(m_server->monitor(), &Monitor::disconnected);
    const McpTestSession session = openSession(m_port);
    QVERIFY2(session.ok(), qPrintable(session.error));

    RawHttpClient wire(m_port);
    QVERIFY(wire.send("GET", "/mcp", session.get()));
    // The head and the opening comment, which the server writes at once.
    QVERIFY(wire.waitForSse([](const QList<SseItem> &items) { return !items.isEmpty(); }));
    QVERIFY2(wire.response().httpVersion == "HTTP/1.1" && wire.response().status == 200,
             qPrintable(wire.response().describe()));
    QString streamId;
    QVERIFY(waitUntil([&]() {
        for (const QList<QVariant> &arguments : opened) {
            const StreamInfo info = arguments.at(0).value<StreamInfo>();
            if (info.sessionId == QString::fromLatin1(session.id)
                && info.kind == StreamKind::Standalone)
                streamId = info.id;
        }
        return !streamId.isEmpty();
    }));

    if (reset)
        QVERIFY(wire.resetConnection());
    else
        wire.disconnectFromHost();

    DisconnectEvent event;
    QVERIFY(waitUntil([&]() {
        for (const DisconnectEvent &candidate : firstArguments<DisconnectEvent>(disconnected)) {
            if (candidate.streamId == streamId) {
                event = candidate;
                return true;
            }
        }
        return false;
    }));
    QCOMPARE(DisconnectCauses::name(event.cause), cause);
    const QString serves = stillServes();
    QVERIFY2(serves.isEmpty(), qPrintable(serves));
}

void tst_Gatekeeper::serverCloseReachesThePeerPromptly()
{
    // Every accepted socket has a probe holding a duplicate of its descriptor; when the
    // server closes the connection, the peer must see it close then, not when the duplicate
    // happens to go.
    QVERIFY(startServer());
    const McpTestSession session = openSession(m_port);
    QVERIFY2(session.ok(), qPrintable(session.error));
    RawHttpClient idle(m_port);
    QCOMPARE(idle.request("GET", "/healthz").status, 200);
    RawHttpClient stream(m_port);
    QVERIFY(stream.send("GET", "/mcp", session.get()));
    QVERIFY(stream.waitForHead());
    QCOMPARE(stream.response().status, 200);

    bool done = false;
    m_server->shutdown(200, [&done]() { done = true; });
    QVERIFY(waitUntil([&]() { return done; }));
    const qint64 closedMs = monotonicMs();
    QVERIFY(idle.waitForDisconnected(1000));
    QVERIFY(stream.waitForDisconnected(1000));
    QVERIFY(monotonicMs() - closedMs < 1000);
}

HEARTLINE_SERVER_TEST_MAIN(tst_Gatekeeper)
#include "tst_gatekeeper.moc"
