#include "server/tools/upstream/launchqueue.h"
#include "tests/support/servertestmain.h"

#include <QTest>
#include <QTimer>

#include <memory>

using heartline::LaunchQueue;
using namespace Qt::StringLiterals;

namespace {
constexpr int kWaitMs = 5000;
} // namespace

class tst_LaunchQueue : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // The point of the queue: between two launches the loop turns (a zero timer of the
    // server's ticks in between), so twenty children never start within one turn.
    void theLoopTurnsBetweenTwoLaunches()
    {
        LaunchQueue queue;
        QObject owner;
        QList<int> ticksAtLaunch;
        int ticks = 0;
        QTimer turn;
        turn.setInterval(0);
        connect(&turn, &QTimer::timeout, [&ticks] { ++ticks; });
        turn.start();
        for (int i = 0; i < 5; ++i)
            queue.enqueue(&owner, [&] { ticksAtLaunch.append(ticks); });
        QCOMPARE(ticksAtLaunch.size(), 0); // never from inside enqueue()
        QVERIFY(QTest::qWaitFor([&] { return ticksAtLaunch.size() == 5; }, kWaitMs));
        for (int i = 1; i < ticksAtLaunch.size(); ++i)
            QVERIFY2(ticksAtLaunch.at(i) > ticksAtLaunch.at(i - 1),
                     qPrintable(u"launches %1 and %2 in one turn"_s.arg(i - 1).arg(i)));
        QCOMPARE(queue.pendingCount(), 0);
    }

    void launchesInTheOrderQueued()
    {
        LaunchQueue queue;
        QObject owner;
        QList<int> order;
        for (int i = 0; i < 4; ++i)
            queue.enqueue(&owner, [&order, i] { order.append(i); });
        QVERIFY(QTest::qWaitFor([&] { return order.size() == 4; }, kWaitMs));
        QCOMPARE(order, (QList<int>{0, 1, 2, 3}));
    }

    // A server stopped or removed before its turn must not start a child afterwards.
    void aCancelledOrDestroyedOwnerIsNeverLaunched()
    {
        LaunchQueue queue;
        QObject kept;
        QObject cancelled;
        auto destroyed = std::make_unique<QObject>();
        QStringList launched;
        queue.enqueue(&cancelled, [&] { launched.append(u"cancelled"_s); });
        queue.enqueue(destroyed.get(), [&] { launched.append(u"destroyed"_s); });
        queue.enqueue(&kept, [&] { launched.append(u"kept"_s); });
        queue.cancel(&cancelled);
        destroyed.reset();
        QCOMPARE(queue.pendingCount(), 2);
        // kept was queued last: once it ran, the two before it have had their turn.
        QVERIFY(QTest::qWaitFor([&] { return !launched.isEmpty(); }, kWaitMs));
        QCOMPARE(launched, QStringList{u"kept"_s});
        QCOMPARE(queue.pendingCount(), 0);
    }

    // A launch that queues another (a start that failed at once and retries) is served too.
    void aLaunchMayQueueAnother()
    {
        LaunchQueue queue;
        QObject owner;
        int launches = 0;
        std::function<void()> launch = [&] {
            if (++launches < 3)
                queue.enqueue(&owner, launch);
        };
        queue.enqueue(&owner, launch);
        QVERIFY(QTest::qWaitFor([&] { return launches == 3; }, kWaitMs));
    }
};

HEARTLINE_SERVER_TEST_MAIN(tst_LaunchQueue)
#include "tst_launchqueue.moc"
