// "Import from…" over the fixture home folder (the configs of Claude Desktop, Cursor, VS Code,
// Claude Code, Windsurf and Zed as tests/unit/upstream/fixtures has them) and a real config
// file: the right servers with the exact command lines, nothing ticked and nothing run before
// the person chooses, only the ticked ones written, each with where it came from.
#include "app/clientconfigimporter.h"
#include "app/secretvault.h"
#include "app/vaultsecretkeeper.h"
#include "tests/support/keyringtool.h"
#include "tests/support/processgroup.h"
#include "tests/support/testfiles.h"
#include "ui/window/importdialog.h"

#include <QCheckBox>
#include <QCoreApplication>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace heartline;
using namespace heartline::testing;

namespace {

const QString kHome = QStringLiteral(HEARTLINE_UPSTREAM_FIXTURES) + u"/home"_s;

} // namespace

class tst_ImportDialog final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void showsEveryClientsServersWithWhatTheyRun();
    void nothingIsTickedOrRunBeforeThePersonChooses();
    void importWritesOnlyTheTickedOnesWithTheirOrigin();
    void aServerHeartlineHasAlreadyCannotBeTicked();
    void aConfigThatDoesNotParseIsNotWritten();
    void secretsMoveToTheKeyringWhenTheBoxSaysSo();
    void secretsStayWhereTheyWereWhenTheBoxIsUnticked();

private:
    QJsonObject serversInConfig() const;

    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_config;
};

void tst_ImportDialog::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_config = m_dir->filePath(u"heartline.json"_s);
    QVERIFY(
        writeFileBytes(m_config, R"({"port": 8700, "mcpServers": {"time": {"command": "date"}}})"));
}

QJsonObject tst_ImportDialog::serversInConfig() const
{
    return QJsonDocument::fromJson(readFileBytes(m_config))
        .object()
        .value("mcpServers"_L1)
        .toObject();
}

void tst_ImportDialog::showsEveryClientsServersWithWhatTheyRun()
{
    ClientConfigImporter importer(m_config, kHome, m_dir->path(),
                                  QProcessEnvironment::systemEnvironment());
    ImportDialog dialog(&importer);
    QStringList clients;
    QHash<QString, ServerImporter::Candidate> byName;
    for (const ServerImporter::Candidate &candidate : dialog.candidates()) {
        if (!clients.contains(candidate.client))
            clients.append(candidate.client);
        byName.insert(candidate.name, candidate);
    }
    for (const QString &client : {u"Claude Desktop"_s, u"Cursor"_s, u"VS Code"_s})
        QVERIFY2(clients.contains(client), qPrintable(clients.join(u", "_s)));
    QCOMPARE(
        byName.value(u"filesystem"_s).commandLine,
        u"npx -y @modelcontextprotocol/server-filesystem /home/ada/Documents /home/ada/notes"_s);
    QCOMPARE(byName.value(u"filesystem"_s).sourceFile,
             kHome + u"/.config/Claude/claude_desktop_config.json"_s);
    QVERIFY(byName.value(u"linear"_s).remote);
    QCOMPARE(byName.value(u"linear"_s).commandLine, u"https://mcp.linear.app/mcp"_s);
}

void tst_ImportDialog::nothingIsTickedOrRunBeforeThePersonChooses()
{
    ClientConfigImporter importer(m_config, kHome, m_dir->path(),
                                  QProcessEnvironment::systemEnvironment());
    ImportDialog dialog(&importer);
    dialog.show();
    QVERIFY(!dialog.candidates().isEmpty());
    QVERIFY(dialog.checkedNames().isEmpty());
    QVERIFY(!dialog.canImport());
    QVERIFY(dialog.confirmationText().isEmpty());
    QVERIFY(!dialog.importChecked());
    QCOMPARE(serversInConfig().keys(), QStringList{u"time"_s});
    // Reading the clients' files started nothing.
    QVERIFY(livingChildrenOf(QCoreApplication::applicationPid()).isEmpty());

    dialog.setChecked(u"filesystem"_s, true);
    dialog.setChecked(u"linear"_s, true);
    QVERIFY(dialog.canImport());
    const QString confirmation = dialog.confirmationText();
    QVERIFY2(
        confirmation.contains(
            u"filesystem: npx -y @modelcontextprotocol/server-filesystem /home/ada/Documents"_s),
        qPrintable(confirmation));
    QVERIFY2(confirmation.contains(u"linear: connects to https://mcp.linear.app/mcp"_s),
             qPrintable(confirmation));
    dialog.setChecked(u"linear"_s, false);
    QVERIFY(!dialog.confirmationText().contains(u"linear"_s));
    QVERIFY(livingChildrenOf(QCoreApplication::applicationPid()).isEmpty());
    QCOMPARE(serversInConfig().keys(), QStringList{u"time"_s});
}

void tst_ImportDialog::importWritesOnlyTheTickedOnesWithTheirOrigin()
{
    ClientConfigImporter importer(m_config, kHome, m_dir->path(),
                                  QProcessEnvironment::systemEnvironment());
    ImportDialog dialog(&importer);
    dialog.setChecked(u"filesystem"_s, true);
    QVERIFY2(dialog.importChecked(), qPrintable(dialog.errorText()));
    QCOMPARE(dialog.imported(), QStringList{u"filesystem"_s});
    const QJsonObject servers = serversInConfig();
    QCOMPARE(servers.keys(), (QStringList{u"filesystem"_s, u"time"_s}));
    const QJsonObject entry = servers.value("filesystem"_L1).toObject();
    QCOMPARE(entry.value("command"_L1).toString(), u"npx"_s);
    QCOMPARE(entry.value("importedFrom"_L1).toString(),
             kHome + u"/.config/Claude/claude_desktop_config.json"_s);
    // Ticked and confirmed with its command line in view: approved to run.
    QVERIFY(entry.value("approved"_L1).toString().startsWith(u"sha256:"_s));
    QCOMPARE(QJsonDocument::fromJson(readFileBytes(m_config)).object().value("port"_L1).toInt(),
             8700);
}

void tst_ImportDialog::aServerHeartlineHasAlreadyCannotBeTicked()
{
    ClientConfigImporter importer(m_config, kHome, m_dir->path(),
                                  QProcessEnvironment::systemEnvironment());
    ImportDialog dialog(&importer);
    bool found = false;
    for (const ServerImporter::Candidate &candidate : dialog.candidates()) {
        if (candidate.name == "time"_L1) {
            found = true;
            QVERIFY(candidate.alreadyConfigured);
        }
    }
    QVERIFY(found);
    dialog.setChecked(u"time"_s, true);
    QVERIFY(!dialog.checkedNames().contains(u"time"_s));
    QVERIFY(!dialog.canImport());
}

void tst_ImportDialog::aConfigThatDoesNotParseIsNotWritten()
{
    const QByteArray broken = "{\"mcpServers\": {,}";
    QVERIFY(writeFileBytes(m_config, broken));
    ClientConfigImporter importer(m_config, kHome, m_dir->path(),
                                  QProcessEnvironment::systemEnvironment());
    ImportDialog dialog(&importer);
    dialog.setChecked(u"filesystem"_s, true);
    QVERIFY(!dialog.importChecked());
    QVERIFY2(dialog.errorText().contains(m_config), qPrintable(dialog.errorText()));
    QCOMPARE(readFileBytes(m_config), broken);
}

// The import dialog over the fixture home folder with a keeper over a real SecretVault.
struct WithSecrets
{
    WithSecrets(const QString &config, const QString &currentDir)
        : importer(config, kHome, currentDir, QProcessEnvironment::systemEnvironment())
        , vault(SecretVault::fallbackFileFor(config))
        , keeper(&vault, {})
        , dialog(&importer)
    {
        dialog.setSecretKeeper(&keeper);
    }

    ClientConfigImporter importer;
    SecretVault vault;
    VaultSecretKeeper keeper;
    ImportDialog dialog;
};

// Brave's API key is written out in Windsurf's file; Figma's header names an environment
// variable, nothing to move.
void tst_ImportDialog::secretsMoveToTheKeyringWhenTheBoxSaysSo()
{
    QVERIFY2(onTestKeyring(), "run under tests/support/with_keyring.sh");
    WithSecrets with(m_config, m_dir->path());
    ImportDialog &dialog = with.dialog;
    dialog.show();
    dialog.setChecked(u"figma"_s, true);
    QVERIFY(dialog.keepSecretsBox()->isHidden());
    dialog.setChecked(u"brave-search"_s, true);
    QVERIFY(dialog.keepSecretsBox()->isVisible());
    QVERIFY(dialog.keepSecretsBox()->isChecked());
    QVERIFY2(dialog.keepSecretsBox()->text().startsWith(u"Keep 1 API key"_s),
             qPrintable(dialog.keepSecretsBox()->text()));

    QSignalSpy accepted(&dialog, &QDialog::accepted);
    dialog.importAndClose();
    QVERIFY2(QTest::qWaitFor([&]() { return accepted.size() == 1; }, 15000),
             qPrintable(dialog.errorText()));
    const QJsonObject servers = serversInConfig();
    QCOMPARE(servers.value("brave-search"_L1).toObject().value("env"_L1).toObject(),
             (QJsonObject{{"BRAVE_API_KEY"_L1, u"${secret:brave-search.BRAVE_API_KEY}"_s}}));
    QCOMPARE(keyringLookup(u"brave-search.BRAVE_API_KEY"_s), u"fixture-brave-key"_s);
    QVERIFY(!readFileBytes(m_config).contains("fixture-brave-key"));
    QCOMPARE(servers.value("figma"_L1)
                 .toObject()
                 .value("headers"_L1)
                 .toObject()
                 .value("Authorization"_L1)
                 .toString(),
             u"Bearer ${env:FIGMA_TOKEN}"_s);
}

void tst_ImportDialog::secretsStayWhereTheyWereWhenTheBoxIsUnticked()
{
    WithSecrets with(m_config, m_dir->path());
    ImportDialog &dialog = with.dialog;
    dialog.setChecked(u"brave-search"_s, true);
    dialog.keepSecretsBox()->setChecked(false);
    QSignalSpy accepted(&dialog, &QDialog::accepted);
    dialog.importAndClose();
    QCOMPARE(accepted.size(), 1);
    QCOMPARE(serversInConfig()
                 .value("brave-search"_L1)
                 .toObject()
                 .value("env"_L1)
                 .toObject()
                 .value("BRAVE_API_KEY"_L1)
                 .toString(),
             u"fixture-brave-key"_s);
    QVERIFY(!QFile::exists(with.vault.fallbackFile()));
}

QTEST_MAIN(tst_ImportDialog)
#include "tst_importdialog.moc"
