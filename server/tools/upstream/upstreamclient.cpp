#include "server/tools/upstream/upstreamclient.h"

#include "server/protocol/wire/jsonrpc.h"
#include "server/protocol/wire/revision.h"
#include "server/tools/upstream/upstreamchannel.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QLoggingCategory>
#include <QPointer>

#include <memory>
#include <utility>

using namespace Qt::StringLiterals;

namespace heartline {

Q_LOGGING_CATEGORY(lcUpstreamClient, "heartline.upstream.client")

namespace {

// The MCP SDKs' RequestTimeout: what a caller sees when timeoutMs passes without an answer.
constexpr int kRequestTimeoutCode = -32001;
// A server whose nextCursor never ends (a cursor loop) is cut here; what came so far is kept.
constexpr int kMaxListPages = 1000;
// Ids whose late answers are dropped silently; older ones are forgotten so a server that never
// answers cancelled requests cannot grow the set.
constexpr std::size_t kMaxCancelledIds = 4096;
constexpr std::size_t kMaxOutstandingPings = 8;

struct ListSpec
{
    QLatin1StringView method;
    QLatin1StringView resultKey;
    QLatin1StringView capability; // the server capability that offers the list
};

constexpr std::array<ListSpec, 4> kListSpecs{{
    {"tools/list"_L1, "tools"_L1, "tools"_L1},
    {"prompts/list"_L1, "prompts"_L1, "prompts"_L1},
    {"resources/list"_L1, "resources"_L1, "resources"_L1},
    {"resources/templates/list"_L1, "resourceTemplates"_L1, "resources"_L1},
}};

QJsonObject withProgressToken(QJsonObject params, qint64 id, bool wantsProgress)
{
    QJsonObject meta = params.value("_meta"_L1).toObject();
    if (wantsProgress)
        meta.insert("progressToken"_L1, id);
    else
        meta.remove("progressToken"_L1);
    if (meta.isEmpty())
        params.remove("_meta"_L1);
    else
        params.insert("_meta"_L1, meta);
    return params;
}

// Heartline's ids are integers; anything else in an answer cannot be one of ours.
bool ownIdFrom(const QJsonValue &value, qint64 *id)
{
    if (!value.isDouble())
        return false;
    const double number = value.toDouble();
    *id = value.toInteger(-1);
    return double(*id) == number && *id > 0;
}

QString shortJson(const QJsonValue &value)
{
    if (value.isString())
        return u"\""_s + value.toString().left(64) + u"\""_s;
    if (value.isDouble())
        return QString::number(value.toDouble(), 'g', 17);
    if (value.isNull())
        return u"null"_s;
    return u"(not a string or number)"_s;
}

} // namespace

struct UpstreamClient::Pending
{
    QString method;
    Reply reply;
    // Single shot: the request's own timeout, or the zero delay of an error for a request that
    // could not be sent. Deleted with the entry.
    std::unique_ptr<QTimer> timer;
    bool sent = false;
};

UpstreamClient::UpstreamClient(UpstreamChannel *channel, const Options &options, QObject *parent)
    : QObject(parent)
    , m_channel(channel)
    , m_options(options)
{
    m_channel->setParent(this);
    connect(m_channel, &UpstreamChannel::opened, this, &UpstreamClient::handleOpened);
    connect(m_channel, &UpstreamChannel::messageReceived, this, &UpstreamClient::handleMessage);
    connect(m_channel, &UpstreamChannel::protocolProblem, this, &UpstreamClient::problem);
    connect(m_channel, &UpstreamChannel::closed, this, &UpstreamClient::handleChannelClosed);

    m_initializeTimer.setSingleShot(true);
    connect(&m_initializeTimer, &QTimer::timeout, this, [this] {
        finish(u"did not answer initialize within %1 ms"_s.arg(m_options.initializeTimeoutMs),
               false);
    });
    connect(&m_pingTimer, &QTimer::timeout, this, &UpstreamClient::sendPing);
    m_pingDeadline.setSingleShot(true);
    connect(&m_pingDeadline, &QTimer::timeout, this, &UpstreamClient::handlePingOverdue);
}

UpstreamClient::~UpstreamClient()
{
    // No signals from a destructor, but every caller still gets its one answer.
    const bool wasRunning = m_state != State::Idle && m_state != State::Closed;
    m_state = State::Closed;
    if (wasRunning)
        failAllPending(u"upstream server %1 closed: Heartline stopped it"_s.arg(describe()));
    else
        failAllPending(u"upstream server %1 closed"_s.arg(describe()));

    if (m_channelLive) {
        // Let the channel finish its own shutdown (a stdio child gets its SIGTERM and SIGKILL
        // after we are gone) and delete itself when it reports closed.
        disconnect(m_channel, nullptr, this, nullptr);
        if (m_options.closingChannels) {
            m_options.closingChannels->adopt(m_channel);
        } else {
            // Parented to the application, not to nothing: a channel still closing when
            // Heartline exits is then destroyed with it (a stdio channel's destructor SIGKILLs
            // its group) instead of leaking its process group past the exit.
            m_channel->setParent(QCoreApplication::instance());
            connect(m_channel, &UpstreamChannel::closed, m_channel, &QObject::deleteLater);
        }
        if (!m_closeRequested)
            m_channel->close();
    }
}

QString UpstreamClient::describe() const
{
    return m_channel->describe();
}

void UpstreamClient::setState(State state)
{
    if (m_state == state)
        return;
    m_state = state;
    Q_EMIT stateChanged(state);
}

void UpstreamClient::start()
{
    if (m_state != State::Idle && m_state != State::Closed)
        return;
    if (m_channelLive) {
        Q_EMIT problem(u"cannot start %1 again while its channel is still closing"_s.arg(describe()));
        return;
    }
    m_serverInfo = {};
    m_serverCapabilities = {};
    m_revision.clear();
    m_instructions.clear();
    for (int kind = 0; kind < kListCount; ++kind)
        listFor(ListKind(kind)).clear();
    m_fetches = {};
    m_unresponsive = false;

    setState(State::Connecting);
    m_initializeTimer.start(m_options.initializeTimeoutMs);
    if (m_options.launchQueue) {
        m_openQueued = true;
        m_options.launchQueue->enqueue(this, [this] { openChannel(); });
    } else {
        openChannel();
    }
}

void UpstreamClient::openChannel()
{
    m_openQueued = false;
    m_channelLive = true;
    m_closeRequested = false;
    qCDebug(lcUpstreamClient) << "opening" << describe();
    m_channel->open();
}

void UpstreamClient::stop()
{
    finish(u"stopped"_s, true);
}

qint64 UpstreamClient::request(const QString &method, const QJsonObject &params, Reply reply,
                               int timeoutMs)
{
    if (m_state != State::Ready) {
        const qint64 id = m_nextId++;
        failSoon(id, u"upstream server %1 is not ready"_s.arg(describe()), std::move(reply));
        return id;
    }
    return sendRequest(method, params, std::move(reply), timeoutMs);
}

qint64 UpstreamClient::sendRequest(const QString &method, const QJsonObject &params, Reply reply,
                                   int timeoutMs)
{
    const qint64 id = m_nextId++;
    const QJsonObject sentParams = withProgressToken(params, id, bool(reply.onProgress));
    auto *pending = new Pending{method, std::move(reply), nullptr, true};
    if (timeoutMs > 0) {
        pending->timer = std::make_unique<QTimer>();
        pending->timer->setSingleShot(true);
        connect(pending->timer.get(), &QTimer::timeout, this,
                [this, id, timeoutMs] { handleTimeout(id, timeoutMs); });
        pending->timer->start(timeoutMs);
    }
    m_pending.insert(id, pending);
    m_channel->send(JsonRpc::request(RequestId(QJsonValue(id)), method, sentParams));
    return id;
}

// Answers on the next turn of the loop, never from inside request(): the caller has its id
// before its callback runs.
void UpstreamClient::failSoon(qint64 id, const QString &message, Reply reply)
{
    auto *pending = new Pending{QString(), std::move(reply), std::make_unique<QTimer>(), false};
    pending->timer->setSingleShot(true);
    connect(pending->timer.get(), &QTimer::timeout, this, [this, id, message] {
        std::unique_ptr<Pending> failed(takePending(id));
        if (failed && failed->reply.onError)
            failed->reply.onError(int(JsonRpcCode::InternalError), message, QJsonValue());
    });
    pending->timer->start(0);
    m_pending.insert(id, pending);
}

UpstreamClient::Pending *UpstreamClient::takePending(qint64 id)
{
    Pending *pending = m_pending.take(id);
    if (pending && pending->timer) {
        pending->timer->stop();
        // The entry may be taken from inside its own timer's timeout: delete the timer later.
        pending->timer.release()->deleteLater();
    }
    return pending;
}

void UpstreamClient::rememberCancelled(qint64 id)
{
    m_cancelled.insert(id);
    while (m_cancelled.size() > kMaxCancelledIds)
        m_cancelled.erase(m_cancelled.begin());
}

void UpstreamClient::sendCancelled(qint64 id, const QString &reason)
{
    QJsonObject params{{"requestId"_L1, id}};
    if (!reason.isEmpty())
        params.insert("reason"_L1, reason);
    m_channel->send(JsonRpc::notification(u"notifications/cancelled"_s, params));
}

void UpstreamClient::cancel(qint64 id, const QString &reason)
{
    std::unique_ptr<Pending> pending(takePending(id));
    if (!pending || !pending->sent)
        return;
    rememberCancelled(id);
    if (m_channelLive && !m_closeRequested)
        sendCancelled(id, reason);
}

void UpstreamClient::handleTimeout(qint64 id, int timeoutMs)
{
    std::unique_ptr<Pending> pending(takePending(id));
    if (!pending)
        return;
    const QString message = u"timed out after %1 ms"_s.arg(timeoutMs);
    qCDebug(lcUpstreamClient) << describe() << pending->method << id << message;
    rememberCancelled(id);
    sendCancelled(id, message);
    if (pending->reply.onError)
        pending->reply.onError(kRequestTimeoutCode, message, QJsonValue());
}

void UpstreamClient::notify(const QString &method, const QJsonObject &params)
{
    if (m_channelLive && !m_closeRequested)
        m_channel->send(JsonRpc::notification(method, params));
}

void UpstreamClient::respond(const QJsonValue &id, const QJsonObject &result)
{
    if (m_channelLive && !m_closeRequested)
        m_channel->send(JsonRpc::result(RequestId(id), result));
}

void UpstreamClient::respondError(const QJsonValue &id, int code, const QString &message)
{
    if (m_channelLive && !m_closeRequested)
        m_channel->send(JsonRpc::error(RequestId(id), JsonRpcCode(code), message));
}

void UpstreamClient::handleOpened()
{
    if (m_state != State::Connecting)
        return;
    setState(State::Initializing);
    sendInitialize();
}

void UpstreamClient::sendInitialize()
{
    const QJsonObject params{
        {"protocolVersion"_L1, Revisions::name(Revisions::latestWithSessions())},
        {"capabilities"_L1, m_options.capabilities},
        {"clientInfo"_L1,
         QJsonObject{{"name"_L1, m_options.clientName}, {"version"_L1, m_options.clientVersion}}},
    };
    Reply reply;
    reply.onResult = [this](const QJsonObject &result) { handleInitializeResult(result); };
    reply.onError = [this](int code, const QString &message, const QJsonValue &) {
        if (m_state == State::Initializing)
            finish(u"initialize failed: %1 (%2)"_s.arg(message).arg(code), false);
    };
    sendRequest(u"initialize"_s, params, std::move(reply), 0);
}

void UpstreamClient::handleInitializeResult(const QJsonObject &result)
{
    if (m_state != State::Initializing)
        return;
    const QJsonValue version = result.value("protocolVersion"_L1);
    Revision revision;
    if (!version.isString() || !Revisions::parse(version.toString(), &revision)) {
        finish(u"answered initialize with protocolVersion %1, which Heartline does not speak "
               "(it speaks %2)"_s.arg(shortJson(version), Revisions::supportedNames().join(", "_L1)),
               false);
        return;
    }
    m_revision = Revisions::name(revision);
    m_serverInfo = result.value("serverInfo"_L1).toObject();
    m_serverCapabilities = result.value("capabilities"_L1).toObject();
    m_instructions = result.value("instructions"_L1).toString();
    m_channel->send(JsonRpc::notification(u"notifications/initialized"_s));

    for (int kind = 0; kind < kListCount; ++kind) {
        if (m_serverCapabilities.value(kListSpecs[kind].capability).isObject())
            fetchList(ListKind(kind));
    }
    becomeReadyWhenListsAreIn();
}

QList<QJsonObject> &UpstreamClient::listFor(ListKind kind)
{
    switch (kind) {
    case ListKind::Tools:
        return m_tools;
    case ListKind::Prompts:
        return m_prompts;
    case ListKind::Resources:
        return m_resources;
    case ListKind::ResourceTemplates:
        break;
    }
    return m_resourceTemplates;
}

void UpstreamClient::fetchList(ListKind kind)
{
    ListFetch &fetch = m_fetches[std::size_t(kind)];
    if (fetch.inFlight) {
        fetch.queued = true; // one walk queued is enough however many notifications come
        return;
    }
    fetch.inFlight = true;
    fetch.pages = 0;
    fetch.items.clear();
    requestPage(kind, QString());
}

void UpstreamClient::requestPage(ListKind kind, const QString &cursor)
{
    QJsonObject params;
    if (!cursor.isEmpty())
        params.insert("cursor"_L1, cursor);
    Reply reply;
    reply.onResult = [this, kind](const QJsonObject &result) { handlePage(kind, result); };
    reply.onError = [this, kind](int code, const QString &message, const QJsonValue &) {
        handleListError(kind, code, message);
    };
    // While initializing, the initialize timer covers the walk; afterwards each page gets the
    // same allowance, so a re-list that never ends cannot block the next one.
    const int timeoutMs = m_state == State::Ready ? m_options.initializeTimeoutMs : 0;
    sendRequest(kListSpecs[std::size_t(kind)].method, params, std::move(reply), timeoutMs);
}

void UpstreamClient::handlePage(ListKind kind, const QJsonObject &result)
{
    if (m_state != State::Initializing && m_state != State::Ready)
        return;
    const ListSpec &spec = kListSpecs[std::size_t(kind)];
    ListFetch &fetch = m_fetches[std::size_t(kind)];
    const QJsonValue entries = result.value(spec.resultKey);
    if (!entries.isArray()) {
        Q_EMIT problem(u"%1 answered without a \"%2\" array"_s.arg(spec.method, spec.resultKey));
    } else {
        int skipped = 0;
        for (const QJsonValue &entry : entries.toArray()) {
            if (entry.isObject())
                fetch.items.append(entry.toObject());
            else
                ++skipped;
        }
        if (skipped > 0)
            Q_EMIT problem(u"%1: skipped %2 entries that are not objects"_s.arg(spec.method)
                                 .arg(skipped));
    }
    ++fetch.pages;
    const QString cursor = result.value("nextCursor"_L1).toString();
    if (!cursor.isEmpty()) {
        if (fetch.pages < kMaxListPages) {
            requestPage(kind, cursor);
            return;
        }
        Q_EMIT problem(u"%1: stopped after %2 pages (the cursor never ended)"_s.arg(spec.method)
                             .arg(kMaxListPages));
    }
    finishList(kind, true);
}

void UpstreamClient::handleListError(ListKind kind, int code, const QString &message)
{
    if (m_state != State::Initializing && m_state != State::Ready)
        return;
    if (code == int(JsonRpcCode::MethodNotFound)) {
        // A server without the method has none of those: an empty list, not a failure.
        m_fetches[std::size_t(kind)].items.clear();
        finishList(kind, true);
        return;
    }
    Q_EMIT problem(u"%1 failed: %2 (%3); keeping the list as it was"_s
                         .arg(kListSpecs[std::size_t(kind)].method, message)
                         .arg(code));
    finishList(kind, false);
}

void UpstreamClient::finishList(ListKind kind, bool replace)
{
    ListFetch &fetch = m_fetches[std::size_t(kind)];
    if (replace)
        listFor(kind) = std::exchange(fetch.items, {});
    fetch.items.clear();
    fetch.inFlight = false;
    if (fetch.queued) {
        fetch.queued = false;
        fetchList(kind);
        return;
    }
    if (m_state == State::Initializing) {
        becomeReadyWhenListsAreIn();
        return;
    }
    switch (kind) {
    case ListKind::Tools:
        Q_EMIT toolsChanged();
        break;
    case ListKind::Prompts:
        Q_EMIT promptsChanged();
        break;
    case ListKind::Resources:
    case ListKind::ResourceTemplates: {
        // resources/list_changed walks both lists; say so once, when both are in.
        const auto &resources = m_fetches[std::size_t(ListKind::Resources)];
        const auto &templates = m_fetches[std::size_t(ListKind::ResourceTemplates)];
        if (!resources.inFlight && !templates.inFlight)
            Q_EMIT resourcesChanged();
        break;
    }
    }
}

void UpstreamClient::becomeReadyWhenListsAreIn()
{
    for (const ListFetch &fetch : m_fetches) {
        if (fetch.inFlight)
            return;
    }
    m_initializeTimer.stop();
    qCDebug(lcUpstreamClient) << describe() << "ready:" << m_tools.size() << "tools,"
                              << m_prompts.size() << "prompts," << m_resources.size()
                              << "resources," << m_resourceTemplates.size() << "templates";
    setState(State::Ready);
    if (m_options.pingIntervalMs > 0)
        m_pingTimer.start(m_options.pingIntervalMs);
    Q_EMIT ready();
}

void UpstreamClient::handleMessage(const QJsonObject &object)
{
    if (m_state == State::Idle || m_state == State::Closed)
        return;
    JsonRpcMessage message;
    JsonRpcProblem why;
    if (!JsonRpc::parseMessage(object, &message, &why)) {
        Q_EMIT problem(u"dropped a malformed message: %1"_s.arg(why.message));
        return;
    }
    switch (message.kind) {
    case JsonRpcMessage::Kind::Request:
        handleUpstreamRequest(message.id.toJson(), message.method, message.paramsObject());
        return;
    case JsonRpcMessage::Kind::Notification:
        handleNotification(message.method, message.paramsObject());
        return;
    case JsonRpcMessage::Kind::Response:
    case JsonRpcMessage::Kind::ErrorResponse:
        break;
    }
    qint64 id = 0;
    if (!ownIdFrom(object.value("id"_L1), &id)) {
        const QString what = message.kind == JsonRpcMessage::Kind::ErrorResponse
                                 ? u"an error (%1)"_s.arg(message.error.value("message"_L1).toString())
                                 : u"a result"_s;
        Q_EMIT problem(u"dropped %1 for id %2, which Heartline never sent"_s.arg(
            what, shortJson(object.value("id"_L1))));
        return;
    }
    handleResponse(id, object);
}

void UpstreamClient::handleResponse(qint64 id, const QJsonObject &message)
{
    if (m_pingIds.count(id) > 0) {
        handlePingAnswer(id);
        return;
    }
    const Pending *found = m_pending.value(id);
    if (!found || !found->sent) {
        if (m_cancelled.erase(id) == 0)
            Q_EMIT problem(u"dropped an answer to id %1, which is not pending"_s.arg(id));
        return;
    }
    std::unique_ptr<Pending> pending(takePending(id));
    if (message.contains("error"_L1)) {
        const QJsonObject error = message.value("error"_L1).toObject();
        if (pending->reply.onError)
            pending->reply.onError(error.value("code"_L1).toInt(int(JsonRpcCode::InternalError)),
                                   error.value("message"_L1).toString(),
                                   error.value("data"_L1));
        return;
    }
    if (pending->reply.onResult)
        pending->reply.onResult(message.value("result"_L1).toObject());
}

void UpstreamClient::handleUpstreamRequest(const QJsonValue &id, const QString &method,
                                           const QJsonObject &params)
{
    if (method == "ping"_L1) {
        respond(id, {});
        return;
    }
    Q_EMIT requestReceived(id, method, params);
}

void UpstreamClient::handleNotification(const QString &method, const QJsonObject &params)
{
    if (method == "notifications/progress"_L1) {
        handleProgress(params);
        return;
    }
    if (method == "notifications/tools/list_changed"_L1) {
        fetchList(ListKind::Tools);
        return;
    }
    if (method == "notifications/prompts/list_changed"_L1) {
        fetchList(ListKind::Prompts);
        return;
    }
    if (method == "notifications/resources/list_changed"_L1) {
        fetchList(ListKind::Resources);
        fetchList(ListKind::ResourceTemplates);
        return;
    }
    Q_EMIT notificationReceived(method, params);
}

void UpstreamClient::handleProgress(const QJsonObject &params)
{
    const QJsonValue token = params.value("progressToken"_L1);
    qint64 id = 0;
    if (ownIdFrom(token, &id)) {
        const Pending *pending = m_pending.value(id);
        if (pending && pending->sent && pending->reply.onProgress) {
            pending->reply.onProgress(params);
            return;
        }
        if (m_cancelled.count(id) > 0)
            return; // progress racing a cancellation: expected, not a fault
    }
    Q_EMIT problem(u"dropped progress for token %1, which no pending request carries"_s.arg(
        shortJson(token)));
}

void UpstreamClient::sendPing()
{
    const qint64 id = m_nextId++;
    m_pingIds.insert(id);
    while (m_pingIds.size() > kMaxOutstandingPings)
        m_pingIds.erase(m_pingIds.begin());
    m_channel->send(JsonRpc::request(RequestId(QJsonValue(id)), u"ping"_s));
    if (!m_pingDeadline.isActive())
        m_pingDeadline.start(m_options.pingTimeoutMs);
}

void UpstreamClient::handlePingAnswer(qint64 id)
{
    // An answer to any ping, even an old one or an error, says the upstream reads and writes.
    m_pingIds.erase(m_pingIds.begin(), m_pingIds.upper_bound(id));
    m_pingDeadline.stop();
    if (m_unresponsive) {
        m_unresponsive = false;
        Q_EMIT responsive();
    }
}

void UpstreamClient::handlePingOverdue()
{
    if (m_unresponsive)
        return;
    m_unresponsive = true;
    qCDebug(lcUpstreamClient) << describe() << "did not answer a ping within"
                              << m_options.pingTimeoutMs << "ms";
    Q_EMIT unresponsive();
}

void UpstreamClient::handleChannelClosed(const QString &reason, bool expected)
{
    m_channelLive = false;
    m_closeRequested = false;
    finish(reason, expected);
}

void UpstreamClient::finish(const QString &reason, bool expected)
{
    if (m_state == State::Idle || m_state == State::Closed)
        return;
    qCDebug(lcUpstreamClient) << describe() << "closed:" << reason << "expected:" << expected;
    m_initializeTimer.stop();
    m_pingTimer.stop();
    m_pingDeadline.stop();
    m_pingIds.clear();
    m_cancelled.clear();
    m_fetches = {};
    m_unresponsive = false;
    setState(State::Closed);
    // Stopped before its turn came: the channel never opened and has nothing to close.
    if (std::exchange(m_openQueued, false) && m_options.launchQueue)
        m_options.launchQueue->cancel(this);
    if (m_channelLive && !m_closeRequested) {
        m_closeRequested = true;
        m_channel->close();
    }
    QPointer<UpstreamClient> alive(this);
    failAllPending(u"upstream server %1 closed: %2"_s.arg(describe(), reason));
    if (alive)
        Q_EMIT closed(reason, expected);
}

void UpstreamClient::failAllPending(const QString &message)
{
    QPointer<UpstreamClient> alive(this);
    const QList<qint64> ids = m_pending.keys();
    for (qint64 id : ids) {
        std::unique_ptr<Pending> pending(takePending(id));
        if (pending && pending->reply.onError)
            pending->reply.onError(int(JsonRpcCode::InternalError), message, QJsonValue());
        if (!alive)
            return;
    }
}

} // namespace heartline
