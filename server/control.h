#pragma once

#include "monitorevents.h"
#include "serverconfig.h"
#include "toolregistry.h"

#include <QJsonObject>
#include <QObject>

namespace heartline {

class HeartbeatScheduler;
class HeartlineServer;
class Monitor;
class SessionStore;

// The few actions a person may take on a running server, shared by the window and
// `heartline ctl`. Nothing else outside server/ changes server state.
class Control final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Control)

public:
    explicit Control(HeartlineServer *server, QObject *parent = nullptr);

    QList<ToolEntry> tools() const;
    bool setToolEnabled(const QString &name, bool enabled, QString *error);

    QList<SessionInfo> sessions() const;
    // Accepts a full id or an unambiguous prefix of one (as shown in the window and the log).
    bool closeSession(const QString &idOrPrefix, QString *error);

    int heartbeatInterval() const;
    void setHeartbeatInterval(int milliseconds);

    // Live figures of every open stream (bytes queued, heartbeats, last write), for the
    // window's tick; cheap enough to call several times a second with thousands of streams.
    QList<StreamStats> streamStats() const;

    // The settings the server runs with now, and new ones: applied live where the server can
    // (heartbeat, token, origins, hosts, limits, timeouts); a changed host or port re-listens,
    // and only then. False, with a reason, when the new address cannot be bound (the old one
    // keeps serving) or the settings are invalid (a non-loopback host without a token, a
    // number out of range); then nothing changes.
    // A port of 0 means any free port; settings() keeps saying 0, and applying 0 or the
    // port actually bound again is no change.
    ServerConfig settings() const;
    bool applySettings(const ServerConfig &config, QString *error);

    QJsonObject status() const;

private:
    HeartlineServer *m_server;
    ToolRegistry *m_tools;
    SessionStore *m_sessions;
    HeartbeatScheduler *m_heartbeats;
    Monitor *m_monitor;
};

} // namespace heartline
