#pragma once

#include "server/protocol/session/sessionfeature.h"

#include <QHash>
#include <QPointer>

namespace heartline {

class ToolCall;
class ToolRegistry;

// tools/list and tools/call: the running calls, the questions they ask the client (as
// server-to-client requests with sessions, as input_required results in 2026-07-28), and the
// output schema a result must keep to.
class ToolsFeature final : public SessionFeature
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ToolsFeature)

public:
    ToolsFeature(SessionPort &port, ToolRegistry *tools, int pageSize, QObject *parent = nullptr);
    ~ToolsFeature() override;

    void addMethods(MethodTable &table) override;
    void markListsSeen() override;
    bool cancel(const RequestId &id, const QString &reason) override;
    void requestFinished(const RequestId &id) override;
    void close() override;

Q_SIGNALS:
    // The client was sent a tools/list result built from this generation of the registry.
    void listServed(quint64 generation);

private:
    class CallRouting;
    struct RunningCall
    {
        QPointer<ToolCall> call;
        QJsonObject inputRequests; // 2026-07-28: questions collected for an input_required result
    };

    void handleList(const JsonRpcMessage &message);
    void handleCall(const JsonRpcMessage &message);
    void handleInputRequested(const RequestId &id, const QString &key, const QString &method,
                              const QJsonObject &params);
    void handleInputResponse(const RequestId &id, const QString &key, const QString &method,
                             const JsonRpcMessage &response);
    void answerInputRequired(const RequestId &id);
    QJsonObject checkedResult(const QString &toolName, const QJsonObject &result) const;

    ToolRegistry *m_tools;
    int m_pageSize;
    quint64 m_generationSeen = 0;
    QHash<RequestId, RunningCall> m_calls;
};

} // namespace heartline
