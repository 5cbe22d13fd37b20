#include "tests/soak/shortscenarios.h"

#include "tests/soak/soaktally.h"
#include "tests/support/mcptestsupport.h"

#include <QJsonObject>
#include <QRandomGenerator>

#include <memory>

using namespace Qt::StringLiterals;
using namespace heartline::testing;

namespace heartline::soak {

namespace {

constexpr char kSessionRevision[] = "2025-11-25";

} // namespace

// --- ListenStream ---------------------------------------------------------------------------

ListenStream::ListenStream(const SoakContext &context, QObject *parent)
    : SoakScenario(context, u"listen stream"_s, parent)
{}

void ListenStream::begin()
{
    setPhase(u"opening subscriptions/listen"_s);
    ++m_tally.listenStreams;
    const QByteArray body =
        modernBody(randomBetween(1, 1000), u"subscriptions/listen"_s,
                   {{"notifications"_L1, QJsonObject{{"toolsListChanged"_L1, true}}}});
    auto held = std::make_shared<bool>(false);
    RawHttpClient *client = openClient({});
    connect(client, &RawHttpClient::progressed, this, [this, client, held, body]() {
        if (hasEnded())
            return;
        if (client->requestSentMs() < 0) {
            if (client->isConnected())
                client->send("POST", "/mcp", modernHeaders("subscriptions/listen"), body);
            else if (client->wasDisconnected())
                fail(u"could not connect"_s);
            return;
        }
        if (client->wasDisconnected() && !*held)
            return fail(u"the listen stream ended before it was held: "_s
                        + client->response().describe());
        if (*held || messagesOf(client->response().sse).isEmpty())
            return;
        if (client->response().status != 200)
            return fail(u"subscriptions/listen refused: "_s + client->response().describe());
        *held = true;
        setPhase(u"holding the listen stream"_s);
        after(randomBetween(100, 2500), [this, client]() {
            if (client->wasDisconnected())
                return fail(u"the server ended a listen stream: "_s
                            + client->response().describe());
            cut(client, coinFlip());
            succeed();
        });
    });
}

// --- StandaloneStream -----------------------------------------------------------------------

StandaloneStream::StandaloneStream(const SoakContext &context, QObject *parent)
    : SoakScenario(context, u"standalone stream"_s, parent)
{}

void StandaloneStream::begin()
{
    openSession(kSessionRevision, [this](const QByteArray &sessionId) {
        m_sessionId = sessionId;
        openStream({});
    });
}

void StandaloneStream::openStream(const QByteArray &resumeFrom)
{
    setPhase(resumeFrom.isEmpty() ? u"opening the GET stream"_s : u"resuming the GET stream"_s);
    ++m_tally.standaloneStreams;
    RawHeaders headers = getHeaders(m_sessionId, kSessionRevision);
    if (!resumeFrom.isEmpty()) {
        headers.append({"Last-Event-ID", resumeFrom});
        ++m_tally.resumptions;
    }
    auto held = std::make_shared<bool>(false);
    RawHttpClient *client = openClient({});
    connect(client, &RawHttpClient::progressed, this, [this, client, held, headers]() {
        if (hasEnded())
            return;
        if (client->requestSentMs() < 0) {
            if (client->isConnected())
                client->send("GET", "/mcp", headers);
            return;
        }
        const HttpResponse &response = client->response();
        if (*held) {
            if (!client->wasDisconnected() && !response.complete)
                return;
            if (!m_deleting)
                return fail(u"the server ended a GET stream: "_s + response.describe());
            // The session was deleted under the stream, and the server ended it.
            release(client);
            return succeed();
        }
        if (client->wasDisconnected())
            return fail(u"the GET stream ended before it was held: "_s + response.describe());
        if (!response.headComplete || lastEventId(response.sse).isEmpty())
            return;
        if (response.status != 200)
            return fail(u"GET refused: "_s + response.describe());
        *held = true;
        setPhase(u"holding the GET stream"_s);
        after(randomBetween(50, 1500), [this, client]() {
            if (!m_resumed && coinFlip()) {
                m_resumed = true;
                const QByteArray cursor = lastEventId(client->response().sse);
                cut(client, coinFlip());
                after(randomBetween(0, 200), [this, cursor]() { openStream(cursor); });
                return;
            }
            setPhase(u"deleting the session under its GET stream"_s);
            m_deleting = true;
            deleteSession(m_sessionId, kSessionRevision,
                          [this]() { setPhase(u"waiting for the GET stream to end"_s); });
        });
    });
}

// --- BadBytes -------------------------------------------------------------------------------

BadBytes::BadBytes(const SoakContext &context, QObject *parent)
    : SoakScenario(context, u"bad bytes"_s, parent)
{}

void BadBytes::begin()
{
    ++m_tally.badInputs;
    const QByteArray head = "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                            "Accept: application/json, text/event-stream\r\n"
                            "Content-Type: application/json\r\n";
    const QByteArray call = modernBody(
        1, u"tools/call"_s,
        {{"name"_L1, "echo"_L1}, {"arguments"_L1, QJsonObject{{"message"_L1, "ok"_L1}}}});
    const QByteArray callHead = "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                "Accept: application/json, text/event-stream\r\n"
                                "Content-Type: application/json\r\n"
                                "MCP-Protocol-Version: 2026-07-28\r\nMcp-Method: tools/call\r\n"
                                "Mcp-Name: echo\r\nContent-Length: "
                                + QByteArray::number(call.size()) + "\r\n\r\n" + call;
    QByteArray noise(randomBetween(1, 3000), Qt::Uninitialized);
    for (char &byte : noise)
        byte = char(randomBetween(0, 255));
    const QByteArray broken =
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{";
    const QList<QByteArray> variants{
        noise + "\r\n\r\n",
        "GET /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nBad Header Line\r\n\r\n",
        head + "Content-Length: " + QByteArray::number(broken.size()) + "\r\n\r\n" + broken,
        head + "Content-Length: -5\r\n\r\n",
        head + "Content-Length: 99999999999999999999\r\n\r\n",
        head + "Content-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
        head + "Transfer-Encoding: chunked\r\n\r\nzz\r\n",
        head + "Content-Length: 2\r\n\r\n[]",
        head + "Content-Length: 12\r\n\r\n{\"method\":5}",
        callHead + noise + "\r\n\r\n", // a good call, then noise pipelined behind it
    };
    const int variant = randomBetween(0, int(variants.size()) - 1);
    const bool callFirst = variant == int(variants.size()) - 1;
    setPhase(u"sending bad bytes (variant %1)"_s.arg(variant));
    const QByteArray bytes = variants.at(variant);
    RawHttpClient *client = openClient({});
    connect(client, &RawHttpClient::progressed, this, [this, client, bytes, callFirst]() {
        if (hasEnded())
            return;
        if (client->requestSentMs() < 0) {
            if (client->isConnected())
                client->sendRaw(bytes);
            return;
        }
        const HttpResponse &response = client->response();
        if (!response.complete && !client->wasDisconnected())
            return;
        if (callFirst && response.status == 200) {
            if (!response.body.contains("\"ok\""))
                return fail(u"the call before the noise: "_s + response.describe());
        } else if (response.headComplete && (response.status < 400 || response.status >= 500)) {
            return fail(u"bad bytes answered %1: "_s.arg(response.status) + response.describe());
        }
        release(client);
        succeed();
    });
}

// --- StalledReader --------------------------------------------------------------------------

StalledReader::StalledReader(const SoakContext &context, QObject *parent)
    : SoakScenario(context, u"stalled reader"_s, parent)
{}

void StalledReader::begin()
{
    openSession(kSessionRevision, [this](const QByteArray &sessionId) {
        setPhase(u"calling sleep and reading nothing"_s);
        ++m_tally.stalls;
        ++m_tally.calls;
        const QByteArray body = toolCallBody(
            1, u"sleep"_s, {{"ms"_L1, randomBetween(200, 2000)}, {"progressEveryMs"_L1, 10}},
            u"stalled"_s);
        const RawHeaders headers = postHeaders(sessionId, kSessionRevision);
        auto *client = new RawHttpClient(m_context.port, this);
        client->setReadBufferSize(64);
        ++m_tally.connections;
        connect(client, &RawHttpClient::progressed, this, [this, client, headers, body]() {
            if (hasEnded() || client->requestSentMs() >= 0 || !client->isConnected())
                return;
            client->send("POST", "/mcp", headers, body);
            client->setReading(false);
            after(randomBetween(100, 3000), [this, client]() {
                cut(client, true);
                succeed();
            });
        });
        client->connectInBackground();
    });
}

// --- HalfOpen -------------------------------------------------------------------------------

HalfOpen::HalfOpen(const SoakContext &context, QObject *parent)
    : SoakScenario(context, u"half-open"_s, parent)
{}

void HalfOpen::begin()
{
    ++m_tally.halfOpen;
    const bool silent = coinFlip();
    const QByteArray call = modernBody(
        1, u"tools/call"_s,
        {{"name"_L1, "echo"_L1}, {"arguments"_L1, QJsonObject{{"message"_L1, "hi"_L1}}}});
    QByteArray request = "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                         "Accept: application/json, text/event-stream\r\n"
                         "Content-Type: application/json\r\n"
                         "MCP-Protocol-Version: 2026-07-28\r\nMcp-Method: tools/call\r\n"
                         "Mcp-Name: echo\r\nContent-Length: "
                         + QByteArray::number(call.size()) + "\r\n\r\n" + call;
    if (silent) // stops somewhere inside the request, then says nothing more
        request.truncate(randomBetween(1, int(request.size()) - 1));
    setPhase(silent ? u"silent mid-request, waiting for the server to time it out"_s
                    : u"half-closed after a whole request, waiting for an answer or a close"_s);
    RawHttpClient *client = openClient({});
    connect(client, &RawHttpClient::progressed, this, [this, client, request, silent]() {
        if (hasEnded())
            return;
        if (client->requestSentMs() < 0) {
            if (client->isConnected()) {
                client->sendRaw(request);
                if (!silent)
                    client->closeWriteSide();
            }
            return;
        }
        const HttpResponse &response = client->response();
        if (!response.complete && !client->wasDisconnected())
            return;
        if (silent && response.headComplete && response.status != 408 && response.status != 400)
            return fail(u"a silent request was answered %1"_s.arg(response.status));
        if (!silent && response.headComplete && response.status != 200)
            return fail(u"a half-closed request was answered %1: "_s.arg(response.status)
                        + response.describe());
        release(client);
        succeed();
    });
}

// --- QuickCall ------------------------------------------------------------------------------

QuickCall::QuickCall(const SoakContext &context, QObject *parent)
    : SoakScenario(context, u"quick call"_s, parent)
{}

void QuickCall::begin()
{
    const QString message = u"soak %1"_s.arg(m_context.random->generate());
    const QJsonObject params{{"name"_L1, "echo"_L1},
                             {"arguments"_L1, QJsonObject{{"message"_L1, message}}}};
    ++m_tally.calls;
    if (coinFlip()) {
        setPhase(u"calling echo, stateless"_s);
        exchange("POST", modernHeaders("tools/call", "echo"),
                 modernBody(3, u"tools/call"_s, params),
                 [this, message](const HttpResponse &response) {
                     if (answeredWith(response, message))
                         succeed();
                 });
        return;
    }
    openSession(kSessionRevision, [this, params, message](const QByteArray &sessionId) {
        setPhase(u"calling echo in a session"_s);
        exchange("POST", postHeaders(sessionId, kSessionRevision),
                 requestBody(3, u"tools/call"_s, params),
                 [this, message, sessionId](const HttpResponse &response) {
                     if (answeredWith(response, message))
                         deleteSession(sessionId, kSessionRevision, [this]() { succeed(); });
                 });
    });
}

bool QuickCall::answeredWith(const HttpResponse &response, const QString &message)
{
    const QJsonObject answer = finalAnswer(response);
    if (response.status == 200 && answer.value("id"_L1) == QJsonValue(3)
        && firstContentText(answer) == message)
        return true;
    fail(u"echo answered wrong: "_s + response.describe());
    return false;
}

} // namespace heartline::soak
