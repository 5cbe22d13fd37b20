#include "app/clientsetupfiles.h"

#include "app/clientconnection.h"

using namespace Qt::StringLiterals;

namespace heartline {

ClientSetupFiles::ClientSetupFiles(QString home, Instance instance)
    : m_home(std::move(home))
    , m_instance(std::move(instance))
{}

QList<ClientSetup::Client> ClientSetupFiles::clients() const
{
    QList<Client> all;
    for (const ClientConnection::Client &client : ClientConnection::clients(m_home))
        all.append({client.id, client.name, client.path});
    return all;
}

ClientSetup::Added ClientSetupFiles::addHeartline(const QString &clientId)
{
    Added added;
    ClientConnection::Client client;
    if (!ClientConnection::find(clientId, m_home, &client)) {
        added.error = u"'%1' is not a client Heartline knows"_s.arg(clientId);
        return added;
    }
    ClientConnection::Plan plan;
    if (!ClientConnection::plan(client, m_instance.mcpUrl(), m_instance.token(), &plan,
                                &added.error)
        || !ClientConnection::apply(plan, &added.error))
        return added;
    added.ok = true;
    added.changed = plan.after != plan.before;
    if (added.changed && plan.existed)
        added.backup = ClientConnection::backupPath(plan.path);
    added.ownCopies = ClientConnection::ownCopies(client, m_home, m_instance.hostedServers());
    return added;
}

bool ClientSetupFiles::removeOwnCopies(const QString &clientId, const QStringList &names,
                                       QString *error)
{
    ClientConnection::Client client;
    if (!ClientConnection::find(clientId, m_home, &client)) {
        *error = u"'%1' is not a client Heartline knows"_s.arg(clientId);
        return false;
    }
    return ClientConnection::removeServers(client, names, error);
}

} // namespace heartline
