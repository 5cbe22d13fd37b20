#pragma once

#include "server/protocol/session/sessionfeature.h"

namespace heartline {

class ResourceRegistry;

// resources/list, resources/templates/list and resources/read, and (with sessions) the
// announcement that the list changed. Subscribing to a resource is SubscriptionsFeature's.
class ResourcesFeature final : public SessionFeature
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ResourcesFeature)

public:
    // `resources` may be null: then the methods exist but the capability is not offered.
    ResourcesFeature(SessionPort &port, ResourceRegistry *resources, int pageSize,
                     QObject *parent = nullptr);

    void addMethods(MethodTable &table) override;
    void markListsSeen() override;

private:
    void handleList(const JsonRpcMessage &message);
    void handleTemplatesList(const JsonRpcMessage &message);
    void handleRead(const JsonRpcMessage &message);
    // The revision's error for a URI nothing serves.
    void respondNotFound(const RequestId &id, const QString &uri);
    quint64 generation() const;

    ResourceRegistry *m_resources;
    int m_pageSize;
    quint64 m_generationSeen = 0;
};

} // namespace heartline
