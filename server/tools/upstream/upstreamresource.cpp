#include "server/tools/upstream/upstreamresource.h"

using namespace Qt::StringLiterals;

namespace heartline {

UpstreamResource::UpstreamResource(const ResourceDefinition &definition, const UpstreamLink &link)
    : m_definition(definition)
    , m_link(link)
{}

bool UpstreamResource::definitionFromJson(const QJsonObject &entry, ResourceDefinition *definition,
                                          QString *problem)
{
    const QString uri = entry.value("uri"_L1).toString();
    if (uri.isEmpty()) {
        *problem = u"a resource without a uri"_s;
        return false;
    }
    ResourceDefinition parsed;
    parsed.uri = uri;
    readDescription(entry, uri, &parsed);
    const QJsonValue size = entry.value("size"_L1);
    parsed.size = size.isDouble() ? qint64(size.toDouble()) : -1;
    *definition = parsed;
    return true;
}

void UpstreamResource::readAsync(ResourceReadReply reply) const
{
    UpstreamCatalogRequest::read(m_link, m_definition.uri, std::move(reply));
}

} // namespace heartline
