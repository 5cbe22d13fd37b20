#pragma once

#include "server/protocol/catalog/resource.h"
#include "server/tools/upstream/upstreamcatalogrequest.h"

namespace heartline {

// One resource of an upstream server as Heartline serves it: its URI as the upstream wrote it,
// and resources/read sent to the server, the contents passed back verbatim.
class UpstreamResource final : public Resource
{
public:
    UpstreamResource(const ResourceDefinition &definition, const UpstreamLink &link);

    // The upstream's resources/list entry; false (with `problem`) for one without a URI.
    static bool definitionFromJson(const QJsonObject &entry, ResourceDefinition *definition,
                                   QString *problem);

    ResourceDefinition definition() const override { return m_definition; }
    void readAsync(ResourceReadReply reply) const override;

private:
    ResourceDefinition m_definition;
    UpstreamLink m_link;
};

} // namespace heartline
