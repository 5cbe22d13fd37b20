#include "server/stream/heartbeatscheduler.h"

#include "server/api/clock.h"
#include "server/stream/ssestream.h"

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
}

void HeartbeatScheduler::add(SseStream *stream)
{
    m_streams.insert(stream, QPointer<SseStream>(stream));
    connect(stream, &QObject::destroyed, this, [this, stream]() { m_streams.remove(stream); });
}

void HeartbeatScheduler::remove(SseStream *stream)
{
    m_streams.remove(stream);
}

void HeartbeatScheduler::tick()
{
    const qint64 now = Clock::monotonicMs();
    // A stream silent for an interval less half a tick is due now: waiting for the full
    // interval would push most beats one whole tick late, since ticks and writes never align.
    const qint64 dueAfter = m_intervalMs - m_timer.interval() / 2;
    // Writing may end a stream (slow consumer, dead peer), which edits m_streams: walk a copy.
    const auto streams = m_streams;
    for (const QPointer<SseStream> &stream : streams) {
        if (stream && stream->isOpen() && now - stream->stats().lastWriteMonotonicMs >= dueAfter)
            stream->sendHeartbeat();
    }
}

} // namespace heartline
