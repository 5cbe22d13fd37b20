#include "mcpsession.h"

#include "clock.h"
#include "heartbeatscheduler.h"
#include "monitor.h"
#include "postreply.h"

#include <QLoggingCategory>

using namespace Qt::StringLiterals;

namespace heartline {

Q_LOGGING_CATEGORY(lcMcpSession, "heartline.server.session")

namespace {

Session::Options sessionOptions(const ServerContext &context)
{
    Session::Options options;
    options.toolsPageSize = context.config->toolsPageSize;
    return options;
}

QString outcomeName(RequestOutcome::Result result)
{
    switch (result) {
    case RequestOutcome::Result::Ok:
        return u"ok"_s;
    case RequestOutcome::Result::ProtocolError:
        return u"protocol_error"_s;
    case RequestOutcome::Result::ToolError:
        return u"tool_error"_s;
    case RequestOutcome::Result::Cancelled:
        return u"cancelled"_s;
    }
    return {};
}

} // namespace

McpSession::McpSession(const QString &id, TransportKind transport, const QString &peer,
                       const ServerContext &context, QObject *parent)
    : QObject(parent)
    , m_id(id)
    , m_shortId(id.left(8))
    , m_transport(transport)
    , m_peer(peer)
    , m_context(context)
    , m_session(context.tools, context.identity, sessionOptions(context))
    , m_openedWallMs(Clock::wallMs())
    , m_lastActivityMs(Clock::monotonicMs())
{
    connect(&m_session, &Session::outgoing, this, &McpSession::route);
    connect(&m_session, &Session::requestFinished, this, &McpSession::handleRequestFinished);
    connect(&m_session, &Session::clientIdentified, this,
            [this]() { m_context.monitor->reportSessionUpdated(info()); });
    connect(&m_session, &Session::ready, this,
            [this]() { m_context.monitor->reportSessionUpdated(info()); });
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
    info.peer = m_peer;
    info.openedWallMs = m_openedWallMs;
    info.initialized = m_session.isInitialized();
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

void McpSession::reportIncoming(const JsonRpcMessage &message, qint64 bytes)
{
    MessageEvent event;
    event.sessionId = m_id;
    event.direction = MessageEvent::Direction::In;
    event.method = message.method;
    event.id = message.isNotification() ? QString() : message.id.display();
    event.bytes = bytes;
    event.wallMs = Clock::wallMs();
    m_context.monitor->reportMessage(event);
}

void McpSession::registerReply(PostReply *reply, const QList<RequestId> &ids)
{
    for (const RequestId &id : ids)
        m_replies.insert(id, reply);
    connect(reply, &PostReply::done, this, [this](PostReply *finished) {
        for (auto it = m_replies.begin(); it != m_replies.end();) {
            if (it.value() == finished || it.value().isNull())
                it = m_replies.erase(it);
            else
                ++it;
        }
        // The stream that carried it was client activity until it ended.
        touch();
    });
}

void McpSession::attachStandaloneStream(SseStream *stream)
{
    m_standalone = stream;
    while (!m_backlog.isEmpty() && m_standalone)
        deliverStandalone(m_backlog.dequeue());
}

void McpSession::adoptStream(SseStream *stream)
{
    m_streams.insert(stream, stream);
    stream->setHighWaterMark(m_context.config->streamHighWaterBytes);
    m_context.heartbeats->add(stream);
    connect(stream, &SseStream::heartbeatSent, this,
            [this](const QString &streamId, quint64 sequence) {
                m_context.monitor->reportHeartbeat({streamId, m_id, sequence, Clock::wallMs()});
            });
    connect(stream, &SseStream::ended, this, &McpSession::handleStreamEnded);
    touch();
    m_context.monitor->reportStreamOpened(
        {stream->id(), m_id, streamKindName(stream->kind()), stream->peer(), Clock::wallMs()});
}

QString McpSession::newStreamId(StreamKind kind)
{
    ++m_streamCounter;
    return m_shortId + u'/' + streamKindName(kind) + QString::number(m_streamCounter);
}

QByteArray McpSession::nextEventId(const QString &streamId)
{
    // Unique in the session and naming its stream, so a Last-Event-ID maps back to it.
    return streamId.section(u'/', 1).toUtf8() + '-' + QByteArray::number(++m_eventCounter);
}

void McpSession::primeStream(SseStream *stream)
{
    if (!Revisions::traits(m_session.revision()).sendsPrimingEvent)
        return;
    SseEvent priming;
    priming.id = nextEventId(stream->id());
    stream->sendEvent(priming);
}

void McpSession::route(const OutgoingMessage &message)
{
    const QByteArray bytes = JsonRpc::serialize(message.json);
    if (message.relatedTo.isValid()) {
        const QPointer<PostReply> reply = m_replies.value(message.relatedTo);
        if (reply && !reply->isDone()) {
            reportOutgoing(message, bytes.size(), reply->streamId());
            reply->deliver(message, bytes);
            return;
        }
        if (m_transport == TransportKind::StreamableHttp) {
            // The POST that asked is gone. A dropped connection is not a cancellation, so
            // the work went on; without a stream to carry it, the message cannot be delivered.
            qCInfo(lcMcpSession) << "session" << m_shortId << "could not deliver"
                                 << message.json.value("method"_L1).toString(u"a response"_s)
                                 << "for request" << message.relatedTo.display()
                                 << "- the stream of that request is gone";
            return;
        }
    }
    reportOutgoing(message, bytes.size(), m_standalone ? m_standalone->id() : QString());
    deliverStandalone(bytes);
}

void McpSession::deliverStandalone(const QByteArray &bytes)
{
    if (!m_standalone || !m_standalone->isOpen()) {
        if (m_backlog.size() >= m_context.config->standaloneBacklog) {
            qCWarning(lcMcpSession) << "session" << m_shortId
                                    << "dropped its oldest undelivered notification: no GET "
                                       "stream has been opened to carry them";
            m_backlog.dequeue();
        }
        m_backlog.enqueue(bytes);
        return;
    }
    SseEvent event;
    event.id = nextEventId(m_standalone->id());
    event.data = bytes;
    if (m_transport == TransportKind::LegacySse)
        event.event = "message";
    m_standalone->sendEvent(event);
}

void McpSession::handleRequestFinished(const RequestOutcome &outcome)
{
    if (outcome.result == RequestOutcome::Result::Cancelled) {
        if (const QPointer<PostReply> reply = m_replies.value(outcome.id))
            reply->forget(outcome.id);
    } else {
        m_latencies.insert(outcome.id, outcome.elapsedMs);
    }
    if (outcome.method == "tools/call"_L1 && !outcome.toolName.isEmpty())
        m_context.monitor->reportToolCall(
            {outcome.toolName, outcomeName(outcome.result), outcome.elapsedMs});
}

void McpSession::reportOutgoing(const OutgoingMessage &message, qint64 bytes,
                                const QString &streamId)
{
    MessageEvent event;
    event.sessionId = m_id;
    event.streamId = streamId;
    event.direction = MessageEvent::Direction::Out;
    event.method = message.json.value("method"_L1).toString();
    if (message.isFinalResponse) {
        event.id = message.relatedTo.display();
        event.latencyMs =
            m_latencies.contains(message.relatedTo) ? m_latencies.take(message.relatedTo) : -1;
    }
    event.bytes = bytes;
    event.wallMs = Clock::wallMs();
    m_context.monitor->reportMessage(event);
}

void McpSession::handleStreamEnded(SseStream *stream, const StreamEnd &end)
{
    m_streams.remove(stream);
    m_context.heartbeats->remove(stream);
    if (m_standalone == stream)
        m_standalone.clear();
    touch();

    const StreamStats &stats = stream->stats();
    const qint64 wallNow = Clock::wallMs();
    StreamClosedEvent closed;
    closed.stream = {stream->id(), m_id, streamKindName(stream->kind()), stream->peer(),
                     stats.openedWallMs};
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
    event.cause = end.cause;
    event.detail = end.detail;
    event.durationMs = Clock::monotonicMs() - stats.openedMonotonicMs;
    event.bytes = stats.bytes;
    event.heartbeats = stats.heartbeats;
    event.sinceLastWriteMs = Clock::monotonicMs() - stats.lastWriteMonotonicMs;
    event.wallMs = wallNow;
    m_context.monitor->reportDisconnect(event);

    // The legacy transport has no session without its stream (2024-11-05).
    if (m_transport == TransportKind::LegacySse && stream->kind() == StreamKind::Legacy)
        terminate(end.cause, end.detail);
}

void McpSession::terminate(DisconnectCause cause, const QString &detail)
{
    if (m_terminated)
        return;
    m_terminated = true;
    // Replies first: closing the session cancels what runs, which would otherwise end
    // their streams as if each request had been cancelled by the client.
    const auto replies = m_replies; // answering edits m_replies
    for (const QPointer<PostReply> &reply : replies) {
        if (reply)
            reply->abandon(cause, u"The session ended (%1) before this request finished: %2"_s.arg(
                                      DisconnectCauses::name(cause), detail));
    }
    m_session.close();
    const auto streams = m_streams; // closing edits m_streams
    for (const QPointer<SseStream> &stream : streams) {
        if (stream)
            stream->close(cause, detail);
    }
    m_backlog.clear();

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
