#include "server/protocol/session/requestmetadata.h"

#include "server/protocol/wire/revision.h"

#include <QHash>
#include <QRegularExpression>
#include <QStringDecoder>

#include <cmath>

using namespace Qt::StringLiterals;

namespace heartline::RequestMetadata {
namespace {

constexpr QByteArrayView kSentinelPrefix = "=?base64?";
constexpr QByteArrayView kSentinelSuffix = "?=";
constexpr QByteArrayView kParamPrefix = "Mcp-Param-";
// Nested `properties` deeper than this are not looked into: no honest tool needs it, and a
// schema is not a reason to recurse without end.
constexpr int kMaxSchemaDepth = 32;

QList<QByteArray> valuesOf(const Headers &headers, QByteArrayView name)
{
    QList<QByteArray> values;
    for (const auto &[key, value] : headers) {
        if (QByteArrayView(key).compare(name, Qt::CaseInsensitive) == 0)
            values.append(value);
    }
    return values;
}

// RFC 9110 field values: visible ASCII, space and horizontal tab.
bool isPlainHeaderValue(QByteArrayView value)
{
    for (const char c : value) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte != 0x09 && (byte < 0x20 || byte > 0x7e))
            return false;
    }
    return true;
}

// RFC 9110 token (tchar), the syntax of a header field name.
bool isToken(const QString &text)
{
    static const QRegularExpression token(u"^[!#$%&'*+\\-.^_`|~0-9A-Za-z]+$"_s);
    return token.match(text).hasMatch();
}

// The header value as a client would quote it in an error: shown, but never able to break
// the message (control characters and non-ASCII are escaped).
QString shown(const QByteArray &raw)
{
    QString out;
    for (const char c : raw) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte >= 0x20 && byte <= 0x7e)
            out += QLatin1Char(c);
        else
            out += u"\\x%1"_s.arg(uint(byte), 2, 16, QChar(u'0'));
    }
    return out;
}

QString shown(const QJsonValue &value)
{
    if (value.isString())
        return value.toString();
    if (value.isBool())
        return value.toBool() ? u"true"_s : u"false"_s;
    if (value.isDouble())
        return QString::number(value.toDouble(), 'g', 17);
    return value.isNull() ? u"null"_s : u"(not a primitive)"_s;
}

bool isServedModernVersion(const QString &version)
{
    Revision revision;
    return Revisions::parse(version, &revision) && Revisions::traits(revision).stateless;
}

// The one value of a header that may appear at most once; false (with the reason) if it is
// repeated. An absent header leaves `value` null.
bool singleValue(const Headers &headers, QByteArrayView name, QByteArray *value, QString *problem)
{
    const QList<QByteArray> values = valuesOf(headers, name);
    if (values.size() > 1) {
        *problem = u"Header mismatch: the %1 header appears %2 times; send it once"_s
                       .arg(QString::fromLatin1(name))
                       .arg(values.size());
        return false;
    }
    *value = values.isEmpty() ? QByteArray() : values.first();
    // QHttpServerRequest hands over an empty value as a null array; present, it is not absent.
    if (!values.isEmpty() && value->isNull())
        *value = QByteArray("");
    return true;
}

QString invalidCharacters(QByteArrayView name, const QString &problem)
{
    return u"Header mismatch: the %1 header value is malformed: %2"_s.arg(QString::fromLatin1(name),
                                                                          problem);
}

QJsonValue valueAtPath(const QJsonObject &root, const QStringList &path)
{
    QJsonValue node = root;
    for (const QString &key : path) {
        if (!node.isObject())
            return QJsonValue::Undefined;
        node = node.toObject().value(key);
    }
    return node;
}

// Whether a decoded header value stands for the body value: strings as they are, booleans as
// "true"/"false", numbers numerically (42.0 and 42 are one value).
bool sameValue(const QString &header, const QJsonValue &body)
{
    if (body.isString())
        return header == body.toString();
    if (body.isBool())
        return header == (body.toBool() ? "true"_L1 : "false"_L1);
    if (body.isDouble()) {
        bool ok = false;
        const double number = header.toDouble(&ok);
        return ok && std::isfinite(number) && number == body.toDouble();
    }
    return false;
}

void collectParamHeaders(const QJsonObject &schema, const QStringList &path, int depth,
                         QList<ParamHeader> *out)
{
    if (depth > kMaxSchemaDepth)
        return;
    const QJsonObject properties = schema.value("properties"_L1).toObject();
    for (auto it = properties.constBegin(); it != properties.constEnd(); ++it) {
        const QJsonObject property = it.value().toObject();
        QStringList childPath = path;
        childPath.append(it.key());
        const QJsonValue header = property.value("x-mcp-header"_L1);
        if (header.isString() && isToken(header.toString()))
            out->append({header.toString(), childPath});
        collectParamHeaders(property, childPath, depth + 1, out);
    }
}

QString checkStandardNameHeader(const JsonRpcMessage &request, const Headers &headers)
{
    static const QHash<QString, QString> sources{{u"tools/call"_s, u"name"_s},
                                                 {u"prompts/get"_s, u"name"_s},
                                                 {u"resources/read"_s, u"uri"_s}};
    const auto source = sources.constFind(request.method);
    if (source == sources.constEnd())
        return {};
    QByteArray raw;
    QString problem;
    if (!singleValue(headers, "Mcp-Name", &raw, &problem))
        return problem;
    const QJsonValue body = request.paramsObject().value(*source);
    if (raw.isNull()) {
        if (!body.isString())
            return {}; // nothing to mirror; the session refuses the body itself
        return u"Header mismatch: the Mcp-Name header is required for %1 and must carry "
               "params.%2 ('%3')"_s.arg(request.method, *source, body.toString());
    }
    QString decoded;
    if (!decodeHeaderValue(raw, &decoded, &problem))
        return invalidCharacters("Mcp-Name", problem);
    if (!body.isString())
        return u"Header mismatch: Mcp-Name header value '%1' does not match the body, which has "
               "no params.%2"_s.arg(decoded, *source);
    if (decoded != body.toString())
        return u"Header mismatch: Mcp-Name header value '%1' does not match body value '%2'"_s.arg(
            decoded, body.toString());
    return {};
}

QString checkParamHeaders(const JsonRpcMessage &request, const Headers &headers,
                          const QJsonObject &toolInputSchema)
{
    if (request.method != "tools/call"_L1 || toolInputSchema.isEmpty())
        return {};
    const QJsonObject arguments = request.paramsObject().value("arguments"_L1).toObject();
    for (const ParamHeader &declared : paramHeaders(toolInputSchema)) {
        const QByteArray headerName = kParamPrefix.toByteArray() + declared.name.toLatin1();
        const QString where = u"arguments."_s + declared.path.join(u'.');
        QByteArray raw;
        QString problem;
        if (!singleValue(headers, headerName, &raw, &problem))
            return problem;
        const QJsonValue body = valueAtPath(arguments, declared.path);
        const bool expected = body.isString() || body.isBool() || body.isDouble();
        if (raw.isNull()) {
            if (!expected)
                continue; // null or absent: the client omits the header (MCP MUST)
            return u"Header mismatch: the %1 header is missing; %2 is '%3'"_s.arg(
                QString::fromLatin1(headerName), where, shown(body));
        }
        QString decoded;
        if (!decodeHeaderValue(raw, &decoded, &problem))
            return invalidCharacters(headerName, problem);
        if (!expected)
            return u"Header mismatch: %1 header value '%2' does not match the body, where %3 "
                   "has no value"_s.arg(QString::fromLatin1(headerName), decoded, where);
        if (!sameValue(decoded, body))
            return u"Header mismatch: %1 header value '%2' does not match body value '%3' (%4)"_s
                .arg(QString::fromLatin1(headerName), decoded, shown(body), where);
    }
    return {};
}

} // namespace

bool isModernVersion(const QString &version)
{
    // YYYY-MM-DD, checked by hand: this runs for every POST, and a regular expression match
    // was a measurable part of an echo call.
    const auto isDate = [](QStringView text) {
        if (text.size() != 10)
            return false;
        for (qsizetype i = 0; i < text.size(); ++i) {
            const bool dash = i == 4 || i == 7;
            if (dash ? text[i] != u'-' : !(text[i] >= u'0' && text[i] <= u'9'))
                return false;
        }
        return true;
    };
    // Revision names are ISO dates, so comparing the text orders them in time.
    return isDate(version) && version > "2025-11-25"_L1;
}

QJsonObject meta(const JsonRpcMessage &message)
{
    return message.paramsObject().value("_meta"_L1).toObject();
}

bool isModern(const JsonRpcBody &body, const QByteArray &protocolVersionHeader)
{
    if (isModernVersion(QString::fromLatin1(protocolVersionHeader.trimmed())))
        return true;
    for (const JsonRpcMessage &message : body.messages) {
        if (meta(message).contains(kProtocolVersionKey))
            return true;
    }
    return false;
}

bool decodeHeaderValue(const QByteArray &raw, QString *value, QString *problem)
{
    if (!isPlainHeaderValue(raw)) {
        *problem = u"'%1' holds characters a header value may not carry (encode it as "
                   "=?base64?...?=)"_s.arg(shown(raw));
        return false;
    }
    const bool encoded = raw.size() >= kSentinelPrefix.size() + kSentinelSuffix.size()
                         && raw.startsWith(kSentinelPrefix) && raw.endsWith(kSentinelSuffix);
    if (!encoded) {
        *value = QString::fromLatin1(raw);
        return true;
    }
    const QByteArray payload = raw.mid(kSentinelPrefix.size(), raw.size() - kSentinelPrefix.size()
                                                                   - kSentinelSuffix.size());
    const auto bytes =
        QByteArray::fromBase64Encoding(payload, QByteArray::AbortOnBase64DecodingErrors);
    if (!bytes) {
        *problem = u"'%1' is not valid base64"_s.arg(shown(payload));
        return false;
    }
    QStringDecoder utf8(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    const QString text = utf8(*bytes);
    if (utf8.hasError()) {
        *problem = u"the base64 value '%1' does not decode to UTF-8 text"_s.arg(shown(payload));
        return false;
    }
    *value = text;
    return true;
}

QString headerMismatch(const JsonRpcMessage &request, const Headers &headers,
                       const QJsonObject &toolInputSchema)
{
    const QJsonObject metadata = meta(request);
    const QJsonValue claimed = metadata.value(kProtocolVersionKey);
    QByteArray version;
    QString problem;
    if (!singleValue(headers, "MCP-Protocol-Version", &version, &problem))
        return problem;
    if (claimed.isString() && !version.isNull()
        && QString::fromLatin1(version) != claimed.toString())
        return u"Header mismatch: MCP-Protocol-Version header value '%1' does not match body value "
               "'%2' (params._meta[\"%3\"])"_s.arg(shown(version), claimed.toString(),
                                                   kProtocolVersionKey);
    if (!claimed.isString() || !metadata.value(kClientCapabilitiesKey).isObject()
        || !isServedModernVersion(claimed.toString()))
        return {};
    if (version.isNull())
        return u"Header mismatch: the MCP-Protocol-Version header is required and must be '%1', "
               "as in the body"_s.arg(claimed.toString());

    QByteArray method;
    if (!singleValue(headers, "Mcp-Method", &method, &problem))
        return problem;
    if (method.isNull())
        return u"Header mismatch: the Mcp-Method header is required and must be '%1', as in the "
               "body"_s.arg(request.method);
    if (!isPlainHeaderValue(method))
        return invalidCharacters("Mcp-Method", u"'%1' holds characters a header value may not "
                                               "carry"_s.arg(shown(method)));
    if (QString::fromLatin1(method) != request.method)
        return u"Header mismatch: Mcp-Method header value '%1' does not match body value '%2'"_s
            .arg(QString::fromLatin1(method), request.method);

    if (QString mismatch = checkStandardNameHeader(request, headers); !mismatch.isEmpty())
        return mismatch;
    return checkParamHeaders(request, headers, toolInputSchema);
}

QList<ParamHeader> paramHeaders(const QJsonObject &inputSchema)
{
    QList<ParamHeader> declared;
    collectParamHeaders(inputSchema, {}, 0, &declared);
    return declared;
}

int httpStatusFor(int jsonRpcCode)
{
    switch (jsonRpcCode) {
    case int(JsonRpcCode::MethodNotFound):
        return 404;
    case int(JsonRpcCode::ParseError):
    case int(JsonRpcCode::InvalidRequest):
    case int(JsonRpcCode::InvalidParams):
    case int(JsonRpcCode::HeaderMismatch):
    case int(JsonRpcCode::MissingRequiredClientCapability):
    case int(JsonRpcCode::UnsupportedProtocolVersion):
        return 400;
    default:
        return 200;
    }
}

} // namespace heartline::RequestMetadata
