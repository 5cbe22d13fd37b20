// MCP 2026-07-28 request metadata over HTTP (streamable-http "Request Metadata" and "Server
// Validation"): which POSTs are modern, the base64 sentinel, and every way the mirrored
// headers can disagree with the body.

#include "server/protocol/session/requestmetadata.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace heartline;
namespace Metadata = heartline::RequestMetadata;

namespace {

const QJsonObject kModernMeta{{"io.modelcontextprotocol/protocolVersion"_L1, "2026-07-28"_L1},
                              {"io.modelcontextprotocol/clientCapabilities"_L1, QJsonObject()},
                              {"io.modelcontextprotocol/clientInfo"_L1,
                               QJsonObject{{"name"_L1, "t"_L1}, {"version"_L1, "1"_L1}}}};

JsonRpcMessage parse(const QByteArray &json)
{
    const JsonRpcBody body = JsonRpc::parseBody(json);
    return body.messages.value(0);
}

JsonRpcMessage modernRequest(const QString &method, QJsonObject params,
                             const QJsonObject &meta = kModernMeta)
{
    params.insert("_meta"_L1, meta);
    return parse(JsonRpc::serialize(JsonRpc::request(RequestId(QJsonValue(1)), method, params)));
}

// "Name: value" lines to the header list QHttpServerRequest hands over.
Metadata::Headers headersOf(const QByteArrayList &lines)
{
    Metadata::Headers headers;
    for (const QByteArray &line : lines) {
        const qsizetype colon = line.indexOf(':');
        QByteArray value = line.mid(colon + 1).trimmed();
        if (value.isEmpty())
            value = QByteArray(); // as QHttpServerRequest has it: null, though present
        headers.push_back({line.left(colon).trimmed(), value});
    }
    return headers;
}

// A tool in the shape of the spec's execute_sql example, with every kind of declaration.
QJsonObject sqlSchema()
{
    return QJsonDocument::fromJson(R"({
      "type": "object",
      "properties": {
        "region": {"type": "string", "x-mcp-header": "Region"},
        "query": {"type": "string"},
        "shard": {"type": "integer", "x-mcp-header": "Shard"},
        "dryRun": {"type": "boolean", "x-mcp-header": "Dry-Run"},
        "target": {"type": "object", "properties": {
            "tenant": {"type": "string", "x-mcp-header": "Tenant"}}},
        "tags": {"type": "array", "items": {"type": "string", "x-mcp-header": "Tag"}},
        "either": {"anyOf": [{"type": "string", "x-mcp-header": "Either"}]},
        "bad": {"type": "string", "x-mcp-header": "Bad Name"}
      }
    })")
        .object();
}

} // namespace

class tst_RequestMetadata final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void modernVersionNamesComeAfter20251125_data();
    void modernVersionNamesComeAfter20251125();
    void detectsModernPosts_data();
    void detectsModernPosts();
    void decodesHeaderValues_data();
    void decodesHeaderValues();
    void paramHeadersAreOnlyStaticallyReachableTokens();
    void validatesHeadersAgainstBody_data();
    void validatesHeadersAgainstBody();
    void mapsModernErrorsToHttpStatus_data();
    void mapsModernErrorsToHttpStatus();
};

void tst_RequestMetadata::modernVersionNamesComeAfter20251125_data()
{
    QTest::addColumn<QString>("version");
    QTest::addColumn<bool>("modern");

    QTest::newRow("2026-07-28") << u"2026-07-28"_s << true;
    QTest::newRow("a later revision") << u"2027-03-01"_s << true;
    QTest::newRow("between the eras") << u"2026-01-01"_s << true;
    QTest::newRow("2025-11-25") << u"2025-11-25"_s << false;
    QTest::newRow("2024-11-05") << u"2024-11-05"_s << false;
    QTest::newRow("not a date") << u"latest"_s << false;
    QTest::newRow("date with suffix") << u"2026-07-28x"_s << false;
    QTest::newRow("other separators") << u"2026/07/28"_s << false;
    QTest::newRow("a letter for a digit") << u"2026-07-2a"_s << false;
    QTest::newRow("one digit short") << u"2026-7-28"_s << false;
    QTest::newRow("empty") << QString() << false;
}

void tst_RequestMetadata::modernVersionNamesComeAfter20251125()
{
    QFETCH(QString, version);
    QFETCH(bool, modern);
    QCOMPARE(Metadata::isModernVersion(version), modern);
}

void tst_RequestMetadata::detectsModernPosts_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QByteArray>("versionHeader");
    QTest::addColumn<bool>("modern");

    const QByteArray modern =
        R"({"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}})";
    const QByteArray legacy = R"({"jsonrpc":"2.0","id":1,"method":"tools/list"})";

    QTest::newRow("meta version, no header") << modern << QByteArray() << true;
    QTest::newRow("meta version, legacy header") << modern << QByteArray("2025-11-25") << true;
    QTest::newRow("meta names an unknown version") << QByteArray(
        R"({"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"1900-01-01"}}})")
                                                   << QByteArray() << true;
    QTest::newRow("meta version of the wrong type") << QByteArray(
        R"({"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":7}}})")
                                                    << QByteArray() << true;
    QTest::newRow("modern header, no meta") << legacy << QByteArray("2026-07-28") << true;
    QTest::newRow("future header") << legacy << QByteArray("2099-12-31") << true;
    QTest::newRow("legacy request") << legacy << QByteArray("2025-11-25") << false;
    QTest::newRow("legacy request without header") << legacy << QByteArray() << false;
    QTest::newRow("unknown old header") << legacy << QByteArray("1999-01-01") << false;
    QTest::newRow("other _meta keys only") << QByteArray(
        R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","_meta":{"progressToken":1}}})")
                                           << QByteArray("2025-11-25") << false;
    QTest::newRow("modern element in a batch")
        << QByteArray("[" + legacy + "," + modern + "]") << QByteArray() << true;
    QTest::newRow("modern notification") << QByteArray(
        R"({"jsonrpc":"2.0","method":"notifications/x","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}})")
                                         << QByteArray() << true;
    QTest::newRow("unparsable body, legacy header")
        << QByteArray("{not json") << QByteArray("2025-11-25") << false;
    QTest::newRow("unparsable body, modern header")
        << QByteArray("{not json") << QByteArray("2026-07-28") << true;
}

void tst_RequestMetadata::detectsModernPosts()
{
    QFETCH(QByteArray, body);
    QFETCH(QByteArray, versionHeader);
    QFETCH(bool, modern);
    QCOMPARE(Metadata::isModern(JsonRpc::parseBody(body), versionHeader), modern);
}

void tst_RequestMetadata::decodesHeaderValues_data()
{
    QTest::addColumn<QByteArray>("raw");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<QString>("decoded");

    // The spec's encoding examples, then what must be refused.
    QTest::newRow("plain") << QByteArray("us-west1") << true << u"us-west1"_s;
    QTest::newRow("plain with inner space and tab") << QByteArray("a b\tc") << true << u"a b\tc"_s;
    QTest::newRow("non-ASCII") << QByteArray("=?base64?SGVsbG8sIOS4lueVjA==?=") << true
                               << u"Hello, 世界"_s;
    QTest::newRow("padded") << QByteArray("=?base64?IHBhZGRlZCA=?=") << true << u" padded "_s;
    QTest::newRow("newline") << QByteArray("=?base64?bGluZTEKbGluZTI=?=") << true
                             << u"line1\nline2"_s;
    QTest::newRow("sentinel literal")
        << QByteArray("=?base64?PT9iYXNlNjQ/bGl0ZXJhbD89?=") << true << u"=?base64?literal?="_s;
    QTest::newRow("empty payload") << QByteArray("=?base64?\?=") << true << QString();
    QTest::newRow("markers are case-sensitive")
        << QByteArray("=?BASE64?SGk=?=") << true << u"=?BASE64?SGk=?="_s;
    QTest::newRow("prefix without suffix")
        << QByteArray("=?base64?SGk=") << true << u"=?base64?SGk="_s;
    QTest::newRow("invalid base64") << QByteArray("=?base64?***?=") << false << QString();
    QTest::newRow("base64 of invalid UTF-8") << QByteArray("=?base64?/w==?=") << false << QString();
    QTest::newRow("raw non-ASCII byte") << QByteArray("caf\xc3\xa9") << false << QString();
    QTest::newRow("control character") << QByteArray("a\x01z") << false << QString();
    QTest::newRow("DEL") << QByteArray("a\x7fz") << false << QString();
}

void tst_RequestMetadata::decodesHeaderValues()
{
    QFETCH(QByteArray, raw);
    QFETCH(bool, valid);
    QFETCH(QString, decoded);

    QString value;
    QString problem;
    QCOMPARE(Metadata::decodeHeaderValue(raw, &value, &problem), valid);
    if (valid) {
        QCOMPARE(value, decoded);
    } else {
        QVERIFY(!problem.isEmpty());
    }
}

void tst_RequestMetadata::paramHeadersAreOnlyStaticallyReachableTokens()
{
    const QList<Metadata::ParamHeader> declared = Metadata::paramHeaders(sqlSchema());
    QStringList found;
    for (const Metadata::ParamHeader &header : declared)
        found.append(header.name + u'=' + header.path.join(u'.'));
    found.sort();
    QCOMPARE(found, (QStringList{u"Dry-Run=dryRun"_s, u"Region=region"_s, u"Shard=shard"_s,
                                 u"Tenant=target.tenant"_s}));
}

void tst_RequestMetadata::validatesHeadersAgainstBody_data()
{
    QTest::addColumn<QString>("method");
    QTest::addColumn<QJsonObject>("params");
    QTest::addColumn<QJsonObject>("meta");
    QTest::addColumn<QByteArrayList>("headers");
    QTest::addColumn<QString>("mismatch"); // empty: accepted; else a part of the message

    const QByteArrayList base{"MCP-Protocol-Version: 2026-07-28", "Mcp-Method: tools/call",
                              "Mcp-Name: execute_sql"};
    const QJsonObject args{{"region"_L1, "us-west1"_L1}, {"query"_L1, "SELECT 1"_L1}};
    const QJsonObject call{{"name"_L1, "execute_sql"_L1}, {"arguments"_L1, args}};
    auto with = [](QByteArrayList lines, const QByteArray &line) {
        lines.append(line);
        return lines;
    };
    auto without = [](QByteArrayList lines, const QByteArray &name) {
        lines.removeIf([&name](const QByteArray &l) {
            return l.left(l.indexOf(':')).compare(name, Qt::CaseInsensitive) == 0;
        });
        return lines;
    };
    auto callWith = [&call](const QJsonObject &arguments) {
        QJsonObject params = call;
        params.insert("arguments"_L1, arguments);
        return params;
    };
    QJsonObject noCaps = kModernMeta;
    noCaps.remove("io.modelcontextprotocol/clientCapabilities"_L1);
    QJsonObject oldVersion = kModernMeta;
    oldVersion.insert("io.modelcontextprotocol/protocolVersion"_L1, "1900-01-01"_L1);
    QJsonObject noVersion = kModernMeta;
    noVersion.remove("io.modelcontextprotocol/protocolVersion"_L1);

    // Standard headers
    QTest::newRow("all agree") << u"tools/call"_s << call << kModernMeta
                               << with(base, "Mcp-Param-Region: us-west1") << QString();
    QTest::newRow("header names are case-insensitive")
        << u"tools/call"_s << call << kModernMeta
        << QByteArrayList{"mcp-protocol-version: 2026-07-28", "MCP-METHOD: tools/call",
                          "mcp-name: execute_sql", "MCP-PARAM-REGION: us-west1"}
        << QString();
    QTest::newRow("version header missing")
        << u"tools/call"_s << call << kModernMeta
        << with(without(base, "MCP-Protocol-Version"), "Mcp-Param-Region: us-west1")
        << u"MCP-Protocol-Version header is required"_s;
    QTest::newRow("version header differs")
        << u"tools/call"_s << call << kModernMeta
        << with(with(without(base, "MCP-Protocol-Version"), "MCP-Protocol-Version: 2025-11-25"),
                "Mcp-Param-Region: us-west1")
        << u"MCP-Protocol-Version header value '2025-11-25' does not match body value "
           "'2026-07-28'"_s;
    QTest::newRow("version header differs from an unsupported claim")
        << u"tools/list"_s << QJsonObject() << oldVersion
        << QByteArrayList{"MCP-Protocol-Version: 2026-07-28", "Mcp-Method: tools/list"}
        << u"does not match body value '1900-01-01'"_s;
    QTest::newRow("version header repeated")
        << u"tools/list"_s << QJsonObject() << kModernMeta
        << QByteArrayList{"MCP-Protocol-Version: 2026-07-28", "MCP-Protocol-Version: 2026-07-28",
                          "Mcp-Method: tools/list"}
        << u"appears 2 times"_s;
    QTest::newRow("method header missing")
        << u"tools/list"_s << QJsonObject() << kModernMeta
        << QByteArrayList{"MCP-Protocol-Version: 2026-07-28"}
        << u"Mcp-Method header is required and must be 'tools/list'"_s;
    QTest::newRow("method header differs")
        << u"tools/list"_s << QJsonObject() << kModernMeta
        << QByteArrayList{"MCP-Protocol-Version: 2026-07-28", "Mcp-Method: prompts/list"}
        << u"Mcp-Method header value 'prompts/list' does not match body value 'tools/list'"_s;
    QTest::newRow("method values are case-sensitive")
        << u"tools/list"_s << QJsonObject() << kModernMeta
        << QByteArrayList{"MCP-Protocol-Version: 2026-07-28", "Mcp-Method: Tools/List"}
        << u"does not match body value 'tools/list'"_s;
    QTest::newRow("method header with invalid characters")
        << u"tools/list"_s << QJsonObject() << kModernMeta
        << QByteArrayList{"MCP-Protocol-Version: 2026-07-28", "Mcp-Method: tools/l\xc3\xafst"}
        << u"Mcp-Method header value is malformed"_s;
    QTest::newRow("no Mcp-Name needed for tools/list")
        << u"tools/list"_s << QJsonObject() << kModernMeta
        << QByteArrayList{"MCP-Protocol-Version: 2026-07-28", "Mcp-Method: tools/list"}
        << QString();
    QTest::newRow("name header missing")
        << u"tools/call"_s << call << kModernMeta
        << with(without(base, "Mcp-Name"), "Mcp-Param-Region: us-west1")
        << u"Mcp-Name header is required for tools/call"_s;
    QTest::newRow("name header differs")
        << u"tools/call"_s << call << kModernMeta
        << with(with(without(base, "Mcp-Name"), "Mcp-Name: drop_table"),
                "Mcp-Param-Region: us-west1")
        << u"Mcp-Name header value 'drop_table' does not match body value 'execute_sql'"_s;
    QTest::newRow("name header base64")
        << u"tools/call"_s << call << kModernMeta
        << with(with(without(base, "Mcp-Name"), "Mcp-Name: =?base64?ZXhlY3V0ZV9zcWw=?="),
                "Mcp-Param-Region: us-west1")
        << QString();
    QTest::newRow("name header base64 of another name")
        << u"tools/call"_s << call << kModernMeta
        << with(with(without(base, "Mcp-Name"), "Mcp-Name: =?base64?ZHJvcA==?="),
                "Mcp-Param-Region: us-west1")
        << u"Mcp-Name header value 'drop' does not match"_s;
    QTest::newRow("name header invalid base64")
        << u"tools/call"_s << call << kModernMeta
        << with(with(without(base, "Mcp-Name"), "Mcp-Name: =?base64?%%%?="),
                "Mcp-Param-Region: us-west1")
        << u"Mcp-Name header value is malformed"_s;
    QTest::newRow("name header raw UTF-8")
        << u"prompts/get"_s << QJsonObject{{"name"_L1, u"caf\u00e9"_s}} << kModernMeta
        << QByteArrayList{"MCP-Protocol-Version: 2026-07-28", "Mcp-Method: prompts/get",
                          "Mcp-Name: caf\xc3\xa9"}
        << u"Mcp-Name header value is malformed"_s;
    QTest::newRow("non-ASCII prompt name in base64")
        << u"prompts/get"_s << QJsonObject{{"name"_L1, u"caf\u00e9"_s}} << kModernMeta
        << QByteArrayList{"MCP-Protocol-Version: 2026-07-28", "Mcp-Method: prompts/get",
                          "Mcp-Name: =?base64?Y2Fmw6k=?="}
        << QString();
    QTest::newRow("resources/read mirrors the uri")
        << u"resources/read"_s << QJsonObject{{"uri"_L1, "heartline://about"_L1}} << kModernMeta
        << QByteArrayList{"MCP-Protocol-Version: 2026-07-28", "Mcp-Method: resources/read",
                          "Mcp-Name: heartline://about"}
        << QString();
    QTest::newRow("resources/read with another uri")
        << u"resources/read"_s << QJsonObject{{"uri"_L1, "heartline://about"_L1}} << kModernMeta
        << QByteArrayList{"MCP-Protocol-Version: 2026-07-28", "Mcp-Method: resources/read",
                          "Mcp-Name: heartline://secret"}
        << u"does not match body value 'heartline://about'"_s;
    QTest::newRow("name header for a body without a name")
        << u"tools/call"_s << QJsonObject() << kModernMeta << base << u"which has no params.name"_s;
    QTest::newRow("no name on either side is the body's problem")
        << u"tools/call"_s << QJsonObject() << kModernMeta << without(base, "Mcp-Name")
        << QString();

    // A body at fault is the session's to refuse (-32602 / -32022 come first).
    QTest::newRow("no clientCapabilities: not checked further")
        << u"tools/call"_s << call << noCaps << QByteArrayList{"MCP-Protocol-Version: 2026-07-28"}
        << QString();
    QTest::newRow("no protocolVersion: not checked further")
        << u"tools/call"_s << call << noVersion << QByteArrayList{} << QString();
    QTest::newRow("unsupported version: not checked further")
        << u"tools/call"_s << call << oldVersion
        << QByteArrayList{"MCP-Protocol-Version: 1900-01-01"} << QString();

    // Mcp-Param-{Name}
    QTest::newRow("param header missing")
        << u"tools/call"_s << call << kModernMeta << base
        << u"the Mcp-Param-Region header is missing; arguments.region is 'us-west1'"_s;
    QTest::newRow("param header differs")
        << u"tools/call"_s << call << kModernMeta << with(base, "Mcp-Param-Region: eu-west1")
        << u"Mcp-Param-Region header value 'eu-west1' does not match body value 'us-west1'"_s;
    QTest::newRow("param header repeated")
        << u"tools/call"_s << call << kModernMeta
        << with(with(base, "Mcp-Param-Region: us-west1"), "mcp-param-region: us-west1")
        << u"Mcp-Param-Region header appears 2 times"_s;
    QTest::newRow("param header base64")
        << u"tools/call"_s << callWith({{"region"_L1, u"Hello, \u4e16\u754c"_s}}) << kModernMeta
        << with(base, "Mcp-Param-Region: =?base64?SGVsbG8sIOS4lueVjA==?=") << QString();
    QTest::newRow("param header with raw non-ASCII")
        << u"tools/call"_s << callWith({{"region"_L1, u"\u00e9"_s}}) << kModernMeta
        << with(base, "Mcp-Param-Region: \xc3\xa9")
        << u"Mcp-Param-Region header value is malformed"_s;
    // An empty value is still a header, though the HTTP parser hands it over as a null array.
    QTest::newRow("empty string in a present, empty header")
        << u"tools/call"_s << callWith({{"region"_L1, ""_L1}}) << kModernMeta
        << with(base, "Mcp-Param-Region:") << QString();
    QTest::newRow("null value: no header expected")
        << u"tools/call"_s << callWith({{"region"_L1, QJsonValue::Null}}) << kModernMeta << base
        << QString();
    QTest::newRow("absent value: no header expected")
        << u"tools/call"_s << callWith({{"query"_L1, "x"_L1}}) << kModernMeta << base << QString();
    QTest::newRow("header for an absent value")
        << u"tools/call"_s << callWith({{"query"_L1, "x"_L1}}) << kModernMeta
        << with(base, "Mcp-Param-Region: us-west1") << u"where arguments.region has no value"_s;
    QTest::newRow("integer equal numerically")
        << u"tools/call"_s << callWith({{"shard"_L1, 42}}) << kModernMeta
        << with(base, "Mcp-Param-Shard: 42.0") << QString();
    QTest::newRow("negative integer")
        << u"tools/call"_s << callWith({{"shard"_L1, -7}}) << kModernMeta
        << with(base, "Mcp-Param-Shard: -7") << QString();
    QTest::newRow("integer differs")
        << u"tools/call"_s << callWith({{"shard"_L1, 42}}) << kModernMeta
        << with(base, "Mcp-Param-Shard: 43") << u"Mcp-Param-Shard header value '43'"_s;
    QTest::newRow("integer header not a number")
        << u"tools/call"_s << callWith({{"shard"_L1, 42}}) << kModernMeta
        << with(base, "Mcp-Param-Shard: forty-two") << u"does not match body value '42'"_s;
    QTest::newRow("boolean true") << u"tools/call"_s << callWith({{"dryRun"_L1, true}})
                                  << kModernMeta << with(base, "Mcp-Param-Dry-Run: true")
                                  << QString();
    QTest::newRow("boolean false")
        << u"tools/call"_s << callWith({{"dryRun"_L1, false}}) << kModernMeta
        << with(base, "Mcp-Param-Dry-Run: false") << QString();
    QTest::newRow("boolean spelled otherwise")
        << u"tools/call"_s << callWith({{"dryRun"_L1, true}}) << kModernMeta
        << with(base, "Mcp-Param-Dry-Run: True") << u"does not match body value 'true'"_s;
    QTest::newRow("boolean header missing")
        << u"tools/call"_s << callWith({{"dryRun"_L1, false}}) << kModernMeta << base
        << u"the Mcp-Param-Dry-Run header is missing"_s;
    QTest::newRow("nested property")
        << u"tools/call"_s << callWith({{"target"_L1, QJsonObject{{"tenant"_L1, "acme"_L1}}}})
        << kModernMeta << with(base, "Mcp-Param-Tenant: acme") << QString();
    QTest::newRow("nested property missing its header")
        << u"tools/call"_s << callWith({{"target"_L1, QJsonObject{{"tenant"_L1, "acme"_L1}}}})
        << kModernMeta << base << u"arguments.target.tenant is 'acme'"_s;
    QTest::newRow("annotation below items is not a declaration")
        << u"tools/call"_s << callWith({{"tags"_L1, QJsonArray{"a"_L1}}}) << kModernMeta << base
        << QString();
    QTest::newRow("annotation below anyOf is not a declaration")
        << u"tools/call"_s << callWith({{"either"_L1, "a"_L1}}) << kModernMeta << base << QString();
    QTest::newRow("unrecognized param header is ignored")
        << u"tools/call"_s << callWith({}) << kModernMeta << with(base, "Mcp-Param-Other: x")
        << QString();
}

void tst_RequestMetadata::validatesHeadersAgainstBody()
{
    QFETCH(QString, method);
    QFETCH(QJsonObject, params);
    QFETCH(QJsonObject, meta);
    QFETCH(QByteArrayList, headers);
    QFETCH(QString, mismatch);

    const JsonRpcMessage request = modernRequest(method, params, meta);
    QVERIFY(request.isRequest());
    const QString found = Metadata::headerMismatch(
        request, headersOf(headers), method == "tools/call"_L1 ? sqlSchema() : QJsonObject());
    if (mismatch.isEmpty()) {
        QVERIFY2(found.isEmpty(), qPrintable(found));
    } else {
        QVERIFY2(found.startsWith("Header mismatch: "_L1), qPrintable(found));
        QVERIFY2(found.contains(mismatch), qPrintable(found));
    }
}

void tst_RequestMetadata::mapsModernErrorsToHttpStatus_data()
{
    QTest::addColumn<int>("code");
    QTest::addColumn<int>("status");

    QTest::newRow("method not found") << -32601 << 404;
    QTest::newRow("parse error") << -32700 << 400;
    QTest::newRow("invalid request") << -32600 << 400;
    QTest::newRow("invalid params") << -32602 << 400;
    QTest::newRow("header mismatch") << -32020 << 400;
    QTest::newRow("missing client capability") << -32021 << 400;
    QTest::newRow("unsupported protocol version") << -32022 << 400;
    QTest::newRow("internal error") << -32603 << 200;
    QTest::newRow("server error") << -32000 << 200;
    QTest::newRow("resource not found (legacy code)") << -32002 << 200;
}

void tst_RequestMetadata::mapsModernErrorsToHttpStatus()
{
    QFETCH(int, code);
    QFETCH(int, status);
    QCOMPARE(Metadata::httpStatusFor(code), status);
}

QTEST_APPLESS_MAIN(tst_RequestMetadata)
#include "tst_requestmetadata.moc"
