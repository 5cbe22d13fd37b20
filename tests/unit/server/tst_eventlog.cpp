#include "server/session/eventlog.h"
#include "tests/support/servertestmain.h"

#include <QTest>

using namespace heartline;
using namespace Qt::StringLiterals;

// The event-id codec of a session's EventLog: ids name their stream and a place in the
// session's one sequence, a Last-Event-ID decodes back to exactly that, and nothing the log
// did not issue passes for a cursor.
class tst_EventLog : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void idsNameTheirStreamAndCount();
    void decodesWhatItIssued();
    void refusesIdsItDidNotIssue_data();
    void refusesIdsItDidNotIssue();
    void replaysOnlyTheStreamOfTheId();
    void issuedIdsTakeASequenceButKeepNothing();
    void evictionRefusesAResumeWithAGap();
};

namespace {

const QString kPrefix = u"0123abcd/"_s;
const QString kGet = kPrefix + u"get1"_s;
const QString kPost = kPrefix + u"post2"_s;

} // namespace

void tst_EventLog::idsNameTheirStreamAndCount()
{
    EventLog log(kPrefix, 100, 1 << 20);
    QCOMPARE(log.append(kGet, "a"), QByteArray("get1-1"));
    QCOMPARE(log.issueId(kPost), QByteArray("post2-2"));
    QCOMPARE(log.append(kGet, "b"), QByteArray("get1-3"));
}

void tst_EventLog::decodesWhatItIssued()
{
    EventLog log(kPrefix, 100, 1 << 20);
    log.append(kGet, "a");
    const QByteArray id = log.append(kPost, "b");
    EventCursor cursor;
    QVERIFY(log.decode(id, &cursor));
    QCOMPARE(cursor.streamId, kPost);
    QCOMPARE(cursor.sequence, quint64(2));
}

void tst_EventLog::refusesIdsItDidNotIssue_data()
{
    QTest::addColumn<QByteArray>("eventId");

    QTest::newRow("empty") << QByteArray();
    QTest::newRow("no dash") << QByteArray("get1");
    QTest::newRow("nothing before the dash") << QByteArray("-1");
    QTest::newRow("nothing after the dash") << QByteArray("get1-");
    QTest::newRow("not a number") << QByteArray("get1-x");
    QTest::newRow("not decimal") << QByteArray("get1-0x1");
    QTest::newRow("a sequence not reached yet") << QByteArray("get1-3");
    QTest::newRow("another server's id") << QByteArray("a1b2c3d4-e5f6");
}

void tst_EventLog::refusesIdsItDidNotIssue()
{
    QFETCH(QByteArray, eventId);
    EventLog log(kPrefix, 100, 1 << 20);
    log.append(kGet, "a");
    log.append(kGet, "b");
    EventCursor cursor;
    QVERIFY(!log.decode(eventId, &cursor));
}

void tst_EventLog::replaysOnlyTheStreamOfTheId()
{
    EventLog log(kPrefix, 100, 1 << 20);
    const QByteArray first = log.append(kGet, "g1");
    log.append(kPost, "p1");
    log.append(kGet, "g2");
    log.append(kPost, "p2");
    EventCursor cursor;
    QVERIFY(log.decode(first, &cursor));
    const QList<LoggedEvent> missed = log.eventsAfter(cursor.streamId, cursor.sequence);
    QCOMPARE(missed.size(), 1);
    QCOMPARE(missed.first().data, QByteArray("g2"));
    QCOMPARE(missed.first().id, QByteArray("get1-3"));
    QVERIFY(log.eventsAfter(kPost, 4).isEmpty());
}

void tst_EventLog::issuedIdsTakeASequenceButKeepNothing()
{
    EventLog log(kPrefix, 100, 1 << 20);
    const QByteArray priming = log.issueId(kGet);
    QCOMPARE(log.size(), 0);
    EventCursor cursor;
    QVERIFY2(log.decode(priming, &cursor), "a priming id is a cursor to resume from");
    log.append(kGet, "a");
    QCOMPARE(log.eventsAfter(cursor.streamId, cursor.sequence).size(), 1);
}

void tst_EventLog::evictionRefusesAResumeWithAGap()
{
    EventLog log(kPrefix, 2, 1 << 20);
    const QByteArray first = log.append(kGet, "a");
    log.append(kGet, "b");
    log.append(kPost, "c");
    QCOMPARE(log.evicted(), quint64(1));
    EventCursor cursor;
    QVERIFY(log.decode(first, &cursor));
    QVERIFY(log.canReplayAfter(cursor.streamId, cursor.sequence));
    QVERIFY(!log.canReplayAfter(kGet, 0));
    QVERIFY(log.canReplayAfter(kPost, 0));
}

HEARTLINE_SERVER_TEST_MAIN(tst_EventLog)
#include "tst_eventlog.moc"
