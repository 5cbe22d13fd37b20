#pragma once

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <vector>

namespace heartline {

class SseStream;

// One timer on the event loop for every SSE stream (never a timer or thread per stream).
// It ticks a few times per interval and writes a heartbeat comment to each stream that has
// been silent for a whole interval, so a busy stream costs nothing and a silent one is never
// quiet much longer than one interval.
//
// A tick looks only at the streams whose time has come: each stream waits in a queue ordered by
// when it could first be due (its last write plus the interval), and is looked at once per
// interval, not on every tick (scanning all 10,000 streams five times an interval was a tenth
// of an idle server's CPU, each stream a cache miss).
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
        for (const Registration &registration : m_streams) {
            if (registration.stream)
                visit(static_cast<const SseStream *>(registration.stream.data()));
        }
    }

Q_SIGNALS:
    // One signal on the scheduler rather than one on each stream: 10,000 streams' connection
    // lists are cold memory, and reading them for every beat was a tenth of an idle server's
    // CPU.
    void heartbeatSent(const QString &streamId, const QString &sessionId, quint64 sequence);

private:
    struct Registration
    {
        QPointer<SseStream> stream;
        quint64 serial = 0; // tells a queue entry of this registration from a stale one
    };
    struct Check
    {
        qint64 atMs;
        SseStream *stream;
        quint64 serial;
        bool operator>(const Check &other) const { return atMs > other.atMs; }
    };

    void tick();
    // Silent this long, a stream is due at this tick: an interval less half a tick, since
    // ticks and writes never align and waiting for the full interval would push most beats
    // one whole tick late.
    qint64 dueAfterMs() const;
    void schedule(SseStream *stream, quint64 serial, qint64 atMs);
    void rebuildQueue();

    int m_intervalMs;
    QTimer m_timer;
    QHash<SseStream *, Registration> m_streams;
    std::vector<Check> m_queue; // a min-heap on atMs
    quint64 m_nextSerial = 1;
};

} // namespace heartline
