// ConfigDocument: the config file edited in place. Every other key survives, the user's key
// order survives, writes are atomic with the file's permissions kept, and a file that does not
// parse is never overwritten.

#include "server/core/configdocument.h"
#include "tests/support/servertestmain.h"
#include "tests/support/testfiles.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;
using heartline::ConfigDocument;
using namespace heartline::testing;

namespace {

// Positions of `needles` in `haystack` are strictly increasing.
bool inOrder(const QByteArray &haystack, const QList<QByteArray> &needles)
{
    qsizetype last = -1;
    for (const QByteArray &needle : needles) {
        const qsizetype at = haystack.indexOf(needle);
        if (at <= last)
            return false;
        last = at;
    }
    return true;
}

// (Not a raw string literal: moc in Qt 6.4 loses the class after one.)
const QByteArray kUserFile =
    "{\n"
    "  \"port\": 9000,\n"
    "  \"heartbeatMs\": 5000,\n"
    "  \"mcpServers\": {\n"
    "    \"zeta\": {\"command\": \"uvx\", \"args\": [\"mcp-server-time\"], \"env\": {\"TZ\": "
    "\"Europe/Oslo\"}},\n"
    "    \"alpha\": {\"url\": \"https://example.com/mcp\", \"headers\": {\"X-B\": \"2\", \"X-A\": "
    "\"1\"}}\n"
    "  },\n"
    "  \"allowedOrigins\": [\"https://a.example\", \"https://b.example\"],\n"
    "  \"custom \\\"quoted\\\" é\": {\"b\": [ {\"y\": 1, \"x\": 2} ], \"a\": null}\n"
    "}\n";

} // namespace

class tst_ConfigDocument final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();

    void missingFileIsAnEmptyDocumentAndSaveCreatesItUserOnly();
    void addingAServerKeepsEveryOtherKeyAndTheirOrder();
    void replaceAndRemoveTouchOnlyThatEntry();
    void disabledToolsAndEnabledAreSetOnOneEntry();
    void enablingDropsWindsurfsDisabledKey();
    void unknownEntryIsRefused();
    void fileThatDoesNotParseIsRefusedWithLineAndColumn_data();
    void fileThatDoesNotParseIsRefusedWithLineAndColumn();
    void fileBrokenAfterLoadIsNotOverwritten();
    void existingPermissionsAreKept();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_path;
};

void tst_ConfigDocument::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_path = m_dir->filePath(u"config/heartline/heartline.json"_s);
}

void tst_ConfigDocument::missingFileIsAnEmptyDocumentAndSaveCreatesItUserOnly()
{
    ConfigDocument document(m_path);
    QString error;
    QVERIFY2(document.load(&error), qPrintable(error));
    QVERIFY(document.root().isEmpty());
    QVERIFY(!document.hasServer(u"memory"_s));

    document.setServer(u"memory"_s, {{"command"_L1, "npx"_L1}});
    QVERIFY2(document.save(&error), qPrintable(error));

    const QJsonObject written = QJsonDocument::fromJson(readFileBytes(m_path)).object();
    QCOMPARE(written.value("mcpServers"_L1)["memory"_L1]["command"_L1].toString(), u"npx"_s);
    const QFileDevice::Permissions permissions = QFile::permissions(m_path);
    QVERIFY(permissions.testFlag(QFileDevice::ReadOwner));
    QVERIFY(permissions.testFlag(QFileDevice::WriteOwner));
    QVERIFY(!permissions.testFlag(QFileDevice::ReadGroup));
    QVERIFY(!permissions.testFlag(QFileDevice::ReadOther));
}

void tst_ConfigDocument::addingAServerKeepsEveryOtherKeyAndTheirOrder()
{
    QVERIFY(writeFileBytes(m_path, kUserFile));
    const QJsonObject before = QJsonDocument::fromJson(kUserFile).object();

    ConfigDocument document(m_path);
    QString error;
    QVERIFY2(document.load(&error), qPrintable(error));
    const QJsonObject memory{
        {"command"_L1, "npx"_L1},
        {"args"_L1, QJsonArray{"-y"_L1, "@modelcontextprotocol/server-memory"_L1}}};
    document.setServer(u"memory"_s, memory);
    QVERIFY2(document.save(&error), qPrintable(error));

    const QByteArray text = readFileBytes(m_path);
    QJsonObject expected = before;
    QJsonObject servers = expected.value("mcpServers"_L1).toObject();
    servers.insert(u"memory"_s, memory);
    expected.insert(u"mcpServers"_s, servers);
    QCOMPARE(QJsonDocument::fromJson(text).object(), expected);

    // QJsonObject would sort these; the document keeps them as the user wrote them, with the
    // new entry after the existing ones, at every depth.
    QVERIFY2(inOrder(text, {"\"port\"", "\"heartbeatMs\"", "\"mcpServers\"", "\"zeta\"",
                            "\"command\": \"uvx\"", "\"args\"", "\"env\"", "\"alpha\"", "\"url\"",
                            "\"X-B\"", "\"X-A\"", "\"memory\"", "\"allowedOrigins\"",
                            "\"custom \\\"quoted\\\" \xc3\xa9\"", "\"b\"", "\"y\"", "\"x\"",
                            "\"a\": null"}),
             text.constData());
}

void tst_ConfigDocument::replaceAndRemoveTouchOnlyThatEntry()
{
    QVERIFY(writeFileBytes(m_path, kUserFile));
    ConfigDocument document(m_path);
    QString error;
    QVERIFY(document.load(&error));

    document.setServer(u"zeta"_s, {{"command"_L1, "mcp-server-time"_L1}});
    QVERIFY(document.removeServer(u"alpha"_s));
    QVERIFY(!document.removeServer(u"alpha"_s));
    QVERIFY2(document.save(&error), qPrintable(error));

    const QJsonObject written = QJsonDocument::fromJson(readFileBytes(m_path)).object();
    const QJsonObject servers = written.value("mcpServers"_L1).toObject();
    QCOMPARE(servers.keys(), QStringList{u"zeta"_s});
    QCOMPARE(servers.value("zeta"_L1).toObject(),
             (QJsonObject{{"command"_L1, "mcp-server-time"_L1}}));
    QCOMPARE(written.value("port"_L1).toInt(), 9000);
    QCOMPARE(written.value("allowedOrigins"_L1).toArray().size(), 2);
}

void tst_ConfigDocument::disabledToolsAndEnabledAreSetOnOneEntry()
{
    QVERIFY(writeFileBytes(m_path, kUserFile));
    ConfigDocument document(m_path);
    QString error;
    QVERIFY(document.load(&error));

    QVERIFY(document.setDisabledTools(u"zeta"_s, {u"convert_time"_s, u"get_time"_s}));
    QVERIFY(document.setEnabled(u"alpha"_s, false));
    QVERIFY2(document.save(&error), qPrintable(error));

    ConfigDocument reread(m_path);
    QVERIFY(reread.load(&error));
    QCOMPARE(reread.server(u"zeta"_s).value("disabledTools"_L1).toArray(),
             (QJsonArray{"convert_time"_L1, "get_time"_L1}));
    QCOMPARE(reread.server(u"zeta"_s).value("command"_L1).toString(), u"uvx"_s);
    QCOMPARE(reread.server(u"alpha"_s).value("enabled"_L1), QJsonValue(false));
    QVERIFY(!reread.server(u"zeta"_s).contains("enabled"_L1));

    // An empty list means nothing is off: the key goes.
    QVERIFY(reread.setDisabledTools(u"zeta"_s, {}));
    QVERIFY(!reread.server(u"zeta"_s).contains("disabledTools"_L1));
}

void tst_ConfigDocument::enablingDropsWindsurfsDisabledKey()
{
    // `"disabled": true` read back would switch the server off again, whatever `enabled` says.
    QVERIFY(writeFileBytes(m_path, R"({"mcpServers": {"w": {"command": "x", "disabled": true}}})"));
    ConfigDocument document(m_path);
    QString error;
    QVERIFY(document.load(&error));
    QVERIFY(document.setEnabled(u"w"_s, true));
    QCOMPARE(document.server(u"w"_s),
             (QJsonObject{{"command"_L1, "x"_L1}, {"enabled"_L1, true}}));
}

void tst_ConfigDocument::unknownEntryIsRefused()
{
    ConfigDocument document(m_path);
    QString error;
    QVERIFY(document.load(&error));
    QVERIFY(!document.setEnabled(u"nope"_s, false));
    QVERIFY(!document.setDisabledTools(u"nope"_s, {u"x"_s}));
    QVERIFY(!document.hasServer(u"nope"_s));
    QVERIFY(document.root().isEmpty());
}

void tst_ConfigDocument::fileThatDoesNotParseIsRefusedWithLineAndColumn_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("where");

    QTest::newRow("trailing comma") << QByteArray("{\n  \"port\": 1,\n}\n") << u":3:"_s;
    QTest::newRow("missing colon") << QByteArray("{\n\n  \"port\" 1\n}\n") << u":3:"_s;
    QTest::newRow("an array") << QByteArray("[1, 2]\n") << u":1:1:"_s;
}

void tst_ConfigDocument::fileThatDoesNotParseIsRefusedWithLineAndColumn()
{
    QFETCH(QByteArray, text);
    QFETCH(QString, where);
    QVERIFY(writeFileBytes(m_path, text));

    ConfigDocument document(m_path);
    QString error;
    QVERIFY(!document.load(&error));
    QVERIFY2(error.startsWith(m_path + where), qPrintable(error));

    document.setServer(u"memory"_s, {{"command"_L1, "npx"_L1}});
    QString saveError;
    QVERIFY(!document.save(&saveError));
    QVERIFY(!saveError.isEmpty());
    QCOMPARE(readFileBytes(m_path), text);
}

void tst_ConfigDocument::fileBrokenAfterLoadIsNotOverwritten()
{
    QVERIFY(writeFileBytes(m_path, kUserFile));
    ConfigDocument document(m_path);
    QString error;
    QVERIFY(document.load(&error));

    const QByteArray halfEdited = "{\n  \"port\": 9000,\n  \"mcpServers\": {\n";
    QVERIFY(writeFileBytes(m_path, halfEdited));
    document.setServer(u"memory"_s, {{"command"_L1, "npx"_L1}});
    QVERIFY(!document.save(&error));
    // The same words and place the config file's own loader gives (describeJsonParseError).
    QVERIFY2(error.contains(m_path + u":3:18: unterminated object"_s), qPrintable(error));
    QCOMPARE(readFileBytes(m_path), halfEdited);
}

void tst_ConfigDocument::existingPermissionsAreKept()
{
    QVERIFY(writeFileBytes(m_path, kUserFile));
    const QFileDevice::Permissions chosen = QFileDevice::ReadOwner | QFileDevice::WriteOwner
                                            | QFileDevice::ReadGroup | QFileDevice::ReadUser;
    QVERIFY(QFile::setPermissions(m_path, chosen));
    const QFileDevice::Permissions before = QFile::permissions(m_path);

    ConfigDocument document(m_path);
    QString error;
    QVERIFY(document.load(&error));
    document.setServer(u"memory"_s, {{"command"_L1, "npx"_L1}});
    QVERIFY2(document.save(&error), qPrintable(error));
    QCOMPARE(QFile::permissions(m_path), before);
    QVERIFY(QFile::permissions(m_path).testFlag(QFileDevice::ReadGroup));
}

HEARTLINE_SERVER_TEST_MAIN(tst_ConfigDocument)
#include "tst_configdocument.moc"
