#include "server/tools/upstream/stdiochannel.h"

#include "server/tools/upstream/childenvironment.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QLoggingCategory>
#include <QPointer>
#include <QRegularExpression>
#include <QTimer>

#include <cerrno>
#include <csignal>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace heartline {

Q_LOGGING_CATEGORY(lcStdio, "heartline.upstream.stdio")

namespace {

// Enough of a bad line to recognise it in the log, not enough to flood it.
constexpr qsizetype kExcerptChars = 120;

QString excerpt(const QByteArray &bytes)
{
    QString text = QString::fromUtf8(bytes.left(kExcerptChars * 4)).left(kExcerptChars);
    if (text.size() < bytes.size())
        text += u"…"_s;
    return text;
}

QString exitDescription(int exitCode, QProcess::ExitStatus exitStatus)
{
    return exitStatus == QProcess::CrashExit ? u"killed by signal %1"_s.arg(exitCode)
                                             : u"exited with status %1"_s.arg(exitCode);
}

} // namespace

StdioChannel::StdioChannel(const QString &command, const QStringList &arguments,
                           const Options &options, QObject *parent)
    : UpstreamChannel(parent)
    , m_command(command)
    , m_arguments(arguments)
    , m_options(options)
    , m_shutdownTimer(new QTimer(this))
    , m_stdout(options.maxLineBytes)
    , m_stderr(options.maxStderrLineBytes)
{
    if (m_options.environment.isEmpty())
        m_options.environment = ChildEnvironment().forEntry({});
    if (m_options.workingDirectory.isEmpty())
        m_options.workingDirectory = QDir::homePath();
    m_shutdownTimer->setSingleShot(true);
    connect(m_shutdownTimer, &QTimer::timeout, this, &StdioChannel::handleShutdownTimer);
}

StdioChannel::~StdioChannel()
{
    if (!m_process)
        return;
    m_process->disconnect(this);
    if (m_process->state() != QProcess::NotRunning) {
        qCDebug(lcStdio) << "destroyed while running; killing group" << m_pid;
        killGroup(SIGKILL);
    }
    // QProcess reaps the child it started as it goes; after SIGKILL that is at once.
    delete m_process;
}

QString StdioChannel::quotedCommandLine(const QStringList &argv)
{
    static const QRegularExpression plain(u"^[A-Za-z0-9_@%+=:,./-]+$"_s);
    QStringList quoted;
    quoted.reserve(argv.size());
    for (const QString &arg : argv) {
        if (plain.match(arg).hasMatch())
            quoted.append(arg);
        else
            quoted.append(u'\'' + QString(arg).replace(u"'"_s, u"'\\''"_s) + u'\'');
    }
    return quoted.join(u' ');
}

QString StdioChannel::describe() const
{
    const QString line = quotedCommandLine(QStringList{m_command} + m_arguments);
    return m_pid > 0 ? line + u" (pid %1)"_s.arg(m_pid) : line;
}

void StdioChannel::open()
{
    if (m_state != State::Idle) {
        qCWarning(lcStdio) << "open() while not idle:" << describe();
        return;
    }
    QString error;
    const QString program =
        resolveCommand(m_command, m_options.environment, m_options.workingDirectory, &error);
    if (program.isEmpty()) {
        emitClosedSoon(error, false);
        return;
    }

    m_process = new QProcess(this);
    m_process->setProgram(program);
    m_process->setArguments(m_arguments);
    m_process->setWorkingDirectory(m_options.workingDirectory);
    m_process->setProcessEnvironment(m_options.environment);
    // A session of its own makes the child the leader of a new process group whose id is its
    // pid: every process a wrapper starts below it is signalled with it. (Qt 6.4 has no
    // UnixProcessParameters; the modifier runs in the child between fork and exec.)
    m_process->setChildProcessModifier([] { ::setsid(); });
    connect(m_process, &QProcess::started, this, &StdioChannel::handleStarted);
    connect(m_process, &QProcess::errorOccurred, this, &StdioChannel::handleErrorOccurred);
    connect(m_process, &QProcess::finished, this, &StdioChannel::handleFinished);
    connect(m_process, &QProcess::readyReadStandardOutput, this, &StdioChannel::handleStdout);
    connect(m_process, &QProcess::readyReadStandardError, this, &StdioChannel::handleStderr);

    m_state = State::Running;
    qCDebug(lcStdio) << "starting" << describe();
    m_process->start();
    if (m_process && m_process->state() != QProcess::NotRunning)
        m_pid = m_process->processId();
}

void StdioChannel::send(const QJsonObject &message)
{
    if (m_state != State::Running || !m_process) {
        qCDebug(lcStdio) << "dropped a message to a channel that is not running:" << describe();
        return;
    }
    // Compact JSON never contains a raw newline: the newline is the frame.
    m_process->write(QJsonDocument(message).toJson(QJsonDocument::Compact) + '\n');
}

void StdioChannel::close()
{
    if (m_state != State::Running)
        return;
    m_state = State::Closing;
    qCDebug(lcStdio) << "closing" << describe();
    // A well-behaved server exits when its input ends; the timers are for the others.
    m_process->closeWriteChannel();
    m_shutdownTimer->start(m_options.stdinCloseGraceMs);
}

void StdioChannel::handleShutdownTimer()
{
    if (!m_process)
        return;
    if (!m_terminateSent) {
        m_terminateSent = true;
        qCDebug(lcStdio) << "still running after stdin closed; SIGTERM to group" << m_pid;
        killGroup(SIGTERM);
        m_shutdownTimer->start(m_options.terminateGraceMs);
    } else {
        qCWarning(lcStdio) << "still running after SIGTERM; SIGKILL to group" << m_pid;
        killGroup(SIGKILL);
    }
}

void StdioChannel::killGroup(int signal) const
{
    if (m_pid <= 0)
        return;
    if (::kill(-pid_t(m_pid), signal) == 0 || errno != ESRCH)
        return;
    // No such group yet: the child has not reached setsid() (it is between fork and exec). It
    // has not been reaped either (callers hold a running QProcess), so its pid is still its own.
    if (m_process && m_process->state() != QProcess::NotRunning)
        ::kill(pid_t(m_pid), signal);
}

void StdioChannel::handleStarted()
{
    m_pid = m_process->processId();
    qCDebug(lcStdio) << "started" << describe();
    if (m_state == State::Running)
        Q_EMIT opened();
}

void StdioChannel::handleErrorOccurred(QProcess::ProcessError error)
{
    // Crashes and exits come with finished(); only a start that failed ends here.
    if (error != QProcess::FailedToStart)
        return;
    const QString reason = u"could not start: %1"_s.arg(m_process->errorString());
    qCDebug(lcStdio) << describe() << reason; // the supervisor's state carries it to the user
    m_process->disconnect(this);
    m_process->deleteLater();
    m_process = nullptr;
    m_pid = 0;
    m_shutdownTimer->stop();
    emitClosedSoon(reason, false);
}

void StdioChannel::handleFinished(int exitCode, QProcess::ExitStatus exitStatus)
{
    QPointer<StdioChannel> self(this);
    // What it wrote before it went still counts; a last line without a newline too.
    handleStdout();
    if (!self)
        return;
    handleStderr();
    if (!self)
        return;
    if (const QByteArray rest = m_stderr.takeRest(); !rest.isEmpty())
        Q_EMIT diagnosticLine(QString::fromUtf8(rest));
    if (!self)
        return;
    if (const QByteArray rest = m_stdout.takeRest(); !rest.trimmed().isEmpty())
        handleStdoutLine(rest);
    if (!self)
        return;

    // The direct child is reaped; what it started may not be (npx's server under npm, a
    // daemonised helper). Its pid is still the group's id while any member lives, so the
    // kernel has not given that number to anyone else: the group is ours to end.
    // (Never with pid 0: kill(0, ...) is our own group.)
    if (m_pid > 0 && ::kill(-pid_t(m_pid), SIGKILL) == 0)
        qCDebug(lcStdio) << "killed what was left of group" << m_pid;

    const bool expected = m_state == State::Closing;
    const QString reason = exitDescription(exitCode, exitStatus);
    if (expected)
        qCDebug(lcStdio) << describe() << "closed:" << reason;
    else
        qCDebug(lcStdio) << describe() << reason; // reported as the supervisor's state
    m_shutdownTimer->stop();
    m_process->disconnect(this);
    m_process->deleteLater();
    m_process = nullptr;
    m_pid = 0;
    finishClosed(reason, expected);
}

void StdioChannel::handleStdout()
{
    if (!m_process)
        return;
    // Emitting may end in this channel being deleted: collect first, then emit with a guard.
    struct Event
    {
        bool overflow;
        QByteArray bytes;
    };
    QList<Event> events;
    m_stdout.append(
        m_process->readAllStandardOutput(),
        [&events](const QByteArray &line) {
            events.append({false, line});
        },
        [&events](const QByteArray &head) {
            events.append({true, head.left(kExcerptChars)});
        });
    QPointer<StdioChannel> self(this);
    for (const Event &event : std::as_const(events)) {
        if (event.overflow)
            Q_EMIT protocolProblem(u"stdout line longer than %1 bytes, skipped to its end: %2"_s
                                       .arg(m_options.maxLineBytes)
                                       .arg(excerpt(event.bytes)));
        else
            handleStdoutLine(event.bytes);
        if (!self)
            return;
    }
}

void StdioChannel::handleStdoutLine(const QByteArray &line)
{
    const QByteArray trimmed = line.trimmed();
    if (trimmed.isEmpty())
        return;
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(trimmed, &error);
    if (document.isObject()) {
        Q_EMIT messageReceived(document.object());
        return;
    }
    if (!document.isArray() || document.array().isEmpty()) {
        Q_EMIT protocolProblem(u"stdout line is not a JSON-RPC message (%1): %2"_s.arg(
            error.error == QJsonParseError::NoError ? u"not an object or a batch"_s
                                                    : error.errorString(),
            excerpt(trimmed)));
        return;
    }
    QPointer<StdioChannel> self(this);
    const QJsonArray batch = document.array();
    for (const QJsonValue &element : batch) {
        if (element.isObject())
            Q_EMIT messageReceived(element.toObject());
        else
            Q_EMIT protocolProblem(u"batch element is not a JSON-RPC message: %1"_s.arg(
                excerpt(QJsonDocument(QJsonArray{element}).toJson(QJsonDocument::Compact))));
        if (!self)
            return;
    }
}

void StdioChannel::handleStderr()
{
    if (!m_process)
        return;
    QStringList lines;
    m_stderr.append(
        m_process->readAllStandardError(),
        [&lines](const QByteArray &line) { lines.append(QString::fromUtf8(line)); },
        [&lines](const QByteArray &head) { lines.append(QString::fromUtf8(head) + u" [cut]"_s); });
    QPointer<StdioChannel> self(this);
    for (const QString &line : std::as_const(lines)) {
        Q_EMIT diagnosticLine(line);
        if (!self)
            return;
    }
}

void StdioChannel::emitClosedSoon(const QString &reason, bool expected)
{
    // Never from inside open(): the caller is still setting up.
    m_state = State::Closing;
    QTimer::singleShot(0, this, [this, reason, expected] { finishClosed(reason, expected); });
}

void StdioChannel::finishClosed(const QString &reason, bool expected)
{
    m_state = State::Idle;
    m_terminateSent = false;
    m_stdout.takeRest();
    m_stderr.takeRest();
    Q_EMIT closed(reason, expected);
}

} // namespace heartline
