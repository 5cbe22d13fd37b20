#pragma once

#include <QJsonObject>
#include <QString>

namespace heartline {

// Where secrets are kept when no keyring answers (a headless machine, no session bus): a JSON
// object of name to value in a file only its owner may read (0600), beside the config file.
// A file others can read is refused, as ssh refuses such a key: its secrets are no longer
// secret, and the message says how to fix it.
class SecretFile final
{
public:
    explicit SecretFile(QString path);

    QString path() const { return m_path; }

    enum class Found { Yes, No, Unreadable };
    // Unreadable: the file exists but cannot be used (mode, JSON); `problem` says why.
    Found read(const QString &name, QString *value, QString *problem) const;
    // Written through a temporary file, created 0600, renamed over the old one.
    bool write(const QString &name, const QString &value, QString *error) const;
    // True when `name` is gone (or never was there).
    bool remove(const QString &name, QString *error) const;

private:
    bool load(QJsonObject *secrets, QString *problem) const;
    bool save(const QJsonObject &secrets, QString *error) const;

    QString m_path;
};

} // namespace heartline
