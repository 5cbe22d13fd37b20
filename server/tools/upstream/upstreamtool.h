#pragma once

#include "server/protocol/catalog/tool.h"

#include <QPointer>

namespace heartline {

class UpstreamForwarder;

// One tool of an upstream server as Heartline serves it: the upstream's definition under its
// exposed name (title, description, schemas and annotations as the upstream wrote them), and
// calls handed to the server's forwarder under the upstream's own name.
class UpstreamTool final : public Tool
{
public:
    UpstreamTool(const ToolDefinition &exposedDefinition, const QString &upstreamName,
                 UpstreamForwarder *forwarder);

    // The upstream's tools/list entry as a definition named `exposedName`; false (with
    // `problem`) for an entry without a name or with a non-object input schema.
    static bool definitionFromJson(const QJsonObject &entry, const QString &exposedName,
                                   ToolDefinition *definition, QString *problem);

    ToolDefinition definition() const override { return m_definition; }
    void call(ToolCall *call) override;
    const QString &upstreamName() const { return m_upstreamName; }

private:
    ToolDefinition m_definition;
    QString m_upstreamName;
    QPointer<UpstreamForwarder> m_forwarder;
};

} // namespace heartline
