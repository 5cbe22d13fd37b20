#include "server/qt64/warningthrottle.h"
#include "tests/support/servertestmain.h"

#include <QTest>

#include <vector>

using namespace heartline;

// A flood of one warning becomes a burst of lines and one count per window; a lone warning is
// always a line. The window is short here and the test waits for the summary's signal-driven
// callback with a deadline, never for a fixed time.
class tst_WarningThrottle : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void logsTheBurstThenCountsTheRest();
    void aQuietWindowSaysNothing();
};

namespace {
constexpr int kBurst = 3;
constexpr int kWindowMs = 100;
} // namespace

void tst_WarningThrottle::logsTheBurstThenCountsTheRest()
{
    std::vector<qint64> summaries;
    WarningThrottle throttle(kBurst, kWindowMs,
                             [&summaries](qint64 leftOut) { summaries.push_back(leftOut); });
    int admitted = 0;
    for (int i = 0; i < 50; ++i)
        admitted += throttle.admit() ? 1 : 0;
    QCOMPARE(admitted, kBurst);
    QVERIFY(summaries.empty()); // said when the window ends, not before

    QTRY_VERIFY_WITH_TIMEOUT(!summaries.empty(), 5000);
    QCOMPARE(summaries, std::vector<qint64>{50 - kBurst});

    // A new window: a burst of lines again, and the count starts over.
    admitted = 0;
    for (int i = 0; i < 10; ++i)
        admitted += throttle.admit() ? 1 : 0;
    QCOMPARE(admitted, kBurst);
    QTRY_VERIFY_WITH_TIMEOUT(summaries.size() == 2, 5000);
    QCOMPARE(summaries.back(), qint64(10 - kBurst));
}

void tst_WarningThrottle::aQuietWindowSaysNothing()
{
    int summaries = 0;
    WarningThrottle throttle(kBurst, kWindowMs, [&summaries](qint64) { ++summaries; });
    for (int i = 0; i < kBurst; ++i)
        QVERIFY(throttle.admit());

    // Nothing was left out: the window ends without a summary, and the next warning, however
    // much later, is a line of its own.
    QTest::qWait(3 * kWindowMs); // the absence of a callback can only be shown by waiting
    QCOMPARE(summaries, 0);
    QVERIFY(throttle.admit());
}

HEARTLINE_SERVER_TEST_MAIN(tst_WarningThrottle)
#include "tst_warningthrottle.moc"
