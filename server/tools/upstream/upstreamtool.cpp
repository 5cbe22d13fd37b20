#include "server/tools/upstream/upstreamtool.h"

#include "server/tools/upstream/upstreamforwarder.h"

using namespace Qt::StringLiterals;

namespace heartline {

UpstreamTool::UpstreamTool(const ToolDefinition &exposedDefinition, const QString &upstreamName,
                           UpstreamForwarder *forwarder)
    : m_definition(exposedDefinition)
    , m_upstreamName(upstreamName)
    , m_forwarder(forwarder)
{}

bool UpstreamTool::definitionFromJson(const QJsonObject &entry, const QString &exposedName,
                                      ToolDefinition *definition, QString *problem)
{
    if (entry.value("name"_L1).toString().isEmpty()) {
        *problem = u"a tool without a name"_s;
        return false;
    }
    const QJsonValue inputSchema = entry.value("inputSchema"_L1);
    if (!inputSchema.isObject()) {
        *problem = u"tool '%1' has no inputSchema object"_s.arg(entry.value("name"_L1).toString());
        return false;
    }
    definition->name = exposedName;
    definition->title = entry.value("title"_L1).toString();
    definition->description = entry.value("description"_L1).toString();
    definition->inputSchema = inputSchema.toObject();
    definition->outputSchema = entry.value("outputSchema"_L1).toObject();
    definition->annotations = entry.value("annotations"_L1).toObject();
    return true;
}

void UpstreamTool::call(ToolCall *call)
{
    if (!m_forwarder) {
        call->fail(u"the upstream server of this tool was removed"_s);
        return;
    }
    m_forwarder->callTool(m_upstreamName, call);
}

} // namespace heartline
