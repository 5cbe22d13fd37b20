#pragma once

#include <QTcpServer>

namespace heartline {

// The TCP server handed to QHttpServer::bind(). Every accepted socket passes here first:
// TCP keep-alive (so half-open peers are found even when no heartbeat is due) and no-delay
// (heartbeats and events are small and must not wait for Nagle).
class Gatekeeper final : public QTcpServer
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Gatekeeper)

public:
    static constexpr int kBacklog = 1024;

    explicit Gatekeeper(QObject *parent = nullptr);

    int openConnections() const { return m_open; }

protected:
    void incomingConnection(qintptr socketDescriptor) override;

private:
    int m_open = 0;
};

} // namespace heartline
