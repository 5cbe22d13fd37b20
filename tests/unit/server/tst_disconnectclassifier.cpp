#include "server/session/disconnectclassifier.h"
#include "tests/support/servertestmain.h"

#include <QTest>

Q_DECLARE_METATYPE(heartline::DisconnectCause)

using namespace heartline;
using namespace Qt::StringLiterals;

// The proxy-idle heuristic as a pure function: every input is in the table, so the threshold
// is met by writing a number, never by waiting.
class tst_DisconnectClassifier : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void classifies_data();
    void classifies();
    void keepsTheDetailUnlessItSuspectsAProxy();
};

void tst_DisconnectClassifier::classifies_data()
{
    QTest::addColumn<DisconnectCause>("cause");
    QTest::addColumn<qint64>("silentMs");
    QTest::addColumn<bool>("owed");
    QTest::addColumn<bool>("listening");
    QTest::addColumn<int>("heartbeatMs");
    QTest::addColumn<int>("toleranceMs");
    QTest::addColumn<DisconnectCause>("expected");
    QTest::addColumn<QString>("detailMentions");

    const auto closed = DisconnectCause::ClientClosed;
    const auto reset = DisconnectCause::ConnectionReset;
    const auto proxy = DisconnectCause::ProxyIdleSuspected;
    QTest::newRow("silent, owed, heartbeats off")
        << closed << qint64(1300) << true << false << 0 << 1000 << proxy << u"heartbeats are off"_s;
    QTest::newRow("a reset counts like a close")
        << reset << qint64(1300) << true << false << 0 << 1000 << proxy << u"1.3 s"_s;
    QTest::newRow("heartbeats slower than the proxy")
        << closed << qint64(1300) << true << false << 5000 << 1000 << proxy << u"5000 ms"_s;
    QTest::newRow("exactly the tolerance")
        << closed << qint64(1000) << true << false << 0 << 1000 << proxy << u"1.0 s"_s;
    QTest::newRow("just under the tolerance")
        << closed << qint64(999) << true << false << 0 << 1000 << closed << QString();
    QTest::newRow("a short tolerance")
        << closed << qint64(60) << true << false << 0 << 50 << proxy << u"heartbeats are off"_s;
    QTest::newRow("nothing owed") << closed << qint64(5000) << false << false << 0 << 1000 << closed
                                  << QString();
    QTest::newRow("a listener closing its subscription")
        << closed << qint64(5000) << true << true << 0 << 1000 << closed << QString();
    QTest::newRow("the server's own cause")
        << DisconnectCause::SlowConsumer << qint64(5000) << true << false << 0 << 1000
        << DisconnectCause::SlowConsumer << QString();
    QTest::newRow("a write failure")
        << DisconnectCause::WriteFailed << qint64(5000) << true << false << 0 << 1000
        << DisconnectCause::WriteFailed << QString();
}

void tst_DisconnectClassifier::classifies()
{
    QFETCH(DisconnectCause, cause);
    QFETCH(qint64, silentMs);
    QFETCH(bool, owed);
    QFETCH(bool, listening);
    QFETCH(int, heartbeatMs);
    QFETCH(int, toleranceMs);
    QFETCH(DisconnectCause, expected);
    QFETCH(QString, detailMentions);

    StreamEndFacts facts;
    facts.cause = cause;
    facts.silentMs = silentMs;
    facts.responseOwed = owed;
    facts.listening = listening;
    ClassifierSettings settings;
    settings.heartbeatIntervalMs = heartbeatMs;
    settings.proxyIdleToleranceMs = toleranceMs;
    QString detail = u"as the stream saw it"_s;
    QCOMPARE(DisconnectCauses::name(classifyStreamEnd(facts, settings, &detail)),
             DisconnectCauses::name(expected));
    if (!detailMentions.isEmpty())
        QVERIFY2(detail.contains(detailMentions), qPrintable(detail));
}

void tst_DisconnectClassifier::keepsTheDetailUnlessItSuspectsAProxy()
{
    StreamEndFacts facts;
    facts.silentMs = 10;
    facts.responseOwed = true;
    QString detail = u"the peer closed the connection"_s;
    QCOMPARE(classifyStreamEnd(facts, ClassifierSettings{}, &detail),
             DisconnectCause::ClientClosed);
    QCOMPARE(detail, u"the peer closed the connection"_s);
}

HEARTLINE_SERVER_TEST_MAIN(tst_DisconnectClassifier)
#include "tst_disconnectclassifier.moc"
