#include "server/tools/command/commandtool.h"

#include "server/tools/command/commandrun.h"
#include "server/tools/upstream/childenvironment.h"

#include <QDir>
#include <QFileInfo>

using namespace Qt::StringLiterals;

namespace heartline {

CommandTool::CommandTool(CommandToolConfig config, std::shared_ptr<const QString> path)
    : m_config(std::move(config))
    , m_path(std::move(path))
{}

ToolDefinition CommandTool::definition() const
{
    ToolDefinition definition;
    definition.name = m_config.name;
    definition.title = m_config.title;
    definition.description =
        m_config.description.isEmpty()
            ? u"Runs %1 on the machine Heartline runs on."_s.arg(m_config.command)
            : m_config.description;
    definition.inputSchema = m_config.inputSchema;
    definition.outputSchema = m_config.outputSchema;
    definition.annotations = m_config.annotations;
    return definition;
}

void CommandTool::call(ToolCall *call)
{
    QStringList arguments;
    QString error;
    if (!m_config.args.fill(call->arguments(), &arguments, &error)) {
        call->fail(u"'%1' was not run: %2"_s.arg(m_config.name, error));
        return;
    }
    const QString workingDirectory = m_config.cwd.isEmpty() ? QDir::homePath() : m_config.cwd;
    if (!QFileInfo(workingDirectory).isDir()) {
        call->fail(u"'%1' was not run: its working folder %2 does not exist"_s.arg(
            m_config.name, workingDirectory));
        return;
    }
    ChildEnvironment environment;
    if (m_path)
        environment.setPath(*m_path);
    CommandRun::Spec spec;
    spec.toolName = m_config.name;
    spec.environment = environment.forEntry(m_config.env);
    spec.program = resolveCommand(m_config.command, spec.environment, workingDirectory, &error);
    if (spec.program.isEmpty()) {
        call->fail(u"'%1' was not run: %2"_s.arg(m_config.name, error));
        return;
    }
    spec.arguments = arguments;
    spec.workingDirectory = workingDirectory;
    spec.timeoutMs = m_config.timeoutMs;
    spec.maxOutputBytes = m_config.maxOutputBytes;
    spec.jsonOutput = !m_config.outputSchema.isEmpty();
    auto *run = new CommandRun(spec, call);
    run->start();
}

} // namespace heartline
