#include "server/session/eventlog.h"

namespace heartline {

EventLog::EventLog(const QString &streamPrefix, int maxEvents, qint64 maxBytes)
    : m_streamPrefix(streamPrefix)
    , m_maxEvents(qMax(1, maxEvents))
    , m_maxBytes(qMax<qint64>(1, maxBytes))
{}

QByteArray EventLog::issueId(const QString &streamId)
{
    // Unique in the session and naming its stream, so a Last-Event-ID maps back to it.
    return streamId.section(u'/', 1).toUtf8() + '-' + QByteArray::number(++m_sequence);
}

QByteArray EventLog::append(const QString &streamId, const QByteArray &data)
{
    const QByteArray id = issueId(streamId);
    m_events.push_back({streamId, m_sequence, id, data});
    m_bytes += data.size();
    while (int(m_events.size()) > m_maxEvents || (m_bytes > m_maxBytes && m_events.size() > 1)) {
        const LoggedEvent &oldest = m_events.front();
        m_evictedUpTo[oldest.streamId] =
            qMax(m_evictedUpTo.value(oldest.streamId), oldest.sequence);
        m_bytes -= oldest.data.size();
        ++m_evicted;
        m_events.pop_front();
    }
    return id;
}

bool EventLog::decode(const QByteArray &eventId, EventCursor *cursor) const
{
    const qsizetype dash = eventId.lastIndexOf('-');
    if (dash <= 0)
        return false;
    bool ok = false;
    const quint64 sequence = eventId.mid(dash + 1).toULongLong(&ok);
    if (!ok || sequence > m_sequence)
        return false;
    cursor->streamId = m_streamPrefix + QString::fromLatin1(eventId.left(dash));
    cursor->sequence = sequence;
    return true;
}

bool EventLog::canReplayAfter(const QString &streamId, quint64 sequence) const
{
    return m_evictedUpTo.value(streamId, 0) <= sequence;
}

QList<LoggedEvent> EventLog::eventsAfter(const QString &streamId, quint64 sequence) const
{
    QList<LoggedEvent> events;
    for (const LoggedEvent &event : m_events) {
        if (event.streamId == streamId && event.sequence > sequence)
            events.append(event);
    }
    return events;
}

} // namespace heartline
