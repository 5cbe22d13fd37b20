#include "server/stream/sseframing.h"

#include <QTest>

using namespace heartline;

namespace {

// What a WHATWG EventSource makes of a stream: the data of every dispatched event, plus the
// last event id and event type seen. Lines end in LF only, which is all Heartline writes.
struct ParsedEvent
{
    QByteArray type;
    QByteArray data;
};

struct ParsedStream
{
    QList<ParsedEvent> events;
    QByteArray lastEventId;
    int retryMs = -1;
    int comments = 0;
};

ParsedStream parseStream(const QByteArray &stream)
{
    ParsedStream parsed;
    QByteArray type;
    QByteArray data;
    bool hasData = false;
    QList<QByteArray> lines = stream.split('\n');
    lines.removeLast(); // what follows the final LF is not a line
    for (const QByteArray &line : lines) {
        if (line.isEmpty()) {
            if (hasData) {
                data.chop(1);
                parsed.events.append({type.isEmpty() ? QByteArray("message") : type, data});
            }
            type.clear();
            data.clear();
            hasData = false;
            continue;
        }
        if (line.startsWith(':')) {
            ++parsed.comments;
            continue;
        }
        const qsizetype colon = line.indexOf(':');
        const QByteArray field = colon < 0 ? line : line.left(colon);
        QByteArray value = colon < 0 ? QByteArray() : line.mid(colon + 1);
        if (value.startsWith(' '))
            value.remove(0, 1);
        if (field == "data") {
            data += value + '\n';
            hasData = true;
        } else if (field == "event") {
            type = value;
        } else if (field == "id") {
            parsed.lastEventId = value;
        } else if (field == "retry") {
            parsed.retryMs = value.toInt();
        }
    }
    return parsed;
}

SseEvent makeEvent(const QByteArray &id, const QByteArray &type, const QByteArray &data,
                   bool hasData, int retryMs)
{
    SseEvent event;
    event.id = id;
    event.event = type;
    event.data = data;
    event.hasData = hasData;
    event.retryMs = retryMs;
    return event;
}

} // namespace

class tst_SseFraming : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void eventIsFramedFieldByField_data();
    void eventIsFramedFieldByField();
    void payloadSurvivesTheEventSourceParser_data();
    void payloadSurvivesTheEventSourceParser();
    void commentIsOneIgnoredLine_data();
    void commentIsOneIgnoredLine();
    void chunkCarriesItsSizeInHex_data();
    void chunkCarriesItsSizeInHex();
    void emptyChunkIsNotTheLastChunk();
    void lastChunkEndsTheBody();
};

void tst_SseFraming::eventIsFramedFieldByField_data()
{
    QTest::addColumn<QByteArray>("id");
    QTest::addColumn<QByteArray>("type");
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<bool>("hasData");
    QTest::addColumn<int>("retryMs");
    QTest::addColumn<QByteArray>("expected");

    QTest::newRow("data only") << QByteArray() << QByteArray() << QByteArray("hello") << true << -1
                               << QByteArray("data: hello\n\n");
    QTest::newRow("id and data") << QByteArray("7") << QByteArray() << QByteArray("{}") << true
                                 << -1 << QByteArray("id: 7\ndata: {}\n\n");
    QTest::newRow("event, id and data")
        << QByteArray("s1-3") << QByteArray("message") << QByteArray("x") << true << -1
        << QByteArray("event: message\nid: s1-3\ndata: x\n\n");
    QTest::newRow("priming event") << QByteArray("s1-0") << QByteArray() << QByteArray() << true
                                   << -1 << QByteArray("id: s1-0\ndata: \n\n");
    QTest::newRow("priming event with retry")
        << QByteArray("s1-0") << QByteArray() << QByteArray() << true << 3000
        << QByteArray("id: s1-0\nretry: 3000\ndata: \n\n");
    QTest::newRow("retry zero is written") << QByteArray() << QByteArray() << QByteArray("x")
                                           << true << 0 << QByteArray("retry: 0\ndata: x\n\n");
    QTest::newRow("retry without data") << QByteArray() << QByteArray() << QByteArray() << false
                                        << 1000 << QByteArray("retry: 1000\n\n");
    QTest::newRow("LF splits data lines") << QByteArray() << QByteArray() << QByteArray("a\nb")
                                          << true << -1 << QByteArray("data: a\ndata: b\n\n");
    QTest::newRow("CRLF splits data lines") << QByteArray() << QByteArray() << QByteArray("a\r\nb")
                                            << true << -1 << QByteArray("data: a\ndata: b\n\n");
    QTest::newRow("CR splits data lines") << QByteArray() << QByteArray() << QByteArray("a\rb")
                                          << true << -1 << QByteArray("data: a\ndata: b\n\n");
    QTest::newRow("blank line inside the payload")
        << QByteArray() << QByteArray() << QByteArray("a\r\n\r\nb") << true << -1
        << QByteArray("data: a\ndata: \ndata: b\n\n");
    QTest::newRow("trailing newline") << QByteArray() << QByteArray() << QByteArray("a\n") << true
                                      << -1 << QByteArray("data: a\ndata: \n\n");
    QTest::newRow("payload cannot inject an id")
        << QByteArray("1") << QByteArray() << QByteArray("x\n\nid: 99\ndata: evil") << true << -1
        << QByteArray("id: 1\ndata: x\ndata: \ndata: id: 99\ndata: data: evil\n\n");
}

void tst_SseFraming::eventIsFramedFieldByField()
{
    QFETCH(QByteArray, id);
    QFETCH(QByteArray, type);
    QFETCH(QByteArray, data);
    QFETCH(bool, hasData);
    QFETCH(int, retryMs);
    QFETCH(QByteArray, expected);

    QCOMPARE(Sse::event(makeEvent(id, type, data, hasData, retryMs)), expected);
}

void tst_SseFraming::payloadSurvivesTheEventSourceParser_data()
{
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<QByteArray>("received"); // what EventSource hands to the page

    QTest::newRow("json") << QByteArray(R"({"jsonrpc":"2.0","id":1,"result":{}})")
                          << QByteArray(R"({"jsonrpc":"2.0","id":1,"result":{}})");
    QTest::newRow("empty") << QByteArray() << QByteArray();
    QTest::newRow("leading colon") << QByteArray(":not a comment") << QByteArray(":not a comment");
    QTest::newRow("leading space") << QByteArray(" x") << QByteArray(" x");
    QTest::newRow("LF") << QByteArray("a\nb\nc") << QByteArray("a\nb\nc");
    QTest::newRow("CRLF becomes LF") << QByteArray("a\r\nb") << QByteArray("a\nb");
    QTest::newRow("CR becomes LF") << QByteArray("a\rb") << QByteArray("a\nb");
    QTest::newRow("blank lines") << QByteArray("\n\n") << QByteArray("\n\n");
    QTest::newRow("utf-8") << QByteArray("h\xc3\xa9llo \xe2\x9c\x93")
                           << QByteArray("h\xc3\xa9llo \xe2\x9c\x93");
}

void tst_SseFraming::payloadSurvivesTheEventSourceParser()
{
    QFETCH(QByteArray, payload);
    QFETCH(QByteArray, received);

    const ParsedStream parsed =
        parseStream(Sse::event(makeEvent("42", "message", payload, true, -1)));
    QCOMPARE(parsed.events.size(), 1);
    QCOMPARE(parsed.events.first().type, QByteArray("message"));
    QCOMPARE(parsed.events.first().data, received);
    QCOMPARE(parsed.lastEventId, QByteArray("42"));
}

void tst_SseFraming::commentIsOneIgnoredLine_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QByteArray>("expected");

    QTest::newRow("heartbeat") << QByteArray("heartbeat 1") << QByteArray(": heartbeat 1\n\n");
    QTest::newRow("stream opening")
        << QByteArray("heartline stream s1") << QByteArray(": heartline stream s1\n\n");
    QTest::newRow("empty") << QByteArray() << QByteArray(": \n\n");
}

void tst_SseFraming::commentIsOneIgnoredLine()
{
    QFETCH(QByteArray, text);
    QFETCH(QByteArray, expected);

    const QByteArray framed = Sse::comment(text);
    QCOMPARE(framed, expected);
    // A comment neither dispatches an event nor moves the client's resume cursor.
    const ParsedStream parsed = parseStream(Sse::event(makeEvent("5", {}, "x", true, -1)) + framed);
    QCOMPARE(parsed.events.size(), 1);
    QCOMPARE(parsed.comments, 1);
    QCOMPARE(parsed.lastEventId, QByteArray("5"));
}

void tst_SseFraming::chunkCarriesItsSizeInHex_data()
{
    QTest::addColumn<int>("size");
    QTest::addColumn<QByteArray>("sizeLine");

    QTest::newRow("1") << 1 << QByteArray("1");
    QTest::newRow("10") << 10 << QByteArray("a");
    QTest::newRow("15") << 15 << QByteArray("f");
    QTest::newRow("16") << 16 << QByteArray("10");
    QTest::newRow("255") << 255 << QByteArray("ff");
    QTest::newRow("256") << 256 << QByteArray("100");
    QTest::newRow("4096") << 4096 << QByteArray("1000");
    QTest::newRow("1 MiB + 1") << (1024 * 1024 + 1) << QByteArray("100001");
}

void tst_SseFraming::chunkCarriesItsSizeInHex()
{
    QFETCH(int, size);
    QFETCH(QByteArray, sizeLine);

    // CR and LF in the payload are payload, not framing.
    QByteArray payload(size, 'x');
    payload[0] = '\n';
    payload[size - 1] = '\r';
    QCOMPARE(Sse::chunk(payload), sizeLine + "\r\n" + payload + "\r\n");
}

void tst_SseFraming::emptyChunkIsNotTheLastChunk()
{
    // "0\r\n\r\n" would end the whole response; an empty payload must write nothing.
    QCOMPARE(Sse::chunk(QByteArrayView()), QByteArray());
    QCOMPARE(Sse::chunk(QByteArray("")), QByteArray());
}

void tst_SseFraming::lastChunkEndsTheBody()
{
    QCOMPARE(Sse::lastChunk(), QByteArray("0\r\n\r\n"));
}

QTEST_APPLESS_MAIN(tst_SseFraming)
#include "tst_sseframing.moc"
