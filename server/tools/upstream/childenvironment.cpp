#include "server/tools/upstream/childenvironment.h"

#include <QDir>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTimer>

#include <csignal>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace heartline {

Q_LOGGING_CATEGORY(lcChildEnvironment, "heartline.upstream.environment")

namespace {

// What a program needs to find the user, the session, the display and the terminal
// (the SDKs' list), then certificates and proxies: behind a corporate proxy `npx` cannot
// download anything without them.
const QStringList &inheritedNames()
{
    static const QStringList names = {
        u"HOME"_s,
        u"LOGNAME"_s,
        u"PATH"_s,
        u"SHELL"_s,
        u"TERM"_s,
        u"USER"_s,
        u"LANG"_s,
        u"DISPLAY"_s,
        u"WAYLAND_DISPLAY"_s,
        u"DBUS_SESSION_BUS_ADDRESS"_s,
        u"TMPDIR"_s,
        u"NODE_EXTRA_CA_CERTS"_s,
        u"SSL_CERT_FILE"_s,
        u"SSL_CERT_DIR"_s,
        u"REQUESTS_CA_BUNDLE"_s,
        u"HTTP_PROXY"_s,
        u"HTTPS_PROXY"_s,
        u"NO_PROXY"_s,
        u"http_proxy"_s,
        u"https_proxy"_s,
        u"no_proxy"_s,
    };
    return names;
}

// The shell leads a group of its own (setsid); what its rc files started ends with it. Never
// with pid 0: kill(0, ...) is our own group.
void killGroupOf(const QProcess *process)
{
    if (const qint64 pid = process->processId(); pid > 0)
        ::kill(-pid_t(pid), SIGKILL);
}

constexpr auto kBeginMarker = "__HEARTLINE_ENV_BEGIN__"_L1;
constexpr auto kEndMarker = "__HEARTLINE_ENV_END__"_L1;

} // namespace

ChildEnvironment::ChildEnvironment(const QProcessEnvironment &parent)
{
    const QStringList keys = parent.keys();
    for (const QString &key : keys) {
        const QString value = parent.value(key);
        // An exported bash function (BASH_FUNC_x%%=() { ...) is code, not a setting; the
        // allowlist keeps their names out, this keeps a crafted value of an allowed name out.
        if (isInherited(key) && !value.startsWith("()"_L1))
            m_inherited.insert(key, value);
    }
}

bool ChildEnvironment::isInherited(const QString &name)
{
    return inheritedNames().contains(name) || name.startsWith("LC_"_L1)
           || name.startsWith("XDG_"_L1);
}

void ChildEnvironment::setPath(const QString &path)
{
    if (!path.isEmpty())
        m_inherited.insert(u"PATH"_s, path);
}

QProcessEnvironment ChildEnvironment::forEntry(const QHash<QString, QString> &entryEnv) const
{
    QProcessEnvironment environment = m_inherited;
    for (auto it = entryEnv.cbegin(); it != entryEnv.cend(); ++it)
        environment.insert(it.key(), it.value());
    return environment;
}

QString resolveCommand(const QString &command, const QProcessEnvironment &environment,
                       const QString &workingDirectory, QString *error)
{
    if (command.isEmpty()) {
        *error = u"no command"_s;
        return {};
    }
    if (command.contains(u'/')) {
        const QString path = QDir::isAbsolutePath(command)
                                 ? command
                                 : QDir(workingDirectory).absoluteFilePath(command);
        const QFileInfo info(path);
        if (!info.exists()) {
            *error = u"`%1` not found"_s.arg(command);
            return {};
        }
        if (!info.isFile() || !info.isExecutable()) {
            *error = u"`%1` is not an executable file"_s.arg(command);
            return {};
        }
        return path;
    }
    const QString path = environment.value(u"PATH"_s);
    const QStringList dirs = path.split(u':', Qt::SkipEmptyParts);
    // findExecutable with no directories searches the parent's PATH: not what the child has.
    const QString found =
        dirs.isEmpty() ? QString() : QStandardPaths::findExecutable(command, dirs);
    if (found.isEmpty())
        *error = u"`%1` not found in PATH=%2"_s.arg(command, path);
    return found;
}

LoginShellPath::LoginShellPath(QObject *parent)
    : QObject(parent)
{
    m_shell = qEnvironmentVariable("SHELL");
    if (m_shell.isEmpty())
        m_shell = u"/bin/sh"_s;
}

LoginShellPath::~LoginShellPath()
{
    if (m_process && m_process->state() != QProcess::NotRunning) {
        m_process->disconnect(this);
        killGroupOf(m_process);
    }
}

QString LoginShellPath::pathFromShellOutput(const QByteArray &output)
{
    // Prompts and rc files colour their output; a terminal's escapes must not end up in PATH.
    static const QRegularExpression escapes(
        u"\\x1b\\[[0-?]*[ -/]*[@-~]|\\x1b\\][^\\x07\\x1b]*(?:\\x07|\\x1b\\\\)|\\x1b[@-_]"_s);
    QString text = QString::fromUtf8(output);
    text.remove(escapes);
    // The last pair: a shell that echoes its command line shows the markers before the output.
    const qsizetype end = text.lastIndexOf(kEndMarker);
    if (end < 0)
        return {};
    const qsizetype begin = text.lastIndexOf(kBeginMarker, end);
    if (begin < 0)
        return {};
    const QStringList lines =
        text.mid(begin + kBeginMarker.size(), end - begin - kBeginMarker.size()).split(u'\n');
    for (const QString &line : lines) {
        if (line.startsWith("PATH="_L1))
            return line.mid(5).trimmed();
    }
    return {};
}

void LoginShellPath::fetch(std::function<void(const QString &path)> done)
{
    if (!m_enabled) {
        done({});
        return;
    }
    if (m_finished) {
        done(m_path);
        return;
    }
    m_waiting.append(std::move(done));
    if (m_process)
        return;

    m_process = new QProcess(this);
    m_process->setProgram(m_shell);
    m_process->setArguments(
        {u"-ilc"_s,
         u"printf '\\n%s\\n' '%1'; env; printf '\\n%s\\n' '%2'"_s.arg(kBeginMarker, kEndMarker)});
    // An interactive shell must not wait for a terminal's input, nor keep what it prints on
    // stderr in memory.
    m_process->setStandardInputFile(QProcess::nullDevice());
    m_process->setStandardErrorFile(QProcess::nullDevice());
    // Its own group, so that the timeout also ends what its rc files started.
    m_process->setChildProcessModifier([] { ::setsid(); });

    m_timer = new QTimer(this);
    m_timer->setSingleShot(true);
    connect(m_timer, &QTimer::timeout, this, [this] {
        qCDebug(lcChildEnvironment)
            << "login shell" << m_shell << "gave no PATH within" << m_timeoutMs << "ms";
        finish({}, u"`%1` gave no PATH within %2 ms"_s.arg(m_shell).arg(m_timeoutMs));
    });
    connect(m_process, &QProcess::errorOccurred, this, [this](QProcess::ProcessError error) {
        if (error == QProcess::FailedToStart)
            finish({}, u"could not start `%1`: %2"_s.arg(m_shell, m_process->errorString()));
    });
    connect(m_process, &QProcess::finished, this, [this] {
        const QString path = pathFromShellOutput(m_process->readAllStandardOutput());
        finish(path, path.isEmpty() ? u"`%1 -ilc env` printed no PATH"_s.arg(m_shell) : QString());
    });
    m_timer->start(m_timeoutMs);
    m_process->start();
}

void LoginShellPath::finish(const QString &path, const QString &error)
{
    if (m_finished)
        return;
    m_finished = true;
    m_path = path;
    m_error = error;
    m_timer->stop();
    m_process->disconnect(this);
    if (m_process->state() != QProcess::NotRunning) {
        killGroupOf(m_process);
        // Reaped when QProcess sees it end; only then may it go.
        connect(m_process, &QProcess::finished, m_process, &QObject::deleteLater);
    } else {
        m_process->deleteLater();
    }
    m_process = nullptr;
    if (!path.isEmpty())
        qCDebug(lcChildEnvironment) << "login shell PATH:" << path;
    const auto waiting = std::exchange(m_waiting, {});
    for (const auto &done : waiting)
        done(m_path);
}

} // namespace heartline
