#pragma once

#include "server/protocol/session/sessionfeature.h"

#include <QHash>
#include <QPointer>
#include <QSet>

namespace heartline {

class PromptRegistry;
class ResourceRegistry;
class ToolRegistry;

// What a client asked to hear about: resources/subscribe with sessions, and the open
// subscriptions/listen requests of 2026-07-28, each a stream the change notifications of the
// catalog fan out to.
class SubscriptionsFeature final : public SessionFeature
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SubscriptionsFeature)

public:
    // Prompts and resources may be null (then nothing of theirs can be listened to).
    SubscriptionsFeature(SessionPort &port, ToolRegistry *tools, PromptRegistry *prompts,
                         ResourceRegistry *resources, QObject *parent = nullptr);
    ~SubscriptionsFeature() override;

    void addMethods(MethodTable &table) override;
    bool cancel(const RequestId &id, const QString &reason) override;
    void requestFinished(const RequestId &id) override;
    void close() override;

    // Ends every open subscriptions/listen with its final result.
    void endListens();
    int listenCount() const { return int(m_listens.size()); }
    bool isSubscribedTo(const QString &uri) const;

private:
    // An open subscriptions/listen and what its client opted in to.
    struct Listen
    {
        bool toolsListChanged = false;
        bool promptsListChanged = false;
        bool resourcesListChanged = false;
        QSet<QString> resourceUris;
    };

    void handleSubscribe(const JsonRpcMessage &message);
    void handleUnsubscribe(const JsonRpcMessage &message);
    void handleListen(const JsonRpcMessage &message);
    void handleResourceUpdated(const QString &uri);
    void notifyListens(bool Listen::*wants, const QString &method);
    // Ends listen `id` and lets go of its resource subscriptions; false if it was not open.
    bool dropListen(const RequestId &id);
    // Gives up every subscription this session holds (it closes).
    void dropAll();
    // Each URI held (by resources/subscribe or by one listen) counts once in the registry,
    // which tells whoever serves the URI when the first subscriber came and the last one left.
    void hold(const QString &uri);
    void release(const QString &uri);

    bool m_hasPrompts;
    bool m_hasResources;
    QPointer<ResourceRegistry> m_resources;
    QSet<QString> m_resourceUris;       // resources/subscribe (2025 revisions)
    QHash<RequestId, Listen> m_listens; // subscriptions/listen (2026-07-28)
};

} // namespace heartline
