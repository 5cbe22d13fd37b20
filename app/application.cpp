#include "app/application.h"

#include "app/clientconfigimporter.h"
#include "app/clientconnection.h"
#include "app/clientsetupfiles.h"
#include "app/configentryfile.h"
#include "app/configsecrets.h"
#include "app/configwatcher.h"
#include "app/defaultconfigpath.h"
#include "app/headlesslog.h"
#include "app/savedtoolchoices.h"
#include "app/secretvault.h"
#include "app/signalwatcher.h"
#include "app/upstreamprobe.h"
#include "app/vaultsecretkeeper.h"
#include "server/api/monitor.h"
#include "server/api/serverconfigschema.h"
#include "server/core/controlserver.h"
#include "server/core/heartlineserver.h"
#include "server/core/serverrunner.h"
#include "server/tools/command/commandtoolhost.h"
#include "server/tools/conformance/conformancefixtures.h"
#include "server/tools/upstream/upstreamhost.h"
#include "ui/window/appsettings.h"
#include "ui/window/mainwindow.h"
#include "ui/window/trayicon.h"

#include <QApplication>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocalSocket>
#include <QLoggingCategory>
#include <QProcessEnvironment>
#include <QUrl>

#include <cstdio>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace heartline {

Q_LOGGING_CATEGORY(lcApp, "heartline.app")

namespace {
constexpr int kShutdownGraceMs = 2000;
}

Application::Application(const LaunchOptions &options, QObject *parent)
    : QObject(parent)
    , m_options(options)
    , m_upstreamServers(options.upstreamServers)
    , m_commandTools(options.commandTools)
    , m_stdout(std::make_unique<QFile>())
{
    m_stdout->open(STDOUT_FILENO, QIODevice::WriteOnly | QIODevice::Unbuffered);
    QString configPath = m_options.configPath;
    if (configPath.isEmpty())
        configPath = defaultConfigPath(QProcessEnvironment::systemEnvironment());
    m_secretVault = std::make_unique<SecretVault>(SecretVault::fallbackFileFor(configPath));
    m_configSecrets = std::make_unique<ConfigSecrets>(m_secretVault.get());
}

Application::~Application()
{
    // The window first (it holds the runner's mirror and control), then the server's objects on
    // the thread they live on, then that thread.
    m_window.reset();
    m_configWatcher.reset();
    tearDownServer();
    m_runner.reset();
}

bool Application::start(int *exitStatus)
{
    *exitStatus = 0;
    // Before the `listening:` line: whoever reads it may send SIGTERM the next moment.
    m_signals = std::make_unique<SignalWatcher>();
    connect(m_signals.get(), &SignalWatcher::terminationRequested, this,
            &Application::handleTermination);

    // The window remembers what its settings dialog saved; a flag given for this run still
    // wins, and a config file decides alone. Headless runs take only what they were told.
    if (!m_options.headless) {
        m_settings = std::make_unique<AppSettings>();
        if (!m_options.configFileGiven) {
            const ServerConfig merged =
                m_settings->mergeIntoLaunchConfig(m_options.config, m_options.explicitFields);
            const QString problem = merged.problem();
            if (problem.isEmpty())
                m_options.config = merged;
            else
                qCWarning(lcApp).noquote() << "ignoring the saved server settings:" << problem;
        }
    }

    // A token that names a secret is looked up before anything listens: the endpoint is never
    // open without it.
    if (!SecretReferences::namesIn(m_options.config.token).isEmpty()) {
        m_configSecrets->resolve({m_options.config, {}, {}, {}}, [this](const HostedConfig &got) {
            if (m_shuttingDown)
                return;
            int status = 1;
            if (!got.settingsProblem.isEmpty())
                std::fprintf(stderr, "heartline: %s\n", qPrintable(got.settingsProblem));
            else
                m_options.config.token = got.settings.token;
            if (!got.settingsProblem.isEmpty() || !serve(&status))
                QCoreApplication::exit(status);
        });
        return true;
    }
    return serve(exitStatus);
}

bool Application::serve(int *exitStatus)
{
    // With a window the server gets a thread of its own (DESIGN.md, Threads) and the window a
    // mirror of its Monitor; headless it runs on this thread, whose loop waits on epoll (main.cpp):
    // with no window to keep responsive, a second thread would only add a crossing per event.
    m_runner = std::make_unique<ServerRunner>(
        m_options.config, m_options.headless ? ServerRunner::Placement::CallerThread
                                             : ServerRunner::Placement::OwnThread);

    QString error;
    bool listening = false;
    m_runner->runOnServerThread([this, &error, &listening]() { listening = buildServer(&error); });
    if (!listening) {
        tearDownServer();
        if (!m_options.headless && raiseRunningInstance()) {
            std::fprintf(stderr, "heartline: already running on port %u; showed its window\n",
                         unsigned(m_options.config.port));
            return false;
        }
        std::fprintf(stderr, "heartline: %s\n", qPrintable(error));
        *exitStatus = 1;
        return false;
    }

    // The contract: this line comes first on stdout, whole and flushed, before anything else.
    m_stdout->write(u"listening: %1\n"_s.arg(m_baseUrl).toUtf8());
    // Before the upstreams are applied: a config entry refused at once is reported as its first
    // state event, which must find the log already listening.
    if (m_options.headless) {
        m_headlessLog =
            std::make_unique<HeadlessLog>(m_runner->monitor(), m_options.logFormat, m_stdout.get());
    }
    watchConfigFile();
    // Upstreams start after the listening line: a slow npx download never delays the endpoint,
    // and their tools join the list (clients are told) as each becomes ready. Later changes of
    // the file cross to the server thread as queued calls.
    HeartlineServer *server = m_runner->server();
    // With a window, a program runs once the person has approved its command line there;
    // headless, the file is trusted as the user's own, and the log says so.
    const bool requireApproval = !m_options.headless;
    if (!requireApproval)
        noteTrustedServers(m_upstreamServers);
    m_runner->runOnServerThread(
        [server, requireApproval]() { server->upstreams()->setRequireApproval(requireApproval); });
    connect(this, &Application::upstreamServersChanged, server->upstreams(), &UpstreamHost::apply);
    connect(this, &Application::commandToolsChanged, server->commandTools(),
            &CommandToolHost::apply);
    // At once when nothing names a secret; else when the keyring has answered.
    resolveAndApply({{}, m_upstreamServers, m_commandTools, {}}, false);

    if (!m_options.headless) {
        if (!m_options.configPath.isEmpty()) {
            m_entryStore = std::make_unique<ConfigEntryFile>(
                m_options.configPath, QProcessEnvironment::systemEnvironment());
        }
        const QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        m_probe = std::make_unique<UpstreamProbe>(environment, m_secretVault.get());
        m_secretKeeper = std::make_unique<VaultSecretKeeper>(m_secretVault.get(),
                                                             [this]() { refreshSecrets(); });
        if (!m_options.configPath.isEmpty()) {
            m_importer = std::make_unique<ClientConfigImporter>(
                m_options.configPath, environment.value(u"HOME"_s, QDir::homePath()),
                QDir::currentPath(), environment);
        }
        m_clientSetup = std::make_unique<ClientSetupFiles>(
            environment.value(u"HOME"_s, QDir::homePath()),
            ClientSetupFiles::Instance{
                [this]() {
                    // The address actually bound (a port of 0 in the settings is any port).
                    const QUrl endpoint(m_runner->monitor()->snapshot().endpoint);
                    return ClientConnection::reachableMcpUrl(endpoint.host(), endpoint.port());
                },
                [this]() { return m_runner->control()->settings().token; },
                [this]() { return m_upstreamServers; }});
        // Nothing configured yet: the window opens on the welcome's first steps.
        const bool firstRun =
            m_options.configPath.isEmpty() || !QFileInfo::exists(m_options.configPath);
        m_window = std::make_unique<MainWindow>(
            m_runner->monitor(), m_runner->control(), m_settings.get(),
            AppServices{m_entryStore.get(), m_probe.get(), m_importer.get(), m_clientSetup.get(),
                        firstRun, m_secretKeeper.get()});
        connect(m_controlServer.get(), &ControlServer::raiseRequested, m_window.get(),
                &MainWindow::bringToFront);
        // With a tray the window only hides; Quit (or a signal) ends the process, gracefully.
        // Never Qt's own quit on the last window: it would end the loop before the graceful
        // shutdown below has sent the streams their last bytes (closeEvent asks for that).
        QApplication::setQuitOnLastWindowClosed(false);
        connect(m_window.get(), &MainWindow::quitRequested, this,
                [this]() { handleTermination(0); });
        m_window->show();
    }

    return true;
}

bool Application::buildServer(QString *error)
{
    HeartlineServer *server = m_runner->server();
    // Where `heartline ctl servers enable|disable` and tool switches on upstream servers are
    // kept: the file the servers came from (the default one is created by the first write).
    server->setConfigFilePath(m_options.configPath);
    server->registerBuiltinTools();
    if (m_options.config.conformance) {
        if (!registerConformanceFixtures(server->tools(), server->resources(), server->prompts()))
            qCWarning(lcApp) << "--conformance: some conformance fixtures could not be registered";
        qCInfo(lcApp) << "--conformance: serving the MCP conformance-suite fixture tools, "
                         "resources and prompts";
    }

    // Before the server listens: no client (and later no window) sees a tool the person
    // switched off last time. Headless runs have no saved settings and keep every tool.
    if (m_settings)
        applySavedToolChoices(server->control(), m_settings->disabledTools());

    if (!server->listen(error))
        return false;
    m_baseUrl = server->baseUrl();

    m_controlServer = std::make_unique<ControlServer>(server->control());
    QString controlError;
    if (!m_controlServer->listen(server->port(), &controlError))
        qCWarning(lcApp).noquote()
            << controlError << "- 'heartline ctl' will not reach this instance";
    return true;
}

void Application::tearDownServer()
{
    if (!m_runner)
        return;
    m_runner->runOnServerThread([this]() {
        m_headlessLog.reset();
        m_controlServer.reset();
    });
    m_runner->tearDown();
}

void Application::handleTermination(int signalNumber)
{
    if (m_shuttingDown)
        return;
    m_shuttingDown = true;
    if (signalNumber != 0)
        qCInfo(lcApp) << "signal" << signalNumber << "- shutting down";
    else
        qCInfo(lcApp) << "quit from the window - shutting down";
    // Still waiting for the token's secret: nothing listens or runs yet.
    if (!m_runner) {
        QCoreApplication::exit(0);
        return;
    }
    // On the server's thread; the loop that ends is this one (the GUI's, or headless the only one).
    HeartlineServer *server = m_runner->server();
    QMetaObject::invokeMethod(server, [server]() {
        server->shutdown(kShutdownGraceMs, []() {
            QMetaObject::invokeMethod(
                QCoreApplication::instance(), []() { QCoreApplication::exit(0); },
                Qt::QueuedConnection);
        });
    });
}

void Application::watchConfigFile()
{
    if (m_options.configPath.isEmpty())
        return;
    m_configWatcher = std::make_unique<ConfigWatcher>(m_options.configPath,
                                                      QProcessEnvironment::systemEnvironment());
    connect(m_configWatcher.get(), &ConfigWatcher::reloaded, this,
            &Application::handleConfigReloaded);
    // A refusal is logged by the watcher, and the running configuration simply stays.
}

void Application::handleConfigReloaded(const QList<UpstreamServerConfig> &upstreamServers,
                                       const ServerConfig &fileSettings,
                                       const QList<CommandToolConfig> &commandTools)
{
    // The same precedence as at start: the file, then what the window saved (unless --config
    // made the file decide alone), then this run's flags and environment.
    ServerConfig next = fileSettings;
    if (m_settings && !m_options.configFileGiven)
        next = m_settings->mergeIntoLaunchConfig(next, m_options.explicitFields);
    for (const QString &key : std::as_const(m_options.explicitFields)) {
        if (const SettingSpec *spec = ServerConfigSchema::find(key))
            spec->set(next, spec->get(m_options.config));
    }
    if (upstreamServers != m_upstreamServers && m_options.headless)
        noteTrustedServers(upstreamServers);
    m_upstreamServers = upstreamServers;
    m_commandTools = commandTools;
    resolveAndApply({next, m_upstreamServers, m_commandTools, {}}, true);
}

void Application::refreshSecrets()
{
    resolveAndApply({{}, m_upstreamServers, m_commandTools, {}}, false);
}

void Application::resolveAndApply(const HostedConfig &written, bool withSettings)
{
    m_configSecrets->resolve(written, [this, withSettings](const HostedConfig &resolved) {
        if (withSettings)
            applyFileSettings(resolved);
        if (resolved.tools != m_appliedTools) {
            m_appliedTools = resolved.tools;
            Q_EMIT commandToolsChanged(m_appliedTools);
        }
        if (resolved.servers != m_appliedServers) {
            m_appliedServers = resolved.servers;
            Q_EMIT upstreamServersChanged(m_appliedServers);
        }
    });
}

void Application::applyFileSettings(const HostedConfig &resolved)
{
    const QString notApplied =
        u"config reloaded, but its server settings were not applied (the running ones stay):"_s;
    if (!resolved.settingsProblem.isEmpty()) {
        qCWarning(lcApp).noquote() << notApplied << resolved.settingsProblem;
        return;
    }
    ServerConfig next = resolved.settings;
    // Not file keys: a run's choice, and a test's knob.
    const ServerConfig running = control()->settings();
    next.conformance = running.conformance;
    next.proxyIdleToleranceMs = running.proxyIdleToleranceMs;
    QString error;
    if (!control()->applySettings(next, &error))
        qCWarning(lcApp).noquote() << notApplied << error;
}

void Application::noteTrustedServers(const QList<UpstreamServerConfig> &servers)
{
    QStringList trusted;
    for (const UpstreamServerConfig &server : servers) {
        if (server.transport == UpstreamServerConfig::Transport::Stdio && server.problem.isEmpty()
            && server.approved != server.approvalHash()
            && !m_trustedServers.contains(server.name)) {
            m_trustedServers.insert(server.name);
            trusted.append(server.name);
        }
    }
    if (trusted.isEmpty())
        return;
    qCInfo(lcApp).noquote() << u"headless: trusting %1 as you wrote it; %2 start(s) without the "
                               "approval the window asks for before a program's first run"_s.arg(
                                   m_options.configPath, trusted.join(u", "_s));
}

ServerControl *Application::control() const
{
    return m_runner->control();
}

bool Application::raiseRunningInstance() const
{
    // Runs before the event loop, in a process that is about to exit: waiting is fine here.
    const QString path = ControlServer::socketPath(m_options.config.port);
    if (path.isEmpty())
        return false;
    QLocalSocket socket;
    socket.connectToServer(path);
    if (!socket.waitForConnected(1000))
        return false;
    socket.write(R"({"command":"window.raise"})"
                 "\n");
    socket.flush();
    while (!socket.canReadLine()) {
        if (!socket.waitForReadyRead(1000))
            return false;
    }
    return QJsonDocument::fromJson(socket.readLine()).object().value("ok"_L1).toBool();
}

} // namespace heartline
