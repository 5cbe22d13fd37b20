#include "app/upstreamprobe.h"

#include "app/secretvault.h"

#include "server/tools/upstream/secretreferences.h"
#include "server/tools/upstream/upstreamchannelfactory.h"
#include "server/tools/upstream/upstreamclient.h"
#include "server/tools/upstream/upstreamsupervisor.h"

#include <QDir>
#include <QJsonObject>

using namespace Qt::StringLiterals;

namespace heartline {

UpstreamProbe::UpstreamProbe(const QProcessEnvironment &environment, SecretVault *secrets,
                             QObject *parent)
    : ServerProbe(parent)
    , m_parser(VariableExpander(environment, environment.value(u"HOME"_s, QDir::homePath())))
    , m_secrets(secrets)
{
    m_timeout.setSingleShot(true);
    m_timeout.setInterval(kTimeoutMs);
    connect(&m_timeout, &QTimer::timeout, this, [this]() {
        finish({false, {}, tr("no answer within %1 s; stopped").arg(m_timeout.interval() / 1000)});
    });
}

UpstreamProbe::~UpstreamProbe()
{
    cancel();
}

void UpstreamProbe::start(const QString &name, const QJsonObject &entry)
{
    cancel();
    UpstreamServerConfig config = m_parser.parseEntry(name, entry);
    if (!config.problem.isEmpty()) {
        // Said after start() returns, as every other outcome is.
        QTimer::singleShot(0, this, [this, problem = config.problem]() {
            Q_EMIT finished({false, {}, problem});
        });
        return;
    }
    QStringList secrets = SecretReferences::namesIn(config.env);
    secrets += SecretReferences::namesIn(config.headers);
    if (secrets.isEmpty() || !m_secrets) {
        launch(config);
        return;
    }
    m_lookingUp = true;
    const quint64 lookUp = ++m_lookUp;
    m_secrets->lookUp(secrets, this, [this, lookUp, config](const SecretValues &values) mutable {
        if (lookUp != m_lookUp)
            return;
        m_lookingUp = false;
        QString problem;
        if (!SecretReferences::substitute(&config.env, values, &problem)
            || !SecretReferences::substitute(&config.headers, values, &problem)) {
            Q_EMIT finished({false, {}, problem});
            return;
        }
        launch(config);
    });
}

void UpstreamProbe::launch(UpstreamServerConfig config)
{
    // A probe is one attempt: a crash is its answer, not a reason to try again.
    config.restart = UpstreamServerConfig::Restart::Never;
    config.enabled = true;
    UpstreamClient::Options options;
    options.clientName = u"heartline-test"_s;
    auto factory = [](const UpstreamServerConfig &server) { return createUpstreamChannel(server); };
    m_supervisor =
        new UpstreamSupervisor(config, factory, options, UpstreamSupervisorPolicy(), this);
    connect(m_supervisor, &UpstreamSupervisor::diagnosticLine, this,
            &UpstreamProbe::diagnosticLine);
    connect(m_supervisor, &UpstreamSupervisor::stateChanged, this,
            [this](UpstreamState state, const QString &lastError) {
                handleState(int(state), lastError);
            });
    m_timeout.start();
    m_supervisor->start();
}

bool UpstreamProbe::isRunning() const
{
    return m_lookingUp || !m_supervisor.isNull();
}

void UpstreamProbe::handleState(int stateValue, const QString &lastError)
{
    const auto state = UpstreamState(stateValue);
    if (state == UpstreamState::Ready || state == UpstreamState::Degraded) {
        Result result;
        result.ok = true;
        if (const UpstreamClient *client = m_supervisor->client()) {
            for (const QJsonObject &tool : client->tools())
                result.tools.append(tool.value("name"_L1).toString());
        }
        finish(result);
    } else if (state == UpstreamState::Crashed || state == UpstreamState::CrashLoop
               || state == UpstreamState::ConfigError) {
        finish({false, {}, lastError.isEmpty() ? upstreamStateLabel(state) : lastError});
    }
}

void UpstreamProbe::finish(const Result &result)
{
    cancel();
    Q_EMIT finished(result);
}

void UpstreamProbe::cancel()
{
    m_timeout.stop();
    ++m_lookUp;
    m_lookingUp = false;
    if (!m_supervisor)
        return;
    UpstreamSupervisor *supervisor = m_supervisor;
    m_supervisor = nullptr;
    supervisor->disconnect(this);
    // Stopping ends the child the way its transport prescribes; the supervisor goes once the
    // stop has been asked for (a channel still closing finishes on its own).
    supervisor->stop();
    supervisor->deleteLater();
}

} // namespace heartline
