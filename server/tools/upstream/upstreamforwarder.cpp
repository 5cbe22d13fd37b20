#include "server/tools/upstream/upstreamforwarder.h"

#include "server/protocol/catalog/tool.h"
#include "server/protocol/wire/jsonrpc.h"
#include "server/tools/upstream/upstreamclient.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QLoggingCategory>
#include <QUrl>

using namespace Qt::StringLiterals;

namespace heartline {

Q_LOGGING_CATEGORY(lcForward, "heartline.upstream.forward")

struct UpstreamForwarder::InFlight
{
    QPointer<ToolCall> call;
    QString upstreamName;
    qint64 upstreamId = 0;
    QElapsedTimer started;
    int questionsAsked = 0;
    // The upstream's own request ids, by the key the ToolCall knows each question by.
    QHash<QString, QJsonValue> questions;
};

QJsonObject UpstreamForwarder::metaForUpstream(QJsonObject clientMeta)
{
    // The framing of a stateless MCP 2026-07-28 request describes the client's hop to
    // Heartline, not Heartline's session with the upstream, which negotiated its own.
    static const QLatin1StringView hopKeys[] = {
        "io.modelcontextprotocol/protocolVersion"_L1,
        "io.modelcontextprotocol/clientCapabilities"_L1, "io.modelcontextprotocol/clientInfo"_L1,
        "io.modelcontextprotocol/logLevel"_L1};
    for (const QLatin1StringView key : hopKeys)
        clientMeta.remove(key);
    return clientMeta;
}

UpstreamForwarder::UpstreamForwarder(const QString &serverName, QObject *parent)
    : QObject(parent)
    , m_serverName(serverName)
{}

UpstreamForwarder::~UpstreamForwarder()
{
    detach(u"upstream server '%1' was removed"_s.arg(m_serverName));
}

void UpstreamForwarder::attach(UpstreamClient *client)
{
    for (const auto &connection : std::as_const(m_clientConnections))
        disconnect(connection);
    m_clientConnections.clear();
    m_client = client;
    if (!client)
        return;
    m_clientConnections.append(connect(client, &UpstreamClient::notificationReceived, this,
                                       &UpstreamForwarder::handleNotification));
    m_clientConnections.append(connect(client, &UpstreamClient::requestReceived, this,
                                       &UpstreamForwarder::handleRequest));
}

void UpstreamForwarder::detach(const QString &reason)
{
    attach(nullptr);
    const QList<quint64> keys = m_inFlight.keys();
    for (quint64 key : keys) {
        InFlight *entry = m_inFlight.value(key);
        if (!entry)
            continue;
        if (entry->call)
            entry->call->fail(reason);
        Q_EMIT callEnded(entry->upstreamName, false, true, entry->started.nsecsElapsed() / 1000);
        end(key);
    }
}

void UpstreamForwarder::callTool(const QString &upstreamName, ToolCall *call)
{
    if (m_sessionRoute && !call->sessionId().isEmpty()) {
        m_sessionRoute(upstreamName, call);
        return;
    }
    if (!m_client || m_client->state() != UpstreamClient::State::Ready) {
        call->fail(u"upstream server '%1' is not running; the call was not sent"_s.arg(
            m_serverName));
        Q_EMIT callEnded(upstreamName, false, true, 0);
        return;
    }
    const quint64 key = m_nextKey++;
    auto *entry = new InFlight;
    entry->call = call;
    entry->upstreamName = upstreamName;
    entry->started.start();
    m_inFlight.insert(key, entry);

    QPointer<ToolCall> guarded = call;
    // The client may outlive this forwarder (detached, then destroyed before the client
    // answers its pending requests): its answers then find no one.
    const QPointer<UpstreamForwarder> self = this;
    UpstreamClient::Reply reply;
    reply.onResult = [this, self, key](const QJsonObject &result) {
        if (!self)
            return;
        InFlight *done = m_inFlight.value(key);
        if (!done)
            return;
        if (done->call)
            done->call->finish(result);
        Q_EMIT callEnded(done->upstreamName, true, result.value("isError"_L1).toBool(),
                         done->started.nsecsElapsed() / 1000);
        end(key);
    };
    reply.onError = [this, self, key](int code, const QString &message, const QJsonValue &) {
        if (!self)
            return;
        InFlight *done = m_inFlight.value(key);
        if (!done)
            return;
        // A tool failure is a result the model can read, never a protocol error (MCP
        // 2025-11-25); the upstream's code stays in the text for whoever debugs it.
        if (done->call)
            done->call->fail(u"%1 (upstream server '%2', error %3)"_s.arg(message, m_serverName)
                                 .arg(code));
        Q_EMIT callEnded(done->upstreamName, false, true, done->started.nsecsElapsed() / 1000);
        end(key);
    };
    if (call->wantsProgress()) {
        reply.onProgress = [guarded](const QJsonObject &params) {
            if (!guarded)
                return;
            const QJsonValue total = params.value("total"_L1);
            guarded->reportProgress(params.value("progress"_L1).toDouble(),
                                    total.isDouble() ? total.toDouble() : -1,
                                    params.value("message"_L1).toString());
        };
    }
    QJsonObject params{{"name"_L1, upstreamName}, {"arguments"_L1, call->arguments()}};
    const QJsonObject meta = metaForUpstream(call->meta());
    if (!meta.isEmpty())
        params.insert("_meta"_L1, meta);
    entry->upstreamId = m_client->request(u"tools/call"_s, params, reply, m_timeoutMs);

    connect(call, &ToolCall::cancelled, this, [this, key]() {
        InFlight *cancelled = m_inFlight.value(key);
        if (!cancelled)
            return;
        if (m_client)
            m_client->cancel(cancelled->upstreamId, u"cancelled by the client"_s);
        Q_EMIT callEnded(cancelled->upstreamName, false, false,
                         cancelled->started.nsecsElapsed() / 1000);
        end(key);
    });
    connect(call, &ToolCall::inputReceived, this, [this, key](const QString &question,
                                                              const QJsonObject &result) {
        InFlight *asking = m_inFlight.value(key);
        if (asking && m_client && asking->questions.contains(question))
            m_client->respond(asking->questions.take(question), result);
    });
    connect(call, &ToolCall::inputFailed, this, [this, key](const QString &question,
                                                            const QString &reason) {
        InFlight *asking = m_inFlight.value(key);
        if (asking && m_client && asking->questions.contains(question))
            m_client->respondError(asking->questions.take(question), int(JsonRpcCode::InternalError),
                                   reason);
    });
}

void UpstreamForwarder::end(quint64 key)
{
    InFlight *entry = m_inFlight.take(key);
    if (!entry)
        return;
    if (entry->call)
        disconnect(entry->call, nullptr, this, nullptr);
    // Questions the call never answered still deserve an answer upstream.
    if (m_client) {
        for (auto it = entry->questions.cbegin(); it != entry->questions.cend(); ++it)
            m_client->respondError(it.value(), int(JsonRpcCode::InternalError),
                                   u"the call that asked has ended"_s);
    }
    delete entry;
}

UpstreamForwarder::InFlight *UpstreamForwarder::soleCall()
{
    if (m_inFlight.size() != 1)
        return nullptr;
    InFlight *entry = m_inFlight.cbegin().value();
    return entry->call ? entry : nullptr;
}

void UpstreamForwarder::handleNotification(const QString &method, const QJsonObject &params)
{
    if (method != "notifications/message"_L1)
        return;
    LogLevel level = LogLevel::Info;
    LogLevels::parse(params.value("level"_L1).toString(), &level);
    const QString upstreamLogger = params.value("logger"_L1).toString();
    const QString logger =
        upstreamLogger.isEmpty() ? m_serverName : m_serverName + u'/' + upstreamLogger;
    const QJsonValue data = params.value("data"_L1);
    if (InFlight *owner = soleCall()) {
        owner->call->log(level, data, logger);
        return;
    }
    Q_EMIT upstreamLogged(level, data, logger);
}

QJsonObject UpstreamForwarder::configuredRoots() const
{
    QJsonArray roots;
    for (const QString &uri : m_roots) {
        const QUrl url(uri);
        const QString name = url.fileName().isEmpty() ? url.path() : url.fileName();
        roots.append(QJsonObject{{"uri"_L1, uri}, {"name"_L1, name}});
    }
    return {{"roots"_L1, roots}};
}

void UpstreamForwarder::handleRequest(const QJsonValue &id, const QString &method,
                                      const QJsonObject &params)
{
    if (!m_client)
        return;
    const bool question = method == "sampling/createMessage"_L1
                          || method == "elicitation/create"_L1 || method == "roots/list"_L1;
    if (!question) {
        m_client->respondError(id, int(JsonRpcCode::MethodNotFound),
                               u"Heartline does not pass %1 on to its clients"_s.arg(method));
        return;
    }
    InFlight *owner = soleCall();
    if (method == "roots/list"_L1 && (!owner || !owner->call->clientSupports(u"roots"_s))) {
        m_client->respond(id, configuredRoots());
        return;
    }
    if (!owner) {
        const QString why =
            m_inFlight.isEmpty()
                ? u"no client call is in flight on this server to ask"_s
                : u"%1 calls are in flight on this server and stdio does not say which one "
                  "asks"_s.arg(m_inFlight.size());
        Q_EMIT problem(u"refused %1 from upstream server '%2': %3"_s.arg(method, m_serverName,
                                                                          why));
        m_client->respondError(id, int(JsonRpcCode::InternalError),
                               u"Heartline could not route %1: %2"_s.arg(method, why));
        return;
    }
    // A key fixed by the order of questions within the call, so that on MCP 2026-07-28 the
    // client's retry (which runs the call afresh) finds its answer under the same key.
    const QString key = u"%1#%2"_s.arg(method).arg(++owner->questionsAsked);
    owner->questions.insert(key, id);
    owner->call->requestInput(key, method, params);
}

} // namespace heartline
