#include "server/tools/command/commandrun.h"

#include "server/protocol/catalog/content.h"
#include "server/protocol/catalog/tool.h"
#include "server/tools/upstream/stdiochannel.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QLoggingCategory>

#include <csignal>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace heartline {

Q_LOGGING_CATEGORY(lcCommandTool, "heartline.tools.command")

CommandRun::CommandRun(const Spec &spec, ToolCall *call)
    : QObject(call)
    , m_spec(spec)
    , m_call(call)
{
    m_timeout.setSingleShot(true);
    connect(&m_timeout, &QTimer::timeout, this, [this]() { stop(Stop::Timeout); });
    connect(call, &ToolCall::cancelled, this, [this]() { stop(Stop::Cancelled); });
}

CommandRun::~CommandRun()
{
    if (!m_process)
        return;
    m_process->disconnect(this);
    if (m_process->state() != QProcess::NotRunning)
        killGroup();
    // After SIGKILL the child is reaped at once by QProcess's destructor.
    delete m_process;
}

void CommandRun::start()
{
    m_process = new QProcess(this);
    m_process->setProgram(m_spec.program);
    m_process->setArguments(m_spec.arguments);
    m_process->setWorkingDirectory(m_spec.workingDirectory);
    m_process->setProcessEnvironment(m_spec.environment);
    // Nothing to read: a command that reads stdin sees its end at once instead of waiting
    // forever on a pipe nobody writes.
    m_process->setStandardInputFile(QProcess::nullDevice());
    // A session of its own leads a new process group: whatever the command starts is killed
    // with it (Qt 6.4 has no UnixProcessParameters; this runs between fork and exec).
    m_process->setChildProcessModifier([] { ::setsid(); });
    connect(m_process, &QProcess::readyReadStandardOutput, this, &CommandRun::handleStdout);
    connect(m_process, &QProcess::readyReadStandardError, this, &CommandRun::handleStderr);
    connect(m_process, &QProcess::finished, this, &CommandRun::handleFinished);
    connect(m_process, &QProcess::errorOccurred, this, &CommandRun::handleErrorOccurred);
    qCDebug(lcCommandTool).noquote()
        << m_spec.toolName << "runs"
        << StdioChannel::quotedCommandLine(QStringList{m_spec.program} + m_spec.arguments);
    m_process->start();
    if (m_process->state() != QProcess::NotRunning) {
        m_pid = m_process->processId();
        m_timeout.start(m_spec.timeoutMs);
    }
}

void CommandRun::killGroup()
{
    // Never with pid 0: kill(0, ...) is our own group.
    if (m_pid > 0)
        ::kill(-pid_t(m_pid), SIGKILL);
}

void CommandRun::stop(Stop reason)
{
    if (m_finished || m_stop != Stop::None)
        return;
    m_stop = reason;
    killGroup();
}

void CommandRun::handleStdout()
{
    const QByteArray bytes = m_process->readAllStandardOutput();
    if (m_stop != Stop::None)
        return;
    const qint64 room = m_spec.maxOutputBytes - m_stdout.size();
    m_stdout += bytes.left(qMax<qint64>(0, room));
    reportLines(false);
    if (bytes.size() > room)
        stop(Stop::OutputCap);
}

void CommandRun::handleStderr()
{
    m_stderr += m_process->readAllStandardError();
    if (m_stderr.size() > 2 * kStderrTailBytes)
        m_stderr = m_stderr.right(kStderrTailBytes);
}

void CommandRun::reportLines(bool all)
{
    if (!m_call || !m_call->wantsProgress())
        return;
    while (m_linesReported < m_stdout.size()) {
        qsizetype end = m_stdout.indexOf('\n', m_linesReported);
        if (end < 0) {
            if (!all)
                return;
            end = m_stdout.size();
        }
        QString line = QString::fromUtf8(m_stdout.mid(m_linesReported, end - m_linesReported));
        if (line.endsWith(u'\r'))
            line.chop(1);
        m_linesReported = end + 1;
        ++m_lineNumber;
        m_call->reportProgress(double(m_lineNumber), -1, line.left(kProgressMessageChars));
    }
}

void CommandRun::handleErrorOccurred(QProcess::ProcessError error)
{
    if (error != QProcess::FailedToStart || m_finished)
        return;
    m_finished = true;
    m_timeout.stop();
    qCWarning(lcCommandTool).noquote() << m_spec.toolName << "could not start" << m_spec.program
                                       << ":" << m_process->errorString();
    if (m_call && !m_call->isDone())
        m_call->fail(u"'%1' could not start %2: %3"_s.arg(m_spec.toolName, m_spec.program,
                                                          m_process->errorString()));
}

void CommandRun::handleFinished(int exitCode, QProcess::ExitStatus status)
{
    if (m_finished)
        return;
    m_timeout.stop();
    // What is still in the pipe came before the exit (and may pass the cap).
    if (m_stop == Stop::None)
        handleStdout();
    handleStderr();
    m_finished = true;
    // The command is gone, but what it left in its group (a daemonised child) goes too.
    killGroup();
    if (m_stop == Stop::None)
        reportLines(true);
    if (!m_call || m_call->isDone() || m_stop == Stop::Cancelled)
        return;
    m_call->finish(result(exitCode, status));
}

QString CommandRun::stderrTail() const
{
    QByteArray tail = m_stderr.right(kStderrTailBytes).trimmed();
    return tail.isEmpty() ? u"(nothing on stderr)"_s : QString::fromUtf8(tail);
}

QJsonObject CommandRun::result(int exitCode, QProcess::ExitStatus status) const
{
    const QString output = QString::fromUtf8(m_stdout);
    const auto error = [&output](const QString &message) {
        QJsonArray content{Content::text(message)};
        if (!output.isEmpty())
            content.append(Content::text(output));
        return QJsonObject{{"content"_L1, content}, {"isError"_L1, true}};
    };
    switch (m_stop) {
    case Stop::Timeout:
        return error(u"'%1' took longer than its timeout of %2 ms and was stopped, with every "
                     "process it started. What it printed by then follows."_s.arg(m_spec.toolName)
                         .arg(m_spec.timeoutMs));
    case Stop::OutputCap:
        return error(u"'%1' printed more than its output cap of %2 bytes (maxOutputBytes) and "
                     "was stopped. The first %2 bytes follow."_s.arg(m_spec.toolName)
                         .arg(m_spec.maxOutputBytes));
    case Stop::Cancelled:
    case Stop::None:
        break;
    }
    if (status == QProcess::CrashExit)
        return error(u"'%1' was killed by signal %2. stderr:\n%3"_s.arg(m_spec.toolName)
                         .arg(exitCode)
                         .arg(stderrTail()));
    if (exitCode != 0)
        return error(u"'%1' exited with code %2. stderr:\n%3"_s.arg(m_spec.toolName)
                         .arg(exitCode)
                         .arg(stderrTail()));
    QJsonObject success{{"content"_L1, QJsonArray{Content::text(output)}}};
    if (m_spec.jsonOutput) {
        QJsonParseError parseError;
        const QJsonDocument document = QJsonDocument::fromJson(m_stdout, &parseError);
        if (!document.isObject())
            return error(u"'%1' declares JSON output, but what it printed is not a JSON object "
                         "(%2)."_s.arg(m_spec.toolName, parseError.error == QJsonParseError::NoError
                                                            ? u"a JSON value of another type"_s
                                                            : parseError.errorString()));
        success.insert("structuredContent"_L1, document.object());
    }
    return success;
}

} // namespace heartline
