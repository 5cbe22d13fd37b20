#pragma once

#include "app/secretfile.h"
#include "server/tools/upstream/secretreferences.h"

#include <QObject>
#include <QPointer>
#include <QString>
#include <QStringList>

#include <functional>
#include <memory>

namespace heartline {

class KeyringWorker;

// Where `${secret:NAME}` values live: the desktop's keyring through QtKeychain (Secret Service
// or KWallet, service "Heartline", the secret's name as the key), or, where no keyring answers,
// the 0600 SecretFile beside the config (said once in the log, with the reason).
//
// Every call is made on the application's thread and answers later there, to `context` (nothing
// is answered once it is gone): the keyring is asked on a thread of its own, whose loop is Qt's
// GLib one, since libsecret answers through a GLib main context (the headless loop is epoll,
// not GLib) and detecting KWallet is a blocking D-Bus call. Nothing is started before the first
// call: a config without secrets never touches D-Bus.
class SecretVault final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SecretVault)

public:
    // The keyring's service name: the secrets appear as "Heartline" in Seahorse and KWallet.
    static constexpr const char *kService = "Heartline";
    // A lookup the keyring leaves unanswered this long (a locked keyring's prompt nobody sees)
    // becomes a problem for those names; the next lookup asks again.
    static constexpr int kDefaultAnswerTimeoutMs = 30'000;

    struct Outcome
    {
        bool ok = false;
        QString where; // "the keyring" or the file's path
        QString error;
    };
    using LookUpDone = std::function<void(const SecretValues &)>;
    using Done = std::function<void(const Outcome &)>;

    // `fallbackFile`: the secrets file's path (SecretFile), beside the config file.
    explicit SecretVault(const QString &fallbackFile, QObject *parent = nullptr);
    ~SecretVault() override;

    // Where the secrets file for the config file `configPath` lives.
    static QString fallbackFileFor(const QString &configPath);

    QString fallbackFile() const { return m_fallbackFile; }
    void setAnswerTimeoutMs(int timeoutMs) { m_answerTimeoutMs = timeoutMs; }

    // Each name's value, or a problem: in the keyring, else in the file; neither is "not in the
    // keyring nor in FILE".
    void lookUp(const QStringList &names, QObject *context, LookUpDone done);
    // In the keyring (and then out of the file, so no stale copy is left), else in the file.
    void store(const QString &name, const QString &value, QObject *context, Done done);
    // From both.
    void remove(const QString &name, QObject *context, Done done);

private:
    KeyringWorker *worker();

    const QString m_fallbackFile;
    int m_answerTimeoutMs = kDefaultAnswerTimeoutMs;
    KeyringWorker *m_worker = nullptr; // on the keyring's thread, deleted there
};

} // namespace heartline
