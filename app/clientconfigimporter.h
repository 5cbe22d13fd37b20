#pragma once

#include "server/tools/upstream/clientconfigs.h"
#include "ui/window/serverimporter.h"

namespace heartline {

// ServerImporter over the clients' files (ClientConfigs) and Heartline's config file
// (ConfigDocument), the same reading and writing `heartline import` does.
class ClientConfigImporter final : public ServerImporter
{
public:
    ClientConfigImporter(QString configPath, QString home, QString currentDir);

    QList<Candidate> scan(QStringList *problems) override;
    bool importServers(const QStringList &names, QString *error) override;

private:
    QString m_configPath;
    QString m_home;
    QString m_currentDir;
    QList<ImportedServer> m_found;
};

} // namespace heartline
