#include "server/tools/upstream/upstreamhost.h"

#include "server/tools/upstream/upstreamcatalogpublisher.h"
#include "server/tools/upstream/upstreamchannel.h"
#include "server/tools/upstream/upstreamforwarder.h"
#include "server/tools/upstream/upstreamtoolpublisher.h"

#include <QLoggingCategory>
#include <QPointer>
#include <QTimer>

#include <memory>

using namespace Qt::StringLiterals;

namespace heartline {

Q_LOGGING_CATEGORY(lcHost, "heartline.upstream.host")

namespace {

// How long a shutdown waits for the channels: a stdio child gets 2 s after its stdin closes and
// 2 s after SIGTERM before SIGKILL (StdioChannel::Options); past this, they are deleted.
constexpr int kShutdownCapMs = 8000;

} // namespace

struct UpstreamHost::Hosted
{
    UpstreamServerConfig config;
    UpstreamSupervisor *supervisor = nullptr;
    UpstreamForwarder *forwarder = nullptr;
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
{
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

void UpstreamHost::apply(const QList<UpstreamServerConfig> &servers)
{
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
            remove(config.name);
            add(config);
            continue;
        }
        // Presentation only: the same process keeps running.
        const bool enabledChanged = hosted->config.enabled != config.enabled;
        hosted->config = config;
        if (enabledChanged)
            hosted->supervisor->setEnabled(config.enabled);
        else
            publishTools(config.name);
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
    hosted->supervisor =
        new UpstreamSupervisor(config, m_factory, m_clientOptions, m_policy, this);
    m_hosted.insert(config.name, hosted);
    if (!m_order.contains(config.name))
        m_order.append(config.name);

    const QString name = config.name;
    UpstreamSupervisor *supervisor = hosted->supervisor;
    UpstreamForwarder *forwarder = hosted->forwarder;
    connect(supervisor, &UpstreamSupervisor::stateChanged, this,
            [this, name](UpstreamState state, const QString &lastError) {
                Q_EMIT stateChanged(name, state, lastError);
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
    connect(supervisor, &UpstreamSupervisor::clientLost, this, [this, name, supervisor,
                                                                 forwarder]() {
        // Calls in flight fail now, naming the server, rather than waiting for a timeout.
        const QString why = supervisor->lastError().isEmpty()
                                ? u"upstream server '%1' stopped"_s.arg(name)
                                : u"upstream server '%1' stopped: %2"_s.arg(
                                      name, supervisor->lastError());
        forwarder->detach(why);
        m_publisher->withdraw(name);
        if (m_catalog)
            m_catalog->withdraw(name);
    });
    connect(forwarder, &UpstreamForwarder::callEnded, this,
            [this, name](const QString &tool, bool answered, bool isError, qint64 elapsedUs) {
                Q_EMIT callEnded(name, tool, answered, isError, elapsedUs);
            });
    connect(forwarder, &UpstreamForwarder::upstreamLogged, this,
            [this, name](LogLevel level, const QJsonValue &data, const QString &logger) {
                Q_EMIT upstreamLogged(name, level, data, logger);
            });
    connect(forwarder, &UpstreamForwarder::problem, this,
            [this, name](const QString &message) { Q_EMIT problem(name, message); });

    Q_EMIT stateChanged(name, supervisor->state(), supervisor->lastError());
    supervisor->start();
}

void UpstreamHost::remove(const QString &name)
{
    Hosted *hosted = m_hosted.take(name);
    m_order.removeAll(name);
    if (!hosted)
        return;
    hosted->forwarder->detach(u"upstream server '%1' was removed from the config"_s.arg(name));
    m_publisher->withdraw(name);
    if (m_catalog)
        m_catalog->withdraw(name);
    disconnect(hosted->supervisor, nullptr, this, nullptr);
    delete hosted->supervisor;
    delete hosted->forwarder;
    delete hosted;
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
                       client->resources(), client->resourceTemplates());
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

bool UpstreamHost::start(const QString &name, QString *error)
{
    Hosted *hosted = find(name, error);
    if (!hosted)
        return false;
    const UpstreamState state = hosted->supervisor->state();
    if (state == UpstreamState::ConfigError || state == UpstreamState::Disabled) {
        *error = u"upstream server '%1' is %2: %3"_s.arg(
            name, upstreamStateName(state),
            state == UpstreamState::Disabled ? u"enable it first"_s
                                             : hosted->supervisor->lastError());
        return false;
    }
    hosted->supervisor->start();
    return true;
}

bool UpstreamHost::stop(const QString &name, QString *error)
{
    Hosted *hosted = find(name, error);
    if (hosted)
        hosted->supervisor->stop();
    return hosted;
}

bool UpstreamHost::restart(const QString &name, QString *error)
{
    Hosted *hosted = find(name, error);
    if (!hosted)
        return false;
    if (hosted->supervisor->state() == UpstreamState::ConfigError) {
        *error = u"upstream server '%1' cannot start: %2"_s.arg(name,
                                                               hosted->supervisor->lastError());
        return false;
    }
    hosted->supervisor->restart();
    return true;
}

bool UpstreamHost::setEnabled(const QString &name, bool enabled, QString *error)
{
    Hosted *hosted = find(name, error);
    if (!hosted)
        return false;
    hosted->config.enabled = enabled;
    hosted->supervisor->setEnabled(enabled);
    return true;
}

void UpstreamHost::shutdown(std::function<void()> done)
{
    // A removed server's channel outlives its client to finish the shutdown its transport
    // prescribes (stdio: stdin closed, then SIGTERM and SIGKILL to the group) and deletes itself
    // when closed. `done` used to come at once, so Heartline exited first and a child that keeps
    // running after its stdin ends (server-filesystem does) was orphaned for good: wait for
    // every channel to be gone, and past kShutdownCapMs delete the stragglers (a StdioChannel
    // destroyed while running SIGKILLs its group).
    auto closing = std::make_shared<QList<QPointer<UpstreamChannel>>>();
    for (const QString &name : std::as_const(m_order)) {
        if (UpstreamChannel *channel = m_hosted.value(name)->supervisor->channel())
            closing->append(channel);
    }
    const QStringList names = m_order;
    for (const QString &name : names)
        remove(name);

    auto finished = std::make_shared<bool>(false);
    auto cap = new QTimer(this);
    cap->setSingleShot(true);
    auto finishWhenGone = [this, closing, finished, cap, done = std::move(done)](bool force) {
        if (*finished)
            return;
        closing->removeAll(QPointer<UpstreamChannel>());
        if (force) {
            for (const QPointer<UpstreamChannel> &channel : std::as_const(*closing)) {
                qCWarning(lcHost) << "still closing at shutdown, deleted:" << channel->describe();
                delete channel.data();
            }
            closing->clear();
        }
        if (!closing->isEmpty())
            return;
        *finished = true;
        cap->deleteLater();
        QTimer::singleShot(0, this, done);
    };
    closing->removeAll(QPointer<UpstreamChannel>());
    for (const QPointer<UpstreamChannel> &channel : std::as_const(*closing)) {
        // Queued: `destroyed` comes from inside QObject's destructor, before the QPointer clears.
        connect(
            channel.data(), &QObject::destroyed, this,
            [finishWhenGone]() { finishWhenGone(false); }, Qt::QueuedConnection);
    }
    connect(cap, &QTimer::timeout, this, [finishWhenGone]() { finishWhenGone(true); });
    cap->start(kShutdownCapMs);
    finishWhenGone(false);
}

} // namespace heartline
