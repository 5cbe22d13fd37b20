#pragma once

#include "server/api/disconnectcause.h"
#include "server/api/streamkind.h"
#include "server/qt64/httpexchange.h"
#include "server/stream/sseframing.h"

#include <QObject>
#include <QString>

#include <memory>

namespace heartline {

// What one stream has sent so far. (The Monitor's StreamStats is the window's view of it.)
struct SseStreamStats
{
    qint64 openedMonotonicMs = 0;
    qint64 openedWallMs = 0;
    qint64 lastWriteMonotonicMs = 0;
    qint64 lastHeartbeatMonotonicMs = -1; // -1 before the first
    qint64 lastMessageMonotonicMs = -1;   // -1 before the first
    quint64 heartbeats = 0;
    quint64 events = 0;
    quint64 messages = 0; // events that carried data (priming and retry events do not)
    quint64 bytes = 0;
};

// How a stream ended: completed after its last message, or cut with a cause.
struct StreamEnd
{
    bool completed = false;
    DisconnectCause cause = DisconnectCause::ClientClosed;
    QString detail;
};

// One Server-Sent Events response. It writes the proxy-friendly headers and a first comment
// at once (proxies that hold headers until the first body byte pass the stream through),
// frames events and heartbeats, counts what it sends, and closes itself when the client
// goes away or stops reading (past the high-water mark of queued bytes: slow_consumer).
class SseStream final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SseStream)

public:
    static constexpr qint64 kDefaultHighWaterBytes = 4 * 1024 * 1024;
    // Above the mark, how long the queue may go without the socket taking any of it...
    static constexpr qint64 kStallMs = 2000;
    // ...and how far past the mark it may grow at all.
    static constexpr qint64 kHardLimitFactor = 4;

    SseStream(const QString &id, const QString &sessionId, StreamKind kind,
              std::unique_ptr<HttpExchange> exchange, QObject *parent = nullptr);
    ~SseStream() override;

    // Sends status, headers and the opening comment. False if the client is already gone.
    bool open(const HttpHeaders &extraHeaders);
    bool sendEvent(const SseEvent &event);
    bool sendHeartbeat();
    // The stream delivered everything it was for: end the body cleanly.
    void finish();
    // Cut the stream for `cause` (server-side decision).
    void close(DisconnectCause cause, const QString &detail);

    bool isOpen() const { return m_open; }
    const QString &id() const { return m_id; }
    const QString &sessionId() const { return m_sessionId; }
    StreamKind kind() const { return m_kind; }
    QString peer() const { return m_exchange->peerAddress(); }
    const SseStreamStats &stats() const { return m_stats; }
    qint64 bytesQueued() const { return m_exchange->bytesQueued(); }
    void setHighWaterMark(qint64 bytes) { m_highWaterBytes = bytes; }
    // When the server ends the stream on purpose, tell the client first how long to wait
    // before it reconnects (SEP-1699 `retry:`). Negative: say nothing.
    void setRetryBeforeClose(int milliseconds) { m_retryBeforeCloseMs = milliseconds; }
    // Opened by a GET with Last-Event-ID, continuing an earlier stream of the same id.
    void setResumed(bool resumed) { m_resumed = resumed; }
    bool isResumed() const { return m_resumed; }

    static HttpHeaders responseHeaders();

Q_SIGNALS:
    // Emitted exactly once, before the stream is deleted later.
    void ended(heartline::SseStream *stream, const heartline::StreamEnd &end);

private:
    bool write(const QByteArray &payload);
    void end(const StreamEnd &end);
    void handleDisconnected(DisconnectCause cause, const QString &detail);

    QString m_id;
    QString m_sessionId;
    StreamKind m_kind;
    std::unique_ptr<HttpExchange> m_exchange;
    SseStreamStats m_stats;
    qint64 m_highWaterBytes = kDefaultHighWaterBytes;
    int m_retryBeforeCloseMs = -1;
    qint64 m_drainingSinceMs = 0;
    // The most the socket and kernel can hold of ours: what they held when last asked, plus
    // what was written since (draining only lowers it); -1 until first asked.
    qint64 m_queuedAtMost = -1;
    bool m_open = false;
    bool m_ended = false;
    bool m_resumed = false;
};

} // namespace heartline

Q_DECLARE_METATYPE(heartline::StreamEnd)
