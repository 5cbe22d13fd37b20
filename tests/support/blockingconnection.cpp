#include "tests/support/blockingconnection.h"

#include <cerrno>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

namespace heartline::testing {

BlockingConnection::BlockingConnection(quint16 port)
    : m_fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0))
{
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    timeval timeout{5, 0};
    ::setsockopt(m_fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    const int one = 1;
    ::setsockopt(m_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (::connect(m_fd, reinterpret_cast<const sockaddr *>(&address), sizeof address) != 0) {
        ::close(m_fd);
        m_fd = -1;
    }
}

BlockingConnection::~BlockingConnection()
{
    if (m_fd >= 0)
        ::close(m_fd);
}

bool BlockingConnection::send(const QByteArray &bytes)
{
    qsizetype sent = 0;
    while (sent < bytes.size()) {
        const ssize_t n =
            ::send(m_fd, bytes.constData() + sent, size_t(bytes.size() - sent), MSG_NOSIGNAL);
        if (n <= 0)
            return false;
        sent += n;
    }
    return true;
}

bool BlockingConnection::readUntil(const QByteArray &marker)
{
    while (!m_buffer.contains(marker)) {
        const QByteArray more = readSome();
        if (more.isEmpty())
            return false;
        m_buffer.append(more);
    }
    m_buffer.remove(0, m_buffer.indexOf(marker) + marker.size());
    return true;
}

QByteArray BlockingConnection::readSome()
{
    char buffer[4096];
    const ssize_t n = ::recv(m_fd, buffer, sizeof buffer, 0);
    if (n == 0 || (n < 0 && (errno == ECONNRESET || errno == EPIPE)))
        m_closedByPeer = true;
    return n > 0 ? QByteArray(buffer, n) : QByteArray();
}

void BlockingConnection::shutDown()
{
    if (m_fd >= 0)
        ::shutdown(m_fd, SHUT_RDWR);
}

} // namespace heartline::testing
