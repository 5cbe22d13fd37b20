#include "server/http/ratelimiter.h"

#include <QTest>

using namespace heartline;
using namespace Qt::StringLiterals;

// The limiter takes the time as an argument, so every test here runs on a clock it writes
// itself: exact, and never waiting.
class tst_RateLimiter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void allowsTheBurstThenRefuses();
    void refillsAtTheRate_data();
    void refillsAtTheRate();
    void retryAfterIsTheTimeToTheNextToken_data();
    void retryAfterIsTheTimeToTheNextToken();
    void refusedRequestsTakeNothing();
    void peersHaveTheirOwnBuckets();
    void neverHoldsMoreThanTheBurst();
    void retryAfterSecondsRoundUp_data();
    void retryAfterSecondsRoundUp();
    void zeroRateIsOff();
    void forgetsIdlePeers();
    void staysWithinMaxPeers();
    void clockGoingBackDoesNotMint();
};

void tst_RateLimiter::allowsTheBurstThenRefuses()
{
    RateLimiter limiter(5, 3);
    QVERIFY(limiter.isEnabled());
    for (int i = 0; i < 3; ++i)
        QVERIFY2(limiter.take(u"a"_s, 1000).allowed, qPrintable(QString::number(i)));
    const RateLimiter::Decision refused = limiter.take(u"a"_s, 1000);
    QVERIFY(!refused.allowed);
    QCOMPARE(refused.retryAfterMs, 200);
    QCOMPARE(refused.retryAfterSeconds(), 1);
}

void tst_RateLimiter::refillsAtTheRate_data()
{
    QTest::addColumn<int>("perSecond");
    QTest::addColumn<qint64>("elapsedMs");
    QTest::addColumn<int>("allowedAfter");

    QTest::newRow("10/s, 99 ms: none back") << 10 << qint64(99) << 0;
    QTest::newRow("10/s, 100 ms: one back") << 10 << qint64(100) << 1;
    QTest::newRow("10/s, 350 ms: three back") << 10 << qint64(350) << 3;
    QTest::newRow("10/s, an hour: the burst only") << 10 << qint64(3600 * 1000) << 4;
    QTest::newRow("1/s, 999 ms: none back") << 1 << qint64(999) << 0;
    QTest::newRow("1000/s, 2 ms: two back") << 1000 << qint64(2) << 2;
}

void tst_RateLimiter::refillsAtTheRate()
{
    QFETCH(int, perSecond);
    QFETCH(qint64, elapsedMs);
    QFETCH(int, allowedAfter);

    RateLimiter limiter(perSecond, 4);
    while (limiter.take(u"p"_s, 0).allowed) {
    }
    int allowed = 0;
    while (limiter.take(u"p"_s, elapsedMs).allowed)
        ++allowed;
    QCOMPARE(allowed, allowedAfter);
}

void tst_RateLimiter::retryAfterIsTheTimeToTheNextToken_data()
{
    QTest::addColumn<int>("perSecond");
    QTest::addColumn<qint64>("sinceEmptyMs");
    QTest::addColumn<qint64>("retryAfterMs");
    QTest::addColumn<qint64>("retryAfterSeconds");

    QTest::newRow("5/s, just emptied") << 5 << qint64(0) << qint64(200) << qint64(1);
    QTest::newRow("5/s, 150 ms later") << 5 << qint64(150) << qint64(50) << qint64(1);
    QTest::newRow("3/s: a third of a second rounds up")
        << 3 << qint64(0) << qint64(334) << qint64(1);
    QTest::newRow("1/s, 1 ms later: seconds round up")
        << 1 << qint64(1) << qint64(999) << qint64(1);
}

void tst_RateLimiter::retryAfterIsTheTimeToTheNextToken()
{
    QFETCH(int, perSecond);
    QFETCH(qint64, sinceEmptyMs);
    QFETCH(qint64, retryAfterMs);
    QFETCH(qint64, retryAfterSeconds);

    RateLimiter limiter(perSecond, 1);
    QVERIFY(limiter.take(u"p"_s, 10000).allowed);
    const RateLimiter::Decision refused = limiter.take(u"p"_s, 10000 + sinceEmptyMs);
    QVERIFY(!refused.allowed);
    QCOMPARE(refused.retryAfterMs, retryAfterMs);
    QCOMPARE(refused.retryAfterSeconds(), retryAfterSeconds);
}

void tst_RateLimiter::refusedRequestsTakeNothing()
{
    // A client hammering while refused still gets its token when the time has come.
    RateLimiter limiter(5, 1);
    QVERIFY(limiter.take(u"p"_s, 0).allowed);
    for (qint64 now = 0; now < 200; now += 2)
        QVERIFY2(!limiter.take(u"p"_s, now).allowed, qPrintable(QString::number(now)));
    QVERIFY(limiter.take(u"p"_s, 200).allowed);
}

void tst_RateLimiter::peersHaveTheirOwnBuckets()
{
    RateLimiter limiter(1, 2);
    QVERIFY(limiter.take(u"a"_s, 0).allowed);
    QVERIFY(limiter.take(u"a"_s, 0).allowed);
    QVERIFY(!limiter.take(u"a"_s, 0).allowed);
    QVERIFY(limiter.take(u"b"_s, 0).allowed);
    QVERIFY(limiter.take(u"b"_s, 0).allowed);
    QVERIFY(!limiter.take(u"b"_s, 0).allowed);
}

void tst_RateLimiter::neverHoldsMoreThanTheBurst()
{
    // 100/s, burst 3: full again after 30 ms. At 29 ms, 2 + 2.9 tokens would be there
    // without the cap (and before any idle bucket is forgotten).
    RateLimiter limiter(100, 3);
    QVERIFY(limiter.take(u"p"_s, 0).allowed);
    int allowed = 0;
    while (limiter.take(u"p"_s, 29).allowed)
        ++allowed;
    QCOMPARE(allowed, 3);
}

void tst_RateLimiter::retryAfterSecondsRoundUp_data()
{
    QTest::addColumn<qint64>("retryAfterMs");
    QTest::addColumn<qint64>("seconds");
    QTest::newRow("1 ms") << qint64(1) << qint64(1);
    QTest::newRow("1000 ms") << qint64(1000) << qint64(1);
    QTest::newRow("1001 ms") << qint64(1001) << qint64(2);
    QTest::newRow("2500 ms") << qint64(2500) << qint64(3);
}

void tst_RateLimiter::retryAfterSecondsRoundUp()
{
    QFETCH(qint64, retryAfterMs);
    QFETCH(qint64, seconds);
    QCOMPARE((RateLimiter::Decision{false, retryAfterMs}.retryAfterSeconds()), seconds);
}

void tst_RateLimiter::zeroRateIsOff()
{
    RateLimiter limiter(0, 1);
    QVERIFY(!limiter.isEnabled());
    for (int i = 0; i < 1000; ++i)
        QVERIFY(limiter.take(u"p"_s, 0).allowed);
    QCOMPARE(limiter.trackedPeers(), 0);
}

void tst_RateLimiter::forgetsIdlePeers()
{
    // 10/s with a burst of 5: an untouched bucket is full again after 500 ms.
    RateLimiter limiter(10, 5);
    for (int i = 0; i < 100; ++i)
        limiter.take(u"peer-"_s + QString::number(i), 0);
    QCOMPARE(limiter.trackedPeers(), 100);
    limiter.take(u"busy"_s, 400);
    QVERIFY(limiter.trackedPeers() > 100); // not yet: none is full again
    limiter.take(u"busy"_s, 1000);
    QCOMPARE(limiter.trackedPeers(), 1);
    // A forgotten peer starts again with a full bucket, exactly as if it had been kept.
    for (int i = 0; i < 5; ++i)
        QVERIFY(limiter.take(u"peer-0"_s, 1000).allowed);
    QVERIFY(!limiter.take(u"peer-0"_s, 1000).allowed);
}

void tst_RateLimiter::staysWithinMaxPeers()
{
    RateLimiter limiter(1, 10, 50);
    for (int i = 0; i < 1000; ++i) {
        limiter.take(u"10.0.0."_s + QString::number(i), i);
        QVERIFY2(limiter.trackedPeers() <= 50, qPrintable(QString::number(i)));
    }
    // The most recent peer is still remembered: its bucket is not full again.
    const QString last = u"10.0.0.999"_s;
    int allowed = 0;
    while (limiter.take(last, 999).allowed)
        ++allowed;
    QCOMPARE(allowed, 9);
}

void tst_RateLimiter::clockGoingBackDoesNotMint()
{
    RateLimiter limiter(1, 1);
    QVERIFY(limiter.take(u"p"_s, 5000).allowed);
    QVERIFY(!limiter.take(u"p"_s, 1000).allowed);
    QVERIFY(!limiter.take(u"p"_s, 5500).allowed);
    QVERIFY(limiter.take(u"p"_s, 6000).allowed);
}

QTEST_APPLESS_MAIN(tst_RateLimiter)
#include "tst_ratelimiter.moc"
