#include "server/tools/builtincatalog.h"

#include "server/protocol/catalog/content.h"
#include "server/protocol/catalog/prompt.h"
#include "server/protocol/catalog/promptregistry.h"
#include "server/protocol/catalog/resourceregistry.h"
#include "server/protocol/catalog/toolregistry.h"

#include <QJsonDocument>
#include <QPointer>

using namespace Qt::StringLiterals;

namespace heartline {

namespace BuiltinCatalog {

QString aboutUri()
{
    return u"heartline://about"_s;
}

QString toolDefinitionTemplate()
{
    return u"heartline://tools/{name}"_s;
}

QString toolDefinitionUri(const QString &toolName)
{
    // Tool names are restricted to A-Z a-z 0-9 _ - . so they need no percent-encoding.
    return u"heartline://tools/"_s + toolName;
}

} // namespace BuiltinCatalog

namespace {

const auto kJson = "application/json"_L1;

// The registry may be torn down before a resource that a client still holds a reference
// to; a QPointer turns that into "no tools" instead of a dangling read.
using ToolsPointer = QPointer<ToolRegistry>;

QStringList registeredToolNames(const ToolsPointer &tools)
{
    QStringList names;
    if (!tools)
        return names;
    for (const ToolEntry &entry : tools->entries())
        names.append(entry.definition.name);
    return names;
}

// The definition of a registered tool, enabled or not.
bool findTool(const ToolsPointer &tools, const QString &name, ToolDefinition *definition)
{
    if (!tools || !tools->contains(name))
        return false;
    for (const ToolEntry &entry : tools->entries()) {
        if (entry.definition.name == name) {
            *definition = entry.definition;
            return true;
        }
    }
    return false;
}

QString compactJson(const QJsonObject &object)
{
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

class AboutResource final : public Resource
{
public:
    explicit AboutResource(ToolRegistry *tools)
        : m_tools(tools)
    {}

    ResourceDefinition definition() const override
    {
        ResourceDefinition definition;
        definition.uri = BuiltinCatalog::aboutUri();
        definition.name = u"about"_s;
        definition.title = u"About this Heartline server"_s;
        definition.description =
            u"What Heartline is, how it keeps streams alive, and the tools enabled right now"_s;
        definition.mimeType = u"text/markdown"_s;
        return definition;
    }

    QList<ResourceContents> read() const override
    {
        QString text = u"# Heartline\n\n"
                       "Heartline is a desktop MCP host. It serves MCP tools over HTTP "
                       "(Streamable HTTP, and the legacy HTTP+SSE transport) to any MCP client, "
                       "and shows live who is connected and why each connection ended.\n\n"
                       "Every SSE stream carries heartbeat comments (`: ...` lines) while it is "
                       "idle, so proxies and load balancers that cut silent connections keep it "
                       "open. Clients never see them as messages.\n\n"
                       "## Tools enabled now\n\n"_s;
        const QList<ToolDefinition> enabled =
            m_tools ? m_tools->enabledDefinitions() : QList<ToolDefinition>{};
        if (enabled.isEmpty())
            text += u"No tools are enabled at the moment.\n"_s;
        for (const ToolDefinition &tool : enabled) {
            text += u"- `"_s + tool.name + u'`';
            if (!tool.title.isEmpty())
                text += u" ("_s + tool.title + u')';
            if (!tool.description.isEmpty())
                text += u": "_s + tool.description;
            text += u'\n';
        }
        text += u"\nEach tool's definition can be read at `heartline://tools/<name>`.\n"_s;
        return {ResourceContents::fromText(BuiltinCatalog::aboutUri(), u"text/markdown"_s, text)};
    }

private:
    ToolsPointer m_tools;
};

class ToolDefinitionTemplate final : public ResourceTemplate
{
public:
    explicit ToolDefinitionTemplate(ToolRegistry *tools)
        : m_tools(tools)
    {}

    ResourceTemplateDefinition definition() const override
    {
        ResourceTemplateDefinition definition;
        definition.uriTemplate = BuiltinCatalog::toolDefinitionTemplate();
        definition.name = u"tool-definition"_s;
        definition.title = u"Tool definition"_s;
        definition.description =
            u"The definition of one of this server's tools, as tools/list shows it"_s;
        definition.mimeType = kJson;
        return definition;
    }

    bool read(const QString &uri, const QHash<QString, QString> &variables,
              QList<ResourceContents> *contents) const override
    {
        ToolDefinition tool;
        if (!findTool(m_tools, variables.value(u"name"_s), &tool))
            return false;
        *contents = {ResourceContents::fromText(uri, kJson, compactJson(tool.toJson()))};
        return true;
    }

    QStringList completeVariable(const QString &variable,
                                 const QHash<QString, QString> &context) const override
    {
        Q_UNUSED(context)
        if (variable != "name"_L1)
            return {};
        return registeredToolNames(m_tools);
    }

private:
    ToolsPointer m_tools;
};

class TryToolPrompt final : public Prompt
{
public:
    explicit TryToolPrompt(ToolRegistry *tools)
        : m_tools(tools)
    {}

    PromptDefinition definition() const override
    {
        PromptDefinition definition;
        definition.name = u"try_tool"_s;
        definition.title = u"Try a tool"_s;
        definition.description =
            u"Ask the assistant to call one of this server's tools and explain the result"_s;
        PromptArgument tool;
        tool.name = u"tool"_s;
        tool.description = u"Name of the tool to try"_s;
        tool.required = true;
        definition.arguments.push_back(tool);
        return definition;
    }

    PromptResult get(const QHash<QString, QString> &arguments) const override
    {
        const QString name = arguments.value(u"tool"_s);
        PromptResult result;
        result.description = u"Try the tool "_s + name;

        ToolDefinition tool;
        if (!findTool(m_tools, name, &tool)) {
            // Still a usable prompt: the assistant can tell the user the tool is not there.
            result.messages.push_back(PromptMessage{
                u"user"_s,
                Content::text(u"Please call the tool `"_s + name
                              + u"` of this MCP server and explain the result. This server "
                                "has no tool by that name at the moment; if it is missing, "
                                "say so and list the tools it does offer."_s)});
            return result;
        }

        QString text = u"Please call the tool `"_s + name
                       + u"` of this MCP server with sensible arguments and explain the result."_s;
        if (!tool.description.isEmpty())
            text += u" What it does: "_s + tool.description;
        if (m_tools && !m_tools->isEnabled(name))
            text += u" (The tool is switched off right now, so the call may be refused.)"_s;
        text += u" Its definition follows."_s;
        result.messages.push_back(PromptMessage{u"user"_s, Content::text(text)});
        result.messages.push_back(
            PromptMessage{u"user"_s, Content::embeddedText(BuiltinCatalog::toolDefinitionUri(name),
                                                           kJson, compactJson(tool.toJson()))});
        return result;
    }

    QStringList completeArgument(const QString &argument,
                                 const QHash<QString, QString> &context) const override
    {
        Q_UNUSED(context)
        if (argument != "tool"_L1)
            return {};
        return registeredToolNames(m_tools);
    }

private:
    ToolsPointer m_tools;
};

} // namespace

void registerBuiltinCatalog(ResourceRegistry *resources, PromptRegistry *prompts,
                            ToolRegistry *tools)
{
    if (resources) {
        resources->registerResource(std::make_shared<AboutResource>(tools));
        if (tools) {
            resources->registerTemplate(std::make_shared<ToolDefinitionTemplate>(tools));
            // The about page lists the enabled tools; subscribers learn when that changes.
            // `resources` as context: the connection ends with either registry.
            QObject::connect(tools, &ToolRegistry::listChanged, resources,
                             [resources] { resources->notifyUpdated(BuiltinCatalog::aboutUri()); });
        }
    }
    if (prompts && tools)
        prompts->registerPrompt(std::make_shared<TryToolPrompt>(tools));
}

} // namespace heartline
