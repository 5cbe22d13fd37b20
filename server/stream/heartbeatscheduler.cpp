#include "server/stream/heartbeatscheduler.h"

#include "server/api/clock.h"
#include "server/stream/ssestream.h"

#include <algorithm>
#include <functional>

namespace heartline {

HeartbeatScheduler::HeartbeatScheduler(int intervalMs, QObject *parent)
    : QObject(parent)
    , m_intervalMs(0)
{
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, &HeartbeatScheduler::tick);
    setInterval(intervalMs);
}

void HeartbeatScheduler::setInterval(int intervalMs)
{
    m_intervalMs = qMax(0, intervalMs);
    if (m_intervalMs == 0) {
        m_timer.stop();
        return;
    }
    m_timer.start(qMax(1, m_intervalMs / kTicksPerInterval));
    rebuildQueue();
}

qint64 HeartbeatScheduler::dueAfterMs() const
{
    return m_intervalMs - m_timer.interval() / 2;
}

void HeartbeatScheduler::add(SseStream *stream)
{
    const quint64 serial = m_nextSerial++;
    m_streams.insert(stream, {QPointer<SseStream>(stream), serial});
    connect(stream, &QObject::destroyed, this, [this, stream]() { m_streams.remove(stream); });
    if (m_intervalMs > 0)
        schedule(stream, serial, stream->stats().lastWriteMonotonicMs + dueAfterMs());
}

void HeartbeatScheduler::remove(SseStream *stream)
{
    // Its queue entry goes stale and is dropped when it comes up.
    m_streams.remove(stream);
}

void HeartbeatScheduler::schedule(SseStream *stream, quint64 serial, qint64 atMs)
{
    m_queue.push_back({atMs, stream, serial});
    std::push_heap(m_queue.begin(), m_queue.end(), std::greater<>());
}

void HeartbeatScheduler::rebuildQueue()
{
    // The interval changed: every stream's time moves with it.
    m_queue.clear();
    for (auto it = m_streams.cbegin(); it != m_streams.cend(); ++it) {
        if (it->stream)
            m_queue.push_back(
                {it->stream->stats().lastWriteMonotonicMs + dueAfterMs(), it.key(), it->serial});
    }
    std::make_heap(m_queue.begin(), m_queue.end(), std::greater<>());
}

void HeartbeatScheduler::tick()
{
    const qint64 now = Clock::monotonicMs();
    const qint64 dueAfter = dueAfterMs();
    // Entries to put back after the walk, so none is looked at twice in one tick.
    std::vector<Check> later;
    while (!m_queue.empty() && m_queue.front().atMs <= now) {
        std::pop_heap(m_queue.begin(), m_queue.end(), std::greater<>());
        const Check check = m_queue.back();
        m_queue.pop_back();
        const auto found = m_streams.constFind(check.stream);
        if (found == m_streams.cend() || found->serial != check.serial)
            continue; // removed, or the address of a stream since deleted
        const QPointer<SseStream> stream = found->stream;
        if (!stream || !stream->isOpen())
            continue; // ended: it leaves the registry on its own
        if (now - stream->stats().lastWriteMonotonicMs >= dueAfter) {
            // Writing may end the stream (slow consumer, dead peer); the entry then goes stale.
            if (stream->sendHeartbeat())
                Q_EMIT heartbeatSent(stream->id(), stream->sessionId(), stream->stats().heartbeats);
            if (!stream || !stream->isOpen())
                continue;
        }
        later.push_back(
            {stream->stats().lastWriteMonotonicMs + dueAfter, check.stream, check.serial});
    }
    for (const Check &check : later)
        schedule(check.stream, check.serial, check.atMs);
    // Stale entries of removed streams would otherwise wait a whole interval: compact when
    // they outnumber the live ones.
    if (m_queue.size() > 2 * size_t(m_streams.size()) + 64)
        rebuildQueue();
}

} // namespace heartline
