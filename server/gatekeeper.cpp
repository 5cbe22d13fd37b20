#include "gatekeeper.h"

#include <QLoggingCategory>
#include <QTcpSocket>

#ifdef Q_OS_LINUX
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#endif

namespace heartline {

Q_LOGGING_CATEGORY(lcGatekeeper, "heartline.server.gatekeeper")

namespace {

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

} // namespace

Gatekeeper::Gatekeeper(QObject *parent)
    : QTcpServer(parent)
{
    // Qt's defaults (a backlog of 50, 30 accepted-but-unhandled sockets) make a burst of
    // clients reconnecting at once - after a proxy restart, say - wait on SYN retries.
    setListenBacklogSize(kBacklog);
    setMaxPendingConnections(kBacklog);
}

void Gatekeeper::incomingConnection(qintptr socketDescriptor)
{
    auto *socket = new QTcpSocket(this);
    if (!socket->setSocketDescriptor(socketDescriptor)) {
        qCWarning(lcGatekeeper) << "could not adopt an accepted socket:" << socket->errorString();
        delete socket;
        return;
    }
    socket->setSocketOption(QAbstractSocket::KeepAliveOption, 1);
    socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    tuneKeepAlive(socketDescriptor);
    ++m_open;
    connect(socket, &QObject::destroyed, this, [this]() { --m_open; });
    addPendingConnection(socket);
}

} // namespace heartline
