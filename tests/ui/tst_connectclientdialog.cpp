#include "app/clientsetupfiles.h"
#include "tests/support/testfiles.h"
#include "ui/window/connectclientdialog.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace heartline;
using namespace heartline::testing;

class tst_ConnectClientDialog final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void urlEntryPointsAtTheEndpoint_data();
    void urlEntryPointsAtTheEndpoint();
    void mcpRemoteRunsThroughNpx_data();
    void mcpRemoteRunsThroughNpx();
    void everySnippetNamesTheEndpointAndTheToken();
    void dialogShowsEverySnippet();
    void addHeartlineToWritesTheEntryAndKeepsTheRest();
    void theClientsOwnCopiesGoOnlyWhenThePersonSaysSo();
    void aNewClientFileIsTheUsersAlone();
    void aClientFileThatIsNotJsonIsLeftAlone();

private:
    static void addRows();
};

namespace {

QJsonObject server(const QString &text, const QString &root)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(text.toUtf8(), &error);
    [&]() { QVERIFY2(document.isObject(), qPrintable(error.errorString() + u": "_s + text)); }();
    return document.object().value(root).toObject().value("heartline"_L1).toObject();
}

} // namespace

void tst_ConnectClientDialog::addRows()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("token");
    QTest::newRow("loopback, no token") << u"http://127.0.0.1:8650/mcp"_s << QString();
    QTest::newRow("custom port, token") << u"http://127.0.0.1:40123/mcp"_s << u"t0k-en"_s;
    QTest::newRow("tunnel") << u"https://box.example.net/mcp"_s << u"abc"_s;
}

void tst_ConnectClientDialog::urlEntryPointsAtTheEndpoint_data()
{
    addRows();
}

void tst_ConnectClientDialog::urlEntryPointsAtTheEndpoint()
{
    QFETCH(QString, url);
    QFETCH(QString, token);
    const auto snippets = ConnectClientDialog::snippets(url, token);
    QVERIFY(!snippets.isEmpty());
    const QJsonObject entry = server(snippets.at(0).text, u"mcpServers"_s);
    QCOMPARE(entry.value("url"_L1).toString(), url);
    const QJsonObject headers = entry.value("headers"_L1).toObject();
    if (token.isEmpty())
        QVERIFY(!entry.contains("headers"_L1));
    else
        QCOMPARE(headers.value("Authorization"_L1).toString(), u"Bearer "_s + token);
}

void tst_ConnectClientDialog::mcpRemoteRunsThroughNpx_data()
{
    addRows();
}

void tst_ConnectClientDialog::mcpRemoteRunsThroughNpx()
{
    QFETCH(QString, url);
    QFETCH(QString, token);
    const auto snippets = ConnectClientDialog::snippets(url, token);
    QVERIFY(snippets.size() >= 2);
    const QJsonObject entry = server(snippets.at(1).text, u"mcpServers"_s);
    QCOMPARE(entry.value("command"_L1).toString(), u"npx"_s);
    const QJsonArray args = entry.value("args"_L1).toArray();
    QVERIFY(args.contains(u"mcp-remote"_s));
    QVERIFY(args.contains(url));
    if (token.isEmpty()) {
        QVERIFY(!args.contains(u"--header"_s));
        QVERIFY(!entry.contains("env"_L1));
    } else {
        const int header = int(args.toVariantList().indexOf(u"--header"_s));
        QVERIFY(header >= 0 && header + 1 < args.size());
        QCOMPARE(args.at(header + 1).toString(), u"Authorization:${AUTH_HEADER}"_s);
        QCOMPARE(entry.value("env"_L1).toObject().value("AUTH_HEADER"_L1).toString(),
                 u"Bearer "_s + token);
    }
}

void tst_ConnectClientDialog::everySnippetNamesTheEndpointAndTheToken()
{
    const QString url = u"http://127.0.0.1:40123/mcp"_s;
    for (const auto &snippet : ConnectClientDialog::snippets(url, u"zz-token"_s)) {
        QVERIFY2(snippet.text.contains(url), qPrintable(snippet.title));
        QVERIFY2(snippet.text.contains(u"zz-token"_s), qPrintable(snippet.title));
        QVERIFY(!snippet.title.isEmpty());
    }
    for (const auto &snippet : ConnectClientDialog::snippets(url, QString()))
        QVERIFY2(!snippet.text.contains(u"Bearer"_s), qPrintable(snippet.text));
}

void tst_ConnectClientDialog::dialogShowsEverySnippet()
{
    const QString url = u"http://127.0.0.1:40123/mcp"_s;
    ConnectClientDialog dialog(url, u"tok"_s);
    const auto *tabs = dialog.findChild<QTabWidget *>(u"snippetTabs"_s);
    QVERIFY(tabs);
    QCOMPARE(tabs->count(), dialog.shownSnippets().size());
    const QList<QPlainTextEdit *> texts = dialog.findChildren<QPlainTextEdit *>();
    QCOMPARE(texts.size(), tabs->count());
    for (const QPlainTextEdit *text : texts) {
        QVERIFY(text->isReadOnly());
        QVERIFY(text->toPlainText().contains(url));
        QVERIFY(text->toPlainText().contains(u"tok"_s));
    }
}

namespace {

// Cursor's file as a person keeps it: their own servers, one of which Heartline hosts too.
const QByteArray kCursorFile =
    "{\n"
    "  \"mcpServers\": {\n"
    "    \"notes\": {\"command\": \"notes-mcp\", \"args\": [\"--db\", \"x\"]},\n"
    "    \"time\": {\n"
    "      \"command\": \"uvx\",\n"
    "      \"args\": [\"mcp-server-time\"]\n"
    "    }\n"
    "  },\n"
    "  \"editor\": {\"fontSize\": 13}\n"
    "}\n";

struct ClientHome
{
    QTemporaryDir dir;
    ClientSetupFiles setup{dir.path(),
                           {[]() { return u"http://127.0.0.1:8650/mcp"_s; },
                            []() { return u"tok"_s; },
                            []() {
                                UpstreamServerConfig time;
                                time.name = u"time"_s;
                                time.command = u"uvx"_s;
                                time.args = {u"mcp-server-time"_s};
                                // The client's "notes" has the name, not the program.
                                UpstreamServerConfig notes;
                                notes.name = u"notes"_s;
                                notes.command = u"notes-mcp"_s;
                                notes.args = {u"--db"_s, u"y"_s};
                                return QList<UpstreamServerConfig>{time, notes};
                            }}};
    QString cursor() const { return dir.filePath(u".cursor/mcp.json"_s); }
};

QJsonObject parsed(const QString &path)
{
    return QJsonDocument::fromJson(readFileBytes(path)).object();
}

} // namespace

void tst_ConnectClientDialog::addHeartlineToWritesTheEntryAndKeepsTheRest()
{
    ClientHome home;
    QVERIFY(writeFileBytes(home.cursor(), kCursorFile));
    ConnectClientDialog dialog(u"http://127.0.0.1:8650/mcp"_s, u"tok"_s, &home.setup);
    // A button per client, each naming its file.
    for (const QString &id : {u"claude-code"_s, u"cursor"_s, u"vscode"_s, u"claude-desktop"_s})
        QVERIFY2(dialog.findChild<QPushButton *>(u"addTo-"_s + id), qPrintable(id));

    const ClientSetup::Added added =
        dialog.addHeartlineTo(u"cursor"_s, ConnectClientDialog::OwnCopies::Keep);
    QVERIFY2(added.ok, qPrintable(added.error));
    QVERIFY(added.changed);
    QCOMPARE(added.ownCopies, QStringList{u"time"_s});
    const QJsonObject servers = parsed(home.cursor()).value("mcpServers"_L1).toObject();
    QCOMPARE(servers.value("heartline"_L1).toObject(),
             (QJsonObject{{"url"_L1, "http://127.0.0.1:8650/mcp"_L1},
                          {"headers"_L1, QJsonObject{{"Authorization"_L1, "Bearer tok"_L1}}}}));
    // Every byte the person wrote is still there, and the file as it was beside it.
    const QByteArray now = readFileBytes(home.cursor());
    QVERIFY(now.contains(kCursorFile.mid(kCursorFile.indexOf("    \"notes\""))));
    QCOMPARE(readFileBytes(added.backup), kCursorFile);
    QVERIFY2(dialog.outcomeText().contains(u"Added Heartline to Cursor"_s),
             qPrintable(dialog.outcomeText()));
    QVERIFY(dialog.outcomeText().contains(u"Cursor still starts its own time"_s));

    // Again: nothing to do, and it says so.
    const ClientSetup::Added again =
        dialog.addHeartlineTo(u"cursor"_s, ConnectClientDialog::OwnCopies::Keep);
    QVERIFY(again.ok);
    QVERIFY(!again.changed);
    QCOMPARE(readFileBytes(home.cursor()), now);
    QVERIFY(dialog.outcomeText().contains(u"has Heartline already"_s));
}

void tst_ConnectClientDialog::theClientsOwnCopiesGoOnlyWhenThePersonSaysSo()
{
    ClientHome home;
    QVERIFY(writeFileBytes(home.cursor(), kCursorFile));
    ConnectClientDialog dialog(u"http://127.0.0.1:8650/mcp"_s, u"tok"_s, &home.setup);
    const ClientSetup::Added added =
        dialog.addHeartlineTo(u"cursor"_s, ConnectClientDialog::OwnCopies::Remove);
    QVERIFY(added.ok);
    const QJsonObject root = parsed(home.cursor());
    QCOMPARE(root.value("mcpServers"_L1).toObject().keys(),
             (QStringList{u"heartline"_s, u"notes"_s}));
    QCOMPARE(root.value("editor"_L1).toObject().value("fontSize"_L1).toInt(), 13);
    QVERIFY(readFileBytes(home.cursor())
                .contains(
                    "    \"notes\": {\"command\": \"notes-mcp\", \"args\": [\"--db\", \"x\"]}\n"));
    QVERIFY2(dialog.outcomeText().contains(u"Took time out of Cursor"_s),
             qPrintable(dialog.outcomeText()));
    // The backup is the file as it was before this last change: Heartline in, time still there.
    QVERIFY(parsed(home.cursor() + u".heartline-backup"_s)
                .value("mcpServers"_L1)
                .toObject()
                .contains("time"_L1));
}

void tst_ConnectClientDialog::aNewClientFileIsTheUsersAlone()
{
    ClientHome home;
    ConnectClientDialog dialog(u"http://127.0.0.1:8650/mcp"_s, u"tok"_s, &home.setup);
    const ClientSetup::Added added = dialog.addHeartlineTo(u"vscode"_s);
    QVERIFY(added.ok);
    QVERIFY(added.backup.isEmpty());
    const QString path = home.dir.filePath(u".config/Code/User/mcp.json"_s);
    QCOMPARE(
        parsed(path).value("servers"_L1).toObject().value("heartline"_L1)["type"_L1].toString(),
        u"http"_s);
    QCOMPARE(QFileInfo(path).permissions() & (QFileDevice::ReadOther | QFileDevice::ReadGroup),
             QFileDevice::Permissions());
    QVERIFY(dialog.outcomeText().contains(u"a new file"_s));
}

void tst_ConnectClientDialog::aClientFileThatIsNotJsonIsLeftAlone()
{
    ClientHome home;
    const QByteArray broken = "{\"mcpServers\": {\"a\": tru}}";
    QVERIFY(writeFileBytes(home.cursor(), broken));
    ConnectClientDialog dialog(u"http://127.0.0.1:8650/mcp"_s, u"tok"_s, &home.setup);
    const ClientSetup::Added added = dialog.addHeartlineTo(u"cursor"_s);
    QVERIFY(!added.ok);
    QCOMPARE(readFileBytes(home.cursor()), broken);
    QVERIFY2(dialog.outcomeText().startsWith(u"Nothing changed: "_s),
             qPrintable(dialog.outcomeText()));
}

QTEST_MAIN(tst_ConnectClientDialog)
#include "tst_connectclientdialog.moc"
