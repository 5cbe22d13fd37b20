#pragma once

#include "jsonrpc.h"
#include "loglevel.h"
#include "revision.h"

#include <QElapsedTimer>
#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QPointer>

namespace heartline {

class ToolCall;
class ToolRegistry;

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
    QJsonObject json;
    RequestId relatedTo;
    bool isFinalResponse = false;
};

struct RequestOutcome
{
    enum class Result { Ok, ProtocolError, ToolError, Cancelled };

    RequestId id;
    QString method;
    QString toolName; // tools/call only
    qint64 elapsedMs = 0;
    Result result = Result::Ok;
};

// One MCP session: the lifecycle (initialize, initialized, closed), method dispatch and the
// requests still running. It does no I/O: messages come in through receive() and leave
// through outgoing(), so the same session serves Streamable HTTP, legacy SSE and tests.
// Handlers may answer later; nothing here ever waits.
class Session final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Session)

public:
    enum class State { AwaitingInitialize, AwaitingInitialized, Ready, Closed };

    struct Options
    {
        int toolsPageSize = 100;
    };

    Session(ToolRegistry *tools, const ServerIdentity &identity, const Options &options,
            QObject *parent = nullptr);
    Session(ToolRegistry *tools, const ServerIdentity &identity, QObject *parent = nullptr);
    ~Session() override;

    void receive(const JsonRpcMessage &message);
    // Ends the session: running requests are cancelled silently and nothing more is sent.
    void close();

    State state() const { return m_state; }
    bool isInitialized() const { return m_state == State::Ready; }
    Revision revision() const { return m_revision; }
    const ClientInfo &client() const { return m_client; }
    LogLevel logLevel() const { return m_logLevel; }
    bool isPending(const RequestId &id) const { return m_pending.contains(id); }
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
    void requestFinished(const heartline::RequestOutcome &outcome);
    // The client answered a request sendRequest() sent; `response` is the whole message.
    void responseReceived(const heartline::RequestId &id, const QJsonObject &response);

private:
    struct Pending
    {
        QString method;
        QString toolName;
        QElapsedTimer started;
        QPointer<ToolCall> call;
    };

    void handleRequest(const JsonRpcMessage &message);
    void handleNotification(const JsonRpcMessage &message);

    void handleInitialize(const JsonRpcMessage &message);
    void handleToolsList(const JsonRpcMessage &message);
    void handleToolsCall(const JsonRpcMessage &message);
    void handleSetLevel(const JsonRpcMessage &message);
    void handleCancelled(const JsonRpcMessage &message);
    void handleToolListChanged();

    void respond(const RequestId &id, const QJsonObject &result,
                 RequestOutcome::Result outcome = RequestOutcome::Result::Ok);
    void respondError(const RequestId &id, JsonRpcCode code, const QString &message);
    void sendRelated(const RequestId &id, const QJsonObject &message);
    void sendUnrelated(const QJsonObject &message);
    void finishPending(const RequestId &id, RequestOutcome::Result result);
    QJsonObject serverCapabilities() const;

    ToolRegistry *m_tools;
    ServerIdentity m_identity;
    Options m_options;
    State m_state = State::AwaitingInitialize;
    Revision m_revision;
    ClientInfo m_client;
    LogLevel m_logLevel = LogLevel::Debug;
    quint64 m_toolsGenerationSeen = 0;
    QHash<RequestId, Pending> m_pending;
    QHash<RequestId, QString> m_sentRequests; // id -> method
    quint64 m_lastRequestNumber = 0;
};

} // namespace heartline

Q_DECLARE_METATYPE(heartline::OutgoingMessage)
Q_DECLARE_METATYPE(heartline::RequestOutcome)
