#include "server/qt64/httpexchange.h"

#include "server/qt64/peercloseprobe.h"

#include <QHttpServerResponder>
#include <QLoggingCategory>
#include <QTcpSocket>

#if QT_VERSION >= QT_VERSION_CHECK(6, 8, 0)
// Qt 6.8 replaced socket()/writeStatusLine with writeBeginChunked/writeChunk/writeEndChunked.
// Port the four writing functions below to that API; nothing outside this file changes.
#error "HttpExchange is written for the Qt 6.4-6.7 QHttpServerResponder"
#endif

using namespace Qt::StringLiterals;

namespace heartline {

Q_LOGGING_CATEGORY(lcExchange, "heartline.server.http")

namespace {

using StatusCode = QHttpServerResponder::StatusCode;

void writeHead(QHttpServerResponder &responder, int status, const HttpHeaders &headers)
{
    responder.writeStatusLine(StatusCode(status));
    for (const auto &header : headers)
        responder.writeHeader(header.first, header.second);
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
    connect(m_socket, &QTcpSocket::errorOccurred, this, &HttpExchange::handleSocketError);
    connect(m_socket, &QTcpSocket::disconnected, this, &HttpExchange::handleSocketDisconnected);
    connect(m_socket, &QTcpSocket::bytesWritten, this, &HttpExchange::bytesWritten);
}

HttpExchange::~HttpExchange() = default;

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
    return m_socket ? m_socket->bytesToWrite() : 0;
}

void HttpExchange::reply(QHttpServerResponder &responder, const HttpReply &reply)
{
    if (!responder.socket() || !responder.socket()->isOpen())
        return;
    writeHead(responder, reply.status, reply.headers);
    responder.writeHeader("Content-Length", QByteArray::number(reply.body.size()));
    responder.writeBody(reply.body);
}

void HttpExchange::sendReply(const HttpReply &reply)
{
    if (!isConnected() || m_ended)
        return;
    m_ended = true;
    HttpExchange::reply(*m_responder, reply);
}

bool HttpExchange::beginChunked(int status, const HttpHeaders &headers)
{
    if (!isConnected() || m_ended)
        return false;
    writeHead(*m_responder, status, headers);
    m_responder->writeHeader("Transfer-Encoding", "chunked");
    m_responder->writeBody(""); // ends the header block; the body is ours from here
    return true;
}

bool HttpExchange::writeChunk(QByteArrayView payload)
{
    if (!isConnected() || m_ended)
        return false;
    // A zero-size chunk is the last chunk: writing one would end the body mid-stream.
    if (payload.isEmpty())
        return true;
    const QByteArray framed =
        QByteArray::number(payload.size(), 16) + "\r\n" + payload.toByteArray() + "\r\n";
    if (m_socket->write(framed) != framed.size()) {
        reportDisconnect(DisconnectCause::WriteFailed, m_socket->errorString());
        abort();
        return false;
    }
    return true;
}

void HttpExchange::endChunked()
{
    if (!isConnected() || m_ended)
        return;
    m_ended = true;
    m_socket->write("0\r\n\r\n");
}

void HttpExchange::abort()
{
    m_ended = true;
    if (m_socket) {
        // Reported as ours to avoid a second, misleading "client closed" from the socket.
        m_reported = true;
        m_socket->abort();
    }
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
