#include "server/tools/conformance/conformanceresources.h"

#include "server/tools/conformance/conformancemedia.h"

#include <QJsonDocument>
#include <QJsonObject>

using namespace Qt::StringLiterals;

namespace heartline {
namespace {

std::shared_ptr<Resource> textResource(const QString &uri, const QString &name,
                                       const QString &description, const QString &text)
{
    const QString mimeType = u"text/plain"_s;
    return std::make_shared<FixedResource>(
        ResourceDefinition{uri, name, {}, description, mimeType, text.toUtf8().size(), {}},
        ResourceContents::fromText(uri, mimeType, text));
}

} // namespace

FixedResource::FixedResource(const ResourceDefinition &definition, const ResourceContents &contents)
    : m_definition(definition)
    , m_contents(contents)
{}

ResourceTemplateDefinition TemplateDataResource::definition() const
{
    return {u"test://template/{id}/data"_s,
            u"template-data"_s,
            {},
            u"A JSON document for any id, naming the id it was read with"_s,
            u"application/json"_s,
            {}};
}

bool TemplateDataResource::read(const QString &uri, const QHash<QString, QString> &variables,
                                QList<ResourceContents> *contents) const
{
    const QString id = variables.value(u"id"_s);
    if (id.isEmpty())
        return false;
    const QJsonObject data{
        {"id"_L1, id}, {"templateTest"_L1, true}, {"data"_L1, QString(u"Data for ID: "_s + id)}};
    contents->append(ResourceContents::fromText(
        uri, u"application/json"_s,
        QString::fromUtf8(QJsonDocument(data).toJson(QJsonDocument::Compact))));
    return true;
}

QStringList TemplateDataResource::completeVariable(const QString &variable,
                                                   const QHash<QString, QString> &) const
{
    // Every id reads, so these are examples rather than a closed list.
    if (variable == "id"_L1)
        return {u"1"_s, u"2"_s, u"3"_s, u"42"_s, u"123"_s};
    return {};
}

std::vector<std::shared_ptr<Resource>> conformanceResources()
{
    const QString png = QString::fromLatin1(ConformanceMedia::kPngBase64);
    return {
        textResource(u"test://static-text"_s, u"static-text"_s,
                     u"A static text resource for testing"_s,
                     u"This is the content of the static text resource."_s),
        std::make_shared<FixedResource>(
            ResourceDefinition{u"test://static-binary"_s,
                               u"static-binary"_s,
                               {},
                               u"A static binary resource (a 1x1 PNG image) for testing"_s,
                               u"image/png"_s,
                               QByteArray::fromBase64(png.toLatin1()).size(),
                               {}},
            ResourceContents::fromBlob(u"test://static-binary"_s, u"image/png"_s, png)),
        textResource(u"test://watched-resource"_s, u"watched-resource"_s,
                     u"A resource clients can subscribe to for updates"_s,
                     u"Watched resource content"_s),
    };
}

std::vector<std::shared_ptr<ResourceTemplate>> conformanceResourceTemplates()
{
    return {std::make_shared<TemplateDataResource>()};
}

} // namespace heartline
