// The Add/Edit server dialog over a real config file (ConfigEntryFile) and a real probe
// (UpstreamProbe) starting the misbehaving-upstream fixture: what Save writes, what it keeps,
// what it refuses, how secrets are masked, and what Test shows.
#include "app/configentryfile.h"
#include "app/secretvault.h"
#include "app/upstreamprobe.h"
#include "app/vaultsecretkeeper.h"
#include "tests/support/keyringtool.h"
#include "tests/support/processgroup.h"
#include "tests/support/testfiles.h"
#include "ui/window/keyvaluetable.h"
#include "ui/window/servereditdialog.h"

#include <QCoreApplication>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLineEdit>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace heartline;
using namespace heartline::testing;

namespace {

constexpr int kProbeTimeoutMs = 15000;

QJsonObject serversIn(const QString &path)
{
    return QJsonDocument::fromJson(readFileBytes(path)).object().value("mcpServers"_L1).toObject();
}

} // namespace

class tst_ServerEditDialog final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void addWritesAStdioEntry();
    void theCommandIsResolvedOnPathAsItIsTyped();
    void editKeepsTheKeysTheDialogDoesNotShow();
    void aKindChangeDropsTheOtherKindsKeys();
    void refusedSavesSayWhyAndWriteNothing();
    void secretsAreMaskedAndMarkedByTheirName();
    void testListsTheToolsAndStderrThenStops();
    void testOfAServerThatDiesSaysWhy();
    void addWritesACommandTool();
    void secretValuesGoToTheKeyringAndTheFileNamesThem();
    void aTestLooksUpTheSecretsItsEntryNames();

private:
    QString configWith(const QByteArray &text);

    std::unique_ptr<QTemporaryDir> m_dir;
};

void tst_ServerEditDialog::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

QString tst_ServerEditDialog::configWith(const QByteArray &text)
{
    const QString path = m_dir->filePath(u"config.json"_s);
    return writeFileBytes(path, text) ? path : QString();
}

void tst_ServerEditDialog::addWritesAStdioEntry()
{
    const QString path = configWith(R"({"port": 8765})");
    ConfigEntryFile store(path, QProcessEnvironment::systemEnvironment());
    ServerEditDialog dialog(&store, nullptr);
    QCOMPARE(dialog.windowTitle(), u"Add a server"_s);
    dialog.setServerName(u"files"_s);
    dialog.setCommand(u"npx"_s);
    // Spaces and quotes are part of an argument: never split, never quoted again.
    dialog.setArguments(
        {u"-y"_s, u"@modelcontextprotocol/server-filesystem"_s, u"/home/me/My Documents"_s});
    dialog.environmentTable()->addEntry(u"LOG_LEVEL"_s, u"debug"_s);
    QVERIFY2(dialog.save(), qPrintable(dialog.errorText()));

    const QJsonObject entry = serversIn(path).value("files"_L1).toObject();
    QCOMPARE(entry.value("command"_L1).toString(), u"npx"_s);
    QCOMPARE(entry.value("args"_L1).toArray(),
             (QJsonArray{u"-y"_s, u"@modelcontextprotocol/server-filesystem"_s,
                         u"/home/me/My Documents"_s}));
    QCOMPARE(entry.value("env"_L1).toObject(), (QJsonObject{{"LOG_LEVEL"_L1, "debug"_L1}}));
    QVERIFY(!entry.contains("cwd"_L1));
    QVERIFY(!entry.contains("url"_L1));
    // The person typed the command line: it is saved approved, and runs without asking again.
    QVERIFY(entry.value("approved"_L1).toString().startsWith(u"sha256:"_s));
    QCOMPARE(QJsonDocument::fromJson(readFileBytes(path)).object().value("port"_L1).toInt(), 8765);
}

void tst_ServerEditDialog::theCommandIsResolvedOnPathAsItIsTyped()
{
    ServerEditDialog dialog(nullptr, nullptr);
    dialog.setCommand(u"sh"_s);
    QVERIFY2(dialog.commandResolution().endsWith(u"/sh"_s), qPrintable(dialog.commandResolution()));
    dialog.setCommand(u"heartline-no-such-program-xyz"_s);
    QVERIFY2(dialog.commandResolution().contains(u"Not found on PATH"_s),
             qPrintable(dialog.commandResolution()));
    dialog.setCommand(u"${HOME}/bin/tool"_s);
    QVERIFY(dialog.commandResolution().contains(u"when it runs"_s));
    // Without a config file nothing can be saved, and the dialog says so.
    dialog.setServerName(u"x"_s);
    QVERIFY(!dialog.save());
    QVERIFY(dialog.errorText().contains(u"config file"_s));
}

void tst_ServerEditDialog::editKeepsTheKeysTheDialogDoesNotShow()
{
    const QString path = configWith(R"({"mcpServers": {
        "git": {"command": "uvx", "args": ["mcp-server-git"], "enabled": false,
                "disabledTools": ["git_reset"], "timeoutMs": 5000, "restart": "never",
                "env": {"GITHUB_TOKEN": "ghp_abc"}}}})");
    ConfigEntryFile store(path, QProcessEnvironment::systemEnvironment());
    ServerEditDialog dialog(&store, nullptr, u"git"_s);
    QCOMPARE(dialog.windowTitle(), u"Edit git"_s);
    QCOMPARE(dialog.serverName(), u"git"_s);
    QCOMPARE(dialog.entry(), serversIn(path).value("git"_L1).toObject());
    QVERIFY(dialog.environmentTable()->isSecret(0));

    dialog.setArguments({u"mcp-server-git"_s, u"--repository"_s, u"/src/app"_s});
    dialog.setServerName(u"repo"_s); // a rename
    QVERIFY2(dialog.save(), qPrintable(dialog.errorText()));
    const QJsonObject servers = serversIn(path);
    QCOMPARE(servers.keys(), QStringList{u"repo"_s});
    const QJsonObject entry = servers.value("repo"_L1).toObject();
    QCOMPARE(entry.value("args"_L1).toArray().size(), 3);
    QCOMPARE(entry.value("enabled"_L1), QJsonValue(false));
    QCOMPARE(entry.value("disabledTools"_L1).toArray(), QJsonArray{u"git_reset"_s});
    QCOMPARE(entry.value("timeoutMs"_L1).toInt(), 5000);
    QCOMPARE(entry.value("restart"_L1).toString(), u"never"_s);
    QCOMPARE(entry.value("env"_L1).toObject().value("GITHUB_TOKEN"_L1).toString(), u"ghp_abc"_s);
}

void tst_ServerEditDialog::aKindChangeDropsTheOtherKindsKeys()
{
    const QString path = configWith(R"({"mcpServers": {
        "s": {"command": "node", "args": ["server.js"], "cwd": "/tmp", "timeoutMs": 9000}}})");
    ConfigEntryFile store(path, QProcessEnvironment::systemEnvironment());
    ServerEditDialog dialog(&store, nullptr, u"s"_s);
    dialog.setKind(ServerEditDialog::Remote);
    dialog.setUrl(u"https://mcp.example.com/mcp"_s);
    dialog.headersTable()->addEntry(u"Authorization"_s, u"Bearer t0k"_s);
    QVERIFY(dialog.headersTable()->isSecret(0));
    QVERIFY2(dialog.save(), qPrintable(dialog.errorText()));
    const QJsonObject entry = serversIn(path).value("s"_L1).toObject();
    QCOMPARE(entry.keys(), (QStringList{u"headers"_s, u"timeoutMs"_s, u"url"_s}));
    QCOMPARE(entry.value("headers"_L1).toObject().value("Authorization"_L1).toString(),
             u"Bearer t0k"_s);

    // And back: the dialog reads the remote entry, and a program entry has no url or headers.
    ServerEditDialog again(&store, nullptr, u"s"_s);
    QCOMPARE(again.entry(), entry);
    again.setKind(ServerEditDialog::Stdio);
    again.setCommand(u"node"_s);
    QVERIFY(again.save());
    QCOMPARE(serversIn(path).value("s"_L1).toObject().keys(),
             (QStringList{u"approved"_s, u"command"_s, u"timeoutMs"_s}));
}

void tst_ServerEditDialog::refusedSavesSayWhyAndWriteNothing()
{
    const QString path = configWith(R"({"mcpServers": {"taken": {"command": "a"}}})");
    const QByteArray before = readFileBytes(path);
    ConfigEntryFile store(path, QProcessEnvironment::systemEnvironment());
    ServerEditDialog dialog(&store, nullptr);

    QVERIFY(!dialog.save());
    QCOMPARE(dialog.errorText(), u"A server needs a name"_s);
    dialog.setServerName(u"new"_s);
    QVERIFY(!dialog.save());
    QCOMPARE(dialog.errorText(), u"A program needs a command"_s);
    dialog.setCommand(u"x"_s);
    dialog.setServerName(u"taken"_s);
    QVERIFY(!dialog.save());
    QVERIFY2(dialog.errorText().contains(u"already has a server named 'taken'"_s),
             qPrintable(dialog.errorText()));
    dialog.setServerName(u"has space"_s);
    QVERIFY(!dialog.save());
    QVERIFY(!dialog.errorText().isEmpty());
    dialog.setKind(ServerEditDialog::Remote);
    dialog.setServerName(u"remote"_s);
    QVERIFY(!dialog.save());
    QCOMPARE(dialog.errorText(), u"A remote server needs a URL"_s);
    QCOMPARE(readFileBytes(path), before);
}

void tst_ServerEditDialog::secretsAreMaskedAndMarkedByTheirName()
{
    QVERIFY(KeyValueTable::looksSecret(u"OPENAI_API_KEY"_s));
    QVERIFY(KeyValueTable::looksSecret(u"github_token"_s));
    QVERIFY(KeyValueTable::looksSecret(u"Authorization"_s));
    QVERIFY(!KeyValueTable::looksSecret(u"LOG_LEVEL"_s));

    KeyValueTable table(u"Variable"_s);
    table.show();
    table.addEntry(u"LOG_LEVEL"_s, u"info"_s);
    QVERIFY(!table.isSecret(0));
    // Named like a credential as it is typed: marked, and edited in a password field.
    table.item(0, KeyValueTable::NameColumn)->setText(u"API_KEY"_s);
    QVERIFY(table.isSecret(0));
    table.openPersistentEditor(table.item(0, KeyValueTable::ValueColumn));
    auto *editor = qobject_cast<QLineEdit *>(
        table.indexWidget(table.model()->index(0, KeyValueTable::ValueColumn)));
    QVERIFY(editor);
    QCOMPARE(editor->echoMode(), QLineEdit::Password);
    table.closePersistentEditor(table.item(0, KeyValueTable::ValueColumn));
    // Unmarked by hand: shown again. Rows without a name are not values.
    table.item(0, KeyValueTable::SecretColumn)->setCheckState(Qt::Unchecked);
    QVERIFY(!table.isSecret(0));
    table.addEntry();
    QCOMPARE(table.values(), (QJsonObject{{"API_KEY"_L1, "info"_L1}}));
}

void tst_ServerEditDialog::testListsTheToolsAndStderrThenStops()
{
    UpstreamProbe probe(QProcessEnvironment::systemEnvironment());
    ServerEditDialog dialog(nullptr, &probe);
    dialog.setServerName(u"fx"_s);
    dialog.setCommand(QStringLiteral(HEARTLINE_MISBEHAVING_UPSTREAM));
    dialog.setArguments({u"--stderr-lines"_s, u"2"_s});
    QSignalSpy finished(&dialog, &ServerEditDialog::testFinished);
    QSignalSpy lines(&probe, &ServerProbe::diagnosticLine);
    dialog.test();
    QVERIFY(probe.isRunning());
    QVERIFY(finished.wait(kProbeTimeoutMs));
    QCOMPARE(finished.at(0).at(0).toBool(), true);
    QVERIFY2(dialog.testedTools().contains(u"echo"_s), qPrintable(dialog.testStatus()));
    QVERIFY(dialog.testedTools().contains(u"crash"_s));
    QVERIFY(dialog.testStatus().startsWith(u"Ready"_s));
    QVERIFY(!probe.isRunning());
    // Stopped again, and nothing of it is left running.
    QTRY_VERIFY_WITH_TIMEOUT(livingChildrenOf(QCoreApplication::applicationPid()).isEmpty(), 10000);
    // stderr written before the listing reached the dialog too.
    QTRY_VERIFY_WITH_TIMEOUT(dialog.testLog().contains(u"stderr line 1"_s), 5000);
    QVERIFY(!lines.isEmpty());
}

void tst_ServerEditDialog::testOfAServerThatDiesSaysWhy()
{
    UpstreamProbe probe(QProcessEnvironment::systemEnvironment());
    ServerEditDialog dialog(nullptr, &probe);
    dialog.setCommand(QStringLiteral(HEARTLINE_MISBEHAVING_UPSTREAM));
    dialog.setArguments({u"--exit-during-initialize"_s});
    QSignalSpy finished(&dialog, &ServerEditDialog::testFinished);
    dialog.test();
    QVERIFY(finished.wait(kProbeTimeoutMs));
    QCOMPARE(finished.at(0).at(0).toBool(), false);
    QVERIFY2(dialog.testStatus().startsWith(u"Failed: "_s), qPrintable(dialog.testStatus()));
    QVERIFY(dialog.testedTools().isEmpty());

    // An entry that cannot be read says so without starting anything.
    dialog.setCommand(u"${HEARTLINE_TEST_UNSET_VARIABLE}"_s);
    finished.clear();
    dialog.test();
    QVERIFY(finished.wait(kProbeTimeoutMs));
    QVERIFY2(dialog.testStatus().contains(u"HEARTLINE_TEST_UNSET_VARIABLE"_s),
             qPrintable(dialog.testStatus()));
}

void tst_ServerEditDialog::addWritesACommandTool()
{
    const QString path = configWith(R"({"port": 8765})");
    ConfigEntryFile store(path, QProcessEnvironment::systemEnvironment());
    ServerEditDialog dialog(&store, nullptr);
    dialog.setKind(ServerEditDialog::CommandTool);
    dialog.setServerName(u"grep_notes"_s);
    dialog.setCommand(u"grep"_s);
    dialog.setArguments({u"-rn"_s, u"--"_s, u"{pattern}"_s, u"/home/me/notes"_s});
    // A placeholder no parameter names: refused with the reason, nothing written.
    const QByteArray before = readFileBytes(path);
    QVERIFY(!dialog.save());
    QVERIFY2(dialog.errorText().contains(u"pattern"_s), qPrintable(dialog.errorText()));
    QCOMPARE(readFileBytes(path), before);

    dialog.addToolParameter(u"pattern"_s, u"string"_s, u"What to look for"_s, true);
    QVERIFY2(dialog.save(), qPrintable(dialog.errorText()));
    const QJsonObject root = QJsonDocument::fromJson(readFileBytes(path)).object();
    QVERIFY(!root.contains("mcpServers"_L1));
    const QJsonObject tool =
        root.value("commandTools"_L1).toObject().value("grep_notes"_L1).toObject();
    QCOMPARE(tool.value("command"_L1).toString(), u"grep"_s);
    QCOMPARE(tool.value("args"_L1).toArray().at(2).toString(), u"{pattern}"_s);
    const QJsonObject schema = tool.value("inputSchema"_L1).toObject();
    QCOMPARE(schema.value("required"_L1).toArray(), QJsonArray{u"pattern"_s});
    QCOMPARE(schema.value("properties"_L1)["pattern"_L1]["type"_L1].toString(), u"string"_s);
    QCOMPARE(schema.value("properties"_L1)["pattern"_L1]["description"_L1].toString(),
             u"What to look for"_s);
    // The same name twice is refused.
    QVERIFY(!dialog.save());
    QVERIFY(dialog.errorText().contains(u"already has a command tool"_s));
}

// Save with a keeper: a value marked secret goes to the keyring under SERVER.KEY and the file
// names it; the rest stays as typed; editing again shows the reference and stores nothing new.
void tst_ServerEditDialog::secretValuesGoToTheKeyringAndTheFileNamesThem()
{
    QVERIFY2(onTestKeyring(), "run under tests/support/with_keyring.sh");
    const QString path = configWith(R"({"port": 8765})");
    ConfigEntryFile store(path, QProcessEnvironment::systemEnvironment());
    SecretVault vault(SecretVault::fallbackFileFor(path));
    int kept = 0;
    VaultSecretKeeper keeper(&vault, [&kept]() { ++kept; });

    ServerEditDialog dialog(&store, nullptr);
    dialog.setSecretKeeper(&keeper);
    dialog.setServerName(u"github"_s);
    dialog.setCommand(u"npx"_s);
    dialog.environmentTable()->addEntry(u"GITHUB_TOKEN"_s, u"ghp_typed_in_the_dialog"_s);
    dialog.environmentTable()->addEntry(u"LOG_LEVEL"_s, u"debug"_s);
    dialog.environmentTable()->addEntry(u"FROM_SHELL_TOKEN"_s, u"${GH_TOKEN:-none}"_s);
    QSignalSpy accepted(&dialog, &QDialog::accepted);
    dialog.saveAndClose();
    QVERIFY2(QTest::qWaitFor([&]() { return accepted.size() == 1; }, kProbeTimeoutMs),
             qPrintable(dialog.errorText()));

    const QJsonObject env =
        serversIn(path).value("github"_L1).toObject().value("env"_L1).toObject();
    QCOMPARE(env.value("GITHUB_TOKEN"_L1).toString(), u"${secret:github.GITHUB_TOKEN}"_s);
    QCOMPARE(env.value("LOG_LEVEL"_L1).toString(), u"debug"_s);
    // A reference to the environment is no value to move.
    QCOMPARE(env.value("FROM_SHELL_TOKEN"_L1).toString(), u"${GH_TOKEN:-none}"_s);
    QVERIFY(!readFileBytes(path).contains("ghp_typed_in_the_dialog"));
    QCOMPARE(keyringLookup(u"github.GITHUB_TOKEN"_s), u"ghp_typed_in_the_dialog"_s);
    QVERIFY(!QFile::exists(vault.fallbackFile()));
    QCOMPARE(kept, 1);

    ServerEditDialog again(&store, nullptr, u"github"_s);
    again.setSecretKeeper(&keeper);
    QVERIFY(again.environmentTable()->secretValuesWrittenOut().isEmpty());
    QSignalSpy acceptedAgain(&again, &QDialog::accepted);
    again.saveAndClose();
    QCOMPARE(acceptedAgain.size(), 1);
    QCOMPARE(kept, 1);
    QCOMPARE(serversIn(path).value("github"_L1).toObject().value("env"_L1).toObject(), env);
}

// Test starts the entry as the running Heartline would: its ${secret:NAME} looked up first; one
// that is nowhere is the answer, and nothing starts.
void tst_ServerEditDialog::aTestLooksUpTheSecretsItsEntryNames()
{
    QVERIFY2(onTestKeyring(), "run under tests/support/with_keyring.sh");
    QVERIFY(keyringStore(u"probe.key"_s, "from-the-keyring"));
    const QString path = configWith(R"({"port": 8765})");
    SecretVault vault(SecretVault::fallbackFileFor(path));
    UpstreamProbe probe(QProcessEnvironment::systemEnvironment(), &vault);
    QList<ServerProbe::Result> results;
    connect(&probe, &ServerProbe::finished, this,
            [&results](const ServerProbe::Result &result) { results.append(result); });
    const QString seen = m_dir->filePath(u"seen"_s);
    const QJsonArray shell{u"-c"_s, u"printf %s \"$KEY\" > \"$1\"; exec \"$2\""_s, u"sh"_s, seen,
                           QStringLiteral(HEARTLINE_MISBEHAVING_UPSTREAM)};
    probe.start(u"keyed"_s,
                QJsonObject{{"command"_L1, u"sh"_s},
                            {"args"_L1, shell},
                            {"env"_L1, QJsonObject{{"KEY"_L1, u"${secret:probe.key}"_s}}}});
    QVERIFY(probe.isRunning());
    QVERIFY(QTest::qWaitFor([&]() { return results.size() == 1; }, kProbeTimeoutMs));
    QVERIFY2(results.at(0).ok, qPrintable(results.at(0).error));
    QCOMPARE(readFileBytes(seen), QByteArray("from-the-keyring"));

    probe.start(u"unkeyed"_s,
                QJsonObject{{"command"_L1, QStringLiteral(HEARTLINE_MISBEHAVING_UPSTREAM)},
                            {"env"_L1, QJsonObject{{"KEY"_L1, u"${secret:nobody.stored}"_s}}}});
    QVERIFY(QTest::qWaitFor([&]() { return results.size() == 2; }, kProbeTimeoutMs));
    QVERIFY(!results.at(1).ok);
    QVERIFY2(results.at(1).error.startsWith(u"KEY: secret nobody.stored: not in the keyring"_s),
             qPrintable(results.at(1).error));
}

QTEST_MAIN(tst_ServerEditDialog)
#include "tst_servereditdialog.moc"
