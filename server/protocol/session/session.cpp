#include "server/protocol/session/session.h"

#include "server/protocol/catalog/toolregistry.h"
#include "server/protocol/session/promptsfeature.h"
#include "server/protocol/session/releaseifempty.h"
#include "server/protocol/session/resourcesfeature.h"
#include "server/protocol/session/servercapabilities.h"
#include "server/protocol/session/statelessframing.h"
#include "server/protocol/session/subscriptionsfeature.h"
#include "server/protocol/session/toolsfeature.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace heartline {

namespace {

QJsonObject logMessage(LogLevel level, const QJsonValue &data, const QString &logger)
{
    return JsonRpc::notification(
        u"notifications/message"_s,
        {{"level"_L1, LogLevels::name(level)}, {"logger"_L1, logger}, {"data"_L1, data}});
}

} // namespace

Session::Session(const Catalog &catalog, const ServerIdentity &identity, const Options &options,
                 QObject *parent)
    : QObject(parent)
    , m_tools(catalog.tools)
    , m_resources(catalog.resources)
    , m_prompts(catalog.prompts)
    , m_identity(identity)
    , m_options(options)
    , m_revision(options.stateless ? Revision::V2026_07_28 : Revisions::latestWithSessions())
{
    if (m_options.stateless)
        m_state = State::Ready;
    SessionPort &port = *this; // the features' view of the session, and all they see of it
    auto tools = std::make_unique<ToolsFeature>(port, m_tools, m_options.toolsPageSize);
    connect(tools.get(), &ToolsFeature::listServed, this, &Session::toolsListServed);
    m_features.push_back(std::move(tools));
    m_features.push_back(
        std::make_unique<ResourcesFeature>(port, m_resources, m_options.toolsPageSize));
    m_features.push_back(
        std::make_unique<PromptsFeature>(port, m_prompts, m_resources, m_options.toolsPageSize));
    auto subscriptions =
        std::make_unique<SubscriptionsFeature>(port, m_tools, m_prompts, m_resources);
    m_subscriptions = subscriptions.get();
    m_features.push_back(std::move(subscriptions));
    addMethods();
}

// The 2026-07-28 revision dropped ping, logging/setLevel and resources/(un)subscribe, and added
// server/discover and subscriptions/listen.
void Session::addMethods()
{
    const auto handler = [this](void (Session::*handle)(const JsonRpcMessage &)) {
        return [this, handle](const JsonRpcMessage &message) { (this->*handle)(message); };
    };
    m_methods.add(
        {"initialize"_L1, MethodEra::WithSessions, false, {}, handler(&Session::handleInitialize)});
    m_methods.add({"ping"_L1, MethodEra::WithSessions, false, {}, handler(&Session::handlePing)});
    m_methods.add(
        {"server/discover"_L1, MethodEra::Stateless, false, {}, handler(&Session::handleDiscover)});
    m_methods.add({"logging/setLevel"_L1, MethodEra::WithSessions, true, "logging"_L1,
                   handler(&Session::handleSetLevel)});
    for (const auto &feature : m_features)
        feature->addMethods(m_methods);
    m_methods.squeeze();
}

Session::Session(ToolRegistry *tools, const ServerIdentity &identity, const Options &options,
                 QObject *parent)
    : Session(Catalog{tools, nullptr, nullptr}, identity, options, parent)
{}

Session::Session(ToolRegistry *tools, const ServerIdentity &identity, QObject *parent)
    : Session(Catalog{tools, nullptr, nullptr}, identity, Options{}, parent)
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
        handleResponse(message);
        break;
    }
}

void Session::close()
{
    if (m_state == State::Closed)
        return;
    m_state = State::Closed;
    for (const auto &feature : m_features)
        feature->close();
    m_pending.clear();
}

void Session::endSubscriptions()
{
    m_subscriptions->endListens();
}

int Session::subscriptionCount() const
{
    return m_subscriptions->listenCount();
}

bool Session::isSubscribedTo(const QString &uri) const
{
    return m_subscriptions->isSubscribedTo(uri);
}

void Session::handleRequest(const JsonRpcMessage &message)
{
    const QString &method = message.method;
    if (m_pending.count(message.id) > 0) {
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
    Pending pending{method, {}, {}, {}};
    pending.context.revision = m_revision;
    pending.context.clientCapabilities = m_client.capabilities;
    pending.context.logLevel = m_logLevel;
    m_pending.insert_or_assign(message.id, pending).first->second.started.start();

    if (!message.params.isUndefined() && !message.params.isObject()) {
        rejectMalformed(message.id, u"Invalid params: MCP params must be an object"_s);
        return;
    }
    if (m_options.stateless && !beginStatelessRequest(message))
        return;

    const MethodRow *rule = m_methods.find(method);
    const bool served = rule && rule->existsIn(m_options.stateless) && offers(rule->capability);
    if (!served) {
        respondError(message.id, JsonRpcCode::MethodNotFound,
                     rule ? u"Method not found: %1 is not part of MCP %2"_s.arg(
                         method, Revisions::name(m_revision))
                          : u"Method not found: "_s + method);
        return;
    }
    if (rule->needsInitialize && m_state == State::AwaitingInitialize) {
        respondError(message.id, JsonRpcCode::InvalidRequest,
                     u"Invalid Request: the session is not initialized; send initialize first"_s);
        return;
    }
    rule->handler(message);
}

// 2026-07-28 carries in every request what the handshake used to settle once.
bool Session::beginStatelessRequest(const JsonRpcMessage &message)
{
    QJsonObject clientInfo;
    StatelessFraming::Refusal refusal;
    if (!StatelessFraming::read(message, &m_pending[message.id].context, &clientInfo, &refusal)) {
        if (refusal.malformed)
            rejectMalformed(message.id, refusal.message);
        else
            respondError(message.id, refusal.code, refusal.message, refusal.data);
        return false;
    }
    m_revision = m_pending.at(message.id).context.revision;
    m_client.name = clientInfo.value("name"_L1).toString();
    m_client.version = clientInfo.value("version"_L1).toString();
    m_client.title = clientInfo.value("title"_L1).toString();
    m_client.capabilities = m_pending.at(message.id).context.clientCapabilities;
    if (!m_clientIdentified) {
        m_clientIdentified = true;
        Q_EMIT clientIdentified(m_client, m_revision);
    }
    return true;
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

void Session::handleResponse(const JsonRpcMessage &message)
{
    const auto it = m_sentRequests.constFind(message.id);
    if (it == m_sentRequests.cend()) {
        qCDebug(lcSession) << "ignored a response to request" << message.id.display()
                           << "that this session never sent (or already had answered)";
        return;
    }
    const SentRequest sent = *it;
    m_sentRequests.erase(it);
    if (!sent.forRequest.isValid()) {
        Q_EMIT responseReceived(message.id, message.raw);
        return;
    }
    if (m_pending.count(sent.forRequest) > 0)
        sent.onResponse(message);
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
        rejectMalformed(message.id,
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
    for (const auto &feature : m_features)
        feature->markListsSeen();

    QJsonObject result{{"protocolVersion"_L1, Revisions::name(m_revision)},
                       {"capabilities"_L1, serverCapabilities()},
                       {"serverInfo"_L1, serverInfo()}};
    if (!m_identity.instructions.isEmpty())
        result.insert("instructions"_L1, m_identity.instructions);
    m_clientIdentified = true;
    Q_EMIT clientIdentified(m_client, m_revision);
    respond(message.id, result);
}

void Session::handlePing(const JsonRpcMessage &message)
{
    respond(message.id, {});
}

void Session::handleDiscover(const JsonRpcMessage &message)
{
    QJsonObject result{
        {"supportedVersions"_L1, QJsonArray::fromStringList(Revisions::supportedNames())},
        {"capabilities"_L1, serverCapabilities()}};
    if (!m_identity.instructions.isEmpty())
        result.insert("instructions"_L1, m_identity.instructions);
    respond(message.id, result);
}

QJsonObject Session::serverCapabilities() const
{
    return ServerCapabilities(m_resources != nullptr, m_prompts != nullptr).toJson();
}

bool Session::offers(QLatin1StringView capability) const
{
    return ServerCapabilities(m_resources != nullptr, m_prompts != nullptr).offers(capability);
}

QJsonObject Session::serverInfo() const
{
    QJsonObject info{{"name"_L1, m_identity.name}, {"version"_L1, m_identity.version}};
    if (!m_identity.title.isEmpty())
        info.insert("title"_L1, m_identity.title);
    return info;
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
    const auto it = m_pending.find(id);
    // Unknown, finished or uncancellable requests are ignored, as the spec asks; the race
    // of a cancel arriving after the response lands here too.
    if (it == m_pending.end() || it->second.method == "initialize"_L1)
        return;
    const QString reason = message.paramsObject().value("reason"_L1).toString();
    for (const auto &feature : m_features) {
        if (feature->cancel(id, reason))
            return;
    }
}

void Session::logUnrelated(LogLevel level, const QJsonValue &data, const QString &logger)
{
    // 2026-07-28 has no session-wide log level and no stream for unrelated messages.
    if (m_options.stateless || m_state == State::Closed || level < m_logLevel)
        return;
    sendUnrelated(logMessage(level, data, logger));
}

void Session::logRelated(const RequestId &id, LogLevel level, const QJsonValue &data,
                         const QString &logger)
{
    const RequestContext context = contextOf(id);
    // 2025 revisions: logging/setLevel holds for the session from then on, running calls
    // included; 2026-07-28: the level the request itself asked for.
    const LogLevel minimum = m_options.stateless ? context.logLevel : m_logLevel;
    if (!context.logsWanted || level < minimum)
        return;
    sendRelated(id, logMessage(level, data, logger));
}

RequestId Session::sendRequest(const QString &method, const QJsonObject &params)
{
    const RequestId id = nextRequestId();
    if (m_state == State::Closed || m_options.stateless)
        return id;
    m_sentRequests.insert(id, SentRequest{});
    sendUnrelated(JsonRpc::request(id, method, params));
    return id;
}

RequestId Session::nextRequestId()
{
    return RequestId(QJsonValue(u"s"_s + QString::number(++m_lastRequestNumber)));
}

void Session::askClient(const RequestId &forRequest, const QString &method,
                        const QJsonObject &params, ResponseHandler onResponse)
{
    const RequestId id = nextRequestId();
    m_sentRequests.insert(id, SentRequest{forRequest, std::move(onResponse)});
    sendRelated(forRequest, JsonRpc::request(id, method, params));
}

void Session::recordToolName(const RequestId &id, const QString &toolName)
{
    const auto it = m_pending.find(id);
    if (it == m_pending.end())
        return;
    it->second.toolName = toolName;
    Q_EMIT toolCallStarted(id, toolName);
}

void Session::requestStreamClose(const RequestId &id)
{
    Q_EMIT streamCloseRequested(id);
}

RequestContext Session::contextOf(const RequestId &id) const
{
    const auto it = m_pending.find(id);
    if (it != m_pending.end())
        return it->second.context;
    RequestContext context;
    context.revision = m_revision;
    context.clientCapabilities = m_client.capabilities;
    context.logLevel = m_logLevel;
    return context;
}

QJsonObject Session::statelessResult(const QString &method, QJsonObject result) const
{
    return StatelessFraming::frameResult(method, std::move(result), serverInfo(),
                                         m_options.listTtlMs);
}

void Session::respond(const RequestId &id, const QJsonObject &result,
                      RequestOutcome::Result outcome)
{
    if (m_state == State::Closed || m_pending.count(id) == 0)
        return;
    const QString method = m_pending.at(id).method;
    const bool stateless = m_options.stateless;
    finishPending(id, outcome);
    Q_EMIT outgoing(
        {JsonRpc::result(id, stateless ? statelessResult(method, result) : result), id, true});
}

void Session::respondError(const RequestId &id, JsonRpcCode code, const QString &message,
                           const QJsonValue &data)
{
    if (m_state == State::Closed || m_pending.count(id) == 0)
        return;
    finishPending(id, RequestOutcome::Result::ProtocolError);
    Q_EMIT outgoing({JsonRpc::error(id, code, message, data), id, true});
}

void Session::rejectMalformed(const RequestId &id, const QString &message)
{
    if (m_state == State::Closed || m_pending.count(id) == 0)
        return;
    finishPending(id, RequestOutcome::Result::ProtocolError);
    Q_EMIT outgoing({JsonRpc::error(id, JsonRpcCode::InvalidParams, message), id, true, true});
}

void Session::finishPending(const RequestId &id, RequestOutcome::Result result)
{
    auto it = m_pending.find(id);
    if (it == m_pending.end())
        return;
    const Pending &pending = it->second;
    RequestOutcome outcome{id, pending.method, pending.toolName, pending.started.elapsed(), result};
    m_pending.erase(it);
    releaseIfEmpty(m_pending);
    for (const auto &feature : m_features)
        feature->requestFinished(id);
    // Questions a call asked the client end with it. Kept, a late answer would reach a later
    // request that reuses the id (clients may reuse ids of finished requests), and questions
    // never answered would pile up for the life of the session.
    for (auto sent = m_sentRequests.begin(); sent != m_sentRequests.end();) {
        if (sent->forRequest == id)
            sent = m_sentRequests.erase(sent);
        else
            ++sent;
    }
    Q_EMIT requestFinished(outcome);
}

void Session::sendRelated(const RequestId &id, const QJsonObject &message)
{
    if (m_state != State::Closed && m_pending.count(id) > 0)
        Q_EMIT outgoing({message, id, false});
}

void Session::sendUnrelated(const QJsonObject &message)
{
    if (m_state != State::Closed)
        Q_EMIT outgoing({message, {}, false});
}

void Session::sendUnrelatedSerialized(const QJsonObject &message, const QByteArray &serialized)
{
    if (m_state != State::Closed)
        Q_EMIT outgoing({message, {}, false, false, serialized});
}

} // namespace heartline
