#include "server/qt64/idlereadbuffer.h"
#include "tests/support/loopbacksocketpair.h"
#include "tests/support/servertestmain.h"

#include <QSignalSpy>
#include <QTest>

#if defined(HEARTLINE_SANITIZE)
#include <sanitizer/allocator_interface.h>
#else
#include <malloc.h>
#endif

using namespace heartline;
using namespace heartline::testing;

namespace {

// Bytes the heap has handed out and not had back.
qint64 heapInUse()
{
#if defined(HEARTLINE_SANITIZE)
    return qint64(__sanitizer_get_current_allocated_bytes());
#else
    return qint64(mallinfo2().uordblks);
#endif
}

} // namespace

// A real loopback connection: the chunk in question is the one QAbstractSocket reads into.
class tst_IdleReadBuffer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void readRequestLeavesAChunkThatIsGivenBack();
    void laterBytesAreReadAsBefore();
    void unreadBytesAreLeftAlone();

private:
    // Sends `bytes` and reads them on the accepted side one byte at a time, as QHttpServer does.
    void deliverAndReadByteByByte(const QByteArray &bytes);

    LoopbackSocketPair m_pair;
};

void tst_IdleReadBuffer::init()
{
    QVERIFY(m_pair.open());
}

void tst_IdleReadBuffer::cleanup()
{
    m_pair.close();
}

void tst_IdleReadBuffer::deliverAndReadByteByByte(const QByteArray &bytes)
{
    m_pair.client()->write(bytes);
    QByteArray received;
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            char c = 0;
            while (m_pair.accepted()->read(&c, 1) == 1)
                received += c;
            return received.size() >= bytes.size();
        }(),
        5000);
    QCOMPARE(received, bytes);
    QCOMPARE(m_pair.accepted()->bytesAvailable(), 0);
}

void tst_IdleReadBuffer::readRequestLeavesAChunkThatIsGivenBack()
{
    deliverAndReadByteByByte("GET /mcp HTTP/1.1\r\nHost: localhost\r\n\r\n");
    const qint64 before = heapInUse();
    QVERIFY(releaseIdleReadBuffer(m_pair.accepted()));
    const qint64 given = before - heapInUse();
    // The whole 16 KiB chunk, not a copy of one byte.
    QVERIFY2(given >= 16 * 1024, qPrintable(QString::number(given)));
}

void tst_IdleReadBuffer::laterBytesAreReadAsBefore()
{
    deliverAndReadByteByByte("first request");
    QVERIFY(releaseIdleReadBuffer(m_pair.accepted()));
    // Nothing of the pushed-back byte stays behind, and the socket reads on as usual.
    QCOMPARE(m_pair.accepted()->bytesAvailable(), 0);
    QSignalSpy readyRead(m_pair.accepted(), &QIODevice::readyRead);
    m_pair.client()->write("second request");
    QTRY_COMPARE(m_pair.accepted()->bytesAvailable(), qint64(qstrlen("second request")));
    QVERIFY(readyRead.count() >= 1);
    QCOMPARE(m_pair.accepted()->readAll(), QByteArray("second request"));
}

void tst_IdleReadBuffer::unreadBytesAreLeftAlone()
{
    m_pair.client()->write("pipelined");
    QTRY_COMPARE(m_pair.accepted()->bytesAvailable(), qint64(qstrlen("pipelined")));
    QVERIFY(!releaseIdleReadBuffer(m_pair.accepted()));
    QCOMPARE(m_pair.accepted()->readAll(), QByteArray("pipelined"));
}

HEARTLINE_SERVER_TEST_MAIN(tst_IdleReadBuffer)
#include "tst_idlereadbuffer.moc"
