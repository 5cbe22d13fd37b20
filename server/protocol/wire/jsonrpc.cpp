#include "server/protocol/wire/jsonrpc.h"

#include <QHash>
#include <QJsonDocument>
#include <QJsonParseError>

#include <cmath>
#include <limits>

using namespace Qt::StringLiterals;

namespace heartline {

namespace {

QString idKeyFor(const QJsonValue &value)
{
    if (value.isString())
        return u"s:"_s + value.toString();
    // Integral numbers keep their integer spelling, so 5 and 5.0 are the same id; beyond
    // qint64 (valid JSON, absurd as an id) the double spelling still keeps ids apart.
    const qint64 integral = value.toInteger(std::numeric_limits<qint64>::min());
    if (integral != std::numeric_limits<qint64>::min())
        return u"n:"_s + QString::number(integral);
    return u"n:"_s + QString::number(value.toDouble(), 'g', 17);
}

} // namespace

RequestId::RequestId(const QJsonValue &value)
    : m_value(value)
    , m_valid(isValidIdValue(value))
{
    if (m_valid)
        m_key = idKeyFor(value);
}

bool RequestId::isValidIdValue(const QJsonValue &value)
{
    // MCP narrows JSON-RPC: ids are strings or integers, never fractions.
    if (value.isString())
        return true;
    const double number = value.toDouble();
    return value.isDouble() && std::isfinite(number) && std::floor(number) == number;
}

QString RequestId::display() const
{
    if (!m_valid)
        return u"null"_s;
    if (m_value.isString())
        return u'"' + m_value.toString() + u'"';
    return m_key.mid(2);
}

size_t qHash(const RequestId &id, size_t seed)
{
    return ::qHash(id.key(), seed);
}

bool JsonRpcBody::containsRequest() const
{
    for (const JsonRpcMessage &message : messages) {
        if (message.isRequest())
            return true;
    }
    return false;
}

bool JsonRpcBody::containsMethod(const QString &method) const
{
    for (const JsonRpcMessage &message : messages) {
        if (message.method == method)
            return true;
    }
    return false;
}

namespace JsonRpc {

bool parseMessage(const QJsonValue &value, JsonRpcMessage *message, JsonRpcProblem *problem)
{
    auto reject = [problem](const QString &why, const RequestId &id = {}) {
        problem->code = JsonRpcCode::InvalidRequest;
        problem->message = u"Invalid Request: "_s + why;
        problem->id = id;
        return false;
    };

    if (!value.isObject())
        return reject(u"a JSON-RPC message must be a JSON object"_s);
    const QJsonObject object = value.toObject();
    const QJsonValue idValue = object.value("id"_L1);
    const RequestId id(idValue);

    if (object.value("jsonrpc"_L1) != "2.0"_L1)
        return reject(u"\"jsonrpc\" must be exactly \"2.0\""_s, id);

    message->raw = object;
    message->id = id;
    const bool hasId = object.contains("id"_L1);

    if (object.contains("method"_L1)) {
        const QJsonValue method = object.value("method"_L1);
        if (!method.isString() || method.toString().isEmpty())
            return reject(u"\"method\" must be a non-empty string"_s, id);
        message->method = method.toString();
        message->params = object.value("params"_L1);
        if (object.contains("params"_L1) && !message->params.isObject()
            && !message->params.isArray())
            return reject(u"\"params\" must be an object or an array"_s, id);
        if (!hasId) {
            message->kind = JsonRpcMessage::Kind::Notification;
            return true;
        }
        if (!id.isValid())
            return reject(u"\"id\" must be a string or an integer (never null)"_s);
        message->kind = JsonRpcMessage::Kind::Request;
        return true;
    }

    const bool hasResult = object.contains("result"_L1);
    const bool hasError = object.contains("error"_L1);
    if (hasResult == hasError)
        return reject(u"a message needs \"method\", or exactly one of \"result\" and \"error\""_s,
                      id);
    if (!hasId || (!id.isValid() && !idValue.isNull()))
        return reject(u"a response needs the \"id\" of the request it answers"_s);
    if (hasResult) {
        message->kind = JsonRpcMessage::Kind::Response;
        message->result = object.value("result"_L1);
        return true;
    }
    if (!object.value("error"_L1).isObject())
        return reject(u"\"error\" must be an object"_s, id);
    message->kind = JsonRpcMessage::Kind::ErrorResponse;
    message->error = object.value("error"_L1).toObject();
    return true;
}

JsonRpcBody parseBody(const QByteArray &body)
{
    JsonRpcBody parsed;
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(body, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        // QJsonDocument only takes objects and arrays at the top level, but `5` or `"x"` is
        // valid JSON and so an Invalid Request (-32600), not a Parse error (-32700).
        const QJsonDocument wrapped = QJsonDocument::fromJson('[' + body + ']');
        if (wrapped.isArray() && wrapped.array().size() == 1) {
            JsonRpcMessage message;
            JsonRpcProblem problem;
            parseMessage(wrapped.array().first(), &message, &problem);
            parsed.problems.append(problem);
            return parsed;
        }
        parsed.problems.append({JsonRpcCode::ParseError,
                                u"Parse error: "_s + parseError.errorString() + u" at offset "_s
                                    + QString::number(parseError.offset),
                                {}});
        return parsed;
    }

    auto take = [&parsed](const QJsonValue &value) {
        JsonRpcMessage message;
        JsonRpcProblem problem;
        if (parseMessage(value, &message, &problem))
            parsed.messages.append(message);
        else
            parsed.problems.append(problem);
    };

    if (document.isArray()) {
        parsed.isBatch = true;
        const QJsonArray array = document.array();
        if (array.isEmpty())
            parsed.problems.append(
                {JsonRpcCode::InvalidRequest, u"Invalid Request: an empty batch"_s, {}});
        for (const QJsonValue &element : array)
            take(element);
    } else {
        take(document.object());
    }
    return parsed;
}

QJsonObject request(const RequestId &id, const QString &method, const QJsonObject &params)
{
    QJsonObject message{{"jsonrpc"_L1, "2.0"_L1}, {"id"_L1, id.toJson()}, {"method"_L1, method}};
    if (!params.isEmpty())
        message.insert("params"_L1, params);
    return message;
}

QJsonObject notification(const QString &method, const QJsonObject &params)
{
    QJsonObject message{{"jsonrpc"_L1, "2.0"_L1}, {"method"_L1, method}};
    if (!params.isEmpty())
        message.insert("params"_L1, params);
    return message;
}

QJsonObject result(const RequestId &id, const QJsonObject &result)
{
    return {{"jsonrpc"_L1, "2.0"_L1}, {"id"_L1, id.toJson()}, {"result"_L1, result}};
}

QJsonObject error(const RequestId &id, JsonRpcCode code, const QString &message,
                  const QJsonValue &data)
{
    QJsonObject error{{"code"_L1, int(code)}, {"message"_L1, message}};
    if (!data.isUndefined())
        error.insert("data"_L1, data);
    return {{"jsonrpc"_L1, "2.0"_L1},
            {"id"_L1, id.isValid() ? id.toJson() : QJsonValue(QJsonValue::Null)},
            {"error"_L1, error}};
}

QJsonObject error(const JsonRpcProblem &problem)
{
    return error(problem.id, problem.code, problem.message);
}

QByteArray serialize(const QJsonObject &message)
{
    return QJsonDocument(message).toJson(QJsonDocument::Compact);
}

QByteArray serialize(const QJsonArray &messages)
{
    return QJsonDocument(messages).toJson(QJsonDocument::Compact);
}

bool isFinalResponse(const QJsonObject &message)
{
    return !message.contains("method"_L1)
           && (message.contains("result"_L1) || message.contains("error"_L1));
}

} // namespace JsonRpc
} // namespace heartline
