#pragma once

#include "server/tools/upstream/upstreamserverconfig.h"
#include "ui/window/clientsetup.h"

#include <functional>

namespace heartline {

// ClientSetup over the clients' config files (ClientConnection), for the running instance:
// its endpoint and token, and the servers it hosts, are read when asked, so a changed port or
// token is what gets written.
class ClientSetupFiles final : public ClientSetup
{
public:
    struct Instance
    {
        std::function<QString()> mcpUrl;
        std::function<QString()> token;
        std::function<QList<UpstreamServerConfig>()> hostedServers;
    };

    ClientSetupFiles(QString home, Instance instance);

    QList<Client> clients() const override;
    Added addHeartline(const QString &clientId) override;
    bool removeOwnCopies(const QString &clientId, const QStringList &names,
                         QString *error) override;

private:
    QString m_home;
    Instance m_instance;
};

} // namespace heartline
