#pragma once

#include "server/protocol/catalog/resource.h"

#include <memory>
#include <vector>

namespace heartline {

// A resource whose contents never change: test://static-text, test://static-binary and
// test://watched-resource. The suite only subscribes to the watched one and unsubscribes again;
// its reference server never changes it either, so nothing here pretends to.
class FixedResource final : public Resource
{
public:
    FixedResource(const ResourceDefinition &definition, const ResourceContents &contents);

    ResourceDefinition definition() const override { return m_definition; }
    QList<ResourceContents> read() const override { return {m_contents}; }

private:
    ResourceDefinition m_definition;
    ResourceContents m_contents;
};

// test://template/{id}/data: a JSON document that names the id it was read with.
class TemplateDataResource final : public ResourceTemplate
{
public:
    ResourceTemplateDefinition definition() const override;
    bool read(const QString &uri, const QHash<QString, QString> &variables,
              QList<ResourceContents> *contents) const override;
    QStringList completeVariable(const QString &variable,
                                 const QHash<QString, QString> &context) const override;
};

std::vector<std::shared_ptr<Resource>> conformanceResources();
std::vector<std::shared_ptr<ResourceTemplate>> conformanceResourceTemplates();

} // namespace heartline
