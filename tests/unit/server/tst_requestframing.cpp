#include "server/qt64/requestframing.h"

#include <QTest>

using namespace heartline;
using namespace Qt::StringLiterals;

using Outcome = RequestFraming::Outcome;
Q_DECLARE_METATYPE(heartline::RequestFraming::Outcome)

namespace {

constexpr qint64 kMaxHead = 512;
constexpr qint64 kMaxBody = 1000;

struct Fed
{
    Outcome outcome = Outcome::NeedMore;
    qsizetype used = 0; // bytes up to the end of the first request or the violation
    QString problem;
};

// Feeds `bytes` in pieces of `piece` bytes (0: all at once) until an outcome other than
// NeedMore, the way the Gatekeeper feeds what arrives.
Fed feedInPieces(RequestFraming &framing, const QByteArray &bytes, qsizetype piece)
{
    Fed fed;
    const qsizetype step = piece > 0 ? piece : bytes.size();
    for (qsizetype pos = 0; pos < bytes.size(); pos += step) {
        const RequestFraming::Step result =
            framing.feed(QByteArrayView(bytes).sliced(pos).first(qMin(step, bytes.size() - pos)));
        fed.used = pos + result.used;
        if (result.outcome != Outcome::NeedMore) {
            fed.outcome = result.outcome;
            fed.problem = framing.problem();
            return fed;
        }
    }
    return fed;
}

QByteArray withFields(int count)
{
    QByteArray bytes("GET / HTTP/1.1\r\n");
    for (int i = 0; i < count; ++i)
        bytes.append("A:\n");
    bytes.append('\n');
    return bytes;
}

} // namespace

class tst_RequestFraming : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void findsWhereRequestsEnd_data();
    void findsWhereRequestsEnd();
    void refusesWhatBreaksALimitOrQtWouldMisread_data();
    void refusesWhatBreaksALimitOrQtWouldMisread();
    void startsAgainAfterEachRequest();
    void blankLinesBetweenRequestsAreNotARequest();
    void staysBrokenAfterAViolation();
    void originIsKeptUntilTheNextRequestBegins();
};

void tst_RequestFraming::findsWhereRequestsEnd_data()
{
    QTest::addColumn<QByteArray>("request");

    QTest::newRow("no body") << QByteArray("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
    QTest::newRow("bare LF line ends") << QByteArray("GET / HTTP/1.1\nHost: a\n\n");
    QTest::newRow("no headers at all") << QByteArray("GET / HTTP/1.1\r\n\r\n");
    QTest::newRow("Content-Length 0") << QByteArray("POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
    QTest::newRow("Content-Length body")
        << QByteArray("POST / HTTP/1.1\r\ncontent-length:  5 \r\n\r\nhello");
    QTest::newRow("Content-Length at the body cap")
        << "POST / HTTP/1.1\r\nContent-Length: 1000\r\n\r\n" + QByteArray(1000, 'x');
    QTest::newRow("the same Content-Length twice")
        << QByteArray("POST / HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nab");
    QTest::newRow("chunked") << QByteArray("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                                           "5\r\nhello\r\n1;ext=1\r\n!\r\n0\r\n\r\n");
    QTest::newRow("chunked wins over Content-Length")
        << QByteArray("POST / HTTP/1.1\r\nContent-Length: 500\r\nTransfer-Encoding: gzip, "
                      "Chunked\r\n\r\nA\r\n0123456789\r\n0\r\n\r\n");
    QTest::newRow("chunked at the body cap")
        << "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3E8\r\n" + QByteArray(1000, 'x')
               + "\r\n0\r\n\r\n";
    QTest::newRow("folded header line")
        << QByteArray("POST / HTTP/1.1\r\nX-Long: one\r\n two\r\nContent-Length: 1\r\n\r\n!");
    QTest::newRow("folded Content-Length")
        << QByteArray("POST / HTTP/1.1\r\nX-A: b\r\nContent-Length:\r\n 5\r\n\r\nhello");
    QTest::newRow("framing names in any case")
        << QByteArray("POST / HTTP/1.1\r\nCONTENT-length: 3\r\nX: 1\r\n\r\nabc");
    QTest::newRow("head exactly at the cap")
        << "GET / HTTP/1.1\r\nX: " + QByteArray(kMaxHead - 23, 'h') + "\r\n\r\n";
    QTest::newRow("100 header fields") << withFields(100);
}

void tst_RequestFraming::findsWhereRequestsEnd()
{
    QFETCH(QByteArray, request);
    // Whole, byte by byte, and in awkward pieces: always the same end, exactly after the
    // request, with the next request's first byte left alone.
    for (const qsizetype piece : {qsizetype(0), qsizetype(1), qsizetype(7)}) {
        RequestFraming framing(kMaxHead, kMaxBody);
        const Fed fed = feedInPieces(framing, request + "GET /next", piece);
        QCOMPARE(fed.outcome, Outcome::Complete);
        QCOMPARE(fed.used, request.size());
        QVERIFY(!framing.inRequest());
    }
}

void tst_RequestFraming::refusesWhatBreaksALimitOrQtWouldMisread_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<Outcome>("outcome");
    QTest::addColumn<QString>("problem");

    QTest::newRow("head one byte over")
        << "GET / HTTP/1.1\r\nX: " + QByteArray(kMaxHead - 22, 'h') + "\r\n\r\n"
        << Outcome::HeadTooLarge << u"exceed 512 bytes"_s;
    QTest::newRow("endless request line")
        << "GET /" + QByteArray(kMaxHead, 'u') << Outcome::HeadTooLarge << u"exceed"_s;
    QTest::newRow("endless header line without LF")
        << "GET / HTTP/1.1\r\nX: " + QByteArray(kMaxHead, 'h') << Outcome::HeadTooLarge
        << u"exceed"_s;
    // Qt 6.4 ends chunk lines only at CRLF: with a bare LF it would buffer the rest of the
    // connection as one endless chunk-size line, so each of these is refused.
    QTest::newRow("chunk size ends with a bare LF")
        << QByteArray("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\nabc\r\n0\r\n\r\n")
        << Outcome::Malformed << u"does not end with CRLF"_s;
    QTest::newRow("chunk data ends with a bare LF")
        << QByteArray("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\n0\r\n\r\n")
        << Outcome::Malformed << u"not followed by CRLF"_s;
    QTest::newRow("last chunk ends with a bare LF")
        << QByteArray("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\n")
        << Outcome::Malformed << u"not followed by CRLF"_s;
    QTest::newRow("101 header fields")
        << withFields(101) << Outcome::HeadTooLarge << u"more than 100 header fields"_s;
    QTest::newRow("Content-Length one over")
        << QByteArray("POST / HTTP/1.1\r\nContent-Length: 1001\r\n\r\n") << Outcome::BodyTooLarge
        << u"Content-Length: 1001"_s;
    QTest::newRow("Content-Length beyond 64 bits")
        << QByteArray("POST / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n")
        << Outcome::Malformed << u"not a number"_s;
    QTest::newRow("Content-Length huge")
        << QByteArray("POST / HTTP/1.1\r\nContent-Length: 9223372036854775807\r\n\r\n")
        << Outcome::BodyTooLarge << u"exceeds the limit of 1000 bytes"_s;
    QTest::newRow("negative Content-Length")
        << QByteArray("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n") << Outcome::Malformed
        << u"not a number"_s;
    QTest::newRow("different Content-Length")
        << QByteArray("POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n")
        << Outcome::Malformed << u"two different"_s;
    QTest::newRow("chunks adding up past the cap")
        << "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1F4\r\n" + QByteArray(500, 'x')
               + "\r\n1F5\r\n"
        << Outcome::BodyTooLarge << u"passes the limit of 1000 bytes"_s;
    QTest::newRow("chunk size overflowing 64 bits")
        << QByteArray("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                      "ffffffffffffffffffffffff\r\n")
        << Outcome::BodyTooLarge << u"passes the limit"_s;
    QTest::newRow("negative chunk size")
        << QByteArray("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\n")
        << Outcome::Malformed << u"not hexadecimal"_s;
    QTest::newRow("empty chunk size")
        << QByteArray("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n\r\n")
        << Outcome::Malformed << u"no size"_s;
    QTest::newRow("chunk size line without end")
        << "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1" + QByteArray(2000, ' ')
        << Outcome::Malformed << u"longer than 1024 bytes"_s;
    QTest::newRow("chunk data not followed by CRLF")
        << QByteArray("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n")
        << Outcome::Malformed << u"not followed by CRLF"_s;
    QTest::newRow("trailer fields")
        << QByteArray("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: 1\r\n\r\n")
        << Outcome::Malformed << u"trailer fields"_s;
    QTest::newRow("header without colon")
        << QByteArray("GET / HTTP/1.1\r\nHost\r\n\r\n") << Outcome::Malformed << u"'Host'"_s;
    QTest::newRow("empty header name") << QByteArray("GET / HTTP/1.1\r\n: x\r\n\r\n")
                                       << Outcome::Malformed << u"not 'Name: value'"_s;
    QTest::newRow("space before the colon")
        << QByteArray("GET / HTTP/1.1\r\nContent-Length : 5\r\n\r\nhello") << Outcome::Malformed
        << u"not 'Name: value'"_s;
    QTest::newRow("headers starting with a folded line")
        << QByteArray("GET / HTTP/1.1\r\n folded\r\n\r\n") << Outcome::Malformed
        << u"starts with whitespace"_s;
}

void tst_RequestFraming::refusesWhatBreaksALimitOrQtWouldMisread()
{
    QFETCH(QByteArray, request);
    QFETCH(Outcome, outcome);
    QFETCH(QString, problem);

    for (const qsizetype piece : {qsizetype(0), qsizetype(1), qsizetype(13)}) {
        RequestFraming framing(kMaxHead, kMaxBody);
        const Fed fed = feedInPieces(framing, request, piece);
        QCOMPARE(fed.outcome, outcome);
        QVERIFY2(fed.problem.contains(problem), qPrintable(fed.problem));
    }
}

void tst_RequestFraming::startsAgainAfterEachRequest()
{
    // Each head is under the cap, all of them together far over it.
    const QByteArray one = "GET / HTTP/1.1\r\nX: " + QByteArray(kMaxHead - 30, 'h') + "\r\n\r\n";
    const QByteArray withBody =
        "POST / HTTP/1.1\r\nContent-Length: 900\r\n\r\n" + QByteArray(900, 'b');
    const QByteArray pipeline = one + withBody + one + withBody + one;
    RequestFraming framing(kMaxHead, kMaxBody);
    QByteArrayView rest(pipeline);
    int complete = 0;
    while (!rest.isEmpty()) {
        const RequestFraming::Step step = framing.feed(rest);
        QCOMPARE(step.outcome, Outcome::Complete);
        ++complete;
        rest = rest.sliced(step.used);
    }
    QCOMPARE(complete, 5);
}

void tst_RequestFraming::blankLinesBetweenRequestsAreNotARequest()
{
    RequestFraming framing(kMaxHead, kMaxBody);
    QCOMPARE(framing.feed("\r\n\r\n \t").outcome, Outcome::NeedMore);
    QVERIFY(!framing.inRequest());
    QCOMPARE(framing.feed("G").outcome, Outcome::NeedMore);
    QVERIFY(framing.inRequest());
}

void tst_RequestFraming::staysBrokenAfterAViolation()
{
    RequestFraming framing(kMaxHead, kMaxBody);
    QCOMPARE(framing.feed("POST / HTTP/1.1\r\nContent-Length: 5000\r\n\r\n").outcome,
             Outcome::BodyTooLarge);
    const RequestFraming::Step again = framing.feed("GET / HTTP/1.1\r\n\r\n");
    QCOMPARE(again.outcome, Outcome::BodyTooLarge);
    QCOMPARE(again.used, 0);
}

// The Gatekeeper answers a connection refused at accept once its head is read - often the whole
// request - with the CORS headers of its Origin; a refusal must not carry the last request's.
void tst_RequestFraming::originIsKeptUntilTheNextRequestBegins()
{
    RequestFraming framing(kMaxHead, kMaxBody);
    QCOMPARE(framing.feed("GET / HTTP/1.1\r\nOrigin: http://a.example\r\n").outcome,
             Outcome::NeedMore);
    QCOMPARE(framing.origin(), QByteArray("http://a.example"));
    QCOMPARE(framing.feed("\r\n").outcome, Outcome::Complete);
    QCOMPARE(framing.origin(), QByteArray("http://a.example"));
    QCOMPARE(framing.feed("\r\n").outcome, Outcome::NeedMore); // a blank line between requests
    QCOMPARE(framing.origin(), QByteArray("http://a.example"));
    QCOMPARE(framing.feed("GET / HTTP/1.1\r\nHost: b\r\n").outcome, Outcome::NeedMore);
    QVERIFY(framing.origin().isEmpty());
    QCOMPARE(framing.feed("\r\n").outcome, Outcome::Complete);
    QVERIFY(framing.origin().isEmpty());
}

QTEST_APPLESS_MAIN(tst_RequestFraming)
#include "tst_requestframing.moc"
