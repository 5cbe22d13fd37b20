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

    // Ends every stream and session with server_shutdown, stops accepting, and calls `done`
    // once what was written has left (or after `graceMs`), so clients see a clean end, and
    // every upstream child has ended (UpstreamHost::shutdown), so none outlives Heartline.
    void shutdown(int graceMs, std::function<void()> done);

private:
    void reportToolChanges();

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
};

} // namespace heartline
