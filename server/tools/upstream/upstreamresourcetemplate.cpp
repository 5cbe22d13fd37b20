#include "server/tools/upstream/upstreamresourcetemplate.h"

using namespace Qt::StringLiterals;

namespace heartline {

UpstreamResourceTemplate::UpstreamResourceTemplate(const ResourceTemplateDefinition &definition,
                                                   const UpstreamLink &link)
    : m_definition(definition)
    , m_link(link)
{}

bool UpstreamResourceTemplate::definitionFromJson(const QJsonObject &entry,
                                                  ResourceTemplateDefinition *definition,
                                                  QString *problem)
{
    const QString uriTemplate = entry.value("uriTemplate"_L1).toString();
    if (uriTemplate.isEmpty()) {
        *problem = u"a resource template without a uriTemplate"_s;
        return false;
    }
    ResourceTemplateDefinition parsed;
    parsed.uriTemplate = uriTemplate;
    readDescription(entry, uriTemplate, &parsed);
    *definition = parsed;
    return true;
}

void UpstreamResourceTemplate::readAsync(const QString &uri,
                                         const QHash<QString, QString> &variables,
                                         ResourceReadReply reply) const
{
    Q_UNUSED(variables) // the upstream matches the URI itself
    UpstreamCatalogRequest::read(m_link, uri, std::move(reply));
}

void UpstreamResourceTemplate::completeAsync(const QString &variable, const QString &typed,
                                             const QHash<QString, QString> &context,
                                             CompletionReply reply) const
{
    UpstreamCatalogRequest::complete(
        m_link, {{"type"_L1, "ref/resource"_L1}, {"uri"_L1, m_definition.uriTemplate}}, variable,
        typed, context, std::move(reply));
}

} // namespace heartline
