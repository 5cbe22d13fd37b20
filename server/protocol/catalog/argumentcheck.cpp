#include "server/protocol/catalog/argumentcheck.h"

#include <QJsonArray>

#include <cmath>

using namespace Qt::StringLiterals;

namespace heartline {
namespace {

QString jsonTypeName(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null:
        return u"null"_s;
    case QJsonValue::Bool:
        return u"a boolean"_s;
    case QJsonValue::Double:
        return u"a number"_s;
    case QJsonValue::String:
        return u"a string"_s;
    case QJsonValue::Array:
        return u"an array"_s;
    case QJsonValue::Object:
        return u"an object"_s;
    case QJsonValue::Undefined:
        break;
    }
    return u"nothing"_s;
}

bool matchesType(const QJsonValue &value, const QString &type)
{
    if (type == "string"_L1)
        return value.isString();
    if (type == "number"_L1)
        return value.isDouble();
    if (type == "integer"_L1)
        return value.isDouble() && std::floor(value.toDouble()) == value.toDouble()
               && std::isfinite(value.toDouble());
    if (type == "boolean"_L1)
        return value.isBool();
    if (type == "object"_L1)
        return value.isObject();
    if (type == "array"_L1)
        return value.isArray();
    if (type == "null"_L1)
        return value.isNull();
    return true; // unknown type keyword: not ours to judge
}

QString checkValue(const QString &name, const QJsonObject &schema, const QJsonValue &value)
{
    const QJsonValue type = schema.value("type"_L1);
    if (type.isString() && !matchesType(value, type.toString()))
        return u"argument '%1' must be %2, got %3"_s.arg(
            name,
            type.toString() == "integer"_L1 ? u"an integer"_s : u"of type "_s + type.toString(),
            jsonTypeName(value));
    if (type.isArray()) {
        bool any = false;
        for (const QJsonValue &alternative : type.toArray())
            any = any || matchesType(value, alternative.toString());
        if (!any)
            return u"argument '%1' has the wrong type (%2)"_s.arg(name, jsonTypeName(value));
    }
    if (schema.contains("enum"_L1) && !schema.value("enum"_L1).toArray().contains(value))
        return u"argument '%1' must be one of the listed values"_s.arg(name);
    if (value.isDouble()) {
        const double number = value.toDouble();
        if (schema.contains("minimum"_L1) && number < schema.value("minimum"_L1).toDouble())
            return u"argument '%1' must be at least %2"_s.arg(
                name, QString::number(schema.value("minimum"_L1).toDouble()));
        if (schema.contains("maximum"_L1) && number > schema.value("maximum"_L1).toDouble())
            return u"argument '%1' must be at most %2"_s.arg(
                name, QString::number(schema.value("maximum"_L1).toDouble()));
    }
    if (value.isString()) {
        const bool hasMin = schema.contains("minLength"_L1);
        const bool hasMax = schema.contains("maxLength"_L1);
        if (!hasMin && !hasMax)
            return {}; // most strings have no bounds: no need to count
        // JSON Schema counts characters (code points), not UTF-16 units: an emoji is one.
        const QString text = value.toString();
        qsizetype length = text.size();
        for (qsizetype i = 1; i < text.size(); ++i) {
            if (text.at(i).isLowSurrogate() && text.at(i - 1).isHighSurrogate()) {
                --length; // a pair is one code point; a lone half counts as one, as in toUcs4
                ++i;
            }
        }
        if (hasMin && length < schema.value("minLength"_L1).toInt())
            return u"argument '%1' is too short"_s.arg(name);
        if (hasMax && length > schema.value("maxLength"_L1).toInt())
            return u"argument '%1' is too long"_s.arg(name);
    }
    return {};
}

} // namespace

QString checkArguments(const QJsonObject &schema, const QJsonObject &arguments)
{
    const QJsonObject properties = schema.value("properties"_L1).toObject();
    for (const QJsonValue &required : schema.value("required"_L1).toArray()) {
        if (!arguments.contains(required.toString()))
            return u"missing required argument '%1'"_s.arg(required.toString());
    }
    for (auto it = arguments.begin(); it != arguments.end(); ++it) {
        if (!properties.contains(it.key())) {
            if (schema.value("additionalProperties"_L1) == QJsonValue(false))
                return u"unknown argument '%1'"_s.arg(it.key());
            continue;
        }
        const QString problem =
            checkValue(it.key(), properties.value(it.key()).toObject(), it.value());
        if (!problem.isEmpty())
            return problem;
    }
    return {};
}

} // namespace heartline
