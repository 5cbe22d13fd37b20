#include "server/tools/upstream/upstreamcatalogpublisher.h"

#include "server/protocol/catalog/promptregistry.h"
#include "server/protocol/catalog/resourceregistry.h"
#include "server/tools/upstream/upstreamclient.h"
#include "server/tools/upstream/upstreamprompt.h"
#include "server/tools/upstream/upstreamresource.h"
#include "server/tools/upstream/upstreamresourcetemplate.h"

#include <QLoggingCategory>

#include <memory>

using namespace Qt::StringLiterals;

namespace heartline {

Q_LOGGING_CATEGORY(lcUpstreamCatalog, "heartline.upstream.catalog")

UpstreamCatalogPublisher::UpstreamCatalogPublisher(PromptRegistry *prompts,
                                                   ResourceRegistry *resources, QObject *parent)
    : QObject(parent)
    , m_prompts(prompts)
    , m_resources(resources)
{
    if (m_resources) {
        connect(m_resources, &ResourceRegistry::firstSubscriber, this,
                &UpstreamCatalogPublisher::handleFirstSubscriber);
        connect(m_resources, &ResourceRegistry::lastSubscriberGone, this,
                &UpstreamCatalogPublisher::handleLastSubscriberGone);
    }
}

QString UpstreamCatalogPublisher::keyOf(const QString &server, const QString &upstreamName)
{
    return server + QChar(0) + upstreamName;
}

void UpstreamCatalogPublisher::publish(const QString &server, int configOrder,
                                       UpstreamClient *client, const QList<QJsonObject> &prompts,
                                       const QList<QJsonObject> &resources,
                                       const QList<QJsonObject> &resourceTemplates,
                                       int timeoutMs)
{
    Published published;
    published.order = configOrder;
    published.link = UpstreamLink{client, server, timeoutMs};
    collectEntries(server, prompts, u"name"_s, u"prompt"_s, &published.prompts);
    collectEntries(server, resources, u"uri"_s, u"resource"_s, &published.resources);
    collectEntries(server, resourceTemplates, u"uriTemplate"_s, u"resource template"_s,
                   &published.templates);

    // The client the server was published with before, which still holds its subscriptions.
    const UpstreamLink previous = m_servers.value(server).link;
    // This server's prompts go out first: their definitions may have changed under one name.
    if (const auto it = m_servers.find(server); it != m_servers.end()) {
        for (auto prompt = it->prompts.cbegin(); prompt != it->prompts.cend(); ++prompt)
            unregisterPrompt(server, prompt.key());
        disconnect(it->notifications);
    }
    const bool empty = published.prompts.isEmpty() && published.resources.isEmpty()
                       && published.templates.isEmpty();
    if (client && !empty) {
        published.notifications =
            connect(client, &UpstreamClient::notificationReceived, this,
                    [this, server](const QString &method, const QJsonObject &params) {
                        handleNotification(server, method, params);
                    });
    }
    if (empty)
        m_servers.remove(server);
    else
        m_servers.insert(server, published);

    publishPrompts(server);
    settleResources(server);
    settleSubscriptions(server, previous);
}

template<typename Map>
void UpstreamCatalogPublisher::collectEntries(const QString &server,
                                              const QList<QJsonObject> &entries,
                                              const QString &keyField, const QString &kind,
                                              Map *into)
{
    for (const QJsonObject &entry : entries) {
        const QString key = entry.value(keyField).toString();
        if (key.isEmpty())
            Q_EMIT problem(server, u"skipped a %1 without a %2"_s.arg(kind, keyField));
        else if (into->contains(key))
            Q_EMIT problem(server, u"skipped a second %1 '%2'"_s.arg(kind, key));
        else
            into->insert(key, entry);
    }
}

void UpstreamCatalogPublisher::withdraw(const QString &server)
{
    publish(server, 0, nullptr, {}, {}, {});
}

void UpstreamCatalogPublisher::publishPrompts(const QString &server)
{
    if (!m_prompts)
        return;
    // Built-in prompts keep their names: an upstream name that would take one is hashed.
    QSet<QString> reserved;
    for (const PromptDefinition &definition : m_prompts->definitions()) {
        if (!m_promptNames.lookup(definition.name))
            reserved.insert(definition.name);
    }
    m_promptNames.reserve(reserved);

    const auto it = m_servers.constFind(server);
    const QStringList names = it == m_servers.cend() ? QStringList() : it->prompts.keys();
    const QList<ExposedNames::Origin> renamed = m_promptNames.setServerNames(server, names);
    for (const ExposedNames::Origin &origin : renamed) {
        if (origin.server == server)
            continue;
        unregisterPrompt(origin.server, origin.name);
        registerPrompt(origin.server, origin.name);
    }
    for (const QString &name : names)
        registerPrompt(server, name);
}

void UpstreamCatalogPublisher::registerPrompt(const QString &server, const QString &upstreamName)
{
    const auto it = m_servers.constFind(server);
    if (it == m_servers.cend() || !it->prompts.contains(upstreamName))
        return;
    const QString exposed = m_promptNames.exposedName(server, upstreamName);
    PromptDefinition definition;
    QString why;
    if (!UpstreamPrompt::definitionFromJson(it->prompts.value(upstreamName), exposed, &definition,
                                            &why)) {
        Q_EMIT problem(server, u"skipped %1"_s.arg(why));
        return;
    }
    if (!m_prompts->registerPrompt(
            std::make_shared<UpstreamPrompt>(definition, upstreamName, it->link))) {
        Q_EMIT problem(server, u"could not serve prompt '%1' as '%2'"_s.arg(upstreamName, exposed));
        return;
    }
    m_promptRegisteredAs.insert(keyOf(server, upstreamName), exposed);
}

void UpstreamCatalogPublisher::unregisterPrompt(const QString &server, const QString &upstreamName)
{
    const QString exposed = m_promptRegisteredAs.take(keyOf(server, upstreamName));
    if (!exposed.isEmpty() && m_prompts)
        m_prompts->unregisterPrompt(exposed);
}

bool UpstreamCatalogPublisher::comesFirst(const QString &server, const QString &other) const
{
    const int order = m_servers.value(server).order;
    const int otherOrder = m_servers.value(other).order;
    // Equal places (a caller that numbers carelessly) still give one answer every time.
    return order != otherOrder ? order < otherOrder : server < other;
}

void UpstreamCatalogPublisher::settleResources(const QString &changed)
{
    if (!m_resources)
        return;
    settleKind(changed, &Published::resources, &m_uriOwners, u"resource"_s);
    settleKind(changed, &Published::templates, &m_templateOwners, u"resource template"_s);
}

void UpstreamCatalogPublisher::settleKind(const QString &changed,
                                          QMap<QString, QJsonObject> Published::*offered,
                                          QMap<QString, QString> *owners, const QString &kind)
{
    const bool isTemplate = owners == &m_templateOwners;
    const auto unregister = [this, isTemplate](const QString &key) {
        if (isTemplate)
            m_resources->unregisterTemplate(key);
        else
            m_resources->unregisterResource(key);
    };

    // Who should serve each key now: the offering server that comes first in the config.
    QMap<QString, QString> wanted;
    for (auto server = m_servers.cbegin(); server != m_servers.cend(); ++server) {
        const QMap<QString, QJsonObject> &entries = server.value().*offered;
        for (auto entry = entries.cbegin(); entry != entries.cend(); ++entry) {
            const QString current = wanted.value(entry.key());
            if (current.isEmpty() || comesFirst(server.key(), current))
                wanted.insert(entry.key(), server.key());
        }
    }

    // The changed server's entries are registered afresh (their definitions may differ), and
    // every key whose owner changed moves.
    for (auto it = owners->begin(); it != owners->end();) {
        if (it.value() == changed || wanted.value(it.key()) != it.value()) {
            unregister(it.key());
            it = owners->erase(it);
        } else {
            ++it;
        }
    }
    for (auto it = wanted.cbegin(); it != wanted.cend(); ++it) {
        if (!owners->contains(it.key()) && registerResourceEntry(it.value(), it.key(), isTemplate))
            owners->insert(it.key(), it.value());
    }

    // Clashes involving the changed server, reported to the server whose copy is hidden.
    const auto changedIt = m_servers.constFind(changed);
    if (changedIt == m_servers.cend())
        return;
    const QMap<QString, QJsonObject> &mine = changedIt.value().*offered;
    for (auto server = m_servers.cbegin(); server != m_servers.cend(); ++server) {
        if (server.key() == changed)
            continue;
        const QMap<QString, QJsonObject> &theirs = server.value().*offered;
        for (auto entry = mine.cbegin(); entry != mine.cend(); ++entry) {
            if (!theirs.contains(entry.key()))
                continue;
            const bool changedWins = comesFirst(changed, server.key());
            const QString &winner = changedWins ? changed : server.key();
            const QString &loser = changedWins ? server.key() : changed;
            Q_EMIT problem(loser, u"%1 '%2' is also offered by '%3', which comes first in the "
                                  "config and serves it"_s.arg(kind, entry.key(), winner));
        }
    }
}

bool UpstreamCatalogPublisher::registerResourceEntry(const QString &server, const QString &key,
                                                     bool isTemplate)
{
    const Published &published = m_servers[server];
    QString why;
    bool registered = false;
    if (isTemplate) {
        ResourceTemplateDefinition definition;
        if (UpstreamResourceTemplate::definitionFromJson(published.templates.value(key),
                                                         &definition, &why)) {
            registered = m_resources->registerTemplate(
                std::make_shared<UpstreamResourceTemplate>(definition, published.link));
            why = u"could not serve resource template '%1' (taken, or not an RFC 6570 level-1 "
                  "template)"_s.arg(key);
        }
    } else {
        ResourceDefinition definition;
        if (UpstreamResource::definitionFromJson(published.resources.value(key), &definition,
                                                 &why)) {
            registered = m_resources->registerResource(
                std::make_shared<UpstreamResource>(definition, published.link));
            why = u"could not serve resource '%1' (taken, or not a URI)"_s.arg(key);
        }
    }
    if (!registered)
        Q_EMIT problem(server, why);
    return registered;
}

QString UpstreamCatalogPublisher::ownerOf(const QString &uri) const
{
    if (const auto exact = m_uriOwners.constFind(uri); exact != m_uriOwners.cend())
        return exact.value();
    if (m_resources && m_resources->containsUri(uri))
        return {}; // a built-in resource
    for (auto it = m_templateOwners.cbegin(); it != m_templateOwners.cend(); ++it) {
        if (UriTemplate::match(it.key(), uri, nullptr))
            return it.value();
    }
    return {};
}

void UpstreamCatalogPublisher::settleSubscriptions(const QString &changed,
                                                   const UpstreamLink &previous)
{
    for (const QString &uri : std::as_const(m_listenedUris)) {
        const QString owner = ownerOf(uri);
        const QString subscribedAt = m_subscribedAt.value(uri);
        // A server published again may be a new process that knows nothing of the old one's
        // subscriptions, so its URIs are subscribed again.
        if (subscribedAt == owner && owner != changed)
            continue;
        if (!subscribedAt.isEmpty() && subscribedAt != owner) {
            subscribeUpstream(uri, subscribedAt == changed ? previous : linkOf(subscribedAt),
                              false);
        }
        if (!owner.isEmpty())
            subscribeUpstream(uri, linkOf(owner), true);
    }
}

void UpstreamCatalogPublisher::handleFirstSubscriber(const QString &uri)
{
    m_listenedUris.insert(uri);
    const QString owner = ownerOf(uri);
    if (!owner.isEmpty())
        subscribeUpstream(uri, linkOf(owner), true);
}

void UpstreamCatalogPublisher::handleLastSubscriberGone(const QString &uri)
{
    m_listenedUris.remove(uri);
    const QString subscribedAt = m_subscribedAt.value(uri);
    if (!subscribedAt.isEmpty())
        subscribeUpstream(uri, linkOf(subscribedAt), false);
}

UpstreamLink UpstreamCatalogPublisher::linkOf(const QString &server) const
{
    const auto it = m_servers.constFind(server);
    return it == m_servers.cend() ? UpstreamLink{nullptr, server} : it->link;
}

void UpstreamCatalogPublisher::subscribeUpstream(const QString &uri, const UpstreamLink &link,
                                                 bool subscribe)
{
    const QString server = link.server;
    if (subscribe)
        m_subscribedAt.insert(uri, server);
    else
        m_subscribedAt.remove(uri);
    const UpstreamClient *client = link.client;
    if (!client || client->state() != UpstreamClient::State::Ready)
        return;
    // A server that does not offer subscriptions would only answer with an error.
    const bool offersSubscribe = client->serverCapabilities()
                                     .value("resources"_L1)
                                     .toObject()
                                     .value("subscribe"_L1)
                                     .toBool();
    if (!offersSubscribe)
        return;
    const QString method = subscribe ? u"resources/subscribe"_s : u"resources/unsubscribe"_s;
    qCDebug(lcUpstreamCatalog) << method << uri << "at upstream server" << server;
    UpstreamCatalogRequest::send(
        link, method, {{"uri"_L1, uri}}, [](const QJsonObject &) {},
        [guard = QPointer(this), server, method, uri](const QString &error, int code) {
            Q_UNUSED(code)
            if (guard)
                Q_EMIT guard->problem(server, u"%1 of '%2' failed: %3"_s.arg(method, uri, error));
        });
}

void UpstreamCatalogPublisher::handleNotification(const QString &server, const QString &method,
                                                  const QJsonObject &params)
{
    if (method != "notifications/resources/updated"_L1 || !m_resources)
        return;
    const QString uri = params.value("uri"_L1).toString();
    // Only the server that serves a URI speaks for it: a hidden copy's news is not the news.
    if (!uri.isEmpty() && ownerOf(uri) == server)
        m_resources->notifyUpdated(uri);
}

} // namespace heartline
