#pragma once

#include "server/tools/upstream/clientconfigs.h"
#include "server/tools/upstream/upstreamconfigparser.h"
#include "ui/window/serverimporter.h"

namespace heartline {

// ServerImporter over the clients' files (ClientConfigs) and Heartline's config file
// (ConfigDocument), the same reading and writing `heartline import` does. What the person
// ticked and confirmed is written approved: they saw the command line it runs.
class ClientConfigImporter final : public ServerImporter
{
public:
    // `environment` expands the entries as the running instance will, for their approval.
    ClientConfigImporter(QString configPath, QString home, QString currentDir,
                         const QProcessEnvironment &environment);

    QList<Candidate> scan(QStringList *problems) override;
    QList<Secret> secretsIn(const QStringList &names) const override;
    bool importServers(const QStringList &names, const QList<Secret> &replaced,
                       QString *error) override;

private:
    const ImportedServer *found(const QString &name) const;

    QString m_configPath;
    QString m_home;
    QString m_currentDir;
    QList<ImportedServer> m_found;
    UpstreamConfigParser m_parser;
};

} // namespace heartline
