#pragma once

#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>

#include <memory>

namespace heartline::testing {

// A real loopback TCP connection for socket-level unit tests: a client socket and the socket a
// listener accepted for it, both connected once open() returns true.
class LoopbackSocketPair final
{
    Q_DISABLE_COPY_MOVE(LoopbackSocketPair)

public:
    LoopbackSocketPair() = default;
    ~LoopbackSocketPair();

    // Listens on 127.0.0.1, connects and accepts; false when that did not happen in time.
    bool open();
    // Drops both sockets and stops listening (what the destructor does too).
    void close();

    QTcpSocket *client() const { return m_client.get(); }
    // Owned by the pair until close() (a test may delete it sooner); nullptr before open().
    QTcpSocket *accepted() const { return m_accepted; }

private:
    QTcpServer m_listener;
    std::unique_ptr<QTcpSocket> m_client;
    QPointer<QTcpSocket> m_accepted; // child of m_listener
};

} // namespace heartline::testing
