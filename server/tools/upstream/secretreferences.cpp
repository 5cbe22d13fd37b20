#include "server/tools/upstream/secretreferences.h"

#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace heartline {
namespace SecretReferences {
namespace {

const QRegularExpression &referencePattern()
{
    static const QRegularExpression pattern(u"\\$\\{secret:([^}]*)\\}"_s);
    return pattern;
}

} // namespace

bool isValidName(const QString &name)
{
    static const QRegularExpression pattern(u"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$"_s);
    return pattern.match(name).hasMatch();
}

QStringList namesIn(const QString &text)
{
    QStringList names;
    if (!text.contains("${secret:"_L1))
        return names;
    for (const QRegularExpressionMatch &match : referencePattern().globalMatch(text)) {
        const QString name = match.captured(1);
        if (!names.contains(name))
            names.append(name);
    }
    return names;
}

QStringList namesIn(const QHash<QString, QString> &values)
{
    QStringList names;
    for (const QString &value : values) {
        for (const QString &name : namesIn(value)) {
            if (!names.contains(name))
                names.append(name);
        }
    }
    return names;
}

bool substitute(const QString &text, const SecretValues &secrets, QString *out, QString *problem)
{
    if (!text.contains("${secret:"_L1)) {
        *out = text;
        return true;
    }
    QString result;
    qsizetype done = 0;
    for (const QRegularExpressionMatch &match : referencePattern().globalMatch(text)) {
        const QString name = match.captured(1);
        const auto value = secrets.values.constFind(name);
        if (value == secrets.values.constEnd()) {
            *problem =
                u"secret %1: %2"_s.arg(name, secrets.problems.value(name, u"was not looked up"_s));
            return false;
        }
        result += QStringView(text).mid(done, match.capturedStart() - done);
        result += *value;
        done = match.capturedEnd();
    }
    result += QStringView(text).mid(done);
    *out = result;
    return true;
}

bool substitute(QHash<QString, QString> *values, const SecretValues &secrets, QString *problem)
{
    QHash<QString, QString> result = *values;
    for (auto it = result.begin(); it != result.end(); ++it) {
        QString whyNot;
        if (!substitute(it.value(), secrets, &it.value(), &whyNot)) {
            *problem = it.key() + u": "_s + whyNot;
            return false;
        }
    }
    *values = result;
    return true;
}

} // namespace SecretReferences
} // namespace heartline
