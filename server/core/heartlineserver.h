#pragma once

#include "server/api/serverconfig.h"
#include "server/core/control.h"
#include "server/session/servercontext.h"

#include <QObject>

#include <functional>

namespace heartline {

class HeartbeatScheduler;
class HttpFront;
class Monitor;
class SessionStore;
class PromptRegistry;
class ResourceRegistry;
class ToolRegistry;
class UpstreamHost;
class CommandToolHost;

// The whole server, composed: tool registry, heartbeat scheduler, Monitor, sessions, the
// HTTP front and the Control facade. The app builds one, registers tools, calls listen().
class HeartlineServer final : public QObject, public SettingsOwner
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HeartlineServer)

public:
    explicit HeartlineServer(const ServerConfig &config, QObject *parent = nullptr);
    ~HeartlineServer() override;

    // Registers echo, sleep and now, and the built-in resources and prompts about them.
    void registerBuiltinTools();

    // The config file this server's settings and upstream servers came from: switching an
    // upstream server or one of its tools writes the switch there. Empty (the default): the
    // switches last for this run only.
    void setConfigFilePath(const QString &path);

    bool listen(QString *error);
    quint16 port() const;
    // http://HOST:PORT, as printed on the `listening:` line.
    QString baseUrl() const;
    QString mcpUrl() const { return baseUrl() + QStringLiteral("/mcp"); }

    const ServerConfig &config() const override { return m_config; }
    // Applies a new config live (see Control::applySettings). False, with nothing changed,
    // when the config is invalid or its new address cannot be bound.
    bool applyConfig(const ServerConfig &config, QString *error) override;
    ToolRegistry *tools() const { return m_tools; }
    ResourceRegistry *resources() const { return m_resources; }
    PromptRegistry *prompts() const { return m_prompts; }
    Monitor *monitor() const { return m_monitor; }
    SessionStore *sessions() const { return m_sessions; }
    Control *control() const { return m_control; }
    HeartbeatScheduler *heartbeats() const { return m_heartbeats; }
    // The user's own MCP servers (the config file's mcpServers), their tools in tools().
    UpstreamHost *upstreams() const { return m_upstreams; }
    CommandToolHost *commandTools() const { return m_commandTools; }

    // Ends every stream and session with server_shutdown, stops accepting, stops every
    // upstream server, and calls `done` once what was written has left (or after `graceMs`)
    // and every upstream child is reaped (or after kUpstreamShutdownLimitMs), so clients see
    // a clean end and no process of Heartline's outlives it.
    void shutdown(int graceMs, std::function<void()> done);
    // Past a stdio child's own stdin-close and SIGTERM grace periods (2 s each) with room for
    // reaping; only a transport that never reports closed waits this long.
    static constexpr int kUpstreamShutdownLimitMs = 8000;

private:
    void reportToolChanges();
    void takePathFromLoginShell();

    ServerConfig m_config;
    ToolRegistry *m_tools;
    ResourceRegistry *m_resources;
    PromptRegistry *m_prompts;
    HeartbeatScheduler *m_heartbeats;
    Monitor *m_monitor;
    ServerContext m_context;
    SessionStore *m_sessions;
    HttpFront *m_front;
    Control *m_control;
    UpstreamHost *m_upstreams;
    CommandToolHost *m_commandTools;
    // The login shell's PATH for stdio upstreams (pathFromLoginShell); empty: Heartline's own.
    QString m_upstreamPath;
};

} // namespace heartline
