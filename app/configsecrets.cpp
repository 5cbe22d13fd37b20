#include "app/configsecrets.h"

#include "app/secretvault.h"

using namespace Qt::StringLiterals;

namespace heartline {
namespace {

void addNew(QStringList *names, const QStringList &more)
{
    for (const QString &name : more) {
        if (!names->contains(name))
            names->append(name);
    }
}

} // namespace

ConfigSecrets::ConfigSecrets(SecretVault *vault, QObject *parent)
    : QObject(parent)
    , m_vault(vault)
{}

QStringList ConfigSecrets::namesIn(const HostedConfig &config)
{
    QStringList names = SecretReferences::namesIn(config.settings.token);
    for (const UpstreamServerConfig &server : config.servers) {
        addNew(&names, SecretReferences::namesIn(server.env));
        addNew(&names, SecretReferences::namesIn(server.headers));
    }
    for (const CommandToolConfig &tool : config.tools)
        addNew(&names, SecretReferences::namesIn(tool.env));
    return names;
}

HostedConfig ConfigSecrets::withValues(const HostedConfig &written, const SecretValues &secrets)
{
    HostedConfig resolved = written;
    QString problem;
    if (!SecretReferences::substitute(resolved.settings.token, secrets, &resolved.settings.token,
                                      &problem))
        resolved.settingsProblem = u"token: "_s + problem;
    for (UpstreamServerConfig &server : resolved.servers) {
        // An entry that is wrong already says so; the first problem is the one to fix first.
        if (!server.problem.isEmpty())
            continue;
        const QString path = u"mcpServers."_s + server.name;
        if (!SecretReferences::substitute(&server.env, secrets, &problem))
            server.problem = path + u".env."_s + problem;
        else if (!SecretReferences::substitute(&server.headers, secrets, &problem))
            server.problem = path + u".headers."_s + problem;
    }
    for (CommandToolConfig &tool : resolved.tools) {
        if (tool.problem.isEmpty() && !SecretReferences::substitute(&tool.env, secrets, &problem))
            tool.problem = u"commandTools."_s + tool.name + u".env."_s + problem;
    }
    return resolved;
}

void ConfigSecrets::resolve(const HostedConfig &written, Delivered done)
{
    const quint64 resolution = ++m_newest;
    const QStringList names = namesIn(written);
    if (names.isEmpty()) {
        done(written);
        return;
    }
    m_vault->lookUp(names, this, [this, resolution, written, done](const SecretValues &secrets) {
        if (resolution == m_newest)
            done(withValues(written, secrets));
    });
}

} // namespace heartline
