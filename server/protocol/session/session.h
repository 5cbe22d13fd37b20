#pragma once

#include "server/protocol/session/methodtable.h"
#include "server/protocol/session/sessionport.h"
#include "server/protocol/wire/jsonrpc.h"
#include "server/protocol/wire/loglevel.h"
#include "server/protocol/wire/revision.h"

#include <QElapsedTimer>
#include <QHash>
#include <QJsonObject>
#include <QObject>

#include <memory>
#include <unordered_map>
#include <vector>

namespace heartline {

class PromptRegistry;
class ResourceRegistry;
class ToolRegistry;
class SessionFeature;
class SubscriptionsFeature;

// What a server offers. Resources and prompts may be null (then those capabilities are not
// declared); tools never are.
struct Catalog
{
    ToolRegistry *tools = nullptr;
    ResourceRegistry *resources = nullptr;
    PromptRegistry *prompts = nullptr;
};

struct ServerIdentity
{
    QString name;
    QString title;
    QString version;
    QString instructions;
};

struct ClientInfo
{
    QString name;
    QString version;
    QString title;
    QJsonObject capabilities;
};

// A message the session wants delivered. `relatedTo` names the request it belongs to
// (progress, logs and the response go on that request's own stream); an invalid id means
// it is unrelated to any request and belongs on the session's standalone stream.
struct OutgoingMessage
{
    OutgoingMessage() = default;
    OutgoingMessage(const QJsonObject &message, const RequestId &related, bool finalResponse,
                    bool malformed = false, const QByteArray &serializedJson = {})
        : json(message)
        , relatedTo(related)
        , isFinalResponse(finalResponse)
        , malformedRequest(malformed)
        , serialized(serializedJson)
    {}

    QJsonObject json;
    RequestId relatedTo;
    bool isFinalResponse = false;
    // An error saying the request itself was malformed (a required field missing or of the
    // wrong type), as opposed to a well-formed request that failed; 2026-07-28 over HTTP
    // answers the first with 400 and the second with 200.
    bool malformedRequest = false;
    // json's serialization when it was made once for many sessions (a list_changed
    // notification to every session); empty otherwise.
    QByteArray serialized;
};

// One MCP session: the lifecycle (initialize, initialized, closed), the method table and the
// requests still running. The methods themselves are served by feature handlers (tools, ...)
// that reach the session through SessionPort. It does no I/O: messages come in through
// receive() and leave through outgoing(), so the same session serves Streamable HTTP, legacy
// SSE and tests. Handlers may answer later; nothing here ever waits.
class Session final : public QObject, private SessionPort
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Session)

public:
    enum class State { AwaitingInitialize, AwaitingInitialized, Ready, Closed };

    struct Options
    {
        // Page size of tools/list, resources/list, resources/templates/list and prompts/list.
        int toolsPageSize = 100;
        // MCP 2026-07-28: no initialize; every request carries its revision, client
        // capabilities and client info in params._meta and is served on its own. A stateless
        // session serves the requests of one HTTP exchange (a call, or a subscriptions/listen
        // stream that stays open until the client closes it).
        bool stateless = false;
        // The freshness hint (ttlMs) on cacheable 2026-07-28 results.
        int listTtlMs = 0;
        // The transport's id of the session (Mcp-Session-Id, the legacy sessionId), told to
        // tools so that they can keep state per session; empty for a stateless one.
        QString sessionId = QString();
    };

    Session(const Catalog &catalog, const ServerIdentity &identity, const Options &options,
            QObject *parent = nullptr);
    Session(ToolRegistry *tools, const ServerIdentity &identity, const Options &options,
            QObject *parent = nullptr);
    Session(ToolRegistry *tools, const ServerIdentity &identity, QObject *parent = nullptr);
    ~Session() override;

    void receive(const JsonRpcMessage &message);
    // Ends the session: running requests are cancelled silently and nothing more is sent.
    void close();
    // Ends every open subscriptions/listen gracefully (2026-07-28): each gets its final
    // result, so the client knows the end was deliberate (server shutdown).
    void endSubscriptions();
    bool isStateless() const override { return m_options.stateless; }
    QString sessionId() const override { return m_options.sessionId; }
    // Open subscriptions/listen requests (2026-07-28).
    int subscriptionCount() const;
    // Whether the client subscribed to `uri` (resources/subscribe or a listen filter).
    bool isSubscribedTo(const QString &uri) const;

    State state() const { return m_state; }
    bool isInitialized() const { return m_state == State::Ready; }
    Revision revision() const { return m_revision; }
    const ClientInfo &client() const { return m_client; }
    LogLevel logLevel() const { return m_logLevel; }
    bool isPending(const RequestId &id) const { return m_pending.count(id) > 0; }
    int pendingCount() const { return int(m_pending.size()); }

    // A log message unrelated to any request, filtered by the client's chosen level.
    void logUnrelated(LogLevel level, const QJsonValue &data, const QString &logger);
    // Sends a request of our own to the client (unrelated to any of its requests); the
    // answer comes back through responseReceived(). Our ids are strings ("s1", "s2", ...),
    // a space of their own, as JSON-RPC gives each direction.
    RequestId sendRequest(const QString &method, const QJsonObject &params = {});
    bool isAwaiting(const RequestId &id) const { return m_sentRequests.contains(id); }

Q_SIGNALS:
    void outgoing(const heartline::OutgoingMessage &message);
    void clientIdentified(const heartline::ClientInfo &client, heartline::Revision revision);
    void ready();
    // A tools/call of a tool the registry knows began (requestFinished says when it ended).
    void toolCallStarted(const heartline::RequestId &id, const QString &toolName);
    void requestFinished(const heartline::RequestOutcome &outcome);
    // The client was sent a tools/list result built from this generation of the tool registry
    // (the window shows which sessions have the current list).
    void toolsListServed(quint64 generation);
    // The client answered a request sendRequest() sent; `response` is the whole message.
    void responseReceived(const heartline::RequestId &id, const QJsonObject &response);
    // A tool asked to end the stream of request `id` early (SEP-1699 polling); the transport
    // closes it with a retry hint if it can resume it, and ignores the wish otherwise.
    void streamCloseRequested(const heartline::RequestId &id);

private:
    struct Pending
    {
        QString method;
        QString toolName;
        QElapsedTimer started;
        RequestContext context;
    };

    // A request of ours to the client. Asked for a request of the client's (a running tool
    // call), the answer goes to `onResponse`; else (sendRequest()) to responseReceived().
    struct SentRequest
    {
        RequestId forRequest;
        ResponseHandler onResponse;
    };

    void addMethods();
    void handleRequest(const JsonRpcMessage &message);
    void handleNotification(const JsonRpcMessage &message);
    void handleResponse(const JsonRpcMessage &message);
    bool beginStatelessRequest(const JsonRpcMessage &message);

    void handleInitialize(const JsonRpcMessage &message);
    void handlePing(const JsonRpcMessage &message);
    void handleDiscover(const JsonRpcMessage &message);
    void handleSetLevel(const JsonRpcMessage &message);
    void handleCancelled(const JsonRpcMessage &message);

    // SessionPort
    bool isReady() const override { return m_state == State::Ready; }
    RequestContext contextOf(const RequestId &id) const override;
    void respond(const RequestId &id, const QJsonObject &result,
                 RequestOutcome::Result outcome = RequestOutcome::Result::Ok) override;
    void respondError(const RequestId &id, JsonRpcCode code, const QString &message,
                      const QJsonValue &data = QJsonValue::Undefined) override;
    void rejectMalformed(const RequestId &id, const QString &message) override;
    void finishPending(const RequestId &id, RequestOutcome::Result result) override;
    void sendRelated(const RequestId &id, const QJsonObject &message) override;
    void sendUnrelated(const QJsonObject &message) override;
    void sendUnrelatedSerialized(const QJsonObject &message, const QByteArray &serialized) override;
    void logRelated(const RequestId &id, LogLevel level, const QJsonValue &data,
                    const QString &logger) override;
    void askClient(const RequestId &forRequest, const QString &method, const QJsonObject &params,
                   ResponseHandler onResponse) override;
    void recordToolName(const RequestId &id, const QString &toolName) override;
    void requestStreamClose(const RequestId &id) override;

    RequestId nextRequestId();
    QJsonObject serverCapabilities() const;
    bool offers(QLatin1StringView capability) const;
    QJsonObject serverInfo() const;
    // 2026-07-28 results: resultType, serverInfo in _meta, and cache hints where the spec asks.
    QJsonObject statelessResult(const QString &method, QJsonObject result) const;

    ToolRegistry *m_tools;
    ResourceRegistry *m_resources = nullptr;
    PromptRegistry *m_prompts = nullptr;
    ServerIdentity m_identity;
    Options m_options;
    State m_state = State::AwaitingInitialize;
    Revision m_revision;
    ClientInfo m_client;
    LogLevel m_logLevel = LogLevel::Debug;
    std::unordered_map<RequestId, Pending, RequestIdHash> m_pending;
    QHash<RequestId, SentRequest> m_sentRequests;
    bool m_clientIdentified = false;
    quint64 m_lastRequestNumber = 0;
    MethodTable m_methods;
    // Last, so they go first: their running work may still call back into the session.
    std::vector<std::unique_ptr<SessionFeature>> m_features;
    SubscriptionsFeature *m_subscriptions = nullptr; // one of m_features
};

} // namespace heartline

Q_DECLARE_METATYPE(heartline::OutgoingMessage)
Q_DECLARE_METATYPE(heartline::RequestOutcome)
