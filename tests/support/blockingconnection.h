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
    // Ends both directions now: a read blocked on another thread returns.
    void shutDown();

private:
    int m_fd;
    QByteArray m_buffer;
};

} // namespace heartline::testing
