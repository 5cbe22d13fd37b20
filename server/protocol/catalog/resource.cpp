#include "server/protocol/catalog/resource.h"

using namespace Qt::StringLiterals;

namespace heartline {

namespace {

// Optional fields are left out rather than sent empty: clients show "" as a real value.
void insertIfSet(QJsonObject &json, QLatin1StringView key, const QString &value)
{
    if (!value.isEmpty())
        json.insert(key, value);
}

} // namespace

QJsonObject ResourceDefinition::toJson() const
{
    QJsonObject json{{"uri"_L1, uri}, {"name"_L1, name}};
    insertIfSet(json, "title"_L1, title);
    insertIfSet(json, "description"_L1, description);
    insertIfSet(json, "mimeType"_L1, mimeType);
    if (size >= 0)
        json.insert("size"_L1, size);
    if (!annotations.isEmpty())
        json.insert("annotations"_L1, annotations);
    return json;
}

QJsonObject ResourceTemplateDefinition::toJson() const
{
    QJsonObject json{{"uriTemplate"_L1, uriTemplate}, {"name"_L1, name}};
    insertIfSet(json, "title"_L1, title);
    insertIfSet(json, "description"_L1, description);
    insertIfSet(json, "mimeType"_L1, mimeType);
    if (!annotations.isEmpty())
        json.insert("annotations"_L1, annotations);
    return json;
}

ResourceContents ResourceContents::fromText(const QString &uri, const QString &mimeType,
                                            const QString &text)
{
    ResourceContents contents;
    contents.uri = uri;
    contents.mimeType = mimeType;
    contents.text = text;
    return contents;
}

ResourceContents ResourceContents::fromBlob(const QString &uri, const QString &mimeType,
                                            const QString &base64Data)
{
    ResourceContents contents;
    contents.uri = uri;
    contents.mimeType = mimeType;
    contents.blobBase64 = base64Data;
    contents.isBlob = true;
    return contents;
}

QJsonObject ResourceContents::toJson() const
{
    QJsonObject json{{"uri"_L1, uri}};
    insertIfSet(json, "mimeType"_L1, mimeType);
    // Exactly one of text and blob, even when empty: the schema requires one of them.
    if (isBlob)
        json.insert("blob"_L1, blobBase64);
    else
        json.insert("text"_L1, text);
    return json;
}

ResourceReadOutcome ResourceReadOutcome::found(const QJsonArray &contents)
{
    ResourceReadOutcome outcome;
    outcome.status = Status::Found;
    outcome.contents = contents;
    return outcome;
}

ResourceReadOutcome ResourceReadOutcome::found(const QList<ResourceContents> &contents)
{
    QJsonArray array;
    for (const ResourceContents &content : contents)
        array.append(content.toJson());
    return found(array);
}

ResourceReadOutcome ResourceReadOutcome::notFound()
{
    return {};
}

ResourceReadOutcome ResourceReadOutcome::failed(const QString &error)
{
    ResourceReadOutcome outcome;
    outcome.status = Status::Failed;
    outcome.error = error;
    return outcome;
}

void Resource::readAsync(ResourceReadReply reply) const
{
    reply(ResourceReadOutcome::found(read()));
}

void ResourceTemplate::readAsync(const QString &uri, const QHash<QString, QString> &variables,
                                 ResourceReadReply reply) const
{
    QList<ResourceContents> contents;
    if (!read(uri, variables, &contents)) {
        reply(ResourceReadOutcome::notFound());
        return;
    }
    reply(ResourceReadOutcome::found(contents));
}

void ResourceTemplate::completeAsync(const QString &variable, const QString &typed,
                                     const QHash<QString, QString> &context,
                                     CompletionReply reply) const
{
    reply(Completion::fromCandidates(completeVariable(variable, context), typed).toCompletionJson(),
          {});
}

} // namespace heartline
