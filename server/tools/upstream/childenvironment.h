#pragma once

#include <QHash>
#include <QObject>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

#include <functional>

class QProcess;
class QTimer;

namespace heartline {

// The environment an upstream child starts with: an allowlist of the parent's variables (what
// a program needs to find the user, the display, the terminal, certificates and proxies, and
// nothing else: no tokens the host happens to hold), then the entry's own `env` over it. The
// SDKs do the same; passing everything on hands every secret to every upstream.
class ChildEnvironment final
{
public:
    explicit ChildEnvironment(
        const QProcessEnvironment &parent = QProcessEnvironment::systemEnvironment());

    // Whether a variable of the parent's is passed on (exact names, LC_*, XDG_*).
    static bool isInherited(const QString &name);

    // PATH for every child instead of the parent's: the login shell's, when the host took it
    // (LoginShellPath). Empty keeps the parent's.
    void setPath(const QString &path);

    // The allowlisted parent variables, then `entryEnv` over them.
    QProcessEnvironment forEntry(const QHash<QString, QString> &entryEnv) const;

private:
    QProcessEnvironment m_inherited;
};

// Where `command` is, as the child would find it: an absolute or ./relative path (relative to
// `workingDirectory`) must exist and be executable; a bare name is looked up on the child's
// PATH. Empty with `error` set when there is none: "`npx` not found in PATH=/usr/bin:/bin",
// the wording users need to fix it.
QString resolveCommand(const QString &command, const QProcessEnvironment &environment,
                       const QString &workingDirectory, QString *error);

// PATH as the user's login shell sets it, asked once. A host started from a desktop menu has
// the session's short PATH, without ~/.local/bin, nvm or Homebrew, so `npx` is "not found";
// the login shell knows better. Off by default (a shell's rc files run); the host turns it on.
// The shell runs asynchronously under a timeout: the event loop never waits on it.
class LoginShellPath final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LoginShellPath)

public:
    explicit LoginShellPath(QObject *parent = nullptr);
    ~LoginShellPath() override;

    void setEnabled(bool enabled) { m_enabled = enabled; }
    bool isEnabled() const { return m_enabled; }
    // Default: $SHELL, else /bin/sh.
    void setShell(const QString &shell) { m_shell = shell; }
    QString shell() const { return m_shell; }
    void setTimeoutMs(int timeoutMs) { m_timeoutMs = timeoutMs; }

    // Calls `done` with the login shell's PATH once it is known: at once when disabled (empty)
    // or already asked; otherwise when the shell answered, failed or timed out (empty, with
    // error() saying why). The shell runs once however many callers wait.
    void fetch(std::function<void(const QString &path)> done);

    bool isFinished() const { return m_finished; }
    QString path() const { return m_path; }
    QString error() const { return m_error; }

    // The PATH between the markers of the shell's output, escape sequences stripped; empty
    // when the output has none (exposed for the unit test).
    static QString pathFromShellOutput(const QByteArray &output);

private:
    void finish(const QString &path, const QString &error);

    bool m_enabled = false;
    QString m_shell;
    int m_timeoutMs = 5000;
    bool m_finished = false;
    QString m_path;
    QString m_error;
    QProcess *m_process = nullptr;
    QTimer *m_timer = nullptr;
    QList<std::function<void(const QString &)>> m_waiting;
};

} // namespace heartline
