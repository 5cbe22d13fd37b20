#include "server/core/configdocument.h"

#include "server/protocol/wire/jsontext.h"

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
const auto kCommandTools = "commandTools"_L1;
constexpr qint64 kMaxFileBytes = 16 * 1024 * 1024;

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
        writeValue(object.value(keys.at(i)), jsonChildPath(path, keys.at(i)), keyOrder, depth + 1,
                   out);
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
            writeValue(array.at(i), jsonChildPath(path, QString::number(i)), keyOrder, depth + 1,
                       out);
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
        *error = describeJsonParseError(path, *text, parseError);
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
    m_keyOrder = jsonKeyOrder(text);
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

bool ConfigDocument::hasCommandTool(const QString &name) const
{
    return m_root.value(kCommandTools).toObject().contains(name);
}

void ConfigDocument::setCommandTool(const QString &name, const QJsonObject &entry)
{
    QJsonObject all = m_root.value(kCommandTools).toObject();
    all.insert(name, entry);
    m_root.insert(kCommandTools, all);
}

bool ConfigDocument::removeCommandTool(const QString &name)
{
    QJsonObject all = m_root.value(kCommandTools).toObject();
    if (!all.contains(name))
        return false;
    all.remove(name);
    m_root.insert(kCommandTools, all);
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
