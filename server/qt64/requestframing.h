#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

namespace heartline {

// Where one HTTP/1.1 request ends in the bytes of a connection, found the way Qt 6.4's
// QHttpServer frames it: blank lines skipped, a request line, header lines up to the first
// empty line, then Content-Length bytes or chunks (Transfer-Encoding containing "chunked" wins
// over Content-Length). It keeps no body bytes, only counters and the header line being read,
// so the Gatekeeper can follow every connection cheaply and refuse a request that breaks a
// limit before QHttpServer has buffered it.
class RequestFraming final
{
public:
    // Qt 6.4's header parser drops every header of a request with more fields than this.
    static constexpr int kMaxHeaderFields = 100;
    static constexpr int kMaxChunkSizeLine = 1024;

    enum class Outcome {
        NeedMore,     // every byte fed was used; the request is not complete yet
        Complete,     // a request ended after `used` bytes; the framing is ready for the next
        HeadTooLarge, // request line and headers beyond the limit, or too many fields: 431
        BodyTooLarge, // Content-Length or chunks beyond the limit: 413
        Malformed,    // a header or chunk QHttpServer would misread: 400
    };

    struct Step
    {
        Outcome outcome = Outcome::NeedMore;
        qsizetype used = 0;
    };

    RequestFraming(qint64 maxHeadBytes, qint64 maxBodyBytes);

    // Follows `bytes`, the next ones on the connection, up to the end of one request or a
    // violation. After a violation the framing stays broken; the connection is to be closed.
    Step feed(QByteArrayView bytes);

    // A request has begun: a byte beyond the blank lines allowed between requests arrived.
    bool inRequest() const { return m_state != State::Idle; }
    // The request being read has its whole head read: its body is under way.
    bool inBody() const { return m_state >= State::Body && m_state < State::Broken; }
    // What is wrong, for the refusal's message (empty unless a violation happened).
    QString problem() const { return m_problem; }
    // The Origin header of the request being read, once its line has been read (or of the
    // last one complete, until the next begins): a refusal carries the CORS headers it earns,
    // so a browser can read why.
    QByteArray origin() const;

private:
    enum class State {
        Idle,
        RequestLine,
        Headers,
        Body,
        ChunkSize,
        ChunkData,
        ChunkDataEnd,
        LastChunk,
        Broken,
    };

    qsizetype feedHead(QByteArrayView bytes, Outcome *outcome);
    bool endHeaderField(Outcome *outcome);
    Outcome endHead();
    qsizetype feedChunkSize(QByteArrayView bytes, Outcome *outcome);
    qsizetype feedLineEnd(QByteArrayView bytes, Outcome *outcome);
    Outcome fail(Outcome outcome, const QString &problem);
    void reset();

    qint64 m_maxHeadBytes;
    qint64 m_maxBodyBytes;
    State m_state = State::Idle;
    Outcome m_brokenOutcome = Outcome::NeedMore;
    qint64 m_headBytes = 0;
    QByteArray m_line; // the header or chunk-size line being read, without its LF
    // The header field being read; only the two that frame the body keep their value (folded
    // lines joined as Qt joins them): copying every name and value was most of the scan.
    enum class Field { None, Other, ContentLength, TransferEncoding, Origin };
    Field m_field = Field::None;
    QByteArray m_fieldValue;
    QByteArray m_origin;
    int m_fields = 0;
    bool m_haveLength = false;
    qint64 m_contentLength = 0;
    QByteArray m_transferEncoding;
    qint64 m_bodyRemaining = 0;
    qint64 m_bodyTotal = 0;
    bool m_crSeen = false;
    QString m_problem;
};

} // namespace heartline
