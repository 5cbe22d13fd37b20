#include "server/tools/upstream/jsonkeyorder.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace heartline {
namespace {

// A scanner over text QJsonDocument has accepted: it only has to find where values end.
class JsonScanner
{
public:
    explicit JsonScanner(const QByteArray &json)
        : m_json(json)
    {}

    // At an object: its keys in order, stopping at `wanted` when given (then positioned at
    // that member's value). False when not at an object or `wanted` is not a member.
    bool walkObject(const QString *wanted, QStringList *keys)
    {
        skipSpace();
        if (!consume('{'))
            return false;
        skipSpace();
        if (consume('}'))
            return wanted == nullptr;
        while (true) {
            skipSpace();
            const QString key = readString();
            skipSpace();
            consume(':');
            skipSpace();
            if (wanted && key == *wanted)
                return true;
            if (keys && !keys->contains(key))
                keys->append(key);
            skipValue();
            skipSpace();
            if (!consume(','))
                break;
        }
        return wanted == nullptr;
    }

private:
    void skipSpace()
    {
        while (m_pos < m_json.size() && QByteArrayView(" \t\r\n").contains(m_json.at(m_pos)))
            ++m_pos;
    }

    bool consume(char c)
    {
        if (m_pos < m_json.size() && m_json.at(m_pos) == c) {
            ++m_pos;
            return true;
        }
        return false;
    }

    // Past a string; returns it decoded (escapes and all) by QJsonDocument itself.
    QString readString()
    {
        const qsizetype start = m_pos;
        skipString();
        const QByteArray quoted = m_json.mid(start, m_pos - start);
        return QJsonDocument::fromJson('[' + quoted + ']').array().at(0).toString();
    }

    void skipString()
    {
        ++m_pos; // the opening quote
        while (m_pos < m_json.size() && m_json.at(m_pos) != '"')
            m_pos += m_json.at(m_pos) == '\\' ? 2 : 1;
        ++m_pos;
    }

    void skipValue()
    {
        int depth = 0;
        while (m_pos < m_json.size()) {
            const char c = m_json.at(m_pos);
            if (c == '"') {
                skipString();
                if (depth == 0)
                    return;
                continue;
            }
            if (depth == 0 && (c == ',' || c == '}' || c == ']'))
                return;
            if (c == '{' || c == '[')
                ++depth;
            else if (c == '}' || c == ']')
                --depth;
            ++m_pos;
            if (depth == 0 && (c == '}' || c == ']'))
                return;
        }
    }

    const QByteArray &m_json;
    qsizetype m_pos = 0;
};

} // namespace

QStringList jsonObjectKeysInOrder(const QByteArray &json, const QStringList &path)
{
    JsonScanner scanner(json);
    for (const QString &member : path) {
        if (!scanner.walkObject(&member, nullptr))
            return {};
    }
    QStringList keys;
    if (!scanner.walkObject(nullptr, &keys))
        return {};
    return keys;
}

} // namespace heartline
