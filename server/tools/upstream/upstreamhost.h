#pragma once

#include "server/api/upstreaminfo.h"
#include "server/api/upstreamstate.h"
#include "server/protocol/wire/loglevel.h"
#include "server/tools/upstream/upstreamclient.h"
#include "server/tools/upstream/upstreamserverconfig.h"
#include "server/tools/upstream/upstreamsupervisor.h"

#include <QJsonValue>
#include <QMap>
#include <QObject>

#include <functional>
#include <memory>
#include <optional>

namespace heartline {

class ClosingChannels;
class LaunchQueue;
class PromptRegistry;
class ResourceRegistry;
class ToolRegistry;
class UpstreamCatalogPublisher;
class UpstreamForwarder;
class UpstreamSessionInstances;
class UpstreamToolPublisher;

// Every upstream server Heartline hosts, as the config lists them: one supervisor (its life),
// one forwarder (its calls) and its tools in the shared registry under exposed names. apply()
// takes a whole new list and changes only what changed: a new entry starts, a removed one
// stops, an entry whose command, url or environment changed restarts, and a change of only
// Heartline's presentation keys (enabled, disabledTools, description) restarts nothing.
//
// A server with `"instances": "per-session"` is listed from the one instance hosted as above,
// but each session's calls go to a copy of its own (UpstreamSessionInstances), stopped by
// endSession(). Stateless (MCP 2026-07-28) calls belong to no session and use the listing
// instance. Stopping, restarting, disabling or removing the server stops every copy.
class UpstreamHost final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UpstreamHost)

public:
    using ChannelFactory = UpstreamSupervisor::ChannelFactory;

    // `prompts` and `resources` may be null: then only tools are hosted.
    UpstreamHost(ToolRegistry *registry, PromptRegistry *prompts, ResourceRegistry *resources,
                 ChannelFactory factory, const UpstreamClient::Options &clientOptions,
                 const UpstreamSupervisorPolicy &policy = UpstreamSupervisorPolicy(),
                 QObject *parent = nullptr);
    ~UpstreamHost() override;

    void apply(const QList<UpstreamServerConfig> &servers);
    // With a window open, a program runs only once the person has approved its command line
    // (the entry's `approved` hash matches): the others wait in AwaitingApproval. Headless runs
    // trust the file, which the user wrote. Applies from the next apply().
    void setRequireApproval(bool required);
    bool requiresApproval() const { return m_requireApproval; }
    // The restart backoff and log ring of servers added from now on (tests shorten the
    // backoff to see a crash loop within seconds).
    void setPolicy(const UpstreamSupervisorPolicy &policy) { m_policy = policy; }
    // Until releaseStarts(), apply() only keeps the last list it was given: the owner waits
    // for something every channel needs (the login shell's PATH). releaseStarts() applies it.
    void holdStarts();
    void releaseStarts();
    bool isHoldingStarts() const { return m_holding; }

    QStringList serverNames() const { return m_order; }
    const UpstreamSupervisor *supervisor(const QString &name) const;
    // The exposed names of a server's tools, in the upstream's order.
    QStringList exposedToolNames(const QString &name) const;
    // Which server and upstream tool an exposed name stands for (empty server: not upstream).
    QString serverOfTool(const QString &exposedName, QString *upstreamName = nullptr) const;

    bool start(const QString &name, QString *error);
    bool stop(const QString &name, QString *error);
    bool restart(const QString &name, QString *error);
    bool setEnabled(const QString &name, bool enabled, QString *error);

    // What the window and `heartline ctl servers list` show, in config order.
    QList<UpstreamInfo> infos() const;
    // The upstream tool names switched off for `name` (as its config entry's disabledTools).
    QStringList disabledTools(const QString &name) const;
    // Switches the served tools whose switch changed, at once, without re-listing or restarting
    // the server; kept for its next (re)start and re-list too.
    bool setDisabledTools(const QString &name, const QStringList &upstreamTools, QString *error);

    // Stops every server the way its transport prescribes (stdio: stdin closed, then SIGTERM and
    // SIGKILL to the group, each after a grace period); `done` once every child is reaped and
    // every remote session ended. Whatever still runs when the host is destroyed is killed.
    void shutdown(std::function<void()> done);
    // Channels of stopped or removed servers still ending (children not yet reaped).
    int closingChannelCount() const;

    // The per-session copy of `name` serving `sessionId`, null when there is none.
    const UpstreamSupervisor *sessionInstance(const QString &name, const QString &sessionId) const;

public Q_SLOTS:
    // A downstream session ended (SessionStore::sessionEnded): its per-session copies stop.
    void endSession(const QString &sessionId);

Q_SIGNALS:
    void stateChanged(const QString &server, heartline::UpstreamState state,
                      const QString &lastError);
    // Its supervisor's restartScheduled: a crash will be followed by a restart after delayMs.
    void restartScheduled(const QString &server, int attempt, int delayMs);
    // The server left the config (or is about to be added again with a changed command).
    void serverRemoved(const QString &server);
    void diagnosticLine(const QString &server, const QString &line);
    // A server's tools were (re)published after it became ready or re-listed.
    void toolsPublished(const QString &server, int toolCount);
    void callEnded(const QString &server, const QString &upstreamTool, bool answered, bool isError,
                   qint64 elapsedUs);
    void upstreamLogged(const QString &server, heartline::LogLevel level, const QJsonValue &data,
                        const QString &logger);
    void problem(const QString &server, const QString &message);

private:
    struct Hosted;
    // Whether remove() takes the server's tools out of the registries (Keep: the entry is
    // replaced by a changed one, whose process re-publishes them).
    enum class Listing { Withdraw, Keep };

    void add(const UpstreamServerConfig &config);
    void remove(const QString &name, Listing listing = Listing::Withdraw);
    bool keepsListing(const QString &name, UpstreamState state) const;
    bool needsApproval(const UpstreamServerConfig &config) const;
    static QString awaitingApprovalError(const QString &name);
    void withdraw(const QString &name);
    void addSessionInstances(Hosted *hosted);
    // Re-emits a forwarder's (or the per-session copies') call outcomes, logs and problems
    // under the server's name.
    template<typename Source>
    void relayCalls(Source *source, const QString &name);
    void publishTools(const QString &name);
    void publishCatalog(const QString &name);
    UpstreamInfo infoOf(const Hosted &hosted) const;
    Hosted *find(const QString &name, QString *error) const;

    ToolRegistry *m_registry;
    ChannelFactory m_factory;
    UpstreamClient::Options m_clientOptions;
    UpstreamSupervisorPolicy m_policy;
    bool m_requireApproval = false;
    UpstreamToolPublisher *m_publisher;
    UpstreamCatalogPublisher *m_catalog = nullptr;
    ClosingChannels *m_closing;
    // Every server's (and per-session copy's) channel opens in its own turn of the loop.
    LaunchQueue *m_launches;
    QStringList m_order; // config order
    QMap<QString, Hosted *> m_hosted;
    bool m_holding = false;
    std::optional<QList<UpstreamServerConfig>> m_held;
};

} // namespace heartline
