// Longer than our usual file: every suite's one raw client keeps HTTP/1.1 framing (length,
// chunked, until close, pipelined responses) and SSE parsing together, so a test sees the wire
// through one parser, not through a copy per suite.

#include "tests/support/rawhttpclient.h"

#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QTcpSocket>
#include <QTimer>

#include <sys/socket.h>

using namespace Qt::StringLiterals;

namespace heartline::testing {

qint64 monotonicMs()
{
    static const QElapsedTimer origin = [] {
        QElapsedTimer timer;
        timer.start();
        return timer;
    }();
    return origin.elapsed();
}

bool waitUntil(const std::function<bool()> &predicate, int timeoutMs)
{
    if (predicate())
        return true;
    const QDeadlineTimer deadline(qMax(0, timeoutMs), Qt::PreciseTimer);
    QEventLoop loop;
    // A short poll wakes the loop to look at the predicate; sockets, timers and the server
    // under test are served by the same loop in between, so nothing waits on the poll.
    QTimer poll;
    poll.setTimerType(Qt::PreciseTimer);
    poll.setInterval(2);
    QObject::connect(&poll, &QTimer::timeout, &loop, [&]() {
        if (predicate() || deadline.hasExpired())
            loop.quit();
    });
    poll.start();
    loop.exec();
    return predicate();
}

// --- SseItem, HttpResponse ---------------------------------------------------------------

QJsonObject SseItem::message() const
{
    return QJsonDocument::fromJson(data).object();
}

bool HttpResponse::hasHeader(QByteArrayView name) const
{
    return !headerValues(name).isEmpty();
}

QByteArray HttpResponse::header(QByteArrayView name) const
{
    return headerValues(name).value(0);
}

QList<QByteArray> HttpResponse::headerValues(QByteArrayView name) const
{
    QList<QByteArray> values;
    for (const auto &header : headers) {
        if (header.first.compare(name, Qt::CaseInsensitive) == 0)
            values.append(header.second);
    }
    return values;
}

QByteArray HttpResponse::mediaType() const
{
    return header("Content-Type").split(';').value(0).trimmed().toLower();
}

QJsonValue HttpResponse::json() const
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(body, &error);
    if (error.error != QJsonParseError::NoError)
        return QJsonValue(QJsonValue::Undefined);
    return document.isArray() ? QJsonValue(document.array()) : QJsonValue(document.object());
}

int HttpResponse::jsonRpcErrorCode() const
{
    return jsonObject().value("error"_L1).toObject().value("code"_L1).toInt(0);
}

QList<SseItem> HttpResponse::sseEvents() const
{
    QList<SseItem> events;
    for (const SseItem &item : sse) {
        if (item.isEvent())
            events.append(item);
    }
    return events;
}

QList<SseItem> HttpResponse::sseComments() const
{
    QList<SseItem> comments;
    for (const SseItem &item : sse) {
        if (item.isComment())
            comments.append(item);
    }
    return comments;
}

QList<SseItem> HttpResponse::heartbeats() const
{
    QList<SseItem> beats;
    for (const SseItem &item : sse) {
        if (item.isHeartbeat())
            beats.append(item);
    }
    return beats;
}

QString HttpResponse::describe() const
{
    if (!headComplete)
        return u"(no complete response head)"_s;
    QString text = QString::fromLatin1(httpVersion) + u' ' + QString::number(status) + u' '
                   + QString::fromLatin1(reason) + u'\n';
    for (const auto &header : headers)
        text += QString::fromLatin1(header.first) + u": "_s + QString::fromLatin1(header.second)
                + u'\n';
    constexpr qsizetype kShown = 600;
    text += u'\n' + QString::fromUtf8(body.left(kShown));
    if (body.size() > kShown)
        text += u"... (%1 bytes)"_s.arg(body.size());
    if (!complete)
        text += u"\n(body incomplete)"_s;
    return text;
}

// --- RawHttpClient -----------------------------------------------------------------------

RawHttpClient::RawHttpClient(quint16 port, QObject *parent)
    : QObject(parent)
    , m_port(port)
{}

RawHttpClient::~RawHttpClient()
{
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
        delete m_socket;
    }
}

bool RawHttpClient::connectToServer(int timeoutMs)
{
    if (isConnected())
        return true;
    QTcpSocket *socket = openSocket();
    const bool connected = waitUntil(
        [socket]() {
            return socket->state() == QAbstractSocket::ConnectedState
                   || socket->state() == QAbstractSocket::UnconnectedState;
        },
        timeoutMs);
    if (!connected || socket->state() != QAbstractSocket::ConnectedState)
        return false;
    ++m_connections;
    return true;
}

void RawHttpClient::connectInBackground()
{
    QTcpSocket *socket = openSocket();
    connect(socket, &QTcpSocket::connected, this, [this]() {
        ++m_connections;
        Q_EMIT progressed();
    });
}

QTcpSocket *RawHttpClient::openSocket()
{
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
        m_socket->deleteLater();
    }
    m_buffer.clear();
    m_disconnected = false;
    auto *socket = new QTcpSocket(this);
    m_socket = socket;
    if (m_readBufferSize > 0)
        socket->setReadBufferSize(m_readBufferSize);
    connect(socket, &QTcpSocket::readyRead, this, &RawHttpClient::handleReadyRead);
    connect(socket, &QTcpSocket::disconnected, this, &RawHttpClient::handleDisconnected);
    connect(socket, &QTcpSocket::errorOccurred, this, [this, socket]() {
        if (socket->error() != QAbstractSocket::RemoteHostClosedError
            && socket->state() != QAbstractSocket::ConnectedState)
            handleDisconnected();
    });
    socket->connectToHost(QHostAddress(QHostAddress::LocalHost), m_port);
    return socket;
}

bool RawHttpClient::connectTo(quint16 port, int timeoutMs)
{
    m_port = port;
    return connectToServer(timeoutMs);
}

bool RawHttpClient::isConnected() const
{
    return m_socket && m_socket->state() == QAbstractSocket::ConnectedState;
}

quint16 RawHttpClient::localPort() const
{
    return m_socket ? m_socket->localPort() : 0;
}

bool RawHttpClient::send(const QByteArray &method, const QByteArray &path,
                         const RawHeaders &headers, const QByteArray &body)
{
    QByteArray request = method + ' ' + path + " HTTP/1.1\r\n";
    bool hasHost = false;
    bool hasLength = false;
    for (const auto &header : headers) {
        hasHost = hasHost || header.first.compare("Host", Qt::CaseInsensitive) == 0;
        hasLength = hasLength || header.first.compare("Content-Length", Qt::CaseInsensitive) == 0;
    }
    if (!hasHost)
        request += "Host: 127.0.0.1:" + QByteArray::number(m_port) + "\r\n";
    for (const auto &header : headers)
        request += header.first + ": " + header.second + "\r\n";
    if (!hasLength && (!body.isEmpty() || method == "POST" || method == "PUT" || method == "PATCH"))
        request += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    request += "\r\n";
    request += body;
    m_method = method;
    return sendRaw(request);
}

bool RawHttpClient::sendRaw(const QByteArray &bytes)
{
    if (!isConnected() && !connectToServer())
        return false;
    startResponse();
    m_sentMs = monotonicMs();
    if (!sendMore(bytes))
        return false;
    // Bytes that were already buffered (they should not be) belong to this response now.
    if (!m_buffer.isEmpty())
        parse();
    return true;
}

bool RawHttpClient::sendMore(const QByteArray &bytes)
{
    if (!isConnected() || m_socket->write(bytes) != bytes.size())
        return false;
    m_socket->flush();
    return true;
}

void RawHttpClient::startResponse()
{
    m_response = HttpResponse();
    m_mode = BodyMode::None;
    m_remaining = 0;
    m_chunkState = ChunkState::Size;
    m_sseBuffer.clear();
    m_blockStart = 0;
    m_pendingEvent = SseItem();
    m_pendingHasField = false;
    m_parseError.clear();
}

QList<HttpResponse> RawHttpClient::waitForResponses(int count, int timeoutMs)
{
    const QDeadlineTimer deadline(qMax(0, timeoutMs));
    QList<HttpResponse> responses;
    while (responses.size() < count && waitForComplete(int(deadline.remainingTime()))) {
        responses.append(m_response);
        startResponse();
        parse();
    }
    return responses;
}

bool RawHttpClient::waitForHead(int timeoutMs)
{
    return waitUntil([this]() { return m_response.headComplete || !m_parseError.isEmpty(); },
                     timeoutMs)
           && m_response.headComplete;
}

bool RawHttpClient::waitForComplete(int timeoutMs)
{
    return waitUntil([this]() { return m_response.complete || !m_parseError.isEmpty(); }, timeoutMs)
           && m_response.complete;
}

bool RawHttpClient::waitForSse(const std::function<bool(const QList<SseItem> &)> &predicate,
                               int timeoutMs)
{
    return waitUntil([this, &predicate]() { return predicate(m_response.sse); }, timeoutMs);
}

bool RawHttpClient::waitForDisconnected(int timeoutMs)
{
    return waitUntil([this]() { return m_disconnected; }, timeoutMs);
}

HttpResponse RawHttpClient::request(const QByteArray &method, const QByteArray &path,
                                    const RawHeaders &headers, const QByteArray &body,
                                    int timeoutMs)
{
    if (!send(method, path, headers, body))
        return {};
    waitForComplete(timeoutMs);
    return m_response;
}

QByteArray RawHttpClient::unexpectedBytes() const
{
    return m_response.complete ? m_buffer : QByteArray();
}

void RawHttpClient::closeWriteSide()
{
    if (!m_socket)
        return;
    m_socket->flush();
    ::shutdown(int(m_socket->socketDescriptor()), SHUT_WR);
}

void RawHttpClient::disconnectFromHost()
{
    if (m_socket)
        m_socket->disconnectFromHost();
}

bool RawHttpClient::resetConnection()
{
    if (!m_socket)
        return false;
    const struct linger linger = {1, 0};
    if (::setsockopt(int(m_socket->socketDescriptor()), SOL_SOCKET, SO_LINGER, &linger,
                     sizeof linger)
        != 0)
        return false;
    abort();
    return true;
}

void RawHttpClient::setReading(bool reading)
{
    m_reading = reading;
    if (reading && m_socket && m_socket->bytesAvailable() > 0)
        handleReadyRead();
}

void RawHttpClient::abort()
{
    if (m_socket)
        m_socket->abort();
    m_disconnected = true;
}

void RawHttpClient::handleReadyRead()
{
    if (!m_reading)
        return;
    m_readMs = monotonicMs();
    m_buffer += m_socket->readAll();
    parse();
    Q_EMIT progressed();
}

void RawHttpClient::handleDisconnected()
{
    if (m_disconnected)
        return;
    m_disconnected = true;
    if (m_socket && m_socket->bytesAvailable() > 0) {
        m_readMs = monotonicMs();
        m_buffer += m_socket->readAll();
        parse();
    }
    if (m_response.headComplete && !m_response.complete && m_mode == BodyMode::UntilClose)
        finish();
    Q_EMIT progressed();
}

void RawHttpClient::fail(const QString &problem)
{
    if (m_parseError.isEmpty())
        m_parseError = problem;
}

void RawHttpClient::parse()
{
    if (!m_parseError.isEmpty() || m_response.complete)
        return;
    if (!m_response.headComplete && !parseHead())
        return;
    parseBody();
}

bool RawHttpClient::parseHead()
{
    const qsizetype end = m_buffer.indexOf("\r\n\r\n");
    if (end < 0)
        return false;
    const QByteArray head = m_buffer.left(end);
    m_buffer.remove(0, end + 4);
    const QList<QByteArray> lines = head.split('\n');
    const QByteArray statusLine = lines.value(0).trimmed();
    const QList<QByteArray> parts = statusLine.split(' ');
    bool numeric = false;
    m_response.httpVersion = parts.value(0);
    m_response.status = parts.value(1).toInt(&numeric);
    m_response.reason = statusLine.mid(parts.value(0).size() + parts.value(1).size() + 2);
    if (!m_response.httpVersion.startsWith("HTTP/1.") || !numeric) {
        fail(u"not an HTTP/1.x status line: "_s + QString::fromLatin1(statusLine));
        return false;
    }
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines.at(i).trimmed();
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0) {
            fail(u"malformed header line: "_s + QString::fromLatin1(line));
            return false;
        }
        m_response.headers.append({line.left(colon).trimmed(), line.mid(colon + 1).trimmed()});
    }
    m_response.headComplete = true;
    m_response.headArrivedMs = m_readMs;

    const int status = m_response.status;
    if (m_method == "HEAD" || (status >= 100 && status < 200) || status == 204 || status == 304) {
        m_mode = BodyMode::None;
    } else if (m_response.header("Transfer-Encoding").toLower().contains("chunked")) {
        m_mode = BodyMode::Chunked;
        m_response.chunked = true;
        m_chunkState = ChunkState::Size;
    } else if (m_response.hasHeader("Content-Length")) {
        bool ok = false;
        m_remaining = m_response.header("Content-Length").toLongLong(&ok);
        if (!ok || m_remaining < 0) {
            fail(u"bad Content-Length"_s);
            return false;
        }
        m_mode = BodyMode::Length;
    } else {
        m_mode = BodyMode::UntilClose;
    }
    return true;
}

void RawHttpClient::parseBody()
{
    // parseBodyBytes() only ever takes bytes from the front of the buffer.
    const QByteArray unread = m_buffer;
    parseBodyBytes();
    m_response.rawBody += unread.left(unread.size() - m_buffer.size());
}

void RawHttpClient::parseBodyBytes()
{
    switch (m_mode) {
    case BodyMode::None:
        finish();
        return;
    case BodyMode::Length: {
        const qsizetype take = qsizetype(qMin<qint64>(m_remaining, m_buffer.size()));
        appendBody(m_buffer.left(take));
        m_buffer.remove(0, take);
        m_remaining -= take;
        if (m_remaining == 0)
            finish();
        return;
    }
    case BodyMode::UntilClose:
        appendBody(m_buffer);
        m_buffer.clear();
        return;
    case BodyMode::Chunked:
        break;
    }

    while (!m_response.complete && m_parseError.isEmpty()) {
        if (m_chunkState == ChunkState::Size) {
            const qsizetype lineEnd = m_buffer.indexOf("\r\n");
            if (lineEnd < 0)
                return;
            const QByteArray sizeText = m_buffer.left(lineEnd).split(';').value(0).trimmed();
            m_buffer.remove(0, lineEnd + 2);
            bool ok = false;
            m_remaining = sizeText.toLongLong(&ok, 16);
            if (!ok || m_remaining < 0) {
                fail(u"bad chunk size line: "_s + QString::fromLatin1(sizeText));
                return;
            }
            m_response.chunkSizes.append(m_remaining);
            m_chunkState = m_remaining == 0 ? ChunkState::Trailers : ChunkState::Data;
        } else if (m_chunkState == ChunkState::Data) {
            if (m_buffer.size() < m_remaining + 2)
                return;
            if (m_buffer.mid(m_remaining, 2) != "\r\n") {
                fail(u"a chunk does not end with CRLF"_s);
                return;
            }
            appendBody(m_buffer.left(m_remaining));
            m_buffer.remove(0, m_remaining + 2);
            m_chunkState = ChunkState::Size;
        } else {
            const qsizetype lineEnd = m_buffer.indexOf("\r\n");
            if (lineEnd < 0)
                return;
            const bool last = lineEnd == 0;
            m_buffer.remove(0, lineEnd + 2);
            if (last)
                finish();
        }
    }
}

void RawHttpClient::appendBody(const QByteArray &bytes)
{
    if (bytes.isEmpty())
        return;
    m_response.body += bytes;
    if (m_response.isEventStream()) {
        m_sseBuffer += bytes;
        parseSse();
        splitSseBlocks();
    }
}

void RawHttpClient::finish()
{
    if (m_response.complete)
        return;
    m_response.complete = true;
    m_response.completedMs = m_readMs;
}

void RawHttpClient::splitSseBlocks()
{
    qsizetype end;
    while ((end = m_response.body.indexOf("\n\n", m_blockStart)) >= 0) {
        m_response.sseBlocks.append(
            {m_response.body.mid(m_blockStart, end + 2 - m_blockStart), m_readMs});
        m_blockStart = end + 2;
    }
}

void RawHttpClient::parseSse()
{
    for (;;) {
        const qsizetype lf = m_sseBuffer.indexOf('\n');
        const qsizetype cr = m_sseBuffer.indexOf('\r');
        qsizetype end = -1;
        qsizetype skip = 1;
        if (cr >= 0 && (lf < 0 || cr < lf)) {
            // A CR at the very end may be the first half of a CRLF still on its way.
            if (cr + 1 >= m_sseBuffer.size())
                return;
            end = cr;
            skip = m_sseBuffer.at(cr + 1) == '\n' ? 2 : 1;
        } else if (lf >= 0) {
            end = lf;
        } else {
            return;
        }
        const QByteArray line = m_sseBuffer.left(end);
        m_sseBuffer.remove(0, end + skip);
        handleSseLine(line);
    }
}

void RawHttpClient::handleSseLine(const QByteArray &line)
{
    if (line.isEmpty()) {
        if (m_pendingHasField) {
            m_pendingEvent.kind = SseItem::Kind::Event;
            m_pendingEvent.arrivedMs = m_readMs;
            m_response.sse.append(m_pendingEvent);
        }
        m_pendingEvent = SseItem();
        m_pendingHasField = false;
        return;
    }
    if (line.startsWith(':')) {
        SseItem comment;
        comment.kind = SseItem::Kind::Comment;
        comment.comment = line.mid(1);
        if (comment.comment.startsWith(' '))
            comment.comment.remove(0, 1);
        comment.arrivedMs = m_readMs;
        m_response.sse.append(comment);
        return;
    }
    const qsizetype colon = line.indexOf(':');
    const QByteArray field = colon < 0 ? line : line.left(colon);
    QByteArray value = colon < 0 ? QByteArray() : line.mid(colon + 1);
    if (value.startsWith(' '))
        value.remove(0, 1);
    m_pendingHasField = true;
    if (field == "data") {
        if (m_pendingEvent.hasData)
            m_pendingEvent.data += '\n';
        m_pendingEvent.data += value;
        m_pendingEvent.hasData = true;
    } else if (field == "id") {
        m_pendingEvent.id = value;
        m_pendingEvent.hasId = true;
    } else if (field == "event") {
        m_pendingEvent.event = value;
    } else if (field == "retry") {
        bool ok = false;
        const int retry = value.toInt(&ok);
        if (ok)
            m_pendingEvent.retryMs = retry;
    }
}

} // namespace heartline::testing
