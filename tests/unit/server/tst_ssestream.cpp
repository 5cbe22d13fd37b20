#include "server/stream/ssestream.h"
#include "tests/support/rawhttpclient.h"
#include "tests/support/servertestmain.h"
#include "tests/support/sseharness.h"

#include <QSignalSpy>
#include <QTest>

using namespace heartline;
using namespace heartline::testing;
using namespace Qt::StringLiterals;

Q_DECLARE_METATYPE(heartline::DisconnectCause)

namespace {

StreamEnd endOf(const QSignalSpy &spy, int index = 0)
{
    return spy.at(index).at(1).value<StreamEnd>();
}

SseEvent messageEvent(const QByteArray &id, const QByteArray &data)
{
    SseEvent event;
    event.id = id;
    event.data = data;
    return event;
}

} // namespace

class tst_SseStream : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void openSendsTheSseHeader_data();
    void openSendsTheSseHeader();
    void openWritesACommentBeforeAnyEvent();
    void openSendsTheExtraHeaders();
    void eventsTravelAsChunks();
    void heartbeatIsACommentWithTheNextSequence();
    void finishEndsTheBodyAndTheConnectionServesTheNextRequest();
    void clientDisconnectEndsTheStreamOnceAsClientClosed();
    void openAfterTheClientLeftFailsAndEndsOnce();
    void closeEndsTheBodyCleanlyOnlyForDeliberateCauses_data();
    void closeEndsTheBodyCleanlyOnlyForDeliberateCauses();
    void slowConsumerIsClosedAtTheHighWaterMark();
    void readingClientIsNotASlowConsumer();
};

void tst_SseStream::initTestCase()
{
    qRegisterMetaType<heartline::StreamEnd>();
    qRegisterMetaType<heartline::SseStream *>();
}

void tst_SseStream::openSendsTheSseHeader_data()
{
    QTest::addColumn<QByteArray>("name");
    QTest::addColumn<QByteArray>("value");

    // DESIGN.md, "SSE response headers".
    QTest::newRow("Content-Type") << QByteArray("Content-Type") << QByteArray("text/event-stream");
    QTest::newRow("Cache-Control")
        << QByteArray("Cache-Control") << QByteArray("no-cache, no-transform");
    QTest::newRow("X-Accel-Buffering") << QByteArray("X-Accel-Buffering") << QByteArray("no");
    QTest::newRow("Connection") << QByteArray("Connection") << QByteArray("keep-alive");
    QTest::newRow("Transfer-Encoding") << QByteArray("Transfer-Encoding") << QByteArray("chunked");
}

void tst_SseStream::openSendsTheSseHeader()
{
    QFETCH(QByteArray, name);
    QFETCH(QByteArray, value);

    SseHarness harness;
    QVERIFY(harness.listen());
    RawHttpClient client;
    QVERIFY(harness.openStream(client));
    QCOMPARE(client.response().status, 200);
    QCOMPARE(client.response().headerValues(name), QList<QByteArray>{value});
    QVERIFY2(client.response().header("Content-Length").isEmpty(),
             qPrintable(client.response().describe()));
}

void tst_SseStream::openWritesACommentBeforeAnyEvent()
{
    SseHarness harness;
    QVERIFY(harness.listen());
    RawHttpClient client;
    SseStream *stream = harness.openStream(client);
    QVERIFY(stream);

    // Nothing was sent but the opening: it is already on the wire, as a comment.
    QVERIFY(client.parseError().isEmpty());
    QCOMPARE(client.response().sseBlocks.size(), 1);
    const QByteArray first = client.response().sseBlocks.first().text;
    QVERIFY2(first.startsWith(": ") && first.endsWith("\n\n") && first.count('\n') == 2,
             first.constData());
    QVERIFY(client.response().rawBody.startsWith(
        QByteArray(QByteArray::number(first.size(), 16) + "\r\n" + first)));
    QCOMPARE(stream->stats().events, 0u);
    QVERIFY(stream->isOpen());
}

void tst_SseStream::openSendsTheExtraHeaders()
{
    SseHarness harness;
    harness.extraHeaders = {{"Mcp-Session-Id", "abc-123"}, {"Access-Control-Allow-Origin", "*"}};
    QVERIFY(harness.listen());
    RawHttpClient client;
    QVERIFY(harness.openStream(client));
    QCOMPARE(client.response().header("Mcp-Session-Id"), QByteArray("abc-123"));
    QCOMPARE(client.response().header("Access-Control-Allow-Origin"), QByteArray("*"));
    QCOMPARE(client.response().header("Content-Type"), QByteArray("text/event-stream"));
}

void tst_SseStream::eventsTravelAsChunks()
{
    SseHarness harness;
    QVERIFY(harness.listen());
    RawHttpClient client;
    SseStream *stream = harness.openStream(client);
    QVERIFY(stream);

    const SseEvent first = messageEvent("1", R"({"jsonrpc":"2.0","method":"a"})");
    const SseEvent second = messageEvent("2", "line one\nline two");
    QVERIFY(stream->sendEvent(first));
    QVERIFY(stream->sendEvent(second));
    QTRY_COMPARE(client.response().sseBlocks.size(), 3);

    QVERIFY(client.parseError().isEmpty());
    QCOMPARE(client.response().sseBlocks.at(1).text, Sse::event(first));
    QCOMPARE(client.response().sseBlocks.at(2).text, Sse::event(second));
    // One chunk per write, each sized to exactly its event.
    QCOMPARE(client.response().chunkSizes,
             (QList<qint64>{client.response().sseBlocks.at(0).text.size(), Sse::event(first).size(),
                            Sse::event(second).size()}));
    QCOMPARE(stream->stats().events, 2u);
    QCOMPARE(stream->stats().bytes, quint64(client.response().body.size()));
    QVERIFY(!client.response().complete);
}

void tst_SseStream::heartbeatIsACommentWithTheNextSequence()
{
    SseHarness harness;
    QVERIFY(harness.listen());
    RawHttpClient client;
    SseStream *stream = harness.openStream(client);
    QVERIFY(stream);

    QVERIFY(stream->sendHeartbeat());
    QVERIFY(stream->sendEvent(messageEvent("7", "x")));
    QVERIFY(stream->sendHeartbeat());
    QTRY_COMPARE(client.response().sseBlocks.size(), 4);

    QCOMPARE(client.response().sseBlocks.at(1).text, QByteArray(": heartbeat 1\n\n"));
    QCOMPARE(client.response().sseBlocks.at(3).text, QByteArray(": heartbeat 2\n\n"));
    QCOMPARE(stream->stats().heartbeats, 2u);
    QCOMPARE(stream->stats().events, 1u); // heartbeats are not events
}

void tst_SseStream::finishEndsTheBodyAndTheConnectionServesTheNextRequest()
{
    SseHarness harness;
    QVERIFY(harness.listen());
    RawHttpClient client;
    // Guarded: a finished stream is deleted once its response is done.
    QPointer<SseStream> stream = harness.openStream(client);
    QVERIFY(stream);
    QSignalSpy ended(stream, &SseStream::ended);
    QVERIFY(stream->sendEvent(messageEvent("1", "last")));

    stream->finish();
    QTRY_VERIFY(client.response().complete);
    QVERIFY(client.parseError().isEmpty());
    QVERIFY(client.response().rawBody.endsWith("\r\n0\r\n\r\n"));
    QCOMPARE(client.response().sseBlocks.last().text, Sse::event(messageEvent("1", "last")));
    QCOMPARE(ended.size(), 1);
    QVERIFY(endOf(ended).completed);
    QVERIFY(!stream || !stream->isOpen());

    // Same TCP connection, next request.
    client.send("GET", "/plain");
    QTRY_VERIFY(client.response().complete);
    QCOMPARE(client.response().status, 200);
    QCOMPARE(client.response().body, QByteArray("plain\n"));
    QCOMPARE(harness.plainRequests, 1);
    QVERIFY(client.isConnected());
    QVERIFY(!client.wasDisconnected());
    QCOMPARE(ended.size(), 1);
}

void tst_SseStream::clientDisconnectEndsTheStreamOnceAsClientClosed()
{
    SseHarness harness;
    QVERIFY(harness.listen());
    RawHttpClient client;
    QPointer<SseStream> stream = harness.openStream(client);
    QVERIFY(stream);
    const quintptr address = quintptr(stream.data()); // compared only: it is deleted later
    QSignalSpy ended(stream.data(), &SseStream::ended);
    // Whoever hears about the end may well try to close or write again: nothing more happens.
    bool writesRefused = false;
    quint64 heartbeatsAtTheEnd = 1;
    connect(stream.data(), &SseStream::ended, this, [&](SseStream *ending) {
        ending->close(DisconnectCause::WriteFailed, u"again"_s);
        ending->finish();
        writesRefused = !ending->sendEvent(messageEvent("9", "late")) && !ending->sendHeartbeat();
        heartbeatsAtTheEnd = ending->stats().heartbeats;
    });

    client.disconnectFromHost();
    QTRY_COMPARE(ended.size(), 1);
    QCOMPARE(quintptr(ended.at(0).at(0).value<SseStream *>()), address);
    QCOMPARE(endOf(ended).cause, DisconnectCause::ClientClosed);
    QVERIFY(!endOf(ended).completed);
    QVERIFY(writesRefused);
    QCOMPARE(heartbeatsAtTheEnd, 0u);
    // The stream deletes itself once it has ended; until then it refuses to write.
    QTRY_VERIFY(stream.isNull());
    QCOMPARE(ended.size(), 1);
}

void tst_SseStream::openAfterTheClientLeftFailsAndEndsOnce()
{
    SseHarness harness;
    harness.autoOpen = false;
    QVERIFY(harness.listen());
    RawHttpClient client;
    QPointer<SseStream> stream = harness.openStream(client);
    QVERIFY(stream);
    QSignalSpy ended(stream.data(), &SseStream::ended);
    // The stream deletes itself soon after it ends, so try to open it while it reports that.
    int opened = -1;
    connect(stream.data(), &SseStream::ended, this,
            [&](SseStream *ending) { opened = ending->open({}) ? 1 : 0; });

    client.disconnectFromHost();
    QTRY_COMPARE(ended.size(), 1);
    QCOMPARE(opened, 0);
    QCOMPARE(endOf(ended).cause, DisconnectCause::ClientClosed);
    QTRY_VERIFY(stream.isNull());
    QCOMPARE(ended.size(), 1);
    QVERIFY(!client.response().headComplete);
}

void tst_SseStream::closeEndsTheBodyCleanlyOnlyForDeliberateCauses_data()
{
    QTest::addColumn<DisconnectCause>("cause");
    QTest::addColumn<bool>("clean"); // last chunk written and the connection kept

    QTest::newRow("server_shutdown") << DisconnectCause::ServerShutdown << true;
    QTest::newRow("session_deleted") << DisconnectCause::SessionDeleted << true;
    QTest::newRow("session_expired") << DisconnectCause::SessionExpired << true;
    QTest::newRow("poll_close") << DisconnectCause::PollClose << true;
    QTest::newRow("slow_consumer") << DisconnectCause::SlowConsumer << false;
    QTest::newRow("write_failed") << DisconnectCause::WriteFailed << false;
    QTest::newRow("protocol_error") << DisconnectCause::ProtocolError << false;
}

void tst_SseStream::closeEndsTheBodyCleanlyOnlyForDeliberateCauses()
{
    QFETCH(DisconnectCause, cause);
    QFETCH(bool, clean);

    SseHarness harness;
    QVERIFY(harness.listen());
    RawHttpClient client;
    SseStream *stream = harness.openStream(client);
    QVERIFY(stream);
    QSignalSpy ended(stream, &SseStream::ended);

    stream->close(cause, u"test"_s);
    QCOMPARE(ended.size(), 1);
    QCOMPARE(endOf(ended).cause, cause);
    QCOMPARE(endOf(ended).detail, u"test"_s);
    QVERIFY(!endOf(ended).completed);
    if (clean) {
        QTRY_VERIFY(client.response().complete);
        QVERIFY(client.isConnected());
    } else {
        QTRY_VERIFY(client.wasDisconnected());
        QVERIFY(!client.response().complete);
    }
    QVERIFY(client.parseError().isEmpty());
}

void tst_SseStream::slowConsumerIsClosedAtTheHighWaterMark()
{
    constexpr qint64 kHighWater = 64 * 1024;
    SseHarness harness;
    QVERIFY(harness.listen());
    RawHttpClient client;
    client.setReadBufferSize(4096);
    QPointer<SseStream> stream = harness.openStream(client);
    QVERIFY(stream);
    QSignalSpy ended(stream.data(), &SseStream::ended);
    stream->setHighWaterMark(kHighWater);
    client.setReading(false); // the kernel buffers fill, then the server's queue grows

    const SseEvent event = messageEvent("n", QByteArray(16 * 1024, 'x'));
    bool refused = false;
    quint64 delivered = 0; // bytes written before the one that tripped the mark
    const QDeadlineTimer deadline(30000);
    while (stream && ended.isEmpty() && !deadline.hasExpired()) {
        delivered = stream->stats().bytes;
        if (!stream->sendEvent(event)) {
            refused = true;
            break;
        }
        // Give the socket every chance to drain, as it does for a client that reads.
        waitUntil([&]() { return !stream || stream->bytesQueued() == 0; }, 100);
    }
    QCOMPARE(ended.size(), 1);
    QCOMPARE(endOf(ended).cause, DisconnectCause::SlowConsumer);
    QVERIFY2(endOf(ended).detail.contains(QString::number(kHighWater)),
             qPrintable(endOf(ended).detail));
    QVERIFY(refused); // the write that crossed the mark reported failure
    // The queue grew only once the reader's buffers were full, not on the first burst.
    QVERIFY2(delivered > quint64(kHighWater) * 4, qPrintable(QString::number(delivered)));
    QVERIFY(!stream || !stream->isOpen());
    QTRY_VERIFY(stream.isNull());
}

void tst_SseStream::readingClientIsNotASlowConsumer()
{
    // The counterpart of the test above: the same mark and far more bytes than it, to a
    // client that keeps reading.
    constexpr qint64 kHighWater = 64 * 1024;
    constexpr int kEvents = 256;
    SseHarness harness;
    QVERIFY(harness.listen());
    RawHttpClient client;
    client.setReadBufferSize(4096);
    QPointer<SseStream> stream = harness.openStream(client);
    QVERIFY(stream);
    QSignalSpy ended(stream.data(), &SseStream::ended);
    stream->setHighWaterMark(kHighWater);

    const SseEvent event = messageEvent("n", QByteArray(16 * 1024, 'x'));
    for (int i = 0; i < kEvents; ++i) {
        QVERIFY2(stream && stream->sendEvent(event), qPrintable(QString::number(i)));
        QVERIFY(waitUntil([&]() { return !stream || stream->bytesQueued() == 0; }, 10000));
    }
    QTRY_COMPARE_WITH_TIMEOUT(client.response().sseBlocks.size(), kEvents + 1, 10000);
    QCOMPARE(ended.size(), 0);
    QVERIFY(stream && stream->isOpen());
    QVERIFY(stream->stats().bytes > quint64(kHighWater) * 10);
}

HEARTLINE_SERVER_TEST_MAIN(tst_SseStream)
#include "tst_ssestream.moc"
