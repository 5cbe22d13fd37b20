#pragma once

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QString>

namespace heartline {

struct PromptArgument
{
    QString name;
    QString title;
    QString description;
    bool required = false;
};

// What clients see of a prompt in prompts/list.
struct PromptDefinition
{
    QString name;
    QString title;
    QString description;
    QList<PromptArgument> arguments;

    QJsonObject toJson() const;
    // The first required argument missing from `arguments`, or empty when all are there.
    QString missingRequiredArgument(const QHash<QString, QString> &arguments) const;
};

struct PromptMessage
{
    QString role;        // "user" or "assistant"
    QJsonObject content; // one content block (see content.h)
};

// A prompts/get result.
struct PromptResult
{
    QString description;
    QList<PromptMessage> messages;

    QJsonObject toJson() const;
};

// A prompt template. get() must not block; required arguments are checked before it is
// called, so it sees every required one.
class Prompt
{
public:
    virtual ~Prompt() = default;
    virtual PromptDefinition definition() const = 0;
    virtual PromptResult get(const QHash<QString, QString> &arguments) const = 0;
    // Candidate values for one argument (completion/complete with ref/prompt), all of them;
    // the caller filters by prefix and caps the list.
    virtual QStringList completeArgument(const QString &argument,
                                         const QHash<QString, QString> &context) const
    {
        Q_UNUSED(argument)
        Q_UNUSED(context)
        return {};
    }
};

} // namespace heartline
