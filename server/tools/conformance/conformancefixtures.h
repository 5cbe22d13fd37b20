#pragma once

namespace heartline {

class PromptRegistry;
class ResourceRegistry;
class ToolRegistry;

// Adds every fixture the official MCP conformance suite (@modelcontextprotocol/conformance
// 0.1.16, `--suite all`) expects of a server: 14 tools (under the source "conformance"), three
// resources, the test://template/{id}/data template and four prompts. Off unless the user asks
// for it (--conformance): the names are the suite's, not ones a person would want by default.
// A null registry is skipped. Returns false if a fixture could not be registered (its name or
// URI taken); the registry has logged why.
bool registerConformanceFixtures(ToolRegistry *tools, ResourceRegistry *resources,
                                 PromptRegistry *prompts);

} // namespace heartline
