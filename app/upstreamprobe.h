#pragma once

#include "server/tools/upstream/upstreamconfigparser.h"
#include "ui/window/serverprobe.h"

#include <QPointer>
#include <QProcessEnvironment>
#include <QTimer>

namespace heartline {

class SecretVault;
class UpstreamSupervisor;

// ServerProbe over the hosting's own parts: the entry is read as the config file's would be
// (UpstreamConfigParser), started by an UpstreamSupervisor of its own that never restarts, and
// stopped (its process group with it) as soon as its tools are listed, it fails, or
// kTimeoutMs pass. It shares nothing with the servers Heartline hosts. The ${secret:NAME} values
// the entry names are looked up in `secrets` first, as the running Heartline does.
class UpstreamProbe final : public ServerProbe
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UpstreamProbe)

public:
    // Long enough for npx's first download of a package.
    static constexpr int kTimeoutMs = 90'000;

    explicit UpstreamProbe(const QProcessEnvironment &environment, SecretVault *secrets = nullptr,
                           QObject *parent = nullptr);
    ~UpstreamProbe() override;

    void start(const QString &name, const QJsonObject &entry) override;
    void cancel() override;
    bool isRunning() const override;
    void setTimeoutMs(int milliseconds) { m_timeout.setInterval(milliseconds); }

private:
    void launch(UpstreamServerConfig config);
    void finish(const Result &result);
    void handleState(int state, const QString &lastError);

    UpstreamConfigParser m_parser;
    SecretVault *m_secrets;
    // A test waiting for the keyring: its number, so a cancelled one's answer is dropped.
    quint64 m_lookUp = 0;
    bool m_lookingUp = false;
    QPointer<UpstreamSupervisor> m_supervisor;
    QTimer m_timeout;
};

} // namespace heartline
