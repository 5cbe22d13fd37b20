#include "server/protocol/session/subscriptionsfeature.h"

#include "server/protocol/catalog/promptregistry.h"
#include "server/protocol/catalog/resourceregistry.h"
#include "server/protocol/catalog/toolregistry.h"
#include "server/protocol/session/methodtable.h"

#include <QJsonArray>

#include <utility>

using namespace Qt::StringLiterals;

namespace heartline {

namespace {

constexpr auto kMetaSubscriptionId = "io.modelcontextprotocol/subscriptionId"_L1;

QJsonObject subscriptionMeta(const RequestId &id)
{
    return {{"_meta"_L1, QJsonObject{{kMetaSubscriptionId, id.toJson()}}}};
}

} // namespace

SubscriptionsFeature::SubscriptionsFeature(SessionPort &port, ToolRegistry *tools,
                                           PromptRegistry *prompts, ResourceRegistry *resources,
                                           QObject *parent)
    : SessionFeature(port, parent)
    , m_hasPrompts(prompts != nullptr)
    , m_hasResources(resources != nullptr)
    , m_resources(resources)
{
    // With sessions, list changes go to the session's own stream (the other features).
    if (m_port.isStateless()) {
        connect(tools, &ToolRegistry::listChanged, this, [this]() {
            notifyListens(&Listen::toolsListChanged, u"notifications/tools/list_changed"_s);
        });
        if (prompts) {
            connect(prompts, &PromptRegistry::listChanged, this, [this]() {
                notifyListens(&Listen::promptsListChanged, u"notifications/prompts/list_changed"_s);
            });
        }
        if (resources) {
            connect(resources, &ResourceRegistry::listChanged, this, [this]() {
                notifyListens(&Listen::resourcesListChanged,
                              u"notifications/resources/list_changed"_s);
            });
        }
    }
    if (resources) {
        connect(resources, &ResourceRegistry::updated, this,
                &SubscriptionsFeature::handleResourceUpdated);
    }
}

void SubscriptionsFeature::addMethods(MethodTable &table)
{
    table.add({"resources/subscribe"_L1, MethodEra::WithSessions, true, "resources"_L1,
               [this](const JsonRpcMessage &message) { handleSubscribe(message); }});
    table.add({"resources/unsubscribe"_L1, MethodEra::WithSessions, true, "resources"_L1,
               [this](const JsonRpcMessage &message) { handleUnsubscribe(message); }});
    table.add({"subscriptions/listen"_L1,
               MethodEra::Stateless,
               false,
               {},
               [this](const JsonRpcMessage &message) { handleListen(message); }});
}

SubscriptionsFeature::~SubscriptionsFeature()
{
    dropAll();
}

bool SubscriptionsFeature::cancel(const RequestId &id, const QString &reason)
{
    Q_UNUSED(reason)
    if (!dropListen(id))
        return false;
    m_port.finishPending(id, RequestOutcome::Result::Cancelled);
    return true;
}

void SubscriptionsFeature::requestFinished(const RequestId &id)
{
    dropListen(id);
}

void SubscriptionsFeature::close()
{
    dropAll();
}

void SubscriptionsFeature::endListens()
{
    const QList<RequestId> ids = m_listens.keys();
    for (const RequestId &id : ids) {
        dropListen(id);
        m_port.respond(id, subscriptionMeta(id));
    }
}

bool SubscriptionsFeature::dropListen(const RequestId &id)
{
    const auto it = m_listens.constFind(id);
    if (it == m_listens.cend())
        return false;
    const QSet<QString> uris = it->resourceUris;
    m_listens.erase(it);
    for (const QString &uri : uris)
        release(uri);
    return true;
}

void SubscriptionsFeature::dropAll()
{
    const QList<RequestId> ids = m_listens.keys();
    for (const RequestId &id : ids)
        dropListen(id);
    const QSet<QString> uris = std::exchange(m_resourceUris, {});
    for (const QString &uri : uris)
        release(uri);
}

void SubscriptionsFeature::hold(const QString &uri)
{
    if (m_resources)
        m_resources->subscriberAdded(uri);
}

void SubscriptionsFeature::release(const QString &uri)
{
    if (m_resources)
        m_resources->subscriberRemoved(uri);
}

bool SubscriptionsFeature::isSubscribedTo(const QString &uri) const
{
    if (m_resourceUris.contains(uri))
        return true;
    for (const Listen &listen : m_listens) {
        if (listen.resourceUris.contains(uri))
            return true;
    }
    return false;
}

void SubscriptionsFeature::handleSubscribe(const JsonRpcMessage &message)
{
    // Enough for any real client, small enough that nobody can grow it without bound.
    constexpr int kMaxSubscriptions = 1000;
    QString uri;
    if (!readStringParam(message, u"uri"_s, &uri))
        return;
    if (!ResourceRegistry::isValidUri(uri)) {
        m_port.respondError(message.id, JsonRpcCode::InvalidParams,
                            u"Invalid params: \"%1\" is not a URI"_s.arg(uri));
        return;
    }
    if (m_resourceUris.size() >= kMaxSubscriptions && !m_resourceUris.contains(uri)) {
        m_port.respondError(
            message.id, JsonRpcCode::InvalidRequest,
            u"Invalid Request: a session may hold at most %1 resource subscriptions"_s.arg(
                kMaxSubscriptions));
        return;
    }
    if (!m_resourceUris.contains(uri)) {
        m_resourceUris.insert(uri);
        hold(uri);
    }
    m_port.respond(message.id, {});
}

void SubscriptionsFeature::handleUnsubscribe(const JsonRpcMessage &message)
{
    QString uri;
    if (!readStringParam(message, u"uri"_s, &uri))
        return;
    if (m_resourceUris.remove(uri))
        release(uri);
    m_port.respond(message.id, {});
}

void SubscriptionsFeature::handleListen(const JsonRpcMessage &message)
{
    const QJsonValue filterValue = message.paramsObject().value("notifications"_L1);
    if (!filterValue.isObject()) {
        m_port.rejectMalformed(
            message.id, u"Invalid params: subscriptions/listen needs a \"notifications\" filter "
                        "object"_s);
        return;
    }
    const QJsonObject filter = filterValue.toObject();
    Listen listen;
    QJsonObject honoured;
    auto flag = [&](const QString &name, bool available, bool *target) {
        if (filter.value(name).toBool() && available) {
            *target = true;
            honoured.insert(name, true);
        }
    };
    flag(u"toolsListChanged"_s, true, &listen.toolsListChanged);
    flag(u"promptsListChanged"_s, m_hasPrompts, &listen.promptsListChanged);
    flag(u"resourcesListChanged"_s, m_hasResources, &listen.resourcesListChanged);
    const QJsonValue uris = filter.value("resourceSubscriptions"_L1);
    if (!uris.isUndefined() && !uris.isArray()) {
        m_port.rejectMalformed(
            message.id, u"Invalid params: \"resourceSubscriptions\" must be an array of URIs"_s);
        return;
    }
    if (m_hasResources && uris.isArray()) {
        QJsonArray accepted;
        for (const QJsonValue &uri : uris.toArray()) {
            if (uri.isString() && ResourceRegistry::isValidUri(uri.toString())
                && !listen.resourceUris.contains(uri.toString())) {
                listen.resourceUris.insert(uri.toString());
                accepted.append(uri);
            }
        }
        honoured.insert("resourceSubscriptions"_L1, accepted);
    }
    m_listens.insert(message.id, listen);
    for (const QString &uri : std::as_const(listen.resourceUris))
        hold(uri);
    // The acknowledgement is the first message of the stream (MUST).
    QJsonObject params = subscriptionMeta(message.id);
    params.insert("notifications"_L1, honoured);
    m_port.sendRelated(
        message.id, JsonRpc::notification(u"notifications/subscriptions/acknowledged"_s, params));
}

void SubscriptionsFeature::notifyListens(bool Listen::*wants, const QString &method)
{
    for (auto it = m_listens.cbegin(); it != m_listens.cend(); ++it) {
        if (it.value().*wants)
            m_port.sendRelated(it.key(), JsonRpc::notification(method, subscriptionMeta(it.key())));
    }
}

void SubscriptionsFeature::handleResourceUpdated(const QString &uri)
{
    for (auto it = m_listens.cbegin(); it != m_listens.cend(); ++it) {
        if (it.value().resourceUris.contains(uri)) {
            QJsonObject params = subscriptionMeta(it.key());
            params.insert("uri"_L1, uri);
            m_port.sendRelated(it.key(),
                               JsonRpc::notification(u"notifications/resources/updated"_s, params));
        }
    }
    if (m_port.isReady() && m_resourceUris.contains(uri))
        m_port.sendUnrelated(
            JsonRpc::notification(u"notifications/resources/updated"_s, {{"uri"_L1, uri}}));
}

} // namespace heartline
