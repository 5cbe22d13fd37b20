#include "server/tools/upstream/upstreamsessioninstances.h"

#include "server/protocol/catalog/tool.h"
#include "server/tools/upstream/upstreamforwarder.h"

#include <QLoggingCategory>

using namespace Qt::StringLiterals;

namespace heartline {

Q_LOGGING_CATEGORY(lcSessionInstances, "heartline.upstream.instances")

UpstreamSessionInstances::UpstreamSessionInstances(const UpstreamServerConfig &config,
                                                   UpstreamSupervisor::ChannelFactory factory,
                                                   const UpstreamClient::Options &clientOptions,
                                                   const UpstreamSupervisorPolicy &policy,
                                                   QObject *parent)
    : QObject(parent)
    , m_config(config)
    , m_factory(std::move(factory))
    , m_clientOptions(clientOptions)
    , m_policy(policy)
{}

UpstreamSessionInstances::~UpstreamSessionInstances()
{
    stopAll();
}

const UpstreamSupervisor *UpstreamSessionInstances::supervisorOf(const QString &sessionId) const
{
    const Instance *instance = m_instances.value(sessionId);
    return instance ? instance->supervisor : nullptr;
}

void UpstreamSessionInstances::callTool(const QString &upstreamName, ToolCall *call)
{
    Instance *instance = m_instances.value(call->sessionId());
    if (!instance)
        instance = start(call->sessionId());
    if (instance->forwarder->isAttached()) {
        instance->forwarder->callTool(upstreamName, call);
        return;
    }
    // Starting, or restarting after a crash: the call goes out once the copy is ready.
    instance->waiting.append(Waiting{call, upstreamName});
}

UpstreamSessionInstances::Instance *UpstreamSessionInstances::start(const QString &sessionId)
{
    auto *instance = new Instance;
    instance->supervisor =
        new UpstreamSupervisor(m_config, m_factory, m_clientOptions, m_policy, this);
    instance->forwarder = new UpstreamForwarder(m_config.name, this);
    instance->forwarder->setTimeoutMs(m_config.timeoutMs);
    instance->forwarder->setRoots(m_config.roots);
    m_instances.insert(sessionId, instance);
    qCDebug(lcSessionInstances) << "starting" << m_config.name << "for session"
                                << sessionId.left(8);

    UpstreamSupervisor *supervisor = instance->supervisor;
    UpstreamForwarder *forwarder = instance->forwarder;
    connect(supervisor, &UpstreamSupervisor::clientReady, this,
            [this, sessionId](UpstreamClient *client) { handleReady(sessionId, client); });
    connect(supervisor, &UpstreamSupervisor::clientLost, this, [this, supervisor, forwarder]() {
        forwarder->detach(supervisor->lastError().isEmpty()
                              ? u"upstream server '%1' stopped"_s.arg(m_config.name)
                              : u"upstream server '%1' stopped: %2"_s.arg(
                                    m_config.name, supervisor->lastError()));
    });
    connect(supervisor, &UpstreamSupervisor::stateChanged, this,
            [this, sessionId](UpstreamState state) { handleStateChanged(sessionId, state); });
    const QString shortId = sessionId.left(8);
    connect(supervisor, &UpstreamSupervisor::diagnosticLine, this,
            [this, shortId](const QString &line) {
                Q_EMIT diagnosticLine(u"[session %1] %2"_s.arg(shortId, line));
            });
    connect(supervisor, &UpstreamSupervisor::problem, this,
            [this, shortId](const QString &message) {
                Q_EMIT problem(u"session %1's instance: %2"_s.arg(shortId, message));
            });
    connect(forwarder, &UpstreamForwarder::callEnded, this,
            &UpstreamSessionInstances::callEnded);
    connect(forwarder, &UpstreamForwarder::upstreamLogged, this,
            &UpstreamSessionInstances::upstreamLogged);
    connect(forwarder, &UpstreamForwarder::problem, this, &UpstreamSessionInstances::problem);
    supervisor->start();
    return instance;
}

void UpstreamSessionInstances::handleReady(const QString &sessionId, UpstreamClient *client)
{
    Instance *instance = m_instances.value(sessionId);
    if (!instance)
        return;
    instance->everReady = true;
    instance->forwarder->attach(client);
    const QList<Waiting> waiting = std::exchange(instance->waiting, {});
    for (const Waiting &entry : waiting) {
        // A call the client cancelled (or whose session closed) while it waited stays unsent.
        if (entry.call && !entry.call->isDone() && !entry.call->isCancelled())
            instance->forwarder->callTool(entry.upstreamName, entry.call);
    }
}

void UpstreamSessionInstances::handleStateChanged(const QString &sessionId, UpstreamState state)
{
    Instance *instance = m_instances.value(sessionId);
    if (!instance)
        return;
    const bool down = state == UpstreamState::Crashed || state == UpstreamState::CrashLoop
                      || state == UpstreamState::ConfigError || state == UpstreamState::Stopped
                      || state == UpstreamState::Disabled;
    if (!down)
        return;
    const QString lastError = instance->supervisor->lastError();
    failWaiting(instance,
                u"upstream server '%1' could not start its instance for this session%2"_s.arg(
                    m_config.name, lastError.isEmpty() ? QString() : u": "_s + lastError));
    // A copy that never came up is not retried behind the session's back: its next call
    // starts a fresh one (and says why it failed, again, if it does).
    if (!instance->everReady) {
        Q_EMIT problem(u"session %1's instance could not start: %2"_s.arg(
            sessionId.left(8), lastError.isEmpty() ? upstreamStateName(state) : lastError));
        m_instances.remove(sessionId);
        destroy(instance);
    }
}

void UpstreamSessionInstances::failWaiting(Instance *instance, const QString &reason)
{
    const QList<Waiting> waiting = std::exchange(instance->waiting, {});
    for (const Waiting &entry : waiting) {
        if (entry.call && !entry.call->isDone() && !entry.call->isCancelled())
            entry.call->fail(reason);
        Q_EMIT callEnded(entry.upstreamName, false, true, 0);
    }
}

void UpstreamSessionInstances::destroy(Instance *instance)
{
    // Possibly inside one of the supervisor's own signals: it goes on the next turn, and its
    // client's channel closes the child as its transport prescribes (stdin, SIGTERM, SIGKILL).
    disconnect(instance->supervisor, nullptr, this, nullptr);
    disconnect(instance->forwarder, nullptr, this, nullptr);
    instance->forwarder->detach(
        u"the session of this instance of upstream server '%1' ended"_s.arg(m_config.name));
    instance->supervisor->stop();
    instance->supervisor->deleteLater();
    instance->forwarder->deleteLater();
    delete instance;
}

void UpstreamSessionInstances::endSession(const QString &sessionId)
{
    Instance *instance = m_instances.take(sessionId);
    if (!instance)
        return;
    qCDebug(lcSessionInstances) << "session" << sessionId.left(8) << "ended; stopping its"
                                << m_config.name;
    failWaiting(instance, u"the session ended"_s);
    destroy(instance);
}

void UpstreamSessionInstances::stopAll()
{
    const QStringList ids = m_instances.keys();
    for (const QString &id : ids)
        endSession(id);
}

} // namespace heartline
