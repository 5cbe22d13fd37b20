#include "server/session/pingclock.h"
#include "tests/support/servertestmain.h"

#include <QTest>

using namespace heartline;

// The ping clock takes the time as an argument: every case runs on a clock the test writes.
class tst_PingClock : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void pingsAtOnceThenEveryInterval();
    void noPingWithoutAStreamToCarryIt();
    void givesUpWhenTheAnswerIsLate();
    void anAnswerRecordsTheRoundTrip();
    void anotherResponseIsNoAnswer();
};

namespace {

constexpr int kInterval = 200;
constexpr int kTimeout = 300;

} // namespace

void tst_PingClock::pingsAtOnceThenEveryInterval()
{
    PingClock clock;
    QCOMPARE(clock.check(1000, kInterval, kTimeout, true), PingClock::Due::Ping);
    clock.sent(RequestId(QJsonValue(1)), 1000);
    QVERIFY(clock.answer(RequestId(QJsonValue(1)), 1010));
    QCOMPARE(clock.check(1000 + kInterval - 1, kInterval, kTimeout, true), PingClock::Due::Nothing);
    QCOMPARE(clock.check(1000 + kInterval, kInterval, kTimeout, true), PingClock::Due::Ping);
}

void tst_PingClock::noPingWithoutAStreamToCarryIt()
{
    PingClock clock;
    QCOMPARE(clock.check(1000, kInterval, kTimeout, false), PingClock::Due::Nothing);
}

void tst_PingClock::givesUpWhenTheAnswerIsLate()
{
    PingClock clock;
    clock.sent(RequestId(QJsonValue(1)), 1000);
    QCOMPARE(clock.check(1000 + kTimeout - 1, kInterval, kTimeout, true), PingClock::Due::Nothing);
    // A ping in flight is judged even once its stream is gone.
    QCOMPARE(clock.check(1000 + kTimeout, kInterval, kTimeout, false), PingClock::Due::GiveUp);
}

void tst_PingClock::anAnswerRecordsTheRoundTrip()
{
    PingClock clock;
    QCOMPARE(clock.rttMs(), qint64(-1));
    clock.sent(RequestId(QJsonValue(7)), 1000);
    QVERIFY(clock.answer(RequestId(QJsonValue(7)), 1042));
    QCOMPARE(clock.rttMs(), qint64(42));
    QVERIFY2(!clock.answer(RequestId(QJsonValue(7)), 1100), "a duplicate answer counts once");
    QCOMPARE(clock.rttMs(), qint64(42));
}

void tst_PingClock::anotherResponseIsNoAnswer()
{
    PingClock clock;
    clock.sent(RequestId(QJsonValue(7)), 1000);
    QVERIFY(!clock.answer(RequestId(QJsonValue(8)), 1010));
    QCOMPARE(clock.check(1000 + kTimeout, kInterval, kTimeout, true), PingClock::Due::GiveUp);
}

HEARTLINE_SERVER_TEST_MAIN(tst_PingClock)
#include "tst_pingclock.moc"
