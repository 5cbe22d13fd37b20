#pragma once

#include <QObject>
#include <QTimer>

#include <functional>
#include <vector>

namespace heartline {

class Monitor;

// Carries the server thread's Monitor over to a Monitor on the GUI thread (DESIGN.md, Threads):
// every event the server reports is reported again to the mirror, in the same order, so the
// mirror's snapshot and signals are the server's and the window reads only its own thread's
// objects. Events cross in batches, one queued call per kBatchIntervalMs at most, so a heartbeat
// round over 10,000 streams costs the GUI thread one wake-up, not 10,000, and a GUI thread that
// is busy painting only lets batches wait: the server thread never waits for it.
class MonitorRelay final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MonitorRelay)

public:
    // A quarter of the window's UI tick: the batching costs a model at most that much latency.
    static constexpr int kBatchIntervalMs = 50;

    // Lives on `source`'s thread. `mirror` lives on the reading thread, starts empty, and must
    // outlive the relay; create the relay before `source` reports anything.
    MonitorRelay(Monitor *source, Monitor *mirror, QObject *parent = nullptr);

private:
    using Replay = std::function<void(Monitor &)>;

    template<typename... Args>
    void relay(Monitor *source, void (Monitor::*signal)(Args...), void (Monitor::*report)(Args...));
    void queue(Replay replay);
    void flush();

    Monitor *m_mirror;
    std::vector<Replay> m_batch;
    QTimer m_flushTimer;
};

} // namespace heartline
