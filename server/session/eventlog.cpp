#include "server/session/eventlog.h"

namespace heartline {

EventLog::EventLog(int maxEvents, qint64 maxBytes)
    : m_maxEvents(qMax(1, maxEvents))
    , m_maxBytes(qMax<qint64>(1, maxBytes))
{}

void EventLog::append(const QString &streamId, quint64 sequence, const QByteArray &id,
                      const QByteArray &data)
{
    m_events.push_back({streamId, sequence, id, data});
    m_bytes += data.size();
    while (int(m_events.size()) > m_maxEvents || (m_bytes > m_maxBytes && m_events.size() > 1)) {
        const LoggedEvent &oldest = m_events.front();
        m_evictedUpTo[oldest.streamId] =
            qMax(m_evictedUpTo.value(oldest.streamId), oldest.sequence);
        m_bytes -= oldest.data.size();
        ++m_evicted;
        m_events.pop_front();
    }
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
