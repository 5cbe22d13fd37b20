#include "app/secretvault.h"

#include <qt6keychain/keychain.h>

#include <QCoreApplication>
#include <QDBusConnection>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QThread>
#include <QTimer>

#include <memory>

using namespace Qt::StringLiterals;

namespace heartline {

Q_LOGGING_CATEGORY(lcSecrets, "heartline.secrets")

namespace {

// Errors that mean "no keyring here" rather than "the keyring said no": D-Bus not reachable,
// no Secret Service or KWallet answering the name, a backend this build lacks.
bool meansNoKeyring(QKeychain::Error error)
{
    return error == QKeychain::NoBackendAvailable || error == QKeychain::NotImplemented
           || error == QKeychain::OtherError;
}

// A reply made on the keyring's thread, delivered on the application's, to `context` if it is
// still there (checked where it lives).
template<typename Result>
std::function<void(const Result &)> crossBack(QObject *context,
                                              std::function<void(const Result &)> done)
{
    QPointer<QObject> caller(context);
    return [caller, done = std::move(done)](const Result &result) {
        QMetaObject::invokeMethod(QCoreApplication::instance(), [caller, done, result]() {
            if (caller)
                done(result);
        });
    };
}

// One thread for every vault, for the whole run: QtKeychain queues its jobs in a singleton
// that lives on the thread of the first job, so a second thread's jobs would wait forever on
// a finished one. It ends with the application.
QThread *keyringThread()
{
    static QThread *thread = []() {
        auto *started = new QThread;
        started->setObjectName(u"heartline-keyring"_s);
        started->start();
        qAddPostRoutine([]() {
            QThread *ending = keyringThread();
            ending->quit();
            ending->wait();
            delete ending;
        });
        return started;
    }();
    return thread;
}

// A QtKeychain job for `name` under Heartline's service, deleted once finished, never falling
// back to QtKeychain's own plain-text store (the SecretFile is Heartline's fallback).
template<typename Job>
Job *keyringJob(QObject *parent, const QString &name)
{
    auto *job = new Job(QString::fromLatin1(SecretVault::kService), parent);
    job->setAutoDelete(true);
    job->setInsecureFallback(false);
    job->setKey(name);
    return job;
}

struct LookUpBatch
{
    QStringList names;
    SecretValues found;
    qsizetype pending = 0;
    bool answered = false;
    std::function<void(const SecretValues &)> reply;

    void settle(const QString &name, const QString *value, const QString &problem)
    {
        if (answered)
            return;
        if (value)
            found.values.insert(name, *value);
        else
            found.problems.insert(name, problem);
        if (--pending == 0)
            answer();
    }
    void answer()
    {
        answered = true;
        reply(found);
    }
};

} // namespace

// On the vault's thread: asks QtKeychain, falls back to the file.
class KeyringWorker final : public QObject
{
public:
    KeyringWorker(const QString &fallbackFile, int answerTimeoutMs)
        : m_file(fallbackFile)
        , m_answerTimeoutMs(answerTimeoutMs)
    {}

    void lookUp(const QStringList &names, std::function<void(const SecretValues &)> reply)
    {
        auto batch = std::make_shared<LookUpBatch>();
        batch->names = names;
        batch->pending = names.size();
        batch->reply = std::move(reply);
        if (names.isEmpty()) {
            batch->answer();
            return;
        }
        QTimer::singleShot(m_answerTimeoutMs, this, [this, batch]() {
            if (batch->answered)
                return;
            for (const QString &name : std::as_const(batch->names)) {
                if (!batch->found.values.contains(name) && !batch->found.problems.contains(name))
                    batch->found.problems.insert(
                        name, u"the keyring did not answer in %1 s (is it locked?)"_s.arg(
                                  m_answerTimeoutMs / 1000));
            }
            batch->answer();
        });
        for (const QString &name : names) {
            if (!SecretReferences::isValidName(name)) {
                batch->settle(name, nullptr, u"not a secret's name"_s);
                continue;
            }
            QString why;
            if (!keyringReachable(&why)) {
                readFile(name, batch, why);
                continue;
            }
            auto *job = keyringJob<QKeychain::ReadPasswordJob>(this, name);
            connect(job, &QKeychain::Job::finished, this, [this, job, name, batch]() {
                if (job->error() == QKeychain::NoError) {
                    const QString value = job->textData();
                    batch->settle(name, &value, {});
                } else if (job->error() == QKeychain::EntryNotFound) {
                    readFile(name, batch, {});
                } else if (meansNoKeyring(job->error())) {
                    readFile(name, batch, job->errorString());
                } else {
                    batch->settle(name, nullptr,
                                  u"the keyring refused (%1)"_s.arg(job->errorString()));
                }
            });
            job->start();
        }
    }

    void store(const QString &name, const QString &value,
               std::function<void(const SecretVault::Outcome &)> reply)
    {
        QString why;
        if (!keyringReachable(&why)) {
            reply(writeFile(name, value, why));
            return;
        }
        auto *job = keyringJob<QKeychain::WritePasswordJob>(this, name);
        job->setTextData(value);
        connect(job, &QKeychain::Job::finished, this, [this, job, name, value, reply]() {
            if (job->error() == QKeychain::NoError) {
                // A copy left in the file would outlive the one the person just changed.
                QString ignored;
                m_file.remove(name, &ignored);
                reply({true, u"the keyring"_s, {}});
            } else if (meansNoKeyring(job->error())) {
                reply(writeFile(name, value, job->errorString()));
            } else {
                reply({false, {}, u"the keyring refused (%1)"_s.arg(job->errorString())});
            }
        });
        job->start();
    }

    void remove(const QString &name, std::function<void(const SecretVault::Outcome &)> reply)
    {
        const auto removeFromFile = [this, name, reply](const QString &keyringError) {
            QString error;
            if (!m_file.remove(name, &error))
                reply({false, {}, error});
            else if (!keyringError.isEmpty())
                reply({false, {}, u"the keyring refused (%1)"_s.arg(keyringError)});
            else
                reply({true, {}, {}});
        };
        QString why;
        if (!keyringReachable(&why)) {
            removeFromFile({});
            return;
        }
        auto *job = keyringJob<QKeychain::DeletePasswordJob>(this, name);
        connect(job, &QKeychain::Job::finished, this, [job, removeFromFile]() {
            const bool gone = job->error() == QKeychain::NoError
                              || job->error() == QKeychain::EntryNotFound
                              || meansNoKeyring(job->error());
            removeFromFile(gone ? QString() : job->errorString());
        });
        job->start();
    }

private:
    bool keyringReachable(QString *why) const
    {
        if (QDBusConnection::sessionBus().isConnected())
            return true;
        *why = u"no D-Bus session bus"_s;
        return false;
    }

    // Said once per run: every later secret comes from the same place for the same reason.
    void noteNoKeyring(const QString &why)
    {
        if (m_saidNoKeyring)
            return;
        m_saidNoKeyring = true;
        qCWarning(lcSecrets).noquote()
            << u"no keyring answered (%1); secrets are kept in %2 (readable by you only)"_s.arg(
                   why, m_file.path());
    }

    // `noKeyring`: why the keyring was not asked or did not answer; empty when it answered
    // that it has no such secret.
    void readFile(const QString &name, const std::shared_ptr<LookUpBatch> &batch,
                  const QString &noKeyring)
    {
        if (!noKeyring.isEmpty())
            noteNoKeyring(noKeyring);
        QString value;
        QString problem;
        switch (m_file.read(name, &value, &problem)) {
        case SecretFile::Found::Yes:
            batch->settle(name, &value, {});
            break;
        case SecretFile::Found::No:
            batch->settle(name, nullptr,
                          noKeyring.isEmpty()
                              ? u"not in the keyring nor in %1"_s.arg(m_file.path())
                              : u"not in %1 (no keyring: %2)"_s.arg(m_file.path(), noKeyring));
            break;
        case SecretFile::Found::Unreadable:
            batch->settle(name, nullptr, problem);
            break;
        }
    }

    SecretVault::Outcome writeFile(const QString &name, const QString &value,
                                   const QString &noKeyring)
    {
        noteNoKeyring(noKeyring);
        QString error;
        if (!m_file.write(name, value, &error))
            return {false, {}, error};
        return {true, m_file.path(), {}};
    }

    SecretFile m_file;
    const int m_answerTimeoutMs;
    bool m_saidNoKeyring = false;
};

SecretVault::SecretVault(const QString &fallbackFile, QObject *parent)
    : QObject(parent)
    , m_fallbackFile(fallbackFile)
{}

SecretVault::~SecretVault()
{
    // With the keyring jobs it parents; their answers, if any come, reach nobody.
    if (m_worker)
        QMetaObject::invokeMethod(m_worker, &QObject::deleteLater);
}

QString SecretVault::fallbackFileFor(const QString &configPath)
{
    return QFileInfo(configPath).absolutePath() + u"/secrets.json"_s;
}

KeyringWorker *SecretVault::worker()
{
    if (!m_worker) {
        m_worker = new KeyringWorker(m_fallbackFile, m_answerTimeoutMs);
        m_worker->moveToThread(keyringThread());
    }
    return m_worker;
}

void SecretVault::lookUp(const QStringList &names, QObject *context, LookUpDone done)
{
    auto reply = crossBack<SecretValues>(context, std::move(done));
    KeyringWorker *keyring = worker();
    QMetaObject::invokeMethod(keyring,
                              [keyring, names, reply]() { keyring->lookUp(names, reply); });
}

void SecretVault::store(const QString &name, const QString &value, QObject *context, Done done)
{
    auto reply = crossBack<Outcome>(context, std::move(done));
    KeyringWorker *keyring = worker();
    QMetaObject::invokeMethod(
        keyring, [keyring, name, value, reply]() { keyring->store(name, value, reply); });
}

void SecretVault::remove(const QString &name, QObject *context, Done done)
{
    auto reply = crossBack<Outcome>(context, std::move(done));
    KeyringWorker *keyring = worker();
    QMetaObject::invokeMethod(keyring, [keyring, name, reply]() { keyring->remove(name, reply); });
}

} // namespace heartline
