#include "tests/support/heartlineprocess.h"

#include "tests/support/rawhttpclient.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QProcessEnvironment>
#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace heartline::testing {

quint16 startHeadlessHeartline(QProcess &process, const QString &binary, const QString &home,
                               const QStringList &arguments, QString *error)
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    for (const QString &name : {u"DISPLAY"_s, u"WAYLAND_DISPLAY"_s, u"HEARTLINE_TOKEN"_s})
        environment.remove(name);
    environment.insert(u"XDG_RUNTIME_DIR"_s, home);
    environment.insert(u"XDG_CONFIG_HOME"_s, QDir(home).filePath(u"config"_s));
    process.setProcessEnvironment(environment);
    const QString stdoutPath = QDir(home).filePath(u"stdout.log"_s);
    process.setStandardOutputFile(stdoutPath);
    process.start(binary, QStringList{u"--headless"_s} + arguments);

    QString line;
    waitUntil(
        [&process, &stdoutPath, &line]() {
            QFile out(stdoutPath);
            const QByteArray first = out.open(QIODevice::ReadOnly) ? out.readLine() : QByteArray();
            if (first.endsWith('\n'))
                line = QString::fromUtf8(first).trimmed();
            return !line.isEmpty() || process.state() == QProcess::NotRunning;
        },
        10000);
    const QRegularExpressionMatch match =
        QRegularExpression(u"^listening: http://127\\.0\\.0\\.1:(\\d+)$"_s).match(line);
    if (!match.hasMatch()) {
        *error = line.isEmpty() ? u"no listening line within 10 s"_s
                                : u"unexpected first line: "_s + line;
        return 0;
    }
    return quint16(match.captured(1).toUInt());
}

FinishedRun runToEnd(const QString &binary, const QStringList &arguments,
                     const QProcessEnvironment &environment, const QString &workingDirectory,
                     int timeoutMs)
{
    QProcess process;
    process.setProgram(binary);
    process.setArguments(arguments);
    process.setProcessEnvironment(environment);
    if (!workingDirectory.isEmpty())
        process.setWorkingDirectory(workingDirectory);
    process.start();
    FinishedRun result;
    const auto ended = [&process]() { return process.state() == QProcess::NotRunning; };
    result.ended = waitUntil(ended, timeoutMs);
    if (!result.ended) {
        process.kill();
        waitUntil(ended, timeoutMs);
    }
    result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    result.out = QString::fromUtf8(process.readAllStandardOutput());
    result.err = QString::fromUtf8(process.readAllStandardError());
    return result;
}

} // namespace heartline::testing
