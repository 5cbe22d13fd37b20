#include "server/tools/upstream/upstreamprompt.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace heartline {

UpstreamPrompt::UpstreamPrompt(const PromptDefinition &exposedDefinition,
                               const QString &upstreamName, const UpstreamLink &link)
    : m_definition(exposedDefinition)
    , m_upstreamName(upstreamName)
    , m_link(link)
{}

bool UpstreamPrompt::definitionFromJson(const QJsonObject &entry, const QString &exposedName,
                                        PromptDefinition *definition, QString *problem)
{
    const QString name = entry.value("name"_L1).toString();
    if (name.isEmpty()) {
        *problem = u"a prompt without a name"_s;
        return false;
    }
    const QJsonValue arguments = entry.value("arguments"_L1);
    if (!arguments.isUndefined() && !arguments.isNull() && !arguments.isArray()) {
        *problem = u"prompt '%1' has \"arguments\" that is not an array"_s.arg(name);
        return false;
    }
    PromptDefinition parsed;
    parsed.name = exposedName;
    parsed.title = entry.value("title"_L1).toString();
    parsed.description = entry.value("description"_L1).toString();
    for (const QJsonValue &value : arguments.toArray()) {
        const QJsonObject argument = value.toObject();
        const QString argumentName = argument.value("name"_L1).toString();
        if (argumentName.isEmpty()) {
            *problem = u"prompt '%1' has an argument without a name"_s.arg(name);
            return false;
        }
        parsed.arguments.append(PromptArgument{argumentName, argument.value("title"_L1).toString(),
                                               argument.value("description"_L1).toString(),
                                               argument.value("required"_L1).toBool()});
    }
    *definition = parsed;
    return true;
}

void UpstreamPrompt::getAsync(const QHash<QString, QString> &arguments, PromptReply reply) const
{
    QJsonObject params{{"name"_L1, m_upstreamName}};
    if (!arguments.isEmpty()) {
        QJsonObject values;
        for (auto it = arguments.cbegin(); it != arguments.cend(); ++it)
            values.insert(it.key(), it.value());
        params.insert("arguments"_L1, values);
    }
    UpstreamCatalogRequest::send(
        m_link, u"prompts/get"_s, params, [reply](const QJsonObject &result) { reply(result, {}); },
        [reply](const QString &error, int code) {
            Q_UNUSED(code)
            reply({}, error);
        });
}

void UpstreamPrompt::completeAsync(const QString &argument, const QString &typed,
                                   const QHash<QString, QString> &context,
                                   CompletionReply reply) const
{
    UpstreamCatalogRequest::complete(m_link,
                                     {{"type"_L1, "ref/prompt"_L1}, {"name"_L1, m_upstreamName}},
                                     argument, typed, context, std::move(reply));
}

} // namespace heartline
