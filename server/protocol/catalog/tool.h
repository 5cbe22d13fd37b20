#pragma once

#include "server/protocol/wire/loglevel.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QObject>
#include <QString>

#include <memory>

namespace heartline {

// What clients see of a tool in tools/list. Schemas are served verbatim, unknown keywords kept.
struct ToolDefinition
{
    QString name;
    QString title;
    QString description;
    QJsonObject inputSchema;
    QJsonObject outputSchema;
    QJsonObject annotations;

    QJsonObject toJson() const;
};

class ToolCall;

// The one party that turns what a call reports into protocol messages: the session's tools
// feature. It is told directly, before the call's signals reach anyone else (a forwarder, a
// test): six signal connections made and broken per call were a measurable share of a fast
// call's cost.
class ToolCallListener
{
public:
    virtual ~ToolCallListener() = default;
    virtual void progressReported(const QJsonObject &params) = 0;
    virtual void logged(LogLevel level, const QJsonValue &data, const QString &logger) = 0;
    virtual void inputRequested(const QString &key, const QString &method,
                                const QJsonObject &params) = 0;
    virtual void streamCloseRequested() = 0;
    virtual void finished(const QJsonObject &result) = 0;
    virtual void cancelled() = 0;
};

// One running tools/call. The tool answers through it now or later; the session turns what it
// reports into progress notifications, log messages and the final result. After cancel() or
// finish() every further report is dropped, so a late timer in a tool can never answer twice.
class ToolCall final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ToolCall)

public:
    ToolCall(const QString &toolName, const QJsonObject &arguments, const QJsonValue &progressToken,
             QObject *parent = nullptr);
    ~ToolCall() override;

    // Set once, by the session, before the tool runs.
    void setListener(std::unique_ptr<ToolCallListener> listener);

    const QString &toolName() const { return m_toolName; }
    const QJsonObject &arguments() const { return m_arguments; }
    bool wantsProgress() const { return !m_progressToken.isUndefined(); }
    bool isDone() const { return m_done; }
    bool isCancelled() const { return m_cancelled; }

    // `progress` must grow with every call; a report that does not is dropped (MCP MUST).
    void reportProgress(double progress, double total = -1, const QString &message = {});
    // `logger` defaults to the tool's name; a forwarded call names the upstream server.
    void log(LogLevel level, const QJsonValue &data, const QString &logger = {});
    void finish(const QJsonObject &result);
    void finishWithText(const QString &text);
    // A tool failure is a result with isError, never a protocol error (MCP 2025-11-25).
    void fail(const QString &message);

    // Asks the client for something on behalf of this call: "sampling/createMessage" or
    // "elicitation/create". `key` names the question uniquely within the call. The answer comes
    // back through inputReceived(key, result), or inputFailed(key, reason) when the client
    // lacks the capability, answers with an error, or the revision cannot ask (see Session).
    // On 2025 revisions the request travels on this call's own stream; on 2026-07-28 the call
    // ends with an input_required result and the client's retry carries the answer.
    void requestInput(const QString &key, const QString &method, const QJsonObject &params);
    // Whether the client declared a capability ("sampling", "elicitation", "roots").
    bool clientSupports(const QString &capability) const;
    // Ends this call's SSE stream early with a retry hint, as SEP-1699 polling allows; the
    // client resumes with Last-Event-ID and gets the result there. A no-op where the revision
    // or transport cannot resume.
    void closeStreamEarly();

    // Called by the session when the client cancels or the session ends.
    void cancel();

    // Set by the session before the tool runs.
    void setClientCapabilities(const QJsonObject &capabilities);
    // The request's params._meta as the client sent it (progressToken included), so that a
    // forwarding tool can pass it on.
    void setMeta(const QJsonObject &meta) { m_meta = meta; }
    const QJsonObject &meta() const { return m_meta; }
    // The session the call came in on, as its transport names it (Mcp-Session-Id); empty for a
    // stateless MCP 2026-07-28 request, which belongs to no session.
    void setSessionId(const QString &sessionId) { m_sessionId = sessionId; }
    const QString &sessionId() const { return m_sessionId; }
    void setInputResponses(const QJsonObject &inputResponses);
    const QJsonObject &inputResponses() const { return m_inputResponses; }
    // Called by the session with the client's answer to requestInput().
    void deliverInput(const QString &key, const QJsonObject &result);
    void failInput(const QString &key, const QString &reason);

Q_SIGNALS:
    void cancelled();
    void progressReported(const QJsonObject &params);
    void logged(heartline::LogLevel level, const QJsonValue &data, const QString &logger);
    void finished(const QJsonObject &result);
    void inputRequested(const QString &key, const QString &method, const QJsonObject &params);
    void inputReceived(const QString &key, const QJsonObject &result);
    void inputFailed(const QString &key, const QString &reason);
    void streamCloseRequested();

private:
    QString m_toolName;
    QJsonObject m_arguments;
    QJsonValue m_progressToken;
    double m_lastProgress = 0;
    bool m_anyProgress = false;
    bool m_done = false;
    bool m_cancelled = false;
    QJsonObject m_clientCapabilities;
    QJsonObject m_inputResponses;
    QJsonObject m_meta;
    QString m_sessionId;
    std::unique_ptr<ToolCallListener> m_listener;
};

// The interface every tool implements. call() must not block: slow work uses timers,
// processes or sockets and answers through the ToolCall when it is done.
class Tool
{
public:
    virtual ~Tool() = default;
    virtual ToolDefinition definition() const = 0;
    virtual void call(ToolCall *call) = 0;
};

} // namespace heartline
