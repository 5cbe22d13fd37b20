#pragma once

#include <QProcessEnvironment>
#include <QStringList>

namespace heartline {

// `heartline secret set NAME` (the value read from standard input, never from the command line,
// which every user of the machine can read) and `heartline secret delete NAME`: what a config
// names as ${secret:NAME}, kept where the running Heartline looks (SecretVault: the keyring, or
// the 0600 file beside the config file, the default one from `environment` or --config). Runs
// the event loop of the QCoreApplication the caller made until the keyring answers. Returns
// the exit status: 0 done, 1 refused, 2 a usage error.
int runSecret(const QStringList &arguments, const QProcessEnvironment &environment);

} // namespace heartline
