#pragma once

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QString>

namespace heartline {

// What clients see of a resource in resources/list.
struct ResourceDefinition
{
    QString uri;
    QString name;
    QString title;
    QString description;
    QString mimeType;
    qint64 size = -1; // -1: not stated
    QJsonObject annotations;

    QJsonObject toJson() const;
};

// What clients see of a resource template in resources/templates/list (RFC 6570 uriTemplate).
struct ResourceTemplateDefinition
{
    QString uriTemplate;
    QString name;
    QString title;
    QString description;
    QString mimeType;
    QJsonObject annotations;

    QJsonObject toJson() const;
};

// One entry of a resources/read result: text, or binary data carried as base64 in "blob".
struct ResourceContents
{
    QString uri;
    QString mimeType;
    QString text;
    QString blobBase64;
    bool isBlob = false;

    static ResourceContents fromText(const QString &uri, const QString &mimeType,
                                     const QString &text);
    static ResourceContents fromBlob(const QString &uri, const QString &mimeType,
                                     const QString &base64Data);
    QJsonObject toJson() const;
};

// A resource with a fixed URI. read() must not block; resources are small and local.
class Resource
{
public:
    virtual ~Resource() = default;
    virtual ResourceDefinition definition() const = 0;
    virtual QList<ResourceContents> read() const = 0;
};

// A family of resources named by a URI template such as "test://template/{id}/data".
class ResourceTemplate
{
public:
    virtual ~ResourceTemplate() = default;
    virtual ResourceTemplateDefinition definition() const = 0;
    // `variables` are the template's variables as matched in `uri`. False: no such resource.
    virtual bool read(const QString &uri, const QHash<QString, QString> &variables,
                      QList<ResourceContents> *contents) const = 0;
    // Candidate values for one variable (completion/complete with ref/resource), all of them;
    // the caller filters by prefix and caps the list. `context` holds variables already chosen.
    virtual QStringList completeVariable(const QString &variable,
                                         const QHash<QString, QString> &context) const
    {
        Q_UNUSED(variable)
        Q_UNUSED(context)
        return {};
    }
};

} // namespace heartline
