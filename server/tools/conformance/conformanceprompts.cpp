#include "server/tools/conformance/conformanceprompts.h"

#include "server/protocol/catalog/content.h"
#include "server/tools/conformance/conformancemedia.h"

using namespace Qt::StringLiterals;

namespace heartline {

FixedPrompt::FixedPrompt(const PromptDefinition &definition, const QList<PromptMessage> &messages)
    : m_definition(definition)
    , m_messages(messages)
{}

PromptResult FixedPrompt::get(const QHash<QString, QString> &) const
{
    return {{}, m_messages};
}

PromptDefinition ArgumentsPrompt::definition() const
{
    return {u"test_prompt_with_arguments"_s,
            {},
            u"A prompt with two required arguments, quoted back in its message"_s,
            {{u"arg1"_s, {}, u"First test argument"_s, true},
             {u"arg2"_s, {}, u"Second test argument"_s, true}}};
}

PromptResult ArgumentsPrompt::get(const QHash<QString, QString> &arguments) const
{
    const QString text = u"Prompt with arguments: arg1='%1', arg2='%2'"_s.arg(
        arguments.value(u"arg1"_s), arguments.value(u"arg2"_s));
    return {{}, {{u"user"_s, Content::text(text)}}};
}

QStringList ArgumentsPrompt::completeArgument(const QString &argument,
                                              const QHash<QString, QString> &) const
{
    if (argument == "arg1"_L1)
        return {u"testValue1"_s, u"test"_s, u"testing"_s, u"example"_s};
    if (argument == "arg2"_L1)
        return {u"testValue2"_s, u"test"_s, u"sample"_s};
    return {};
}

PromptDefinition EmbeddedResourcePrompt::definition() const
{
    return {u"test_prompt_with_embedded_resource"_s,
            {},
            u"A prompt that embeds the resource it is given"_s,
            {{u"resourceUri"_s, {}, u"URI of the resource to embed"_s, true}}};
}

PromptResult EmbeddedResourcePrompt::get(const QHash<QString, QString> &arguments) const
{
    return {{},
            {{u"user"_s, Content::embeddedText(arguments.value(u"resourceUri"_s), u"text/plain"_s,
                                               u"Embedded resource content for testing."_s)},
             {u"user"_s, Content::text(u"Please process the embedded resource above."_s)}}};
}

std::vector<std::shared_ptr<Prompt>> conformancePrompts()
{
    const QString png = QString::fromLatin1(ConformanceMedia::kPngBase64);
    return {
        std::make_shared<FixedPrompt>(
            PromptDefinition{
                u"test_simple_prompt"_s, {}, u"A simple prompt without arguments"_s, {}},
            QList<PromptMessage>{
                {u"user"_s, Content::text(u"This is a simple prompt for testing."_s)}}),
        std::make_shared<ArgumentsPrompt>(),
        std::make_shared<EmbeddedResourcePrompt>(),
        std::make_shared<FixedPrompt>(
            PromptDefinition{u"test_prompt_with_image"_s, {}, u"A prompt with an image"_s, {}},
            QList<PromptMessage>{{u"user"_s, Content::image(png, u"image/png"_s)},
                                 {u"user"_s, Content::text(u"Please analyze the image above."_s)}}),
    };
}

} // namespace heartline
