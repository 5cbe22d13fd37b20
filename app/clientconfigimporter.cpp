#include "app/clientconfigimporter.h"

#include "server/core/configdocument.h"

#include <QUrl>

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

bool ClientConfigImporter::importServers(const QStringList &names, QString *error)
{
    ConfigDocument config(m_configPath);
    if (!config.load(error))
        return false;
    for (const QString &name : names) {
        const auto server = std::find_if(m_found.cbegin(), m_found.cend(),
                                         [&name](const auto &found) { return found.name == name; });
        if (server == m_found.cend()) {
            *error = u"'%1' was not found in any client's config (scan again)"_s.arg(name);
            return false;
        }
        if (config.hasServer(name)) {
            *error = u"%1 already has a server named '%2'; nothing was imported"_s.arg(m_configPath,
                                                                                       name);
            return false;
        }
        const QJsonObject entry = ClientConfigs::withOrigin(*server);
        config.setServer(name, approvedEntry(m_parser.parseEntry(name, entry), entry));
    }
    return config.save(error);
}

} // namespace heartline
