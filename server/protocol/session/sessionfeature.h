#pragma once

#include "server/protocol/session/sessionport.h"

#include <QList>
#include <QLoggingCategory>
#include <QObject>
#include <QPair>

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
    // The client cancelled request `id`; false if this feature does not run it.
    virtual bool cancel(const RequestId &id, const QString &reason);
    // Request `id` ended, answered or not: whatever the feature kept for it goes.
    virtual void requestFinished(const RequestId &id);
    // The session closes: running work is cancelled silently.
    virtual void close() {}

protected:
    // Pages `items` (sorted by key) after the request's cursor; false when the cursor is bad
    // (and the error is already sent).
    bool paginate(const JsonRpcMessage &message, const QList<QPair<QString, QJsonObject>> &items,
                  const QString &listKey, int pageSize, QJsonObject *result);
    bool readStringParam(const JsonRpcMessage &message, const QString &name, QString *value);
    // 2025 revisions: tells an initialized client once that a list it has seen changed.
    void announceListChange(quint64 generation, quint64 *seen, const QString &method);

    SessionPort &m_port;
};

} // namespace heartline
