#include "server/protocol/catalog/promptregistry.h"

#include <QLoggingCategory>

using namespace Qt::StringLiterals;

namespace heartline {

Q_LOGGING_CATEGORY(lcPrompts, "heartline.protocol.prompts")

PromptRegistry::PromptRegistry(QObject *parent)
    : QObject(parent)
{
    connect(&m_changes, &ListChangeCoalescer::announced, this, &PromptRegistry::listChanged);
}

bool PromptRegistry::registerPrompt(std::shared_ptr<Prompt> prompt)
{
    if (!prompt)
        return false;
    const QString name = prompt->definition().name;
    if (name.isEmpty()) {
        qCWarning(lcPrompts) << "refused prompt with an empty name";
        return false;
    }
    if (m_prompts.contains(name)) {
        qCWarning(lcPrompts) << "refused prompt" << name << "- the name is already registered";
        return false;
    }
    m_prompts.insert(name, std::move(prompt));
    m_changes.recordChange();
    return true;
}

bool PromptRegistry::unregisterPrompt(const QString &name)
{
    if (m_prompts.remove(name) == 0)
        return false;
    m_changes.recordChange();
    return true;
}

QList<PromptDefinition> PromptRegistry::definitions() const
{
    QList<PromptDefinition> all;
    all.reserve(m_prompts.size());
    for (const auto &prompt : m_prompts)
        all.append(prompt->definition());
    return all;
}

std::shared_ptr<Prompt> PromptRegistry::prompt(const QString &name) const
{
    return m_prompts.value(name);
}

void PromptRegistry::setCoalesceInterval(int milliseconds)
{
    m_changes.setInterval(milliseconds);
}

} // namespace heartline
