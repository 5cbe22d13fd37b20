// Live reload of the config file: a write, an editor's rename over the file, a file created
// where none was, a broken file refused with its line and column, and a burst of writes read
// once. Real files in a temporary folder, real inotify; waits are signal waits with deadlines.

#include "app/configwatcher.h"
#include "tests/support/servertestmain.h"

#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <cstdio>

using namespace heartline;
using namespace Qt::StringLiterals;

namespace {

constexpr int kWaitMs = 5000;

bool writeFile(const QString &path, const QByteArray &text)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(text) == text.size();
}

// What editors do: write the whole new text beside the file, then rename it over the file.
bool renameOver(const QString &path, const QByteArray &text)
{
    const QString temporary = path + u".swp"_s;
    return writeFile(temporary, text)
           && std::rename(QFile::encodeName(temporary).constData(),
                          QFile::encodeName(path).constData())
                  == 0;
}

QByteArray configWith(int heartbeatMs, const QString &serverName)
{
    return u"{\"heartbeatMs\": %1, \"mcpServers\": {\"%2\": {\"command\": \"npx\"}}}"_s
        .arg(heartbeatMs)
        .arg(serverName)
        .toUtf8();
}

QList<UpstreamServerConfig> serversOf(const QSignalSpy &spy, int index)
{
    return spy.at(index).at(0).value<QList<UpstreamServerConfig>>();
}

ServerConfig settingsOf(const QSignalSpy &spy, int index)
{
    return spy.at(index).at(1).value<ServerConfig>();
}

} // namespace

class tst_ConfigWatcher : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void aWriteIsReloaded();
    void renameOverTheFileIsReloadedEveryTime();
    void aFileCreatedLaterIsReloaded();
    void aBrokenFileIsRefusedWithLineAndColumn();
    void aBadServerIsNotARefusal();
    void severalWritesAreReadOnce();
    void anUnchangedFileIsNoReload();

private:
    QString m_path;
    std::unique_ptr<QTemporaryDir> m_dir;
};

void tst_ConfigWatcher::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_path = m_dir->filePath(u"heartline.json"_s);
}

void tst_ConfigWatcher::aWriteIsReloaded()
{
    QVERIFY(writeFile(m_path, configWith(15000, u"first"_s)));
    ConfigWatcher watcher(m_path, QProcessEnvironment());
    QSignalSpy reloaded(&watcher, &ConfigWatcher::reloaded);
    QSignalSpy refused(&watcher, &ConfigWatcher::refused);

    QVERIFY(writeFile(m_path, configWith(20000, u"second"_s)));
    QVERIFY(reloaded.wait(kWaitMs));
    QCOMPARE(reloaded.size(), 1);
    QCOMPARE(serversOf(reloaded, 0).size(), 1);
    QCOMPARE(serversOf(reloaded, 0).first().name, u"second"_s);
    QCOMPARE(settingsOf(reloaded, 0).heartbeatMs, 20000);
    QCOMPARE(settingsOf(reloaded, 0).port, ServerConfig().port); // not in the file: default
    QCOMPARE(refused.size(), 0);
}

void tst_ConfigWatcher::renameOverTheFileIsReloadedEveryTime()
{
    QVERIFY(writeFile(m_path, configWith(15000, u"first"_s)));
    ConfigWatcher watcher(m_path, QProcessEnvironment());
    QSignalSpy reloaded(&watcher, &ConfigWatcher::reloaded);

    // Twice: the first rename ends the watch on the old file, so the second only arrives if
    // the watcher watches the new one (or the folder).
    QVERIFY(renameOver(m_path, configWith(16000, u"renamed"_s)));
    QVERIFY(reloaded.wait(kWaitMs));
    QCOMPARE(serversOf(reloaded, 0).first().name, u"renamed"_s);
    QVERIFY(renameOver(m_path, configWith(17000, u"again"_s)));
    QTRY_COMPARE_WITH_TIMEOUT(reloaded.size(), 2, kWaitMs);
    QCOMPARE(serversOf(reloaded, 1).first().name, u"again"_s);
    QCOMPARE(settingsOf(reloaded, 1).heartbeatMs, 17000);

    // And a plain write after the renames still counts.
    QVERIFY(writeFile(m_path, configWith(18000, u"written"_s)));
    QTRY_COMPARE_WITH_TIMEOUT(reloaded.size(), 3, kWaitMs);
    QCOMPARE(settingsOf(reloaded, 2).heartbeatMs, 18000);
}

void tst_ConfigWatcher::aFileCreatedLaterIsReloaded()
{
    // The default file need not exist at start; its folder is watched for it.
    QVERIFY(!QFile::exists(m_path));
    ConfigWatcher watcher(m_path, QProcessEnvironment());
    QSignalSpy reloaded(&watcher, &ConfigWatcher::reloaded);
    QVERIFY(writeFile(m_path, configWith(15000, u"created"_s)));
    QVERIFY(reloaded.wait(kWaitMs));
    QCOMPARE(serversOf(reloaded, 0).first().name, u"created"_s);
}

void tst_ConfigWatcher::aBrokenFileIsRefusedWithLineAndColumn()
{
    QVERIFY(writeFile(m_path, configWith(15000, u"first"_s)));
    ConfigWatcher watcher(m_path, QProcessEnvironment());
    QSignalSpy reloaded(&watcher, &ConfigWatcher::reloaded);
    QSignalSpy refused(&watcher, &ConfigWatcher::refused);

    QVERIFY(writeFile(m_path, "{\n  \"heartbeatMs\": 20000\n  \"port\": 9000\n}\n"));
    QVERIFY(refused.wait(kWaitMs));
    const QString reason = refused.at(0).at(0).toString();
    QVERIFY2(reason.startsWith(QFileInfo(m_path).absoluteFilePath() + u":3:3: missing comma"_s),
             qPrintable(reason));
    QCOMPARE(reloaded.size(), 0);

    // A key the file may not have is refused too, naming it; the fix is then reloaded.
    QVERIFY(writeFile(m_path, R"({"heartbeatMs": 20000, "prot": 9000})"));
    QTRY_COMPARE_WITH_TIMEOUT(refused.size(), 2, kWaitMs);
    QVERIFY2(refused.at(1).at(0).toString().contains(u"\"prot\""_s),
             qPrintable(refused.at(1).at(0).toString()));
    QVERIFY(writeFile(m_path, configWith(20000, u"fixed"_s)));
    QVERIFY(reloaded.wait(kWaitMs));
    QCOMPARE(serversOf(reloaded, 0).first().name, u"fixed"_s);
    QCOMPARE(refused.size(), 2);
}

void tst_ConfigWatcher::aBadServerIsNotARefusal()
{
    QVERIFY(writeFile(m_path, configWith(15000, u"first"_s)));
    ConfigWatcher watcher(m_path, QProcessEnvironment());
    QSignalSpy reloaded(&watcher, &ConfigWatcher::reloaded);
    QSignalSpy refused(&watcher, &ConfigWatcher::refused);

    // (Moc reads this file too, and does not follow a raw string across lines in a macro.)
    const QByteArray oneBadServer = R"({"mcpServers": {
        "broken": {"command": "npx", "env": {"KEY": "${NOT_SET_HERE}"}},
        "fine": {"url": "https://a.example/mcp"}}})";
    QVERIFY(writeFile(m_path, oneBadServer));
    QVERIFY(reloaded.wait(kWaitMs));
    const QList<UpstreamServerConfig> servers = serversOf(reloaded, 0);
    QCOMPARE(servers.size(), 2);
    QVERIFY2(servers.at(0).problem.contains(u"NOT_SET_HERE is not set"_s),
             qPrintable(servers.at(0).problem));
    QCOMPARE(servers.at(1).problem, QString());
    QCOMPARE(refused.size(), 0);
}

void tst_ConfigWatcher::severalWritesAreReadOnce()
{
    QVERIFY(writeFile(m_path, configWith(15000, u"first"_s)));
    ConfigWatcher watcher(m_path, QProcessEnvironment());
    // Long enough that the writes below, each seen by the watcher, fall inside one interval.
    watcher.setDebounceMs(1500);
    QSignalSpy reloaded(&watcher, &ConfigWatcher::reloaded);

    for (int step = 1; step <= 3; ++step) {
        QVERIFY(writeFile(m_path, configWith(15000 + step, u"step%1"_s.arg(step))));
        // Each write is noticed before the next: without the debounce each would be read.
        QTRY_VERIFY_WITH_TIMEOUT(watcher.isChangePending(), kWaitMs);
    }
    QVERIFY(reloaded.wait(kWaitMs));
    QCOMPARE(reloaded.size(), 1);
    QCOMPARE(serversOf(reloaded, 0).first().name, u"step3"_s);
    QCOMPARE(settingsOf(reloaded, 0).heartbeatMs, 15003);
    QTRY_VERIFY_WITH_TIMEOUT(!watcher.isChangePending(), kWaitMs);
    QCOMPARE(reloaded.size(), 1);
}

void tst_ConfigWatcher::anUnchangedFileIsNoReload()
{
    const QByteArray text = configWith(15000, u"same"_s);
    QVERIFY(writeFile(m_path, text));
    ConfigWatcher watcher(m_path, QProcessEnvironment());
    QSignalSpy reloaded(&watcher, &ConfigWatcher::reloaded);
    QSignalSpy refused(&watcher, &ConfigWatcher::refused);

    // The same text again, and another file in the watched folder: noticed, and no news.
    QVERIFY(writeFile(m_path, text));
    QTRY_VERIFY_WITH_TIMEOUT(watcher.isChangePending(), kWaitMs);
    QVERIFY(writeFile(m_dir->filePath(u"other.txt"_s), "x"));
    QTRY_VERIFY_WITH_TIMEOUT(!watcher.isChangePending(), kWaitMs);
    // Then a real change: it is the first and only reload.
    QVERIFY(writeFile(m_path, configWith(15000, u"changed"_s)));
    QVERIFY(reloaded.wait(kWaitMs));
    QCOMPARE(reloaded.size(), 1);
    QCOMPARE(serversOf(reloaded, 0).first().name, u"changed"_s);
    QCOMPARE(refused.size(), 0);
}

HEARTLINE_SERVER_TEST_MAIN(tst_ConfigWatcher)
#include "tst_configwatcher.moc"
