#pragma once

#include "server/protocol/catalog/completion.h"

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <functional>

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

// How a prompt that may answer later answers: `result` (a prompts/get result) goes to the
// client verbatim, or `error` is set and the client gets an internal error carrying it. Called
// exactly once, on the loop's thread.
using PromptReply = std::function<void(const QJsonObject &result, const QString &error)>;

// A prompt template. A prompt that answers at once overrides get() and completeArgument(); one
// that must ask elsewhere first (an upstream server's) overrides getAsync() and completeAsync(),
// whose defaults answer at once from the synchronous ones. Nothing here may block. Required
// arguments are checked before either get is called, so they see every required one.
class Prompt
{
public:
    virtual ~Prompt() = default;
    virtual PromptDefinition definition() const = 0;
    virtual PromptResult get(const QHash<QString, QString> &arguments) const
    {
        Q_UNUSED(arguments)
        return {};
    }
    // Candidate values for one argument (completion/complete with ref/prompt), all of them;
    // the caller filters by prefix and caps the list.
    virtual QStringList completeArgument(const QString &argument,
                                         const QHash<QString, QString> &context) const
    {
        Q_UNUSED(argument)
        Q_UNUSED(context)
        return {};
    }

    virtual void getAsync(const QHash<QString, QString> &arguments, PromptReply reply) const;
    // `typed` is what the user has typed of the argument so far: the answer holds only values
    // that fit it, at most Completion::kMaxValues of them.
    virtual void completeAsync(const QString &argument, const QString &typed,
                               const QHash<QString, QString> &context, CompletionReply reply) const;
};

} // namespace heartline
