#include "server/protocol/session/resourcesfeature.h"

#include "server/protocol/catalog/resourceregistry.h"
#include "server/protocol/session/methodtable.h"

using namespace Qt::StringLiterals;

namespace heartline {

ResourcesFeature::ResourcesFeature(SessionPort &port, ResourceRegistry *resources, int pageSize,
                                   QObject *parent)
    : SessionFeature(port, parent)
    , m_resources(resources)
    , m_pageSize(pageSize)
{
    // 2026-07-28 announces changes on subscriptions/listen streams (SubscriptionsFeature).
    if (m_resources && !m_port.isStateless()) {
        connect(m_resources, &ResourceRegistry::listChanged, this, [this]() {
            announceListChange(generation(), &m_generationSeen,
                               u"notifications/resources/list_changed"_s);
        });
    }
}

void ResourcesFeature::addMethods(MethodTable &table)
{
    table.add({"resources/list"_L1, MethodEra::Both, true, "resources"_L1,
               [this](const JsonRpcMessage &message) { handleList(message); }});
    table.add({"resources/templates/list"_L1, MethodEra::Both, true, "resources"_L1,
               [this](const JsonRpcMessage &message) { handleTemplatesList(message); }});
    table.add({"resources/read"_L1, MethodEra::Both, true, "resources"_L1,
               [this](const JsonRpcMessage &message) { handleRead(message); }});
}

void ResourcesFeature::markListsSeen()
{
    m_generationSeen = generation();
}

quint64 ResourcesFeature::generation() const
{
    return m_resources ? m_resources->generation() : 0;
}

void ResourcesFeature::handleList(const JsonRpcMessage &message)
{
    QList<QPair<QString, QJsonObject>> items;
    if (m_resources) {
        for (const ResourceDefinition &resource : m_resources->definitions())
            items.push_back({resource.uri, resource.toJson()});
    }
    QJsonObject result;
    if (!paginate(message, items, u"resources"_s, m_pageSize, &result))
        return;
    m_generationSeen = generation();
    m_port.respond(message.id, result);
}

void ResourcesFeature::handleTemplatesList(const JsonRpcMessage &message)
{
    QList<QPair<QString, QJsonObject>> items;
    if (m_resources) {
        for (const ResourceTemplateDefinition &resourceTemplate :
             m_resources->templateDefinitions())
            items.push_back({resourceTemplate.uriTemplate, resourceTemplate.toJson()});
    }
    QJsonObject result;
    if (!paginate(message, items, u"resourceTemplates"_s, m_pageSize, &result))
        return;
    // Templates are part of what resources/list_changed announces.
    m_generationSeen = generation();
    m_port.respond(message.id, result);
}

void ResourcesFeature::handleRead(const JsonRpcMessage &message)
{
    // Template matching grows with the URI; no real URI comes near this, and a 4 MB one would
    // hold the event loop (and every other client) for seconds.
    constexpr int kMaxUriLength = 8 * 1024;
    QString uri;
    if (!readStringParam(message, u"uri"_s, &uri))
        return;
    if (uri.size() > kMaxUriLength) {
        m_port.rejectMalformed(
            message.id,
            u"Invalid params: \"uri\" is longer than %1 characters"_s.arg(kMaxUriLength));
        return;
    }
    const RequestId id = message.id;
    const auto answer = answerLater(id, [this, id, uri](const ResourceReadOutcome &outcome) {
        switch (outcome.status) {
        case ResourceReadOutcome::Status::Found:
            m_port.respond(id, {{"contents"_L1, outcome.contents}});
            return;
        case ResourceReadOutcome::Status::NotFound:
            respondNotFound(id, uri);
            return;
        case ResourceReadOutcome::Status::Failed:
            m_port.respondError(id, JsonRpcCode::InternalError, outcome.error,
                                QJsonObject{{"uri"_L1, uri}});
            return;
        }
    });
    if (!m_resources) {
        answer(ResourceReadOutcome::notFound());
        return;
    }
    m_resources->readAsync(uri, answer);
}

void ResourcesFeature::respondNotFound(const RequestId &id, const QString &uri)
{
    const bool oldCode = Revisions::traits(m_port.contextOf(id).revision).hasResourceNotFoundCode;
    m_port.respondError(id, oldCode ? JsonRpcCode::ResourceNotFound : JsonRpcCode::InvalidParams,
                        u"Resource not found: %1"_s.arg(uri), QJsonObject{{"uri"_L1, uri}});
}

} // namespace heartline
