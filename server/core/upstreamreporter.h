#pragma once

#include "server/api/upstreamstate.h"

#include <QObject>

namespace heartline {

class Monitor;
class UpstreamHost;

// Tells the Monitor what the user's upstream servers do: every state change (with whether the
// server is enabled), scheduled restart, list refresh, stderr line, forwarded call, log message
// and problem of the UpstreamHost becomes one Monitor report, so the window, the headless log,
// /metrics and /readyz see upstreams the way they see sessions.
class UpstreamReporter final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UpstreamReporter)

public:
    UpstreamReporter(UpstreamHost *host, Monitor *monitor, QObject *parent = nullptr);

private:
    void reportState(const QString &server, heartline::UpstreamState state,
                     const QString &lastError);
    void reportListed(const QString &server, int toolCount);
    void reportCall(const QString &server, const QString &upstreamTool, bool answered, bool isError,
                    qint64 elapsedUs);
    QString exposedNameOf(const QString &server, const QString &upstreamTool) const;

    UpstreamHost *m_host;
    Monitor *m_monitor;
};

} // namespace heartline
