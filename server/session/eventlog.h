#pragma once

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QString>

#include <deque>

namespace heartline {

struct LoggedEvent
{
    QString streamId;
    quint64 sequence = 0;
    QByteArray id;
    QByteArray data;
};

// Where an event id points: the logical stream it was sent on and its place in the session.
struct EventCursor
{
    QString streamId;
    quint64 sequence = 0;
};

// What a session sent on its streams, kept so a client that reconnects with Last-Event-ID
// gets exactly the events it missed on that stream (MCP resumability). Bounded by count and
// bytes; the oldest go first, and the log remembers how far each stream was evicted, so a
// resume that would skip an evicted event is refused instead of silently losing it.
//
// The log also owns the event ids: one sequence per session, and an id that names its stream
// ("get1-42" for stream "<session>/get1"), so a Last-Event-ID maps back to the stream to
// replay. Stream ids start with `streamPrefix` (the session's short id and a slash).
class EventLog final
{
public:
    EventLog(const QString &streamPrefix, int maxEvents, qint64 maxBytes);

    // A fresh id on `streamId` that is not kept: priming events, and transports that cannot
    // resume but still number their events.
    QByteArray issueId(const QString &streamId);
    // A fresh id on `streamId`, with `data` kept under it for replay.
    QByteArray append(const QString &streamId, const QByteArray &data);
    // False for an id this log did not issue: garbled, or with a sequence not reached yet.
    bool decode(const QByteArray &eventId, EventCursor *cursor) const;
    // False when events of `streamId` after `sequence` have been evicted.
    bool canReplayAfter(const QString &streamId, quint64 sequence) const;
    QList<LoggedEvent> eventsAfter(const QString &streamId, quint64 sequence) const;

    int size() const { return int(m_events.size()); }
    qint64 bytes() const { return m_bytes; }
    quint64 evicted() const { return m_evicted; }

private:
    QString m_streamPrefix;
    std::deque<LoggedEvent> m_events;
    QHash<QString, quint64> m_evictedUpTo;
    int m_maxEvents;
    qint64 m_maxBytes;
    qint64 m_bytes = 0;
    quint64 m_evicted = 0;
    quint64 m_sequence = 0;
};

} // namespace heartline
