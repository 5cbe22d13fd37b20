#include "server/protocol/catalog/toolregistry.h"

#include <QLoggingCategory>
#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace heartline {

Q_LOGGING_CATEGORY(lcRegistry, "heartline.protocol.registry")

ToolRegistry::ToolRegistry(QObject *parent)
    : QObject(parent)
{
    connect(&m_changes, &ListChangeCoalescer::announced, this, &ToolRegistry::listChanged);
}

bool ToolRegistry::isValidToolName(const QString &name)
{
    // MCP 2025-11-25: 1-128 characters of A-Z a-z 0-9 _ - .
    // \A and \z, not ^ and $: `$` also matches before a final newline, letting "echo\n" in.
    static const QRegularExpression pattern(u"\\A[A-Za-z0-9_.-]{1,128}\\z"_s);
    return pattern.match(name).hasMatch();
}

bool ToolRegistry::registerTool(std::shared_ptr<Tool> tool, const QString &source)
{
    if (!tool)
        return false;
    ToolEntry entry{tool->definition(), source, true};
    const QString name = entry.definition.name;
    if (!isValidToolName(name)) {
        qCWarning(lcRegistry) << "refused tool with invalid name" << name
                              << "(1-128 characters of A-Z a-z 0-9 _ - .)";
        return false;
    }
    if (m_tools.contains(name)) {
        qCWarning(lcRegistry) << "refused tool" << name << "from" << source
                              << "- the name is already registered by"
                              << m_tools.value(name).entry.source;
        return false;
    }
    if (entry.definition.inputSchema.value("type"_L1) != "object"_L1) {
        qCWarning(lcRegistry) << "refused tool" << name
                              << "- its inputSchema must be a JSON Schema object with type object";
        return false;
    }
    m_tools.insert(name, Slot{std::move(tool), entry});
    m_changes.recordChange();
    Q_EMIT toolRegistered(name);
    return true;
}

bool ToolRegistry::unregisterTool(const QString &name)
{
    if (m_tools.remove(name) == 0)
        return false;
    m_changes.recordChange();
    Q_EMIT toolUnregistered(name);
    return true;
}

bool ToolRegistry::setEnabled(const QString &name, bool enabled)
{
    auto it = m_tools.find(name);
    if (it == m_tools.end())
        return false;
    if (it->entry.enabled == enabled)
        return true;
    it->entry.enabled = enabled;
    m_changes.recordChange();
    Q_EMIT toolEnabledChanged(name, enabled);
    return true;
}

QString ToolRegistry::sourceOf(const QString &name) const
{
    const auto it = m_tools.constFind(name);
    return it == m_tools.cend() ? QString() : it->entry.source;
}

bool ToolRegistry::isEnabled(const QString &name) const
{
    auto it = m_tools.constFind(name);
    return it != m_tools.cend() && it->entry.enabled;
}

QList<ToolEntry> ToolRegistry::entries() const
{
    QList<ToolEntry> all;
    all.reserve(m_tools.size());
    for (const Slot &slot : m_tools)
        all.append(slot.entry);
    return all;
}

QList<ToolDefinition> ToolRegistry::enabledDefinitions() const
{
    QList<ToolDefinition> enabled;
    for (const Slot &slot : m_tools) {
        if (slot.entry.enabled)
            enabled.append(slot.entry.definition);
    }
    return enabled;
}

std::shared_ptr<Tool> ToolRegistry::enabledTool(const QString &name) const
{
    auto it = m_tools.constFind(name);
    if (it == m_tools.cend() || !it->entry.enabled)
        return {};
    return it->tool;
}

ToolDefinition ToolRegistry::definition(const QString &name) const
{
    const auto it = m_tools.constFind(name);
    return it == m_tools.cend() ? ToolDefinition{} : it->entry.definition;
}

void ToolRegistry::setCoalesceInterval(int milliseconds)
{
    m_changes.setInterval(milliseconds);
}

} // namespace heartline
