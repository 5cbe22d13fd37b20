#include "server/protocol/catalog/content.h"

using namespace Qt::StringLiterals;

namespace heartline {
namespace Content {

QJsonObject text(const QString &text)
{
    return QJsonObject{{"type"_L1, "text"_L1}, {"text"_L1, text}};
}

QJsonObject image(const QString &base64Data, const QString &mimeType)
{
    return QJsonObject{{"type"_L1, "image"_L1}, {"data"_L1, base64Data}, {"mimeType"_L1, mimeType}};
}

QJsonObject audio(const QString &base64Data, const QString &mimeType)
{
    return QJsonObject{{"type"_L1, "audio"_L1}, {"data"_L1, base64Data}, {"mimeType"_L1, mimeType}};
}

QJsonObject resourceLink(const QString &uri, const QString &name, const QString &mimeType,
                         const QString &description)
{
    QJsonObject json{{"type"_L1, "resource_link"_L1}, {"uri"_L1, uri}, {"name"_L1, name}};
    if (!mimeType.isEmpty())
        json.insert("mimeType"_L1, mimeType);
    if (!description.isEmpty())
        json.insert("description"_L1, description);
    return json;
}

QJsonObject embeddedText(const QString &uri, const QString &mimeType, const QString &text)
{
    QJsonObject resource{{"uri"_L1, uri}, {"text"_L1, text}};
    if (!mimeType.isEmpty())
        resource.insert("mimeType"_L1, mimeType);
    return QJsonObject{{"type"_L1, "resource"_L1}, {"resource"_L1, resource}};
}

QJsonObject embeddedBlob(const QString &uri, const QString &mimeType, const QString &base64Data)
{
    QJsonObject resource{{"uri"_L1, uri}, {"blob"_L1, base64Data}};
    if (!mimeType.isEmpty())
        resource.insert("mimeType"_L1, mimeType);
    return QJsonObject{{"type"_L1, "resource"_L1}, {"resource"_L1, resource}};
}

} // namespace Content
} // namespace heartline
