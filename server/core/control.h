#pragma once

#include "server/api/monitorevents.h"
#include "server/api/serverconfig.h"
#include "server/api/servercontrol.h"
#include "server/core/upstreamswitchwriter.h"

#include <QJsonObject>
#include <QObject>

namespace heartline {

class HeartbeatScheduler;
class Monitor;
class SessionStore;
class ToolRegistry;
class UpstreamHost;

// What Control needs of the server that owns it besides its parts: the settings it runs with
// and a way to change them (which may re-listen). HeartlineServer is the one; the interface
// keeps Control from including it.
class SettingsOwner
{
public:
    virtual ~SettingsOwner() = default;
    virtual const ServerConfig &config() const = 0;
    virtual bool applyConfig(const ServerConfig &config, QString *error) = 0;

protected:
    SettingsOwner() = default;
    SettingsOwner(const SettingsOwner &) = default;
    SettingsOwner &operator=(const SettingsOwner &) = default;
};

// The server's ServerControl, shared by the window and `heartline ctl`, plus what only the
// control socket asks (the heartbeat interval alone, a status summary).
class Control final : public QObject, public ServerControl
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Control)

public:
    struct Parts
    {
        SettingsOwner *owner = nullptr;
        ToolRegistry *tools = nullptr;
        SessionStore *sessions = nullptr;
        HeartbeatScheduler *heartbeats = nullptr;
        Monitor *monitor = nullptr;
        UpstreamHost *upstreams = nullptr; // null: no upstream servers are hosted
    };

    explicit Control(const Parts &parts, QObject *parent = nullptr);

    QList<ToolInfo> tools() const override;
    bool setToolEnabled(const QString &name, bool enabled, QString *error) override;

    QList<UpstreamInfo> upstreams() const override;
    bool startUpstream(const QString &name, QString *error) override;
    bool stopUpstream(const QString &name, QString *error) override;
    bool restartUpstream(const QString &name, QString *error) override;
    bool setUpstreamEnabled(const QString &name, bool enabled, QString *error) override;
    QStringList upstreamLog(const QString &name, QString *error) const override;
    // The config file upstream switches are written to (see UpstreamSwitchWriter); empty: none.
    void setConfigFilePath(const QString &path) { m_switches = UpstreamSwitchWriter(path); }

    QList<SessionInfo> sessions() const override;
    bool closeSession(const QString &idOrPrefix, QString *error) override;

    int heartbeatInterval() const;
    void setHeartbeatInterval(int milliseconds);

    QList<StreamStats> streamStats() const override;

    ServerConfig settings() const override;
    bool applySettings(const ServerConfig &config, QString *error) override;

    QJsonObject status() const;

private:
    bool setUpstreamToolEnabled(const QString &server, const QString &upstreamTool, bool enabled,
                                QString *error);
    UpstreamHost *hostOf(const QString &name, QString *error) const;

    Parts m_parts;
    UpstreamSwitchWriter m_switches;
};

} // namespace heartline
