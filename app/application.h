#pragma once

#include "app/launchoptions.h"
#include "server/tools/upstream/upstreamserverconfig.h"

#include <QList>
#include <QObject>
#include <QSet>

#include <memory>

class QFile;

namespace heartline {

class AppSettings;
class ConfigSecrets;
struct HostedConfig;
class SecretKeeper;
class SecretVault;
class ConfigWatcher;
class ControlServer;
class HeadlessLog;
class MainWindow;
class ServerControl;
class ServerRunner;
class ClientSetup;
class ServerEntryStore;
class ServerImporter;
class ServerProbe;
class SignalWatcher;

// The composition root: builds the server, then the window or the headless log, and owns
// the shutdown sequence. Nothing else in Heartline decides what exists.
class Application final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Application)

public:
    explicit Application(const LaunchOptions &options, QObject *parent = nullptr);
    ~Application() override;

    // Starts serving. False when there is nothing to run (the exit status is in `exitStatus`),
    // true when the event loop should run.
    bool start(int *exitStatus);

    // Looks the config's secrets up again and restarts what now runs with other values: after
    // the window stored a secret the file only names.
    void refreshSecrets();

    // The config file's mcpServers as last read (at start, then on each accepted reload), in
    // file order, each with its `problem` if it cannot be started as written. Nothing starts
    // them yet: the server side of issue 11 takes them from here.
    QList<UpstreamServerConfig> upstreamServers() const { return m_upstreamServers; }

Q_SIGNALS:
    // The hosted servers to run, with their secrets' values put in: at start, then whenever
    // the file or a secret changes them. The server side connects to start, stop and restart.
    void upstreamServersChanged(const QList<heartline::UpstreamServerConfig> &upstreamServers);
    // The same for the command tools.
    void commandToolsChanged(const QList<heartline::CommandToolConfig> &commandTools);

private:
    // start() once the token's secret, if it names one, has its value.
    bool serve(int *exitStatus);
    // Puts the secrets in `written` (ConfigSecrets), then hands the server what changed: its
    // settings when `withSettings`, the hosted servers and command tools.
    void resolveAndApply(const HostedConfig &written, bool withSettings);
    void applyFileSettings(const HostedConfig &resolved);
    void handleTermination(int signalNumber);
    void watchConfigFile();
    void handleConfigReloaded(const QList<UpstreamServerConfig> &upstreamServers,
                              const ServerConfig &fileSettings,
                              const QList<CommandToolConfig> &commandTools);
    bool raiseRunningInstance() const;
    void noteTrustedServers(const QList<UpstreamServerConfig> &servers);
    // Run on the server's thread (this one when headless): the server's objects are built, torn
    // down and first driven there.
    bool buildServer(QString *error);
    void tearDownServer();
    // The server's control as this (the GUI or only) thread may call it.
    ServerControl *control() const;

    LaunchOptions m_options;
    // As the file writes them (${secret:NAME} kept), and as last handed to the server (values
    // put in).
    QList<UpstreamServerConfig> m_upstreamServers;
    QList<CommandToolConfig> m_commandTools;
    QList<UpstreamServerConfig> m_appliedServers;
    QList<CommandToolConfig> m_appliedTools;
    std::unique_ptr<SecretVault> m_secretVault;
    std::unique_ptr<ConfigSecrets> m_configSecrets;
    std::unique_ptr<QFile> m_stdout;
    // The server on a thread of its own with a window, on this one headless; this thread sees
    // it through the runner's monitor() and control().
    std::unique_ptr<ServerRunner> m_runner;
    // On the server's thread, built and torn down there:
    std::unique_ptr<ControlServer> m_controlServer;
    std::unique_ptr<HeadlessLog> m_headlessLog;
    QString m_baseUrl; // as the `listening:` line prints it
    std::unique_ptr<AppSettings> m_settings;
    // Before the window, which holds it.
    // Headless: the stdio servers already logged as trusted without an approval.
    QSet<QString> m_trustedServers;
    std::unique_ptr<ServerEntryStore> m_entryStore;
    std::unique_ptr<ServerProbe> m_probe;
    std::unique_ptr<ServerImporter> m_importer;
    std::unique_ptr<ClientSetup> m_clientSetup;
    std::unique_ptr<SecretKeeper> m_secretKeeper;
    std::unique_ptr<MainWindow> m_window;
    std::unique_ptr<SignalWatcher> m_signals;
    std::unique_ptr<ConfigWatcher> m_configWatcher;
    bool m_shuttingDown = false;
};

} // namespace heartline
