#include "server/protocol/catalog/resourceregistry.h"

#include <QLoggingCategory>
#include <QPair>
#include <QSet>
#include <QUrl>

using namespace Qt::StringLiterals;

namespace heartline {

Q_LOGGING_CATEGORY(lcResources, "heartline.protocol.resources")

namespace {

// A template split into literal text and variables, in order.
struct TemplatePart
{
    bool isVariable = false;
    QString text; // the literal, or the variable's name
};

bool isVarChar(QChar c)
{
    return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || (c >= u'0' && c <= u'9')
           || c == u'_';
}

bool isHexDigit(QChar c)
{
    return (c >= u'0' && c <= u'9') || (c >= u'a' && c <= u'f') || (c >= u'A' && c <= u'F');
}

// RFC 6570 varname = varchar *( ["."] varchar ), varchar = ALPHA / DIGIT / "_" / pct-encoded.
bool isValidVariableName(const QString &name)
{
    if (name.isEmpty() || name.startsWith(u'.') || name.endsWith(u'.'))
        return false;
    for (qsizetype i = 0; i < name.size(); ++i) {
        const QChar c = name.at(i);
        if (c == u'.') {
            if (name.at(i - 1) == u'.')
                return false;
        } else if (c == u'%') {
            if (i + 2 >= name.size() || !isHexDigit(name.at(i + 1)) || !isHexDigit(name.at(i + 2)))
                return false;
            i += 2;
        } else if (!isVarChar(c)) {
            return false;
        }
    }
    return true;
}

// False for unbalanced or nested braces and for names level 1 does not allow.
bool parseTemplate(const QString &uriTemplate, QList<TemplatePart> *parts)
{
    QString literal;
    qsizetype i = 0;
    while (i < uriTemplate.size()) {
        const QChar c = uriTemplate.at(i);
        if (c == u'}')
            return false;
        if (c != u'{') {
            literal.append(c);
            ++i;
            continue;
        }
        const qsizetype close = uriTemplate.indexOf(u'}', i + 1);
        if (close < 0)
            return false;
        const QString name = uriTemplate.mid(i + 1, close - i - 1);
        if (!isValidVariableName(name))
            return false;
        if (!literal.isEmpty()) {
            parts->push_back(TemplatePart{false, literal});
            literal.clear();
        }
        parts->push_back(TemplatePart{true, name});
        i = close + 1;
    }
    if (!literal.isEmpty())
        parts->push_back(TemplatePart{false, literal});
    return true;
}

// What a level-1 expansion can produce for one variable: it never contains a path, query or
// fragment delimiter.
bool fitsVariable(QChar c)
{
    return c != u'/' && c != u'?' && c != u'#';
}

// (part, position) pairs already known not to lead to a match. Remembering them keeps a long
// URI against adjacent variables polynomial instead of exponential.
using FailedStates = QSet<QPair<qsizetype, qsizetype>>;

bool matchFrom(const QList<TemplatePart> &parts, qsizetype partIndex, const QString &uri,
               qsizetype position, QHash<QString, QString> *variables, FailedStates *failed)
{
    if (partIndex == parts.size())
        return position == uri.size();
    if (failed->contains({partIndex, position}))
        return false;
    const TemplatePart &part = parts.at(partIndex);
    if (!part.isVariable) {
        if (QStringView(uri).mid(position).startsWith(part.text)
            && matchFrom(parts, partIndex + 1, uri, position + part.text.size(), variables,
                         failed)) {
            return true;
        }
        failed->insert({partIndex, position});
        return false;
    }
    qsizetype end = position;
    while (end < uri.size() && fitsVariable(uri.at(end)))
        ++end;
    // Longest run first, then shorter ones, so "{a}.{b}" still matches "x.y.z" (a = "x.y").
    for (; end > position; --end) {
        if (matchFrom(parts, partIndex + 1, uri, end, variables, failed)) {
            // Expansion percent-encodes what is not unreserved; the tool sees the plain value.
            const QString raw = uri.mid(position, end - position);
            variables->insert(part.text, QUrl::fromPercentEncoding(raw.toUtf8()));
            return true;
        }
    }
    failed->insert({partIndex, position});
    return false;
}

} // namespace

namespace UriTemplate {

bool isValid(const QString &uriTemplate)
{
    QList<TemplatePart> parts;
    return parseTemplate(uriTemplate, &parts);
}

bool match(const QString &uriTemplate, const QString &uri, QHash<QString, QString> *variables)
{
    QList<TemplatePart> parts;
    if (!parseTemplate(uriTemplate, &parts))
        return false;
    QHash<QString, QString> found;
    FailedStates failed;
    if (!matchFrom(parts, 0, uri, 0, &found, &failed))
        return false;
    if (variables)
        *variables = found;
    return true;
}

QStringList variableNames(const QString &uriTemplate)
{
    QList<TemplatePart> parts;
    if (!parseTemplate(uriTemplate, &parts))
        return {};
    QStringList names;
    for (const TemplatePart &part : parts) {
        if (part.isVariable)
            names.append(part.text);
    }
    return names;
}

} // namespace UriTemplate

ResourceRegistry::ResourceRegistry(QObject *parent)
    : QObject(parent)
{
    connect(&m_changes, &ListChangeCoalescer::announced, this, &ResourceRegistry::listChanged);
}

bool ResourceRegistry::isValidUri(const QString &uri)
{
    // RFC 3986: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ), then ':' and something.
    const qsizetype colon = uri.indexOf(u':');
    if (colon < 1 || colon + 1 >= uri.size())
        return false;
    const auto isAlpha = [](QChar c) {
        return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z');
    };
    if (!isAlpha(uri.at(0)))
        return false;
    for (qsizetype i = 1; i < colon; ++i) {
        const QChar c = uri.at(i);
        if (!isAlpha(c) && !(c >= u'0' && c <= u'9') && c != u'+' && c != u'-' && c != u'.')
            return false;
    }
    for (const QChar c : uri) {
        if (c.isSpace() || c.category() == QChar::Other_Control)
            return false;
    }
    return true;
}

bool ResourceRegistry::registerResource(std::shared_ptr<Resource> resource)
{
    if (!resource)
        return false;
    const QString uri = resource->definition().uri;
    if (!isValidUri(uri)) {
        qCWarning(lcResources) << "refused resource with invalid URI" << uri
                               << "(a scheme, ':' and no whitespace)";
        return false;
    }
    if (m_resources.contains(uri)) {
        qCWarning(lcResources) << "refused resource" << uri << "- the URI is already registered";
        return false;
    }
    m_resources.insert(uri, std::move(resource));
    m_changes.recordChange();
    return true;
}

bool ResourceRegistry::registerTemplate(std::shared_ptr<ResourceTemplate> resourceTemplate)
{
    if (!resourceTemplate)
        return false;
    const QString uriTemplate = resourceTemplate->definition().uriTemplate;
    if (!UriTemplate::isValid(uriTemplate) || !isValidUri(uriTemplate)) {
        qCWarning(lcResources) << "refused resource template" << uriTemplate
                               << "- it needs a scheme and balanced {name} variables (RFC 6570 "
                                  "level 1)";
        return false;
    }
    if (m_templates.contains(uriTemplate)) {
        qCWarning(lcResources) << "refused resource template" << uriTemplate
                               << "- it is already registered";
        return false;
    }
    m_templates.insert(uriTemplate, std::move(resourceTemplate));
    m_changes.recordChange();
    return true;
}

bool ResourceRegistry::unregisterResource(const QString &uri)
{
    if (m_resources.remove(uri) == 0)
        return false;
    m_changes.recordChange();
    return true;
}

bool ResourceRegistry::unregisterTemplate(const QString &uriTemplate)
{
    if (m_templates.remove(uriTemplate) == 0)
        return false;
    m_changes.recordChange();
    return true;
}

QList<ResourceDefinition> ResourceRegistry::definitions() const
{
    QList<ResourceDefinition> all;
    all.reserve(m_resources.size());
    for (const auto &resource : m_resources)
        all.append(resource->definition());
    return all;
}

QList<ResourceTemplateDefinition> ResourceRegistry::templateDefinitions() const
{
    QList<ResourceTemplateDefinition> all;
    all.reserve(m_templates.size());
    for (const auto &resourceTemplate : m_templates)
        all.append(resourceTemplate->definition());
    return all;
}

bool ResourceRegistry::containsUri(const QString &uri) const
{
    return m_resources.contains(uri);
}

bool ResourceRegistry::containsTemplate(const QString &uriTemplate) const
{
    return m_templates.contains(uriTemplate);
}

bool ResourceRegistry::read(const QString &uri, QList<ResourceContents> *contents) const
{
    QList<ResourceContents> found;
    const auto exact = m_resources.constFind(uri);
    if (exact != m_resources.cend()) {
        found = (*exact)->read();
    } else {
        bool any = false;
        for (auto it = m_templates.cbegin(); it != m_templates.cend() && !any; ++it) {
            QHash<QString, QString> variables;
            if (UriTemplate::match(it.key(), uri, &variables))
                any = it.value()->read(uri, variables, &found);
            if (!any)
                found.clear();
        }
        if (!any)
            return false;
    }
    if (contents)
        *contents = found;
    return true;
}

QStringList ResourceRegistry::completeVariable(const QString &uriTemplate, const QString &variable,
                                               const QHash<QString, QString> &context) const
{
    const auto it = m_templates.constFind(uriTemplate);
    if (it == m_templates.cend())
        return {};
    return (*it)->completeVariable(variable, context);
}

namespace {

// Asks each template in turn until one has the resource; each answer may come later.
void readFromTemplates(
    std::shared_ptr<QList<QPair<std::shared_ptr<ResourceTemplate>, QHash<QString, QString>>>>
        candidates,
    qsizetype next, const QString &uri, ResourceReadReply reply)
{
    if (next >= candidates->size()) {
        reply(ResourceReadOutcome::notFound());
        return;
    }
    const auto &[resourceTemplate, variables] = candidates->at(next);
    resourceTemplate->readAsync(uri, variables,
                                [candidates, next, uri, reply](const ResourceReadOutcome &outcome) {
                                    if (outcome.status == ResourceReadOutcome::Status::NotFound)
                                        readFromTemplates(candidates, next + 1, uri, reply);
                                    else
                                        reply(outcome);
                                });
}

} // namespace

void ResourceRegistry::readAsync(const QString &uri, ResourceReadReply reply) const
{
    const auto exact = m_resources.constFind(uri);
    if (exact != m_resources.cend()) {
        // Held by the call, so an entry unregistered before it answers still can.
        const std::shared_ptr<Resource> resource = *exact;
        resource->readAsync(std::move(reply));
        return;
    }
    auto candidates = std::make_shared<
        QList<QPair<std::shared_ptr<ResourceTemplate>, QHash<QString, QString>>>>();
    for (auto it = m_templates.cbegin(); it != m_templates.cend(); ++it) {
        QHash<QString, QString> variables;
        if (UriTemplate::match(it.key(), uri, &variables))
            candidates->append({it.value(), variables});
    }
    readFromTemplates(candidates, 0, uri, std::move(reply));
}

void ResourceRegistry::completeAsync(const QString &uriTemplate, const QString &variable,
                                     const QString &typed, const QHash<QString, QString> &context,
                                     CompletionReply reply) const
{
    const auto it = m_templates.constFind(uriTemplate);
    if (it == m_templates.cend()) {
        reply(Completion::fromCandidates({}, typed).toCompletionJson(), {});
        return;
    }
    const std::shared_ptr<ResourceTemplate> resourceTemplate = *it;
    resourceTemplate->completeAsync(variable, typed, context, std::move(reply));
}

void ResourceRegistry::subscriberAdded(const QString &uri)
{
    if (++m_subscribers[uri] == 1)
        Q_EMIT firstSubscriber(uri);
}

void ResourceRegistry::subscriberRemoved(const QString &uri)
{
    const auto it = m_subscribers.find(uri);
    if (it == m_subscribers.end()) {
        qCWarning(lcResources) << "a subscription to" << uri << "ended that was never counted";
        return;
    }
    if (--*it > 0)
        return;
    m_subscribers.erase(it);
    Q_EMIT lastSubscriberGone(uri);
}

void ResourceRegistry::notifyUpdated(const QString &uri)
{
    Q_EMIT updated(uri);
}

void ResourceRegistry::setCoalesceInterval(int milliseconds)
{
    m_changes.setInterval(milliseconds);
}

} // namespace heartline
