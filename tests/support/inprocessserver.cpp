#include "tests/support/inprocessserver.h"

#include "server/protocol/catalog/toolregistry.h"
#include "tests/support/rawhttpclient.h"

#include <QCoreApplication>
#include <QDebug>

using namespace Qt::StringLiterals;

namespace heartline::testing {

ServerConfig loopbackConfig(int heartbeatMs, int postGraceMs)
{
    ServerConfig config;
    config.host = u"127.0.0.1"_s;
    config.port = 0;
    config.heartbeatMs = heartbeatMs;
    config.postGraceMs = postGraceMs;
    return config;
}

std::unique_ptr<HeartlineServer> startInProcessServer(const ServerConfig &config)
{
    ServerConfig onFreePort = config;
    onFreePort.port = 0;
    auto server = std::make_unique<HeartlineServer>(onFreePort);
    QSignalSpy announced(server->tools(), &ToolRegistry::listChanged);
    server->registerBuiltinTools();
    QString error;
    if (!server->listen(&error)) {
        qWarning().noquote() << "listen failed:" << error;
        return {};
    }
    waitUntil([&announced]() { return !announced.isEmpty(); }, 500);
    return server;
}

void stopInProcessServer(std::unique_ptr<HeartlineServer> &server)
{
    server.reset();
    QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
}

InProcessServerTest::InProcessServerTest(const ServerConfig &config)
    : m_config(config)
{}

InProcessServerTest::~InProcessServerTest() = default;

bool InProcessServerTest::startServer(const ServerConfig &config)
{
    m_server = startInProcessServer(config);
    m_port = m_server ? m_server->port() : 0;
    return m_port != 0;
}

void InProcessServerTest::cleanup()
{
    cleanupBeforeStop();
    stopInProcessServer(m_server);
    m_port = 0;
}

} // namespace heartline::testing
