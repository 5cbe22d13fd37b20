#include "server/protocol/session/toolsfeature.h"

#include "server/protocol/catalog/argumentcheck.h"
#include "server/protocol/catalog/content.h"
#include "server/protocol/catalog/tool.h"
#include "server/protocol/catalog/toolregistry.h"
#include "server/protocol/session/methodtable.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace heartline {

namespace {

// The client capability a server-to-client request needs.
QString capabilityFor(const QString &method)
{
    if (method == "sampling/createMessage"_L1)
        return u"sampling"_s;
    if (method == "elicitation/create"_L1)
        return u"elicitation"_s;
    if (method == "roots/list"_L1)
        return u"roots"_s;
    return {};
}

} // namespace

// Routes what one call reports to the session, under the request's id.
class ToolsFeature::CallRouting final : public ToolCallListener
{
public:
    CallRouting(ToolsFeature *feature, ToolCall *call, const RequestId &id)
        : m_feature(feature)
        , m_call(call)
        , m_id(id)
    {}

    void progressReported(const QJsonObject &params) override
    {
        m_feature->m_port.sendRelated(m_id,
                                      JsonRpc::notification(u"notifications/progress"_s, params));
    }
    void logged(LogLevel level, const QJsonValue &data, const QString &logger) override
    {
        m_feature->m_port.logRelated(m_id, level, data, logger);
    }
    void inputRequested(const QString &key, const QString &method,
                        const QJsonObject &params) override
    {
        m_feature->handleInputRequested(m_id, key, method, params);
    }
    void streamCloseRequested() override { m_feature->m_port.requestStreamClose(m_id); }
    void finished(const QJsonObject &result) override
    {
        m_call->deleteLater();
        // The call (and this) lives until the next turn of the loop, however the answer goes.
        const QJsonObject checked = m_feature->checkedResult(m_call->toolName(), result);
        m_feature->m_port.respond(m_id, checked,
                                  checked.value("isError"_L1).toBool()
                                      ? RequestOutcome::Result::ToolError
                                      : RequestOutcome::Result::Ok);
    }
    void cancelled() override
    {
        m_call->deleteLater();
        m_feature->m_port.finishPending(m_id, RequestOutcome::Result::Cancelled);
    }

private:
    ToolsFeature *m_feature;
    ToolCall *m_call;
    RequestId m_id;
};

ToolsFeature::ToolsFeature(SessionPort &port, ToolRegistry *tools, int pageSize, QObject *parent)
    : SessionFeature(port, parent)
    , m_tools(tools)
    , m_pageSize(pageSize)
{
    // 2026-07-28 announces changes on subscriptions/listen streams (SubscriptionsFeature).
    if (!m_port.isStateless()) {
        connect(m_tools, &ToolRegistry::listChanged, this, [this]() {
            announceListChange(m_tools->generation(), &m_generationSeen,
                               u"notifications/tools/list_changed"_s);
        });
    }
}

ToolsFeature::~ToolsFeature() = default;

void ToolsFeature::addMethods(MethodTable &table)
{
    table.add({"tools/list"_L1, MethodEra::Both, true, "tools"_L1,
               [this](const JsonRpcMessage &message) { handleList(message); }});
    table.add({"tools/call"_L1, MethodEra::Both, true, "tools"_L1,
               [this](const JsonRpcMessage &message) { handleCall(message); }});
}

void ToolsFeature::markListsSeen()
{
    m_generationSeen = m_tools->generation();
}

bool ToolsFeature::cancel(const RequestId &id, const QString &reason)
{
    const auto it = m_calls.constFind(id);
    if (it == m_calls.cend() || !it->call)
        return false;
    qCDebug(lcSession) << "client cancelled request" << id.display() << reason;
    it->call->cancel();
    return true;
}

void ToolsFeature::requestFinished(const RequestId &id)
{
    m_calls.remove(id);
}

void ToolsFeature::close()
{
    const auto calls = m_calls; // cancelling edits m_calls through requestFinished()
    for (const RunningCall &running : calls) {
        if (running.call)
            running.call->cancel();
    }
    m_calls.clear();
}

void ToolsFeature::handleList(const JsonRpcMessage &message)
{
    QList<QPair<QString, QJsonObject>> items;
    for (const ToolDefinition &tool : m_tools->enabledDefinitions())
        items.push_back({tool.name, tool.toJson()});
    QJsonObject result;
    if (!paginate(message, items, u"tools"_s, m_pageSize, &result))
        return;
    m_generationSeen = m_tools->generation();
    m_port.respond(message.id, result);
    Q_EMIT listServed(m_generationSeen);
}

void ToolsFeature::handleCall(const JsonRpcMessage &message)
{
    const QJsonObject params = message.paramsObject();
    const QJsonValue nameValue = params.value("name"_L1);
    if (!nameValue.isString()) {
        m_port.rejectMalformed(message.id,
                               u"Invalid params: tools/call needs the tool \"name\" as a string"_s);
        return;
    }
    const QString name = nameValue.toString();
    // Only names the registry knows are recorded: a client inventing names must not be able
    // to grow per-tool statistics without bound.
    if (m_tools->contains(name))
        m_port.recordToolName(message.id, name);
    const std::shared_ptr<Tool> tool = m_tools->enabledTool(name);
    if (!tool) {
        m_port.respondError(message.id, JsonRpcCode::InvalidParams,
                            m_tools->contains(name)
                                ? u"Tool '%1' is disabled on this server"_s.arg(name)
                                : u"Unknown tool: %1"_s.arg(name));
        return;
    }
    const QJsonValue argumentsValue = params.value("arguments"_L1);
    if (!argumentsValue.isUndefined() && !argumentsValue.isNull() && !argumentsValue.isObject()) {
        m_port.rejectMalformed(message.id,
                               u"Invalid params: tool \"arguments\" must be an object"_s);
        return;
    }
    const QJsonObject arguments = argumentsValue.toObject();
    const QString problem = checkArguments(m_tools->definition(name).inputSchema, arguments);
    if (!problem.isEmpty()) {
        m_port.respond(
            message.id,
            QJsonObject{
                {"content"_L1, QJsonArray{Content::text(
                                   u"Invalid arguments for tool '%1': %2"_s.arg(name, problem))}},
                {"isError"_L1, true}},
            RequestOutcome::Result::ToolError);
        return;
    }

    const QJsonValue progressToken = params.value("_meta"_L1).toObject().value("progressToken"_L1);
    const bool tokenUsable = progressToken.isString() || progressToken.isDouble();
    auto *call = new ToolCall(
        name, arguments, tokenUsable ? progressToken : QJsonValue(QJsonValue::Undefined), this);
    const RequestId id = message.id;
    m_calls.insert(id, RunningCall{call, {}});
    call->setClientCapabilities(m_port.contextOf(id).clientCapabilities);
    call->setMeta(params.value("_meta"_L1).toObject());
    call->setSessionId(m_port.sessionId());
    if (m_port.isStateless())
        call->setInputResponses(params.value("inputResponses"_L1).toObject());
    call->setListener(std::make_unique<CallRouting>(this, call, id));
    tool->call(call);
}

void ToolsFeature::handleInputRequested(const RequestId &id, const QString &key,
                                        const QString &method, const QJsonObject &params)
{
    auto it = m_calls.find(id);
    if (it == m_calls.end() || !it->call)
        return;
    QPointer<ToolCall> call = it->call;
    // Answers reach the tool on a later turn of the event loop, never inside requestInput().
    auto answerLater = [call](std::function<void(ToolCall *)> answer) {
        QTimer::singleShot(0, call.data(), [call, answer]() {
            if (call)
                answer(call);
        });
    };
    const QString capability = capabilityFor(method);
    if (capability.isEmpty()) {
        answerLater([key, method](ToolCall *c) {
            c->failInput(key, u"%1 is not a request a server may send a client"_s.arg(method));
        });
        return;
    }
    if (!m_port.contextOf(id).clientCapabilities.value(capability).isObject()) {
        answerLater([key, capability](ToolCall *c) {
            c->failInput(key,
                         u"the client did not declare the \"%1\" capability"_s.arg(capability));
        });
        return;
    }
    if (!m_port.isStateless()) {
        // On the call's own stream (MCP: messages related to a request go on its stream).
        m_port.askClient(id, method, params,
                         [this, id, key, method](const JsonRpcMessage &response) {
                             handleInputResponse(id, key, method, response);
                         });
        return;
    }
    // 2026-07-28 (MRTR): the answer comes with the client's retry of the whole request.
    const QJsonValue answered = call->inputResponses().value(key);
    if (answered.isObject()) {
        const QJsonObject result = answered.toObject();
        answerLater([key, result](ToolCall *c) { c->deliverInput(key, result); });
        return;
    }
    const bool first = it->inputRequests.isEmpty();
    it->inputRequests.insert(key, QJsonObject{{"method"_L1, method}, {"params"_L1, params}});
    // Questions asked in the same turn travel together in one input_required result.
    if (first)
        QTimer::singleShot(0, this, [this, id]() { answerInputRequired(id); });
}

void ToolsFeature::handleInputResponse(const RequestId &id, const QString &key,
                                       const QString &method, const JsonRpcMessage &response)
{
    const auto it = m_calls.constFind(id);
    if (it == m_calls.cend() || !it->call)
        return; // the call ended meanwhile; its question no longer matters
    if (response.kind == JsonRpcMessage::Kind::ErrorResponse) {
        it->call->failInput(key, u"the client refused %1: %2"_s.arg(
                                     method, response.error.value("message"_L1).toString()));
        return;
    }
    it->call->deliverInput(key, response.result.toObject());
}

void ToolsFeature::answerInputRequired(const RequestId &id)
{
    const auto it = m_calls.constFind(id);
    if (it == m_calls.cend() || !it->call)
        return;
    QPointer<ToolCall> call = it->call;
    m_port.respond(
        id, {{"resultType"_L1, "input_required"_L1}, {"inputRequests"_L1, it->inputRequests}});
    if (call)
        call->cancel(); // the retry runs the tool afresh with the answers
}

// MCP 2025-06-18: structured results MUST conform to the tool's outputSchema. A tool that
// breaks its own promise gets an error result rather than misleading the client.
QJsonObject ToolsFeature::checkedResult(const QString &toolName, const QJsonObject &result) const
{
    if (result.value("isError"_L1).toBool())
        return result;
    QJsonObject checked = result;
    const QJsonValue structured = result.value("structuredContent"_L1);
    const QJsonObject outputSchema = m_tools->definition(toolName).outputSchema;
    if (!outputSchema.isEmpty()) {
        const QString problem = structured.isObject()
                                    ? checkArguments(outputSchema, structured.toObject())
                                    : u"it has no structuredContent object"_s;
        if (!problem.isEmpty()) {
            qCWarning(lcSession) << "tool" << toolName << "broke its outputSchema:" << problem;
            return {{"content"_L1,
                     QJsonArray{Content::text(u"Tool '%1' returned a result that does not match "
                                              "its outputSchema: %2"_s.arg(toolName, problem))}},
                    {"isError"_L1, true}};
        }
    }
    // Clients that predate structured output read the same data as text.
    if (structured.isObject() && checked.value("content"_L1).toArray().isEmpty()) {
        checked.insert("content"_L1,
                       QJsonArray{Content::text(QString::fromUtf8(
                           QJsonDocument(structured.toObject()).toJson(QJsonDocument::Compact)))});
    }
    if (!checked.contains("content"_L1))
        checked.insert("content"_L1, QJsonArray{});
    return checked;
}

} // namespace heartline
