#include "server/tools/upstream/configentryreader.h"

#include <QJsonArray>

#include <cmath>
#include <limits>

using namespace Qt::StringLiterals;

namespace heartline {

ConfigEntryReader::ConfigEntryReader(const QJsonObject &entry, const QString &path,
                                     const VariableExpander &expander)
    : m_entry(entry)
    , m_path(path)
    , m_expander(expander)
{}

bool ConfigEntryReader::fail(const QString &keyPath, const QString &what)
{
    if (ok())
        m_problem = keyPath + u": "_s + what;
    return false;
}

QString ConfigEntryReader::pathOf(QLatin1String key) const
{
    return m_path + u'.' + key;
}

bool ConfigEntryReader::text(QLatin1String key, QString *out, bool expand)
{
    const QJsonValue value = m_entry.value(key);
    if (!ok() || value.isUndefined())
        return ok();
    if (!value.isString())
        return fail(pathOf(key), u"must be a string"_s);
    return expanded(pathOf(key), value.toString(), out, expand);
}

bool ConfigEntryReader::list(QLatin1String key, QStringList *out, bool expand)
{
    const QJsonValue value = m_entry.value(key);
    if (!ok() || value.isUndefined())
        return ok();
    if (!value.isArray())
        return fail(pathOf(key), u"must be an array of strings"_s);
    const QJsonArray array = value.toArray();
    QStringList items;
    for (qsizetype i = 0; i < array.size(); ++i) {
        const QString itemPath = pathOf(key) + u"[%1]"_s.arg(i);
        if (!array.at(i).isString())
            return fail(itemPath, u"must be a string (%1 is an array of strings)"_s.arg(key));
        QString item;
        if (!expanded(itemPath, array.at(i).toString(), &item, expand))
            return false;
        items.append(item);
    }
    *out = items;
    return true;
}

bool ConfigEntryReader::map(QLatin1String key, QHash<QString, QString> *out)
{
    const QJsonValue value = m_entry.value(key);
    if (!ok() || value.isUndefined())
        return ok();
    if (!value.isObject())
        return fail(pathOf(key), u"must be an object of strings"_s);
    const QJsonObject object = value.toObject();
    QHash<QString, QString> items;
    for (auto it = object.begin(); it != object.end(); ++it) {
        const QString itemPath = pathOf(key) + u'.' + it.key();
        if (!it.value().isString())
            return fail(itemPath, u"must be a string"_s);
        QString item;
        // Values may name a secret, put in once looked up (SecretReferences).
        QString error;
        if (!m_expander.expandKeepingSecrets(it.value().toString(), &item, &error))
            return fail(itemPath, error);
        items.insert(it.key(), item);
    }
    *out = items;
    return true;
}

bool ConfigEntryReader::boolean(QLatin1String key, bool *out)
{
    const QJsonValue value = m_entry.value(key);
    if (!ok() || value.isUndefined())
        return ok();
    if (!value.isBool())
        return fail(pathOf(key), u"must be true or false"_s);
    *out = value.toBool();
    return true;
}

bool ConfigEntryReader::object(QLatin1String key, QJsonObject *out)
{
    const QJsonValue value = m_entry.value(key);
    if (!ok() || value.isUndefined())
        return ok();
    if (!value.isObject())
        return fail(pathOf(key), u"must be an object"_s);
    *out = value.toObject();
    return true;
}

bool ConfigEntryReader::wholeNumber(QLatin1String key, double minimum, double maximum,
                                    const QString &what, double *out)
{
    const QJsonValue value = m_entry.value(key);
    if (!ok() || value.isUndefined())
        return ok();
    const double number = value.toDouble(-1);
    if (!value.isDouble() || number < minimum || number != std::floor(number) || number > maximum)
        return fail(pathOf(key), what);
    *out = number;
    return true;
}

bool ConfigEntryReader::milliseconds(QLatin1String key, int *out, int minimum)
{
    double number = 0;
    if (!wholeNumber(key, minimum, std::numeric_limits<int>::max(),
                     u"must be a whole number of milliseconds, %1 or more"_s.arg(minimum), &number))
        return false;
    if (m_entry.contains(key))
        *out = int(number);
    return true;
}

bool ConfigEntryReader::bytes(QLatin1String key, qint64 *out, qint64 minimum)
{
    double number = 0;
    // 2^53: every whole number up to it is exact in a JSON double.
    if (!wholeNumber(key, double(minimum), 9007199254740992.0,
                     u"must be a whole number of bytes, %1 or more"_s.arg(minimum), &number))
        return false;
    if (m_entry.contains(key))
        *out = qint64(number);
    return true;
}

bool ConfigEntryReader::failChoice(QLatin1String key, const QJsonValue &value,
                                   const QStringList &names)
{
    if (!value.isString())
        return fail(pathOf(key), u"must be one of "_s + names.join(u", "_s));
    return fail(pathOf(key),
                u"\"%1\" is not one of %2"_s.arg(value.toString(), names.join(u", "_s)));
}

bool ConfigEntryReader::expanded(const QString &keyPath, const QString &written, QString *out,
                                 bool expand)
{
    if (!expand) {
        *out = written;
        return true;
    }
    QString error;
    if (!m_expander.expand(written, out, &error))
        return fail(keyPath, error);
    return true;
}

} // namespace heartline
