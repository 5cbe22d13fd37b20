#include "app/vaultsecretkeeper.h"

#include "app/secretvault.h"

namespace heartline {

VaultSecretKeeper::VaultSecretKeeper(SecretVault *vault, std::function<void()> kept)
    : m_vault(vault)
    , m_kept(std::move(kept))
{}

void VaultSecretKeeper::store(const QString &name, const QString &value, QObject *context,
                              Done done)
{
    m_vault->store(name, value, context,
                   [kept = m_kept, done = std::move(done)](const SecretVault::Outcome &outcome) {
                       if (outcome.ok && kept)
                           kept();
                       done({outcome.ok, outcome.where, outcome.error});
                   });
}

} // namespace heartline
