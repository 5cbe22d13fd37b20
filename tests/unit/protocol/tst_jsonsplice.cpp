// Writing one member into a JSON text another program owns: the member lands where it should,
// the result parses to what was meant, and every other byte of the file is as it was.

#include "server/protocol/wire/jsonsplice.h"
#include "tests/support/servertestmain.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace heartline;
using namespace Qt::StringLiterals;

namespace {

const QByteArray kEntry = R"({"type": "http", "url": "http://127.0.0.1:8650/mcp"})";

// The text with `inserted` taken out once: what is left must be the original, byte for byte.
QByteArray without(const QByteArray &text, const QByteArray &inserted)
{
    const qsizetype at = text.indexOf(inserted);
    return at < 0 ? QByteArray("<not found>") : QByteArray(text).remove(at, inserted.size());
}

} // namespace

class tst_JsonSplice : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void insertsIntoAnExistingObjectAndKeepsTheRest_data();
    void insertsIntoAnExistingObjectAndKeepsTheRest();
    void replacesAnExistingValueInPlace();
    void createsTheParentObjects_data();
    void createsTheParentObjects();
    void keepsComments();
    void refusesWhatItCannotEditSafely_data();
    void refusesWhatItCannotEditSafely();
    void removesAMemberAndItsCommaOnly_data();
    void removesAMemberAndItsCommaOnly();
    void removalRefusesWhatIsNotThere();
};

void tst_JsonSplice::insertsIntoAnExistingObjectAndKeepsTheRest_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QByteArray>("inserted");

    QTest::newRow("two-space indent")
        << QByteArray("{\n  \"theme\": \"dark\",\n  \"mcpServers\": {\n    \"git\": {\"command\": "
                      "\"uvx\", \"args\": [\"mcp-server-git\"]}\n  },\n  \"numStartups\": 42\n}\n")
        << QByteArray("\n    \"heartline\": {\n        \"type\": \"http\",\n        \"url\": "
                      "\"http://127.0.0.1:8650/mcp\"\n    },");
    QTest::newRow("tabs and CRLF")
        << QByteArray("{\r\n\t\"mcpServers\": {\r\n\t\t\"a\": {\"command\": \"x\"}\r\n\t}\r\n}")
        << QByteArray("\n\t\t\"heartline\": {\n\t\t    \"type\": \"http\",\n\t\t    \"url\": "
                      "\"http://127.0.0.1:8650/mcp\"\n\t\t},");
    QTest::newRow("one line") << QByteArray(R"({"mcpServers": {"a": {"command": "x"}}})")
                              << QByteArray("\"heartline\": {\n    \"type\": \"http\",\n    "
                                            "\"url\": \"http://127.0.0.1:8650/mcp\"\n}, ");
}

void tst_JsonSplice::insertsIntoAnExistingObjectAndKeepsTheRest()
{
    QFETCH(QByteArray, text);
    QFETCH(QByteArray, inserted);

    QByteArray edited = text;
    QString error;
    QVERIFY2(setJsonMember(&edited, {u"mcpServers"_s, u"heartline"_s},
                           QJsonDocument::fromJson(kEntry).toJson(), &error),
             qPrintable(error));
    QCOMPARE(without(edited, inserted), text);
    const QJsonObject servers =
        QJsonDocument::fromJson(edited).object().value("mcpServers"_L1).toObject();
    QCOMPARE(servers.value("heartline"_L1).toObject(), QJsonDocument::fromJson(kEntry).object());
    QCOMPARE(servers.size(), 2);
}

void tst_JsonSplice::replacesAnExistingValueInPlace()
{
    const QByteArray text = "{\n  \"servers\": {\n    \"heartline\": {\"url\": \"http://old\"},\n"
                            "    \"b\": {}\n  },\n  \"inputs\": []\n}\n";
    QByteArray edited = text;
    QString error;
    QVERIFY(setJsonMember(&edited, {u"servers"_s, u"heartline"_s}, kEntry, &error));
    const QByteArray expected = "{\n  \"servers\": {\n    \"heartline\": " + kEntry
                                + ",\n    \"b\": {}\n  },\n  \"inputs\": []\n}\n";
    QCOMPARE(edited, expected);
    // Writing it again changes nothing.
    QByteArray again = edited;
    QVERIFY(setJsonMember(&again, {u"servers"_s, u"heartline"_s}, kEntry, &error));
    QCOMPARE(again, edited);
}

void tst_JsonSplice::createsTheParentObjects_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::newRow("empty object") << QByteArray("{}");
    QTest::newRow("empty object with space") << QByteArray("{ \n }\n");
    QTest::newRow("other keys") << QByteArray("{\n  \"theme\": \"dark\"\n}\n");
}

void tst_JsonSplice::createsTheParentObjects()
{
    QFETCH(QByteArray, text);

    QByteArray edited = text;
    QString error;
    QVERIFY2(setJsonMember(&edited, {u"mcpServers"_s, u"heartline"_s}, kEntry, &error),
             qPrintable(error));
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(edited, &parseError);
    QVERIFY2(parseError.error == QJsonParseError::NoError, edited.constData());
    QCOMPARE(document.object()
                 .value("mcpServers"_L1)
                 .toObject()
                 .value("heartline"_L1)
                 .toObject()
                 .value("url"_L1)
                 .toString(),
             u"http://127.0.0.1:8650/mcp"_s);
    if (text.contains("theme"))
        QCOMPARE(document.object().value("theme"_L1).toString(), u"dark"_s);
}

void tst_JsonSplice::keepsComments()
{
    // VS Code's mcp.json is JSON with comments.
    const QByteArray text = "// my servers\n{\n  /* local */\n  \"servers\": {\n    // git\n"
                            "    \"git\": {\"command\": \"uvx\"} // trailing\n  }\n}\n";
    QByteArray edited = text;
    QString error;
    QVERIFY2(setJsonMember(&edited, {u"servers"_s, u"heartline"_s}, kEntry, &error),
             qPrintable(error));
    QVERIFY(edited.startsWith("// my servers\n{\n  /* local */\n  \"servers\": {\n"));
    QVERIFY(
        edited.endsWith("    // git\n    \"git\": {\"command\": \"uvx\"} // trailing\n  }\n}\n"));
    QVERIFY(edited.contains("\"heartline\": {"));
}

void tst_JsonSplice::refusesWhatItCannotEditSafely_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("reason");
    QTest::newRow("an array") << QByteArray("[]") << u"not a JSON object"_s;
    QTest::newRow("cut short") << QByteArray("{\"mcpServers\": {") << u"not one JSON object"_s;
    QTest::newRow("two objects") << QByteArray("{} {}") << u"not one JSON object"_s;
    QTest::newRow("servers not an object")
        << QByteArray(R"({"mcpServers": []})") << u"\"mcpServers\" in the file is not an object"_s;
    QTest::newRow("a misspelt literal")
        << QByteArray(R"({"mcpServers": {"a": {"enabled": tru}}})") << u"not well-formed JSON"_s;
    QTest::newRow("a trailing comma")
        << QByteArray(R"({"mcpServers": {"a": 1,}})") << u"not well-formed JSON"_s;
    QTest::newRow("missing colon")
        << QByteArray(R"({"mcpServers" {}})") << u"not well-formed JSON"_s;
}

void tst_JsonSplice::refusesWhatItCannotEditSafely()
{
    QFETCH(QByteArray, text);
    QFETCH(QString, reason);

    QByteArray edited = text;
    QString error;
    QVERIFY(!setJsonMember(&edited, {u"mcpServers"_s, u"heartline"_s}, kEntry, &error));
    QVERIFY2(error.contains(reason), qPrintable(error));
    QCOMPARE(edited, text);
}

void tst_JsonSplice::removesAMemberAndItsCommaOnly_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("name");
    QTest::addColumn<QByteArray>("expected");
    const QByteArray file = "{\n"
                            "  // my servers\n"
                            "  \"mcpServers\": {\n"
                            "    \"first\": {\"command\": \"a\"},\n"
                            "    \"middle\": {\n"
                            "      \"command\": \"b\"\n"
                            "    },\n"
                            "    \"last\": {\"url\": \"http://x\"}\n"
                            "  },\n"
                            "  \"theme\": \"dark\"\n"
                            "}\n";
    QTest::newRow("first") << file << u"first"_s
                           << QByteArray(file).replace("    \"first\": {\"command\": \"a\"},\n",
                                                       "");
    QTest::newRow("middle, several lines")
        << file << u"middle"_s
        << QByteArray(file).replace("    \"middle\": {\n      \"command\": \"b\"\n    },\n", "");
    QTest::newRow("last: the comma before it goes")
        << file << u"last"_s
        << QByteArray(file).replace("},\n    \"last\": {\"url\": \"http://x\"}\n", "}\n");
    QTest::newRow("one line") << QByteArray(R"({"mcpServers": {"a": 1, "b": 2, "c": 3}})") << u"b"_s
                              << QByteArray(R"({"mcpServers": {"a": 1, "c": 3}})");
    QTest::newRow("one line, last") << QByteArray(R"({"mcpServers": {"a": 1, "b": 2}})") << u"b"_s
                                    << QByteArray(R"({"mcpServers": {"a": 1}})");
    // Found by fuzz_jsonsplice: the comma on the next member's line was left behind.
    QTest::newRow("comma-first style")
        << QByteArray("{\"mcpServers\": {\n  \"a\": 1\n  , \"b\": 2\n  , \"c\": 3\n}}") << u"a"_s
        << QByteArray("{\"mcpServers\": {\n  \"b\": 2\n  , \"c\": 3\n}}");
    // Found by fuzz_jsonsplice: with only the last removed, a reader found the first.
    QTest::newRow("a name given twice") << QByteArray(R"({"mcpServers": {"a": 1, "b": 2, "a": 3}})")
                                        << u"a"_s << QByteArray(R"({"mcpServers": {"b": 2}})");
    QTest::newRow("the only one") << QByteArray(R"({"mcpServers": {"a": {"x": [1, 2]}}, "k": 1})")
                                  << u"a"_s << QByteArray(R"({"mcpServers": {}, "k": 1})");
}

void tst_JsonSplice::removesAMemberAndItsCommaOnly()
{
    QFETCH(QByteArray, text);
    QFETCH(QString, name);
    QFETCH(QByteArray, expected);
    QVERIFY(text != expected);
    QString error;
    QVERIFY2(removeJsonMember(&text, {u"mcpServers"_s, name}, &error), qPrintable(error));
    QCOMPARE(text, expected);
}

void tst_JsonSplice::removalRefusesWhatIsNotThere()
{
    const QByteArray text = R"({"mcpServers": {"a": 1}})";
    QByteArray edited = text;
    QString error;
    QVERIFY(!removeJsonMember(&edited, {u"mcpServers"_s, u"b"_s}, &error));
    QVERIFY2(error.contains(u"no \"mcpServers.b\""_s), qPrintable(error));
    QVERIFY(!removeJsonMember(&edited, {u"servers"_s, u"a"_s}, &error));
    QByteArray broken = R"({"mcpServers": {"a": tru}})";
    QVERIFY(!removeJsonMember(&broken, {u"mcpServers"_s, u"a"_s}, &error));
    QVERIFY(error.contains(u"not well-formed"_s));
    QCOMPARE(edited, text);
}

HEARTLINE_SERVER_TEST_MAIN(tst_JsonSplice)
#include "tst_jsonsplice.moc"
