#pragma once

#include "server/api/serverconfig.h"
#include "server/tools/command/commandtoolconfig.h"
#include "server/tools/upstream/secretreferences.h"
#include "server/tools/upstream/upstreamserverconfig.h"

#include <QList>
#include <QObject>
#include <QString>

#include <functional>

namespace heartline {

class SecretVault;

// What the config file sets that may name a secret: the server settings (the token) and the
// hosted servers' and command tools' env and headers.
struct HostedConfig
{
    ServerConfig settings;
    QList<UpstreamServerConfig> servers;
    QList<CommandToolConfig> tools;
    // Set when the token names a secret that has no value: the settings cannot be used.
    QString settingsProblem;
};

// Puts the values of the `${secret:NAME}` references in a HostedConfig, looked up in the
// SecretVault, before anything runs with it. A secret without a value is the problem of the
// one server or tool that names it ("mcpServers.notes.env.API_KEY: secret notes.key: not in
// the keyring nor in FILE"), which is then shown, not started; every other entry runs.
//
// Resolutions overlap when the file changes while the keyring answers: only the newest is
// delivered, so an older answer never overwrites a newer file.
class ConfigSecrets final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConfigSecrets)

public:
    using Delivered = std::function<void(const HostedConfig &resolved)>;

    explicit ConfigSecrets(SecretVault *vault, QObject *parent = nullptr);

    // `done` runs at once when nothing names a secret (the keyring is never asked), else once
    // the vault answers, unless a later resolve() came first.
    void resolve(const HostedConfig &written, Delivered done);

    static QStringList namesIn(const HostedConfig &config);
    static HostedConfig withValues(const HostedConfig &written, const SecretValues &secrets);

private:
    SecretVault *m_vault;
    quint64 m_newest = 0;
};

} // namespace heartline
