#pragma once

#include "server/api/monitorevents.h"
#include "server/api/serverconfig.h"
#include "server/api/upstreaminfo.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace heartline {

// A tool as the window and `heartline ctl` see it: what to show and whether it is switched on.
struct ToolInfo
{
    QString name;
    QString title;
    QString description;
    QString source; // "built-in", "conformance", "command", "upstream:NAME"
    bool enabled = true;
    // For a tool of an upstream server: the server, and the name the upstream gave the tool
    // (the one its config entry's `disabledTools` holds). Empty for Heartline's own tools.
    QString server;
    QString upstreamName;
};

// The actions a person may take on a running server, shared by the window and `heartline ctl`.
// Nothing else outside the server changes server state. The window holds only this interface,
// so its models can be tested against a fake, and the server can later answer from its own
// thread.
class ServerControl
{
public:
    virtual ~ServerControl() = default;

    virtual QList<ToolInfo> tools() const = 0;
    // An upstream server's tool (by its exposed name) is switched in its config entry's
    // `disabledTools` as well, so the choice survives restarts of Heartline and of the upstream.
    virtual bool setToolEnabled(const QString &name, bool enabled, QString *error) = 0;

    // The user's own MCP servers (the config file's mcpServers), in config order. The actions
    // take a server's name and are false, with a reason, for a name that is not hosted.
    virtual QList<UpstreamInfo> upstreams() const = 0;
    virtual bool startUpstream(const QString &name, QString *error) = 0;
    virtual bool stopUpstream(const QString &name, QString *error) = 0;
    virtual bool restartUpstream(const QString &name, QString *error) = 0;
    // Also written to the server's config entry (`enabled`), and so kept across restarts.
    virtual bool setUpstreamEnabled(const QString &name, bool enabled, QString *error) = 0;
    // The server's last stderr lines (stdio) or transport diagnostics (remote), oldest first.
    virtual QStringList upstreamLog(const QString &name, QString *error) const = 0;

    virtual QList<SessionInfo> sessions() const = 0;
    // Accepts a full id or an unambiguous prefix of one (as shown in the window and the log).
    virtual bool closeSession(const QString &idOrPrefix, QString *error) = 0;

    // Live figures of every open stream (bytes queued, heartbeats, last write), for the
    // window's tick; cheap enough to call several times a second with thousands of streams.
    virtual QList<StreamStats> streamStats() const = 0;

    // The settings the server runs with now, and new ones: applied live where the server can
    // (heartbeat, token, origins, hosts, limits, timeouts); a changed host or port re-listens,
    // and only then. False, with a reason, when the new address cannot be bound (the old one
    // keeps serving) or the settings are invalid (a non-loopback host without a token, a
    // number out of range); then nothing changes.
    // A port of 0 means any free port; settings() keeps saying 0, and applying 0 or the
    // port actually bound again is no change.
    virtual ServerConfig settings() const = 0;
    virtual bool applySettings(const ServerConfig &config, QString *error) = 0;

protected:
    ServerControl() = default;
    ServerControl(const ServerControl &) = default;
    ServerControl &operator=(const ServerControl &) = default;
};

} // namespace heartline
