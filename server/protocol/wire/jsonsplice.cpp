#include "server/protocol/wire/jsonsplice.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <optional>

using namespace Qt::StringLiterals;

namespace heartline {
namespace {

// A scanner over JSON text with comments: positions only, nothing decoded but member names.
class Scanner
{
public:
    explicit Scanner(const QByteArray &text)
        : m_text(text)
    {}

    qsizetype skipSpace(qsizetype at) const
    {
        while (at < m_text.size()) {
            const char c = m_text.at(at);
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                ++at;
            } else if (c == '/' && at + 1 < m_text.size() && m_text.at(at + 1) == '/') {
                const qsizetype end = m_text.indexOf('\n', at);
                at = end < 0 ? m_text.size() : end + 1;
            } else if (c == '/' && at + 1 < m_text.size() && m_text.at(at + 1) == '*') {
                const qsizetype end = m_text.indexOf("*/", at + 2);
                at = end < 0 ? m_text.size() : end + 2;
            } else {
                break;
            }
        }
        return at;
    }

    // The end of the string that starts at `at` (after its closing quote), or -1.
    qsizetype skipString(qsizetype at) const
    {
        for (qsizetype i = at + 1; i < m_text.size(); ++i) {
            if (m_text.at(i) == '\\')
                ++i;
            else if (m_text.at(i) == '"')
                return i + 1;
        }
        return -1;
    }

    // The end of the value that starts at `at`, or -1 when there is none.
    qsizetype skipValue(qsizetype at) const
    {
        if (at >= m_text.size())
            return -1;
        const char c = m_text.at(at);
        if (c == '"')
            return skipString(at);
        if (c == '{' || c == '[') {
            int depth = 0;
            for (qsizetype i = at; i < m_text.size(); i = skipSpace(i)) {
                const char d = m_text.at(i);
                if (d == '"') {
                    i = skipString(i);
                    if (i < 0)
                        return -1;
                    continue;
                }
                if (d == '{' || d == '[')
                    ++depth;
                else if ((d == '}' || d == ']') && --depth == 0)
                    return i + 1;
                ++i;
            }
            return -1;
        }
        qsizetype i = at;
        while (i < m_text.size()
               && QByteArrayView("+-.0123456789eEtrufalsn").contains(m_text.at(i)))
            ++i;
        return i > at ? i : -1;
    }

    struct Member
    {
        QString name;
        qsizetype keyStart;
        qsizetype valueStart;
        qsizetype valueEnd;
    };

    // The members of the object whose '{' is at `at`; nullopt when it is not a well-formed
    // object. `closing` gets the position of its '}'.
    std::optional<QList<Member>> members(qsizetype at, qsizetype *closing) const
    {
        QList<Member> found;
        qsizetype i = skipSpace(at + 1);
        if (i < m_text.size() && m_text.at(i) == '}') {
            *closing = i;
            return found;
        }
        while (i < m_text.size()) {
            if (m_text.at(i) != '"')
                return std::nullopt;
            const qsizetype keyEnd = skipString(i);
            if (keyEnd < 0)
                return std::nullopt;
            const QJsonDocument key =
                QJsonDocument::fromJson('[' + m_text.mid(i, keyEnd - i) + ']');
            qsizetype colon = skipSpace(keyEnd);
            if (!key.isArray() || colon >= m_text.size() || m_text.at(colon) != ':')
                return std::nullopt;
            const qsizetype valueStart = skipSpace(colon + 1);
            const qsizetype valueEnd = skipValue(valueStart);
            if (valueEnd < 0)
                return std::nullopt;
            found.append({key.array().at(0).toString(), i, valueStart, valueEnd});
            i = skipSpace(valueEnd);
            if (i < m_text.size() && m_text.at(i) == '}') {
                *closing = i;
                return found;
            }
            if (i >= m_text.size() || m_text.at(i) != ',')
                return std::nullopt;
            i = skipSpace(i + 1);
        }
        return std::nullopt;
    }

    // The whitespace that starts the line `at` is on.
    QByteArray lineIndent(qsizetype at) const
    {
        const qsizetype lineStart = m_text.lastIndexOf('\n', at - 1) + 1;
        qsizetype end = lineStart;
        while (end < m_text.size() && (m_text.at(end) == ' ' || m_text.at(end) == '\t'))
            ++end;
        return m_text.mid(lineStart, end - lineStart);
    }

    // The text with every comment blanked out (newlines kept), for QJsonDocument to judge.
    QByteArray withoutComments() const
    {
        QByteArray plain = m_text;
        for (qsizetype i = 0; i < plain.size();) {
            if (plain.at(i) == '"') {
                const qsizetype end = skipString(i);
                i = end < 0 ? plain.size() : end;
                continue;
            }
            const qsizetype end = skipSpace(i);
            for (qsizetype j = i; j < end; ++j) {
                if (plain.at(j) != '\n')
                    plain[j] = ' ';
            }
            i = end > i ? end : i + 1;
        }
        return plain;
    }

private:
    const QByteArray &m_text;
};

// `json` with every line after the first indented by `indent` more.
QByteArray indented(const QByteArray &json, const QByteArray &indent)
{
    QByteArray out = json.trimmed();
    out.replace("\n", QByteArray("\n" + indent));
    return out;
}

QByteArray quotedName(const QString &name)
{
    return QJsonDocument(QJsonArray{name}).toJson(QJsonDocument::Compact).mid(1).chopped(1);
}

// {"b": {"c": value}} for the steps of `path` after `from`, which the text does not have yet.
QByteArray nested(const QStringList &path, qsizetype from, const QByteArray &valueJson)
{
    QByteArray value = valueJson.trimmed();
    for (qsizetype i = path.size() - 1; i > from; --i)
        value = "{\n    " + quotedName(path.at(i)) + ": " + indented(value, "    ") + "\n}";
    return value;
}

// The top-level object's '{' in `text`, which must be that one object (and comments) and
// well-formed JSON: a file that is not is never written into.
bool findTopObject(const Scanner &scanner, const QByteArray &text, qsizetype *object,
                   QString *error)
{
    *object = scanner.skipSpace(0);
    if (*object >= text.size() || text.at(*object) != '{') {
        *error = u"the file is not a JSON object"_s;
        return false;
    }
    const qsizetype objectEnd = scanner.skipValue(*object); // -1: cut short
    if (objectEnd < 0 || scanner.skipSpace(objectEnd) != text.size()) {
        *error = u"the file is not one JSON object (something follows it, or it is cut short)"_s;
        return false;
    }
    // The scanner finds members but does not judge literals or numbers.
    QJsonParseError parseError;
    if (QJsonDocument::fromJson(scanner.withoutComments(), &parseError).isNull()) {
        *error = u"the file is not well-formed JSON (%1 at byte %2)"_s.arg(parseError.errorString())
                     .arg(parseError.offset);
        return false;
    }
    return true;
}

} // namespace

bool setJsonMember(QByteArray *text, const QStringList &path, const QByteArray &valueJson,
                   QString *error)
{
    const Scanner scanner(*text);
    qsizetype object = -1;
    if (!findTopObject(scanner, *text, &object, error))
        return false;
    for (qsizetype step = 0; step < path.size(); ++step) {
        qsizetype closing = -1;
        const auto members = scanner.members(object, &closing);
        if (!members) {
            *error = u"the file is not well-formed JSON near byte %1"_s.arg(object);
            return false;
        }
        const Scanner::Member *found = nullptr;
        for (const Scanner::Member &member : *members) {
            if (member.name == path.at(step))
                found = &member; // the last of duplicates is the one readers keep
        }
        if (found && step + 1 < path.size()) {
            if (text->at(found->valueStart) != '{') {
                *error =
                    u"\"%1\" in the file is not an object"_s.arg(path.mid(0, step + 1).join(u'.'));
                return false;
            }
            object = found->valueStart;
            continue;
        }
        if (found) {
            const QByteArray indent = scanner.lineIndent(found->keyStart);
            text->replace(found->valueStart, found->valueEnd - found->valueStart,
                          indented(valueJson, indent));
            return true;
        }
        // Not there: insert it first in its object, indented like the members already there.
        const QByteArray member = quotedName(path.at(step)) + ": " + nested(path, step, valueJson);
        if (members->isEmpty()) {
            const QByteArray outer = scanner.lineIndent(closing);
            const QByteArray inner = outer + "  ";
            text->replace(object + 1, closing - object - 1,
                          QByteArray("\n" + inner + indented(member, inner) + "\n" + outer));
        } else {
            const qsizetype first = members->first().keyStart;
            const bool ownLine = text->mid(object + 1, first - object - 1).contains('\n');
            if (ownLine) {
                const QByteArray indent = scanner.lineIndent(first);
                text->insert(object + 1, "\n" + indent + indented(member, indent) + ",");
            } else {
                text->insert(object + 1, member + ", ");
            }
        }
        return true;
    }
    *error = u"no member named"_s;
    return false;
}

namespace {

// removeJsonMember for one member: the last of that name, as QJsonDocument reads it.
bool removeOneJsonMember(QByteArray *text, const QStringList &path, QString *error)
{
    const Scanner scanner(*text);
    qsizetype object = -1;
    if (path.isEmpty() || !findTopObject(scanner, *text, &object, error))
        return false;
    for (qsizetype step = 0; step < path.size(); ++step) {
        qsizetype closing = -1;
        const auto members = scanner.members(object, &closing);
        if (!members) {
            *error = u"the file is not well-formed JSON near byte %1"_s.arg(object);
            return false;
        }
        qsizetype at = -1;
        for (qsizetype i = 0; i < members->size(); ++i) {
            if (members->at(i).name == path.at(step))
                at = i;
        }
        if (at < 0) {
            *error = u"it has no \"%1\""_s.arg(path.mid(0, step + 1).join(u'.'));
            return false;
        }
        const Scanner::Member &member = members->at(at);
        if (step + 1 < path.size()) {
            if (text->at(member.valueStart) != '{') {
                *error =
                    u"\"%1\" in the file is not an object"_s.arg(path.mid(0, step + 1).join(u'.'));
                return false;
            }
            object = member.valueStart;
            continue;
        }
        if (members->size() == 1) {
            // The only member: the object is left empty.
            text->remove(object + 1, closing - object - 1);
            return true;
        }
        if (at + 1 < members->size()) {
            // Not the last: up to the next member when that shares a line with it; else its
            // whole line, and a comma on the next member's line (comma-first style) with it,
            // that line's indent kept.
            const qsizetype lineStart = text->lastIndexOf('\n', member.keyStart - 1) + 1;
            const bool ownLine =
                text->mid(lineStart, member.keyStart - lineStart).trimmed().isEmpty();
            const qsizetype comma = scanner.skipSpace(member.valueEnd);
            const qsizetype next = members->at(at + 1).keyStart;
            const qsizetype nextLineStart = text->lastIndexOf('\n', next - 1) + 1;
            if (!ownLine || nextLineStart <= member.valueEnd) {
                text->remove(member.keyStart, next - member.keyStart);
                return true;
            }
            if (comma >= nextLineStart)
                text->remove(comma, next - comma);
            text->remove(lineStart, nextLineStart - lineStart);
            return true;
        }
        // The last: from the comma after the member before it to its own end.
        const qsizetype comma = scanner.skipSpace(members->at(at - 1).valueEnd);
        text->remove(comma, member.valueEnd - comma);
        return true;
    }
    return false;
}

} // namespace

bool removeJsonMember(QByteArray *text, const QStringList &path, QString *error)
{
    if (!removeOneJsonMember(text, path, error))
        return false;
    // A name given twice goes every time: with the last removed, a reader would find the one
    // before it (found by fuzz_jsonsplice).
    QString noMore;
    while (removeOneJsonMember(text, path, &noMore)) {
    }
    return true;
}

} // namespace heartline
