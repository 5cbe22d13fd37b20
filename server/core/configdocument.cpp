#include "server/core/configdocument.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QSaveFile>

using namespace Qt::StringLiterals;

namespace heartline {
namespace {

Q_LOGGING_CATEGORY(lcConfigDocument, "heartline.server.configdocument")

const auto kServers = "mcpServers"_L1;
constexpr qint64 kMaxFileBytes = 16 * 1024 * 1024;

// Where an object sits in the document: its keys and array indexes joined by a separator that
// no sane key contains, so "mcpServers" -> "filesystem" differs from a key "mcpServers.filesystem".
QString childPath(const QString &parent, const QString &step)
{
    return parent + QChar(0x1f) + step;
}

// "LINE:COLUMN" (both from 1) of a byte offset, for the error a text editor can jump to.
QString lineAndColumn(const QByteArray &text, qsizetype offset)
{
    offset = qBound<qsizetype>(0, offset, text.size());
    const QByteArray before = text.left(offset);
    const qsizetype line = before.count('\n') + 1;
    const qsizetype column = offset - (before.lastIndexOf('\n') + 1) + 1;
    return u"%1:%2"_s.arg(line).arg(column);
}

// The order of every object's keys in `text`, which QJsonDocument has already accepted (so the
// scan can trust the syntax and only has to follow strings, nesting, commas and colons).
QHash<QString, QStringList> keyOrderOf(const QByteArray &text)
{
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
        return childPath(top.path, top.object ? top.lastKey : QString::number(top.index));
    };
    for (qsizetype i = 0; i < text.size(); ++i) {
        const char c = text.at(i);
        if (c == '{' || c == '[') {
            Frame frame;
            frame.object = c == '{';
            frame.path = pathOfNextValue();
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
            while (end < text.size() && text.at(end) != '"')
                end += text.at(end) == '\\' ? 2 : 1;
            if (!stack.isEmpty() && stack.constLast().object && stack.constLast().expectKey) {
                // Decode escapes the way the parser did: the key as QJsonObject knows it.
                const QByteArray literal = '[' + text.mid(i, end - i + 1) + ']';
                Frame &top = stack.last();
                top.lastKey = QJsonDocument::fromJson(literal).array().at(0).toString();
                top.expectKey = false;
                order[top.path].append(top.lastKey);
            }
            i = end;
        }
    }
    return order;
}

// One scalar as JSON text, escaped exactly as QJsonDocument escapes it.
QByteArray scalarJson(const QJsonValue &value)
{
    const QByteArray wrapped = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return wrapped.mid(1, wrapped.size() - 2);
}

void writeValue(const QJsonValue &value, const QString &path,
                const QHash<QString, QStringList> &keyOrder, int depth, QByteArray *out);

void writeObject(const QJsonObject &object, const QString &path,
                 const QHash<QString, QStringList> &keyOrder, int depth, QByteArray *out)
{
    if (object.isEmpty()) {
        out->append("{}");
        return;
    }
    QStringList keys;
    for (const QString &key : keyOrder.value(path))
        if (object.contains(key) && !keys.contains(key))
            keys.append(key);
    for (const QString &key : object.keys())
        if (!keys.contains(key))
            keys.append(key);

    const QByteArray indent((depth + 1) * 4, ' ');
    out->append("{\n");
    for (qsizetype i = 0; i < keys.size(); ++i) {
        out->append(indent + scalarJson(keys.at(i)) + ": ");
        writeValue(object.value(keys.at(i)), childPath(path, keys.at(i)), keyOrder, depth + 1, out);
        out->append(i + 1 < keys.size() ? ",\n" : "\n");
    }
    out->append(QByteArray(depth * 4, ' ') + '}');
}

void writeValue(const QJsonValue &value, const QString &path,
                const QHash<QString, QStringList> &keyOrder, int depth, QByteArray *out)
{
    if (value.isObject()) {
        writeObject(value.toObject(), path, keyOrder, depth, out);
    } else if (value.isArray()) {
        const QJsonArray array = value.toArray();
        if (array.isEmpty()) {
            out->append("[]");
            return;
        }
        const QByteArray indent((depth + 1) * 4, ' ');
        out->append("[\n");
        for (qsizetype i = 0; i < array.size(); ++i) {
            out->append(indent);
            writeValue(array.at(i), childPath(path, QString::number(i)), keyOrder, depth + 1, out);
            out->append(i + 1 < array.size() ? ",\n" : "\n");
        }
        out->append(QByteArray(depth * 4, ' ') + ']');
    } else {
        out->append(scalarJson(value));
    }
}

// Reads and parses `path`; a missing file is an empty object.
bool readObject(const QString &path, QJsonObject *root, QByteArray *text, QString *error)
{
    QFile file(path);
    if (!file.exists()) {
        *root = {};
        text->clear();
        return true;
    }
    if (!file.open(QIODevice::ReadOnly)) {
        *error = u"%1: cannot read: %2"_s.arg(path, file.errorString());
        return false;
    }
    if (file.size() > kMaxFileBytes) {
        *error = u"%1: larger than %2 bytes, not a config file"_s.arg(path).arg(kMaxFileBytes);
        return false;
    }
    *text = file.readAll();
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(*text, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        *error = u"%1:%2: %3"_s.arg(path, lineAndColumn(*text, parseError.offset),
                                    parseError.errorString());
        return false;
    }
    if (!document.isObject()) {
        *error = u"%1:1:1: the file must hold one JSON object"_s.arg(path);
        return false;
    }
    *root = document.object();
    return true;
}

} // namespace

ConfigDocument::ConfigDocument(QString path)
    : m_path(std::move(path))
{}

bool ConfigDocument::load(QString *error)
{
    QByteArray text;
    m_loaded = readObject(m_path, &m_root, &text, error);
    if (!m_loaded) {
        m_root = {};
        m_keyOrder.clear();
        return false;
    }
    m_keyOrder = keyOrderOf(text);
    return true;
}

QJsonObject ConfigDocument::servers() const
{
    return m_root.value(kServers).toObject();
}

bool ConfigDocument::hasServer(const QString &name) const
{
    return servers().contains(name);
}

QJsonObject ConfigDocument::server(const QString &name) const
{
    return servers().value(name).toObject();
}

void ConfigDocument::setServer(const QString &name, const QJsonObject &entry)
{
    QJsonObject all = servers();
    all.insert(name, entry);
    m_root.insert(kServers, all);
}

bool ConfigDocument::removeServer(const QString &name)
{
    QJsonObject all = servers();
    if (!all.contains(name))
        return false;
    all.remove(name);
    m_root.insert(kServers, all);
    return true;
}

void ConfigDocument::setServerKey(const QString &name, const QString &key, const QJsonValue &value)
{
    QJsonObject entry = server(name);
    if (value.isUndefined())
        entry.remove(key);
    else
        entry.insert(key, value);
    setServer(name, entry);
}

bool ConfigDocument::setDisabledTools(const QString &name, const QStringList &tools)
{
    if (!hasServer(name))
        return false;
    setServerKey(name, u"disabledTools"_s,
                 tools.isEmpty() ? QJsonValue(QJsonValue::Undefined)
                                 : QJsonValue(QJsonArray::fromStringList(tools)));
    return true;
}

bool ConfigDocument::setEnabled(const QString &name, bool enabled)
{
    if (!hasServer(name))
        return false;
    setServerKey(name, u"enabled"_s, enabled);
    // Windsurf's spelling says the opposite and would win over `enabled` when read back.
    setServerKey(name, u"disabled"_s, QJsonValue::Undefined);
    return true;
}

QByteArray ConfigDocument::toJson() const
{
    QByteArray out;
    writeObject(m_root, QString(), m_keyOrder, 0, &out);
    return out + '\n';
}

bool ConfigDocument::save(QString *error) const
{
    if (!m_loaded) {
        *error = u"%1: not saved: the file was not loaded (or did not parse)"_s.arg(m_path);
        return false;
    }
    // The user may have edited the file since load(); a file they broke is theirs to fix,
    // never ours to replace.
    QJsonObject onDisk;
    QByteArray text;
    if (!readObject(m_path, &onDisk, &text, error)) {
        *error = u"not saved: "_s + *error;
        return false;
    }

    const QFileInfo info(m_path);
    if (!QDir().mkpath(info.absolutePath())) {
        *error = u"%1: cannot create the folder %2"_s.arg(m_path, info.absolutePath());
        return false;
    }
    const bool existed = info.exists();
    QSaveFile file(m_path);
    if (!file.open(QIODevice::WriteOnly)) {
        *error = u"%1: cannot write: %2"_s.arg(m_path, file.errorString());
        return false;
    }
    // QSaveFile copies an existing file's permissions; a new file may hold tokens.
    if (!existed)
        file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    file.write(toJson());
    if (!file.commit()) {
        *error = u"%1: cannot write: %2"_s.arg(m_path, file.errorString());
        return false;
    }
    qCDebug(lcConfigDocument) << "saved" << m_path;
    return true;
}

} // namespace heartline
