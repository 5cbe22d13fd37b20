#include "server/protocol/wire/jsonrpc.h"

#include <QJsonDocument>
#include <QSet>
#include <QTest>

using namespace Qt::StringLiterals;
using heartline::JsonRpcBody;
using heartline::JsonRpcCode;
using heartline::JsonRpcMessage;
using heartline::JsonRpcProblem;
using heartline::RequestId;
namespace JsonRpc = heartline::JsonRpc;

namespace {

// The id as it appears on the wire when the message is answered, e.g. `0`, `"0"` or `null`.
QByteArray idOnTheWayBack(const QJsonObject &answer)
{
    const QByteArray text = JsonRpc::serialize(answer);
    const qsizetype start = text.indexOf("\"id\":");
    if (start < 0)
        return {};
    const qsizetype valueStart = start + 5;
    const qsizetype end = text.indexOf(",\"", valueStart);
    return text.mid(valueStart, end - valueStart);
}

RequestId idFromJson(const QByteArray &json)
{
    return RequestId(QJsonDocument::fromJson("[" + json + "]").array().first());
}

} // namespace

class tst_JsonRpc final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parsesValidMessage_data();
    void parsesValidMessage();
    void rejectsInvalidMessage_data();
    void rejectsInvalidMessage();
    void batchKeepsGoodMembersAndReportsBadOnes();
    void validBatchIsValid();
    void requestIdKeysDistinguishTypes_data();
    void requestIdKeysDistinguishTypes();
    void requestIdsWorkAsHashKeys();
    void requestIdDisplayShowsTheType();
    void errorForUnknownIdCarriesNull();
    void errorDataIsOptional();
    void buildersOmitEmptyParams();
    void isFinalResponseOnlyForResultsAndErrors_data();
    void isFinalResponseOnlyForResultsAndErrors();
};

void tst_JsonRpc::parsesValidMessage_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("method");
    QTest::addColumn<QByteArray>("idBack"); // empty: a notification, answered by nobody

    const int request = int(JsonRpcMessage::Kind::Request);
    const int notification = int(JsonRpcMessage::Kind::Notification);
    const int response = int(JsonRpcMessage::Kind::Response);
    const int errorResponse = int(JsonRpcMessage::Kind::ErrorResponse);

    QTest::newRow("request, integer id")
        << QByteArray(R"({"jsonrpc":"2.0","id":7,"method":"ping"})") << request << u"ping"_s
        << QByteArray("7");
    QTest::newRow("request, id 0")
        << QByteArray(R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{}})") << request
        << u"initialize"_s << QByteArray("0");
    QTest::newRow("request, negative id")
        << QByteArray(R"({"jsonrpc":"2.0","id":-42,"method":"ping"})") << request << u"ping"_s
        << QByteArray("-42");
    QTest::newRow("request, string id \"0\"")
        << QByteArray(R"({"jsonrpc":"2.0","id":"0","method":"ping"})") << request << u"ping"_s
        << QByteArray(R"("0")");
    QTest::newRow("request, empty string id")
        << QByteArray(R"({"jsonrpc":"2.0","id":"","method":"ping"})") << request << u"ping"_s
        << QByteArray(R"("")");
    QTest::newRow("request, non-ASCII string id")
        << QByteArray(R"({"jsonrpc":"2.0","id":"réq-1","method":"ping"})") << request << u"ping"_s
        << QByteArray(R"("réq-1")");
    QTest::newRow("request, 2^53+1 id")
        << QByteArray(R"({"jsonrpc":"2.0","id":9007199254740993,"method":"ping"})") << request
        << u"ping"_s << QByteArray("9007199254740993");
    QTest::newRow("request, int64 max id")
        << QByteArray(R"({"jsonrpc":"2.0","id":9223372036854775807,"method":"ping"})") << request
        << u"ping"_s << QByteArray("9223372036854775807");
    QTest::newRow("request, array params")
        << QByteArray(R"({"jsonrpc":"2.0","id":1,"method":"x","params":[1,2]})") << request
        << u"x"_s << QByteArray("1");
    QTest::newRow("notification") << QByteArray(
        R"({"jsonrpc":"2.0","method":"notifications/initialized"})")
                                  << notification << u"notifications/initialized"_s << QByteArray();
    QTest::newRow("notification with params")
        << QByteArray(
               R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":3}})")
        << notification << u"notifications/cancelled"_s << QByteArray();
    QTest::newRow("response") << QByteArray(R"({"jsonrpc":"2.0","id":"s-1","result":{"ok":true}})")
                              << response << QString() << QByteArray(R"("s-1")");
    QTest::newRow("response with a non-object result")
        << QByteArray(R"({"jsonrpc":"2.0","id":3,"result":null})") << response << QString()
        << QByteArray("3");
    QTest::newRow("error response")
        << QByteArray(R"({"jsonrpc":"2.0","id":5,"error":{"code":-32601,"message":"no"}})")
        << errorResponse << QString() << QByteArray("5");
    QTest::newRow("error response, null id")
        << QByteArray(R"({"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"x"}})")
        << errorResponse << QString() << QByteArray("null");
    QTest::newRow("surrounding whitespace")
        << QByteArray(" \n\t{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}\r\n ") << request
        << u"ping"_s << QByteArray("1");
}

void tst_JsonRpc::parsesValidMessage()
{
    QFETCH(QByteArray, body);
    QFETCH(int, kind);
    QFETCH(QString, method);
    QFETCH(QByteArray, idBack);

    const JsonRpcBody parsed = JsonRpc::parseBody(body);
    QVERIFY2(parsed.problems.isEmpty(),
             parsed.problems.isEmpty() ? "" : qPrintable(parsed.problems.first().message));
    QVERIFY(parsed.isValid());
    QVERIFY(!parsed.isBatch);
    QCOMPARE(parsed.messages.size(), 1);
    const JsonRpcMessage &message = parsed.messages.first();
    QCOMPARE(int(message.kind), kind);
    QCOMPARE(message.method, method);
    QCOMPARE(parsed.containsRequest(), message.isRequest());
    QCOMPARE(message.raw, QJsonDocument::fromJson(body).object());

    if (idBack.isEmpty()) {
        QVERIFY(!message.id.isValid());
        return;
    }
    QCOMPARE(idOnTheWayBack(JsonRpc::result(message.id, {})), idBack);
    if (message.id.isValid())
        QCOMPARE(idOnTheWayBack(JsonRpc::error(message.id, JsonRpcCode::InternalError, u"x"_s)),
                 idBack);
}

void tst_JsonRpc::rejectsInvalidMessage_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("code");
    QTest::addColumn<QByteArray>("idBack"); // the id the error response carries

    const int parseError = int(JsonRpcCode::ParseError);
    const int invalid = int(JsonRpcCode::InvalidRequest);

    QTest::newRow("truncated JSON")
        << QByteArray(R"({"jsonrpc":"2.0","id":1,)") << parseError << QByteArray("null");
    QTest::newRow("not JSON at all") << QByteArray("hello") << parseError << QByteArray("null");
    QTest::newRow("empty body") << QByteArray() << parseError << QByteArray("null");
    QTest::newRow("two documents")
        << QByteArray(R"({"jsonrpc":"2.0","method":"a"} {})") << parseError << QByteArray("null");
    QTest::newRow("top-level number") << QByteArray("5") << invalid << QByteArray("null");
    QTest::newRow("top-level string") << QByteArray(R"("x")") << invalid << QByteArray("null");
    QTest::newRow("top-level null") << QByteArray("null") << invalid << QByteArray("null");
    QTest::newRow("top-level boolean") << QByteArray(" true ") << invalid << QByteArray("null");
    QTest::newRow("empty object") << QByteArray("{}") << invalid << QByteArray("null");
    QTest::newRow("jsonrpc missing")
        << QByteArray(R"({"id":1,"method":"ping"})") << invalid << QByteArray("1");
    QTest::newRow("jsonrpc 1.0") << QByteArray(R"({"jsonrpc":"1.0","id":"a","method":"ping"})")
                                 << invalid << QByteArray(R"("a")");
    QTest::newRow("jsonrpc as a number")
        << QByteArray(R"({"jsonrpc":2.0,"id":1,"method":"ping"})") << invalid << QByteArray("1");
    QTest::newRow("method a number")
        << QByteArray(R"({"jsonrpc":"2.0","id":1,"method":5})") << invalid << QByteArray("1");
    QTest::newRow("method null") << QByteArray(R"({"jsonrpc":"2.0","id":1,"method":null})")
                                 << invalid << QByteArray("1");
    QTest::newRow("method empty") << QByteArray(R"({"jsonrpc":"2.0","id":1,"method":""})")
                                  << invalid << QByteArray("1");
    QTest::newRow("params a string")
        << QByteArray(R"({"jsonrpc":"2.0","id":1,"method":"x","params":"p"})") << invalid
        << QByteArray("1");
    QTest::newRow("params a number")
        << QByteArray(R"({"jsonrpc":"2.0","id":1,"method":"x","params":3})") << invalid
        << QByteArray("1");
    QTest::newRow("params null") << QByteArray(
        R"({"jsonrpc":"2.0","id":1,"method":"x","params":null})")
                                 << invalid << QByteArray("1");
    QTest::newRow("notification with bad params")
        << QByteArray(R"({"jsonrpc":"2.0","method":"x","params":true})") << invalid
        << QByteArray("null");
    QTest::newRow("request with null id")
        << QByteArray(R"({"jsonrpc":"2.0","id":null,"method":"ping"})") << invalid
        << QByteArray("null");
    // MCP: a request id is a string or an integer.
    QTest::newRow("request with fractional id")
        << QByteArray(R"({"jsonrpc":"2.0","id":1.5,"method":"ping"})") << invalid
        << QByteArray("null");
    QTest::newRow("request with boolean id")
        << QByteArray(R"({"jsonrpc":"2.0","id":true,"method":"ping"})") << invalid
        << QByteArray("null");
    QTest::newRow("request with object id")
        << QByteArray(R"({"jsonrpc":"2.0","id":{"n":1},"method":"ping"})") << invalid
        << QByteArray("null");
    QTest::newRow("both result and error")
        << QByteArray(R"({"jsonrpc":"2.0","id":4,"result":{},"error":{"code":1,"message":"m"}})")
        << invalid << QByteArray("4");
    QTest::newRow("neither method nor result nor error")
        << QByteArray(R"({"jsonrpc":"2.0","id":4})") << invalid << QByteArray("4");
    QTest::newRow("response without id")
        << QByteArray(R"({"jsonrpc":"2.0","result":{}})") << invalid << QByteArray("null");
    QTest::newRow("error response, error not an object")
        << QByteArray(R"({"jsonrpc":"2.0","id":6,"error":"boom"})") << invalid << QByteArray("6");
    QTest::newRow("empty batch") << QByteArray("[]") << invalid << QByteArray("null");
    QTest::newRow("batch of a number") << QByteArray("[1]") << invalid << QByteArray("null");
}

void tst_JsonRpc::rejectsInvalidMessage()
{
    QFETCH(QByteArray, body);
    QFETCH(int, code);
    QFETCH(QByteArray, idBack);

    const JsonRpcBody parsed = JsonRpc::parseBody(body);
    QVERIFY(!parsed.isValid());
    QVERIFY(parsed.messages.isEmpty());
    QCOMPARE(parsed.problems.size(), 1);
    const JsonRpcProblem &problem = parsed.problems.first();
    QCOMPARE(int(problem.code), code);
    QVERIFY(!problem.message.isEmpty());

    const QJsonObject answer = JsonRpc::error(problem);
    QCOMPARE(answer.value("error"_L1).toObject().value("code"_L1).toInt(), code);
    QCOMPARE(answer.value("error"_L1).toObject().value("message"_L1).toString(), problem.message);
    QCOMPARE(answer.value("jsonrpc"_L1).toString(), u"2.0"_s);
    QCOMPARE(idOnTheWayBack(answer), idBack);
}

void tst_JsonRpc::batchKeepsGoodMembersAndReportsBadOnes()
{
    const JsonRpcBody parsed = JsonRpc::parseBody(R"([
        {"jsonrpc":"2.0","id":1,"method":"tools/list"},
        {"jsonrpc":"1.0","id":2,"method":"ping"},
        {"jsonrpc":"2.0","method":"notifications/initialized"}
    ])");

    QVERIFY(parsed.isBatch);
    QVERIFY(!parsed.isValid());
    QCOMPARE(parsed.messages.size(), 2);
    QCOMPARE(parsed.messages.at(0).method, u"tools/list"_s);
    QCOMPARE(parsed.messages.at(1).method, u"notifications/initialized"_s);
    QCOMPARE(parsed.problems.size(), 1);
    QCOMPARE(parsed.problems.first().code, JsonRpcCode::InvalidRequest);
    QCOMPARE(parsed.problems.first().id, RequestId(QJsonValue(2)));
    QVERIFY(parsed.containsRequest());
    QVERIFY(parsed.containsMethod(u"notifications/initialized"_s));
    QVERIFY(!parsed.containsMethod(u"ping"_s));
}

void tst_JsonRpc::validBatchIsValid()
{
    const JsonRpcBody parsed = JsonRpc::parseBody(R"([
        {"jsonrpc":"2.0","method":"notifications/initialized"},
        {"jsonrpc":"2.0","id":"r","result":{}}
    ])");

    QVERIFY(parsed.isBatch);
    QVERIFY(parsed.isValid());
    QCOMPARE(parsed.messages.size(), 2);
    QVERIFY(!parsed.containsRequest());
    QVERIFY(parsed.messages.at(1).isResponse());
}

void tst_JsonRpc::requestIdKeysDistinguishTypes_data()
{
    QTest::addColumn<QByteArray>("a");
    QTest::addColumn<QByteArray>("b");
    QTest::addColumn<bool>("same");

    QTest::newRow("1 vs \"1\"") << QByteArray("1") << QByteArray(R"("1")") << false;
    QTest::newRow("0 vs \"0\"") << QByteArray("0") << QByteArray(R"("0")") << false;
    QTest::newRow("-1 vs \"-1\"") << QByteArray("-1") << QByteArray(R"("-1")") << false;
    QTest::newRow("1 vs 2") << QByteArray("1") << QByteArray("2") << false;
    QTest::newRow("2^53 vs 2^53+1")
        << QByteArray("9007199254740992") << QByteArray("9007199254740993") << false;
    QTest::newRow("\"a\" vs \"A\"") << QByteArray(R"("a")") << QByteArray(R"("A")") << false;
    QTest::newRow("1 vs 1") << QByteArray("1") << QByteArray("1") << true;
    QTest::newRow("1 vs 1.0") << QByteArray("1") << QByteArray("1.0") << true;
    QTest::newRow("\"x\" vs \"x\"") << QByteArray(R"("x")") << QByteArray(R"("x")") << true;
}

void tst_JsonRpc::requestIdKeysDistinguishTypes()
{
    QFETCH(QByteArray, a);
    QFETCH(QByteArray, b);
    QFETCH(bool, same);

    const RequestId first = idFromJson(a);
    const RequestId second = idFromJson(b);
    QVERIFY(first.isValid());
    QVERIFY(second.isValid());
    QCOMPARE(first == second, same);
    QCOMPARE(first != second, !same);
    QCOMPARE(first.key() == second.key(), same);
    if (same)
        QCOMPARE(qHash(first, 17), qHash(second, 17));
}

void tst_JsonRpc::requestIdsWorkAsHashKeys()
{
    QSet<RequestId> ids;
    ids.insert(RequestId(QJsonValue(1)));
    ids.insert(RequestId(QJsonValue(u"1"_s)));
    ids.insert(RequestId(QJsonValue(0)));
    ids.insert(RequestId(QJsonValue(u"0"_s)));
    ids.insert(RequestId(QJsonValue(1)));

    QCOMPARE(ids.size(), 4);
    QVERIFY(ids.contains(RequestId(QJsonValue(u"1"_s))));
    QVERIFY(!ids.contains(RequestId(QJsonValue(u"2"_s))));
}

void tst_JsonRpc::requestIdDisplayShowsTheType()
{
    QCOMPARE(RequestId(QJsonValue(7)).display(), u"7"_s);
    QCOMPARE(RequestId(QJsonValue(u"7"_s)).display(), u"\"7\""_s);
    QCOMPARE(RequestId().display(), u"null"_s);
    QVERIFY(!RequestId(QJsonValue(QJsonValue::Null)).isValid());
    QVERIFY(!RequestId(QJsonValue(true)).isValid());
    QVERIFY(!RequestId(QJsonValue(QJsonObject{})).isValid());
    QVERIFY(!RequestId(QJsonValue(QJsonValue::Undefined)).isValid());
}

void tst_JsonRpc::errorForUnknownIdCarriesNull()
{
    const QJsonObject answer = JsonRpc::error(RequestId(), JsonRpcCode::ParseError, u"bad"_s);
    QVERIFY(answer.contains("id"_L1));
    QVERIFY(answer.value("id"_L1).isNull());
    QCOMPARE(JsonRpc::serialize(answer),
             QByteArray(R"({"error":{"code":-32700,"message":"bad"},"id":null,"jsonrpc":"2.0"})"));
}

void tst_JsonRpc::errorDataIsOptional()
{
    const RequestId id(QJsonValue(3));
    const QJsonObject without = JsonRpc::error(id, JsonRpcCode::InvalidParams, u"m"_s);
    QVERIFY(!without.value("error"_L1).toObject().contains("data"_L1));

    const QJsonObject with = JsonRpc::error(id, JsonRpcCode::InvalidParams, u"m"_s,
                                            QJsonObject{{"supported"_L1, QJsonArray{}}});
    QCOMPARE(with.value("error"_L1).toObject().value("data"_L1),
             QJsonValue(QJsonObject{{"supported"_L1, QJsonArray{}}}));
}

void tst_JsonRpc::buildersOmitEmptyParams()
{
    QCOMPARE(JsonRpc::serialize(JsonRpc::notification(u"notifications/tools/list_changed"_s)),
             QByteArray(R"({"jsonrpc":"2.0","method":"notifications/tools/list_changed"})"));
    QCOMPARE(JsonRpc::serialize(JsonRpc::request(RequestId(QJsonValue(0)), u"ping"_s)),
             QByteArray(R"({"id":0,"jsonrpc":"2.0","method":"ping"})"));
    QCOMPARE(
        JsonRpc::serialize(JsonRpc::request(RequestId(QJsonValue(u"q"_s)), u"x"_s, {{"a"_L1, 1}})),
        QByteArray(R"({"id":"q","jsonrpc":"2.0","method":"x","params":{"a":1}})"));
    QCOMPARE(JsonRpc::serialize(QJsonArray{JsonRpc::result(RequestId(QJsonValue(1)), {})}),
             QByteArray(R"([{"id":1,"jsonrpc":"2.0","result":{}}])"));
}

void tst_JsonRpc::isFinalResponseOnlyForResultsAndErrors_data()
{
    QTest::addColumn<QJsonObject>("message");
    QTest::addColumn<bool>("final");

    const RequestId id(QJsonValue(1));
    QTest::newRow("result") << JsonRpc::result(id, {}) << true;
    QTest::newRow("error") << JsonRpc::error(id, JsonRpcCode::InternalError, u"e"_s) << true;
    QTest::newRow("notification") << JsonRpc::notification(u"notifications/progress"_s) << false;
    QTest::newRow("request") << JsonRpc::request(id, u"ping"_s) << false;
}

void tst_JsonRpc::isFinalResponseOnlyForResultsAndErrors()
{
    QFETCH(QJsonObject, message);
    QFETCH(bool, final);

    QCOMPARE(JsonRpc::isFinalResponse(message), final);
}

QTEST_GUILESS_MAIN(tst_JsonRpc)
#include "tst_jsonrpc.moc"
