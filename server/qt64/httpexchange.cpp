#include "server/qt64/httpexchange.h"

#include "server/qt64/idlereadbuffer.h"
#include "server/qt64/peercloseprobe.h"
#include "server/qt64/responsegate.h"

#include <QHttpServerResponder>
#include <QLoggingCategory>
#include <QTcpSocket>

#include <sys/ioctl.h>
#include <sys/socket.h>

#if QT_VERSION >= QT_VERSION_CHECK(6, 8, 0)
// Qt 6.8 dropped socket(), which the writing below needs (it writes the socket itself, see
// sendAfterQueued); port it to writeBeginChunked/writeChunk/writeEndChunked or a socket of our
// own; nothing outside this file changes.
#error "HttpExchange is written for the Qt 6.4-6.7 QHttpServerResponder"
#endif

using namespace Qt::StringLiterals;

namespace heartline {

Q_LOGGING_CATEGORY(lcExchange, "heartline.server.http")

namespace {

// RFC 9110's reason phrases for the statuses Heartline answers with (the phrase is decoration:
// clients read the code).
QByteArrayView reasonPhrase(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 202:
        return "Accepted";
    case 204:
        return "No Content";
    case 301:
        return "Moved Permanently";
    case 304:
        return "Not Modified";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 406:
        return "Not Acceptable";
    case 408:
        return "Request Timeout";
    case 409:
        return "Conflict";
    case 410:
        return "Gone";
    case 411:
        return "Length Required";
    case 413:
        return "Content Too Large";
    case 415:
        return "Unsupported Media Type";
    case 422:
        return "Unprocessable Content";
    case 429:
        return "Too Many Requests";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 501:
        return "Not Implemented";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    default:
        return "";
    }
}

// The status line and the headers, without the blank line that ends them.
QByteArray head(int status, const HttpHeaders &headers)
{
    QByteArray bytes;
    bytes.reserve(256);
    bytes += "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status) + "\r\n";
    for (const auto &header : headers)
        bytes += header.first + ": " + header.second + "\r\n";
    return bytes;
}

// Writes `bytes` after everything written before them: straight into the kernel while the
// socket has nothing queued, the rest through its buffer. QAbstractSocket puts every write in
// a buffer of 32 KiB chunks, flushed a turn later, and keeps one chunk per socket for good
// (heaptrack: 32 KiB of every idle stream); what the kernel takes at once never touches it and
// leaves in this turn. An error is left to the socket's own write, which reports it as before.
// Returns what the kernel took at once, or -1 when the socket refused the bytes.
qint64 sendAfterQueued(QTcpSocket *socket, QByteArrayView bytes)
{
    qint64 sent = 0;
    if (socket->bytesToWrite() == 0 && socket->state() == QAbstractSocket::ConnectedState) {
        const ssize_t n = ::send(int(socket->socketDescriptor()), bytes.data(),
                                 size_t(bytes.size()), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0)
            sent = n;
    }
    const qint64 rest = bytes.size() - sent;
    if (rest > 0 && socket->write(bytes.data() + sent, rest) != rest)
        return -1;
    return sent;
}

} // namespace

HttpExchange::HttpExchange(QHttpServerResponder &&responder, QObject *parent)
    : QObject(parent)
    , m_responder(std::make_unique<QHttpServerResponder>(std::move(responder)))
    , m_socket(m_responder->socket())
{
    if (!m_socket) {
        m_reported = true;
        return;
    }
    m_peer = m_socket->peerAddress().toString();
    m_gate = ResponseGate::of(m_socket);
    m_gate->begin();
    connect(m_socket, &QTcpSocket::errorOccurred, this, &HttpExchange::handleSocketError);
    connect(m_socket, &QTcpSocket::disconnected, this, &HttpExchange::handleSocketDisconnected);
    connect(m_socket, &QTcpSocket::bytesWritten, this, &HttpExchange::bytesWritten);
}

HttpExchange::~HttpExchange()
{
    settle();
}

void HttpExchange::settle()
{
    if (m_gate)
        m_gate->end();
    m_gate = nullptr;
}

bool HttpExchange::isConnected() const
{
    return m_socket && m_socket->state() == QAbstractSocket::ConnectedState;
}

QString HttpExchange::peerAddress() const
{
    return m_peer;
}

qint64 HttpExchange::bytesQueued() const
{
    if (!m_socket)
        return 0;
    // What the client has not taken: the socket's own queue, and what the kernel holds
    // unacknowledged, where most of it waits now that writes go straight to the kernel.
    int inKernel = 0;
    if (m_socket->state() != QAbstractSocket::ConnectedState
        || ::ioctl(int(m_socket->socketDescriptor()), TIOCOUTQ, &inKernel) != 0)
        inKernel = 0;
    return m_socket->bytesToWrite() + inKernel;
}

void HttpExchange::reply(QHttpServerResponder &responder, const HttpReply &reply)
{
    QTcpSocket *socket = responder.socket();
    if (!socket || !socket->isOpen())
        return;
    QByteArray bytes = head(reply.status, reply.headers);
    bytes += "Content-Length: " + QByteArray::number(reply.body.size()) + "\r\n\r\n";
    bytes += reply.body;
    sendAfterQueued(socket, bytes);
}

void HttpExchange::sendReply(const HttpReply &reply)
{
    if (!isConnected() || m_ended)
        return;
    m_ended = true;
    HttpExchange::reply(*m_responder, reply);
    settle();
}

bool HttpExchange::beginChunked(int status, const HttpHeaders &headers)
{
    if (!isConnected() || m_ended)
        return false;
    if (write(QByteArray(head(status, headers) + "Transfer-Encoding: chunked\r\n\r\n")) < 0)
        return false;
    // A chunked body is a stream: the connection now mostly waits, and its emptied read chunk
    // was most of an idle stream's memory.
    releaseIdleReadBuffer(m_socket);
    return true;
}

qint64 HttpExchange::writeChunk(QByteArrayView payload)
{
    if (!isConnected() || m_ended)
        return -1;
    // A zero-size chunk is the last chunk: writing one would end the body mid-stream.
    if (payload.isEmpty())
        return 0;
    QByteArray framed;
    framed.reserve(payload.size() + 16);
    framed += QByteArray::number(payload.size(), 16) + "\r\n";
    framed += payload;
    framed += "\r\n";
    return write(framed);
}

qint64 HttpExchange::write(QByteArrayView bytes)
{
    // What the kernel takes at once never passes the socket's buffer, so the socket will not
    // say it was written: the caller learns it from the result, not from a signal (a signal
    // per write, on 10,000 streams whose connection lists are cold, was a tenth of an idle
    // server's CPU).
    const qint64 sent = sendAfterQueued(m_socket, bytes);
    if (sent < 0) {
        reportDisconnect(DisconnectCause::WriteFailed, m_socket->errorString());
        abort();
    }
    return sent;
}

void HttpExchange::endChunked()
{
    if (!isConnected() || m_ended)
        return;
    m_ended = true;
    write("0\r\n\r\n");
    settle();
}

void HttpExchange::abort()
{
    m_ended = true;
    if (m_socket) {
        // Reported as ours to avoid a second, misleading "client closed" from the socket.
        m_reported = true;
        m_socket->abort();
    }
    settle();
}

void HttpExchange::handleSocketError()
{
    if (!m_socket)
        return;
    if (m_socket->error() == QAbstractSocket::RemoteHostClosedError)
        reportPeerClose();
    else
        reportDisconnect(DisconnectCause::ConnectionReset, m_socket->errorString());
}

void HttpExchange::handleSocketDisconnected()
{
    reportPeerClose();
}

void HttpExchange::reportPeerClose()
{
    // Qt 6.4 says RemoteHostClosedError for a FIN and for a RST alike; the probe the
    // Gatekeeper attached read the TCP state before Qt's descriptor was gone.
    const PeerCloseProbe *probe = PeerCloseProbe::of(m_socket);
    if (probe && probe->peerClose() == PeerCloseProbe::PeerClose::Reset)
        reportDisconnect(DisconnectCause::ConnectionReset, u"the peer reset the connection"_s);
    else
        reportDisconnect(DisconnectCause::ClientClosed, u"the peer closed the connection"_s);
}

void HttpExchange::reportDisconnect(DisconnectCause cause, const QString &detail)
{
    if (m_reported)
        return;
    m_reported = true;
    qCDebug(lcExchange) << "connection from" << m_peer << "ended:" << DisconnectCauses::name(cause)
                        << detail;
    Q_EMIT disconnected(cause, detail);
}

} // namespace heartline
