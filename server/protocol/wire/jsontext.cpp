#include "server/protocol/wire/jsontext.h"

#include <QJsonArray>
#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace heartline {
namespace {

// Where QJsonParseError's offset points: one past the character that could not be read.
qsizetype offendingOffset(const QJsonParseError &error)
{
    return qMax(0, error.offset - 1);
}

// QJsonParseError's words for the mistakes people make by hand, in people's words. A value
// where a comma should be is reported by Qt as an unterminated object or array.
QString parseErrorReason(const QByteArray &text, const QJsonParseError &error)
{
    const qsizetype at = offendingOffset(error);
    const bool atEnd = at >= text.size() || error.offset >= text.size();
    switch (error.error) {
    case QJsonParseError::UnterminatedObject:
        return atEnd ? u"unterminated object (a missing closing brace)"_s : u"missing comma"_s;
    case QJsonParseError::UnterminatedArray:
        return atEnd ? u"unterminated array (a missing closing bracket)"_s : u"missing comma"_s;
    case QJsonParseError::MissingValueSeparator:
        return u"missing comma"_s;
    case QJsonParseError::MissingNameSeparator:
        return u"missing colon after a key"_s;
    case QJsonParseError::MissingObject:
        return u"a key is missing (a trailing comma?)"_s;
    case QJsonParseError::UnterminatedString:
        return u"unterminated string"_s;
    case QJsonParseError::IllegalValue:
        return u"not a JSON value (a trailing comma, a comment or a missing quote?)"_s;
    default:
        return error.errorString();
    }
}

} // namespace

QString describeJsonParseError(const QString &path, const QByteArray &text,
                               const QJsonParseError &error)
{
    // The offset is in UTF-8 bytes, the column in characters.
    const QByteArray before = text.left(offendingOffset(error));
    const qsizetype lineStart = before.lastIndexOf('\n') + 1;
    const qsizetype line = before.count('\n') + 1;
    const qsizetype column = QString::fromUtf8(before.mid(lineStart)).size() + 1;
    return u"%1:%2:%3: %4"_s.arg(path, QString::number(line), QString::number(column),
                                 parseErrorReason(text, error));
}

QString jsonChildPath(const QString &parent, const QString &step)
{
    // A separator no member name in a config file holds.
    return parent + QChar(0x1f) + step;
}

QHash<QString, QStringList> jsonKeyOrder(const QByteArray &json)
{
    // The text has parsed, so the scan can trust the syntax and only has to follow strings,
    // nesting, commas and colons.
    struct Frame
    {
        bool object = false;
        QString path;
        int index = 0;         // arrays: the element being read
        bool expectKey = true; // objects: the next string is a key
        QString lastKey;
    };
    QHash<QString, QStringList> order;
    QList<Frame> stack;
    auto pathOfNextValue = [&stack]() {
        if (stack.isEmpty())
            return QString();
        const Frame &top = stack.constLast();
        return jsonChildPath(top.path, top.object ? top.lastKey : QString::number(top.index));
    };
    for (qsizetype i = 0; i < json.size(); ++i) {
        const char c = json.at(i);
        if (c == '{' || c == '[') {
            Frame frame;
            frame.object = c == '{';
            frame.path = pathOfNextValue();
            if (frame.object)
                order[frame.path]; // an empty object is still an object
            stack.append(frame);
        } else if (c == '}' || c == ']') {
            if (!stack.isEmpty())
                stack.removeLast();
        } else if (c == ',') {
            if (!stack.isEmpty()) {
                Frame &top = stack.last();
                top.expectKey = true;
                ++top.index;
            }
        } else if (c == '"') {
            qsizetype end = i + 1;
            while (end < json.size() && json.at(end) != '"')
                end += json.at(end) == '\\' ? 2 : 1;
            if (!stack.isEmpty() && stack.constLast().object && stack.constLast().expectKey) {
                // Decode escapes the way the parser did: the key as QJsonObject knows it.
                const QByteArray literal = '[' + json.mid(i, end - i + 1) + ']';
                Frame &top = stack.last();
                top.lastKey = QJsonDocument::fromJson(literal).array().at(0).toString();
                top.expectKey = false;
                QStringList &keys = order[top.path];
                if (!keys.contains(top.lastKey))
                    keys.append(top.lastKey);
            }
            i = end;
        }
    }
    return order;
}

QStringList jsonObjectKeysInOrder(const QByteArray &json, const QStringList &path)
{
    QString objectPath;
    for (const QString &step : path)
        objectPath = jsonChildPath(objectPath, step);
    return jsonKeyOrder(json).value(objectPath);
}

} // namespace heartline
