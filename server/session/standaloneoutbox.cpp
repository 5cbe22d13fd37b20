#include "server/session/standaloneoutbox.h"

#include "server/api/serverconfig.h"

namespace heartline {

StandaloneOutbox::StandaloneOutbox(const ServerConfig *config, const char *eventName, Stamp stamp)
    : m_config(config)
    , m_eventName(eventName)
    , m_stamp(std::move(stamp))
{}

void StandaloneOutbox::attach(SseStream *stream)
{
    m_stream = stream;
    // Sending may end the stream (a failed write), which detaches it: check each time.
    while (!m_backlog.isEmpty() && isOpen())
        deliver(m_backlog.dequeue());
}

void StandaloneOutbox::detach(const SseStream *stream)
{
    if (m_stream == stream)
        m_stream.clear();
}

StandaloneOutbox::Delivery StandaloneOutbox::deliver(const QByteArray &bytes)
{
    if (!isOpen()) {
        // Read on every message: the limit is a setting that may change while sessions live.
        const bool full = m_backlog.size() >= m_config->standaloneBacklog;
        if (full)
            m_backlog.dequeue();
        m_backlog.enqueue(bytes);
        return full ? Delivery::QueuedDroppingOldest : Delivery::Queued;
    }
    SseEvent event;
    event.id = m_stamp(m_stream->id(), bytes);
    event.data = bytes;
    if (m_eventName)
        event.event = m_eventName;
    m_stream->sendEvent(event);
    return Delivery::Sent;
}

} // namespace heartline
