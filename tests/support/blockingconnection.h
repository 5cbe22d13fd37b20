#pragma once

#include <QByteArray>
#include <QtGlobal>

namespace heartline::testing {

// A plain blocking TCP connection to 127.0.0.1:port, closed with its owner. For tests whose
// client side must not be an event loop's: thousands of idle sockets that cost the measured
// server nothing, or a reader on a thread of its own that sees bytes while the test's thread
// is stalled. Reads give up after five seconds without a byte.
class BlockingConnection
{
public:
    explicit BlockingConnection(quint16 port);
    ~BlockingConnection();
    Q_DISABLE_COPY_MOVE(BlockingConnection)

    bool isOpen() const { return m_fd >= 0; }

    bool send(const QByteArray &bytes);
    // Reads until `marker` has arrived; what came after it stays for the next call.
    bool readUntil(const QByteArray &marker);
    // One read of whatever arrives next (empty: closed, failed or timed out).
    QByteArray readSome();
    // The server ended the connection (FIN or RST) - as against a read that timed out.
    bool closedByPeer() const { return m_closedByPeer; }
    // Ends both directions now: a read blocked on another thread returns.
    void shutDown();

private:
    int m_fd;
    QByteArray m_buffer;
    bool m_closedByPeer = false;
};

} // namespace heartline::testing
