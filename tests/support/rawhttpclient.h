#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QObject>
#include <QPair>
#include <QPointer>
#include <QString>

#include <functional>

class QTcpSocket;

namespace heartline::testing {

using RawHeaders = QList<QPair<QByteArray, QByteArray>>;

constexpr int kDefaultTimeoutMs = 5000;

// Milliseconds on one monotonic clock shared by every helper, for arrival times and gaps.
qint64 monotonicMs();

// Runs the event loop until `predicate` holds or `timeoutMs` passes; returns the predicate.
// Never a blocking sleep: everything on this thread (an in-process server too) keeps running.
bool waitUntil(const std::function<bool()> &predicate, int timeoutMs = kDefaultTimeoutMs);

// One Server-Sent Events item as a client sees it: a comment line, or a dispatched event.
struct SseItem
{
    enum class Kind { Comment, Event };

    Kind kind = Kind::Event;
    QByteArray comment; // the text after ':' without its one leading space
    QByteArray id;
    bool hasId = false;
    QByteArray event; // empty: the default "message" type
    QByteArray data;  // data lines joined with LF
    bool hasData = false;
    int retryMs = -1;
    qint64 arrivedMs = 0; // monotonicMs() when the bytes that completed it were read

    bool isComment() const { return kind == Kind::Comment; }
    bool isEvent() const { return kind == Kind::Event; }
    bool isHeartbeat() const { return isComment() && comment.startsWith("heartbeat "); }
    // The JSON-RPC message in `data` (an empty object if it is not one).
    QJsonObject message() const;
};

// One raw SSE block and when the bytes that completed it were read.
struct SseBlock
{
    QByteArray text;
    qint64 arrivedMs = 0;
};

struct HttpResponse
{
    QByteArray httpVersion;
    int status = 0;
    QByteArray reason;
    RawHeaders headers;
    QByteArray body; // de-chunked
    bool chunked = false;
    bool headComplete = false;
    bool complete = false; // Content-Length satisfied, last chunk seen, or closed (no length)
    qint64 headArrivedMs = -1;
    qint64 completedMs = -1;
    QList<SseItem> sse; // filled as it arrives when the body is text/event-stream
    // The same event stream as its raw blocks (each up to and including its blank line), for
    // tests of the framing itself.
    QList<SseBlock> sseBlocks;
    QList<qint64> chunkSizes; // as the chunk size lines said, the closing 0 included
    QByteArray rawBody;       // the body as it came over the wire, chunk framing included

    bool hasHeader(QByteArrayView name) const;
    QByteArray header(QByteArrayView name) const; // first value; names are case-insensitive
    QList<QByteArray> headerValues(QByteArrayView name) const;
    QByteArray mediaType() const; // Content-Type without parameters, lower-cased
    bool isEventStream() const { return mediaType() == "text/event-stream"; }

    QJsonValue json() const;
    QJsonObject jsonObject() const { return json().toObject(); }
    // error.code of a JSON-RPC error body, or 0.
    int jsonRpcErrorCode() const;

    QList<SseItem> sseEvents() const;
    QList<SseItem> sseComments() const;
    QList<SseItem> heartbeats() const;

    // Status line, headers and (shortened) body, for failure messages.
    QString describe() const;
};

// A deliberately low-level HTTP/1.1 client for tests: it writes exactly the request it is
// told to (method, path, headers, body) on one QTcpSocket, and parses what comes back by
// itself - status line, headers, Content-Length or chunked bodies, SSE items with their
// arrival times - so tests see the wire, not what a friendly client library makes of it.
// One request at a time per connection; the connection is reused for the next one.
class RawHttpClient final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RawHttpClient)

public:
    // A client for the server on `port`; 0 leaves the port to connectTo().
    explicit RawHttpClient(quint16 port = 0, QObject *parent = nullptr);
    ~RawHttpClient() override;

    bool connectToServer(int timeoutMs = kDefaultTimeoutMs);
    // Starts connecting and returns at once, for clients driven by progressed() alone (no
    // nested event loop): it is emitted when the connection is open (isConnected()) or has
    // failed (wasDisconnected()).
    void connectInBackground();
    bool connectTo(quint16 port, int timeoutMs = kDefaultTimeoutMs);
    bool isConnected() const;
    // Whether the server closed this connection (or it broke) since it was opened.
    bool wasDisconnected() const { return m_disconnected; }
    int connectionCount() const { return m_connections; }
    quint16 localPort() const;

    // Starts a new response and writes the request, connecting first if needed. Adds
    // Host (unless given) and Content-Length (when there is a body or the method is POST).
    bool send(const QByteArray &method, const QByteArray &path, const RawHeaders &headers = {},
              const QByteArray &body = {});
    // Writes bytes as they are, for requests `send` would not produce.
    bool sendRaw(const QByteArray &bytes);
    // Writes more bytes, keeping the response being read: the rest of a request, or more
    // requests pipelined behind it.
    bool sendMore(const QByteArray &bytes);

    bool waitForHead(int timeoutMs = kDefaultTimeoutMs);
    bool waitForComplete(int timeoutMs = kDefaultTimeoutMs);
    bool waitForSse(const std::function<bool(const QList<SseItem> &)> &predicate,
                    int timeoutMs = kDefaultTimeoutMs);
    bool waitForDisconnected(int timeoutMs = kDefaultTimeoutMs);
    // Reads `count` responses that come back to back (to pipelined requests), from the current
    // one on; fewer when they do not all come in time. response() is then the next one.
    QList<HttpResponse> waitForResponses(int count, int timeoutMs = kDefaultTimeoutMs);

    // send() and waitForComplete(); the returned response has complete == false on timeout.
    HttpResponse request(const QByteArray &method, const QByteArray &path,
                         const RawHeaders &headers = {}, const QByteArray &body = {},
                         int timeoutMs = kDefaultTimeoutMs);

    const HttpResponse &response() const { return m_response; }
    qint64 requestSentMs() const { return m_sentMs; }
    // Bytes that arrived after the current response was complete (none is the right amount).
    QByteArray unexpectedBytes() const;
    QString parseError() const { return m_parseError; }

    // Ends our side with a FIN but keeps reading, the way a client that is done with a
    // stream closes it cleanly (a close with unread data would send a reset instead).
    void closeWriteSide();
    // Closes the connection once what we wrote is sent, as a client that is done does.
    void disconnectFromHost();
    // Resets the connection (an RST, as a crashed client or a middlebox sends); false when the
    // socket would not take the option.
    bool resetConnection();
    void abort();

    // Stops (or resumes) reading, leaving what arrives in the kernel's buffers, so a test can
    // play a client that does not keep up.
    void setReading(bool reading);
    // A small read buffer makes a client that stops reading push back sooner; applied when
    // the connection opens.
    void setReadBufferSize(qint64 bytes) { m_readBufferSize = bytes; }

Q_SIGNALS:
    void progressed();

private:
    enum class BodyMode { None, Length, Chunked, UntilClose };
    enum class ChunkState { Size, Data, Trailers };

    QTcpSocket *openSocket();
    void startResponse();
    void handleReadyRead();
    void handleDisconnected();
    void parse();
    bool parseHead();
    void parseBody();
    void parseBodyBytes();
    void splitSseBlocks();
    void appendBody(const QByteArray &bytes);
    void finish();
    void parseSse();
    void handleSseLine(const QByteArray &line);
    void fail(const QString &problem);

    quint16 m_port;
    QPointer<QTcpSocket> m_socket;
    QByteArray m_buffer;
    HttpResponse m_response;
    QByteArray m_method;
    BodyMode m_mode = BodyMode::None;
    qint64 m_remaining = 0;
    ChunkState m_chunkState = ChunkState::Size;
    QByteArray m_sseBuffer;
    qsizetype m_blockStart = 0;
    SseItem m_pendingEvent;
    bool m_pendingHasField = false;
    qint64 m_readMs = 0;
    qint64 m_sentMs = -1;
    bool m_disconnected = false;
    bool m_reading = true;
    qint64 m_readBufferSize = 0;
    int m_connections = 0;
    QString m_parseError;
};

} // namespace heartline::testing
