#include "server/protocol/session/promptsfeature.h"

#include "server/protocol/catalog/promptregistry.h"
#include "server/protocol/catalog/resourceregistry.h"
#include "server/protocol/session/methodtable.h"

using namespace Qt::StringLiterals;

namespace heartline {

namespace {

QHash<QString, QString> stringMap(const QJsonObject &object)
{
    QHash<QString, QString> map;
    for (auto it = object.begin(); it != object.end(); ++it)
        map.insert(it.key(), it.value().toString());
    return map;
}

} // namespace

PromptsFeature::PromptsFeature(SessionPort &port, PromptRegistry *prompts,
                               ResourceRegistry *resources, int pageSize, QObject *parent)
    : SessionFeature(port, parent)
    , m_prompts(prompts)
    , m_resources(resources)
    , m_pageSize(pageSize)
{
    // 2026-07-28 announces changes on subscriptions/listen streams (SubscriptionsFeature).
    if (m_prompts && !m_port.isStateless()) {
        connect(m_prompts, &PromptRegistry::listChanged, this, [this]() {
            announceListChange(generation(), &m_generationSeen,
                               u"notifications/prompts/list_changed"_s);
        });
    }
}

void PromptsFeature::addMethods(MethodTable &table)
{
    table.add({"prompts/list"_L1, MethodEra::Both, true, "prompts"_L1,
               [this](const JsonRpcMessage &message) { handleList(message); }});
    table.add({"prompts/get"_L1, MethodEra::Both, true, "prompts"_L1,
               [this](const JsonRpcMessage &message) { handleGet(message); }});
    table.add({"completion/complete"_L1, MethodEra::Both, true, "completions"_L1,
               [this](const JsonRpcMessage &message) { handleComplete(message); }});
}

void PromptsFeature::markListsSeen()
{
    m_generationSeen = generation();
}

quint64 PromptsFeature::generation() const
{
    return m_prompts ? m_prompts->generation() : 0;
}

void PromptsFeature::handleList(const JsonRpcMessage &message)
{
    QList<QPair<QString, QJsonObject>> items;
    if (m_prompts) {
        for (const PromptDefinition &prompt : m_prompts->definitions())
            items.push_back({prompt.name, prompt.toJson()});
    }
    QJsonObject result;
    if (!paginate(message, items, u"prompts"_s, m_pageSize, &result))
        return;
    m_generationSeen = generation();
    m_port.respond(message.id, result);
}

void PromptsFeature::handleGet(const JsonRpcMessage &message)
{
    QString name;
    if (!readStringParam(message, u"name"_s, &name))
        return;
    const std::shared_ptr<Prompt> prompt = m_prompts ? m_prompts->prompt(name) : nullptr;
    if (!prompt) {
        m_port.respondError(message.id, JsonRpcCode::InvalidParams,
                            u"Unknown prompt: %1"_s.arg(name));
        return;
    }
    const QJsonValue argumentsValue = message.paramsObject().value("arguments"_L1);
    if (!argumentsValue.isUndefined() && !argumentsValue.isNull() && !argumentsValue.isObject()) {
        m_port.rejectMalformed(message.id,
                               u"Invalid params: prompt \"arguments\" must be an object"_s);
        return;
    }
    const QJsonObject arguments = argumentsValue.toObject();
    for (auto it = arguments.begin(); it != arguments.end(); ++it) {
        if (!it.value().isString()) {
            m_port.rejectMalformed(
                message.id,
                u"Invalid params: prompt argument '%1' must be a string"_s.arg(it.key()));
            return;
        }
    }
    const QHash<QString, QString> values = stringMap(arguments);
    const PromptDefinition definition = prompt->definition();
    const QString missing = definition.missingRequiredArgument(values);
    if (!missing.isEmpty()) {
        m_port.respondError(
            message.id, JsonRpcCode::InvalidParams,
            u"Invalid params: prompt '%1' needs the argument '%2'"_s.arg(name, missing));
        return;
    }
    prompt->getAsync(values,
                     answerLater(message.id, [this, id = message.id](const QJsonObject &result,
                                                                     const QString &error) {
                         if (error.isEmpty())
                             m_port.respond(id, result);
                         else
                             m_port.respondError(id, JsonRpcCode::InternalError, error);
                     }));
}

void PromptsFeature::handleComplete(const JsonRpcMessage &message)
{
    const QJsonObject params = message.paramsObject();
    const QJsonObject argument = params.value("argument"_L1).toObject();
    const QString argumentName = argument.value("name"_L1).toString();
    if (argumentName.isEmpty() || !argument.value("value"_L1).isString()) {
        m_port.rejectMalformed(
            message.id, u"Invalid params: completion/complete needs \"argument\" with a \"name\" "
                        "and a string \"value\""_s);
        return;
    }
    const QString typed = argument.value("value"_L1).toString();
    const QHash<QString, QString> context =
        stringMap(params.value("context"_L1).toObject().value("arguments"_L1).toObject());
    const QJsonObject ref = params.value("ref"_L1).toObject();
    const QString type = ref.value("type"_L1).toString();
    if (type == "ref/prompt"_L1) {
        const QString name = ref.value("name"_L1).toString();
        const std::shared_ptr<Prompt> prompt = m_prompts ? m_prompts->prompt(name) : nullptr;
        if (!prompt) {
            m_port.respondError(message.id, JsonRpcCode::InvalidParams,
                                u"Invalid params: unknown prompt '%1'"_s.arg(name));
            return;
        }
        prompt->completeAsync(argumentName, typed, context, completionAnswer(message.id));
        return;
    }
    if (type == "ref/resource"_L1) {
        const QString uri = ref.value("uri"_L1).toString();
        if (!m_resources
            || !(m_resources->containsUri(uri) || m_resources->containsTemplate(uri))) {
            m_port.respondError(message.id, JsonRpcCode::InvalidParams,
                                u"Invalid params: no resource or template '%1'"_s.arg(uri));
            return;
        }
        m_resources->completeAsync(uri, argumentName, typed, context, completionAnswer(message.id));
        return;
    }
    m_port.rejectMalformed(message.id,
                           u"Invalid params: \"ref\" must have type ref/prompt or ref/resource"_s);
}

CompletionReply PromptsFeature::completionAnswer(const RequestId &id)
{
    return answerLater(id, [this, id](const QJsonObject &completion, const QString &error) {
        if (error.isEmpty())
            m_port.respond(id, {{"completion"_L1, completion}});
        else
            m_port.respondError(id, JsonRpcCode::InternalError, error);
    });
}

} // namespace heartline
