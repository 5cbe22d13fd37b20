#pragma once

#include <QByteArray>
#include <QString>

namespace heartline::testing {

// secret-tool (libsecret-tools) on the session bus the test runs on (with_keyring.sh): looks
// behind Heartline's back at the items QtKeychain keeps for the "Heartline" service, and stores
// one as Seahorse or another program would.

// The value kept as `name`, or an empty string when there is none.
QString keyringLookup(const QString &name);
bool keyringStore(const QString &name, const QByteArray &value);
// Whether the test runs on the private keyring of tests/support/with_keyring.sh.
bool onTestKeyring();

} // namespace heartline::testing
