#include "server/qt64/peercloseprobe.h"

#include <QLoggingCategory>
#include <QTcpSocket>

#ifdef Q_OS_LINUX
#include <cerrno>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>
#endif

namespace heartline {

Q_LOGGING_CATEGORY(lcProbe, "heartline.server.probe")

PeerCloseProbe *PeerCloseProbe::attach(QTcpSocket *socket)
{
#ifdef Q_OS_LINUX
    // Close-on-exec: a tool's child process must never inherit a client connection.
    const int duplicate = ::fcntl(int(socket->socketDescriptor()), F_DUPFD_CLOEXEC, 0);
    if (duplicate < 0) {
        qCDebug(lcProbe) << "no probe for a connection: dup failed, errno" << errno;
        return nullptr;
    }
    return new PeerCloseProbe(socket, duplicate);
#else
    Q_UNUSED(socket);
    return nullptr;
#endif
}

PeerCloseProbe *PeerCloseProbe::of(const QTcpSocket *socket)
{
    return socket ? socket->findChild<PeerCloseProbe *>(QString(), Qt::FindDirectChildrenOnly)
                  : nullptr;
}

PeerCloseProbe::PeerCloseProbe(QTcpSocket *socket, int duplicate)
    : QObject(socket)
    , m_fd(duplicate)
{
    connect(socket, &QAbstractSocket::errorOccurred, this, &PeerCloseProbe::handleError);
    connect(socket, &QAbstractSocket::stateChanged, this, &PeerCloseProbe::handleStateChanged);
}

PeerCloseProbe::~PeerCloseProbe()
{
    release();
}

void PeerCloseProbe::handleError(QAbstractSocket::SocketError error)
{
    Q_UNUSED(error);
    if (m_fd < 0)
        return;
    // Only a definite end is kept; a passing error leaves the probe watching.
    const PeerClose seen = readPeerClose();
    if (seen == PeerClose::Unknown)
        return;
    m_peerClose = seen;
    release();
}

void PeerCloseProbe::handleStateChanged(QAbstractSocket::SocketState state)
{
    if (state != QAbstractSocket::UnconnectedState || m_fd < 0)
        return;
    m_peerClose = readPeerClose();
    release();
}

PeerCloseProbe::PeerClose PeerCloseProbe::readPeerClose() const
{
#ifdef Q_OS_LINUX
    struct tcp_info info = {};
    socklen_t length = sizeof info;
    if (::getsockopt(m_fd, IPPROTO_TCP, TCP_INFO, &info, &length) != 0)
        return PeerClose::Unknown;
    switch (info.tcpi_state) {
    case TCP_CLOSE_WAIT: // FIN received, this side still open (the duplicate keeps it so)
    case TCP_LAST_ACK:
    case TCP_CLOSING: // FIN received after this side had sent its own
        return PeerClose::Finished;
    case TCP_CLOSE:
        // With a descriptor still open, only a reset gets here - unless this side had shut
        // down its writing first: then the peer's FIN ends the socket in CLOSE as well.
        return m_shutDown ? PeerClose::Unknown : PeerClose::Reset;
    default:
        return PeerClose::Unknown;
    }
#else
    return PeerClose::Unknown;
#endif
}

void PeerCloseProbe::release()
{
#ifdef Q_OS_LINUX
    if (m_fd >= 0)
        ::close(m_fd);
#endif
    m_fd = -1;
}

} // namespace heartline
