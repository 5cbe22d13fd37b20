#pragma once

#include "server/protocol/catalog/prompt.h"

#include <memory>
#include <vector>

namespace heartline {

// A prompt without arguments whose messages never change: test_simple_prompt and
// test_prompt_with_image.
class FixedPrompt final : public Prompt
{
public:
    FixedPrompt(const PromptDefinition &definition, const QList<PromptMessage> &messages);

    PromptDefinition definition() const override { return m_definition; }
    PromptResult get(const QHash<QString, QString> &arguments) const override;

private:
    PromptDefinition m_definition;
    QList<PromptMessage> m_messages;
};

// test_prompt_with_arguments: both arguments quoted in one message. Its arguments complete
// (completion/complete with ref/prompt) from a short list of examples.
class ArgumentsPrompt final : public Prompt
{
public:
    PromptDefinition definition() const override;
    PromptResult get(const QHash<QString, QString> &arguments) const override;
    QStringList completeArgument(const QString &argument,
                                 const QHash<QString, QString> &context) const override;
};

// test_prompt_with_embedded_resource: the resource named by `resourceUri`, embedded as text,
// followed by an instruction about it.
class EmbeddedResourcePrompt final : public Prompt
{
public:
    PromptDefinition definition() const override;
    PromptResult get(const QHash<QString, QString> &arguments) const override;
};

std::vector<std::shared_ptr<Prompt>> conformancePrompts();

} // namespace heartline
