#include "server/tools/command/commandtoolhost.h"

#include "server/protocol/catalog/toolregistry.h"
#include "server/tools/command/commandtool.h"

#include <QLoggingCategory>

using namespace Qt::StringLiterals;

namespace heartline {

Q_LOGGING_CATEGORY(lcCommandTools, "heartline.tools.command")

CommandToolHost::CommandToolHost(ToolRegistry *tools, QObject *parent)
    : QObject(parent)
    , m_tools(tools)
    , m_path(std::make_shared<QString>())
{}

CommandToolHost::~CommandToolHost()
{
    for (const QString &name : std::as_const(m_registered))
        m_tools->unregisterTool(name);
}

void CommandToolHost::setPath(const QString &path)
{
    *m_path = path;
}

void CommandToolHost::apply(const QList<CommandToolConfig> &tools)
{
    const auto find = [](const QList<CommandToolConfig> &list, const QString &name) {
        for (const CommandToolConfig &tool : list) {
            if (tool.name == name)
                return &tool;
        }
        return static_cast<const CommandToolConfig *>(nullptr);
    };
    QStringList switchedOff;
    for (const QString &name : QStringList(m_registered)) {
        const CommandToolConfig *next = find(tools, name);
        const CommandToolConfig *before = find(m_applied, name);
        if (next && before && *next == *before)
            continue;
        if (!m_tools->isEnabled(name))
            switchedOff.append(name);
        m_tools->unregisterTool(name);
        m_registered.removeAll(name);
    }
    for (const CommandToolConfig &tool : tools) {
        if (m_registered.contains(tool.name))
            continue;
        if (!tool.problem.isEmpty()) {
            qCWarning(lcCommandTools).noquote() << tool.problem + u"; the tool is not offered"_s;
            continue;
        }
        if (m_tools->contains(tool.name)) {
            qCWarning(lcCommandTools).noquote()
                << u"commandTools.%1: a tool of that name is already served (built in or from "
                   "an upstream server); the command tool is not offered"_s.arg(tool.name);
            continue;
        }
        if (!m_tools->registerTool(std::make_shared<CommandTool>(tool, m_path),
                                   QString::fromLatin1(kSource)))
            continue;
        m_registered.append(tool.name);
        if (switchedOff.contains(tool.name))
            m_tools->setEnabled(tool.name, false);
    }
    m_applied = tools;
}

} // namespace heartline
