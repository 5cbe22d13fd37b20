#include "app/clientconfigimporter.h"

#include "server/core/configdocument.h"
#include "ui/window/secretkeeper.h"

#include <QUrl>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace heartline {

ClientConfigImporter::ClientConfigImporter(QString configPath, QString home, QString currentDir,
                                           const QProcessEnvironment &environment)
    : m_configPath(std::move(configPath))
    , m_home(std::move(home))
    , m_currentDir(std::move(currentDir))
    , m_parser(VariableExpander(environment, m_home))
{}

QList<ServerImporter::Candidate> ClientConfigImporter::scan(QStringList *problems)
{
    const ClientConfigScan found = ClientConfigs::scan(m_home, m_currentDir);
    m_found = found.servers;
    *problems = found.problems;
    ConfigDocument config(m_configPath);
    QString unreadable;
    const bool configRead = config.load(&unreadable);
    if (!configRead)
        problems->append(unreadable);

    QList<Candidate> candidates;
    for (const ImportedServer &server : std::as_const(m_found)) {
        Candidate candidate;
        candidate.client = server.client;
        candidate.sourceFile = server.sourceFile;
        candidate.name = server.name;
        candidate.remote = server.entry.contains("url"_L1);
        // A URL's user info and query may hold a token: shown without them.
        candidate.commandLine = candidate.remote
                                    ? QUrl(server.entry.value("url"_L1).toString())
                                          .toDisplayString(QUrl::RemoveUserInfo | QUrl::RemoveQuery
                                                           | QUrl::RemoveFragment)
                                    : server.commandLineOrUrl();
        candidate.notes = server.notes;
        candidate.alreadyConfigured = configRead && config.hasServer(server.name);
        candidates.append(candidate);
    }
    return candidates;
}

const ImportedServer *ClientConfigImporter::found(const QString &name) const
{
    const auto server = std::find_if(m_found.cbegin(), m_found.cend(),
                                     [&name](const auto &found) { return found.name == name; });
    return server == m_found.cend() ? nullptr : &*server;
}

QList<ServerImporter::Secret> ClientConfigImporter::secretsIn(const QStringList &names) const
{
    QList<Secret> secrets;
    for (const QString &name : names) {
        const ImportedServer *server = found(name);
        if (!server)
            continue;
        for (const QString &section : {u"env"_s, u"headers"_s}) {
            const QJsonObject values = server->entry.value(section).toObject();
            for (auto it = values.begin(); it != values.end(); ++it) {
                const QString value = it.value().toString();
                // A ${VAR} is a reference already, to the environment: nothing to move.
                if (SecretKeeper::looksSecret(it.key()) && !value.isEmpty()
                    && !value.contains("${"_L1))
                    secrets.append({name, section, it.key(), value});
            }
        }
    }
    return secrets;
}

bool ClientConfigImporter::importServers(const QStringList &names, const QList<Secret> &replaced,
                                         QString *error)
{
    ConfigDocument config(m_configPath);
    if (!config.load(error))
        return false;
    for (const QString &name : names) {
        const ImportedServer *server = found(name);
        if (!server) {
            *error = u"'%1' was not found in any client's config (scan again)"_s.arg(name);
            return false;
        }
        if (config.hasServer(name)) {
            *error = u"%1 already has a server named '%2'; nothing was imported"_s.arg(m_configPath,
                                                                                       name);
            return false;
        }
        QJsonObject entry = ClientConfigs::withOrigin(*server);
        for (const Secret &secret : replaced) {
            if (secret.server != name)
                continue;
            QJsonObject values = entry.value(secret.section).toObject();
            values.insert(secret.key, secret.value);
            entry.insert(secret.section, values);
        }
        config.setServer(name, approvedEntry(m_parser.parseEntry(name, entry), entry));
    }
    return config.save(error);
}

} // namespace heartline
