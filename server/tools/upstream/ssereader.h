#pragma once

#include <QByteArray>
#include <QList>

namespace heartline {

// Reads a text/event-stream as it arrives, chunk by chunk, by the WHATWG rules a client needs:
// lines end in LF, CRLF or CR (even split across chunks), `data:` lines join with LF, `event:`
// names the type, `id:` becomes the stream's last event id (kept even by events without data,
// which are not dispatched), `retry:` sets the reconnection delay, `:` comments (heartbeats) are
// skipped. A line or an event larger than the cap is refused: a remote server must not make
// Heartline buffer without bound.
class SseReader final
{
public:
    struct Event
    {
        QByteArray type = "message";
        QByteArray data;
        QByteArray id; // the last event id in force when this event was dispatched
    };

    explicit SseReader(qsizetype maxEventBytes);

    // Appends the events that `bytes` completes to `events`. False once a line or an event
    // passed the cap: what follows cannot be trusted to be framed, so the stream is dropped.
    bool feed(const QByteArray &bytes, QList<Event> *events);

    QByteArray lastEventId() const { return m_lastEventId; }
    bool hasLastEventId() const { return !m_lastEventId.isEmpty(); }
    // The last `retry:` in milliseconds, or -1 when the server sent none.
    int retryMs() const { return m_retryMs; }

private:
    void takeLine(const QByteArray &line, QList<Event> *events);
    void dispatch(QList<Event> *events);

    qsizetype m_maxEventBytes;
    QByteArray m_head; // the first bytes, until they are known not to be a byte order mark
    QByteArray m_line;
    bool m_skipLineFeed = false; // the previous chunk ended in CR: a leading LF belongs to it
    bool m_started = false;
    QByteArray m_type;
    QByteArray m_data;
    bool m_hasData = false;
    QByteArray m_lastEventId;
    int m_retryMs = -1;
};

} // namespace heartline
