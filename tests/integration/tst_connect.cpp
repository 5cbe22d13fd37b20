// `heartline connect CLIENT`, run as the real binary on a temporary home folder holding the
// fixture configs of the clients (tests/unit/upstream/fixtures): the entry lands in each
// client's file as that client reads it, and every other byte of the file stays as it was.

#include "tests/support/heartlineprocess.h"
#include "tests/support/servertestmain.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;
using namespace heartline::testing;

namespace {

const QString kFixtures = QStringLiteral(HEARTLINE_UPSTREAM_FIXTURES);

// Heartline's own config: where it listens, its token, and one server a client also starts.
const QByteArray kHeartlineConfig = R"({"port": 8711, "token": "s3cret",
    "mcpServers": {"time": {"command": "uvx",
                            "args": ["mcp-server-time", "--local-timezone=Europe/Oslo"]}}})";

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray("<unreadable>");
}

// The bytes of `after` between the longest prefix and the longest suffix it shares with
// `before`: when `after` is `before` with one run of bytes inserted, that run (or the same
// run shifted where its ends repeat their neighbours).
QByteArray theOneChange(const QByteArray &before, const QByteArray &after)
{
    qsizetype prefix = 0;
    while (prefix < before.size() && prefix < after.size() && before[prefix] == after[prefix])
        ++prefix;
    qsizetype suffix = 0;
    while (suffix < before.size() - prefix && suffix < after.size() - prefix
           && before[before.size() - 1 - suffix] == after[after.size() - 1 - suffix])
        ++suffix;
    return after.mid(prefix, after.size() - prefix - suffix);
}

QJsonObject heartlineEntry(const QString &path, const QString &serversKey)
{
    return QJsonDocument::fromJson(readAll(path))
        .object()
        .value(serversKey)
        .toObject()
        .value("heartline"_L1)
        .toObject();
}

} // namespace

class tst_Connect final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void writesTheEntryAndKeepsTheRestByteForByte_data();
    void writesTheEntryAndKeepsTheRestByteForByte();
    void claudeDesktopGetsAnMcpRemoteBridge();
    void aMissingFileIsCreatedForTheUserAlone();
    void dryRunWritesNothing();
    void runningTwiceChangesNothingMore();
    void aFileThatDoesNotParseIsLeftAlone();
    void usageErrorsExitTwo_data();
    void usageErrorsExitTwo();

private:
    FinishedRun run(const QStringList &arguments);

    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_home;
    QProcessEnvironment m_environment;
};

void tst_Connect::initTestCase()
{
    QVERIFY2(QFileInfo(QStringLiteral(HEARTLINE_BINARY)).isExecutable(), HEARTLINE_BINARY);
}

void tst_Connect::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_home = m_dir->filePath(u"home"_s);
    QDirIterator it(kFixtures + u"/home"_s, QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString source = it.next();
        const QString target =
            QDir(m_home).filePath(QDir(kFixtures + u"/home"_s).relativeFilePath(source));
        QVERIFY(QDir().mkpath(QFileInfo(target).absolutePath()));
        QVERIFY(QFile::copy(source, target));
        QFile::setPermissions(target, QFileDevice::ReadOwner | QFileDevice::WriteOwner
                                          | QFileDevice::ReadGroup | QFileDevice::ReadOther);
    }
    QVERIFY(QDir().mkpath(m_home + u"/.config/heartline"_s));
    QFile config(m_home + u"/.config/heartline/heartline.json"_s);
    QVERIFY(config.open(QIODevice::WriteOnly));
    config.write(kHeartlineConfig);
    config.close();

    m_environment = QProcessEnvironment::systemEnvironment();
    for (const QString &name :
         {u"DISPLAY"_s, u"WAYLAND_DISPLAY"_s, u"XDG_CONFIG_HOME"_s, u"HEARTLINE_TOKEN"_s})
        m_environment.remove(name);
    m_environment.insert(u"HOME"_s, m_home);
}

FinishedRun tst_Connect::run(const QStringList &arguments)
{
    return runToEnd(QStringLiteral(HEARTLINE_BINARY), QStringList{u"connect"_s} + arguments,
                    m_environment);
}

void tst_Connect::writesTheEntryAndKeepsTheRestByteForByte_data()
{
    QTest::addColumn<QString>("client");
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("serversKey");
    QTest::addColumn<bool>("typed"); // whether the entry says "type": "http"
    QTest::addColumn<QString>("ownCopy");

    QTest::newRow("claude-code") << u"claude-code"_s << u".claude.json"_s << u"mcpServers"_s << true
                                 << QString();
    QTest::newRow("cursor") << u"cursor"_s << u".cursor/mcp.json"_s << u"mcpServers"_s << false
                            << u"time"_s;
    QTest::newRow("vscode") << u"vscode"_s << u".config/Code/User/mcp.json"_s << u"servers"_s
                            << true << QString();
}

void tst_Connect::writesTheEntryAndKeepsTheRestByteForByte()
{
    QFETCH(QString, client);
    QFETCH(QString, file);
    QFETCH(QString, serversKey);
    QFETCH(bool, typed);
    QFETCH(QString, ownCopy);

    const QString path = QDir(m_home).filePath(file);
    const QByteArray before = readAll(path);
    const FinishedRun result = run({client});
    QVERIFY2(result.exitCode == 0, qPrintable(result.err));

    const QByteArray after = readAll(path);
    const QByteArray change = theOneChange(before, after);
    QVERIFY2(change.size() == after.size() - before.size(), after.constData());
    // The rest of the file is what it was: one run of bytes came in, and nothing else moved.
    QVERIFY2(QByteArray(after).remove(after.indexOf(change), change.size()) == before,
             after.constData());
    QVERIFY2(!QJsonDocument::fromJson(after).isNull() || client == "vscode"_L1, after.constData());
    const QJsonObject entry = heartlineEntry(path, serversKey);
    QCOMPARE(entry.value("url"_L1).toString(), u"http://127.0.0.1:8711/mcp"_s);
    QCOMPARE(entry.value("headers"_L1).toObject().value("Authorization"_L1).toString(),
             u"Bearer s3cret"_s);
    QCOMPARE(entry.contains("type"_L1), typed);
    QCOMPARE(readAll(path + u".heartline-backup"_s), before);
    QCOMPARE(QFileInfo(path).permissions(), QFileInfo(path + u".heartline-backup"_s).permissions());
    if (ownCopy.isEmpty())
        QVERIFY2(!result.out.contains(u"own copy"_s), qPrintable(result.out));
    else
        QVERIFY2(result.out.contains(u"still starts its own copy of %1"_s.arg(ownCopy)),
                 qPrintable(result.out));
}

void tst_Connect::claudeDesktopGetsAnMcpRemoteBridge()
{
    const QString path = m_home + u"/.config/Claude/claude_desktop_config.json"_s;
    const QByteArray before = readAll(path);
    const FinishedRun result = run({u"claude-desktop"_s, u"--port"_s, u"9123"_s});
    QVERIFY2(result.exitCode == 0, qPrintable(result.err));
    const QJsonObject entry = heartlineEntry(path, u"mcpServers"_s);
    QCOMPARE(entry.value("command"_L1).toString(), u"npx"_s);
    QCOMPARE(entry.value("args"_L1).toArray(),
             (QJsonArray{"-y"_L1, "mcp-remote"_L1, "http://127.0.0.1:9123/mcp"_L1, "--header"_L1,
                         "Authorization: Bearer s3cret"_L1}));
    const QByteArray after = readAll(path);
    const QByteArray change = theOneChange(before, after);
    QCOMPARE(QByteArray(after).remove(after.indexOf(change), change.size()), before);
}

void tst_Connect::aMissingFileIsCreatedForTheUserAlone()
{
    const QString path = m_home + u"/.cursor/mcp.json"_s;
    QVERIFY(QFile::remove(path));
    m_environment.insert(u"HEARTLINE_TOKEN"_s, u"from-env"_s);
    const FinishedRun result = run({u"cursor"_s});
    QVERIFY2(result.exitCode == 0, qPrintable(result.err));
    QCOMPARE(heartlineEntry(path, u"mcpServers"_s)
                 .value("headers"_L1)
                 .toObject()
                 .value("Authorization"_L1)
                 .toString(),
             u"Bearer from-env"_s);
    // It holds a token: readable by the user only.
    QCOMPARE(QFileInfo(path).permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther),
             QFileDevice::Permissions());
    QVERIFY(!QFileInfo::exists(path + u".heartline-backup"_s));
}

void tst_Connect::dryRunWritesNothing()
{
    const QString path = m_home + u"/.claude.json"_s;
    const QByteArray before = readAll(path);
    const FinishedRun result = run({u"claude-code"_s, u"--dry-run"_s});
    QCOMPARE(result.exitCode, 0);
    QVERIFY2(result.out.contains(u"http://127.0.0.1:8711/mcp"_s), qPrintable(result.out));
    QCOMPARE(readAll(path), before);
    QVERIFY(!QFileInfo::exists(path + u".heartline-backup"_s));
}

void tst_Connect::runningTwiceChangesNothingMore()
{
    const QString path = m_home + u"/.cursor/mcp.json"_s;
    QCOMPARE(run({u"cursor"_s}).exitCode, 0);
    const QByteArray once = readAll(path);
    const FinishedRun second = run({u"cursor"_s});
    QCOMPARE(second.exitCode, 0);
    QVERIFY2(second.out.contains(u"nothing changed"_s), qPrintable(second.out));
    QCOMPARE(readAll(path), once);
    // A new port replaces the entry in place.
    QCOMPARE(run({u"cursor"_s, u"--port=8800"_s}).exitCode, 0);
    QCOMPARE(heartlineEntry(path, u"mcpServers"_s).value("url"_L1).toString(),
             u"http://127.0.0.1:8800/mcp"_s);
    QCOMPARE(
        QJsonDocument::fromJson(readAll(path)).object().value("mcpServers"_L1).toObject().size(),
        3);
}

void tst_Connect::aFileThatDoesNotParseIsLeftAlone()
{
    const QString path = m_home + u"/.cursor/mcp.json"_s;
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    file.write("{\"mcpServers\": {\"a\": ");
    file.close();
    const FinishedRun result = run({u"cursor"_s});
    QCOMPARE(result.exitCode, 1);
    QVERIFY2(result.err.contains(path) && result.err.contains(u"nothing changed"_s),
             qPrintable(result.err));
    QCOMPARE(readAll(path), QByteArray("{\"mcpServers\": {\"a\": "));
    QVERIFY(!QFileInfo::exists(path + u".heartline-backup"_s));
}

void tst_Connect::usageErrorsExitTwo_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("message");
    QTest::newRow("no client") << QStringList() << u"name the client"_s;
    QTest::newRow("unknown client") << QStringList{u"zed"_s} << u"'zed' is not a client"_s;
    QTest::newRow("two clients") << QStringList{u"cursor"_s, u"vscode"_s}
                                 << u"one client at a time"_s;
    QTest::newRow("bad port") << QStringList{u"cursor"_s, u"--port"_s, u"99999"_s}
                              << u"--port needs a port number"_s;
    QTest::newRow("unknown option")
        << QStringList{u"cursor"_s, u"--force"_s} << u"unknown option '--force'"_s;
}

void tst_Connect::usageErrorsExitTwo()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, message);
    const QByteArray before = readAll(m_home + u"/.cursor/mcp.json"_s);
    const FinishedRun result = run(arguments);
    QCOMPARE(result.exitCode, 2);
    QVERIFY2(result.err.contains(message), qPrintable(result.err));
    QCOMPARE(readAll(m_home + u"/.cursor/mcp.json"_s), before);
}

HEARTLINE_SERVER_TEST_MAIN(tst_Connect)
#include "tst_connect.moc"
