#include "server/core/serverrunner.h"

#include "server/api/monitor.h"
#include "server/core/crossthreadcontrol.h"
#include "server/core/heartlineserver.h"
#include "server/core/monitorrelay.h"
#include "server/core/serverthread.h"

namespace heartline {

ServerRunner::ServerRunner(const ServerConfig &config, Placement placement)
{
    if (placement == Placement::OwnThread) {
        m_thread = std::make_unique<ServerThread>();
        m_mirror = std::make_unique<Monitor>();
    }
    runOnServerThread([this, &config]() {
        m_server = std::make_unique<HeartlineServer>(config);
        // Before the server can report anything: the mirror must see every event.
        if (m_mirror)
            m_relay = std::make_unique<MonitorRelay>(m_server->monitor(), m_mirror.get());
    });
    m_control = std::make_unique<CrossThreadControl>(m_server->control(), m_server.get());
}

ServerRunner::~ServerRunner()
{
    tearDown();
    m_control.reset();
    m_thread.reset();
}

void ServerRunner::runOnServerThread(const std::function<void()> &work)
{
    if (m_thread)
        m_thread->runAndWait(work);
    else
        work();
}

void ServerRunner::tearDown()
{
    if (!m_server)
        return;
    runOnServerThread([this]() {
        m_relay.reset();
        m_server.reset();
    });
}

Monitor *ServerRunner::monitor() const
{
    if (m_mirror)
        return m_mirror.get();
    return m_server ? m_server->monitor() : nullptr;
}

ServerControl *ServerRunner::control() const
{
    return m_control.get();
}

} // namespace heartline
