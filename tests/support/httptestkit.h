#pragma once

// Test helpers shared by the server unit tests that need real HTTP: a QHttpServer on a loopback
// port 0, and a raw HTTP/1.1 client on a QTcpSocket that decodes chunked bodies and SSE blocks
// as they arrive, so a test can see exactly which bytes went over the wire and when.

#include "server/qt64/httpexchange.h"
#include "server/stream/ssestream.h"

#include <QByteArray>
#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QHostAddress>
#include <QHttpServer>
#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QList>
#include <QPair>
#include <QPointer>
#include <QString>
#include <QTcpSocket>

#include <functional>
#include <memory>
#include <utility>

namespace heartline::testkit {

// Processes events until `condition` holds or `timeoutMs` passes; never a bare sleep.
inline bool waitUntil(const std::function<bool()> &condition, int timeoutMs = 5000)
{
    const QDeadlineTimer deadline(timeoutMs);
    while (!condition()) {
        if (deadline.hasExpired())
            return condition();
        QCoreApplication::processEvents(QEventLoop::AllEvents, 10);
    }
    return true;
}

// One SSE block (everything up to and including its blank line) and when the client read it.
struct SseBlock
{
    QByteArray text;
    qint64 receivedMs = 0;
};

// A deliberately dumb HTTP/1.1 client: it writes exactly the bytes a test gives it and parses
// one response at a time, checking the chunk framing on the way.
class RawHttpClient final
{
    Q_DISABLE_COPY_MOVE(RawHttpClient)

public:
    RawHttpClient()
    {
        m_clock.start();
        QObject::connect(&m_socket, &QTcpSocket::readyRead, &m_socket, [this]() {
            if (m_reading)
                readAvailable();
        });
    }

    QTcpSocket &socket() { return m_socket; }

    bool connectTo(quint16 port)
    {
        m_socket.connectToHost(QHostAddress::LocalHost, port);
        return waitUntil([this]() { return m_socket.state() == QAbstractSocket::ConnectedState; });
    }

    // Stops (or resumes) reading from the socket, leaving bytes in the kernel buffers.
    void setReading(bool reading)
    {
        m_reading = reading;
        if (reading)
            readAvailable();
    }

    void send(const QByteArray &raw) { m_socket.write(raw); }

    void get(const QByteArray &path, const QList<QByteArray> &headerLines = {})
    {
        QByteArray request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
        for (const QByteArray &line : headerLines)
            request += line + "\r\n";
        request += "\r\n";
        send(request);
    }

    bool isConnected() const { return m_socket.state() == QAbstractSocket::ConnectedState; }
    bool headComplete() const { return m_headComplete; }
    bool complete() const { return m_complete; }
    bool malformed() const { return m_malformed; }
    int status() const { return m_status; }
    const QByteArray &head() const { return m_head; }
    const QByteArray &body() const { return m_body; }
    const QList<qint64> &chunkSizes() const { return m_chunkSizes; }
    const QList<SseBlock> &blocks() const { return m_blocks; }
    // The bytes of the current response after its header block, still chunk-framed.
    QByteArray rawBody() const { return m_headComplete ? m_raw.mid(m_bodyStart) : QByteArray(); }

    QList<QByteArray> headerValues(const QByteArray &name) const
    {
        QList<QByteArray> values;
        for (const auto &header : m_headers) {
            if (header.first == name.toLower())
                values.append(header.second);
        }
        return values;
    }

    QByteArray header(const QByteArray &name) const
    {
        const QList<QByteArray> values = headerValues(name);
        return values.isEmpty() ? QByteArray() : values.first();
    }

    // Drops the finished response so the next one on the same connection can be parsed.
    void startNextResponse()
    {
        m_raw.remove(0, m_pos);
        m_headComplete = m_complete = m_chunked = m_malformed = false;
        m_status = 0;
        m_contentLength = -1;
        m_pos = m_bodyStart = m_blockPos = 0;
        m_head.clear();
        m_headers.clear();
        m_body.clear();
        m_chunkSizes.clear();
        m_blocks.clear();
        parse();
    }

private:
    void readAvailable()
    {
        m_raw += m_socket.readAll();
        parse();
    }

    void parse()
    {
        if (!m_headComplete && !parseHead())
            return;
        if (m_complete || m_malformed)
            return;
        if (!m_chunked) {
            if (m_contentLength >= 0 && m_raw.size() - m_pos >= m_contentLength) {
                m_body = m_raw.mid(m_pos, m_contentLength);
                m_pos += m_contentLength;
                m_complete = true;
            }
            return;
        }
        while (!m_complete) {
            const qsizetype lineEnd = m_raw.indexOf("\r\n", m_pos);
            if (lineEnd < 0)
                return;
            bool ok = false;
            const qint64 size = m_raw.mid(m_pos, lineEnd - m_pos).toLongLong(&ok, 16);
            if (!ok || size < 0) {
                m_malformed = true;
                return;
            }
            const qsizetype payloadStart = lineEnd + 2;
            if (m_raw.size() < payloadStart + size + 2)
                return;
            if (m_raw.mid(payloadStart + size, 2) != "\r\n") {
                m_malformed = true;
                return;
            }
            m_chunkSizes.append(size);
            m_pos = payloadStart + size + 2;
            if (size == 0) {
                m_complete = true;
                return;
            }
            m_body += m_raw.mid(payloadStart, size);
            splitBlocks();
        }
    }

    bool parseHead()
    {
        const qsizetype end = m_raw.indexOf("\r\n\r\n");
        if (end < 0)
            return false;
        m_head = m_raw.left(end);
        const QList<QByteArray> lines = m_head.split('\n');
        const QList<QByteArray> statusLine = lines.value(0).trimmed().split(' ');
        m_status = statusLine.value(1).toInt();
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const qsizetype colon = lines.at(i).indexOf(':');
            if (colon > 0)
                m_headers.append({lines.at(i).left(colon).trimmed().toLower(),
                                  lines.at(i).mid(colon + 1).trimmed()});
        }
        m_headComplete = true;
        m_pos = m_bodyStart = end + 4;
        m_chunked = header("Transfer-Encoding").toLower() == "chunked";
        bool ok = false;
        const qint64 length = header("Content-Length").toLongLong(&ok);
        m_contentLength = ok ? length : -1;
        return true;
    }

    void splitBlocks()
    {
        qsizetype end;
        while ((end = m_body.indexOf("\n\n", m_blockPos)) >= 0) {
            m_blocks.append({m_body.mid(m_blockPos, end + 2 - m_blockPos), m_clock.elapsed()});
            m_blockPos = end + 2;
        }
    }

    QTcpSocket m_socket;
    QElapsedTimer m_clock;
    QByteArray m_raw;
    QByteArray m_head;
    QList<QPair<QByteArray, QByteArray>> m_headers;
    QByteArray m_body;
    QList<qint64> m_chunkSizes;
    QList<SseBlock> m_blocks;
    qsizetype m_pos = 0;
    qsizetype m_bodyStart = 0;
    qsizetype m_blockPos = 0;
    qint64 m_contentLength = -1;
    int m_status = 0;
    bool m_reading = true;
    bool m_headComplete = false;
    bool m_complete = false;
    bool m_chunked = false;
    bool m_malformed = false;
};

// A QHttpServer on 127.0.0.1 and a free port, whose routes call the test's handlers.
class TestHttpServer final
{
    Q_DISABLE_COPY_MOVE(TestHttpServer)

public:
    using Handler = std::function<void(const QHttpServerRequest &, QHttpServerResponder &&)>;

    TestHttpServer() = default;

    void route(const QString &path, Handler handler)
    {
        m_http.route(path, [handler = std::move(handler)](const QHttpServerRequest &request,
                                                          QHttpServerResponder &&responder) {
            handler(request, std::move(responder));
        });
    }

    bool listen()
    {
        m_port = m_http.listen(QHostAddress::LocalHost, 0);
        return m_port != 0;
    }

    quint16 port() const { return m_port; }

private:
    QHttpServer m_http;
    quint16 m_port = 0;
};

// A TestHttpServer whose /sse route turns each request into an SseStream (opened at once unless
// the test says otherwise) and whose /plain route answers a small complete reply, so a test can
// check that a connection is reused after a stream.
class SseHarness final
{
    Q_DISABLE_COPY_MOVE(SseHarness)

public:
    SseHarness()
    {
        m_server.route(QStringLiteral("/sse"), [this](const QHttpServerRequest &,
                                                      QHttpServerResponder &&responder) {
            auto *stream = new SseStream(QStringLiteral("s%1").arg(m_streams.size() + 1),
                                         QStringLiteral("session"), StreamKind::Standalone,
                                         std::make_unique<HttpExchange>(std::move(responder)));
            m_streams.append(stream);
            if (autoOpen)
                stream->open(extraHeaders);
        });
        m_server.route(QStringLiteral("/plain"), [this](const QHttpServerRequest &,
                                                        QHttpServerResponder &&responder) {
            ++plainRequests;
            HttpExchange::reply(responder, {200, {{"Content-Type", "text/plain"}}, "plain\n"});
        });
    }

    ~SseHarness()
    {
        for (const QPointer<SseStream> &stream : std::as_const(m_streams))
            delete stream.data();
    }

    bool listen() { return m_server.listen(); }
    quint16 port() const { return m_server.port(); }

    // Connects `client`, asks for /sse and waits for the server's stream and, when it opens
    // at once, for the opening comment on the client. Null on failure.
    SseStream *openStream(RawHttpClient &client)
    {
        const qsizetype before = m_streams.size();
        if (!client.connectTo(port()))
            return nullptr;
        client.get("/sse");
        if (!waitUntil([&]() {
                return m_streams.size() > before && (!autoOpen || !client.blocks().isEmpty());
            }))
            return nullptr;
        return m_streams.at(before);
    }

    bool autoOpen = true;
    HttpHeaders extraHeaders;
    int plainRequests = 0;

private:
    TestHttpServer m_server;
    QList<QPointer<SseStream>> m_streams;
};

} // namespace heartline::testkit
