#pragma once

#include "server/api/servercontrol.h"

#include <QPointer>

namespace heartline {

// The server's ServerControl as the GUI thread holds it (DESIGN.md, Threads): each call is
// queued to the server thread, runs there in its turn, and the caller has the answer when the
// call returns. Only the GUI thread waits, and only for one turn of a loop that never blocks;
// the server thread never waits on the GUI, so the two cannot deadlock. Called on the server
// thread itself (nothing does today) it calls straight through; once the context is gone,
// every call answers empty or false.
class CrossThreadControl final : public ServerControl
{
public:
    // `context` is an object living on `target`'s thread, alive for as long as this is used.
    CrossThreadControl(ServerControl *target, QObject *context);

    QList<ToolInfo> tools() const override;
    bool setToolEnabled(const QString &name, bool enabled, QString *error) override;

    QList<UpstreamInfo> upstreams() const override;
    bool startUpstream(const QString &name, QString *error) override;
    bool stopUpstream(const QString &name, QString *error) override;
    bool restartUpstream(const QString &name, QString *error) override;
    bool setUpstreamEnabled(const QString &name, bool enabled, QString *error) override;
    QStringList upstreamLog(const QString &name, QString *error) const override;

    QList<SessionInfo> sessions() const override;
    bool closeSession(const QString &idOrPrefix, QString *error) override;

    QList<StreamStats> streamStats() const override;

    ServerConfig settings() const override;
    bool applySettings(const ServerConfig &config, QString *error) override;

private:
    template<typename Call>
    auto onServerThread(Call call) const -> decltype(call());

    ServerControl *m_target;
    QPointer<QObject> m_context;
};

} // namespace heartline
