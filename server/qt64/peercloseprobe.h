#pragma once

#include <QAbstractSocket>
#include <QObject>

class QTcpSocket;

namespace heartline {

// Tells a peer that closed its connection (FIN) from one that reset it (RST). Qt 6.4 reports
// both as RemoteHostClosedError with the same text, and has already closed the descriptor
// when it says so. The probe holds a duplicate of the descriptor, so the kernel socket is
// still there to ask: CLOSE_WAIT means the peer sent FIN, CLOSE means it sent RST.
//
// The duplicate is closed as soon as Qt's socket stops being connected - from the first slot
// on errorOccurred or stateChanged, which is why the probe must be attached before anyone
// else connects to the socket - so a close or abort by the server still reaches the peer at
// once. The destructor closes it too if that never happened; it is never closed twice.
class PeerCloseProbe final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PeerCloseProbe)

public:
    enum class PeerClose {
        Unknown,  // still connected, closed by this side, or the state could not be read
        Finished, // the peer sent FIN
        Reset,    // the peer sent RST
    };

    // Attaches a probe to `socket` as its child. Call it right after setSocketDescriptor(),
    // before any other connection to the socket's signals.
    static PeerCloseProbe *attach(QTcpSocket *socket);
    // The probe attached to `socket`, or null.
    static PeerCloseProbe *of(const QTcpSocket *socket);

    ~PeerCloseProbe() override;

    // What the peer did, as read when the socket reported the end of the connection.
    PeerClose peerClose() const { return m_peerClose; }
    // This side has shut down its writing (a lingering close): a socket found CLOSE later
    // may then have ended with the peer's FIN, so it no longer proves a reset.
    void noteShutDown() { m_shutDown = true; }
    // Whether the duplicate descriptor is still open (for tests).
    bool holdsDescriptor() const { return m_fd >= 0; }

private:
    explicit PeerCloseProbe(QTcpSocket *socket, int duplicate);

    void handleError(QAbstractSocket::SocketError error);
    void handleStateChanged(QAbstractSocket::SocketState state);
    PeerClose readPeerClose() const;
    void release();

    int m_fd = -1;
    PeerClose m_peerClose = PeerClose::Unknown;
    bool m_shutDown = false;
};

} // namespace heartline
