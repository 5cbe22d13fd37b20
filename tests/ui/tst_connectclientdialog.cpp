#include "ui/window/connectclientdialog.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPlainTextEdit>
#include <QTabWidget>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace heartline;

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

QTEST_MAIN(tst_ConnectClientDialog)
#include "tst_connectclientdialog.moc"
