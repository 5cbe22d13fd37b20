#pragma once

#include "server/protocol/catalog/resource.h"

#include "server/protocol/catalog/listchangecoalescer.h"
#include <QMap>

#include <QObject>

#include <memory>

namespace heartline {

// RFC 6570 level-1 matching ("{var}" expands to one non-empty path segment without '/'),
// enough for the templates servers publish. Literal parts must match exactly.
namespace UriTemplate {
bool match(const QString &uriTemplate, const QString &uri, QHash<QString, QString> *variables);
QStringList variableNames(const QString &uriTemplate);
// Balanced braces around non-empty level-1 names (ALPHA / DIGIT / "_" / pct-encoded, dots
// between): operators such as "{+path}" (level 2 and up) would be matched wrongly, so refused.
bool isValid(const QString &uriTemplate);
} // namespace UriTemplate

// The resources and resource templates a server offers, kept sorted (by URI, by template) so
// lists are deterministic and cursors stable. Changes to the list are announced coalesced by
// listChanged(); a change to one resource's content by updated(uri), at once.
class ResourceRegistry final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ResourceRegistry)

public:
    static constexpr int kDefaultCoalesceMs = ListChangeCoalescer::kDefaultIntervalMs;

    explicit ResourceRegistry(QObject *parent = nullptr);

    // Fail (and log why) for an empty or non-RFC-3986 URI, or one already registered.
    bool registerResource(std::shared_ptr<Resource> resource);
    bool registerTemplate(std::shared_ptr<ResourceTemplate> resourceTemplate);
    bool unregisterResource(const QString &uri);
    bool unregisterTemplate(const QString &uriTemplate);

    QList<ResourceDefinition> definitions() const;
    QList<ResourceTemplateDefinition> templateDefinitions() const;
    // Whether a resource with exactly this URI is registered (templates are not consulted).
    bool containsUri(const QString &uri) const;
    bool containsTemplate(const QString &uriTemplate) const;

    // Exact resources first, then the first template (in sorted order) that matches and
    // says the resource exists. False: not found.
    bool read(const QString &uri, QList<ResourceContents> *contents) const;
    // Completion candidates for a variable of the template named `uriTemplate`.
    QStringList completeVariable(const QString &uriTemplate, const QString &variable,
                                 const QHash<QString, QString> &context) const;
    // read() for resources that may answer later: the exact resource, else each matching
    // template in sorted order until one finds it. Matching happens now; the entries asked keep
    // living until they answer even if they are unregistered meanwhile.
    void readAsync(const QString &uri, ResourceReadReply reply) const;
    // The template's completion; an empty one when no template has that name.
    void completeAsync(const QString &uriTemplate, const QString &variable, const QString &typed,
                       const QHash<QString, QString> &context, CompletionReply reply) const;

    // Sessions holding a subscription to `uri` (resources/subscribe, or a subscriptions/listen
    // naming it), counted over all sessions so that whoever serves the URI can subscribe
    // upstream once: firstSubscriber() when the count leaves zero, lastSubscriberGone() when it
    // returns to it. Every subscriberAdded() is matched by one subscriberRemoved().
    void subscriberAdded(const QString &uri);
    void subscriberRemoved(const QString &uri);
    int subscriberCount(const QString &uri) const { return m_subscribers.value(uri); }

    // Announces that the content behind `uri` changed (subscribers get resources/updated).
    void notifyUpdated(const QString &uri);

    quint64 generation() const { return m_changes.generation(); }
    void setCoalesceInterval(int milliseconds);
    // A URI worth registering: a scheme (RFC 3986) followed by ':' and no whitespace.
    static bool isValidUri(const QString &uri);

Q_SIGNALS:
    void listChanged();
    void updated(const QString &uri);
    void firstSubscriber(const QString &uri);
    void lastSubscriberGone(const QString &uri);

private:
    QMap<QString, std::shared_ptr<Resource>> m_resources;
    QMap<QString, std::shared_ptr<ResourceTemplate>> m_templates;
    ListChangeCoalescer m_changes;
    QHash<QString, int> m_subscribers; // uri -> subscriptions held, only while > 0
};

} // namespace heartline
