#include "server/api/disconnectcause.h"

#include <QSet>
#include <QTest>

using namespace heartline;
using namespace Qt::StringLiterals;

Q_DECLARE_METATYPE(heartline::DisconnectCause)

class tst_DisconnectCause : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void nameIsTheDesignName_data();
    void nameIsTheDesignName();
    void everyCauseRoundTripsThroughItsName();
    void namesAreExactlyTheDesignList();
    void parseRefusesWhatIsNotAName_data();
    void parseRefusesWhatIsNotAName();
};

// Written out from DESIGN.md ("Disconnect causes"), not from the code under test.
static const QStringList kDesignNames{
    u"client_closed"_s,   u"connection_reset"_s, u"write_failed"_s,    u"slow_consumer"_s,
    u"session_deleted"_s, u"session_expired"_s,  u"stream_replaced"_s, u"poll_close"_s,
    u"server_shutdown"_s, u"protocol_error"_s,   u"unresponsive"_s,    u"proxy_idle_suspected"_s,
    u"auth_failed"_s,     u"origin_rejected"_s,  u"rate_limited"_s,    u"too_large"_s,
};

void tst_DisconnectCause::nameIsTheDesignName_data()
{
    QTest::addColumn<DisconnectCause>("cause");
    QTest::addColumn<QString>("name");

    QTest::newRow("ClientClosed") << DisconnectCause::ClientClosed << u"client_closed"_s;
    QTest::newRow("ConnectionReset") << DisconnectCause::ConnectionReset << u"connection_reset"_s;
    QTest::newRow("WriteFailed") << DisconnectCause::WriteFailed << u"write_failed"_s;
    QTest::newRow("SlowConsumer") << DisconnectCause::SlowConsumer << u"slow_consumer"_s;
    QTest::newRow("SessionDeleted") << DisconnectCause::SessionDeleted << u"session_deleted"_s;
    QTest::newRow("SessionExpired") << DisconnectCause::SessionExpired << u"session_expired"_s;
    QTest::newRow("StreamReplaced") << DisconnectCause::StreamReplaced << u"stream_replaced"_s;
    QTest::newRow("PollClose") << DisconnectCause::PollClose << u"poll_close"_s;
    QTest::newRow("ServerShutdown") << DisconnectCause::ServerShutdown << u"server_shutdown"_s;
    QTest::newRow("ProtocolError") << DisconnectCause::ProtocolError << u"protocol_error"_s;
    QTest::newRow("Unresponsive") << DisconnectCause::Unresponsive << u"unresponsive"_s;
    QTest::newRow("ProxyIdleSuspected")
        << DisconnectCause::ProxyIdleSuspected << u"proxy_idle_suspected"_s;
    QTest::newRow("AuthFailed") << DisconnectCause::AuthFailed << u"auth_failed"_s;
    QTest::newRow("OriginRejected") << DisconnectCause::OriginRejected << u"origin_rejected"_s;
    QTest::newRow("RateLimited") << DisconnectCause::RateLimited << u"rate_limited"_s;
    QTest::newRow("TooLarge") << DisconnectCause::TooLarge << u"too_large"_s;
}

void tst_DisconnectCause::nameIsTheDesignName()
{
    QFETCH(DisconnectCause, cause);
    QFETCH(QString, name);

    QCOMPARE(DisconnectCauses::name(cause), name);
    DisconnectCause parsed = cause == DisconnectCause::ClientClosed ? DisconnectCause::TooLarge
                                                                    : DisconnectCause::ClientClosed;
    QVERIFY(DisconnectCauses::parse(name, &parsed));
    QCOMPARE(parsed, cause);
}

void tst_DisconnectCause::everyCauseRoundTripsThroughItsName()
{
    const QList<DisconnectCause> all = DisconnectCauses::all();
    QVERIFY(!all.isEmpty());
    for (DisconnectCause cause : all) {
        const QString name = DisconnectCauses::name(cause);
        DisconnectCause parsed = cause == DisconnectCause::ClientClosed
                                     ? DisconnectCause::TooLarge
                                     : DisconnectCause::ClientClosed;
        QVERIFY2(DisconnectCauses::parse(name, &parsed), qPrintable(name));
        QCOMPARE(parsed, cause);
    }
}

void tst_DisconnectCause::namesAreExactlyTheDesignList()
{
    QStringList names;
    for (DisconnectCause cause : DisconnectCauses::all())
        names.append(DisconnectCauses::name(cause));
    // Distinct names also mean no cause is listed twice.
    QCOMPARE(QSet<QString>(names.cbegin(), names.cend()).size(), names.size());
    QCOMPARE(names, kDesignNames);
}

void tst_DisconnectCause::parseRefusesWhatIsNotAName_data()
{
    QTest::addColumn<QString>("text");

    QTest::newRow("empty") << QString();
    QTest::newRow("unknown") << u"unknown"_s;
    QTest::newRow("upper case") << u"CLIENT_CLOSED"_s;
    QTest::newRow("enum spelling") << u"ClientClosed"_s;
    QTest::newRow("dashes") << u"client-closed"_s;
    QTest::newRow("padded") << u" client_closed"_s;
    QTest::newRow("prefix") << u"client"_s;
    QTest::newRow("suffix") << u"client_closed_x"_s;
}

void tst_DisconnectCause::parseRefusesWhatIsNotAName()
{
    QFETCH(QString, text);

    DisconnectCause parsed = DisconnectCause::Unresponsive;
    QVERIFY(!DisconnectCauses::parse(text, &parsed));
    QCOMPARE(parsed, DisconnectCause::Unresponsive); // untouched on failure
}

QTEST_APPLESS_MAIN(tst_DisconnectCause)
#include "tst_disconnectcause.moc"
