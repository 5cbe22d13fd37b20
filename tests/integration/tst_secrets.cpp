// ${secret:NAME} end to end, through the real heartline binary run headless: the token, a
// hosted server's env and a command tool's env name secrets; the values come from a real
// keyring (gnome-keyring-daemon on a private session bus, tests/support/with_keyring.sh, the
// secrets stored with secret-tool as Seahorse would) or, with no keyring, from the 0600 file
// beside the config. A secret nobody stored is an error on the one server that names it; the
// others run, and the literal "${secret:...}" never reaches a program.

#include "tests/support/heartlineprocess.h"
#include "tests/support/keyringtool.h"
#include "tests/support/mcptestsupport.h"
#include "tests/support/rawhttpclient.h"
#include "tests/support/servertestmain.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace heartline::testing;

namespace {

constexpr int kWaitMs = 15000;
const QByteArray kToken = "tok-from-the-keyring";
const QString kApiKey = u"sk-live \"quoted\" $(not run) ✓"_s;

bool writeFile(const QString &path, const QByteArray &text, QFile::Permissions permissions)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(text) == text.size()
           && file.setPermissions(permissions);
}

} // namespace

class tst_Secrets final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void keyringSecretsReachTheTokenAndTheHostedPrograms();
    void fileSecretsServeWhenNoKeyringAnswers();
    void aTokenWithoutItsSecretNeverListens();
    void secretCommandRefusesWhatItCannotKeep();

private:
    QString start(const QJsonObject &config);
    // `heartline secret set NAME --config <the test's config>`, `value` on its standard input.
    FinishedRun setSecret(const QString &name, const QByteArray &value);
    // The headless log's event lines (stdout), as written so far.
    QString headlessLog() const;
    void checkHostedSecrets(const QString &missingWhere);
    RawHeaders withToken(RawHeaders headers) const
    {
        headers.append({"Authorization", "Bearer " + kToken});
        return headers;
    }

    std::unique_ptr<QTemporaryDir> m_dir;
    QProcess m_heartline;
    QString m_log; // stderr
    quint16 m_port = 0;
};

void tst_Secrets::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_log.clear();
    m_port = 0;
}

void tst_Secrets::cleanup()
{
    if (m_heartline.state() != QProcess::NotRunning) {
        m_heartline.terminate();
        if (!waitUntil([this]() { return m_heartline.state() == QProcess::NotRunning; }, kWaitMs))
            m_heartline.kill();
        waitUntil([this]() { return m_heartline.state() == QProcess::NotRunning; }, kWaitMs);
    }
    m_heartline.disconnect(this);
}

// Starts heartline on `config`; returns the empty string, or why it did not listen.
QString tst_Secrets::start(const QJsonObject &config)
{
    const QString configPath = m_dir->filePath(u"heartline.json"_s);
    if (!writeFile(configPath, QJsonDocument(config).toJson(),
                   QFile::ReadOwner | QFile::WriteOwner))
        return u"cannot write the config"_s;
    connect(&m_heartline, &QProcess::readyReadStandardError, this,
            [this]() { m_log += QString::fromUtf8(m_heartline.readAllStandardError()); });
    QString error;
    m_port = startHeadlessHeartline(m_heartline, QStringLiteral(HEARTLINE_BINARY), m_dir->path(),
                                    {u"--port"_s, u"0"_s, u"--config"_s, configPath}, &error);
    return m_port ? QString() : error + m_log;
}

FinishedRun tst_Secrets::setSecret(const QString &name, const QByteArray &value)
{
    QProcess process;
    process.start(QStringLiteral(HEARTLINE_BINARY), {u"secret"_s, u"set"_s, name, u"--config"_s,
                                                     m_dir->filePath(u"heartline.json"_s)});
    process.write(value);
    process.closeWriteChannel();
    FinishedRun run;
    run.ended = process.waitForFinished(kWaitMs);
    run.exitCode =
        run.ended && process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    run.out = QString::fromUtf8(process.readAllStandardOutput());
    run.err = QString::fromUtf8(process.readAllStandardError());
    return run;
}

QString tst_Secrets::headlessLog() const
{
    QFile out(m_dir->filePath(u"stdout.log"_s));
    return out.open(QIODevice::ReadOnly) ? QString::fromUtf8(out.readAll()) : QString();
}

// A hosted server gets its secret in its environment (a shell that writes what it got, then
// becomes the fixture upstream); one whose secret is nowhere is named with the problem and
// runs nothing; a command tool gets its own; the token guards the endpoint.
static QJsonObject configNamingSecrets(const QString &seenFile)
{
    const QJsonObject keyed{
        {"command"_L1, u"sh"_s},
        {"args"_L1, QJsonArray{u"-c"_s, u"printf %s \"$API_KEY\" > \"$1\"; exec \"$2\""_s, u"sh"_s,
                               seenFile, QStringLiteral(HEARTLINE_MISBEHAVING_UPSTREAM)}},
        {"env"_L1, QJsonObject{{"API_KEY"_L1, u"${secret:fixture.key}"_s}}}};
    const QJsonObject unkeyed{
        {"command"_L1, QStringLiteral(HEARTLINE_MISBEHAVING_UPSTREAM)},
        {"env"_L1, QJsonObject{{"API_KEY"_L1, u"prefix-${secret:nobody.stored.this}"_s}}}};
    const QJsonObject showKey{
        {"description"_L1, u"Prints the key it was given."_s},
        {"command"_L1, u"printenv"_s},
        {"args"_L1, QJsonArray{u"TOOL_KEY"_s}},
        {"env"_L1, QJsonObject{{"TOOL_KEY"_L1, u"Bearer ${secret:fixture.key}"_s}}}};
    return {{"token"_L1, u"${secret:heartline.token}"_s},
            {"mcpServers"_L1, QJsonObject{{"keyed"_L1, keyed}, {"unkeyed"_L1, unkeyed}}},
            {"commandTools"_L1, QJsonObject{{"show_key"_L1, showKey}}}};
}

void tst_Secrets::checkHostedSecrets(const QString &missingWhere)
{
    // Without the token: refused. With it: served.
    const HttpResponse refused = postOnce(m_port, postHeaders(), initializeBody("2025-06-18"));
    QCOMPARE(refused.status, 401);
    const McpTestSession session =
        openSession(m_port, "2025-06-18", true, RawHeaders{{"Authorization", "Bearer " + kToken}});
    QVERIFY2(session.ok(), qPrintable(session.error + m_log));

    const auto toolNames = [&]() {
        const QJsonObject answer = finalAnswer(
            postOnce(m_port, withToken(session.post()), requestBody(2, u"tools/list"_s)));
        QStringList names;
        for (const QJsonValue &tool :
             answer.value("result"_L1).toObject().value("tools"_L1).toArray())
            names.append(tool.toObject().value("name"_L1).toString());
        return names;
    };
    QStringList names;
    QVERIFY2(waitUntil(
                 [&]() {
                     names = toolNames();
                     return names.contains(u"keyed__echo"_s);
                 },
                 kWaitMs),
             qPrintable(names.join(u", "_s) + u"\n"_s + headlessLog() + m_log));
    QVERIFY2(!names.contains(u"unkeyed__echo"_s), qPrintable(names.join(u", "_s)));

    // The program saw the value, not the form.
    QFile seen(m_dir->filePath(u"seen"_s));
    QVERIFY(seen.open(QIODevice::ReadOnly));
    QCOMPARE(QString::fromUtf8(seen.readAll()), kApiKey);

    // The server whose secret is nowhere says which key, which secret and where it looked.
    const QString problem = u"mcpServers.unkeyed.env.API_KEY: secret nobody.stored.this: "_s;
    QVERIFY2(waitUntil([&]() { return headlessLog().contains(problem); }, kWaitMs),
             qPrintable(headlessLog()));
    QVERIFY2(headlessLog().contains(problem + missingWhere), qPrintable(headlessLog()));

    const QJsonObject shown = finalAnswer(
        postOnce(m_port, withToken(session.post()), toolCallBody(3, u"show_key"_s, QJsonObject{})));
    QCOMPARE(firstContentText(shown).trimmed(), u"Bearer "_s + kApiKey);

    // No secret value is written to the log.
    QVERIFY(!headlessLog().contains(QString::fromUtf8(kToken)));
    QVERIFY(!m_log.contains(QString::fromUtf8(kToken)));
    QVERIFY(!headlessLog().contains(kApiKey));
}

void tst_Secrets::keyringSecretsReachTheTokenAndTheHostedPrograms()
{
    QVERIFY2(onTestKeyring(), "run under tests/support/with_keyring.sh");
    // One as `heartline secret set` keeps it, one as another program (Seahorse) would.
    const FinishedRun set = setSecret(u"heartline.token"_s, kToken);
    QCOMPARE(set.exitCode, 0);
    QCOMPARE(set.out, u"kept heartline.token in the keyring; a config names it as "
                      "${secret:heartline.token}\n"_s);
    QCOMPARE(keyringLookup(u"heartline.token"_s), QString::fromUtf8(kToken));
    QVERIFY(keyringStore(u"fixture.key"_s, kApiKey.toUtf8()));
    const QString error = start(configNamingSecrets(m_dir->filePath(u"seen"_s)));
    QVERIFY2(error.isEmpty(), qPrintable(error));
    checkHostedSecrets(u"not in the keyring nor in %1"_s.arg(m_dir->filePath(u"secrets.json"_s)));
    QVERIFY2(!m_log.contains("no keyring answered"_L1), qPrintable(m_log));
    QVERIFY(!QFile::exists(m_dir->filePath(u"secrets.json"_s)));
}

void tst_Secrets::fileSecretsServeWhenNoKeyringAnswers()
{
    QVERIFY2(!onTestKeyring(), "run without a keyring (DBUS_SESSION_BUS_ADDRESS leading nowhere)");
    const QString secrets = m_dir->filePath(u"secrets.json"_s);
    const QJsonObject values{{"heartline.token"_L1, QString::fromUtf8(kToken)},
                             {"fixture.key"_L1, kApiKey}};
    QVERIFY(
        writeFile(secrets, QJsonDocument(values).toJson(), QFile::ReadOwner | QFile::WriteOwner));
    const QString error = start(configNamingSecrets(m_dir->filePath(u"seen"_s)));
    QVERIFY2(error.isEmpty(), qPrintable(error));
    checkHostedSecrets(u"not in %1 (no keyring: "_s.arg(secrets));
    // Said once, with where the secrets come from.
    QCOMPARE(m_log.count("no keyring answered"_L1), 1);
    QVERIFY2(m_log.contains(u"secrets are kept in %1"_s.arg(secrets)), qPrintable(m_log));
}

void tst_Secrets::aTokenWithoutItsSecretNeverListens()
{
    const QJsonObject config{{"token"_L1, u"${secret:never.stored}"_s}};
    QVERIFY(writeFile(m_dir->filePath(u"heartline.json"_s), QJsonDocument(config).toJson(),
                      QFile::ReadOwner | QFile::WriteOwner));
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(u"XDG_RUNTIME_DIR"_s, m_dir->path());
    environment.insert(u"XDG_CONFIG_HOME"_s, m_dir->filePath(u"config"_s));
    environment.remove(u"HEARTLINE_TOKEN"_s);
    const FinishedRun run = runToEnd(
        QStringLiteral(HEARTLINE_BINARY),
        {u"--headless"_s, u"--port"_s, u"0"_s, u"--config"_s, m_dir->filePath(u"heartline.json"_s)},
        environment, {}, kWaitMs);
    QVERIFY(run.ended);
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(!run.out.contains("listening"_L1), qPrintable(run.out));
    QVERIFY2(run.err.contains("heartline: token: secret never.stored: not in"_L1),
             qPrintable(run.err));
}

void tst_Secrets::secretCommandRefusesWhatItCannotKeep()
{
    // A name outside a secret's alphabet: a usage error, nothing kept.
    const FinishedRun badName = setSecret(u"has space"_s, "v");
    QCOMPARE(badName.exitCode, 2);
    QVERIFY2(badName.err.contains("'has space' is not a secret's name"_L1),
             qPrintable(badName.err));
    // No value piped in: refused with how to pipe one.
    const FinishedRun noValue = setSecret(u"empty.value"_s, "");
    QCOMPARE(noValue.exitCode, 1);
    QVERIFY2(noValue.err.contains("no value on standard input"_L1), qPrintable(noValue.err));
    QVERIFY(!QFile::exists(m_dir->filePath(u"secrets.json"_s)));
}

HEARTLINE_SERVER_TEST_MAIN(tst_Secrets)
#include "tst_secrets.moc"
