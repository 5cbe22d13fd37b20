#pragma once

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QTimer>

namespace heartline {

class SseStream;

// One timer on the event loop for every SSE stream (never a timer or thread per stream).
// It ticks a few times per interval and writes a heartbeat comment to each stream that has
// been silent for a whole interval, so a busy stream costs nothing and a silent one is never
// quiet much longer than one interval.
class HeartbeatScheduler final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HeartbeatScheduler)

public:
    static constexpr int kTicksPerInterval = 5;

    explicit HeartbeatScheduler(int intervalMs, QObject *parent = nullptr);

    // 0 switches heartbeats off; streams stay registered and resume when it is set again.
    void setInterval(int intervalMs);
    int interval() const { return m_intervalMs; }

    void add(SseStream *stream);
    void remove(SseStream *stream);
    int streamCount() const { return int(m_streams.size()); }
    // Every registered stream (all of the server's SSE streams), for the window's live figures.
    template<typename Visit>
    void forEachStream(Visit visit) const
    {
        for (const QPointer<SseStream> &stream : m_streams) {
            if (stream)
                visit(static_cast<const SseStream *>(stream.data()));
        }
    }

private:
    void tick();

    int m_intervalMs;
    QTimer m_timer;
    QHash<SseStream *, QPointer<SseStream>> m_streams;
};

} // namespace heartline
