#pragma once

#include "server/api/disconnectcause.h"
#include "server/api/serverconfig.h"
#include "server/qt64/httpexchange.h"
#include "server/qt64/requestframing.h"
#include "server/qt64/warningthrottle.h"

#include <QHash>
#include <QSet>
#include <QTcpServer>
#include <QTimer>

#include <functional>
#include <limits>
#include <optional>
#include <unordered_map>

class QAbstractHttpServer;
class QTcpSocket;

namespace heartline {

// The TCP server handed to QHttpServer::bind(), and the only defence Heartline has against a
// client that asks too much: Qt 6.4's QHttpServer has no limits of its own and buffers any
// request whole, however large it claims to be.
//
// Every accepted socket passes here first: TCP keep-alive (half-open peers are found even when
// no heartbeat is due), no-delay (heartbeats and events are small), a PeerCloseProbe (FIN or
// RST), and the caps on connections in total and per peer address (503). The Gatekeeper's
// readyRead slot runs before QHttpServer's: it peeks at the new bytes - never consuming them -
// and follows each request's framing (RequestFraming), so a head beyond maxHeaderBytes (431) or
// a body beyond maxBodyBytes (413, as soon as Content-Length or a chunk size says so) is
// refused before QHttpServer buffers it. A request must arrive whole within requestTimeoutMs
// of its first byte, and a new connection must start one within requestTimeoutMs (slow
// clients, 408). A connection that has handed a complete request over is not timed out while
// it owes a response (ResponseGate: it may be carrying an SSE stream for hours); once it owes
// none and no request is under way, it is closed after keepAliveTimeoutMs. One timer sweeps
// every connection that has a deadline.
//
// Responses go out in the order of the requests (RFC 9112 §9.3.2): while a connection owes a
// response, the requests pipelined behind it are followed (limits still apply) but held from
// QHttpServer in a read transaction, and given back when the response is complete.
//
// A refusal writes one complete response (JSON-RPC error body, Connection: close, the CORS
// headers the request's Origin earns - see setCorsHeaders), after any response still owed, cuts
// QHttpServer off the socket, discards what else arrives, and closes once the response has
// left: its side first (a FIN after the response), then the socket when the client closes or
// after kLingerMs - so a client still sending its body reads the answer instead of a reset.
class Gatekeeper final : public QTcpServer
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Gatekeeper)

public:
    static constexpr int kBacklog = 1024;
    // How long a refused connection is drained before it is dropped.
    static constexpr int kLingerMs = 2000;
    // Connections being refused at once; beyond this, new ones are closed without an answer.
    // Fewer when the file descriptor limit is low (see descriptorBudget()).
    static constexpr int kMaxRefusing = 256;
    static constexpr int kRetryAfterSeconds = 2;
    // How long a connection refused at accept may take to send its request head, whose Origin
    // the 503 answers with CORS headers; a slot of `refusing` is held meanwhile.
    static constexpr int kRefusalHeadWaitMs = 1000;

    explicit Gatekeeper(const ServerConfig &config, QObject *parent = nullptr);
    ~Gatekeeper() override;

    // Raises the file descriptor soft limit to the hard limit, then listens.
    bool startListening(const QHostAddress &address, quint16 port);
    // Binds `server` to this: the connections admitted here are handed over to it.
    void handOverTo(QAbstractHttpServer *server);

    // What a file descriptor limit leaves for connections. Some descriptors are kept for the
    // server's own files, pipes and sockets, and for refusing; the rest are for connections.
    // A connection takes one, or two while descriptors are plentiful: the socket and the
    // duplicate its PeerCloseProbe tells FIN from RST with. Qt 6.4 retries an accept() that
    // failed for want of a descriptor on every turn of the loop - a whole core spinning,
    // nothing accepted - so the server must never get there: past the budget it answers 503.
    struct DescriptorBudget
    {
        qint64 forConnections = 0; // descriptors admitted connections may hold
        qint64 probedBelow = 0;    // a new connection gets a probe while fewer are in use
        int refusing = 0;          // connections being answered 503 at once

        // How many connections fit when they arrive one after another.
        qint64 connections() const;
    };
    static DescriptorBudget descriptorBudget(quint64 descriptorLimit);

    // New limits (settings changed live). Requests already being received keep the size
    // limits they started with; everything else uses the new ones from now on.
    void applyLimits(const ServerConfig &config);

    // The CORS headers a refusal carries for its request's Origin (none for an origin not
    // allowed, or before the Origin line arrived): the access policy's, as on any response.
    using CorsHeaders = std::function<HttpHeaders(const QByteArray &origin)>;
    void setCorsHeaders(CorsHeaders corsHeaders) { m_corsHeaders = std::move(corsHeaders); }

    // Connections handed to QHttpServer and still open (refused ones are not counted).
    int openConnections() const { return m_open; }

    // The HTTP response a refusal writes: status line, JSON-RPC error body, Connection: close.
    static QByteArray refusalResponse(int status, const QString &message,
                                      const QList<QPair<QByteArray, QByteArray>> &extra = {});

Q_SIGNALS:
    // A connection was turned away. `status` is the HTTP status answered, or 0 when the
    // connection was closed without an answer (a response may have been in flight on it).
    void refused(const QString &peer, int status, heartline::DisconnectCause cause,
                 const QString &detail);

protected:
    void incomingConnection(qintptr socketDescriptor) override;

private:
    struct Connection
    {
        Connection(const QString &peerAddress, qint64 now, qint64 maxHead, qint64 maxBody);

        QString peer;
        RequestFraming framing;
        qint64 acceptedMs = 0;
        qint64 requestStartedMs = -1; // first byte of the request being received
        // Bytes at the front of the socket's buffer already followed here but not yet read
        // by QHttpServer (the requests pipelined after the one it is handling).
        qint64 scannedAhead = 0;
        int handed = 0; // complete requests QHttpServer has been given
        bool countedOpen = false;
        int descriptors = 1; // 2 with a PeerCloseProbe
        bool closing = false;
        qint64 closeByMs = -1;
        // Pipelined bytes read into a transaction QHttpServer cannot see past, while a
        // response is owed; given back (rolled back) when it is complete.
        bool holding = false;
        qint64 heldBytes = 0;
        bool watchingGate = false;
        // A refusal written once the owed response is complete.
        QByteArray deferredRefusal;
        // Keep-alive: since when it has had no request under way and owed nothing (-1: not).
        qint64 idleSinceMs = -1;
        // Bytes of complete requests QHttpServer has still to take, from where it reads.
        qint64 requestsAhead = 0;
        // A request broke a limit behind complete ones: those are served first, then this.
        struct Refusal
        {
            int status = 0;
            DisconnectCause cause = DisconnectCause::ProtocolError;
            QString detail;
        };
        std::optional<Refusal> refuseWhenTaken;
        // Refused at accept: the 503 waits for the request head (its Origin earns CORS
        // headers) until refuseByMs; the detail it will say.
        QString refuseOnHead;
        qint64 refuseByMs = -1;
    };

    void admitConnection(QTcpSocket *socket, const QString &peer, qint64 now, int descriptors);
    void makeHandOverConnectionNewest();
    void refuseAtAccept(QTcpSocket *socket, const QString &peer, qint64 now, const QString &detail);
    void readHeadToRefuse(QTcpSocket *socket);
    void refuseHeld(QTcpSocket *socket, Connection &connection);
    void handleArrived(QTcpSocket *socket);
    void handleTaken(QTcpSocket *socket);
    void watchGate(QTcpSocket *socket, Connection &connection);
    void handleSettled(QTcpSocket *socket);
    void refuseAfterEarlierRequests(QTcpSocket *socket, Connection &connection, int status,
                                    DisconnectCause cause, const QString &detail);
    void hideFromHttpServer(QTcpSocket *socket, Connection &connection);
    void release(QTcpSocket *socket, Connection &connection);
    void markIdleIfDone(QTcpSocket *socket, Connection &connection);
    bool isKeepAliveIdle(const Connection &connection) const;
    void forgetWhenClosed(QTcpSocket *socket);
    void forget(QTcpSocket *socket);
    void sweep();
    void timeOut(QTcpSocket *socket, Connection &connection, const QString &detail);
    void refuse(QTcpSocket *socket, Connection &connection, int status, DisconnectCause cause,
                const QString &detail, const QList<QPair<QByteArray, QByteArray>> &extra = {});
    void cutOff(QTcpSocket *socket, Connection &connection);
    void shutDownWhenFlushed(QTcpSocket *socket);
    void updateWatch(QTcpSocket *socket, const Connection &connection);
    qint64 deadline(const Connection &connection) const;
    void handleAcceptError(QAbstractSocket::SocketError error);
    void raiseFileLimit();
    void warnOnceDescriptorsCapConnections();

    qint64 m_maxHeaderBytes;
    qint64 m_maxBodyBytes;
    int m_maxConnections = 0;
    int m_maxConnectionsPerPeer;
    int m_requestTimeoutMs;
    int m_keepAliveTimeoutMs = 0;
    quint64 m_descriptorLimit = 0; // 0 until listening: not yet known
    DescriptorBudget m_descriptors{std::numeric_limits<qint64>::max(),
                                   std::numeric_limits<qint64>::max(), kMaxRefusing};
    qint64 m_descriptorsInUse = 0; // by admitted connections
    QAbstractHttpServer *m_httpServer = nullptr;
    CorsHeaders m_corsHeaders;
    bool m_warnedOfDescriptors = false;

    std::unordered_map<QTcpSocket *, Connection> m_connections;
    QHash<QString, int> m_perPeer; // open connections by peer address
    QSet<QTcpSocket *> m_watched;  // connections with a deadline
    QTimer m_sweep;
    WarningThrottle m_refusalWarnings; // one line per refusal, until they come in a flood
    int m_open = 0;
    int m_refusing = 0;
    qint64 m_resumeAcceptingMs = -1;
};

} // namespace heartline
