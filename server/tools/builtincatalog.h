#pragma once

#include <QString>

namespace heartline {

class PromptRegistry;
class ResourceRegistry;
class ToolRegistry;

// Heartline's own small catalog, served by every instance so clients always find a resource,
// a resource template and a prompt to try:
// - heartline://about: what Heartline is and which tools are enabled right now (announced as
//   updated whenever the tool list changes);
// - heartline://tools/{name}: one tool's definition as JSON;
// - prompt try_tool: asks the assistant to call a tool, with its definition embedded.
// Everything is read from `tools` when asked for, so it never goes stale. `resources` or
// `prompts` may be null to leave that part out; without `tools` only the about page is served.
void registerBuiltinCatalog(ResourceRegistry *resources, PromptRegistry *prompts,
                            ToolRegistry *tools);

namespace BuiltinCatalog {
QString aboutUri();
QString toolDefinitionTemplate();
// The heartline://tools/{name} URI of one tool.
QString toolDefinitionUri(const QString &toolName);
} // namespace BuiltinCatalog

} // namespace heartline
