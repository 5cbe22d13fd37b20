#pragma once

#include "server/protocol/catalog/completion.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <functional>

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

// The answer to a resources/read that may come later: the contents array as it goes to the
// client (verbatim from an upstream), no such resource, or a failure to read it.
struct ResourceReadOutcome
{
    enum class Status { Found, NotFound, Failed };

    Status status = Status::NotFound;
    QJsonArray contents; // Found
    QString error;       // Failed: why, for the client's internal error

    static ResourceReadOutcome found(const QJsonArray &contents);
    static ResourceReadOutcome found(const QList<ResourceContents> &contents);
    static ResourceReadOutcome notFound();
    static ResourceReadOutcome failed(const QString &error);
};

// Called exactly once, on the loop's thread, possibly on a later turn of the event loop.
using ResourceReadReply = std::function<void(const ResourceReadOutcome &outcome)>;

// A resource with a fixed URI. One whose content is at hand overrides read(); one that must ask
// elsewhere (an upstream server's) overrides readAsync(), whose default answers at once from
// read(). Neither may block.
class Resource
{
public:
    virtual ~Resource() = default;
    virtual ResourceDefinition definition() const = 0;
    virtual QList<ResourceContents> read() const { return {}; }
    virtual void readAsync(ResourceReadReply reply) const;
};

// A family of resources named by a URI template such as "test://template/{id}/data". As with
// Resource, override the synchronous pair or the asynchronous one.
class ResourceTemplate
{
public:
    virtual ~ResourceTemplate() = default;
    virtual ResourceTemplateDefinition definition() const = 0;
    // `variables` are the template's variables as matched in `uri`. False: no such resource.
    virtual bool read(const QString &uri, const QHash<QString, QString> &variables,
                      QList<ResourceContents> *contents) const
    {
        Q_UNUSED(uri)
        Q_UNUSED(variables)
        Q_UNUSED(contents)
        return false;
    }
    // Candidate values for one variable (completion/complete with ref/resource), all of them;
    // the caller filters by prefix and caps the list. `context` holds variables already chosen.
    virtual QStringList completeVariable(const QString &variable,
                                         const QHash<QString, QString> &context) const
    {
        Q_UNUSED(variable)
        Q_UNUSED(context)
        return {};
    }

    virtual void readAsync(const QString &uri, const QHash<QString, QString> &variables,
                           ResourceReadReply reply) const;
    // As Prompt::completeAsync: only values that fit `typed`, at most Completion::kMaxValues.
    virtual void completeAsync(const QString &variable, const QString &typed,
                               const QHash<QString, QString> &context, CompletionReply reply) const;
};

} // namespace heartline
