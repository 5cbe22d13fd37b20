#include "server/protocol/catalog/argumentcheck.h"

#include <QJsonDocument>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

QJsonObject object(const char *json)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(QByteArray(json), &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        qFatal("test data is not a JSON object: %s", json);
    return document.object();
}

} // namespace

class tst_ArgumentCheck final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void checksArgumentsAgainstSchema_data();
    void checksArgumentsAgainstSchema();
};

void tst_ArgumentCheck::checksArgumentsAgainstSchema_data()
{
    QTest::addColumn<QJsonObject>("schema");
    QTest::addColumn<QJsonObject>("arguments");
    QTest::addColumn<QString>("expected"); // empty: passes; otherwise a fragment of the problem

    const QJsonObject anything = object(R"({"type":"object"})");
    const QJsonObject message = object(
        R"({"type":"object","properties":{"message":{"type":"string"}},"required":["message"]})");
    const QJsonObject closed = object(
        R"({"type":"object","properties":{"a":{"type":"string"}},"additionalProperties":false})");

    QTest::newRow("no properties, no arguments") << anything << QJsonObject() << QString();
    QTest::newRow("no properties, any argument")
        << anything << object(R"({"x":[1,{}]})") << QString();
    QTest::newRow("required present") << message << object(R"({"message":"hi"})") << QString();
    QTest::newRow("required missing")
        << message << QJsonObject() << u"missing required argument 'message'"_s;
    QTest::newRow("second required missing")
        << object(R"({"type":"object","required":["a","b"]})") << object(R"({"a":1})")
        << u"missing required argument 'b'"_s;
    QTest::newRow("required but null") << message << object(R"({"message":null})")
                                       << u"argument 'message' must be of type string, got null"_s;
    QTest::newRow("string given a number")
        << message << object(R"({"message":5})")
        << u"argument 'message' must be of type string, got a number"_s;

    const QJsonObject typed = object(R"({"type":"object","properties":{
        "s":{"type":"string"}, "n":{"type":"number"}, "i":{"type":"integer"},
        "b":{"type":"boolean"}, "o":{"type":"object"}, "a":{"type":"array"},
        "z":{"type":"null"}, "u":{"type":"custom"}, "sn":{"type":["string","null"]}}})");
    QTest::newRow("number accepts an integer") << typed << object(R"({"n":3})") << QString();
    QTest::newRow("number accepts a fraction") << typed << object(R"({"n":-0.25})") << QString();
    QTest::newRow("number refuses a string")
        << typed << object(R"({"n":"3"})")
        << u"argument 'n' must be of type number, got a string"_s;
    QTest::newRow("integer accepts 2") << typed << object(R"({"i":2})") << QString();
    QTest::newRow("integer accepts 2.0") << typed << object(R"({"i":2.0})") << QString();
    QTest::newRow("integer accepts 1e20") << typed << object(R"({"i":1e20})") << QString();
    QTest::newRow("integer refuses 2.5")
        << typed << object(R"({"i":2.5})") << u"argument 'i' must be an integer, got a number"_s;
    QTest::newRow("integer refuses true")
        << typed << object(R"({"i":true})") << u"must be an integer, got a boolean"_s;
    QTest::newRow("boolean accepts false") << typed << object(R"({"b":false})") << QString();
    QTest::newRow("boolean refuses 0")
        << typed << object(R"({"b":0})") << u"argument 'b' must be of type boolean"_s;
    QTest::newRow("object accepts {}") << typed << object(R"({"o":{}})") << QString();
    QTest::newRow("object refuses []") << typed << object(R"({"o":[]})") << u"got an array"_s;
    QTest::newRow("array accepts []") << typed << object(R"({"a":[]})") << QString();
    QTest::newRow("array refuses {}") << typed << object(R"({"a":{}})") << u"got an object"_s;
    QTest::newRow("null accepts null") << typed << object(R"({"z":null})") << QString();
    QTest::newRow("null refuses \"\"") << typed << object(R"({"z":""})") << u"got a string"_s;
    QTest::newRow("unknown type keyword is not judged")
        << typed << object(R"({"u":1})") << QString();
    QTest::newRow("type list, first alternative") << typed << object(R"({"sn":"x"})") << QString();
    QTest::newRow("type list, second alternative")
        << typed << object(R"({"sn":null})") << QString();
    QTest::newRow("type list, no alternative")
        << typed << object(R"({"sn":1})") << u"argument 'sn' has the wrong type (a number)"_s;

    const QJsonObject bounded = object(R"({"type":"object","properties":{
        "ms":{"type":"integer","minimum":0,"maximum":1000},
        "name":{"type":"string","minLength":2,"maxLength":4},
        "mode":{"enum":["fast","slow",1]}}})");
    QTest::newRow("minimum inclusive") << bounded << object(R"({"ms":0})") << QString();
    QTest::newRow("maximum inclusive") << bounded << object(R"({"ms":1000})") << QString();
    QTest::newRow("below minimum")
        << bounded << object(R"({"ms":-1})") << u"argument 'ms' must be at least 0"_s;
    QTest::newRow("above maximum")
        << bounded << object(R"({"ms":1001})") << u"argument 'ms' must be at most 1000"_s;
    QTest::newRow("type checked before bounds")
        << bounded << object(R"({"ms":"5"})") << u"argument 'ms' must be an integer"_s;
    QTest::newRow("minLength inclusive") << bounded << object(R"({"name":"ab"})") << QString();
    QTest::newRow("maxLength inclusive") << bounded << object(R"({"name":"abcd"})") << QString();
    QTest::newRow("too short") << bounded << object(R"({"name":"a"})")
                               << u"argument 'name' is too short"_s;
    QTest::newRow("too long") << bounded << object(R"({"name":"abcde"})")
                              << u"argument 'name' is too long"_s;
    // JSON Schema counts characters (code points), not UTF-16 units: four emoji are four.
    QTest::newRow("maxLength counts code points")
        << bounded
        << object("{\"name\":\"\xF0\x9F\x8E\x89\xF0\x9F\x8E\x89\xF0\x9F\x8E\x89"
                  "\xF0\x9F\x8E\x89\"}")
        << QString();
    QTest::newRow("minLength counts code points")
        << bounded << object("{\"name\":\"\xF0\x9F\x8E\x89\"}") << u"is too short"_s;
    QTest::newRow("lone surrogate halves count one each")
        << bounded << object(R"({"name":"\udc00\ud800"})") << QString();
    QTest::newRow("enum, listed string") << bounded << object(R"({"mode":"slow"})") << QString();
    QTest::newRow("enum, listed number") << bounded << object(R"({"mode":1})") << QString();
    QTest::newRow("enum, not listed") << bounded << object(R"({"mode":"medium"})")
                                      << u"argument 'mode' must be one of the listed values"_s;
    QTest::newRow("enum, listed value of another type")
        << bounded << object(R"({"mode":"1"})") << u"must be one of the listed values"_s;

    QTest::newRow("additionalProperties false, known")
        << closed << object(R"({"a":"x"})") << QString();
    QTest::newRow("additionalProperties false, unknown")
        << closed << object(R"({"a":"x","b":1})") << u"unknown argument 'b'"_s;
    QTest::newRow("additionalProperties absent, unknown")
        << object(R"({"type":"object","properties":{"a":{}}})") << object(R"({"b":1})")
        << QString();
    QTest::newRow("additionalProperties true, unknown")
        << object(R"({"type":"object","properties":{},"additionalProperties":true})")
        << object(R"({"b":1})") << QString();
    QTest::newRow("unknown keywords are ignored")
        << object(R"({"type":"object","$schema":"https://json-schema.org/draft/2020-12/schema",
                      "properties":{"p":{"type":"string","pattern":"^x$","format":"email"}}})")
        << object(R"({"p":"not matching"})") << QString();
}

void tst_ArgumentCheck::checksArgumentsAgainstSchema()
{
    QFETCH(QJsonObject, schema);
    QFETCH(QJsonObject, arguments);
    QFETCH(QString, expected);

    const QString problem = heartline::checkArguments(schema, arguments);
    if (expected.isEmpty()) {
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        return;
    }
    QVERIFY2(problem.contains(expected),
             qPrintable(u"expected '%1' in '%2'"_s.arg(expected, problem)));
}

QTEST_GUILESS_MAIN(tst_ArgumentCheck)
#include "tst_argumentcheck.moc"
