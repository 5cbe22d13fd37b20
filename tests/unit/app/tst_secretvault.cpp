// ${secret:NAME} values kept where the issue says: in a real keyring (gnome-keyring-daemon on a
// private session bus, see tests/support/with_keyring.sh; secret-tool looks behind Heartline's
// back), and, where no keyring answers, in a 0600 file beside the config, said once in the log.
// ctest runs the keyring cases under with_keyring.sh and the file cases with a session bus
// address that leads nowhere; each case checks it got the environment it needs.

#include "app/secretvault.h"
#include "tests/support/keyringtool.h"
#include "tests/support/servertestmain.h"

#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <optional>

using namespace heartline;
using namespace heartline::testing;
using namespace Qt::StringLiterals;

namespace {

constexpr int kWaitMs = 15000;

SecretValues lookUp(SecretVault &vault, const QStringList &names)
{
    std::optional<SecretValues> answer;
    QObject context;
    vault.lookUp(names, &context, [&answer](const SecretValues &values) { answer = values; });
    if (!QTest::qWaitFor([&answer]() { return answer.has_value(); }, kWaitMs))
        return {{}, {{u"*"_s, u"no answer"_s}}};
    return *answer;
}

SecretVault::Outcome store(SecretVault &vault, const QString &name, const QString &value)
{
    std::optional<SecretVault::Outcome> answer;
    QObject context;
    vault.store(name, value, &context,
                [&answer](const SecretVault::Outcome &outcome) { answer = outcome; });
    if (!QTest::qWaitFor([&answer]() { return answer.has_value(); }, kWaitMs))
        return {false, {}, u"no answer"_s};
    return *answer;
}

SecretVault::Outcome remove(SecretVault &vault, const QString &name)
{
    std::optional<SecretVault::Outcome> answer;
    QObject context;
    vault.remove(name, &context,
                 [&answer](const SecretVault::Outcome &outcome) { answer = outcome; });
    if (!QTest::qWaitFor([&answer]() { return answer.has_value(); }, kWaitMs))
        return {false, {}, u"no answer"_s};
    return *answer;
}

// Read and written by its owner, nothing for anyone else (mode 0600).
bool ownerOnly(const QString &path)
{
    const QFile::Permissions others = QFile::ReadGroup | QFile::WriteGroup | QFile::ExeGroup
                                      | QFile::ReadOther | QFile::WriteOther | QFile::ExeOther;
    const QFile::Permissions permissions = QFile::permissions(path);
    return (permissions & others) == 0 && (permissions & QFile::ReadOwner)
           && (permissions & QFile::WriteOwner);
}

// Counts the lines the vault logs that say no keyring answered.
QAtomicInt noKeyringLines;
QtMessageHandler previousHandler = nullptr;
void countNoKeyring(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    if (message.contains("no keyring answered"_L1))
        noKeyringLines.fetchAndAddRelaxed(1);
    previousHandler(type, context, message);
}

} // namespace

class tst_SecretVault : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_folder.isValid());
        previousHandler = qInstallMessageHandler(countNoKeyring);
    }
    void cleanupTestCase() { qInstallMessageHandler(previousHandler); }

    // --- under with_keyring.sh ---

    void keyringKeepsWhatIsStored()
    {
        QVERIFY2(onTestKeyring(), "run under tests/support/with_keyring.sh");
        SecretVault vault(fallback());
        const QString value = u"sk-live ✓ \"quoted\" $(not run)"_s;
        const SecretVault::Outcome stored = store(vault, u"github.token"_s, value);
        QVERIFY2(stored.ok, qPrintable(stored.error));
        QCOMPARE(stored.where, u"the keyring"_s);
        QCOMPARE(keyringLookup(u"github.token"_s), value);
        QVERIFY(!QFile::exists(fallback()));

        const SecretValues found = lookUp(vault, {u"github.token"_s});
        QCOMPARE(found.values.value(u"github.token"_s), value);
        QVERIFY(found.problems.isEmpty());
        QCOMPARE(noKeyringLines.loadRelaxed(), 0);
    }

    void keyringAnswersWhatOthersStored()
    {
        QVERIFY(keyringStore(u"OPENAI_API_KEY"_s, "from-seahorse"));
        SecretVault vault(fallback());
        const SecretValues found = lookUp(vault, {u"OPENAI_API_KEY"_s, u"never-stored"_s});
        QCOMPARE(found.values.value(u"OPENAI_API_KEY"_s), u"from-seahorse"_s);
        QVERIFY(!found.values.contains(u"never-stored"_s));
        QCOMPARE(found.problems.value(u"never-stored"_s),
                 u"not in the keyring nor in %1"_s.arg(fallback()));
    }

    void keyringForgetsWhatIsRemoved()
    {
        SecretVault vault(fallback());
        QVERIFY(store(vault, u"to-remove"_s, u"x"_s).ok);
        QCOMPARE(keyringLookup(u"to-remove"_s), u"x"_s);
        const SecretVault::Outcome removed = remove(vault, u"to-remove"_s);
        QVERIFY2(removed.ok, qPrintable(removed.error));
        QCOMPARE(keyringLookup(u"to-remove"_s), QString());
        QVERIFY(lookUp(vault, {u"to-remove"_s}).problems.contains(u"to-remove"_s));
    }

    // A copy in the file (written while no keyring answered) must not outlive a new value.
    void keyringStoreDropsTheFileCopy()
    {
        QFile file(fallback());
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(R"({"db.password": "old", "other": "kept"})");
        file.close();
        QVERIFY(file.setPermissions(QFile::ReadOwner | QFile::WriteOwner));
        SecretVault vault(fallback());
        QVERIFY(store(vault, u"db.password"_s, u"new"_s).ok);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray left = file.readAll();
        QVERIFY2(!left.contains("db.password"), left.constData());
        QVERIFY(left.contains("kept"));
        QCOMPARE(lookUp(vault, {u"db.password"_s}).values.value(u"db.password"_s), u"new"_s);
        QFile::remove(fallback());
    }

    // --- with DBUS_SESSION_BUS_ADDRESS leading nowhere ---

    void fileKeepsSecretsWhenNoKeyringAnswers()
    {
        QVERIFY2(!onTestKeyring(),
                 "run without a keyring (DBUS_SESSION_BUS_ADDRESS leading nowhere)");
        SecretVault vault(fallback());
        const SecretVault::Outcome stored = store(vault, u"api.key"_s, u"v1"_s);
        QVERIFY2(stored.ok, qPrintable(stored.error));
        QCOMPARE(stored.where, fallback());
        QVERIFY(ownerOnly(fallback()));
        QVERIFY(store(vault, u"api.key"_s, u"v2"_s).ok);
        QVERIFY(ownerOnly(fallback()));

        const SecretValues found = lookUp(vault, {u"api.key"_s, u"missing"_s});
        QCOMPARE(found.values.value(u"api.key"_s), u"v2"_s);
        QVERIFY2(found.problems.value(u"missing"_s).startsWith(u"not in %1"_s.arg(fallback())),
                 qPrintable(found.problems.value(u"missing"_s)));
        // Once per run, however many secrets went to the file.
        QCOMPARE(noKeyringLines.loadRelaxed(), 1);

        QVERIFY(remove(vault, u"api.key"_s).ok);
        QVERIFY(lookUp(vault, {u"api.key"_s}).problems.contains(u"api.key"_s));
    }

    void fileReadableByOthersIsRefused()
    {
        QFile file(fallback());
        QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
        file.write(R"({"api.key": "leaked"})");
        file.close();
        QVERIFY(file.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ReadOther));
        SecretVault vault(fallback());
        const SecretValues found = lookUp(vault, {u"api.key"_s});
        QVERIFY(!found.values.contains(u"api.key"_s));
        QCOMPARE(found.problems.value(u"api.key"_s),
                 u"%1 can be read by other users; run: chmod 600 %1"_s.arg(fallback()));
        // Nor is anything written into it.
        QVERIFY(!store(vault, u"new"_s, u"x"_s).ok);
        QFile::remove(fallback());
    }

private:
    QString fallback() const { return m_folder.filePath(u"secrets.json"_s); }

    QTemporaryDir m_folder;
};

HEARTLINE_SERVER_TEST_MAIN(tst_SecretVault)
#include "tst_secretvault.moc"
