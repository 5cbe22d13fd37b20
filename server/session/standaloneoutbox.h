#pragma once

#include "server/stream/ssestream.h"

#include <QByteArray>
#include <QPointer>
#include <QQueue>

#include <functional>

namespace heartline {

struct ServerConfig;

// Where a session's messages go that belong to no request: its standalone stream (the GET
// stream, or the legacy stream). While none is open they wait in a bounded backlog, the
// oldest dropped first, so a client that opens its stream late still hears what happened.
class StandaloneOutbox final
{
    Q_DISABLE_COPY_MOVE(StandaloneOutbox)

public:
    // Gives a message its event id on the stream it goes out on (empty: no id).
    using Stamp = std::function<QByteArray(const QString &streamId, const QByteArray &data)>;
    enum class Delivery { Sent, Queued, QueuedDroppingOldest };

    // `eventName`: the SSE `event:` of every message (null: none, the default "message").
    StandaloneOutbox(const ServerConfig *config, const char *eventName, Stamp stamp);

    SseStream *stream() const { return m_stream; }
    bool isOpen() const { return m_stream && m_stream->isOpen(); }
    // Makes `stream` the standalone stream and sends it the backlog.
    void attach(SseStream *stream);
    void detach(const SseStream *stream);
    Delivery deliver(const QByteArray &bytes);
    void clearBacklog() { m_backlog.clear(); }

private:
    const ServerConfig *m_config;
    const char *m_eventName;
    Stamp m_stamp;
    QPointer<SseStream> m_stream;
    QQueue<QByteArray> m_backlog;
};

} // namespace heartline
