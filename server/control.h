#pragma once

#include "monitorevents.h"
#include "toolregistry.h"

#include <QJsonObject>
#include <QObject>

namespace heartline {

class HeartbeatScheduler;
class Monitor;
class SessionStore;

// The few actions a person may take on a running server, shared by the window and
// `heartline ctl`. Nothing else outside server/ changes server state.
class Control final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Control)

public:
    Control(ToolRegistry *tools, SessionStore *sessions, HeartbeatScheduler *heartbeats,
            Monitor *monitor, QObject *parent = nullptr);

    QList<ToolEntry> tools() const;
    bool setToolEnabled(const QString &name, bool enabled, QString *error);

    QList<SessionInfo> sessions() const;
    // Accepts a full id or an unambiguous prefix of one (as shown in the window and the log).
    bool closeSession(const QString &idOrPrefix, QString *error);

    int heartbeatInterval() const;
    void setHeartbeatInterval(int milliseconds);

    QJsonObject status() const;

private:
    ToolRegistry *m_tools;
    SessionStore *m_sessions;
    HeartbeatScheduler *m_heartbeats;
    Monitor *m_monitor;
};

} // namespace heartline
