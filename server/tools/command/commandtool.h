#pragma once

#include "server/protocol/catalog/tool.h"
#include "server/tools/command/commandtoolconfig.h"

#include <memory>

namespace heartline {

// A program on this machine served as an MCP tool (a `commandTools` entry). Each call fills
// the argument template, finds the program on the child's PATH and runs it (CommandRun).
class CommandTool final : public Tool
{
public:
    // `path`, shared with the host, is the PATH children get (empty: Heartline's own).
    CommandTool(CommandToolConfig config, std::shared_ptr<const QString> path);

    ToolDefinition definition() const override;
    void call(ToolCall *call) override;

    const CommandToolConfig &config() const { return m_config; }

private:
    CommandToolConfig m_config;
    std::shared_ptr<const QString> m_path;
};

} // namespace heartline
