#pragma once

#include "server/protocol/catalog/prompt.h"
#include "server/tools/upstream/upstreamcatalogrequest.h"

namespace heartline {

// One prompt of an upstream server as Heartline serves it: the upstream's definition under its
// exposed name, and prompts/get and completion/complete sent to the server under the
// upstream's own name, their answers passed back verbatim.
class UpstreamPrompt final : public Prompt
{
public:
    UpstreamPrompt(const PromptDefinition &exposedDefinition, const QString &upstreamName,
                   const UpstreamLink &link);

    // The upstream's prompts/list entry as a definition named `exposedName`; false (with
    // `problem`) for an entry without a name or with malformed arguments.
    static bool definitionFromJson(const QJsonObject &entry, const QString &exposedName,
                                   PromptDefinition *definition, QString *problem);

    PromptDefinition definition() const override { return m_definition; }
    void getAsync(const QHash<QString, QString> &arguments, PromptReply reply) const override;
    void completeAsync(const QString &argument, const QString &typed,
                       const QHash<QString, QString> &context,
                       CompletionReply reply) const override;
    const QString &upstreamName() const { return m_upstreamName; }

private:
    PromptDefinition m_definition;
    QString m_upstreamName;
    UpstreamLink m_link;
};

} // namespace heartline
