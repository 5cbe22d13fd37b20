#pragma once

#include "server/api/upstreamstate.h"
#include "server/tools/upstream/upstreamclient.h"
#include "server/tools/upstream/upstreamserverconfig.h"

#include <QObject>
#include <QString>
#include <QStringList>
#include <QTimer>

#include <functional>

namespace heartline {

class UpstreamChannel;

// How a supervisor restarts and what it keeps; the defaults are the product's, tests shorten
// the intervals.
struct UpstreamSupervisorPolicy
{
    // A crashed server restarts after base, 2 base, 4 base, 8 base, 16 base (1, 2, 4, 8, 16 s);
    // when that many restarts in a row have failed too, it stays down in CrashLoop.
    int restartBaseDelayMs = 1000;
    int restartsBeforeCrashLoop = 5;
    // Ready this long, and the failures before no longer count.
    int stableAfterMs = 5 * 60 * 1000;
    // The ring of the upstream's last stderr lines (or transport diagnostics).
    int diagnosticLineCount = 200;
    int diagnosticLineChars = 1000;
};

// One upstream server's life: starts an UpstreamClient over a channel the factory makes (a
// StdioChannel, a remote channel, or a test's fake), tells its UpstreamState with the last
// error, restarts it with backoff after a crash, keeps its last diagnostic lines, and stops it
// when asked or when deleted. Nothing here blocks: every wait is a timer.
class UpstreamSupervisor final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UpstreamSupervisor)

public:
    using ChannelFactory = std::function<UpstreamChannel *(const UpstreamServerConfig &config)>;

    // Starts nothing yet: Stopped, or ConfigError when config.problem is set, or Disabled.
    UpstreamSupervisor(const UpstreamServerConfig &config, ChannelFactory factory,
                       const UpstreamClient::Options &clientOptions,
                       const UpstreamSupervisorPolicy &policy = UpstreamSupervisorPolicy(),
                       QObject *parent = nullptr);
    // Stops the channel (a stdio child is closed, then signalled, as its channel prescribes).
    ~UpstreamSupervisor() override;

    const UpstreamServerConfig &config() const { return m_config; }
    UpstreamState state() const { return m_state; }
    // Why it last failed (or the config problem); empty while all is well.
    QString lastError() const { return m_lastError; }
    bool isEnabled() const { return m_enabled; }
    // Every start after the first: automatic ones after a crash and restart() by hand.
    int restartCount() const { return m_restartCount; }
    // Crashes since the last stable period or start by hand.
    int failuresInRow() const { return m_failuresInRow; }
    // The client once it is ready (Ready or Degraded), otherwise null.
    UpstreamClient *client() const;
    // Oldest first, at most policy.diagnosticLineCount lines, each capped.
    QStringList diagnosticLines() const { return m_diagnostics; }

    // Starts a stopped, crashed or crash-looping server (counting failures afresh); nothing for
    // a running, disabled or misconfigured one.
    void start();
    void stop();
    // Stops and starts again, counting failures afresh (also the way out of CrashLoop).
    void restart();
    // false: stops and stays Disabled; true: leaves Disabled and starts.
    void setEnabled(bool enabled);

Q_SIGNALS:
    void stateChanged(heartline::UpstreamState state, const QString &lastError);
    // After every (re)start's ready: the host lists the client's tools again.
    void clientReady(heartline::UpstreamClient *client);
    // Before a client that was announced by clientReady is destroyed: drop its tools.
    void clientLost();
    // A crash will be followed by a restart after delayMs (attempt counts from 1).
    void restartScheduled(int attempt, int delayMs);
    void diagnosticLine(const QString &line);
    // What the client survived (unknown ids, malformed messages), for the log.
    void problem(const QString &message);

private:
    void setState(UpstreamState state, const QString &lastError = {});
    // Misconfigured, switched off or not yet approved: never started from here.
    bool isHeld() const;
    void launch();
    void dropClient();
    void handleClientReady();
    void handleClientClosed(const QString &reason, bool expected);
    void handleFailure(const QString &reason);
    void appendDiagnostic(const QString &line);

    UpstreamServerConfig m_config;
    ChannelFactory m_factory;
    UpstreamClient::Options m_clientOptions;
    UpstreamSupervisorPolicy m_policy;
    UpstreamState m_state = UpstreamState::Stopped;
    QString m_lastError;
    bool m_enabled = true;
    UpstreamClient *m_client = nullptr;
    bool m_clientAnnounced = false;
    int m_restartCount = 0;
    int m_failuresInRow = 0;
    bool m_started = false;
    QTimer m_restartTimer;
    QTimer m_stableTimer;
    QStringList m_diagnostics;
};

} // namespace heartline
