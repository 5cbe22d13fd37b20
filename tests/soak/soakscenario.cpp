#include "tests/soak/soakscenario.h"

#include "tests/soak/soaktally.h"
#include "tests/support/mcptestsupport.h"

#include <QPointer>
#include <QRandomGenerator>
#include <QTimer>

#include <memory>

using namespace Qt::StringLiterals;
using namespace heartline::testing;

namespace heartline::soak {

namespace {

// The MCP-Protocol-Version a request carries after initialize (none before 2025-06-18).
QByteArray protocolHeaderFor(const QByteArray &revision)
{
    return revision >= "2025-06-18" ? revision : QByteArray();
}

} // namespace

SoakScenario::SoakScenario(const SoakContext &context, const QString &name, QObject *parent)
    : QObject(parent)
    , m_context(context)
    , m_tally(*context.tally)
    , m_name(name)
{}

void SoakScenario::start(int deadlineMs)
{
    ++m_tally.scenarios;
    m_deadline = new QTimer(this);
    m_deadline->setSingleShot(true);
    connect(m_deadline, &QTimer::timeout, this, [this, deadlineMs]() {
        fail(u"hung for %1 ms while %2"_s.arg(deadlineMs).arg(m_phase));
    });
    m_deadline->start(deadlineMs);
    begin();
}

void SoakScenario::succeed()
{
    if (m_ended)
        return;
    m_ended = true;
    m_deadline->stop();
    Q_EMIT finished();
}

void SoakScenario::fail(const QString &why)
{
    if (m_ended)
        return;
    m_tally.fail(m_name + u": "_s + why);
    succeed();
}

int SoakScenario::randomBetween(int lowest, int highest)
{
    return int(m_context.random->bounded(lowest, highest + 1));
}

void SoakScenario::after(int ms, const std::function<void()> &then)
{
    QTimer::singleShot(ms, this, [this, then]() {
        if (!m_ended)
            then();
    });
}

RawHttpClient *SoakScenario::openClient(const std::function<void()> &onProgress)
{
    auto *client = new RawHttpClient(m_context.port, this);
    connect(client, &RawHttpClient::progressed, this, [this, onProgress]() {
        if (!m_ended && onProgress)
            onProgress();
    });
    ++m_tally.connections;
    client->connectInBackground();
    return client;
}

void SoakScenario::exchange(const QByteArray &method, const RawHeaders &headers,
                            const QByteArray &body,
                            const std::function<void(const HttpResponse &)> &done)
{
    // Shared with the progress handler, which needs the client it belongs to.
    auto state = std::make_shared<QPointer<RawHttpClient>>();
    auto sent = std::make_shared<bool>(false);
    *state = openClient([this, state, sent, method, headers, body, done]() {
        RawHttpClient *client = *state;
        if (!client)
            return;
        if (!*sent && client->isConnected()) {
            *sent = true;
            client->send(method, "/mcp", headers, body);
            return;
        }
        if (client->response().complete || client->wasDisconnected()) {
            const HttpResponse response = client->response();
            release(client);
            done(response);
        }
    });
}

void SoakScenario::openSession(const QByteArray &revision,
                               const std::function<void(const QByteArray &)> &opened)
{
    setPhase(u"initializing at "_s + QString::fromLatin1(revision));
    exchange("POST", postHeaders(), initializeBody(revision),
             [this, revision, opened](const HttpResponse &response) {
                 const QByteArray sessionId = response.header("Mcp-Session-Id");
                 if (response.status != 200 || sessionId.isEmpty()
                     || !finalAnswer(response).contains("result"_L1))
                     return fail(u"initialize failed: "_s + response.describe());
                 setPhase(u"sending notifications/initialized"_s);
                 exchange("POST", postHeaders(sessionId, protocolHeaderFor(revision)),
                          notificationBody(u"notifications/initialized"_s),
                          [this, sessionId, opened](const HttpResponse &answer) {
                              if (answer.status != 202)
                                  return fail(u"notifications/initialized: "_s + answer.describe());
                              opened(sessionId);
                          });
             });
}

void SoakScenario::deleteSession(const QByteArray &sessionId, const QByteArray &revision,
                                 const std::function<void()> &then)
{
    setPhase(u"deleting the session"_s);
    exchange("DELETE", deleteHeaders(sessionId, protocolHeaderFor(revision)), {},
             [this, then](const HttpResponse &response) {
                 if (response.status != 200 && response.status != 204)
                     return fail(u"DELETE: "_s + response.describe());
                 then();
             });
}

void SoakScenario::release(RawHttpClient *client)
{
    client->disconnect(this);
    client->deleteLater();
}

void SoakScenario::cut(RawHttpClient *client, bool reset)
{
    // Released first: closing reports progress at once, which would re-enter the scenario that
    // is cutting (it cut again, and resumed twice).
    release(client);
    if (reset && client->resetConnection()) {
        ++m_tally.cutsReset;
    } else {
        client->disconnectFromHost();
        ++m_tally.cutsClosed;
    }
}

} // namespace heartline::soak
