#pragma once

#include "server/protocol/wire/jsonrpc.h"
#include "server/protocol/wire/loglevel.h"
#include "server/protocol/wire/revision.h"

#include <QJsonObject>
#include <QString>

#include <functional>

namespace heartline {

struct RequestOutcome
{
    enum class Result { Ok, ProtocolError, ToolError, Cancelled };

    RequestId id;
    QString method;
    QString toolName; // tools/call only
    qint64 elapsedMs = 0;
    Result result = Result::Ok;
};

// What one request is served under: the session's negotiated state for 2025 revisions,
// the request's own _meta for 2026-07-28.
struct RequestContext
{
    Revision revision = Revision::V2025_11_25;
    QJsonObject clientCapabilities;
    bool logsWanted = true;
    LogLevel logLevel = LogLevel::Debug;
};

// How a feature handler reaches its session, and all it sees of it: the session keeps the
// lifecycle and the requests in flight, so answers, notifications and questions to the client
// go through here, where a closed session or a finished request silences them in one place.
class SessionPort
{
public:
    using ResponseHandler = std::function<void(const JsonRpcMessage &response)>;

    virtual bool isStateless() const = 0;
    // The transport's id of this session (Session::Options::sessionId); empty when stateless.
    virtual QString sessionId() const = 0;
    // Initialized (2025 revisions): only then may notifications unrelated to a request go out.
    virtual bool isReady() const = 0;
    virtual RequestContext contextOf(const RequestId &id) const = 0;

    // Answers request `id` and ends it; nothing happens if it is no longer running.
    virtual void respond(const RequestId &id, const QJsonObject &result,
                         RequestOutcome::Result outcome = RequestOutcome::Result::Ok) = 0;
    virtual void respondError(const RequestId &id, JsonRpcCode code, const QString &message,
                              const QJsonValue &data = QJsonValue::Undefined) = 0;
    // An InvalidParams error for a request whose shape is wrong (see OutgoingMessage).
    virtual void rejectMalformed(const RequestId &id, const QString &message) = 0;
    // Ends request `id` without an answer (it was cancelled).
    virtual void finishPending(const RequestId &id, RequestOutcome::Result result) = 0;

    virtual void sendRelated(const RequestId &id, const QJsonObject &message) = 0;
    virtual void sendUnrelated(const QJsonObject &message) = 0;
    // The same, with `message` already serialized: one notification sent to many sessions is
    // serialized once (`serialized` must be JsonRpc::serialize(message)).
    virtual void sendUnrelatedSerialized(const QJsonObject &message,
                                         const QByteArray &serialized) = 0;
    // A log message of request `id`, if the log level in force for it lets it through.
    virtual void logRelated(const RequestId &id, LogLevel level, const QJsonValue &data,
                            const QString &logger) = 0;
    // Asks the client a question on the stream of request `forRequest`; `onResponse` gets the
    // answer while that request still runs, and is dropped with it.
    virtual void askClient(const RequestId &forRequest, const QString &method,
                           const QJsonObject &params, ResponseHandler onResponse) = 0;
    // Names the tool request `id` calls, for its RequestOutcome.
    virtual void recordToolName(const RequestId &id, const QString &toolName) = 0;
    virtual void requestStreamClose(const RequestId &id) = 0;

protected:
    ~SessionPort() = default;
};

} // namespace heartline
