#include "tests/support/keyringtool.h"

#include <QProcess>
#include <QStringList>

using namespace Qt::StringLiterals;

namespace heartline::testing {
namespace {

constexpr int kToolMs = 15000;

// QtKeychain's attributes: the key as "user", the service as "server".
QStringList attributesOf(const QString &name)
{
    return {u"user"_s, name, u"server"_s, u"Heartline"_s};
}

} // namespace

QString keyringLookup(const QString &name)
{
    QProcess tool;
    tool.start(u"secret-tool"_s, QStringList{u"lookup"_s} + attributesOf(name));
    if (!tool.waitForFinished(kToolMs))
        return u"<secret-tool did not finish>"_s;
    return QString::fromUtf8(tool.readAllStandardOutput());
}

bool keyringStore(const QString &name, const QByteArray &value)
{
    QProcess tool;
    tool.start(u"secret-tool"_s, QStringList{u"store"_s, u"--label=Heartline test"_s}
                                     + attributesOf(name) + QStringList{u"type"_s, u"plaintext"_s});
    tool.write(value);
    tool.closeWriteChannel();
    return tool.waitForFinished(kToolMs) && tool.exitStatus() == QProcess::NormalExit
           && tool.exitCode() == 0;
}

bool onTestKeyring()
{
    return !qEnvironmentVariableIsEmpty("GNOME_KEYRING_CONTROL");
}

} // namespace heartline::testing
