#pragma once

#include <QDialog>
#include <QJsonObject>

class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;
class QTableWidget;
class QTabWidget;

namespace heartline {

class KeyValueTable;
class SecretKeeper;
class ServerEntryStore;
class ServerProbe;

// Add or edit one upstream server's entry: a program on this machine (command resolved on
// PATH as it is typed, arguments one per row, environment with secrets masked, working folder)
// or a remote server (URL, transport, headers). "Test" starts it apart from the running ones
// and shows the tools it offers and its stderr. Save writes the entry into the config file
// through ServerEntryStore, keeping the keys the dialog does not show (enabled, disabledTools,
// timeoutMs, restart, ...); the running Heartline applies it from there. With a SecretKeeper,
// Save first keeps each value marked secret there and writes ${secret:NAME} in its place.
class ServerEditDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ServerEditDialog)

public:
    // CommandTool: a program offered as one MCP tool (the config's `commandTools`), no server;
    // only when adding.
    enum Kind { Stdio, Remote, CommandTool };

    // `name` empty: a new server. `probe` may be null (no Test button).
    ServerEditDialog(ServerEntryStore *store, ServerProbe *probe, const QString &name = {},
                     QWidget *parent = nullptr);

    // The entry as the fields stand, merged into the one being edited.
    QJsonObject entry() const;
    QString serverName() const;
    QString errorText() const;

    // What a person does, for tests and the shortcut keys.
    void setKind(Kind kind);
    void setServerName(const QString &name);
    void setCommand(const QString &command);
    // The command and arguments of the kind shown (a program or a command tool).
    void setArguments(const QStringList &arguments);
    // A command tool's parameter, as a row of its table.
    void addToolParameter(const QString &name, const QString &type, const QString &description,
                          bool required);
    void setUrl(const QString &url);
    KeyValueTable *environmentTable() const { return m_env; }
    KeyValueTable *headersTable() const { return m_headers; }
    QString commandResolution() const;
    // Values marked secret go to `keeper` on Save (null: they stay in the file).
    void setSecretKeeper(SecretKeeper *keeper) { m_secrets = keeper; }
    // Save: false, with errorText(), when the store refuses; the dialog stays open.
    bool save();
    // The Save button: keeps the secret values (SecretKeeper), then save(), then closes. Any
    // refusal leaves the dialog open with the reason, and the file as it was.
    void saveAndClose();
    void test();
    QStringList testedTools() const;
    QString testStatus() const;
    QString testLog() const;

Q_SIGNALS:
    void testFinished(bool ok);

protected:
    // A test still running stops with the dialog, whichever way it closes.
    void done(int result) override;

private:
    QWidget *createStdioPage();
    QWidget *createRemotePage();
    QWidget *createTestBox();
    QWidget *createCommandToolPage();
    QJsonObject commandToolEntry() const;
    void load(const QString &name);
    void resolveCommand();
    QStringList arguments() const;
    void showError(const QString &error);
    // The first thing the fields lack to be saved ("A program needs a command"), or empty.
    QString missingField() const;
    KeyValueTable *tableOfSecrets() const;

    ServerEntryStore *m_store;
    ServerProbe *m_probe;
    SecretKeeper *m_secrets = nullptr;
    QString m_originalName;
    QJsonObject m_original;
    QLineEdit *m_name;
    QLineEdit *m_description;
    QTabWidget *m_kinds;
    QLineEdit *m_command;
    QLabel *m_resolved;
    QListWidget *m_args;
    KeyValueTable *m_env;
    QLineEdit *m_cwd;
    QLineEdit *m_url;
    QComboBox *m_transport;
    KeyValueTable *m_headers;
    QLineEdit *m_toolCommand = nullptr;
    QListWidget *m_toolArgs = nullptr;
    QTableWidget *m_toolParams = nullptr;
    QLineEdit *m_toolCwd = nullptr;
    QSpinBox *m_toolTimeout = nullptr;
    QSpinBox *m_toolMaxOutput = nullptr;
    QPushButton *m_testButton = nullptr;
    QLabel *m_testStatus = nullptr;
    QListWidget *m_testTools = nullptr;
    QPlainTextEdit *m_testLog = nullptr;
    QLabel *m_error;
    QDialogButtonBox *m_buttons;
};

} // namespace heartline
