#include "server/tools/upstream/upstreamtoolpublisher.h"

#include "server/protocol/catalog/toolregistry.h"
#include "server/tools/upstream/upstreamforwarder.h"
#include "server/tools/upstream/upstreamtool.h"

using namespace Qt::StringLiterals;

namespace heartline {

UpstreamToolPublisher::UpstreamToolPublisher(ToolRegistry *registry, QObject *parent)
    : QObject(parent)
    , m_registry(registry)
{}

QString UpstreamToolPublisher::sourceOf(const QString &server)
{
    return u"upstream:"_s + server;
}

QString UpstreamToolPublisher::keyOf(const QString &server, const QString &upstreamName)
{
    return server + QChar(0) + upstreamName;
}

void UpstreamToolPublisher::publish(const QString &server, const QList<QJsonObject> &tools,
                                    UpstreamForwarder *forwarder,
                                    const QStringList &disabledTools)
{
    // Built-in tools keep their names: an upstream name that would take one is hashed.
    QSet<QString> reserved;
    for (const ToolEntry &entry : m_registry->entries()) {
        if (!m_names.lookup(entry.definition.name))
            reserved.insert(entry.definition.name);
    }
    m_names.reserve(reserved);

    // This server's tools go out first: their definitions may have changed under the same name.
    if (const auto it = m_servers.constFind(server); it != m_servers.cend()) {
        for (auto entry = it->entries.cbegin(); entry != it->entries.cend(); ++entry)
            unregisterOne(server, entry.key());
    }

    Published published;
    published.forwarder = forwarder;
    published.disabled = QSet<QString>(disabledTools.cbegin(), disabledTools.cend());
    QStringList names;
    for (const QJsonObject &tool : tools) {
        const QString name = tool.value("name"_L1).toString();
        if (name.isEmpty()) {
            Q_EMIT problem(server, u"skipped a tool without a name"_s);
            continue;
        }
        if (published.entries.contains(name)) {
            Q_EMIT problem(server, u"skipped a second tool named '%1'"_s.arg(name));
            continue;
        }
        published.entries.insert(name, tool);
        names.append(name);
    }
    if (names.isEmpty())
        m_servers.remove(server);
    else
        m_servers.insert(server, published);

    const QList<ExposedNames::Origin> renamed = m_names.setServerNames(server, names);
    for (const ExposedNames::Origin &origin : renamed) {
        if (origin.server == server)
            continue;
        unregisterOne(origin.server, origin.name);
        registerOne(origin.server, origin.name);
    }
    for (const QString &name : std::as_const(names))
        registerOne(server, name);
}

void UpstreamToolPublisher::setDisabledTools(const QString &server,
                                             const QStringList &disabledTools)
{
    const auto it = m_servers.find(server);
    if (it == m_servers.end())
        return; // nothing served now; publish() is given the list when the tools come
    it->disabled = QSet<QString>(disabledTools.cbegin(), disabledTools.cend());
    for (auto entry = it->entries.cbegin(); entry != it->entries.cend(); ++entry) {
        const QString exposed = m_registeredAs.value(keyOf(server, entry.key()));
        if (!exposed.isEmpty())
            m_registry->setEnabled(exposed, !it->disabled.contains(entry.key()));
    }
}

void UpstreamToolPublisher::withdraw(const QString &server)
{
    publish(server, {}, nullptr, {});
}

void UpstreamToolPublisher::registerOne(const QString &server, const QString &upstreamName)
{
    const auto it = m_servers.constFind(server);
    if (it == m_servers.cend() || !it->entries.contains(upstreamName))
        return;
    const QString exposed = m_names.exposedName(server, upstreamName);
    ToolDefinition definition;
    QString why;
    if (!UpstreamTool::definitionFromJson(it->entries.value(upstreamName), exposed, &definition,
                                          &why)) {
        Q_EMIT problem(server, u"skipped %1"_s.arg(why));
        return;
    }
    auto tool = std::make_shared<UpstreamTool>(definition, upstreamName, it->forwarder.data());
    if (!m_registry->registerTool(tool, sourceOf(server))) {
        Q_EMIT problem(server, u"could not serve tool '%1' as '%2'"_s.arg(upstreamName, exposed));
        return;
    }
    m_registeredAs.insert(keyOf(server, upstreamName), exposed);
    if (it->disabled.contains(upstreamName))
        m_registry->setEnabled(exposed, false);
}

void UpstreamToolPublisher::unregisterOne(const QString &server, const QString &upstreamName)
{
    const QString exposed = m_registeredAs.take(keyOf(server, upstreamName));
    if (!exposed.isEmpty())
        m_registry->unregisterTool(exposed);
}

} // namespace heartline
