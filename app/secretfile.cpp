#include "app/secretfile.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

using namespace Qt::StringLiterals;

namespace heartline {
namespace {

constexpr QFileDevice::Permissions kOwnerOnly = QFileDevice::ReadOwner | QFileDevice::WriteOwner;
constexpr QFileDevice::Permissions kOthers = QFileDevice::ReadGroup | QFileDevice::WriteGroup
                                             | QFileDevice::ExeGroup | QFileDevice::ReadOther
                                             | QFileDevice::WriteOther | QFileDevice::ExeOther;

} // namespace

SecretFile::SecretFile(QString path)
    : m_path(std::move(path))
{}

bool SecretFile::load(QJsonObject *secrets, QString *problem) const
{
    QFile file(m_path);
    if (!file.exists()) {
        *secrets = {};
        return true;
    }
    if (file.permissions() & kOthers) {
        *problem = u"%1 can be read by other users; run: chmod 600 %1"_s.arg(m_path);
        return false;
    }
    if (!file.open(QIODevice::ReadOnly)) {
        *problem = u"%1: %2"_s.arg(m_path, file.errorString());
        return false;
    }
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &error);
    if (error.error != QJsonParseError::NoError || !document.isObject()) {
        *problem = u"%1 is not a JSON object of secret names to values"_s.arg(m_path);
        return false;
    }
    *secrets = document.object();
    return true;
}

SecretFile::Found SecretFile::read(const QString &name, QString *value, QString *problem) const
{
    QJsonObject secrets;
    if (!load(&secrets, problem))
        return Found::Unreadable;
    const QJsonValue found = secrets.value(name);
    if (!found.isString())
        return Found::No;
    *value = found.toString();
    return Found::Yes;
}

bool SecretFile::save(const QJsonObject &secrets, QString *error) const
{
    QDir().mkpath(QFileInfo(m_path).absolutePath());
    QSaveFile file(m_path);
    // 0600 before the first byte: the temporary file is never readable by anyone else.
    if (!file.open(QIODevice::WriteOnly) || !file.setPermissions(kOwnerOnly)) {
        *error = u"%1: %2"_s.arg(m_path, file.errorString());
        return false;
    }
    file.write(QJsonDocument(secrets).toJson(QJsonDocument::Indented));
    if (!file.commit()) {
        *error = u"%1: %2"_s.arg(m_path, file.errorString());
        return false;
    }
    return true;
}

bool SecretFile::write(const QString &name, const QString &value, QString *error) const
{
    QJsonObject secrets;
    if (!load(&secrets, error))
        return false;
    secrets.insert(name, value);
    return save(secrets, error);
}

bool SecretFile::remove(const QString &name, QString *error) const
{
    QJsonObject secrets;
    if (!load(&secrets, error))
        return false;
    if (!secrets.contains(name))
        return true;
    secrets.remove(name);
    return save(secrets, error);
}

} // namespace heartline
