#include "server/stream/ssestream.h"

#include "server/api/clock.h"

#include <QLoggingCategory>

using namespace Qt::StringLiterals;

namespace heartline {

Q_LOGGING_CATEGORY(lcSse, "heartline.server.sse")

SseStream::SseStream(const QString &id, const QString &sessionId, StreamKind kind,
                     std::unique_ptr<HttpExchange> exchange, QObject *parent)
    : QObject(parent)
    , m_id(id)
    , m_sessionId(sessionId)
    , m_kind(kind)
    , m_exchange(std::move(exchange))
{
    m_exchange->setParent(nullptr);
    connect(m_exchange.get(), &HttpExchange::disconnected, this, &SseStream::handleDisconnected);
    // Bytes that waited in the socket's buffer went out; bytes the kernel takes at once are
    // seen in write().
    connect(m_exchange.get(), &HttpExchange::bytesWritten, this,
            [this]() { m_drainingSinceMs = Clock::monotonicMs(); });
    m_stats.openedMonotonicMs = Clock::monotonicMs();
    m_stats.openedWallMs = Clock::wallMs();
    m_stats.lastWriteMonotonicMs = m_stats.openedMonotonicMs;
    m_drainingSinceMs = m_stats.openedMonotonicMs;
}

SseStream::~SseStream() = default;

HttpHeaders SseStream::responseHeaders()
{
    // no-transform keeps compressing proxies from buffering; X-Accel-Buffering switches off
    // nginx's response buffering for this response only.
    return {{"Content-Type", "text/event-stream"},
            {"Cache-Control", "no-cache, no-transform"},
            {"X-Accel-Buffering", "no"},
            {"Connection", "keep-alive"}};
}

bool SseStream::open(const HttpHeaders &extraHeaders)
{
    if (m_open || m_ended)
        return false;
    HttpHeaders headers = responseHeaders();
    headers += extraHeaders;
    if (!m_exchange->beginChunked(200, headers)) {
        end({false, DisconnectCause::ClientClosed, u"the client left before the stream opened"_s});
        return false;
    }
    m_open = true;
    return write(Sse::comment(QByteArray("heartline stream " + m_id.toUtf8())));
}

bool SseStream::sendEvent(const SseEvent &event)
{
    if (!write(Sse::event(event)))
        return false;
    ++m_stats.events;
    if (event.hasData && !event.data.isEmpty()) {
        ++m_stats.messages;
        m_stats.lastMessageMonotonicMs = m_stats.lastWriteMonotonicMs;
    }
    return true;
}

bool SseStream::sendHeartbeat()
{
    const quint64 sequence = m_stats.heartbeats + 1;
    if (!write(Sse::comment(QByteArray("heartbeat " + QByteArray::number(sequence)))))
        return false;
    m_stats.heartbeats = sequence;
    m_stats.lastHeartbeatMonotonicMs = m_stats.lastWriteMonotonicMs;
    return true;
}

bool SseStream::write(const QByteArray &payload)
{
    if (!m_open || m_ended)
        return false;
    const qint64 takenAtOnce = m_exchange->writeChunk(payload);
    if (takenAtOnce < 0) {
        if (!m_ended)
            end({false, DisconnectCause::WriteFailed, u"writing to the socket failed"_s});
        return false;
    }
    const qint64 now = Clock::monotonicMs();
    m_stats.bytes += quint64(payload.size());
    m_stats.lastWriteMonotonicMs = now;
    // While even the most that can be queued is under the mark the kernel is not asked: a
    // syscall per heartbeat was a twentieth of an idle server's CPU.
    if (m_queuedAtMost >= 0 && m_queuedAtMost + payload.size() <= m_highWaterBytes) {
        m_queuedAtMost += payload.size();
        m_drainingSinceMs = now;
        return true;
    }
    // A burst (a batch of answers, a resume replay) may pass the mark for a moment while the
    // socket drains it; a slow consumer is one whose queue stays above the mark without
    // draining, or grows far past it.
    const qint64 queued = m_exchange->bytesQueued();
    m_queuedAtMost = queued;
    if (takenAtOnce > 0 || queued <= m_highWaterBytes)
        m_drainingSinceMs = now;
    const bool stalled = queued > m_highWaterBytes && now - m_drainingSinceMs >= kStallMs;
    if (stalled || queued > kHardLimitFactor * m_highWaterBytes) {
        close(
            DisconnectCause::SlowConsumer,
            u"%1 bytes queued, more than the high-water mark of %2, and not draining"_s.arg(queued)
                .arg(m_highWaterBytes));
        return false;
    }
    return true;
}

void SseStream::finish()
{
    if (m_ended)
        return;
    m_exchange->endChunked();
    end({true, DisconnectCause::ClientClosed, u"completed"_s});
}

void SseStream::close(DisconnectCause cause, const QString &detail)
{
    if (m_ended)
        return;
    if (cause == DisconnectCause::ServerShutdown || cause == DisconnectCause::SessionDeleted
        || cause == DisconnectCause::SessionExpired || cause == DisconnectCause::PollClose) {
        // A deliberate end: finish the body so clients see a clean close, not a broken one.
        if (m_retryBeforeCloseMs >= 0 && m_open) {
            SseEvent retry;
            retry.hasData = false;
            retry.retryMs = m_retryBeforeCloseMs;
            write(Sse::event(retry));
        }
        m_exchange->endChunked();
    } else {
        m_exchange->abort();
    }
    end({false, cause, detail});
}

void SseStream::handleDisconnected(DisconnectCause cause, const QString &detail)
{
    end({false, cause, detail});
}

void SseStream::end(const StreamEnd &end)
{
    if (m_ended)
        return;
    m_ended = true;
    m_open = false;
    qCDebug(lcSse) << "stream" << m_id << "ended:"
                   << (end.completed ? u"completed"_s : DisconnectCauses::name(end.cause))
                   << end.detail;
    Q_EMIT ended(this, end);
    deleteLater();
}

} // namespace heartline
