#include "tests/support/loopbacksocketpair.h"

#include "tests/support/rawhttpclient.h"

namespace heartline::testing {

LoopbackSocketPair::~LoopbackSocketPair()
{
    close();
}

bool LoopbackSocketPair::open()
{
    close();
    if (!m_listener.listen(QHostAddress::LocalHost))
        return false;
    m_client = std::make_unique<QTcpSocket>();
    m_client->connectToHost(QHostAddress::LocalHost, m_listener.serverPort());
    if (!waitUntil([this] { return m_listener.hasPendingConnections(); }))
        return false;
    m_accepted = m_listener.nextPendingConnection();
    return waitUntil([this] { return m_client->state() == QAbstractSocket::ConnectedState; });
}

void LoopbackSocketPair::close()
{
    m_client.reset();
    delete m_accepted.data();
    m_listener.close();
}

} // namespace heartline::testing
