#include "server/tools/upstream/childenvironment.h"
#include "tests/support/processgroup.h"
#include "tests/support/servertestmain.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

using namespace heartline;
using namespace Qt::StringLiterals;

namespace {

// Writes an executable shell script (a fake login shell or command).
QString writeScript(const QString &path, const QByteArray &body)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return {};
    file.write("#!/bin/sh\n" + body);
    file.close();
    file.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    return path;
}

} // namespace

class TestChildEnvironment : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void passesTheAllowlistAndNothingElse()
    {
        QProcessEnvironment parent;
        parent.insert(u"HOME"_s, u"/home/u"_s);
        parent.insert(u"PATH"_s, u"/usr/bin:/bin"_s);
        parent.insert(u"LANG"_s, u"C.UTF-8"_s);
        parent.insert(u"LC_TIME"_s, u"de_DE.UTF-8"_s);
        parent.insert(u"XDG_RUNTIME_DIR"_s, u"/run/user/1000"_s);
        parent.insert(u"WAYLAND_DISPLAY"_s, u"wayland-0"_s);
        parent.insert(u"TMPDIR"_s, u"/tmp/u"_s);
        parent.insert(u"NODE_EXTRA_CA_CERTS"_s, u"/etc/ca.pem"_s);
        parent.insert(u"https_proxy"_s, u"http://proxy:3128"_s);
        parent.insert(u"NO_PROXY"_s, u"localhost"_s);
        parent.insert(u"GITHUB_TOKEN"_s, u"secret"_s);
        parent.insert(u"AWS_SECRET_ACCESS_KEY"_s, u"secret"_s);
        parent.insert(u"LD_PRELOAD"_s, u"/tmp/evil.so"_s);
        parent.insert(u"BASH_FUNC_x%%"_s, u"() { echo x; }"_s);
        parent.insert(u"TERM"_s, u"() { evil; }"_s);

        const QProcessEnvironment child = ChildEnvironment(parent).forEntry({});
        QStringList keys = child.keys();
        keys.sort();
        QCOMPARE(keys, (QStringList{u"HOME"_s, u"LANG"_s, u"LC_TIME"_s, u"NODE_EXTRA_CA_CERTS"_s,
                                    u"NO_PROXY"_s, u"PATH"_s, u"TMPDIR"_s, u"WAYLAND_DISPLAY"_s,
                                    u"XDG_RUNTIME_DIR"_s, u"https_proxy"_s}));
        QCOMPARE(child.value(u"HOME"_s), u"/home/u"_s);
    }

    void theEntryEnvAddsAndOverrides()
    {
        QProcessEnvironment parent;
        parent.insert(u"PATH"_s, u"/usr/bin"_s);
        parent.insert(u"USER"_s, u"u"_s);
        const QProcessEnvironment child = ChildEnvironment(parent).forEntry(
            {{u"PATH"_s, u"/opt/bin"_s}, {u"API_KEY"_s, u"k"_s}, {u"GITHUB_TOKEN"_s, u"t"_s}});
        QCOMPARE(child.value(u"PATH"_s), u"/opt/bin"_s);
        QCOMPARE(child.value(u"API_KEY"_s), u"k"_s);
        QCOMPARE(child.value(u"GITHUB_TOKEN"_s), u"t"_s); // asked for by the entry: passed
        QCOMPARE(child.value(u"USER"_s), u"u"_s);
    }

    void setPathReplacesTheParentsPath()
    {
        QProcessEnvironment parent;
        parent.insert(u"PATH"_s, u"/usr/bin"_s);
        ChildEnvironment environment(parent);
        environment.setPath(u"/home/u/.local/bin:/usr/bin"_s);
        QCOMPARE(environment.forEntry({}).value(u"PATH"_s), u"/home/u/.local/bin:/usr/bin"_s);
        environment.setPath({}); // nothing learnt: keeps what it had
        QCOMPARE(environment.forEntry({}).value(u"PATH"_s), u"/home/u/.local/bin:/usr/bin"_s);
    }

    void resolvesABareNameOnTheChildsPath()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QVERIFY(QDir(dir.path()).mkpath(u"a"_s));
        QVERIFY(QDir(dir.path()).mkpath(u"b"_s));
        const QString tool = writeScript(dir.filePath(u"b/mytool"_s), "exit 0\n");
        QFile notExecutable(dir.filePath(u"a/mytool"_s));
        QVERIFY(notExecutable.open(QIODevice::WriteOnly));
        notExecutable.close();

        QProcessEnvironment environment;
        environment.insert(u"PATH"_s, dir.filePath(u"a"_s) + u':' + dir.filePath(u"b"_s));
        QString error;
        QCOMPARE(resolveCommand(u"mytool"_s, environment, QDir::homePath(), &error), tool);
        QVERIFY(error.isEmpty());
    }

    void aMissingCommandNamesThePathItWasLookedFor()
    {
        QTemporaryDir dir;
        QProcessEnvironment environment;
        const QString path = dir.path() + u":/nonexistent/bin"_s;
        environment.insert(u"PATH"_s, path);
        QString error;
        QVERIFY(resolveCommand(u"npx"_s, environment, dir.path(), &error).isEmpty());
        QCOMPARE(error, u"`npx` not found in PATH="_s + path);
    }

    void anEmptyPathFindsNothingRatherThanTheParentsPath()
    {
        // /bin/sh exists on the test machine's PATH; the child has no PATH at all.
        QProcessEnvironment environment;
        QString error;
        QVERIFY(resolveCommand(u"sh"_s, environment, QDir::homePath(), &error).isEmpty());
        QCOMPARE(error, u"`sh` not found in PATH="_s);
    }

    void checksPathsForExistenceAndExecution()
    {
        QTemporaryDir dir;
        const QString tool = writeScript(dir.filePath(u"server.sh"_s), "exit 0\n");
        QFile plain(dir.filePath(u"data.txt"_s));
        QVERIFY(plain.open(QIODevice::WriteOnly));
        plain.close();
        const QProcessEnvironment environment;
        QString error;

        QCOMPARE(resolveCommand(tool, environment, QDir::homePath(), &error), tool);
        QCOMPARE(resolveCommand(u"./server.sh"_s, environment, dir.path(), &error),
                 dir.filePath(u"./server.sh"_s));
        QVERIFY(error.isEmpty());

        QVERIFY(resolveCommand(u"./missing.sh"_s, environment, dir.path(), &error).isEmpty());
        QCOMPARE(error, u"`./missing.sh` not found"_s);
        QVERIFY(resolveCommand(plain.fileName(), environment, dir.path(), &error).isEmpty());
        QCOMPARE(error, u"`%1` is not an executable file"_s.arg(plain.fileName()));
        QVERIFY(resolveCommand(dir.path(), environment, dir.path(), &error).isEmpty());
        QCOMPARE(error, u"`%1` is not an executable file"_s.arg(dir.path()));
    }

    void readsPathBetweenTheMarkersWithoutEscapes()
    {
        const QByteArray output =
            "\x1b[1;32mwelcome\x1b[0m\n__HEARTLINE_ENV_BEGIN__ echoed command\n"
            "\x1b]0;title\x07noise\n__HEARTLINE_ENV_BEGIN__\nHOME=/home/u\n"
            "MYPATH=/not/this\nPATH=\x1b[0m/home/u/.local/bin:/usr/bin\nX=1\n"
            "__HEARTLINE_ENV_END__\nbye\n";
        QCOMPARE(LoginShellPath::pathFromShellOutput(output), u"/home/u/.local/bin:/usr/bin"_s);
        QCOMPARE(LoginShellPath::pathFromShellOutput("PATH=/usr/bin\n"), QString());
        QCOMPARE(LoginShellPath::pathFromShellOutput(
                     "__HEARTLINE_ENV_BEGIN__\nHOME=/x\n__HEARTLINE_ENV_END__\n"),
                 QString());
    }

    void disabledAnswersAtOnceWithNothing()
    {
        LoginShellPath login;
        QVERIFY(!login.isEnabled());
        login.setShell(u"/nonexistent/shell"_s);
        bool called = false;
        QString path = u"unset"_s;
        login.fetch([&](const QString &result) {
            called = true;
            path = result;
        });
        QVERIFY(called);
        QVERIFY(path.isEmpty());
    }

    void asksTheLoginShellOnceForEveryCaller()
    {
        QTemporaryDir dir;
        // A shell as chatty as a real one's rc files, that counts how often it ran.
        const QString shell =
            writeScript(dir.filePath(u"fakeshell"_s),
                        "echo run >> \"$(dirname \"$0\")/runs\"\n"
                        "printf '\\033[1mWelcome\\033[0m\\n'\n"
                        "PATH=/opt/fake/bin:/usr/bin:/bin exec /bin/sh -c \"$2\"\n");
        LoginShellPath login;
        login.setEnabled(true);
        login.setShell(shell);
        QStringList answers;
        login.fetch([&](const QString &path) { answers.append(path); });
        login.fetch([&](const QString &path) { answers.append(path); });
        QVERIFY(answers.isEmpty()); // asynchronous: nothing waited for the shell
        QTRY_COMPARE_WITH_TIMEOUT(answers.size(), 2, 10000);
        QCOMPARE(answers,
                 (QStringList{u"/opt/fake/bin:/usr/bin:/bin"_s, u"/opt/fake/bin:/usr/bin:/bin"_s}));
        QVERIFY(login.error().isEmpty());
        login.fetch([&](const QString &path) { answers.append(path); });
        QCOMPARE(answers.size(), 3); // known: at once
        QFile runs(dir.filePath(u"runs"_s));
        QVERIFY(runs.open(QIODevice::ReadOnly));
        QCOMPARE(runs.readAll(), QByteArray("run\n"));
    }

    void aRealShellGivesItsPath()
    {
        LoginShellPath login;
        login.setEnabled(true);
        login.setShell(u"/bin/sh"_s);
        bool called = false;
        QString path;
        login.fetch([&](const QString &result) {
            called = true;
            path = result;
        });
        QTRY_VERIFY_WITH_TIMEOUT(called, 10000);
        QVERIFY2(path.contains(u"/bin"_s), qPrintable(login.error()));
    }

    void aShellThatHangsTimesOutAndIsKilled()
    {
        QTemporaryDir dir;
        const QString shell = writeScript(dir.filePath(u"hangingshell"_s),
                                          "echo $$ > \"$(dirname \"$0\")/pid\"\nexec sleep 60\n");
        LoginShellPath login;
        login.setEnabled(true);
        login.setShell(shell);
        login.setTimeoutMs(1500);
        bool called = false;
        QString path = u"unset"_s;
        login.fetch([&](const QString &result) {
            called = true;
            path = result;
        });
        const QString pidPath = dir.filePath(u"pid"_s);
        QTRY_VERIFY_WITH_TIMEOUT(QFileInfo(pidPath).size() > 0, 10000);
        QFile pidFile(pidPath);
        QVERIFY(pidFile.open(QIODevice::ReadOnly));
        const qint64 pid = pidFile.readAll().trimmed().toLongLong();
        QVERIFY(pid > 0);

        QTRY_VERIFY_WITH_TIMEOUT(called, 10000);
        QVERIFY(path.isEmpty());
        QCOMPARE(login.error(), u"`%1` gave no PATH within 1500 ms"_s.arg(shell));
        QTRY_VERIFY_WITH_TIMEOUT(!testing::isAlive(pid), 5000);
    }

    void aShellThatCannotStartSaysSo()
    {
        LoginShellPath login;
        login.setEnabled(true);
        login.setShell(u"/nonexistent/shell"_s);
        bool called = false;
        login.fetch([&](const QString &) { called = true; });
        QTRY_VERIFY_WITH_TIMEOUT(called, 5000);
        QVERIFY2(login.error().startsWith(u"could not start `/nonexistent/shell`"_s),
                 qPrintable(login.error()));
    }
};

HEARTLINE_SERVER_TEST_MAIN(TestChildEnvironment)
#include "tst_childenvironment.moc"
