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

// What a session sent on its streams, kept so a client that reconnects with Last-Event-ID
// gets exactly the events it missed on that stream (MCP resumability). Bounded by count and
// bytes; the oldest go first, and the log remembers how far each stream was evicted, so a
// resume that would skip an evicted event is refused instead of silently losing it.
class EventLog final
{
public:
    EventLog(int maxEvents, qint64 maxBytes);

    void append(const QString &streamId, quint64 sequence, const QByteArray &id,
                const QByteArray &data);
    // False when events of `streamId` after `sequence` have been evicted.
    bool canReplayAfter(const QString &streamId, quint64 sequence) const;
    QList<LoggedEvent> eventsAfter(const QString &streamId, quint64 sequence) const;

    int size() const { return int(m_events.size()); }
    qint64 bytes() const { return m_bytes; }
    quint64 evicted() const { return m_evicted; }

private:
    std::deque<LoggedEvent> m_events;
    QHash<QString, quint64> m_evictedUpTo;
    int m_maxEvents;
    qint64 m_maxBytes;
    qint64 m_bytes = 0;
    quint64 m_evicted = 0;
};

} // namespace heartline
