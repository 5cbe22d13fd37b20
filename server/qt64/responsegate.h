#pragma once

#include <QObject>

class QTcpSocket;

namespace heartline {

// The responses a connection still owes: the exchanges begun on it (HttpExchange) and not yet
// ended. HTTP/1.1 answers pipelined requests in the order they came (RFC 9112 §9.3.2), so the
// Gatekeeper holds a later request back while one is owed, writes a refusal only once none is,
// and counts a connection idle (keepAliveTimeoutMs) only when nothing is owed. A reply written
// at once by the route handler never opens the gate.
class ResponseGate final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ResponseGate)

public:
    // The gate of `socket`, made on first use as its child (it goes with the socket).
    static ResponseGate *of(QTcpSocket *socket);
    // Its gate, or null when no response was ever owed on it.
    static ResponseGate *find(const QTcpSocket *socket);

    int owed() const { return m_owed; }
    void begin() { ++m_owed; }
    // One owed response is complete (ended, aborted or abandoned).
    void end();

Q_SIGNALS:
    // Nothing is owed any more.
    void settled();

private:
    explicit ResponseGate(QTcpSocket *socket);

    int m_owed = 0;
};

// Whether `socket` owes a response now.
inline bool owesResponse(const QTcpSocket *socket)
{
    const ResponseGate *gate = ResponseGate::find(socket);
    return gate && gate->owed() > 0;
}

} // namespace heartline
