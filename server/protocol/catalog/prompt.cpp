#include "server/protocol/catalog/prompt.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace heartline {

QJsonObject PromptDefinition::toJson() const
{
    QJsonObject json{{"name"_L1, name}};
    if (!title.isEmpty())
        json.insert("title"_L1, title);
    if (!description.isEmpty())
        json.insert("description"_L1, description);
    if (!arguments.isEmpty()) {
        QJsonArray list;
        for (const PromptArgument &argument : arguments) {
            QJsonObject item{{"name"_L1, argument.name}};
            if (!argument.title.isEmpty())
                item.insert("title"_L1, argument.title);
            if (!argument.description.isEmpty())
                item.insert("description"_L1, argument.description);
            // Absent means optional in the schema; "required": false would only add noise.
            if (argument.required)
                item.insert("required"_L1, true);
            list.append(item);
        }
        json.insert("arguments"_L1, list);
    }
    return json;
}

QString PromptDefinition::missingRequiredArgument(const QHash<QString, QString> &given) const
{
    for (const PromptArgument &argument : arguments) {
        if (argument.required && !given.contains(argument.name))
            return argument.name;
    }
    return {};
}

QJsonObject PromptResult::toJson() const
{
    QJsonArray list;
    for (const PromptMessage &message : messages)
        list.append(QJsonObject{{"role"_L1, message.role}, {"content"_L1, message.content}});
    QJsonObject json{{"messages"_L1, list}};
    if (!description.isEmpty())
        json.insert("description"_L1, description);
    return json;
}

void Prompt::getAsync(const QHash<QString, QString> &arguments, PromptReply reply) const
{
    reply(get(arguments).toJson(), {});
}

void Prompt::completeAsync(const QString &argument, const QString &typed,
                           const QHash<QString, QString> &context, CompletionReply reply) const
{
    reply(Completion::fromCandidates(completeArgument(argument, context), typed).toCompletionJson(),
          {});
}

} // namespace heartline
