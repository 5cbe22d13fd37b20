#include "session.h"

#include "argumentcheck.h"
#include "pagination.h"
#include "tool.h"
#include "toolregistry.h"

#include <QJsonArray>
#include <QLoggingCategory>

using namespace Qt::StringLiterals;

namespace heartline {

Q_LOGGING_CATEGORY(lcSession, "heartline.protocol.session")

Session::Session(ToolRegistry *tools, const ServerIdentity &identity, const Options &options,
                 QObject *parent)
    : QObject(parent)
    , m_tools(tools)
    , m_identity(identity)
    , m_options(options)
    , m_revision(Revisions::latest())
{
    connect(m_tools, &ToolRegistry::listChanged, this, &Session::handleToolListChanged);
}

Session::Session(ToolRegistry *tools, const ServerIdentity &identity, QObject *parent)
    : Session(tools, identity, Options{}, parent)
{}

Session::~Session()
{
    blockSignals(true);
    close();
}

void Session::receive(const JsonRpcMessage &message)
{
    if (m_state == State::Closed)
        return;
    switch (message.kind) {
    case JsonRpcMessage::Kind::Request:
        handleRequest(message);
        break;
    case JsonRpcMessage::Kind::Notification:
        handleNotification(message);
        break;
    case JsonRpcMessage::Kind::Response:
    case JsonRpcMessage::Kind::ErrorResponse:
        if (m_sentRequests.remove(message.id) > 0)
            Q_EMIT responseReceived(message.id, message.raw);
        else
            qCDebug(lcSession) << "ignored a response to request" << message.id.display()
                               << "that this session never sent (or already had answered)";
        break;
    }
}

void Session::close()
{
    if (m_state == State::Closed)
        return;
    m_state = State::Closed;
    const auto pending = m_pending; // cancelling edits m_pending through finishPending()
    for (const Pending &request : pending) {
        if (request.call)
            request.call->cancel();
    }
    m_pending.clear();
}

void Session::handleRequest(const JsonRpcMessage &message)
{
    const QString &method = message.method;
    if (m_pending.contains(message.id)) {
        // Answering would be routed to the first request's stream; refuse without touching it.
        qCWarning(lcSession) << "request id" << message.id.display() << "reused while pending";
        Q_EMIT outgoing(
            {JsonRpc::error(message.id, JsonRpcCode::InvalidRequest,
                            u"Invalid Request: id %1 is already in use by a "
                            "request that has not finished"_s.arg(message.id.display())),
             {},
             false});
        return;
    }
    m_pending.insert(message.id, Pending{method, {}, {}, {}});
    m_pending[message.id].started.start();

    if (!message.params.isUndefined() && !message.params.isObject()) {
        respondError(message.id, JsonRpcCode::InvalidParams,
                     u"Invalid params: MCP params must be an object"_s);
        return;
    }

    if (method == "initialize"_L1) {
        handleInitialize(message);
        return;
    }
    if (method == "ping"_L1) {
        respond(message.id, {});
        return;
    }
    if (m_state == State::AwaitingInitialize) {
        respondError(message.id, JsonRpcCode::InvalidRequest,
                     u"Invalid Request: the session is not initialized; send initialize first"_s);
        return;
    }
    if (method == "tools/list"_L1)
        handleToolsList(message);
    else if (method == "tools/call"_L1)
        handleToolsCall(message);
    else if (method == "logging/setLevel"_L1)
        handleSetLevel(message);
    else
        respondError(message.id, JsonRpcCode::MethodNotFound, u"Method not found: "_s + method);
}

void Session::handleNotification(const JsonRpcMessage &message)
{
    if (message.method == "notifications/initialized"_L1) {
        if (m_state == State::AwaitingInitialized) {
            m_state = State::Ready;
            Q_EMIT ready();
        }
        return;
    }
    if (message.method == "notifications/cancelled"_L1) {
        handleCancelled(message);
        return;
    }
    // Notifications are never answered, whatever they are (JSON-RPC 2.0).
    qCDebug(lcSession) << "ignored notification" << message.method;
}

void Session::handleInitialize(const JsonRpcMessage &message)
{
    if (m_state != State::AwaitingInitialize) {
        respondError(message.id, JsonRpcCode::InvalidRequest,
                     u"Invalid Request: the session is already initialized"_s);
        return;
    }
    const QJsonObject params = message.paramsObject();
    const QJsonValue requested = params.value("protocolVersion"_L1);
    if (!requested.isString()) {
        respondError(message.id, JsonRpcCode::InvalidParams,
                     u"Invalid params: initialize needs \"protocolVersion\" as a string"_s);
        return;
    }
    m_revision = Revisions::negotiate(requested.toString());
    const QJsonObject clientInfo = params.value("clientInfo"_L1).toObject();
    m_client.name = clientInfo.value("name"_L1).toString();
    m_client.version = clientInfo.value("version"_L1).toString();
    m_client.title = clientInfo.value("title"_L1).toString();
    m_client.capabilities = params.value("capabilities"_L1).toObject();
    m_state = State::AwaitingInitialized;
    m_toolsGenerationSeen = m_tools->generation();

    QJsonObject serverInfo{{"name"_L1, m_identity.name}, {"version"_L1, m_identity.version}};
    if (!m_identity.title.isEmpty())
        serverInfo.insert("title"_L1, m_identity.title);
    QJsonObject result{{"protocolVersion"_L1, Revisions::name(m_revision)},
                       {"capabilities"_L1, serverCapabilities()},
                       {"serverInfo"_L1, serverInfo}};
    if (!m_identity.instructions.isEmpty())
        result.insert("instructions"_L1, m_identity.instructions);
    Q_EMIT clientIdentified(m_client, m_revision);
    respond(message.id, result);
}

QJsonObject Session::serverCapabilities() const
{
    return {{"tools"_L1, QJsonObject{{"listChanged"_L1, true}}}, {"logging"_L1, QJsonObject{}}};
}

void Session::handleToolsList(const JsonRpcMessage &message)
{
    const QJsonValue cursorValue = message.paramsObject().value("cursor"_L1);
    QString after;
    if (!cursorValue.isUndefined() && !cursorValue.isNull()
        && !(cursorValue.isString() && Pagination::decode(cursorValue.toString(), &after))) {
        respondError(message.id, JsonRpcCode::InvalidParams,
                     u"Invalid params: unknown cursor; use the nextCursor of a previous page"_s);
        return;
    }
    m_toolsGenerationSeen = m_tools->generation();
    QJsonArray page;
    QString lastName;
    bool more = false;
    for (const ToolDefinition &tool : m_tools->enabledDefinitions()) {
        if (!after.isEmpty() && tool.name <= after)
            continue;
        if (page.size() == m_options.toolsPageSize) {
            more = true;
            break;
        }
        page.append(tool.toJson());
        lastName = tool.name;
    }
    QJsonObject result{{"tools"_L1, page}};
    if (more)
        result.insert("nextCursor"_L1, Pagination::cursorAfter(lastName));
    respond(message.id, result);
}

void Session::handleToolsCall(const JsonRpcMessage &message)
{
    const QJsonObject params = message.paramsObject();
    const QJsonValue nameValue = params.value("name"_L1);
    if (!nameValue.isString()) {
        respondError(message.id, JsonRpcCode::InvalidParams,
                     u"Invalid params: tools/call needs the tool \"name\" as a string"_s);
        return;
    }
    const QString name = nameValue.toString();
    // Only names the registry knows are recorded: a client inventing names must not be able
    // to grow per-tool statistics without bound.
    if (m_tools->contains(name))
        m_pending[message.id].toolName = name;
    const std::shared_ptr<Tool> tool = m_tools->enabledTool(name);
    if (!tool) {
        respondError(message.id, JsonRpcCode::InvalidParams,
                     m_tools->contains(name) ? u"Tool '%1' is disabled on this server"_s.arg(name)
                                             : u"Unknown tool: %1"_s.arg(name));
        return;
    }
    const QJsonValue argumentsValue = params.value("arguments"_L1);
    if (!argumentsValue.isUndefined() && !argumentsValue.isNull() && !argumentsValue.isObject()) {
        respondError(message.id, JsonRpcCode::InvalidParams,
                     u"Invalid params: tool \"arguments\" must be an object"_s);
        return;
    }
    const QJsonObject arguments = argumentsValue.toObject();
    const QString problem = checkArguments(tool->definition().inputSchema, arguments);
    if (!problem.isEmpty()) {
        respond(message.id,
                QJsonObject{{"content"_L1,
                             QJsonArray{QJsonObject{
                                 {"type"_L1, "text"_L1},
                                 {"text"_L1,
                                  u"Invalid arguments for tool '%1': %2"_s.arg(name, problem)}}}},
                            {"isError"_L1, true}},
                RequestOutcome::Result::ToolError);
        return;
    }

    const QJsonValue progressToken = params.value("_meta"_L1).toObject().value("progressToken"_L1);
    const bool tokenUsable = progressToken.isString() || progressToken.isDouble();
    auto *call = new ToolCall(
        name, arguments, tokenUsable ? progressToken : QJsonValue(QJsonValue::Undefined), this);
    const RequestId id = message.id;
    m_pending[id].call = call;
    connect(call, &ToolCall::progressReported, this, [this, id](const QJsonObject &progress) {
        sendRelated(id, JsonRpc::notification(u"notifications/progress"_s, progress));
    });
    connect(call, &ToolCall::logged, this,
            [this, id](LogLevel level, const QJsonValue &data, const QString &logger) {
                if (level < m_logLevel)
                    return;
                sendRelated(id, JsonRpc::notification(u"notifications/message"_s,
                                                      {{"level"_L1, LogLevels::name(level)},
                                                       {"logger"_L1, logger},
                                                       {"data"_L1, data}}));
            });
    connect(call, &ToolCall::finished, this, [this, id, call](const QJsonObject &result) {
        call->deleteLater();
        respond(id, result,
                result.value("isError"_L1).toBool() ? RequestOutcome::Result::ToolError
                                                    : RequestOutcome::Result::Ok);
    });
    connect(call, &ToolCall::cancelled, this, [this, id, call]() {
        call->deleteLater();
        finishPending(id, RequestOutcome::Result::Cancelled);
    });
    tool->call(call);
}

void Session::handleSetLevel(const JsonRpcMessage &message)
{
    LogLevel level;
    if (!LogLevels::parse(message.paramsObject().value("level"_L1).toString(), &level)) {
        respondError(message.id, JsonRpcCode::InvalidParams,
                     u"Invalid params: \"level\" must be one of debug, info, notice, warning, "
                     "error, critical, alert, emergency"_s);
        return;
    }
    m_logLevel = level;
    respond(message.id, {});
}

void Session::handleCancelled(const JsonRpcMessage &message)
{
    const RequestId id(message.paramsObject().value("requestId"_L1));
    auto it = m_pending.find(id);
    // Unknown, finished or uncancellable requests are ignored, as the spec asks; the race
    // of a cancel arriving after the response lands here too.
    if (it == m_pending.end() || it->method == "initialize"_L1 || !it->call)
        return;
    qCDebug(lcSession) << "client cancelled request" << id.display()
                       << message.paramsObject().value("reason"_L1).toString();
    it->call->cancel();
}

void Session::handleToolListChanged()
{
    if (m_state != State::Ready || m_tools->generation() == m_toolsGenerationSeen)
        return;
    m_toolsGenerationSeen = m_tools->generation();
    sendUnrelated(JsonRpc::notification(u"notifications/tools/list_changed"_s));
}

void Session::logUnrelated(LogLevel level, const QJsonValue &data, const QString &logger)
{
    if (m_state == State::Closed || level < m_logLevel)
        return;
    sendUnrelated(JsonRpc::notification(
        u"notifications/message"_s,
        {{"level"_L1, LogLevels::name(level)}, {"logger"_L1, logger}, {"data"_L1, data}}));
}

RequestId Session::sendRequest(const QString &method, const QJsonObject &params)
{
    const RequestId id(QJsonValue(u"s"_s + QString::number(++m_lastRequestNumber)));
    if (m_state == State::Closed)
        return id;
    m_sentRequests.insert(id, method);
    sendUnrelated(JsonRpc::request(id, method, params));
    return id;
}

void Session::respond(const RequestId &id, const QJsonObject &result,
                      RequestOutcome::Result outcome)
{
    if (m_state == State::Closed || !m_pending.contains(id))
        return;
    finishPending(id, outcome);
    Q_EMIT outgoing({JsonRpc::result(id, result), id, true});
}

void Session::respondError(const RequestId &id, JsonRpcCode code, const QString &message)
{
    if (m_state == State::Closed || !m_pending.contains(id))
        return;
    finishPending(id, RequestOutcome::Result::ProtocolError);
    Q_EMIT outgoing({JsonRpc::error(id, code, message), id, true});
}

void Session::finishPending(const RequestId &id, RequestOutcome::Result result)
{
    auto it = m_pending.find(id);
    if (it == m_pending.end())
        return;
    RequestOutcome outcome{id, it->method, it->toolName, it->started.elapsed(), result};
    m_pending.erase(it);
    Q_EMIT requestFinished(outcome);
}

void Session::sendRelated(const RequestId &id, const QJsonObject &message)
{
    if (m_state != State::Closed && m_pending.contains(id))
        Q_EMIT outgoing({message, id, false});
}

void Session::sendUnrelated(const QJsonObject &message)
{
    if (m_state != State::Closed)
        Q_EMIT outgoing({message, {}, false});
}

} // namespace heartline
