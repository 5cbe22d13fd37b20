// The epoll event dispatcher as the whole test's dispatcher (installed before the application
// object exists, as the server's thread will install it), checked for what Qt's own dispatcher
// tests check. Timing bounds are one-sided where they can be (a timer never fires early); upper
// bounds are generous sanity limits, never measurements.
#include "server/eventloop/epolleventdispatcher.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QPointer>
#include <QSet>
#include <QSocketNotifier>
#include <QTest>
#include <QThread>
#include <QTimer>

#include <atomic>
#include <functional>
#include <memory>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using heartline::EpollEventDispatcher;
using namespace Qt::StringLiterals;

namespace {

constexpr int kWaitMs = 5000;

// Two connected ends of a Unix stream socket, closed with the pair.
struct SocketPair
{
    int fds[2] = {-1, -1};
    SocketPair() { ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds); }
    ~SocketPair()
    {
        for (int fd : fds) {
            if (fd >= 0)
                ::close(fd);
        }
    }
    bool ok() const { return fds[0] >= 0 && fds[1] >= 0; }
    void write(int end, const char *bytes = "x") { (void)!::write(fds[end], bytes, 1); }
    void drain(int end)
    {
        char buffer[256];
        while (::read(fds[end], buffer, sizeof buffer) > 0) {
        }
    }
};

// A read notifier on a pair's first end that drains what arrives and says it did.
struct DrainingReader
{
    QSocketNotifier notifier;
    bool read = false;
    explicit DrainingReader(SocketPair &pair)
        : notifier(pair.fds[0], QSocketNotifier::Read)
    {
        QObject::connect(&notifier, &QSocketNotifier::activated, [this, &pair] {
            read = true;
            pair.drain(0);
        });
    }
};

// A loopback TCP connection made with plain blocking calls (out-of-band data needs TCP).
struct TcpPair
{
    int client = -1;
    int server = -1;
    TcpPair()
    {
        const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t length = sizeof address;
        if (::bind(listener, reinterpret_cast<sockaddr *>(&address), sizeof address) == 0
            && ::listen(listener, 1) == 0
            && ::getsockname(listener, reinterpret_cast<sockaddr *>(&address), &length) == 0) {
            client = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
            if (::connect(client, reinterpret_cast<sockaddr *>(&address), sizeof address) == 0)
                server = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
        }
        ::close(listener);
    }
    ~TcpPair()
    {
        if (client >= 0)
            ::close(client);
        if (server >= 0)
            ::close(server);
    }
};

// Runs turns of the loop until `done` or the deadline; true when done.
bool turnUntil(const std::function<bool()> &done, int timeoutMs = kWaitMs)
{
    QElapsedTimer clock;
    clock.start();
    while (!done()) {
        if (clock.elapsed() > timeoutMs)
            return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
    }
    return true;
}

class TimerCounter : public QObject
{
public:
    int fired = 0;
    int depth = 0;
    int deepest = 0;
    std::function<void(int timerId)> onTimer;

protected:
    void timerEvent(QTimerEvent *event) override
    {
        ++fired;
        ++depth;
        deepest = std::max(deepest, depth);
        if (onTimer)
            onTimer(event->timerId());
        --depth;
    }
};

class PostedEvent : public QEvent
{
public:
    static QEvent::Type kind() { return static_cast<QEvent::Type>(QEvent::User + 7); }
    PostedEvent()
        : QEvent(kind())
    {}
};

class EventCatcher : public QObject
{
public:
    std::atomic<int> caught{0};

protected:
    bool event(QEvent *event) override
    {
        if (event->type() == PostedEvent::kind()) {
            ++caught;
            return true;
        }
        return QObject::event(event);
    }
};

} // namespace

class tst_EpollEventDispatcher final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void isTheThreadsDispatcher();

    void readNotifierFiresWhenDataArrivesNotBefore();
    void writeNotifierFiresWhileWritable();
    void exceptionNotifierFiresOnOutOfBandData();
    void disabledInsideItsOwnActivationItFiresNoMore();
    void reEnabledInsideItsOwnActivationItFiresAgain();
    void deletedInsideItsOwnActivation();
    void aSiblingDeletedByAnEarlierHandlerOfTheSameTurnIsNotActivated();
    void hangUpWakesTheReader();

    void everyTimerTypeFiresNoEarlierThanItsInterval_data();
    void everyTimerTypeFiresNoEarlierThanItsInterval();
    void aZeroTimerFiresEveryTurnWithoutStarvingSockets();
    void remainingTimeCountsDown();
    void killedInsideItsOwnEventItFiresNoMore();
    void destroyingAnObjectUnregistersItsTimers();
    void thousandsOfTimersFireInDeadlineOrder();

    void postedEventsAreDelivered();
    void aPostFromAnotherThreadEndsTheWait();
    void interruptFromAnotherThreadEndsTheWait();
    void aNestedLoopServesSocketsAndTimersButNotTheRunningTimer();
    void aWorkerThreadRunsItsOwnLoopOnIt();
};

void tst_EpollEventDispatcher::isTheThreadsDispatcher()
{
    QVERIFY(qobject_cast<EpollEventDispatcher *>(QAbstractEventDispatcher::instance()));
}

void tst_EpollEventDispatcher::readNotifierFiresWhenDataArrivesNotBefore()
{
    SocketPair pair;
    QVERIFY(pair.ok());
    QSocketNotifier notifier(pair.fds[0], QSocketNotifier::Read);
    int activations = 0;
    connect(&notifier, &QSocketNotifier::activated, [&] {
        ++activations;
        pair.drain(0);
    });
    for (int turn = 0; turn < 5; ++turn)
        QCoreApplication::processEvents();
    QCOMPARE(activations, 0);
    pair.write(1);
    QVERIFY(turnUntil([&] { return activations == 1; }));
    for (int turn = 0; turn < 5; ++turn)
        QCoreApplication::processEvents();
    QCOMPARE(activations, 1); // drained: level-triggered, nothing more to report
}

void tst_EpollEventDispatcher::writeNotifierFiresWhileWritable()
{
    SocketPair pair;
    QVERIFY(pair.ok());
    QSocketNotifier notifier(pair.fds[0], QSocketNotifier::Write);
    int activations = 0;
    connect(&notifier, &QSocketNotifier::activated, [&] {
        if (++activations == 3)
            notifier.setEnabled(false);
    });
    QVERIFY(turnUntil([&] { return activations == 3; }));
    for (int turn = 0; turn < 5; ++turn)
        QCoreApplication::processEvents();
    QCOMPARE(activations, 3);
}

void tst_EpollEventDispatcher::exceptionNotifierFiresOnOutOfBandData()
{
    TcpPair tcp;
    QVERIFY(tcp.server >= 0);
    QSocketNotifier notifier(tcp.server, QSocketNotifier::Exception);
    int activations = 0;
    connect(&notifier, &QSocketNotifier::activated, [&] {
        ++activations;
        char byte;
        (void)!::recv(tcp.server, &byte, 1, MSG_OOB);
    });
    QCoreApplication::processEvents();
    QCOMPARE(activations, 0);
    QCOMPARE(::send(tcp.client, "!", 1, MSG_OOB), ssize_t(1));
    QVERIFY(turnUntil([&] { return activations >= 1; }));
}

void tst_EpollEventDispatcher::disabledInsideItsOwnActivationItFiresNoMore()
{
    SocketPair pair;
    QSocketNotifier notifier(pair.fds[0], QSocketNotifier::Read);
    int activations = 0;
    connect(&notifier, &QSocketNotifier::activated, [&] {
        ++activations;
        notifier.setEnabled(false); // not drained: still readable
    });
    pair.write(1);
    QVERIFY(turnUntil([&] { return activations == 1; }));
    pair.write(1);
    for (int turn = 0; turn < 5; ++turn)
        QCoreApplication::processEvents();
    QCOMPARE(activations, 1);
    notifier.setEnabled(true);
    QVERIFY(turnUntil([&] { return activations == 2; }));
}

void tst_EpollEventDispatcher::reEnabledInsideItsOwnActivationItFiresAgain()
{
    SocketPair pair;
    QSocketNotifier notifier(pair.fds[0], QSocketNotifier::Read);
    int activations = 0;
    connect(&notifier, &QSocketNotifier::activated, [&] {
        ++activations;
        notifier.setEnabled(false);
        notifier.setEnabled(true);
        if (activations == 3)
            pair.drain(0);
    });
    pair.write(1);
    QVERIFY(turnUntil([&] { return activations == 3; }));
}

void tst_EpollEventDispatcher::deletedInsideItsOwnActivation()
{
    SocketPair pair;
    QPointer<QSocketNotifier> notifier = new QSocketNotifier(pair.fds[0], QSocketNotifier::Read);
    int activations = 0;
    connect(notifier, &QSocketNotifier::activated, [&] {
        ++activations;
        delete notifier.data();
    });
    pair.write(1);
    QVERIFY(turnUntil([&] { return activations == 1; }));
    QVERIFY(!notifier);
    pair.write(1);
    for (int turn = 0; turn < 5; ++turn)
        QCoreApplication::processEvents();
    QCOMPARE(activations, 1);
}

void tst_EpollEventDispatcher::aSiblingDeletedByAnEarlierHandlerOfTheSameTurnIsNotActivated()
{
    // Readable and writable in the same turn: the read handler (run first) deletes the write
    // notifier, which must then not be activated from the event already returned by epoll.
    SocketPair pair;
    auto *reader = new QSocketNotifier(pair.fds[0], QSocketNotifier::Read, this);
    QPointer<QSocketNotifier> writer = new QSocketNotifier(pair.fds[0], QSocketNotifier::Write);
    int reads = 0;
    int writes = 0;
    connect(writer, &QSocketNotifier::activated, [&] { ++writes; });
    connect(reader, &QSocketNotifier::activated, [&] {
        ++reads;
        pair.drain(0);
        delete writer.data();
    });
    pair.write(1);
    QVERIFY(turnUntil([&] { return reads == 1; }));
    QCOMPARE(writes, 0);
    delete reader;
}

void tst_EpollEventDispatcher::hangUpWakesTheReader()
{
    SocketPair pair;
    QSocketNotifier notifier(pair.fds[0], QSocketNotifier::Read);
    bool sawEnd = false;
    connect(&notifier, &QSocketNotifier::activated, [&] {
        char byte;
        if (::read(pair.fds[0], &byte, 1) == 0) {
            sawEnd = true;
            notifier.setEnabled(false);
        }
    });
    ::close(pair.fds[1]);
    pair.fds[1] = -1;
    QVERIFY(turnUntil([&] { return sawEnd; }));
}

void tst_EpollEventDispatcher::everyTimerTypeFiresNoEarlierThanItsInterval_data()
{
    QTest::addColumn<Qt::TimerType>("type");
    QTest::addColumn<int>("intervalMs");
    QTest::addColumn<int>("earliestMs");
    QTest::newRow("precise") << Qt::PreciseTimer << 50 << 50;
    QTest::newRow("coarse") << Qt::CoarseTimer << 50 << 47; // Qt allows coarse 5 % early
    // Whole seconds, on the second: between interval - 0.5 s and + 0.5 s.
    QTest::newRow("very coarse") << Qt::VeryCoarseTimer << 1000 << 500;
}

void tst_EpollEventDispatcher::everyTimerTypeFiresNoEarlierThanItsInterval()
{
    QFETCH(Qt::TimerType, type);
    QFETCH(int, intervalMs);
    QFETCH(int, earliestMs);
    TimerCounter counter;
    QElapsedTimer clock;
    QList<qint64> firedAtMs;
    counter.onTimer = [&](int) { firedAtMs.append(clock.elapsed()); };
    clock.start();
    const int id = counter.startTimer(intervalMs, type);
    QVERIFY(id > 0);
    QVERIFY(turnUntil([&] { return firedAtMs.size() == 3; }, 10 * intervalMs + kWaitMs));
    counter.killTimer(id);
    QVERIFY2(firedAtMs.at(0) >= earliestMs, qPrintable(QString::number(firedAtMs.at(0))));
    // Repeats keep their rhythm: three firings take at least two more intervals less slack.
    QVERIFY2(firedAtMs.at(2) - firedAtMs.at(0) >= 2 * earliestMs - 1,
             qPrintable(QString::number(firedAtMs.at(2) - firedAtMs.at(0))));
}

void tst_EpollEventDispatcher::aZeroTimerFiresEveryTurnWithoutStarvingSockets()
{
    SocketPair pair;
    DrainingReader reader(pair);
    const bool &read = reader.read;
    TimerCounter counter;
    const int id = counter.startTimer(0);
    QCoreApplication::processEvents();
    QCoreApplication::processEvents();
    QCoreApplication::processEvents();
    QCOMPARE(counter.fired, 3); // once per turn, not in a loop within one
    pair.write(1);
    QVERIFY(turnUntil([&] { return read; }));
    counter.killTimer(id);
}

void tst_EpollEventDispatcher::remainingTimeCountsDown()
{
    auto *dispatcher = QAbstractEventDispatcher::instance();
    TimerCounter counter;
    const int id = counter.startTimer(2000, Qt::PreciseTimer);
    const int first = dispatcher->remainingTime(id);
    QVERIFY2(first > 1000 && first <= 2000, qPrintable(QString::number(first)));
    QElapsedTimer clock;
    clock.start();
    QVERIFY(turnUntil([&] { return clock.elapsed() >= 200; }));
    const int later = dispatcher->remainingTime(id);
    QVERIFY2(later <= 2000 - 200 + 1 && later < first, qPrintable(QString::number(later)));
    QCOMPARE(dispatcher->registeredTimers(&counter).size(), 1);
    QCOMPARE(dispatcher->registeredTimers(&counter).at(0).interval, 2000);
    counter.killTimer(id);
    QCOMPARE(dispatcher->remainingTime(id), -1);
    QCOMPARE(counter.fired, 0);
}

void tst_EpollEventDispatcher::killedInsideItsOwnEventItFiresNoMore()
{
    TimerCounter counter;
    counter.onTimer = [&](int id) { counter.killTimer(id); };
    counter.startTimer(0);
    TimerCounter witness; // keeps the loop turning for a while after
    witness.startTimer(1);
    QVERIFY(turnUntil([&] { return witness.fired >= 20; }));
    QCOMPARE(counter.fired, 1);
}

void tst_EpollEventDispatcher::destroyingAnObjectUnregistersItsTimers()
{
    auto *dispatcher = QAbstractEventDispatcher::instance();
    auto counter = std::make_unique<TimerCounter>();
    const int first = counter->startTimer(5);
    const int second = counter->startTimer(7);
    QCOMPARE(dispatcher->registeredTimers(counter.get()).size(), 2);
    counter.reset(); // QObject's destructor hands its running timers back
    QCOMPARE(dispatcher->remainingTime(first), -1);
    QCOMPARE(dispatcher->remainingTime(second), -1);
    TimerCounter witness;
    witness.startTimer(1);
    QVERIFY(turnUntil([&] { return witness.fired >= 20; })); // nothing fires at a dead object
}

void tst_EpollEventDispatcher::thousandsOfTimersFireInDeadlineOrder()
{
    // 2,000 one-shot timers registered in reverse order of their intervals: each fires once,
    // in the order of its deadline (registration time + interval, to the millisecond).
    QElapsedTimer clock;
    clock.start();
    // Each deadline between the clock read before its registration and the one after: the test
    // may be preempted between the two (it was, under the sanitizers), never inside both.
    QHash<int, QPair<qint64, qint64>> deadlineMs;
    QList<int> order;
    std::vector<std::unique_ptr<QTimer>> timers;
    for (int i = 1999; i >= 0; --i) {
        auto timer = std::make_unique<QTimer>();
        timer->setSingleShot(true);
        timer->setTimerType(Qt::PreciseTimer);
        connect(timer.get(), &QTimer::timeout, [&order, i] { order.append(i); });
        const qint64 before = clock.elapsed();
        timer->start(i / 20); // 0 to 99 ms, twenty per millisecond
        deadlineMs.insert(i, {before + i / 20, clock.elapsed() + i / 20});
        timers.push_back(std::move(timer));
    }
    QVERIFY(turnUntil([&] { return order.size() == 2000; }));
    QCOMPARE(QSet<int>(order.cbegin(), order.cend()).size(), 2000);
    for (int i = 1; i < order.size(); ++i) {
        // One millisecond of slack: the dispatcher reads its clock on its own.
        QVERIFY2(deadlineMs.value(order.at(i)).second + 1
                     >= deadlineMs.value(order.at(i - 1)).first,
                 qPrintable(u"%1 after %2"_s.arg(order.at(i)).arg(order.at(i - 1))));
    }
}

void tst_EpollEventDispatcher::postedEventsAreDelivered()
{
    EventCatcher catcher;
    for (int i = 0; i < 3; ++i)
        QCoreApplication::postEvent(&catcher, new PostedEvent);
    QCOMPARE(catcher.caught.load(), 0);
    QCoreApplication::processEvents();
    QCOMPARE(catcher.caught.load(), 3);
    // And a deleteLater, the posted event every Qt program leans on: run by an event loop.
    QPointer<QObject> doomed = new QObject;
    QEventLoop loop;
    connect(doomed, &QObject::destroyed, &loop, &QEventLoop::quit);
    QTimer::singleShot(kWaitMs, &loop, &QEventLoop::quit);
    doomed->deleteLater();
    loop.exec();
    QVERIFY(doomed.isNull());
}

void tst_EpollEventDispatcher::aPostFromAnotherThreadEndsTheWait()
{
    EventCatcher catcher;
    auto *dispatcher = QAbstractEventDispatcher::instance();
    std::unique_ptr<QThread> poster;
    // Started once the loop is about to block with nothing to wake it but the post.
    auto connection = connect(dispatcher, &QAbstractEventDispatcher::aboutToBlock, [&] {
        if (!poster) {
            poster.reset(QThread::create(
                [&catcher] { QCoreApplication::postEvent(&catcher, new PostedEvent); }));
            poster->start();
        }
    });
    bool guardFired = false;
    QTimer::singleShot(20000, [&] { guardFired = true; });
    while (catcher.caught.load() == 0 && !guardFired)
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents);
    disconnect(connection);
    QVERIFY(!guardFired);
    QCOMPARE(catcher.caught.load(), 1);
    poster->wait();
}

void tst_EpollEventDispatcher::interruptFromAnotherThreadEndsTheWait()
{
    auto *dispatcher = QAbstractEventDispatcher::instance();
    std::unique_ptr<QThread> interrupter;
    auto connection = connect(dispatcher, &QAbstractEventDispatcher::aboutToBlock, [&] {
        if (!interrupter) {
            interrupter.reset(QThread::create([dispatcher] { dispatcher->interrupt(); }));
            interrupter->start();
        }
    });
    bool guardFired = false;
    QTimer guard;
    guard.setSingleShot(true);
    connect(&guard, &QTimer::timeout, [&] { guardFired = true; });
    guard.start(20000);
    // One call: it blocks (nothing else is due for 20 s) until the interrupt.
    dispatcher->processEvents(QEventLoop::WaitForMoreEvents);
    disconnect(connection);
    QVERIFY(interrupter);
    QVERIFY(!guardFired);
    interrupter->wait();
}

void tst_EpollEventDispatcher::aNestedLoopServesSocketsAndTimersButNotTheRunningTimer()
{
    SocketPair pair;
    DrainingReader reader(pair);
    const bool &read = reader.read;
    TimerCounter other;
    TimerCounter outer;
    bool nestedDone = false;
    outer.onTimer = [&](int id) {
        if (outer.fired > 1)
            return;
        // A nested loop inside a timer's own event (a modal dialog, a waitFor...): the other
        // timer and the socket are served, this timer is not fired again inside itself.
        QEventLoop nested;
        const int otherId = other.startTimer(1);
        pair.write(1);
        QTimer::singleShot(200, &nested, &QEventLoop::quit);
        nested.exec();
        other.killTimer(otherId);
        outer.killTimer(id);
        nestedDone = true;
    };
    outer.startTimer(0);
    QVERIFY(turnUntil([&] { return nestedDone; }));
    QVERIFY(read);
    QVERIFY(other.fired > 0);
    QCOMPARE(outer.deepest, 1);
    QCOMPARE(outer.fired, 1);
}

void tst_EpollEventDispatcher::aWorkerThreadRunsItsOwnLoopOnIt()
{
    // The server's thread: its own dispatcher set before it starts, work queued to it from
    // here, answers queued back.
    QThread worker;
    worker.setEventDispatcher(new EpollEventDispatcher);
    worker.start();
    auto *context = new QObject;
    context->moveToThread(&worker);
    std::atomic<bool> onItsDispatcher{false};
    std::atomic<int> ticks{0};
    QMetaObject::invokeMethod(context, [&, context] {
        onItsDispatcher =
            qobject_cast<EpollEventDispatcher *>(QAbstractEventDispatcher::instance()) != nullptr;
        auto *timer = new QTimer(context);
        connect(timer, &QTimer::timeout, [&ticks] { ++ticks; });
        timer->start(1);
    });
    QVERIFY(turnUntil([&] { return ticks.load() >= 10; }));
    QVERIFY(onItsDispatcher);
    // Deleted on its thread (with its timer) as the thread finishes: a DeferredDelete posted
    // there is handled even after quit(); a queued call to deleteLater could be left in the
    // queue by it (LeakSanitizer found the context leaked, once in several runs).
    context->deleteLater();
    worker.quit();
    QVERIFY(worker.wait(kWaitMs));
}

int main(int argc, char *argv[])
{
    // Before the application object: the main thread's loop runs on it from the start.
    QCoreApplication::setEventDispatcher(new EpollEventDispatcher);
    QCoreApplication app(argc, argv);
    tst_EpollEventDispatcher test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_epolleventdispatcher.moc"
