#pragma once

#include "server/protocol/wire/loglevel.h"
#include "server/tools/upstream/upstreamsupervisor.h"

#include <QHash>
#include <QJsonValue>
#include <QObject>
#include <QPointer>

namespace heartline {

class ToolCall;
class UpstreamForwarder;

// The copies of one upstream server whose config asks for `"instances": "per-session"` (a
// browser, say, whose state must not be shared): each downstream session gets its own process,
// started by its first tools/call and stopped when the session ends. Each copy is a supervisor
// and a forwarder of its own over a fresh channel from the factory, so a copy restarts, fails
// its calls and routes the upstream's questions exactly as the shared instance does.
//
// The catalog is not listed from here: the host's shared instance lists it, so every client
// sees the tools before it calls one.
class UpstreamSessionInstances final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UpstreamSessionInstances)

public:
    UpstreamSessionInstances(const UpstreamServerConfig &config,
                             UpstreamSupervisor::ChannelFactory factory,
                             const UpstreamClient::Options &clientOptions,
                             const UpstreamSupervisorPolicy &policy, QObject *parent = nullptr);
    // Stops every copy (each channel shuts its child down as its transport prescribes).
    ~UpstreamSessionInstances() override;

    // Forwards `call` to the copy of the session it came in on (ToolCall::sessionId, never
    // empty here), starting that copy first when the session has none; the call waits until
    // the copy is ready, or fails with a tool error when it cannot start.
    void callTool(const QString &upstreamName, ToolCall *call);
    // Stops the copy of `sessionId`, if it has one.
    void endSession(const QString &sessionId);
    // Stops every copy; the next call of each session starts a new one.
    void stopAll();

    QStringList sessionIds() const { return m_instances.keys(); }
    // The supervisor of a session's copy, null when it has none.
    const UpstreamSupervisor *supervisorOf(const QString &sessionId) const;

Q_SIGNALS:
    void callEnded(const QString &upstreamName, bool answered, bool isError, qint64 elapsedUs);
    void upstreamLogged(heartline::LogLevel level, const QJsonValue &data, const QString &logger);
    void diagnosticLine(const QString &line);
    void problem(const QString &message);

private:
    struct Waiting
    {
        QPointer<ToolCall> call;
        QString upstreamName;
    };
    struct Instance
    {
        UpstreamSupervisor *supervisor = nullptr;
        UpstreamForwarder *forwarder = nullptr;
        bool everReady = false;
        QList<Waiting> waiting;
    };

    Instance *start(const QString &sessionId);
    void handleReady(const QString &sessionId, UpstreamClient *client);
    void handleStateChanged(const QString &sessionId, UpstreamState state);
    void failWaiting(Instance *instance, const QString &reason);
    void destroy(Instance *instance);

    UpstreamServerConfig m_config;
    UpstreamSupervisor::ChannelFactory m_factory;
    UpstreamClient::Options m_clientOptions;
    UpstreamSupervisorPolicy m_policy;
    QHash<QString, Instance *> m_instances;
};

} // namespace heartline
