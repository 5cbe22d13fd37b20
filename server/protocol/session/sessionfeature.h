#pragma once

#include "server/protocol/session/awaitedanswers.h"
#include "server/protocol/session/sessionport.h"

#include <QList>
#include <QLoggingCategory>
#include <QObject>
#include <QPair>
#include <QPointer>

namespace heartline {

class MethodTable;

// The session and its features log as one component.
Q_DECLARE_LOGGING_CATEGORY(lcSession)

// One group of MCP methods (tools, resources, prompts, subscriptions), as the MCP TypeScript
// SDK splits its server: it adds its rows to the session's method table, owns the state of
// its requests, and reaches the session only through SessionPort. The hooks let the session
// tell it about the lifecycle without knowing what it keeps.
class SessionFeature : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SessionFeature)

public:
    explicit SessionFeature(SessionPort &port, QObject *parent = nullptr);

    virtual void addMethods(MethodTable &table) = 0;
    // initialize was answered: the client has now seen every list as it is.
    virtual void markListsSeen() {}
    // The client cancelled request `id`; false if this feature does not run it. By default a
    // request waiting for a later answer (answerLater) ends here, and its answer is dropped.
    virtual bool cancel(const RequestId &id, const QString &reason);
    // Request `id` ended, answered or not: whatever the feature kept for it goes.
    virtual void requestFinished(const RequestId &id);
    // The session closes: running work is cancelled silently.
    virtual void close() { m_awaited.clear(); }

protected:
    // Pages `items` (sorted by key) after the request's cursor; false when the cursor is bad
    // (and the error is already sent).
    bool paginate(const JsonRpcMessage &message, const QList<QPair<QString, QJsonObject>> &items,
                  const QString &listKey, int pageSize, QJsonObject *result);
    bool readStringParam(const JsonRpcMessage &message, const QString &name, QString *value);
    // 2025 revisions: tells an initialized client once that a list it has seen changed.
    void announceListChange(quint64 generation, quint64 *seen, const QString &method);

    // Wraps `answer` (which answers request `id`) for a catalog entry that may call it on a
    // later turn of the event loop: it runs only while the request still waits for it, never
    // after a cancellation, after the session closed or this feature was destroyed, nor for a
    // later request that reuses the id.
    template<typename Answer>
    auto answerLater(const RequestId &id, Answer answer)
    {
        const quint64 serial = m_awaited.await(id);
        return [guard = QPointer<SessionFeature>(this), id, serial,
                answer = std::move(answer)](const auto &...values) {
            if (guard && guard->m_awaited.claim(id, serial))
                answer(values...);
        };
    }

    SessionPort &m_port;

private:
    AwaitedAnswers m_awaited;
};

} // namespace heartline
