#include "server/tools/upstream/upstreamhost.h"

#include "server/protocol/catalog/tool.h"
#include "server/protocol/catalog/toolregistry.h"
#include "server/tools/upstream/closingchannels.h"
#include "server/tools/upstream/launchqueue.h"
#include "server/tools/upstream/secretreferences.h"
#include "server/tools/upstream/stdiochannel.h"
#include "server/tools/upstream/upstreamcatalogpublisher.h"
#include "server/tools/upstream/upstreamforwarder.h"
#include "server/tools/upstream/upstreamsessioninstances.h"
#include "server/tools/upstream/upstreamtoolpublisher.h"

#include <QPointer>
#include <QTimer>
#include <QUrl>

using namespace Qt::StringLiterals;

namespace heartline {
namespace {

QString transportName(UpstreamServerConfig::Transport transport)
{
    switch (transport) {
    case UpstreamServerConfig::Transport::Stdio:
        return u"stdio"_s;
    case UpstreamServerConfig::Transport::StreamableHttp:
        return u"http"_s;
    case UpstreamServerConfig::Transport::Sse:
        return u"sse"_s;
    case UpstreamServerConfig::Transport::HttpThenSse:
        return u"auto"_s;
    }
    return {};
}

// The command line or the URL, without what may be secret: env and header values are never
// part of it, and a URL loses its user info and query (tokens travel there too).
QString targetOf(const UpstreamServerConfig &config)
{
    if (config.transport == UpstreamServerConfig::Transport::Stdio)
        return StdioChannel::quotedCommandLine(QStringList{config.command} + config.args);
    return QUrl(config.url)
        .toDisplayString(QUrl::RemoveUserInfo | QUrl::RemoveQuery | QUrl::RemoveFragment);
}

} // namespace

struct UpstreamHost::Hosted
{
    UpstreamServerConfig config;
    UpstreamSupervisor *supervisor = nullptr;
    UpstreamForwarder *forwarder = nullptr;
    // Per-session servers only: each session's own copy.
    UpstreamSessionInstances *sessions = nullptr;
};

UpstreamHost::UpstreamHost(ToolRegistry *registry, PromptRegistry *prompts,
                           ResourceRegistry *resources, ChannelFactory factory,
                           const UpstreamClient::Options &clientOptions,
                           const UpstreamSupervisorPolicy &policy, QObject *parent)
    : QObject(parent)
    , m_registry(registry)
    , m_factory(std::move(factory))
    , m_clientOptions(clientOptions)
    , m_policy(policy)
    , m_publisher(new UpstreamToolPublisher(registry, this))
    , m_closing(new ClosingChannels(this))
    , m_launches(new LaunchQueue(this))
{
    // Every channel a stopped or removed server leaves behind finishes its shutdown here, so
    // shutdown() can wait for the last child and our destructor kills what is left.
    m_clientOptions.closingChannels = m_closing;
    m_clientOptions.launchQueue = m_launches;
    connect(m_publisher, &UpstreamToolPublisher::problem, this, &UpstreamHost::problem);
    if (prompts && resources) {
        m_catalog = new UpstreamCatalogPublisher(prompts, resources, this);
        connect(m_catalog, &UpstreamCatalogPublisher::problem, this, &UpstreamHost::problem);
    }
}

UpstreamHost::~UpstreamHost()
{
    const QStringList names = m_order;
    for (const QString &name : names)
        remove(name);
}

void UpstreamHost::holdStarts()
{
    m_holding = true;
}

void UpstreamHost::releaseStarts()
{
    m_holding = false;
    if (auto held = std::exchange(m_held, std::nullopt))
        apply(*held);
}

void UpstreamHost::apply(const QList<UpstreamServerConfig> &given)
{
    if (m_holding) {
        m_held = given;
        return;
    }
    QList<UpstreamServerConfig> servers = given;
    for (UpstreamServerConfig &config : servers) {
        // The app puts the values in first (ConfigSecrets); a form still here would reach the
        // program or the remote server as the literal text "${secret:...}".
        QStringList unresolved = SecretReferences::namesIn(config.env);
        unresolved += SecretReferences::namesIn(config.headers);
        if (config.problem.isEmpty() && !unresolved.isEmpty())
            config.problem = u"mcpServers.%1: secret %2 was not looked up"_s.arg(
                config.name, unresolved.first());
        config.awaitingApproval = needsApproval(config);
    }
    QStringList order;
    for (const UpstreamServerConfig &config : servers)
        order.append(config.name);
    for (const QString &name : QStringList(m_order)) {
        if (!order.contains(name))
            remove(name);
    }
    for (const UpstreamServerConfig &config : servers) {
        Hosted *hosted = m_hosted.value(config.name);
        if (!hosted) {
            add(config);
            continue;
        }
        if (hosted->config == config)
            continue;
        if (config.needsRestartComparedTo(hosted->config)) {
            // The tools stay listed until the new process re-publishes them: one list change.
            remove(config.name, Listing::Keep);
            add(config);
            continue;
        }
        // Presentation only: the same process keeps running, and its tools are switched in
        // place (clients see one list_changed, calls in flight go on).
        const bool enabledChanged = hosted->config.enabled != config.enabled;
        const bool toolsSwitched = hosted->config.disabledTools != config.disabledTools;
        hosted->config = config;
        if (toolsSwitched)
            m_publisher->setDisabledTools(config.name, config.disabledTools);
        if (enabledChanged)
            hosted->supervisor->setEnabled(config.enabled);
        if (enabledChanged && !config.enabled && hosted->sessions)
            hosted->sessions->stopAll();
    }
    m_order = order;
}

void UpstreamHost::add(const UpstreamServerConfig &config)
{
    auto *hosted = new Hosted;
    hosted->config = config;
    hosted->forwarder = new UpstreamForwarder(config.name, this);
    hosted->forwarder->setTimeoutMs(config.timeoutMs);
    hosted->forwarder->setRoots(config.roots);
    hosted->supervisor = new UpstreamSupervisor(config, m_factory, m_clientOptions, m_policy, this);
    m_hosted.insert(config.name, hosted);
    if (!m_order.contains(config.name))
        m_order.append(config.name);

    const QString name = config.name;
    UpstreamSupervisor *supervisor = hosted->supervisor;
    UpstreamForwarder *forwarder = hosted->forwarder;
    connect(supervisor, &UpstreamSupervisor::stateChanged, this,
            [this, name](UpstreamState state, const QString &lastError) {
                if (!keepsListing(name, state))
                    withdraw(name);
                Q_EMIT stateChanged(name, state, lastError);
            });
    connect(supervisor, &UpstreamSupervisor::restartScheduled, this,
            [this, name](int attempt, int delayMs) {
                Q_EMIT restartScheduled(name, attempt, delayMs);
            });
    connect(supervisor, &UpstreamSupervisor::diagnosticLine, this,
            [this, name](const QString &line) { Q_EMIT diagnosticLine(name, line); });
    connect(supervisor, &UpstreamSupervisor::problem, this,
            [this, name](const QString &message) { Q_EMIT problem(name, message); });
    connect(supervisor, &UpstreamSupervisor::clientReady, this,
            [this, name, forwarder](UpstreamClient *client) {
                forwarder->attach(client);
                publishTools(name);
                publishCatalog(name);
                connect(client, &UpstreamClient::toolsChanged, this,
                        [this, name]() { publishTools(name); });
                connect(client, &UpstreamClient::promptsChanged, this,
                        [this, name]() { publishCatalog(name); });
                connect(client, &UpstreamClient::resourcesChanged, this,
                        [this, name]() { publishCatalog(name); });
            });
    connect(supervisor, &UpstreamSupervisor::clientLost, this,
            [name, supervisor, forwarder]() {
                // Calls in flight fail now, naming the server, rather than waiting for a timeout.
                const QString why =
                    supervisor->lastError().isEmpty()
                        ? u"upstream server '%1' stopped"_s.arg(name)
                        : u"upstream server '%1' stopped: %2"_s.arg(name, supervisor->lastError());
                forwarder->detach(why);
                // The tools stay listed (calls to them fail at once, naming the server) unless the
                // state that follows says no start is coming: see keepsListing().
            });
    relayCalls(forwarder, name);

    if (config.instances == UpstreamServerConfig::Instances::PerSession)
        addSessionInstances(hosted);

    Q_EMIT stateChanged(name, supervisor->state(), supervisor->lastError());
    supervisor->start();
    // A changed entry may come back disabled or misconfigured: its old tools go now.
    if (!keepsListing(name, supervisor->state()))
        withdraw(name);
}

bool UpstreamHost::needsApproval(const UpstreamServerConfig &config) const
{
    return m_requireApproval && config.transport == UpstreamServerConfig::Transport::Stdio
           && config.problem.isEmpty() && config.approved != config.approvalHash();
}

void UpstreamHost::setRequireApproval(bool required)
{
    m_requireApproval = required;
}

bool UpstreamHost::keepsListing(const QString &name, UpstreamState state) const
{
    // While a start is on its way (a restart by hand, after a crash, or for a changed entry) the
    // server's tools stay listed, so that clients see a restart as one list_changed when the
    // new process re-publishes, not a withdrawal and a re-publication moments apart.
    switch (state) {
    case UpstreamState::Starting:
    case UpstreamState::Ready:
    case UpstreamState::Degraded:
        return true;
    case UpstreamState::Crashed: {
        const Hosted *hosted = m_hosted.value(name);
        return hosted && hosted->config.restart == UpstreamServerConfig::Restart::OnFailure;
    }
    default:
        return false;
    }
}

void UpstreamHost::withdraw(const QString &name)
{
    m_publisher->withdraw(name);
    if (m_catalog)
        m_catalog->withdraw(name);
}

void UpstreamHost::addSessionInstances(Hosted *hosted)
{
    const QString name = hosted->config.name;
    auto *sessions =
        new UpstreamSessionInstances(hosted->config, m_factory, m_clientOptions, m_policy, this);
    hosted->sessions = sessions;
    hosted->forwarder->setSessionRoute([guard = QPointer<UpstreamSessionInstances>(sessions)](
                                           const QString &tool, ToolCall *call) {
        if (guard)
            guard->callTool(tool, call);
        else
            call->fail(u"the upstream server of this tool was removed"_s);
    });
    relayCalls(sessions, name);
    connect(sessions, &UpstreamSessionInstances::diagnosticLine, this,
            [this, name](const QString &line) { Q_EMIT diagnosticLine(name, line); });
}

template<typename Source>
void UpstreamHost::relayCalls(Source *source, const QString &name)
{
    connect(source, &Source::callEnded, this,
            [this, name](const QString &tool, bool answered, bool isError, qint64 elapsedUs) {
                Q_EMIT callEnded(name, tool, answered, isError, elapsedUs);
            });
    connect(source, &Source::upstreamLogged, this,
            [this, name](LogLevel level, const QJsonValue &data, const QString &logger) {
                Q_EMIT upstreamLogged(name, level, data, logger);
            });
    connect(source, &Source::problem, this,
            [this, name](const QString &message) { Q_EMIT problem(name, message); });
}

void UpstreamHost::endSession(const QString &sessionId)
{
    for (Hosted *hosted : std::as_const(m_hosted)) {
        if (hosted->sessions)
            hosted->sessions->endSession(sessionId);
    }
}

const UpstreamSupervisor *UpstreamHost::sessionInstance(const QString &name,
                                                        const QString &sessionId) const
{
    const Hosted *hosted = m_hosted.value(name);
    return hosted && hosted->sessions ? hosted->sessions->supervisorOf(sessionId) : nullptr;
}

void UpstreamHost::remove(const QString &name, Listing listing)
{
    Hosted *hosted = m_hosted.take(name);
    m_order.removeAll(name);
    if (!hosted)
        return;
    hosted->forwarder->detach(u"upstream server '%1' was removed from the config"_s.arg(name));
    if (listing == Listing::Withdraw)
        withdraw(name);
    disconnect(hosted->supervisor, nullptr, this, nullptr);
    if (hosted->sessions) {
        disconnect(hosted->sessions, nullptr, this, nullptr);
        delete hosted->sessions; // stops every session's copy
    }
    delete hosted->supervisor;
    delete hosted->forwarder;
    delete hosted;
    Q_EMIT serverRemoved(name);
}

void UpstreamHost::publishTools(const QString &name)
{
    Hosted *hosted = m_hosted.value(name);
    if (!hosted)
        return;
    UpstreamClient *client = hosted->supervisor->client();
    if (!client) {
        m_publisher->withdraw(name);
        return;
    }
    m_publisher->publish(name, client->tools(), hosted->forwarder, hosted->config.disabledTools);
    Q_EMIT toolsPublished(name, int(m_publisher->exposedNamesOf(name).size()));
}

void UpstreamHost::publishCatalog(const QString &name)
{
    Hosted *hosted = m_hosted.value(name);
    if (!hosted || !m_catalog)
        return;
    UpstreamClient *client = hosted->supervisor->client();
    if (!client) {
        m_catalog->withdraw(name);
        return;
    }
    // Config order decides who owns a URI two servers offer.
    m_catalog->publish(name, int(m_order.indexOf(name)), client, client->prompts(),
                       client->resources(), client->resourceTemplates(), hosted->config.timeoutMs);
}

const UpstreamSupervisor *UpstreamHost::supervisor(const QString &name) const
{
    const Hosted *hosted = m_hosted.value(name);
    return hosted ? hosted->supervisor : nullptr;
}

QStringList UpstreamHost::exposedToolNames(const QString &name) const
{
    return m_publisher->exposedNamesOf(name);
}

QString UpstreamHost::serverOfTool(const QString &exposedName, QString *upstreamName) const
{
    const auto origin = m_publisher->originOf(exposedName);
    if (!origin)
        return {};
    if (upstreamName)
        *upstreamName = origin->name;
    return origin->server;
}

UpstreamHost::Hosted *UpstreamHost::find(const QString &name, QString *error) const
{
    Hosted *hosted = m_hosted.value(name);
    if (!hosted && error)
        *error = u"no upstream server named '%1' (known: %2)"_s.arg(
            name, m_order.isEmpty() ? u"none"_s : m_order.join(u", "_s));
    return hosted;
}

QString UpstreamHost::awaitingApprovalError(const QString &name)
{
    return u"upstream server '%1' has not been approved to run: approve its command line in "
           "the window's Servers panel first"_s.arg(name);
}

bool UpstreamHost::start(const QString &name, QString *error)
{
    Hosted *hosted = find(name, error);
    if (!hosted)
        return false;
    const UpstreamState state = hosted->supervisor->state();
    if (state == UpstreamState::AwaitingApproval) {
        *error = awaitingApprovalError(name);
        return false;
    }
    if (state == UpstreamState::ConfigError || state == UpstreamState::Disabled) {
        *error = u"upstream server '%1' is %2: %3"_s.arg(name, upstreamStateName(state),
                                                         state == UpstreamState::Disabled
                                                             ? u"enable it first"_s
                                                             : hosted->supervisor->lastError());
        return false;
    }
    hosted->supervisor->start();
    return true;
}

bool UpstreamHost::stop(const QString &name, QString *error)
{
    Hosted *hosted = find(name, error);
    if (!hosted)
        return false;
    hosted->supervisor->stop();
    if (hosted->sessions)
        hosted->sessions->stopAll();
    return true;
}

bool UpstreamHost::restart(const QString &name, QString *error)
{
    Hosted *hosted = find(name, error);
    if (!hosted)
        return false;
    if (hosted->supervisor->state() == UpstreamState::ConfigError) {
        *error =
            u"upstream server '%1' cannot start: %2"_s.arg(name, hosted->supervisor->lastError());
        return false;
    }
    if (hosted->supervisor->state() == UpstreamState::AwaitingApproval) {
        *error = awaitingApprovalError(name);
        return false;
    }
    hosted->supervisor->restart();
    if (hosted->sessions)
        hosted->sessions->stopAll(); // each session's next call starts a fresh copy
    return true;
}

bool UpstreamHost::setEnabled(const QString &name, bool enabled, QString *error)
{
    Hosted *hosted = find(name, error);
    if (!hosted)
        return false;
    hosted->config.enabled = enabled;
    hosted->supervisor->setEnabled(enabled);
    if (!enabled && hosted->sessions)
        hosted->sessions->stopAll();
    return true;
}

QList<UpstreamInfo> UpstreamHost::infos() const
{
    QList<UpstreamInfo> infos;
    infos.reserve(m_order.size());
    for (const QString &name : m_order) {
        if (const Hosted *hosted = m_hosted.value(name))
            infos.append(infoOf(*hosted));
    }
    return infos;
}

UpstreamInfo UpstreamHost::infoOf(const Hosted &hosted) const
{
    const UpstreamServerConfig &config = hosted.config;
    const UpstreamSupervisor *supervisor = hosted.supervisor;
    UpstreamInfo info;
    info.name = config.name;
    info.description = config.description;
    info.importedFrom = config.importedFrom;
    info.cwd = config.cwd;
    info.approvalHash = config.approvalHash();
    info.envKeys = config.env.keys();
    info.envKeys.sort();
    info.transport = transportName(config.transport);
    info.target = targetOf(config);
    info.state = supervisor->state();
    info.stateLabel = upstreamStateLabel(info.state);
    info.lastError = supervisor->lastError();
    info.enabled = config.enabled;
    info.restartCount = supervisor->restartCount();
    info.failuresInRow = supervisor->failuresInRow();
    if (const UpstreamClient *client = supervisor->client()) {
        if (const auto *stdio = qobject_cast<const StdioChannel *>(client->channel()))
            info.pid = stdio->processId();
    }
    for (const QString &exposed : m_publisher->exposedNamesOf(config.name)) {
        const auto origin = m_publisher->originOf(exposed);
        const QString upstreamName = origin ? origin->name : exposed;
        info.tools.append({exposed, upstreamName, m_registry->isEnabled(exposed)});
    }
    return info;
}

QStringList UpstreamHost::disabledTools(const QString &name) const
{
    const Hosted *hosted = m_hosted.value(name);
    return hosted ? hosted->config.disabledTools : QStringList();
}

bool UpstreamHost::setDisabledTools(const QString &name, const QStringList &upstreamTools,
                                    QString *error)
{
    Hosted *hosted = find(name, error);
    if (!hosted)
        return false;
    hosted->config.disabledTools = upstreamTools;
    m_publisher->setDisabledTools(name, upstreamTools);
    return true;
}

void UpstreamHost::shutdown(std::function<void()> done)
{
    const QStringList names = m_order;
    for (const QString &name : names)
        remove(name);
    // The supervisors are gone and their clients with them: every channel still ending is now
    // in m_closing, each bounded by its own timers (stdio: stdin closed, SIGTERM, SIGKILL).
    if (m_closing->count() == 0) {
        QTimer::singleShot(0, this, std::move(done));
        return;
    }
    connect(m_closing, &ClosingChannels::allClosed, this, std::move(done),
            Qt::SingleShotConnection);
}

int UpstreamHost::closingChannelCount() const
{
    return m_closing->count();
}

} // namespace heartline
