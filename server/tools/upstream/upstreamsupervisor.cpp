#include "server/tools/upstream/upstreamsupervisor.h"

#include "server/tools/upstream/upstreamchannel.h"

#include <QLoggingCategory>

using namespace Qt::StringLiterals;

namespace heartline {

Q_LOGGING_CATEGORY(lcSupervisor, "heartline.upstream.supervisor")

UpstreamSupervisor::UpstreamSupervisor(const UpstreamServerConfig &config, ChannelFactory factory,
                                       const UpstreamClient::Options &clientOptions,
                                       const UpstreamSupervisorPolicy &policy, QObject *parent)
    : QObject(parent)
    , m_config(config)
    , m_factory(std::move(factory))
    , m_clientOptions(clientOptions)
    , m_policy(policy)
    , m_enabled(config.enabled)
{
    m_restartTimer.setSingleShot(true);
    connect(&m_restartTimer, &QTimer::timeout, this, [this] {
        ++m_restartCount;
        launch();
    });
    m_stableTimer.setSingleShot(true);
    connect(&m_stableTimer, &QTimer::timeout, this, [this] { m_failuresInRow = 0; });

    if (!m_config.problem.isEmpty()) {
        m_state = UpstreamState::ConfigError;
        m_lastError = m_config.problem;
        // Debug only: the state and its error reach the user through the Monitor (the headless
        // log's upstream_state line, the window), once.
        qCDebug(lcSupervisor).noquote()
            << "upstream server" << m_config.name << "is not started:" << m_config.problem;
    } else if (!m_enabled) {
        m_state = UpstreamState::Disabled;
    } else if (m_config.awaitingApproval) {
        m_state = UpstreamState::AwaitingApproval;
    }
}

bool UpstreamSupervisor::isHeld() const
{
    return m_state == UpstreamState::ConfigError || m_state == UpstreamState::Disabled
           || m_state == UpstreamState::AwaitingApproval;
}

UpstreamSupervisor::~UpstreamSupervisor()
{
    m_restartTimer.stop();
    m_stableTimer.stop();
    if (m_client) {
        // No signals from a destructor; the client's own destructor closes its channel.
        disconnect(m_client, nullptr, this, nullptr);
        delete m_client;
        m_client = nullptr;
    }
}

UpstreamClient *UpstreamSupervisor::client() const
{
    const bool serving = m_state == UpstreamState::Ready || m_state == UpstreamState::Degraded;
    return serving ? m_client : nullptr;
}

void UpstreamSupervisor::setState(UpstreamState state, const QString &lastError)
{
    if (m_state == state && m_lastError == lastError)
        return;
    m_state = state;
    m_lastError = lastError;
    qCDebug(lcSupervisor) << m_config.name << upstreamStateName(state) << lastError;
    Q_EMIT stateChanged(state, lastError);
}

void UpstreamSupervisor::start()
{
    if (isHeld())
        return;
    if (m_state == UpstreamState::Starting || m_state == UpstreamState::Ready
        || m_state == UpstreamState::Degraded)
        return;
    m_failuresInRow = 0;
    m_restartTimer.stop();
    if (m_started)
        ++m_restartCount;
    launch();
}

void UpstreamSupervisor::stop()
{
    m_restartTimer.stop();
    m_stableTimer.stop();
    dropClient();
    if (!isHeld())
        setState(UpstreamState::Stopped);
}

void UpstreamSupervisor::restart()
{
    if (isHeld())
        return;
    m_restartTimer.stop();
    m_stableTimer.stop();
    dropClient();
    m_failuresInRow = 0;
    if (m_started)
        ++m_restartCount;
    launch();
}

void UpstreamSupervisor::setEnabled(bool enabled)
{
    if (enabled == m_enabled)
        return;
    m_enabled = enabled;
    if (m_state == UpstreamState::ConfigError)
        return; // stays shown as misconfigured either way, and is never started
    if (!enabled) {
        stop();
        setState(UpstreamState::Disabled);
        return;
    }
    if (m_config.awaitingApproval) {
        setState(UpstreamState::AwaitingApproval);
        return;
    }
    setState(UpstreamState::Stopped);
    start();
}

void UpstreamSupervisor::launch()
{
    dropClient();
    m_started = true;
    setState(UpstreamState::Starting, m_lastError); // the last failure stays shown until ready
    UpstreamChannel *channel = m_factory ? m_factory(m_config) : nullptr;
    if (!channel) {
        handleFailure(u"no channel could be made for this server"_s);
        return;
    }
    connect(channel, &UpstreamChannel::diagnosticLine, this, &UpstreamSupervisor::appendDiagnostic);
    UpstreamClient::Options options = m_clientOptions;
    if (m_config.startTimeoutMs > 0)
        options.initializeTimeoutMs = m_config.startTimeoutMs;
    m_client = new UpstreamClient(channel, options, this);
    connect(m_client, &UpstreamClient::ready, this, &UpstreamSupervisor::handleClientReady);
    connect(m_client, &UpstreamClient::closed, this, &UpstreamSupervisor::handleClientClosed);
    connect(m_client, &UpstreamClient::problem, this, [this](const QString &message) {
        // The user reads it as the Monitor's upstream_problem, named after the server.
        qCDebug(lcSupervisor).noquote() << "upstream server" << m_config.name << "-" << message;
        Q_EMIT problem(message);
    });
    connect(m_client, &UpstreamClient::unresponsive, this, [this] {
        if (m_state == UpstreamState::Ready)
            setState(UpstreamState::Degraded, u"not answering pings"_s);
    });
    connect(m_client, &UpstreamClient::responsive, this, [this] {
        if (m_state == UpstreamState::Degraded)
            setState(UpstreamState::Ready);
    });
    m_client->start();
}

void UpstreamSupervisor::dropClient()
{
    if (!m_client)
        return;
    UpstreamClient *client = std::exchange(m_client, nullptr);
    disconnect(client, nullptr, this, nullptr);
    if (std::exchange(m_clientAnnounced, false))
        Q_EMIT clientLost();
    client->stop();
    // Possibly inside one of its own signals: delete it on the next turn.
    client->deleteLater();
}

void UpstreamSupervisor::handleClientReady()
{
    setState(UpstreamState::Ready);
    m_stableTimer.start(m_policy.stableAfterMs);
    m_clientAnnounced = true;
    Q_EMIT clientReady(m_client);
}

void UpstreamSupervisor::handleClientClosed(const QString &reason, bool expected)
{
    Q_UNUSED(expected) // nobody but this supervisor stops its client: any close is a failure
    m_stableTimer.stop();
    dropClient();
    handleFailure(reason);
}

void UpstreamSupervisor::handleFailure(const QString &reason)
{
    ++m_failuresInRow;
    qCDebug(lcSupervisor).noquote() << "upstream server" << m_config.name << "failed:" << reason
                                    << "(" << m_failuresInRow << "in a row)";
    if (m_config.restart == UpstreamServerConfig::Restart::Never) {
        setState(UpstreamState::Crashed, reason);
        return;
    }
    if (m_failuresInRow > m_policy.restartsBeforeCrashLoop) {
        setState(UpstreamState::CrashLoop, reason);
        return;
    }
    setState(UpstreamState::Crashed, reason);
    const int delayMs = m_policy.restartBaseDelayMs << (m_failuresInRow - 1);
    Q_EMIT restartScheduled(m_failuresInRow, delayMs);
    m_restartTimer.start(delayMs);
}

void UpstreamSupervisor::appendDiagnostic(const QString &line)
{
    QString kept = line;
    if (kept.size() > m_policy.diagnosticLineChars) {
        const qsizetype cut = kept.size() - m_policy.diagnosticLineChars;
        kept.truncate(m_policy.diagnosticLineChars);
        kept += u"… (%1 more characters)"_s.arg(cut);
    }
    m_diagnostics.append(kept);
    while (m_diagnostics.size() > m_policy.diagnosticLineCount)
        m_diagnostics.removeFirst();
    Q_EMIT diagnosticLine(kept);
}

} // namespace heartline
