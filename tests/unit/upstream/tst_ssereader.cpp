// The SSE reader of the remote upstream channels: framing as the WHATWG rules say, whatever
// the chunking, and a cap on what one event may make it buffer.
#include "server/tools/upstream/ssereader.h"
#include "tests/support/servertestmain.h"

#include <QTest>

using namespace heartline;

namespace {

// "type|data|id" per event, so a table row reads as what the client sees.
QByteArrayList describe(const QList<SseReader::Event> &events)
{
    QByteArrayList lines;
    for (const SseReader::Event &event : events)
        lines.append(event.type + '|' + event.data + '|' + event.id);
    return lines;
}

QByteArrayList readWhole(const QByteArray &stream)
{
    SseReader reader(1024);
    QList<SseReader::Event> events;
    if (!reader.feed(stream, &events))
        return {"refused"};
    return describe(events);
}

QByteArrayList readByteByByte(const QByteArray &stream)
{
    SseReader reader(1024);
    QList<SseReader::Event> events;
    for (char c : stream) {
        if (!reader.feed(QByteArray(1, c), &events))
            return {"refused"};
    }
    return describe(events);
}

} // namespace

class tst_SseReader final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void framesEventsWhateverTheChunks_data();
    void framesEventsWhateverTheChunks();
    void keepsTheLastEventIdAndRetry();
    void refusesAnEventPastTheCap();
    void refusesALinePastTheCapBeforeItEnds();
};

void tst_SseReader::framesEventsWhateverTheChunks_data()
{
    QTest::addColumn<QByteArray>("stream");
    QTest::addColumn<QByteArrayList>("events");

    QTest::newRow("one event") << QByteArray("data: {}\n\n") << QByteArrayList{"message|{}|"};
    QTest::newRow("multi-line data joined with LF")
        << QByteArray("data: a\ndata:b\ndata:  c\n\n") << QByteArrayList{"message|a\nb\n c|"};
    QTest::newRow("CRLF and CR line ends")
        << QByteArray("data: a\r\n\r\ndata: b\r\rdata: c\n\n")
        << QByteArrayList{"message|a|", "message|b|", "message|c|"};
    QTest::newRow("event type and id")
        << QByteArray("event: endpoint\nid: 7\ndata: /messages?x=1\n\n")
        << QByteArrayList{"endpoint|/messages?x=1|7"};
    QTest::newRow("comments (heartbeats) are skipped")
        << QByteArray(": heartbeat\n\n:\ndata: x\n: more\n\n") << QByteArrayList{"message|x|"};
    QTest::newRow("no data, no event; the type does not leak into the next")
        << QByteArray("event: ping\nid: 3\n\ndata: y\n\n") << QByteArrayList{"message|y|3"};
    QTest::newRow("an empty data line is an event with empty data")
        << QByteArray("data\n\n") << QByteArrayList{"message||"};
    QTest::newRow("unknown fields ignored")
        << QByteArray("foo: bar\ndata: z\n\n") << QByteArrayList{"message|z|"};
    QTest::newRow("an unfinished event is not dispatched")
        << QByteArray("data: half\n") << QByteArrayList{};
    QTest::newRow("a byte order mark at the start") << QByteArray("\xEF\xBB\xBF"
                                                                  "data: b\n\n")
                                                    << QByteArrayList{"message|b|"};
}

void tst_SseReader::framesEventsWhateverTheChunks()
{
    QFETCH(QByteArray, stream);
    QFETCH(QByteArrayList, events);
    QCOMPARE(readWhole(stream), events);
    QCOMPARE(readByteByByte(stream), events);
}

void tst_SseReader::keepsTheLastEventIdAndRetry()
{
    SseReader reader(1024);
    QList<SseReader::Event> events;
    QCOMPARE(reader.retryMs(), -1);
    QVERIFY(!reader.hasLastEventId());
    // A priming event: an id and no data, which moves the cursor without an event.
    QVERIFY(reader.feed("id: 41\nretry: 250\n\n", &events));
    QVERIFY(events.isEmpty());
    QCOMPARE(reader.lastEventId(), QByteArray("41"));
    QCOMPARE(reader.retryMs(), 250);
    QVERIFY(reader.feed("id: 42\ndata: x\n\nretry: soon\n\n", &events));
    QCOMPARE(reader.lastEventId(), QByteArray("42"));
    QCOMPARE(reader.retryMs(), 250); // a retry that is not a number changes nothing
    // An id with NUL is ignored, as the rules say.
    QVERIFY(reader.feed(QByteArray("id: a\0b\n\n", 10), &events));
    QCOMPARE(reader.lastEventId(), QByteArray("42"));
}

void tst_SseReader::refusesAnEventPastTheCap()
{
    SseReader reader(64);
    QList<SseReader::Event> events;
    QVERIFY(reader.feed("data: " + QByteArray(40, 'a') + "\n", &events));
    QVERIFY(!reader.feed("data: " + QByteArray(40, 'b') + "\n", &events));
    QVERIFY(events.isEmpty());
}

void tst_SseReader::refusesALinePastTheCapBeforeItEnds()
{
    SseReader reader(64);
    QList<SseReader::Event> events;
    QVERIFY(reader.feed("data: " + QByteArray(50, 'a'), &events));
    QVERIFY(!reader.feed(QByteArray(50, 'a'), &events));
}

HEARTLINE_SERVER_TEST_MAIN(tst_SseReader)
#include "tst_ssereader.moc"
