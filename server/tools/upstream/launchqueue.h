#pragma once

#include <QObject>
#include <QPointer>
#include <QTimer>

#include <deque>
#include <functional>

namespace heartline {

// Opens upstream channels one per turn of the event loop. Starting a child costs the loop a
// fork and the wait until the child has exec'd (a few milliseconds each, more while the machine
// is busy starting its siblings): twenty servers added at once, all started within one turn,
// held every stream's heartbeats back by ~150 ms. Queued here, the loop serves its sockets and
// timers between two launches, and the children still initialize in parallel.
class LaunchQueue final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LaunchQueue)

public:
    explicit LaunchQueue(QObject *parent = nullptr);

    // Runs `launch` on a later turn, after everything queued before it; never while `owner`
    // is destroyed or after cancel(owner).
    void enqueue(QObject *owner, std::function<void()> launch);
    void cancel(const QObject *owner);
    int pendingCount() const { return int(m_pending.size()); }

private:
    void launchNext();

    struct Pending
    {
        QPointer<QObject> owner;
        std::function<void()> launch;
    };
    std::deque<Pending> m_pending;
    QTimer m_turn;
};

} // namespace heartline
