#pragma once

#include "server/api/disconnectcause.h"

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QPair>
#include <QPointer>

#include <memory>

class QHttpServerResponder;
class QTcpSocket;

namespace heartline {

class ResponseGate;

using HttpHeaders = QList<QPair<QByteArray, QByteArray>>;

struct HttpReply
{
    int status = 200;
    HttpHeaders headers;
    QByteArray body;
};

// One HTTP response that may outlive the route handler: a reply sent whole, or a chunked
// stream written piece by piece. This is the only place that knows how QHttpServerResponder
// works in the Qt version we build against (DESIGN.md: keep responder details in one file).
//
// Qt 6.4's responder keeps a raw socket pointer that dangles once the client goes away, so
// every write goes through a QPointer taken at construction and stops when it reads null.
// From construction to its end (reply sent, body ended, aborted, or the exchange dropped) the
// connection owes this response (ResponseGate): later pipelined requests wait for it.
class HttpExchange final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HttpExchange)

public:
    explicit HttpExchange(QHttpServerResponder &&responder, QObject *parent = nullptr);
    ~HttpExchange() override;

    bool isConnected() const;
    QString peerAddress() const;
    // Bytes written that the client has not taken yet: queued in the socket or unacknowledged
    // in the kernel.
    qint64 bytesQueued() const;

    void sendReply(const HttpReply &reply);
    bool beginChunked(int status, const HttpHeaders &headers);
    // The bytes the kernel took at once (the rest waits in the socket's buffer, and
    // bytesWritten reports it as it drains), or -1 when the exchange can no longer write.
    qint64 writeChunk(QByteArrayView payload);
    // Ends the chunked body cleanly; the connection stays open for the client's next request.
    void endChunked();
    // Drops the connection without ending the body, so the client sees the stream break.
    void abort();

    // Writes a complete reply on a responder that has not been moved into an exchange.
    static void reply(QHttpServerResponder &responder, const HttpReply &reply);

Q_SIGNALS:
    // The peer went away or a write failed; emitted at most once.
    void disconnected(heartline::DisconnectCause cause, const QString &detail);
    // Bytes that had waited in the socket's buffer went out.
    void bytesWritten(qint64 bytes);

private:
    // Writes on this exchange's socket (sendAfterQueued): the bytes the kernel took at once, or
    // -1, with the exchange aborted, when the socket refused them.
    qint64 write(QByteArrayView bytes);
    void handleSocketError();
    void handleSocketDisconnected();
    void reportPeerClose();
    void reportDisconnect(DisconnectCause cause, const QString &detail);
    // The response is complete as far as the connection's order goes: the next may start.
    void settle();

    std::unique_ptr<QHttpServerResponder> m_responder;
    QPointer<QTcpSocket> m_socket;
    QPointer<ResponseGate> m_gate;
    QString m_peer;
    bool m_reported = false;
    bool m_ended = false;
};

} // namespace heartline
