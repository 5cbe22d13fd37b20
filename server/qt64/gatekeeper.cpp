#include "server/qt64/gatekeeper.h"

#include "server/api/clock.h"
#include "server/protocol/wire/jsonrpc.h"
#include "server/qt64/peeraddress.h"
#include "server/qt64/peercloseprobe.h"
#include "server/qt64/responsegate.h"

#include <QAbstractHttpServer>
#include <QLoggingCategory>

#include <QTcpSocket>
#include <algorithm>

#ifdef Q_OS_UNIX
#include <sys/resource.h>
#include <sys/socket.h>
#endif
#ifdef Q_OS_LINUX
#include <netinet/in.h>
#include <netinet/tcp.h>
#endif

using namespace Qt::StringLiterals;

namespace heartline {

Q_LOGGING_CATEGORY(lcGatekeeper, "heartline.server.gatekeeper")

namespace {

// Ten refusals a line each per ten seconds, then one line saying how many more.
constexpr int kRefusalWarningBurst = 10;
constexpr int kRefusalWarningWindowMs = 10000;

void tuneKeepAlive(qintptr descriptor)
{
#ifdef Q_OS_LINUX
    // Probe after 60 s of silence, every 15 s, give up after 4 misses: a vanished peer is
    // noticed in about two minutes instead of the kernel default of two hours.
    const int idle = 60, interval = 15, count = 4;
    setsockopt(int(descriptor), IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
    setsockopt(int(descriptor), IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof interval);
    setsockopt(int(descriptor), IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof count);
#else
    Q_UNUSED(descriptor);
#endif
}

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 400:
        return "Bad Request";
    case 408:
        return "Request Timeout";
    case 413:
        return "Content Too Large";
    case 431:
        return "Request Header Fields Too Large";
    case 503:
        return "Service Unavailable";
    default:
        return "Error";
    }
}

} // namespace

Gatekeeper::Connection::Connection(const QString &peerAddress, qint64 now, qint64 maxHead,
                                   qint64 maxBody)
    : peer(peerAddress)
    , framing(maxHead, maxBody)
    , acceptedMs(now)
{}

Gatekeeper::Gatekeeper(const ServerConfig &config, QObject *parent)
    : QTcpServer(parent)
    , m_refusalWarnings(kRefusalWarningBurst, kRefusalWarningWindowMs, [](qint64 leftOut) {
        qCWarning(lcGatekeeper).noquote()
            << "refused or closed" << leftOut << "more connections in the last"
            << kRefusalWarningWindowMs / 1000
            << "s without a line each (every one is a disconnect event with its cause)";
    })
{
    // Qt's defaults (a backlog of 50, 30 accepted-but-unhandled sockets) make a burst of
    // clients reconnecting at once - after a proxy restart, say - wait on SYN retries.
    setListenBacklogSize(kBacklog);
    setMaxPendingConnections(kBacklog);
    applyLimits(config);
    connect(&m_sweep, &QTimer::timeout, this, &Gatekeeper::sweep);
    connect(this, &QTcpServer::acceptError, this, &Gatekeeper::handleAcceptError);
}

void Gatekeeper::applyLimits(const ServerConfig &config)
{
    m_maxHeaderBytes = config.maxHeaderBytes;
    m_maxBodyBytes = config.maxBodyBytes;
    m_maxConnections = config.maxConnections;
    m_maxConnectionsPerPeer = config.maxConnectionsPerPeer;
    m_requestTimeoutMs = config.requestTimeoutMs;
    m_keepAliveTimeoutMs = config.keepAliveTimeoutMs;
    // A tenth of the timeout: a slow client is cut at most 10% late, and the sweep runs only
    // while some connection has a deadline.
    m_sweep.setInterval(qBound(10, m_requestTimeoutMs / 10, 1000));
}

Gatekeeper::~Gatekeeper()
{
    // The sockets are our children and outlive this destructor's body; what they still
    // signal must not reach the members destroyed here.
    m_sweep.stop();
    const QList<QTcpSocket *> sockets = findChildren<QTcpSocket *>(Qt::FindDirectChildrenOnly);
    for (QTcpSocket *socket : sockets)
        QObject::disconnect(socket, nullptr, this, nullptr);
}

bool Gatekeeper::startListening(const QHostAddress &address, quint16 port)
{
    raiseFileLimit();
    return listen(address, port);
}

Gatekeeper::DescriptorBudget Gatekeeper::descriptorBudget(quint64 descriptorLimit)
{
    const qint64 limit = qint64(qMin<quint64>(descriptorLimit, 1u << 30));
    DescriptorBudget budget;
    budget.refusing = int(std::clamp<qint64>(limit / 16, 8, kMaxRefusing));
    // The server's own: listening and control sockets, epoll and eventfd, the config watcher,
    // upstream servers' pipes, log files. Two more for a connection closed unanswered (its
    // socket and probe exist for a moment).
    const qint64 own = std::clamp<qint64>(limit / 16, 32, 256) + 2;
    budget.forConnections = qMax<qint64>(2, limit - own - 2 * qint64(budget.refusing));
    // Probes for the first half: every connection of a normal day has one, and past that the
    // limit holds half as many again.
    budget.probedBelow = budget.forConnections / 2;
    return budget;
}

qint64 Gatekeeper::DescriptorBudget::connections() const
{
    const qint64 probed = probedBelow / 2;
    return probed + (forConnections - 2 * probed);
}

void Gatekeeper::raiseFileLimit()
{
#ifdef Q_OS_UNIX
    // The usual soft limit of 1024 would stop accepting long before maxConnections.
    struct rlimit limit = {};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0)
        return;
    const rlim_t before = limit.rlim_cur;
    if (limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &limit) != 0)
            getrlimit(RLIMIT_NOFILE, &limit);
    }
    m_descriptorLimit = limit.rlim_cur == RLIM_INFINITY ? std::numeric_limits<quint64>::max()
                                                        : quint64(limit.rlim_cur);
    m_descriptors = descriptorBudget(m_descriptorLimit);
    qCDebug(lcGatekeeper) << "file descriptor limit: soft" << quint64(before) << "->"
                          << m_descriptorLimit << "hard" << quint64(limit.rlim_max) << "- room for"
                          << m_descriptors.connections() << "connections";
#endif
}

void Gatekeeper::warnOnceDescriptorsCapConnections()
{
    // Said when it first matters, not at every start: most limits never come near.
    if (m_warnedOfDescriptors)
        return;
    m_warnedOfDescriptors = true;
    qCWarning(lcGatekeeper).noquote()
        << u"the file descriptor limit (%1) leaves room for %2 open connections, fewer than "
           u"maxConnections (%3); the next ones get 503. Raise it (ulimit -n, or LimitNOFILE= "
           u"for a service) to about %4"_s.arg(m_descriptorLimit)
               .arg(m_open)
               .arg(m_maxConnections)
               .arg(qint64(m_maxConnections) * 3 / 2 + 2 * kMaxRefusing + 512);
}

QByteArray Gatekeeper::refusalResponse(int status, const QString &message,
                                       const QList<QPair<QByteArray, QByteArray>> &extra)
{
    const QByteArray body =
        JsonRpc::serialize(JsonRpc::error({}, JsonRpcCode::ServerError, message));
    QByteArray response = "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status)
                          + "\r\nContent-Type: application/json\r\nConnection: close\r\n"
                            "Cache-Control: no-store\r\n";
    for (const auto &header : extra)
        response += header.first + ": " + header.second + "\r\n";
    response += "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
    return response;
}

void Gatekeeper::incomingConnection(qintptr socketDescriptor)
{
    auto *socket = new QTcpSocket(this);
    if (!socket->setSocketDescriptor(socketDescriptor)) {
        qCWarning(lcGatekeeper) << "could not adopt an accepted socket:" << socket->errorString();
        delete socket;
        return;
    }
    // First, so its slots run before anyone else's (HttpExchange asks it for the cause).
    if (m_descriptorsInUse + 2 <= m_descriptors.probedBelow)
        PeerCloseProbe::attach(socket);
    const int descriptors = PeerCloseProbe::of(socket) ? 2 : 1;
    socket->setSocketOption(QAbstractSocket::KeepAliveOption, 1);
    socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    tuneKeepAlive(socketDescriptor);

    const QString peer = peerAddressKey(socket->peerAddress());
    const qint64 now = Clock::monotonicMs();
    if (m_open >= m_maxConnections) {
        refuseAtAccept(
            socket, peer, now,
            u"the server has reached its limit of %1 open connections"_s.arg(m_maxConnections));
    } else if (m_descriptorsInUse + descriptors > m_descriptors.forConnections) {
        warnOnceDescriptorsCapConnections();
        refuseAtAccept(socket, peer, now,
                       u"the server has reached the %1 open connections its file descriptor "
                       u"limit (%2) leaves room for"_s.arg(m_open)
                           .arg(m_descriptorLimit));
    } else if (m_perPeer.value(peer) >= m_maxConnectionsPerPeer) {
        refuseAtAccept(socket, peer, now,
                       u"%1 has reached the limit of %2 open connections per peer"_s.arg(peer).arg(
                           m_maxConnectionsPerPeer));
    } else {
        admitConnection(socket, peer, now, descriptors);
    }
}

void Gatekeeper::admitConnection(QTcpSocket *socket, const QString &peer, qint64 now,
                                 int descriptors)
{
    auto entry =
        m_connections.emplace(socket, Connection(peer, now, m_maxHeaderBytes, m_maxBodyBytes));
    entry.first->second.countedOpen = true;
    entry.first->second.descriptors = descriptors;
    ++m_open;
    m_descriptorsInUse += descriptors;
    ++m_perPeer[peer];
    forgetWhenClosed(socket);

    // Before QHttpServer's readyRead slot: the bytes are judged before it reads them.
    connect(socket, &QIODevice::readyRead, this, [this, socket]() { handleArrived(socket); });
    // In Qt 6.4, addPendingConnection() emits pendingConnectionAvailable, and QHttpServer
    // takes the socket and connects its own readyRead slot right there...
    addPendingConnection(socket);
    if (hasPendingConnections())
        qCWarning(lcGatekeeper) << "QHttpServer did not take a new connection at once; request "
                                   "limits are checked against the wrong bytes";
    // ...so this one runs after it and sees what it left unread.
    connect(socket, &QIODevice::readyRead, this, [this, socket]() { handleTaken(socket); });
    updateWatch(socket, entry.first->second);
    makeHandOverConnectionNewest();
}

void Gatekeeper::handOverTo(QAbstractHttpServer *server)
{
    m_httpServer = server;
    server->bind(this);
}

// QHttpServer 6.4 finds the TCP server a connection came from with sender(), which walks every
// connection made to the HTTP server - one more per open socket, whose readyRead it follows -
// from the newest to the oldest; the one bind() made from here is the oldest. Accepting cost
// grew with the connections held (sender() was 29 % of the server's time opening 10,000
// streams). Made again after each hand-over, it is always near the front.
void Gatekeeper::makeHandOverConnectionNewest()
{
    if (!m_httpServer)
        return;
    disconnect(this, &QTcpServer::pendingConnectionAvailable, m_httpServer, nullptr);
    m_httpServer->bind(this);
}

void Gatekeeper::refuseAtAccept(QTcpSocket *socket, const QString &peer, qint64 now,
                                const QString &detail)
{
    if (m_refusing >= m_descriptors.refusing) {
        // A flood: answering each one would only hold more descriptors.
        if (m_refusalWarnings.admit())
            qCWarning(lcGatekeeper).noquote()
                << "closed a connection from" << peer << "-" << detail;
        Q_EMIT refused(peer, 0, DisconnectCause::RateLimited, detail);
        delete socket;
        return;
    }
    auto entry =
        m_connections.emplace(socket, Connection(peer, now, m_maxHeaderBytes, m_maxBodyBytes));
    ++m_refusing;
    forgetWhenClosed(socket);
    // A browser reads why only with the CORS headers its Origin earns: the answer waits for the
    // request head, briefly (the slot it holds is one of the few kept for refusing).
    Connection &connection = entry.first->second;
    connection.refuseOnHead = detail;
    connection.refuseByMs = now + qMin(kRefusalHeadWaitMs, qMax(m_requestTimeoutMs, 100));
    connect(socket, &QIODevice::readyRead, this, [this, socket]() { readHeadToRefuse(socket); });
    updateWatch(socket, connection);
    readHeadToRefuse(socket);
}

void Gatekeeper::readHeadToRefuse(QTcpSocket *socket)
{
    const auto found = m_connections.find(socket);
    if (found == m_connections.end() || found->second.refuseOnHead.isEmpty())
        return;
    Connection &connection = found->second;
    // Nothing of it is served: the bytes are only followed until the head has been read.
    const QByteArray bytes = socket->readAll();
    const RequestFraming::Step step = connection.framing.feed(bytes);
    if (step.outcome != RequestFraming::Outcome::NeedMore || connection.framing.inBody())
        refuseHeld(socket, connection);
}

void Gatekeeper::refuseHeld(QTcpSocket *socket, Connection &connection)
{
    const QString detail = connection.refuseOnHead;
    connection.refuseOnHead.clear();
    connection.refuseByMs = -1;
    // The connection cap is a limit on how much of the server one client (or all of them)
    // may hold at once - admission control, like the request rate limit - so it is reported
    // as rate_limited; too_large is kept for requests that are too big.
    refuse(socket, connection, 503, DisconnectCause::RateLimited,
           u"Service Unavailable: "_s + detail,
           {{"Retry-After", QByteArray::number(kRetryAfterSeconds)}});
}

void Gatekeeper::handleArrived(QTcpSocket *socket)
{
    const auto found = m_connections.find(socket);
    if (found == m_connections.end())
        return;
    Connection &connection = found->second;
    // A request behind one whose response is still owed waits for it (RFC 9112 §9.3.2).
    if (!connection.holding && !connection.closing && connection.handed > 0
        && owesResponse(socket)) {
        connection.holding = true;
        watchGate(socket, connection);
    }
    const qint64 available = socket->bytesAvailable();
    if (connection.refuseWhenTaken) {
        // The framing is broken: nothing more is followed; what is behind the complete
        // requests goes with the refusal.
        connection.scannedAhead = available;
        if (connection.holding)
            hideFromHttpServer(socket, connection);
        return;
    }
    // Not: a readyRead QHttpServer re-emitted for requests it has not read yet.
    if (available > connection.scannedAhead) {
        // peek() copies without consuming; QHttpServer reads the same bytes after us.
        const QByteArray bytes = socket->peek(available);
        QByteArrayView fresh =
            QByteArrayView(bytes).sliced(qMin(connection.scannedAhead, qint64(bytes.size())));
        while (!fresh.isEmpty()) {
            const RequestFraming::Step step = connection.framing.feed(fresh);
            switch (step.outcome) {
            case RequestFraming::Outcome::NeedMore:
                fresh = {};
                break;
            case RequestFraming::Outcome::Complete:
                ++connection.handed;
                connection.requestStartedMs = -1;
                fresh = fresh.sliced(step.used);
                // Held bytes sit between where QHttpServer reads and these.
                connection.requestsAhead =
                    (connection.holding ? connection.heldBytes : 0) + bytes.size() - fresh.size();
                break;
            case RequestFraming::Outcome::HeadTooLarge:
                refuseAfterEarlierRequests(socket, connection, 431, DisconnectCause::TooLarge,
                                           u"Request Header Fields Too Large: "_s
                                               + connection.framing.problem());
                return;
            case RequestFraming::Outcome::BodyTooLarge:
                refuseAfterEarlierRequests(socket, connection, 413, DisconnectCause::TooLarge,
                                           u"Content Too Large: "_s + connection.framing.problem());
                return;
            case RequestFraming::Outcome::Malformed:
                refuseAfterEarlierRequests(socket, connection, 400, DisconnectCause::ProtocolError,
                                           u"Bad Request: "_s + connection.framing.problem());
                return;
            }
        }
        if (connection.framing.inRequest() && connection.requestStartedMs < 0)
            connection.requestStartedMs = Clock::monotonicMs();
        connection.scannedAhead = bytes.size();
        connection.idleSinceMs = -1;
    }
    if (connection.holding)
        hideFromHttpServer(socket, connection);
    updateWatch(socket, connection);
}

void Gatekeeper::refuseAfterEarlierRequests(QTcpSocket *socket, Connection &connection, int status,
                                            DisconnectCause cause, const QString &detail)
{
    if (connection.requestsAhead <= 0) {
        refuse(socket, connection, status, cause, detail);
        return;
    }
    // Complete requests before this one are still to be read: each gets its answer first
    // (handleTaken refuses once QHttpServer has taken the last of them).
    connection.refuseWhenTaken = Connection::Refusal{status, cause, detail};
    connection.scannedAhead = socket->bytesAvailable();
    if (connection.holding)
        hideFromHttpServer(socket, connection);
}

void Gatekeeper::hideFromHttpServer(QTcpSocket *socket, Connection &connection)
{
    const qint64 visible = socket->bytesAvailable();
    if (visible <= 0)
        return;
    // Read inside a transaction, the bytes stay in the socket's buffer but past where
    // QHttpServer reads (it joins a transaction already started); release() rolls it back.
    if (!socket->isTransactionStarted())
        socket->startTransaction();
    socket->read(visible);
    connection.heldBytes += visible;
    connection.scannedAhead = 0;
    const qint64 backlogLimit = m_maxHeaderBytes + m_maxBodyBytes;
    if (connection.heldBytes > backlogLimit)
        refuse(socket, connection, 0, DisconnectCause::TooLarge,
               u"%1 bytes of pipelined requests are waiting behind an unfinished response "
               "(limit %2)"_s.arg(connection.heldBytes)
                   .arg(backlogLimit));
}

void Gatekeeper::watchGate(QTcpSocket *socket, Connection &connection)
{
    if (connection.watchingGate)
        return;
    connection.watchingGate = true;
    connect(ResponseGate::of(socket), &ResponseGate::settled, this,
            [this, socket]() { handleSettled(socket); });
}

void Gatekeeper::handleSettled(QTcpSocket *socket)
{
    const auto found = m_connections.find(socket);
    if (found == m_connections.end())
        return;
    Connection &connection = found->second;
    if (connection.closing) {
        // The refusal waited for the response before it; now it can be the next one.
        if (!connection.deferredRefusal.isEmpty()) {
            socket->write(std::exchange(connection.deferredRefusal, {}));
            connection.closeByMs =
                Clock::monotonicMs() + qMin(kLingerMs, qMax(m_requestTimeoutMs, 100));
            updateWatch(socket, connection);
            shutDownWhenFlushed(socket);
        }
        return;
    }
    if (connection.holding)
        release(socket, connection);
    else
        markIdleIfDone(socket, connection);
}

void Gatekeeper::release(QTcpSocket *socket, Connection &connection)
{
    connection.holding = false;
    connection.heldBytes = 0;
    if (socket->isTransactionStarted())
        socket->rollbackTransaction();
    // Followed already; QHttpServer reads them now, one request per turn.
    connection.scannedAhead = socket->bytesAvailable();
    if (connection.scannedAhead > 0)
        QMetaObject::invokeMethod(socket, &QAbstractSocket::readyRead, Qt::QueuedConnection);
    else
        markIdleIfDone(socket, connection);
}

void Gatekeeper::markIdleIfDone(QTcpSocket *socket, Connection &connection)
{
    if (connection.closing || connection.holding || connection.handed == 0
        || connection.framing.inRequest() || socket->bytesAvailable() > 0 || owesResponse(socket))
        return;
    connection.idleSinceMs = Clock::monotonicMs();
    updateWatch(socket, connection);
}

bool Gatekeeper::isKeepAliveIdle(const Connection &connection) const
{
    return m_keepAliveTimeoutMs > 0 && !connection.closing && connection.idleSinceMs >= 0;
}

void Gatekeeper::handleTaken(QTcpSocket *socket)
{
    const auto found = m_connections.find(socket);
    if (found == m_connections.end())
        return;
    Connection &connection = found->second;
    if (connection.holding || connection.closing)
        return;
    const qint64 left = socket->bytesAvailable();
    const qint64 taken = qMax<qint64>(0, connection.scannedAhead - left);
    connection.requestsAhead = qMax<qint64>(0, connection.requestsAhead - taken);
    connection.scannedAhead = left;
    if (connection.refuseWhenTaken && connection.requestsAhead == 0) {
        const Connection::Refusal refusal = *std::exchange(connection.refuseWhenTaken, {});
        refuse(socket, connection, refusal.status, refusal.cause, refusal.detail);
        return;
    }
    // QHttpServer reads one request per turn of the event loop and Qt buffers everything
    // behind it: a client pipelining more than one largest request ahead is cut off.
    const qint64 backlogLimit = m_maxHeaderBytes + m_maxBodyBytes;
    if (connection.scannedAhead > backlogLimit) {
        refuse(
            socket, connection, 0, DisconnectCause::TooLarge,
            u"%1 bytes of pipelined requests are waiting (limit %2)"_s.arg(connection.scannedAhead)
                .arg(backlogLimit));
        return;
    }
    // The request just handled may be answered later: its end is when the connection may
    // go idle (or a held request go on).
    if (owesResponse(socket))
        watchGate(socket, connection);
    else
        markIdleIfDone(socket, connection);
}

void Gatekeeper::forgetWhenClosed(QTcpSocket *socket)
{
    // A closed connection stops counting at once, not when its object is finally deleted
    // (deferred deletion may wait for an outer event loop).
    connect(socket, &QAbstractSocket::disconnected, this, [this, socket]() { forget(socket); });
    connect(socket, &QObject::destroyed, this, [this, socket]() { forget(socket); });
}

void Gatekeeper::forget(QTcpSocket *socket)
{
    const auto found = m_connections.find(socket);
    if (found == m_connections.end())
        return;
    if (found->second.countedOpen) {
        --m_open;
        m_descriptorsInUse -= found->second.descriptors;
        const auto peer = m_perPeer.find(found->second.peer);
        if (peer != m_perPeer.end() && --peer.value() <= 0)
            m_perPeer.erase(peer);
    } else {
        --m_refusing;
    }
    m_connections.erase(found);
    m_watched.remove(socket);
    if (m_watched.isEmpty() && m_resumeAcceptingMs < 0)
        m_sweep.stop();
}

qint64 Gatekeeper::deadline(const Connection &connection) const
{
    if (connection.closing)
        return connection.closeByMs;
    if (!connection.refuseOnHead.isEmpty())
        return connection.refuseByMs;
    if (isKeepAliveIdle(connection))
        return connection.idleSinceMs + m_keepAliveTimeoutMs;
    if (m_requestTimeoutMs <= 0)
        return -1;
    if (connection.framing.inRequest())
        return connection.requestStartedMs + m_requestTimeoutMs;
    if (connection.handed == 0)
        return connection.acceptedMs + m_requestTimeoutMs;
    // Between requests after the first, owing a response: it may be a stream of any length.
    return -1;
}

void Gatekeeper::updateWatch(QTcpSocket *socket, const Connection &connection)
{
    if (deadline(connection) < 0) {
        m_watched.remove(socket);
        return;
    }
    m_watched.insert(socket);
    if (!m_sweep.isActive())
        m_sweep.start();
}

void Gatekeeper::sweep()
{
    const qint64 now = Clock::monotonicMs();
    if (m_resumeAcceptingMs >= 0 && now >= m_resumeAcceptingMs) {
        m_resumeAcceptingMs = -1;
        resumeAccepting();
    }
    // A copy: closing a socket may change the set.
    const QSet<QTcpSocket *> watched = m_watched;
    for (QTcpSocket *socket : watched) {
        const auto found = m_connections.find(socket);
        if (found == m_connections.end())
            continue;
        Connection &connection = found->second;
        const qint64 due = deadline(connection);
        if (due < 0) {
            m_watched.remove(socket);
            continue;
        }
        if (now < due)
            continue;
        if (connection.closing) {
            m_watched.remove(socket);
            // Qt closes the descriptor and the probe its duplicate: the peer gets the end now.
            socket->abort();
        } else if (!connection.refuseOnHead.isEmpty()) {
            refuseHeld(socket, connection); // no head in time: answered without CORS headers
        } else if (isKeepAliveIdle(connection)) {
            // Nothing under way and nothing owed: an ordinary end of a keep-alive connection,
            // which clients reopen as needed; no refusal, no disconnect event.
            m_watched.remove(socket);
            connection.idleSinceMs = -1;
            socket->disconnectFromHost();
        } else if (connection.framing.inRequest()) {
            timeOut(socket, connection,
                    u"the request was not complete %1 ms after its first byte "
                    "(requestTimeoutMs)"_s.arg(m_requestTimeoutMs));
        } else {
            timeOut(socket, connection,
                    u"no request arrived within %1 ms of connecting (requestTimeoutMs)"_s.arg(
                        m_requestTimeoutMs));
        }
    }
    if (m_watched.isEmpty() && m_resumeAcceptingMs < 0)
        m_sweep.stop();
}

void Gatekeeper::timeOut(QTcpSocket *socket, Connection &connection, const QString &detail)
{
    // After a request was handed over a response may still be going out on this connection;
    // a 408 written into it would corrupt it, so such a connection is only closed.
    const int status = connection.handed == 0 ? 408 : 0;
    refuse(socket, connection, status, DisconnectCause::ProtocolError,
           u"Request Timeout: "_s + detail);
}

void Gatekeeper::refuse(QTcpSocket *socket, Connection &connection, int status,
                        DisconnectCause cause, const QString &detail,
                        const QList<QPair<QByteArray, QByteArray>> &extra)
{
    if (connection.closing)
        return;
    cutOff(socket, connection);
    if (m_refusalWarnings.admit())
        qCWarning(lcGatekeeper).noquote()
            << "refused a connection from" << connection.peer << "with"
            << (status ? QString::number(status) : u"a close"_s) << "-" << detail;
    HttpHeaders headers = extra;
    if (m_corsHeaders)
        headers += m_corsHeaders(connection.framing.origin());
    const bool owed = owesResponse(socket);
    connection.closing = true;
    connection.holding = false;
    connection.refuseWhenTaken.reset();
    connection.requestsAhead = 0;
    if (status != 0 && owed) {
        // Written after the response still going out, never into it (handleSettled).
        connection.deferredRefusal = refusalResponse(status, detail, headers);
        connection.closeByMs = -1;
        watchGate(socket, connection);
    } else {
        if (status != 0)
            socket->write(refusalResponse(status, detail, headers));
        connection.closeByMs =
            Clock::monotonicMs() + qMin(kLingerMs, qMax(m_requestTimeoutMs, 100));
    }
    updateWatch(socket, connection);
    Q_EMIT refused(connection.peer, status, cause, detail);
    if (status == 0 || !owed)
        shutDownWhenFlushed(socket);
}

void Gatekeeper::cutOff(QTcpSocket *socket, Connection &connection)
{
    // Disconnecting during the readyRead emission is safe: Qt skips a connection whose
    // receiver was cleared, so QHttpServer's slot does not run for these bytes either.
    QObject::disconnect(socket, &QIODevice::readyRead, nullptr, nullptr);
    if (socket->isTransactionStarted())
        socket->commitTransaction();
    socket->skip(socket->bytesAvailable());
    connection.scannedAhead = 0;
    connect(socket, &QIODevice::readyRead, socket,
            [socket]() { socket->skip(socket->bytesAvailable()); });
    // QHttpServer deletes the sockets it was given once they disconnect; one refused at accept
    // it never saw, so this does (a second deleteLater() is harmless).
    connect(socket, &QAbstractSocket::disconnected, socket, &QObject::deleteLater,
            Qt::UniqueConnection);
}

void Gatekeeper::shutDownWhenFlushed(QTcpSocket *socket)
{
    auto shutDown = [socket]() {
        if (socket->bytesToWrite() > 0 || socket->state() != QAbstractSocket::ConnectedState)
            return;
#ifdef Q_OS_UNIX
        // Our side ends after the response (a FIN the client reads as the end of it); the
        // socket stays open to drain what the client still sends until it closes too.
        if (auto *probe = PeerCloseProbe::of(socket))
            probe->noteShutDown();
        ::shutdown(int(socket->socketDescriptor()), SHUT_WR);
#else
        socket->disconnectFromHost();
#endif
    };
    socket->flush();
    if (socket->bytesToWrite() > 0)
        connect(socket, &QIODevice::bytesWritten, socket, shutDown);
    else
        shutDown();
}

void Gatekeeper::handleAcceptError(QAbstractSocket::SocketError error)
{
    // QTcpServer stops accepting after an error such as running out of descriptors; without
    // this it would never accept again.
    qCWarning(lcGatekeeper) << "accepting a connection failed:" << error << errorString()
                            << "- trying again in 1 s";
    m_resumeAcceptingMs = Clock::monotonicMs() + 1000;
    if (!m_sweep.isActive())
        m_sweep.start();
}

} // namespace heartline
