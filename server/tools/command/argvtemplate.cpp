#include "server/tools/command/argvtemplate.h"

#include "server/tools/upstream/variableexpander.h"

#include <QJsonArray>
#include <QRegularExpression>

#include <cmath>

using namespace Qt::StringLiterals;

namespace heartline {
namespace {

bool isParameterName(QStringView name)
{
    static const QRegularExpression pattern(u"^[A-Za-z_][A-Za-z0-9_.-]{0,127}$"_s);
    return pattern.match(name).hasMatch();
}

// A number as a person would type it: 3, not 3.0; 0.1, not 0.10000000000000001.
QString numberText(double number)
{
    if (std::floor(number) == number && std::fabs(number) < 9007199254740992.0)
        return QString::number(qint64(number));
    return QString::number(number, 'g', QLocale::FloatingPointShortest);
}

QString quoted(const QString &text)
{
    return u'"' + text + u'"';
}

} // namespace

bool ArgvTemplate::parse(const QStringList &written, const QJsonObject &inputSchema,
                         const VariableExpander &expander, ArgvTemplate *parsed, QString *problem)
{
    ArgvTemplate result;
    result.m_properties = inputSchema.value("properties"_L1).toObject();
    bool operandsOnly = false;
    for (qsizetype index = 0; index < written.size(); ++index) {
        const QString &text = written.at(index);
        const QString where = u"args[%1]"_s.arg(index);
        Argument argument;
        argument.operandsOnly = operandsOnly;
        // Literal text is expanded (${NAME}) chunk by chunk; escaped braces never are, so
        // "{{" cannot make a ${ form out of text around it.
        QString raw;
        const auto appendLiteral = [&argument](const QString &literal) {
            if (literal.isEmpty())
                return;
            if (!argument.pieces.isEmpty() && argument.pieces.last().placeholder.isEmpty())
                argument.pieces.last().text += literal;
            else
                argument.pieces.append({literal, {}});
        };
        const auto flushRaw = [&]() {
            if (raw.isEmpty())
                return true;
            QString expanded;
            QString error;
            if (!expander.expand(raw, &expanded, &error)) {
                *problem = where + u": "_s + error;
                return false;
            }
            appendLiteral(expanded);
            raw.clear();
            return true;
        };
        for (qsizetype i = 0; i < text.size(); ++i) {
            const QChar c = text.at(i);
            const QChar next = i + 1 < text.size() ? text.at(i + 1) : QChar();
            if ((c == u'{' && next == u'{') || (c == u'}' && next == u'}')) {
                if (!flushRaw())
                    return false;
                appendLiteral(QString(c));
                ++i;
                continue;
            }
            if (c == u'$' && next == u'{') {
                const qsizetype close = text.indexOf(u'}', i + 2);
                const qsizetype end = close < 0 ? text.size() : close + 1;
                raw += text.mid(i, end - i); // an unclosed ${ is the expander's to report
                i = end - 1;
                continue;
            }
            if (c == u'{') {
                const qsizetype close = text.indexOf(u'}', i + 1);
                const QStringView name =
                    close < 0 ? QStringView() : QStringView(text).mid(i + 1, close - i - 1);
                if (close >= 0 && isParameterName(name)) {
                    if (!result.m_properties.contains(name.toString())) {
                        QStringList known = result.m_properties.keys();
                        *problem =
                            u"%1: {%2} is not a parameter of the tool's inputSchema (%3)"_s.arg(
                                where, name.toString(),
                                known.isEmpty() ? u"it declares none"_s
                                                : u"it declares "_s + known.join(u", "_s));
                        return false;
                    }
                    if (!flushRaw())
                        return false;
                    argument.pieces.append({{}, name.toString()});
                    i = close;
                    continue;
                }
            }
            raw += c;
        }
        if (!flushRaw())
            return false;
        if (argument.pieces.isEmpty())
            argument.pieces.append({QString(), {}}); // an empty argument, kept as written
        if (text == "--"_L1)
            operandsOnly = true;
        result.m_arguments.append(argument);
    }
    *parsed = result;
    return true;
}

QStringList ArgvTemplate::placeholders() const
{
    QStringList names;
    for (const Argument &argument : m_arguments) {
        for (const Piece &piece : argument.pieces) {
            if (!piece.placeholder.isEmpty() && !names.contains(piece.placeholder))
                names.append(piece.placeholder);
        }
    }
    return names;
}

bool ArgvTemplate::operator==(const ArgvTemplate &other) const
{
    return m_arguments == other.m_arguments && m_properties == other.m_properties;
}

bool ArgvTemplate::fill(const QJsonObject &arguments, QStringList *argv, QString *error) const
{
    QStringList filled;
    for (const Argument &argument : m_arguments) {
        if (!fillOne(argument, arguments, &filled, error))
            return false;
    }
    qsizetype total = 0;
    for (const QString &argument : std::as_const(filled)) {
        const qsizetype bytes = argument.toUtf8().size();
        if (bytes > kMaxArgumentBytes) {
            *error = u"an argument of %1 bytes is longer than a command line argument can be "
                     "(%2 bytes)"_s.arg(bytes)
                         .arg(kMaxArgumentBytes);
            return false;
        }
        total += bytes + 1;
    }
    if (total > kMaxCommandLineBytes) {
        *error =
            u"the arguments come to %1 bytes, more than a command line takes here (%2)"_s.arg(total)
                .arg(kMaxCommandLineBytes);
        return false;
    }
    *argv = filled;
    return true;
}

bool ArgvTemplate::fillOne(const Argument &argument, const QJsonObject &arguments,
                           QStringList *argv, QString *error) const
{
    const auto valueOf = [&](const QString &name) {
        const QJsonValue given = arguments.value(name);
        if (!given.isUndefined() && !given.isNull())
            return given;
        return m_properties.value(name).toObject().value("default"_L1);
    };

    // "{name}" alone: the value is the argument, or one argument per item of an array.
    if (argument.pieces.size() == 1 && !argument.pieces.first().placeholder.isEmpty()) {
        const QString &name = argument.pieces.first().placeholder;
        const QJsonValue value = valueOf(name);
        if (value.isUndefined() || value.isNull())
            return true;
        if (value.isArray()) {
            const QJsonArray items = value.toArray();
            for (const QJsonValue &item : items) {
                QString text;
                if (!scalarText(name, item, true, argument.operandsOnly, &text, error))
                    return false;
                argv->append(text);
            }
            return true;
        }
        QString text;
        if (!scalarText(name, value, true, argument.operandsOnly, &text, error))
            return false;
        argv->append(text);
        return true;
    }

    QString text;
    for (qsizetype i = 0; i < argument.pieces.size(); ++i) {
        const Piece &piece = argument.pieces.at(i);
        if (piece.placeholder.isEmpty()) {
            text += piece.text;
            continue;
        }
        const QJsonValue value = valueOf(piece.placeholder);
        if (value.isUndefined() || value.isNull())
            return true; // "--limit={limit}" without a limit: no argument at all
        if (value.isArray()) {
            *error = u"argument '%1' is a list, and a list fills only an argument of its own "
                     "(\"{%1}\")"_s.arg(piece.placeholder);
            return false;
        }
        QString valueText;
        if (!scalarText(piece.placeholder, value, i == 0, argument.operandsOnly, &valueText, error))
            return false;
        text += valueText;
    }
    argv->append(text);
    return true;
}

bool ArgvTemplate::scalarText(const QString &name, const QJsonValue &value, bool startsArgument,
                              bool operandsOnly, QString *text, QString *error) const
{
    switch (value.type()) {
    case QJsonValue::String:
        *text = value.toString();
        break;
    case QJsonValue::Double:
        *text = numberText(value.toDouble());
        break;
    case QJsonValue::Bool:
        *text = value.toBool() ? u"true"_s : u"false"_s;
        break;
    default:
        *error = u"argument '%1' must be a string, a number or true/false to go on a command "
                 "line"_s.arg(name);
        return false;
    }
    if (text->contains(QChar(u'\0'))) {
        *error =
            u"argument '%1' contains a NUL character, which no command line can carry"_s.arg(name);
        return false;
    }
    const bool allowed = m_properties.value(name).toObject().value("allowLeadingDash"_L1).toBool();
    if (startsArgument && !operandsOnly && !allowed && text->startsWith(u'-')) {
        *error = u"argument '%1' is %2, which starts with \"-\" and would be read as an option; "
                 "this tool takes such a value only after \"--\" in its args or where its "
                 "schema says \"allowLeadingDash\": true"_s.arg(name, quoted(text->left(40)));
        return false;
    }
    return true;
}

} // namespace heartline
