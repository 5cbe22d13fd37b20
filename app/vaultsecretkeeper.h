#pragma once

#include "ui/window/secretkeeper.h"

#include <functional>

namespace heartline {

class SecretVault;

// The window's SecretKeeper over the app's SecretVault. `kept` runs after each value is stored:
// the running servers that name it are looked up again (a changed value leaves the config file
// as it was, so no reload would notice).
class VaultSecretKeeper final : public SecretKeeper
{
public:
    VaultSecretKeeper(SecretVault *vault, std::function<void()> kept);

    void store(const QString &name, const QString &value, QObject *context, Done done) override;

private:
    SecretVault *m_vault;
    std::function<void()> m_kept;
};

} // namespace heartline
