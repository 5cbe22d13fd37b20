#include "server/core/heartlineserver.h"

#include "server/api/clock.h"
#include "server/api/monitor.h"
#include "server/api/version.h"
#include "server/core/control.h"
#include "server/core/upstreamreporter.h"
#include "server/http/httpfront.h"
#include "server/protocol/catalog/promptregistry.h"
#include "server/protocol/catalog/resourceregistry.h"
#include "server/protocol/catalog/toolregistry.h"
#include "server/session/sessionstore.h"
#include "server/stream/heartbeatscheduler.h"
#include "server/tools/builtincatalog.h"
#include "server/tools/builtintools.h"
#include "server/tools/command/commandtoolhost.h"
#include "server/tools/upstream/childenvironment.h"
#include "server/tools/upstream/upstreamchannelfactory.h"
#include "server/tools/upstream/upstreamhost.h"

#include <QLoggingCategory>
#include <QTimer>

#include <memory>

using namespace Qt::StringLiterals;

namespace heartline {

Q_LOGGING_CATEGORY(lcHeartlineServer, "heartline.server")

namespace {

// What Heartline tells each upstream it is: a client that can pass sampling, elicitation and
// roots on to its own clients (UpstreamForwarder routes them to the calling session).
UpstreamClient::Options upstreamClientOptions()
{
    UpstreamClient::Options options;
    options.clientName = u"heartline"_s;
    options.clientVersion = QStringLiteral(HEARTLINE_VERSION);
    options.capabilities = QJsonObject{{"sampling"_L1, QJsonObject()},
                                       {"elicitation"_L1, QJsonObject()},
                                       {"roots"_L1, QJsonObject()}};
    return options;
}

} // namespace

HeartlineServer::HeartlineServer(const ServerConfig &config, QObject *parent)
    : QObject(parent)
    , m_config(config)
    , m_tools(new ToolRegistry(this))
    , m_resources(new ResourceRegistry(this))
    , m_prompts(new PromptRegistry(this))
    , m_heartbeats(new HeartbeatScheduler(config.heartbeatMs, this))
    , m_monitor(new Monitor(this))
{
    m_context.config = &m_config;
    m_context.tools = m_tools;
    m_context.resources = m_resources;
    m_context.prompts = m_prompts;
    m_context.heartbeats = m_heartbeats;
    m_context.monitor = m_monitor;
    m_context.identity = {u"heartline"_s, u"Heartline"_s, QStringLiteral(HEARTLINE_VERSION),
                          u"Tools served by Heartline, a personal MCP host."_s};
    connect(m_heartbeats, &HeartbeatScheduler::heartbeatSent, m_monitor,
            [this](const QString &streamId, const QString &sessionId, quint64 sequence) {
                m_monitor->reportHeartbeat({streamId, sessionId, sequence, Clock::wallMs()});
            });
    m_sessions = new SessionStore(m_context, this);
    m_front = new HttpFront(m_context, m_sessions, this);
    m_upstreams = new UpstreamHost(
        m_tools, m_prompts, m_resources,
        [this](const UpstreamServerConfig &server) {
            return createUpstreamChannel(server, m_upstreamPath);
        },
        upstreamClientOptions(), UpstreamSupervisorPolicy(), this);
    new UpstreamReporter(m_upstreams, m_monitor, m_upstreams);
    m_commandTools = new CommandToolHost(m_tools, this);
    m_control =
        new Control({this, m_tools, m_sessions, m_heartbeats, m_monitor, m_upstreams}, this);
    // A session's per-session upstream copies stop with it, however it ended.
    connect(m_sessions, &SessionStore::sessionEnded, m_upstreams, &UpstreamHost::endSession);
    if (m_config.pathFromLoginShell)
        takePathFromLoginShell();
    reportToolChanges();
}

HeartlineServer::~HeartlineServer()
{
    // Sessions first: they report to the Monitor and unregister from the scheduler.
    delete m_sessions;
    m_sessions = nullptr;
    // Upstreams before the tool registry they withdraw their tools from.
    delete m_upstreams;
    m_upstreams = nullptr;
    delete m_commandTools; // runs still going are children of their calls, ended with sessions
    m_commandTools = nullptr;
}

void HeartlineServer::registerBuiltinTools()
{
    heartline::registerBuiltinTools(m_tools);
    registerBuiltinCatalog(m_resources, m_prompts, m_tools);
}

void HeartlineServer::reportToolChanges()
{
    auto report = [this](const QString &name, ToolEvent::Change change) {
        m_monitor->reportToolChanged({name, change, Clock::wallMs(), m_tools->generation()});
    };
    connect(m_tools, &ToolRegistry::toolRegistered, this,
            [report](const QString &name) { report(name, ToolEvent::Change::Registered); });
    connect(m_tools, &ToolRegistry::toolUnregistered, this,
            [report](const QString &name) { report(name, ToolEvent::Change::Unregistered); });
    connect(m_tools, &ToolRegistry::toolEnabledChanged, this,
            [report](const QString &name, bool enabled) {
                report(name, enabled ? ToolEvent::Change::Enabled : ToolEvent::Change::Disabled);
            });
}

void HeartlineServer::setConfigFilePath(const QString &path)
{
    m_control->setConfigFilePath(path);
}

void HeartlineServer::takePathFromLoginShell()
{
    // Asked once, asynchronously; the upstreams wait for its answer or its timeout, never the
    // event loop.
    m_upstreams->holdStarts();
    auto *shell = new LoginShellPath(this);
    shell->setEnabled(true);
    shell->fetch([this, shell](const QString &path) {
        if (path.isEmpty()) {
            qCWarning(lcHeartlineServer).noquote()
                << "pathFromLoginShell: upstream servers start with Heartline's own PATH:"
                << shell->error();
        } else {
            qCInfo(lcHeartlineServer).noquote() << "pathFromLoginShell: upstream servers start with"
                                                << shell->shell() << u"login PATH="_s + path;
        }
        m_upstreamPath = path;
        m_commandTools->setPath(path);
        m_upstreams->releaseStarts();
    });
}

bool HeartlineServer::listen(QString *error)
{
    if (!m_front->listen(error))
        return false;
    m_monitor->reportListening(baseUrl(), m_heartbeats->interval());
    return true;
}

bool HeartlineServer::applyConfig(const ServerConfig &config, QString *error)
{
    if (const QString problem = config.problem(); !problem.isEmpty()) {
        *error = problem;
        return false;
    }
    // Port 0 asked for any free port: the one bound then still counts as the same port.
    const bool portChanged = config.port != m_config.port && config.port != port();
    const bool relisten = config.host != m_config.host || portChanged;
    if (relisten && !m_front->relisten(config.host, config.port, error))
        return false;

    const int heartbeatBefore = m_heartbeats->interval();
    m_config = config; // everything holding m_context.config reads the new values from now on
    m_front->applyConfig();
    m_sessions->applyConfig();
    if (config.heartbeatMs != heartbeatBefore) {
        m_heartbeats->setInterval(config.heartbeatMs);
        m_monitor->reportHeartbeatInterval(m_heartbeats->interval());
    }
    if (relisten)
        m_monitor->reportListening(baseUrl(), m_heartbeats->interval());
    return true;
}

quint16 HeartlineServer::port() const
{
    return m_front->port();
}

QString HeartlineServer::baseUrl() const
{
    const QString host = m_config.host.contains(u':') ? u'[' + m_config.host + u']' : m_config.host;
    return u"http://"_s + host + u':' + QString::number(port());
}

void HeartlineServer::shutdown(int graceMs, std::function<void()> done)
{
    m_front->stopListening();
    m_heartbeats->setInterval(0);
    // Every upstream's process group goes with the server, the way MCP's stdio transport says
    // (stdin closed, SIGTERM, SIGKILL); the channels' own timers bound that, the deadline here
    // only guards against a transport that never reports. What is left then is killed when
    // the host is destroyed.
    auto upstreamsEnded = std::make_shared<bool>(false);
    m_upstreams->shutdown([upstreamsEnded]() { *upstreamsEnded = true; });
    m_sessions->terminateAll(DisconnectCause::ServerShutdown, u"the server is shutting down"_s);

    // Poll, don't block: the bytes already written (the end of every stream) leave through
    // the event loop, so waiting here would keep them from ever going.
    auto *poll = new QTimer(this);
    const qint64 now = Clock::monotonicMs();
    const qint64 deadline = now + graceMs;
    const qint64 upstreamDeadline = now + kUpstreamShutdownLimitMs;
    connect(poll, &QTimer::timeout, this,
            [this, poll, deadline, upstreamDeadline, upstreamsEnded, done]() {
                const qint64 at = Clock::monotonicMs();
                if (m_front->bytesPending() > 0 && at < deadline)
                    return;
                if (!*upstreamsEnded && at < upstreamDeadline)
                    return;
                poll->deleteLater();
                m_front->closeConnections();
                done();
            });
    poll->start(10);
}

} // namespace heartline
