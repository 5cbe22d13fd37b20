#include "server/eventloop/epolleventdispatcher.h"

#include <QCoreApplication>
#include <QHash>
#include <QLoggingCategory>
#include <QMultiHash>
#include <QSet>
#include <QSocketNotifier>
#include <QThread>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <limits>
#include <queue>
#include <vector>

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcEpoll, "heartline.eventloop")

namespace heartline {

namespace {

constexpr int kEventsPerTurn = 256;
constexpr qint64 kNsPerMs = 1'000'000;
constexpr qint64 kNsPerSecond = 1'000'000'000;

qint64 nowNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

int notifierIndex(QSocketNotifier::Type type)
{
    switch (type) {
    case QSocketNotifier::Read:
        return 0;
    case QSocketNotifier::Write:
        return 1;
    case QSocketNotifier::Exception:
        return 2;
    }
    return 0;
}

} // namespace

struct EpollEventDispatcher::State
{
    struct Socket
    {
        QSocketNotifier *notifiers[3] = {nullptr, nullptr, nullptr}; // read, write, exception
        bool inEpoll = false;
        // epoll refuses regular files (EPERM); like poll(), they are always ready.
        bool alwaysReady = false;
    };

    struct Timer
    {
        QObject *object = nullptr;
        qint64 intervalMs = 0;
        Qt::TimerType type = Qt::CoarseTimer;
        qint64 deadlineNs = 0;
        quint64 serial = 0;   // a new one per registration: heap entries of an older one are void
        bool inEvent = false; // in its own timerEvent: not fired again by a nested loop
    };

    // One heap entry per scheduled deadline; stale ones (timer gone, rescheduled or in its
    // event) are dropped when they reach the top, so changes never search the heap.
    struct Due
    {
        qint64 deadlineNs;
        int timerId;
        quint64 serial;
        bool operator>(const Due &other) const { return deadlineNs > other.deadlineNs; }
    };

    int epollFd = -1;
    int wakeFd = -1;
    QHash<int, Socket> sockets;
    QSet<int> alwaysReady;
    QHash<int, Timer> timers;
    QMultiHash<QObject *, int> timersOf;
    std::priority_queue<Due, std::vector<Due>, std::greater<Due>> heap;
    quint64 nextSerial = 1;

    bool updateInterest(int fd, Socket &socket);
    qint64 firstDeadlineNs();
    static qint64 nextDeadline(const Timer &timer, qint64 now);
    void schedule(int timerId, const Timer &timer) { heap.push({timer.deadlineNs, timerId, timer.serial}); }
    bool isCurrent(const Due &due) const;
    int fireDueTimers();
    bool activate(int fd, int index);
};

qint64 EpollEventDispatcher::State::nextDeadline(const Timer &timer, qint64 now)
{
    if (timer.type == Qt::VeryCoarseTimer) {
        // Whole seconds, rounded to the closest, on the second: as Qt's very coarse timers.
        // Past the half second, one more: it fires between interval - 0.5 s and + 0.5 s.
        const qint64 seconds = (timer.intervalMs + 500) / 1000;
        const qint64 wholeNow = now / kNsPerSecond;
        const bool pastHalf = now % kNsPerSecond > kNsPerSecond / 2;
        return (wholeNow + seconds + (pastHalf ? 1 : 0)) * kNsPerSecond;
    }
    const qint64 interval = timer.intervalMs * kNsPerMs;
    qint64 next = timer.deadlineNs + interval;
    // Late by more than an interval (a long handler, a stalled loop): skip what was missed
    // rather than firing the backlog in a burst.
    if (next < now)
        next = now + interval;
    return next;
}

bool EpollEventDispatcher::State::isCurrent(const Due &due) const
{
    const auto it = timers.constFind(due.timerId);
    return it != timers.cend() && it->serial == due.serial && it->deadlineNs == due.deadlineNs
           && !it->inEvent;
}

qint64 EpollEventDispatcher::State::firstDeadlineNs()
{
    while (!heap.empty() && !isCurrent(heap.top()))
        heap.pop();
    return heap.empty() ? -1 : heap.top().deadlineNs;
}

int EpollEventDispatcher::State::fireDueTimers()
{
    const qint64 now = nowNs();
    // Taken off the heap first: a zero timer fired here is due again at once and must wait
    // for the next turn, not run forever in this one.
    std::vector<Due> due;
    while (!heap.empty() && heap.top().deadlineNs <= now) {
        const Due next = heap.top();
        heap.pop();
        if (isCurrent(next))
            due.push_back(next);
    }
    int fired = 0;
    for (const Due &entry : due) {
        auto it = timers.find(entry.timerId);
        if (it == timers.end() || it->serial != entry.serial || it->inEvent)
            continue; // unregistered or re-registered by an earlier handler of this turn
        it->deadlineNs = nextDeadline(*it, now);
        it->inEvent = true;
        QObject *object = it->object;
        const quint64 serial = it->serial;
        QTimerEvent event(entry.timerId);
        QCoreApplication::sendEvent(object, &event);
        ++fired;
        it = timers.find(entry.timerId);
        if (it != timers.end() && it->serial == serial) {
            it->inEvent = false;
            schedule(entry.timerId, *it);
        }
    }
    return fired;
}

bool EpollEventDispatcher::State::updateInterest(int fd, Socket &socket)
{
    epoll_event event{};
    event.data.fd = fd;
    if (socket.notifiers[0])
        event.events |= EPOLLIN;
    if (socket.notifiers[1])
        event.events |= EPOLLOUT;
    if (socket.notifiers[2])
        event.events |= EPOLLPRI;
    if (socket.alwaysReady)
        return true;
    if (event.events == 0) {
        if (socket.inEpoll)
            epoll_ctl(epollFd, EPOLL_CTL_DEL, fd, nullptr); // fails harmlessly once fd closed
        socket.inEpoll = false;
        return true;
    }
    if (socket.inEpoll) {
        if (epoll_ctl(epollFd, EPOLL_CTL_MOD, fd, &event) == 0)
            return true;
        if (errno != ENOENT) // closed and reopened under the same number: add it anew
            return false;
    }
    if (epoll_ctl(epollFd, EPOLL_CTL_ADD, fd, &event) == 0) {
        socket.inEpoll = true;
        return true;
    }
    if (errno == EPERM) {
        socket.alwaysReady = true;
        alwaysReady.insert(fd);
        return true;
    }
    return false;
}

bool EpollEventDispatcher::State::activate(int fd, int index)
{
    // Looked up again for each: an earlier handler may have disabled or deleted this notifier.
    const auto it = sockets.constFind(fd);
    if (it == sockets.cend() || !it->notifiers[index])
        return false;
    QEvent event(QEvent::SockAct);
    QCoreApplication::sendEvent(it->notifiers[index], &event);
    return true;
}

EpollEventDispatcher::EpollEventDispatcher(QObject *parent)
    : QAbstractEventDispatcher(parent)
    , d(std::make_unique<State>())
{
    d->epollFd = epoll_create1(EPOLL_CLOEXEC);
    d->wakeFd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (d->epollFd < 0 || d->wakeFd < 0)
        qFatal("heartline: epoll event dispatcher: %s", std::strerror(errno));
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.fd = d->wakeFd;
    epoll_ctl(d->epollFd, EPOLL_CTL_ADD, d->wakeFd, &event);
}

EpollEventDispatcher::~EpollEventDispatcher()
{
    ::close(d->wakeFd);
    ::close(d->epollFd);
}

bool EpollEventDispatcher::processEvents(QEventLoop::ProcessEventsFlags flags)
{
    m_interrupted.store(false, std::memory_order_relaxed);
    Q_EMIT awake();
    // Every post calls wakeUp(), which raises the pending flag (and writes the eventfd if it
    // was down), so the flag, taken before the posted events are sent, says this turn has
    // events to deliver and must not go to sleep after: a post that arrived while we waited is
    // delivered now, and the caller gets control back.
    const bool posts = m_wakePending.exchange(false, std::memory_order_acq_rel);
    if (posts) {
        // Taken before the events are sent: a post from now on writes the eventfd again. The
        // read may find it empty if the waker has set the flag but not yet written; its write
        // then only ends the next wait early.
        eventfd_t count;
        eventfd_read(d->wakeFd, &count);
    }
    QCoreApplication::sendPostedEvents();

    const bool canWait = (flags & QEventLoop::WaitForMoreEvents) && !posts
                         && !m_interrupted.load(std::memory_order_relaxed);
    int timeoutMs = 0;
    if (canWait && d->alwaysReady.isEmpty()) {
        const qint64 first = (flags & QEventLoop::X11ExcludeTimers) ? -1 : d->firstDeadlineNs();
        if (first < 0) {
            timeoutMs = -1;
        } else {
            const qint64 wait = first - nowNs();
            timeoutMs = wait <= 0 ? 0 : int(std::min<qint64>((wait + kNsPerMs - 1) / kNsPerMs,
                                                             std::numeric_limits<int>::max()));
        }
    }
    if (canWait)
        Q_EMIT aboutToBlock();

    epoll_event events[kEventsPerTurn];
    int ready;
    do {
        ready = epoll_wait(d->epollFd, events, kEventsPerTurn, timeoutMs);
    } while (ready < 0 && errno == EINTR);

    int handled = posts ? 1 : 0;
    const bool sockets = !(flags & QEventLoop::ExcludeSocketNotifiers);
    for (int i = 0; i < ready; ++i) {
        const int fd = events[i].data.fd;
        const uint32_t what = events[i].events;
        if (fd == d->wakeFd) {
            eventfd_t value;
            eventfd_read(d->wakeFd, &value);
            continue;
        }
        if (!sockets)
            continue; // level-triggered: they are reported again on a turn that wants them
        if (what & (EPOLLIN | EPOLLHUP | EPOLLERR))
            handled += d->activate(fd, 0);
        if (what & (EPOLLOUT | EPOLLHUP | EPOLLERR))
            handled += d->activate(fd, 1);
        if (what & EPOLLPRI)
            handled += d->activate(fd, 2);
    }
    if (sockets && !d->alwaysReady.isEmpty()) {
        for (int fd : QSet<int>(d->alwaysReady)) {
            handled += d->activate(fd, 0);
            handled += d->activate(fd, 1);
        }
    }
    if (!(flags & QEventLoop::X11ExcludeTimers))
        handled += d->fireDueTimers();
    return handled > 0;
}

void EpollEventDispatcher::registerSocketNotifier(QSocketNotifier *notifier)
{
    Q_ASSERT(notifier);
    if (notifier->thread() != thread() || thread() != QThread::currentThread()) {
        qCWarning(lcEpoll) << "socket notifiers cannot be enabled from another thread";
        return;
    }
    const int fd = int(notifier->socket());
    State::Socket &socket = d->sockets[fd];
    QSocketNotifier *&slot = socket.notifiers[notifierIndex(notifier->type())];
    if (slot && slot != notifier)
        qCWarning(lcEpoll) << "multiple socket notifiers for the same socket" << fd << "and type"
                           << notifier->type();
    slot = notifier;
    if (!d->updateInterest(fd, socket))
        qCWarning(lcEpoll) << "epoll_ctl for socket" << fd << "failed:" << std::strerror(errno);
}

void EpollEventDispatcher::unregisterSocketNotifier(QSocketNotifier *notifier)
{
    Q_ASSERT(notifier);
    const int fd = int(notifier->socket());
    const auto it = d->sockets.find(fd);
    if (it == d->sockets.end())
        return;
    QSocketNotifier *&slot = it->notifiers[notifierIndex(notifier->type())];
    if (slot != notifier)
        return;
    slot = nullptr;
    if (!it->notifiers[0] && !it->notifiers[1] && !it->notifiers[2]) {
        if (it->inEpoll)
            epoll_ctl(d->epollFd, EPOLL_CTL_DEL, fd, nullptr);
        d->alwaysReady.remove(fd);
        d->sockets.erase(it);
        return;
    }
    d->updateInterest(fd, *it);
}

void EpollEventDispatcher::registerTimer(int timerId, qint64 interval, Qt::TimerType timerType,
                                         QObject *object)
{
    Q_ASSERT(timerId > 0 && interval >= 0 && object);
    State::Timer timer;
    timer.object = object;
    timer.intervalMs = interval;
    timer.type = timerType;
    timer.serial = d->nextSerial++;
    const qint64 now = nowNs();
    timer.deadlineNs = timerType == Qt::VeryCoarseTimer
                           ? State::nextDeadline(timer, now)
                           : now + interval * kNsPerMs;
    if (d->timers.contains(timerId))
        unregisterTimer(timerId);
    d->timers.insert(timerId, timer);
    d->timersOf.insert(object, timerId);
    d->schedule(timerId, timer);
}

bool EpollEventDispatcher::unregisterTimer(int timerId)
{
    const auto it = d->timers.find(timerId);
    if (it == d->timers.end())
        return false;
    d->timersOf.remove(it->object, timerId);
    d->timers.erase(it); // its heap entries are now stale and dropped as they surface
    return true;
}

bool EpollEventDispatcher::unregisterTimers(QObject *object)
{
    const QList<int> ids = d->timersOf.values(object);
    for (int id : ids)
        d->timers.remove(id);
    d->timersOf.remove(object);
    return !ids.isEmpty();
}

QList<QAbstractEventDispatcher::TimerInfo>
EpollEventDispatcher::registeredTimers(QObject *object) const
{
    QList<TimerInfo> infos;
    for (int id : d->timersOf.values(object)) {
        const State::Timer &timer = d->timers.value(id);
        infos.append(TimerInfo(id, int(timer.intervalMs), timer.type));
    }
    return infos;
}

int EpollEventDispatcher::remainingTime(int timerId)
{
    const auto it = d->timers.constFind(timerId);
    if (it == d->timers.cend())
        return -1;
    const qint64 left = it->deadlineNs - nowNs();
    return left <= 0 ? 0 : int((left + kNsPerMs - 1) / kNsPerMs);
}

void EpollEventDispatcher::wakeUp()
{
    if (!m_wakePending.exchange(true, std::memory_order_acq_rel))
        eventfd_write(d->wakeFd, 1);
}

void EpollEventDispatcher::interrupt()
{
    m_interrupted.store(true, std::memory_order_relaxed);
    wakeUp();
}

} // namespace heartline
