// A little over 500 lines: about a hundred of them build the Monitor's events (messages,
// streams, disconnects, tool calls); they are the next thing to leave, into a reporter of
// their own.
#include "server/session/mcpsession.h"

#include "server/api/clock.h"
#include "server/api/monitor.h"
#include "server/protocol/catalog/toolregistry.h"
#include "server/protocol/session/releaseifempty.h"
#include "server/protocol/session/requestmetadata.h"
#include "server/stream/heartbeatscheduler.h"
#include "server/stream/postreply.h"

#include <QLoggingCategory>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace heartline {

Q_LOGGING_CATEGORY(lcMcpSession, "heartline.server.session")

namespace {

Session::Options sessionOptions(const ServerContext &context, const TransportTraits &traits,
                                const QString &id)
{
    Session::Options options;
    options.toolsPageSize = context.config->toolsPageSize;
    options.stateless = traits.singleRequest;
    // A stateless request's id never leaves the server: to tools it belongs to no session.
    if (!options.stateless)
        options.sessionId = id;
    return options;
}

ToolCallOutcome toolCallOutcome(RequestOutcome::Result result)
{
    switch (result) {
    case RequestOutcome::Result::Ok:
        return ToolCallOutcome::Ok;
    case RequestOutcome::Result::ProtocolError:
        return ToolCallOutcome::ProtocolError;
    case RequestOutcome::Result::ToolError:
        return ToolCallOutcome::ToolError;
    case RequestOutcome::Result::Cancelled:
        return ToolCallOutcome::Cancelled;
    }
    return ToolCallOutcome::Ok;
}

// The traffic view's copy: shares the serialized bytes (no copy) unless they must be cut.
void setBody(MessageEvent *event, const QByteArray &json)
{
    event->bytes = json.size();
    event->bodyTruncated = json.size() > kTrafficBodyLimit;
    event->body = event->bodyTruncated ? json.left(kTrafficBodyLimit) : json;
}

} // namespace

McpSession::McpSession(const QString &id, TransportKind transport, const QString &peer,
                       const ServerContext &context, QObject *parent)
    : StreamHost(parent)
    , m_id(id)
    , m_shortId(id.left(8))
    , m_transport(transport)
    , m_traits(TransportTraits::of(transport))
    , m_peer(peer)
    , m_context(context)
    , m_session(Catalog{context.tools, context.resources, context.prompts}, context.identity,
                sessionOptions(context, TransportTraits::of(transport), id))
    , m_openedWallMs(Clock::wallMs())
    , m_lastActivityMs(Clock::monotonicMs())
    , m_eventLog(m_shortId + u'/', context.config->eventLogMaxEvents,
                 context.config->eventLogMaxBytes)
    , m_outbox(context.config, m_traits.standaloneEventName,
               [this](const QString &streamId, const QByteArray &data) {
                   return recordEvent(streamId, data);
               })
{
    connect(&m_session, &Session::outgoing, this, &McpSession::route);
    connect(&m_session, &Session::requestFinished, this, &McpSession::handleRequestFinished);
    connect(&m_session, &Session::toolCallStarted, this, &McpSession::reportToolCallStarted);
    connect(&m_session, &Session::streamCloseRequested, this,
            &McpSession::handleStreamCloseRequested);
    // A single request is announced once, whole (serveStateless); only sessions grow up.
    if (m_traits.singleRequest)
        return;
    connect(&m_session, &Session::clientIdentified, this,
            [this]() { m_context.monitor->reportSessionUpdated(info()); });
    connect(&m_session, &Session::ready, this,
            [this]() { m_context.monitor->reportSessionUpdated(info()); });
    connect(&m_session, &Session::toolsListServed, this, [this](quint64 generation) {
        m_context.monitor->reportToolsListSeen({m_id, generation, Clock::wallMs()});
    });
    connect(&m_session, &Session::responseReceived, this, [this](const RequestId &requestId) {
        if (m_pings.answer(requestId, Clock::monotonicMs()))
            m_context.monitor->reportPingAnswered(m_id, m_pings.rttMs());
    });
    m_context.monitor->reportSessionOpened(info());
}

McpSession::~McpSession()
{
    // Deleting a session that was never terminated (server teardown) still ends its streams
    // and tells the Monitor, but must not call back into owners that are being destroyed.
    if (!m_terminated) {
        blockSignals(true);
        terminate(DisconnectCause::ServerShutdown, u"the server is shutting down"_s);
    }
}

SessionInfo McpSession::info() const
{
    SessionInfo info;
    info.id = m_id;
    info.transport = m_transport;
    info.revision = Revisions::name(m_session.revision());
    info.clientName = m_session.client().name;
    info.clientVersion = m_session.client().version;
    if (info.clientName.isEmpty()) {
        info.clientName = m_announcedClientName;
        info.clientVersion = m_announcedClientVersion;
    }
    info.peer = m_peer;
    info.openedWallMs = m_openedWallMs;
    info.initialized = m_session.isInitialized();
    info.pingRttMs = m_pings.rttMs();
    return info;
}

void McpSession::touch()
{
    m_lastActivityMs = Clock::monotonicMs();
}

bool McpSession::isIdleFor(qint64 ms, qint64 nowMonotonicMs) const
{
    if (m_session.pendingCount() > 0 || !m_streams.isEmpty())
        return false;
    return nowMonotonicMs - m_lastActivityMs >= ms;
}

void McpSession::reportIncoming(const JsonRpcMessage &message, const QByteArray &json)
{
    MessageEvent event;
    event.sessionId = m_id;
    event.direction = MessageEvent::Direction::In;
    event.method = message.method;
    event.id = message.isNotification() ? QString() : message.id.display();
    setBody(&event, json);
    event.wallMs = Clock::wallMs();
    m_context.monitor->reportMessage(event);
}

PostReply *McpSession::replyFor(const RequestId &id) const
{
    const auto it = m_replies.find(id);
    return it != m_replies.end() ? it->second.data() : nullptr;
}

void McpSession::registerReply(PostReply *reply, const QList<RequestId> &ids)
{
    for (const RequestId &id : ids)
        m_replies.insert_or_assign(id, reply);
}

void McpSession::replyFinished(PostReply *reply)
{
    for (auto it = m_replies.begin(); it != m_replies.end();) {
        if (it->second == reply || it->second.isNull())
            it = m_replies.erase(it);
        else
            ++it;
    }
    releaseIfEmpty(m_replies);
    // The stream that carried it was client activity until it ended.
    touch();
    // A stateless session lives for its one request. Later, not now: this may come from deep
    // inside the protocol session's own emission of the response.
    if (m_traits.singleRequest)
        QTimer::singleShot(0, this, [this]() {
            terminate(DisconnectCause::ClientClosed, u"the request is over"_s);
        });
}

void McpSession::serveStateless(const JsonRpcMessage &request, const QByteArray &json)
{
    const QJsonObject client =
        RequestMetadata::meta(request).value(RequestMetadata::kClientInfoKey).toObject();
    m_announcedClientName = client.value("name"_L1).toString();
    m_announcedClientVersion = client.value("version"_L1).toString();
    m_context.monitor->reportSessionOpened(info());
    touch();
    reportIncoming(request, json);
    m_session.receive(request);
}

void McpSession::attachStandaloneStream(SseStream *stream)
{
    m_outbox.attach(stream);
}

void McpSession::adoptStream(SseStream *stream)
{
    m_streams.insert(stream, stream);
    stream->setHighWaterMark(m_context.config->streamHighWaterBytes);
    if (Revisions::traits(m_session.revision()).allowsEarlyStreamClose)
        stream->setRetryBeforeClose(m_context.config->retryMs);
    m_context.heartbeats->add(stream);
    connect(stream, &SseStream::ended, this, &McpSession::handleStreamEnded);
    touch();
    StreamInfo info{stream->id(),        m_id, stream->kind(), stream->peer(), Clock::wallMs(),
                    stream->isResumed(), {}};
    if (const PostReply *reply = m_postStreams.value(stream->id()))
        info.requestIds = reply->requestIds();
    m_context.monitor->reportStreamOpened(info);
}

QString McpSession::newStreamId(StreamKind kind)
{
    ++m_streamCounter;
    return m_shortId + u'/' + streamKindName(kind) + QString::number(m_streamCounter);
}

QString McpSession::standaloneStreamId()
{
    if (m_standaloneId.isEmpty())
        m_standaloneId = newStreamId(StreamKind::Standalone);
    return m_standaloneId;
}

QByteArray McpSession::recordEvent(const QString &streamId, const QByteArray &data)
{
    if (!m_traits.idsEvents)
        return {};
    // A transport that cannot resume numbers its events all the same but keeps nothing.
    if (!m_traits.resumable)
        return m_eventLog.issueId(streamId);
    const QByteArray id = m_eventLog.append(streamId, data);
    if (m_eventLog.evicted() > m_evictedReported) {
        m_context.monitor->reportEventsEvicted(m_eventLog.evicted() - m_evictedReported);
        m_evictedReported = m_eventLog.evicted();
    }
    return id;
}

void McpSession::registerStream(PostReply *reply, const QString &streamId)
{
    m_postStreams.insert(streamId, reply);
}

int McpSession::pollCloseAfterMs() const
{
    return Revisions::traits(m_session.revision()).allowsEarlyStreamClose
               ? m_context.config->pollCloseAfterMs
               : 0;
}

void McpSession::primeStream(SseStream *stream)
{
    if (!m_traits.idsEvents || !Revisions::traits(m_session.revision()).sendsPrimingEvent)
        return;
    SseEvent priming;
    priming.id = m_eventLog.issueId(stream->id());
    priming.retryMs = m_context.config->retryMs;
    stream->sendEvent(priming);
}

int McpSession::checkResumable(const QByteArray &lastEventId, QString *reason) const
{
    if (!m_traits.resumable) {
        *reason = u"Bad Request: the HTTP+SSE transport cannot resume streams"_s;
        return 400;
    }
    EventCursor cursor;
    if (!m_eventLog.decode(lastEventId, &cursor)
        || (cursor.streamId != m_standaloneId && !m_postStreams.contains(cursor.streamId))) {
        *reason = u"Bad Request: Last-Event-ID '%1' was not sent on a stream of this session"_s.arg(
            QString::fromUtf8(lastEventId));
        return 400;
    }
    if (!m_eventLog.canReplayAfter(cursor.streamId, cursor.sequence)) {
        *reason = u"Bad Request: events after '%1' are no longer kept (the event log holds the "
                  "last %2 events or %3 bytes per session), so the stream cannot be resumed "
                  "without a gap; send the request again"_s.arg(QString::fromUtf8(lastEventId))
                      .arg(m_context.config->eventLogMaxEvents)
                      .arg(m_context.config->eventLogMaxBytes);
        return 400;
    }
    return 0;
}

void McpSession::resume(const QByteArray &lastEventId, std::unique_ptr<HttpExchange> exchange,
                        const HttpHeaders &headers)
{
    EventCursor cursor;
    if (!m_eventLog.decode(lastEventId, &cursor))
        return;
    const bool standalone = cursor.streamId == m_standaloneId;
    if (standalone && m_outbox.stream())
        m_outbox.stream()->close(DisconnectCause::StreamReplaced,
                                 u"the client resumed this stream on a new connection"_s);
    touch();
    auto *stream = new SseStream(cursor.streamId, m_id,
                                 standalone ? StreamKind::Standalone : StreamKind::PostResponse,
                                 std::move(exchange), this);
    stream->setResumed(true);
    if (!stream->open(headers))
        return;
    adoptStream(stream);
    for (const LoggedEvent &missed : m_eventLog.eventsAfter(cursor.streamId, cursor.sequence)) {
        SseEvent event;
        event.id = missed.id;
        event.data = missed.data;
        stream->sendEvent(event);
    }
    // Then a fresh cursor, after everything replayed (its id is higher than all of them):
    // should this connection break before anything new is sent, the client still holds an id
    // of this stream to come back with (SDK clients remember only ids seen on the current
    // connection). Before the replay, it would let a resume skip what was being replayed.
    primeStream(stream);
    if (!stream->isOpen())
        return; // the connection broke during the replay; the client can resume again
    if (standalone) {
        attachStandaloneStream(stream);
        return;
    }
    const QPointer<PostReply> reply = m_postStreams.value(cursor.streamId);
    if (reply && !reply->isDone())
        reply->resume(stream);
    else
        stream->finish(); // everything it owed was in the log
}

void McpSession::route(const OutgoingMessage &message)
{
    const QByteArray bytes =
        message.serialized.isEmpty() ? JsonRpc::serialize(message.json) : message.serialized;
    if (message.relatedTo.isValid()) {
        PostReply *reply = replyFor(message.relatedTo);
        if (reply && !reply->isDone()) {
            reportOutgoing(message, bytes, reply->streamId());
            reply->deliver(message, bytes);
            return;
        }
        if (m_traits.orphanedMessages == OrphanedMessages::Dropped) {
            // The POST that asked is gone. A dropped connection is not a cancellation, so
            // the work went on; without a stream to carry it, the message cannot be delivered.
            qCInfo(lcMcpSession) << "session" << m_shortId << "could not deliver"
                                 << message.json.value("method"_L1).toString(u"a response"_s)
                                 << "for request" << message.relatedTo.display()
                                 << "- the stream of that request is gone";
            m_latencies.erase(message.relatedTo);
            releaseIfEmpty(m_latencies);
            return;
        }
    }
    reportOutgoing(message, bytes, m_outbox.stream() ? m_outbox.stream()->id() : QString());
    if (m_outbox.deliver(bytes) == StandaloneOutbox::Delivery::QueuedDroppingOldest)
        qCWarning(lcMcpSession) << "session" << m_shortId
                                << "dropped its oldest undelivered notification: no GET "
                                   "stream has been opened to carry them";
}

void McpSession::handleRequestFinished(const RequestOutcome &outcome)
{
    if (outcome.result == RequestOutcome::Result::Cancelled) {
        if (PostReply *reply = replyFor(outcome.id))
            reply->forget(outcome.id);
    } else {
        m_latencies.insert_or_assign(outcome.id, outcome.elapsedMs);
    }
    if (outcome.method == "tools/call"_L1 && !outcome.toolName.isEmpty())
        m_context.monitor->reportToolCall({outcome.toolName, toolCallOutcome(outcome.result),
                                           outcome.elapsedMs, m_id, Clock::wallMs(),
                                           outcome.id.display()});
}

void McpSession::reportToolCallStarted(const RequestId &id, const QString &toolName)
{
    // The registry's source says whether the call is forwarded: "upstream:SERVER".
    static const QString kUpstream = QStringLiteral("upstream:");
    const QString source = m_context.tools ? m_context.tools->sourceOf(toolName) : QString();
    m_context.monitor->reportToolCallStarted(
        {m_id, id.display(), toolName,
         source.startsWith(kUpstream) ? source.mid(kUpstream.size()) : QString(), Clock::wallMs()});
}

void McpSession::reportOutgoing(const OutgoingMessage &message, const QByteArray &json,
                                const QString &streamId)
{
    MessageEvent event;
    event.sessionId = m_id;
    event.streamId = streamId;
    event.direction = MessageEvent::Direction::Out;
    event.method = message.json.value("method"_L1).toString();
    if (message.isFinalResponse) {
        event.id = message.relatedTo.display();
        if (const auto latency = m_latencies.find(message.relatedTo);
            latency != m_latencies.end()) {
            event.latencyMs = latency->second;
            m_latencies.erase(latency);
            releaseIfEmpty(m_latencies);
        }
    }
    setBody(&event, json);
    event.wallMs = Clock::wallMs();
    m_context.monitor->reportMessage(event);
}

void McpSession::handleStreamEnded(SseStream *stream, const StreamEnd &end)
{
    m_streams.remove(stream);
    m_context.heartbeats->remove(stream);
    m_outbox.detach(stream);
    touch();

    const SseStreamStats &stats = stream->stats();
    const qint64 wallNow = Clock::wallMs();
    StreamClosedEvent closed;
    closed.stream = {stream->id(),       m_id, stream->kind(), stream->peer(), stats.openedWallMs,
                     stream->isResumed(), {}};
    closed.completed = end.completed;
    closed.heartbeats = stats.heartbeats;
    closed.events = stats.events;
    closed.bytes = stats.bytes;
    closed.wallMs = wallNow;
    m_context.monitor->reportStreamClosed(closed);
    if (end.completed)
        return;

    DisconnectEvent event;
    event.sessionId = m_id;
    event.streamId = stream->id();
    event.clientName = m_session.client().name;
    event.peer = stream->peer();
    event.detail = end.detail;
    event.cause = classifyStreamEnd(
        endFacts(stream, end),
        {m_context.heartbeats->interval(), m_context.config->proxyIdleToleranceMs}, &event.detail);
    event.durationMs = Clock::monotonicMs() - stats.openedMonotonicMs;
    event.bytes = stats.bytes;
    event.heartbeats = stats.heartbeats;
    event.sinceLastWriteMs = Clock::monotonicMs() - stats.lastWriteMonotonicMs;
    event.wallMs = wallNow;
    m_context.monitor->reportDisconnect(event);

    // The legacy transport has no session without its stream (2024-11-05).
    if (m_traits.endsWithLegacyStream && stream->kind() == StreamKind::Legacy)
        terminate(end.cause, end.detail);
}

void McpSession::handleStreamCloseRequested(const RequestId &id)
{
    // Only a stream the client can resume may be closed early (SEP-1699); elsewhere the wish
    // is ignored and the result simply comes on the open stream.
    if (!m_traits.resumable || !Revisions::traits(m_session.revision()).allowsEarlyStreamClose)
        return;
    if (PostReply *reply = replyFor(id); reply && !reply->isDone())
        reply->closeEarly();
}

void McpSession::checkPing(qint64 nowMonotonicMs, int intervalMs, int timeoutMs)
{
    if (m_terminated || !m_traits.pings || !m_session.isInitialized())
        return;
    switch (m_pings.check(nowMonotonicMs, intervalMs, timeoutMs, m_outbox.isOpen())) {
    case PingClock::Due::Nothing:
        return;
    case PingClock::Due::GiveUp:
        terminate(DisconnectCause::Unresponsive,
                  u"no answer to a server ping within %1 ms"_s.arg(timeoutMs));
        return;
    case PingClock::Due::Ping:
        m_pings.sent(m_session.sendRequest(u"ping"_s), nowMonotonicMs);
        return;
    }
}

StreamEndFacts McpSession::endFacts(const SseStream *stream, const StreamEnd &end) const
{
    StreamEndFacts facts;
    facts.cause = end.cause;
    facts.silentMs = Clock::monotonicMs() - stream->stats().lastWriteMonotonicMs;
    facts.listening = m_traits.subscriptions && m_session.subscriptionCount() > 0;
    if (stream->kind() == StreamKind::PostResponse) {
        const QPointer<PostReply> reply = m_postStreams.value(stream->id());
        facts.responseOwed = reply && reply->owesResponses();
    } else if (stream->kind() == StreamKind::Legacy) {
        facts.responseOwed = m_session.pendingCount() > 0;
    }
    return facts;
}

void McpSession::terminate(DisconnectCause cause, const QString &detail)
{
    if (m_terminated)
        return;
    m_terminated = true;
    // Subscriptions get the graceful end the spec asks for when the server goes (their final
    // result), not the abrupt one a listener would take for a network failure.
    if (m_traits.subscriptions && cause == DisconnectCause::ServerShutdown)
        m_session.endSubscriptions();
    // Replies first: closing the session cancels what runs, which would otherwise end
    // their streams as if each request had been cancelled by the client.
    const QString reason = m_traits.singleRequest
                               ? u"The server ended this request (%1) before it finished: %2"_s.arg(
                                   DisconnectCauses::name(cause), detail)
                               : u"The session ended (%1) before this request finished: %2"_s.arg(
                                   DisconnectCauses::name(cause), detail);
    const auto replies = m_replies; // answering edits m_replies
    for (const auto &entry : replies) {
        if (entry.second)
            entry.second->abandon(cause, reason);
    }
    m_session.close();
    const auto streams = m_streams; // closing edits m_streams
    for (const QPointer<SseStream> &stream : streams) {
        if (stream)
            stream->close(cause, detail);
    }
    m_outbox.clearBacklog();

    // A stateless request has no connection of its own beyond its stream, whose end (if it
    // was cut) is already in the disconnect log; a request that simply finished is no
    // disconnect at all.
    if (m_traits.singleRequest) {
        m_context.monitor->reportSessionClosed(m_id);
        Q_EMIT terminated(m_id);
        return;
    }
    DisconnectEvent event;
    event.sessionId = m_id;
    event.clientName = m_session.client().name;
    event.peer = m_peer;
    event.cause = cause;
    event.detail = detail;
    event.durationMs = Clock::wallMs() - m_openedWallMs;
    event.wallMs = Clock::wallMs();
    m_context.monitor->reportDisconnect(event);
    m_context.monitor->reportSessionClosed(m_id);
    Q_EMIT terminated(m_id);
}

} // namespace heartline
