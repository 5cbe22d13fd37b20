#pragma once

#include "server/protocol/catalog/resource.h"
#include "server/tools/upstream/upstreamcatalogrequest.h"

namespace heartline {

// One resource template of an upstream server as Heartline serves it: the URI template as the
// upstream wrote it; reads of matching URIs and completion of its variables (ref/resource)
// sent to the server, the answers passed back verbatim.
class UpstreamResourceTemplate final : public ResourceTemplate
{
public:
    UpstreamResourceTemplate(const ResourceTemplateDefinition &definition,
                             const UpstreamLink &link);

    // The upstream's resources/templates/list entry; false (with `problem`) for one without a
    // uriTemplate.
    static bool definitionFromJson(const QJsonObject &entry, ResourceTemplateDefinition *definition,
                                   QString *problem);

    ResourceTemplateDefinition definition() const override { return m_definition; }
    void readAsync(const QString &uri, const QHash<QString, QString> &variables,
                   ResourceReadReply reply) const override;
    void completeAsync(const QString &variable, const QString &typed,
                       const QHash<QString, QString> &context,
                       CompletionReply reply) const override;

private:
    ResourceTemplateDefinition m_definition;
    UpstreamLink m_link;
};

} // namespace heartline
