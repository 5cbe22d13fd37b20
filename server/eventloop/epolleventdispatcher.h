#pragma once

#include <QAbstractEventDispatcher>

#include <atomic>
#include <memory>

namespace heartline {

// A QAbstractEventDispatcher that waits on epoll, so that a turn of the loop costs what is
// ready, not what is open: Qt's own dispatchers (glib's and the poll one) hand the kernel the
// whole set of sockets on every wake-up, which with 10,000 idle streams kept a core busy doing
// nothing. Socket notifiers are epoll interests (changed with one epoll_ctl when a notifier is
// enabled or disabled), wake-ups from other threads an eventfd, and timers a heap ordered by
// deadline, so a turn looks only at the timers that are due.
//
// Timer types: precise and coarse timers both fire at their millisecond deadline (coarse is
// allowed to be late, not required to be); very coarse timers count whole seconds, as Qt's.
// Public Qt API only; one instance per thread, like every dispatcher.
class EpollEventDispatcher final : public QAbstractEventDispatcher
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EpollEventDispatcher)

public:
    explicit EpollEventDispatcher(QObject *parent = nullptr);
    ~EpollEventDispatcher() override;

    bool processEvents(QEventLoop::ProcessEventsFlags flags) override;

    void registerSocketNotifier(QSocketNotifier *notifier) override;
    void unregisterSocketNotifier(QSocketNotifier *notifier) override;

    void registerTimer(int timerId, qint64 interval, Qt::TimerType timerType,
                       QObject *object) override;
    bool unregisterTimer(int timerId) override;
    bool unregisterTimers(QObject *object) override;
    QList<TimerInfo> registeredTimers(QObject *object) const override;
    int remainingTime(int timerId) override;

    // Thread-safe, as Qt requires: postEvent() from any thread calls it.
    void wakeUp() override;
    void interrupt() override;

private:
    struct State;
    std::unique_ptr<State> d;
    std::atomic<bool> m_interrupted{false};
    // A wake-up is written to the eventfd and not yet taken: further posts need not write
    // again, and a turn with nothing posted need not read it (a syscall each, every turn).
    std::atomic<bool> m_wakePending{false};
};

} // namespace heartline
