#pragma once

#include "server/tools/upstream/exposednames.h"
#include "server/tools/upstream/upstreamcatalogrequest.h"

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QObject>
#include <QPointer>
#include <QSet>

#include <optional>

namespace heartline {

class PromptRegistry;
class ResourceRegistry;
class UpstreamClient;

// Puts the prompts, resources and resource templates of every upstream server into the
// registries clients see, and keeps them there as servers come, re-list and go. Prompts are
// named like tools (`<server>__<prompt>`, ExposedNames); resources and templates keep their
// URIs, and a URI or template two servers offer goes to the one that comes first in the config
// (the other's copy is reported and takes over when the first goes). Resource subscriptions
// are passed on: the owning server is subscribed when the first client subscribes and
// unsubscribed when the last one leaves, and its notifications/resources/updated reach the
// subscribed clients.
//
// It reads nothing from the client's lists itself: whoever supervises the server publishes
// again after each re-list (UpstreamClient::promptsChanged, resourcesChanged, a restart).
class UpstreamCatalogPublisher final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UpstreamCatalogPublisher)

public:
    // Either registry may be null: then that part is not published.
    UpstreamCatalogPublisher(PromptRegistry *prompts, ResourceRegistry *resources,
                             QObject *parent = nullptr);

    // Replaces what `server` offers with the upstream's list entries (verbatim), served through
    // `client`. `configOrder` is the server's place in the config's mcpServers (lower wins a
    // URI both offer). Entries that cannot be served are skipped and reported. `timeoutMs`
    // (0 = none) bounds each prompts/get, resources/read and completion/complete sent on.
    void publish(const QString &server, int configOrder, UpstreamClient *client,
                 const QList<QJsonObject> &prompts, const QList<QJsonObject> &resources,
                 const QList<QJsonObject> &resourceTemplates, int timeoutMs = 0);
    // Takes everything of `server` out of the registries.
    void withdraw(const QString &server);

    // Which upstream prompt an exposed name stands for; nullopt for built-in or unknown names.
    std::optional<ExposedNames::Origin> promptOriginOf(const QString &exposedName) const
    {
        return m_promptNames.lookup(exposedName);
    }
    QString exposedPromptName(const QString &server, const QString &upstreamName) const
    {
        return m_promptNames.exposedName(server, upstreamName);
    }
    // The server that serves `uri`: the owner of that exact resource, else of the first
    // template (in the registry's order) that matches it; empty for none.
    QString ownerOf(const QString &uri) const;
    QString ownerOfTemplate(const QString &uriTemplate) const
    {
        return m_templateOwners.value(uriTemplate);
    }

Q_SIGNALS:
    void problem(const QString &server, const QString &message);

private:
    struct Published
    {
        int order = 0;
        UpstreamLink link;
        QHash<QString, QJsonObject> prompts;  // by upstream name
        QMap<QString, QJsonObject> resources; // by URI
        QMap<QString, QJsonObject> templates; // by URI template
        QMetaObject::Connection notifications;
    };

    // The upstream's list entries by their key field; entries without one, or with one seen
    // before, are skipped and reported.
    template<typename Map>
    void collectEntries(const QString &server, const QList<QJsonObject> &entries,
                        const QString &keyField, const QString &kind, Map *into);
    void publishPrompts(const QString &server);
    void registerPrompt(const QString &server, const QString &upstreamName);
    void unregisterPrompt(const QString &server, const QString &upstreamName);
    // Registers each URI and template with the server that should serve it now, after
    // `changed` came, re-listed or went.
    void settleResources(const QString &changed);
    void settleKind(const QString &changed, QMap<QString, QJsonObject> Published::*offered,
                    QMap<QString, QString> *owners, const QString &kind);
    bool registerResourceEntry(const QString &server, const QString &key, bool isTemplate);
    // Moves each upstream subscription to the server that serves its URI now; `previous` is
    // the client `changed` was published with before (unsubscribed there if it lost the URI).
    void settleSubscriptions(const QString &changed, const UpstreamLink &previous);
    UpstreamLink linkOf(const QString &server) const;
    bool comesFirst(const QString &server, const QString &other) const;

    void handleFirstSubscriber(const QString &uri);
    void handleLastSubscriberGone(const QString &uri);
    void subscribeUpstream(const QString &uri, const UpstreamLink &link, bool subscribe);
    void handleNotification(const QString &server, const QString &method,
                            const QJsonObject &params);

    static QString keyOf(const QString &server, const QString &upstreamName);

    QPointer<PromptRegistry> m_prompts;
    QPointer<ResourceRegistry> m_resources;
    ExposedNames m_promptNames;
    QHash<QString, Published> m_servers;
    QHash<QString, QString> m_promptRegisteredAs; // key(server, upstream name) -> exposed name
    QMap<QString, QString> m_uriOwners;           // registered URI -> server
    QMap<QString, QString> m_templateOwners;      // registered template -> server
    QSet<QString> m_listenedUris;                 // URIs some client is subscribed to
    QHash<QString, QString> m_subscribedAt;       // URI -> server subscribed upstream
};

} // namespace heartline
