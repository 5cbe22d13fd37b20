#pragma once

#include <QList>
#include <QObject>
#include <QPair>
#include <QString>
#include <QStringList>

#include <functional>

namespace heartline {

// Where the window keeps a value the person marked secret (an API key in a server's
// environment, a token in its headers): the desktop's keyring, or the 0600 file beside the
// config where no keyring answers. The config file then names it as ${secret:NAME}. The app
// implements it over its SecretVault; null where there is none (then values stay in the file).
class SecretKeeper
{
public:
    struct Stored
    {
        bool ok = false;
        QString where; // "the keyring", or the file's path
        QString error;
    };
    using Done = std::function<void(const Stored &)>;

    virtual ~SecretKeeper() = default;

    // Keeps `value` as `name`; `done` runs later on this thread, unless `context` is gone.
    virtual void store(const QString &name, const QString &value, QObject *context, Done done) = 0;

    // Keeps each of `namedValues` (name, value); `done` gets the names kept and, if any could
    // not be, the first reason ("NAME: why"). Runs once, after the last answer.
    using AllDone = std::function<void(const QStringList &kept, const QString &failure)>;
    void storeAll(const QList<QPair<QString, QString>> &namedValues, QObject *context,
                  AllDone done);

    // A name that reads like a credential (KEY, TOKEN, SECRET, PASSWORD, AUTH, ...).
    static bool looksSecret(const QString &name);
    // The name a server's secret value is kept under: "SERVER.KEY" in a secret's alphabet.
    static QString nameFor(const QString &server, const QString &key);
    // The ${secret:NAME} form, and whether `value` is exactly one.
    static QString reference(const QString &name);
    static bool isReference(const QString &value);

protected:
    SecretKeeper() = default;
    SecretKeeper(const SecretKeeper &) = default;
    SecretKeeper &operator=(const SecretKeeper &) = default;
};

} // namespace heartline
