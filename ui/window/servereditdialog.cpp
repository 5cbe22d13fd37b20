#include "ui/window/servereditdialog.h"

#include "ui/window/keyvaluetable.h"
#include "ui/window/secretkeeper.h"
#include "ui/window/serverentrystore.h"
#include "ui/window/serverprobe.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableWidget>
#include <QToolButton>
#include <QVBoxLayout>

#include <functional>

using namespace Qt::StringLiterals;

namespace heartline {

namespace {

// The keys of each kind the dialog shows; the other kind's go when the kind changes.
const QStringList kStdioKeys = {u"command"_s, u"args"_s, u"env"_s, u"cwd"_s};
const QStringList kRemoteKeys = {u"url"_s, u"serverUrl"_s, u"type"_s, u"headers"_s};

// The transport choices and the `type` each writes (none: Streamable HTTP, SSE as fallback).
struct TransportChoice
{
    const char *label;
    const char *type;
};
constexpr TransportChoice kTransports[] = {
    {QT_TRANSLATE_NOOP("heartline::ServerEditDialog", "Streamable HTTP, or SSE if refused"), ""},
    {QT_TRANSLATE_NOOP("heartline::ServerEditDialog", "Streamable HTTP"), "http"},
    {QT_TRANSLATE_NOOP("heartline::ServerEditDialog", "SSE (legacy)"), "sse"},
};

int transportIndexOf(const QString &type)
{
    if (type == "sse"_L1)
        return 2;
    if (type == "http"_L1 || type == "streamable-http"_L1 || type == "streamableHttp"_L1)
        return 1;
    return 0;
}

void setOrRemove(QJsonObject *entry, const QString &key, const QJsonValue &value, bool empty)
{
    if (empty)
        entry->remove(key);
    else
        entry->insert(key, value);
}

QListWidgetItem *editableItem(const QString &text)
{
    auto *item = new QListWidgetItem(text);
    item->setFlags(item->flags() | Qt::ItemIsEditable);
    return item;
}

// A row of small buttons under a list or table: add, remove.
QHBoxLayout *addRemoveButtons(QWidget *parent, const std::function<void()> &add,
                              const std::function<void()> &remove)
{
    auto *row = new QHBoxLayout;
    auto *plus = new QToolButton(parent);
    plus->setText(u"+"_s);
    plus->setToolTip(ServerEditDialog::tr("Add a row"));
    QObject::connect(plus, &QToolButton::clicked, parent, add);
    auto *minus = new QToolButton(parent);
    minus->setText(u"\u2212"_s);
    minus->setToolTip(ServerEditDialog::tr("Remove the selected row"));
    QObject::connect(minus, &QToolButton::clicked, parent, remove);
    row->addWidget(plus);
    row->addWidget(minus);
    row->addStretch(1);
    return row;
}

// An argument list with its add and remove buttons: a new row opens for typing at once.
QVBoxLayout *argumentList(QListWidget *list, QWidget *page)
{
    auto *box = new QVBoxLayout;
    box->addWidget(list, 1);
    box->addLayout(addRemoveButtons(
        page,
        [list]() {
            QListWidgetItem *item = editableItem({});
            list->addItem(item);
            list->setCurrentItem(item);
            list->editItem(item);
        },
        [list]() { delete list->currentItem(); }));
    return box;
}

} // namespace

ServerEditDialog::ServerEditDialog(ServerEntryStore *store, ServerProbe *probe, const QString &name,
                                   QWidget *parent)
    : QDialog(parent)
    , m_store(store)
    , m_probe(probe)
    , m_originalName(name)
    , m_name(new QLineEdit(this))
    , m_description(new QLineEdit(this))
    , m_kinds(new QTabWidget(this))
    , m_error(new QLabel(this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, this))
{
    setObjectName(u"serverEditDialog"_s);
    setWindowTitle(name.isEmpty() ? tr("Add a server") : tr("Edit %1").arg(name));
    resize(760, 640);

    m_name->setObjectName(u"serverName"_s);
    m_name->setPlaceholderText(tr("letters, digits, - and _ (the prefix of its tools)"));
    m_description->setPlaceholderText(tr("optional: what it is for"));
    auto *form = new QFormLayout;
    form->addRow(tr("&Name:"), m_name);
    form->addRow(tr("&Description:"), m_description);

    m_kinds->setObjectName(u"serverKinds"_s);
    m_kinds->addTab(createStdioPage(), tr("Program on this machine"));
    m_kinds->addTab(createRemotePage(), tr("Remote server"));
    // A command tool is added here; once in the file it is edited there.
    if (name.isEmpty())
        m_kinds->addTab(createCommandToolPage(), tr("Command tool"));

    m_error->setObjectName(u"serverEditError"_s);
    m_error->setWordWrap(true);
    m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_error->setStyleSheet(u"color: #c62828;"_s);
    m_error->hide();

    connect(m_buttons, &QDialogButtonBox::accepted, this, &ServerEditDialog::saveAndClose);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    m_buttons->button(QDialogButtonBox::Save)->setEnabled(m_store);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_kinds, 3);
    if (m_probe) {
        layout->addWidget(createTestBox(), 2);
        connect(m_kinds, &QTabWidget::currentChanged, this,
                [this](int kind) { m_testButton->setEnabled(kind != CommandTool); });
    }
    layout->addWidget(m_error);
    layout->addWidget(m_buttons);

    if (!name.isEmpty())
        load(name);
    resolveCommand();
}

QWidget *ServerEditDialog::createStdioPage()
{
    auto *page = new QWidget(this);
    m_command = new QLineEdit(page);
    m_command->setObjectName(u"serverCommand"_s);
    m_command->setPlaceholderText(u"npx"_s);
    m_resolved = new QLabel(page);
    m_resolved->setObjectName(u"commandResolution"_s);
    m_resolved->setTextInteractionFlags(Qt::TextSelectableByMouse);
    connect(m_command, &QLineEdit::textChanged, this, &ServerEditDialog::resolveCommand);

    m_args = new QListWidget(page);
    m_args->setObjectName(u"serverArguments"_s);
    m_args->setToolTip(tr("One argument per row, passed as it is (no shell): spaces and quotes "
                          "are part of the argument"));
    m_env = new KeyValueTable(tr("Variable"), page);
    m_env->setObjectName(u"serverEnvironment"_s);

    m_cwd = new QLineEdit(page);
    m_cwd->setPlaceholderText(tr("Heartline's own"));
    auto *browse = new QPushButton(tr("Choose…"), page);
    connect(browse, &QPushButton::clicked, this, [this]() {
        const QString folder =
            QFileDialog::getExistingDirectory(this, tr("Working folder"), m_cwd->text());
        if (!folder.isEmpty())
            m_cwd->setText(folder);
    });
    auto *cwdRow = new QHBoxLayout;
    cwdRow->addWidget(m_cwd, 1);
    cwdRow->addWidget(browse);

    QVBoxLayout *argsBox = argumentList(m_args, page);
    auto *envBox = new QVBoxLayout;
    envBox->addWidget(m_env, 1);
    envBox->addLayout(addRemoveButtons(
        page, [this]() { m_env->addEntry(); }, [this]() { m_env->removeCurrent(); }));

    auto *form = new QFormLayout(page);
    form->addRow(tr("&Command:"), m_command);
    form->addRow(QString(), m_resolved);
    form->addRow(tr("&Arguments:"), argsBox);
    form->addRow(tr("&Environment:"), envBox);
    form->addRow(tr("&Working folder:"), cwdRow);
    return page;
}

QWidget *ServerEditDialog::createRemotePage()
{
    auto *page = new QWidget(this);
    m_url = new QLineEdit(page);
    m_url->setObjectName(u"serverUrl"_s);
    m_url->setPlaceholderText(u"https://example.com/mcp"_s);
    m_transport = new QComboBox(page);
    for (const TransportChoice &choice : kTransports)
        m_transport->addItem(tr(choice.label), QString::fromLatin1(choice.type));
    m_headers = new KeyValueTable(tr("Header"), page);
    m_headers->setObjectName(u"serverHeaders"_s);
    auto *headersBox = new QVBoxLayout;
    headersBox->addWidget(m_headers, 1);
    headersBox->addLayout(addRemoveButtons(
        page, [this]() { m_headers->addEntry(); }, [this]() { m_headers->removeCurrent(); }));

    auto *form = new QFormLayout(page);
    form->addRow(tr("&URL:"), m_url);
    form->addRow(tr("&Transport:"), m_transport);
    form->addRow(tr("&Headers:"), headersBox);
    return page;
}

QWidget *ServerEditDialog::createCommandToolPage()
{
    auto *page = new QWidget(this);
    auto *hint = new QLabel(tr("A program on this machine offered to every client as one tool. "
                               "Write {name} as a whole argument where a parameter's value goes: "
                               "it is passed as that one argument, never through a shell."),
                            page);
    hint->setWordWrap(true);
    m_toolCommand = new QLineEdit(page);
    m_toolCommand->setObjectName(u"toolCommand"_s);
    m_toolCommand->setPlaceholderText(u"grep"_s);
    m_toolArgs = new QListWidget(page);
    m_toolArgs->setObjectName(u"toolArguments"_s);
    m_toolParams = new QTableWidget(0, 4, page);
    m_toolParams->setObjectName(u"toolParameters"_s);
    m_toolParams->setHorizontalHeaderLabels(
        {tr("Parameter"), tr("Type"), tr("Description"), tr("Required")});
    m_toolParams->horizontalHeader()->setSectionResizeMode(2, QHeaderView::Stretch);
    m_toolParams->verticalHeader()->hide();
    m_toolCwd = new QLineEdit(page);
    m_toolCwd->setPlaceholderText(tr("your home folder"));
    m_toolTimeout = new QSpinBox(page);
    m_toolTimeout->setRange(1, 24 * 3600);
    m_toolTimeout->setValue(60);
    m_toolTimeout->setSuffix(tr(" s"));
    m_toolMaxOutput = new QSpinBox(page);
    m_toolMaxOutput->setRange(1, 64 * 1024);
    m_toolMaxOutput->setValue(1024);
    m_toolMaxOutput->setSuffix(tr(" KiB"));

    QVBoxLayout *argsBox = argumentList(m_toolArgs, page);
    auto *paramsBox = new QVBoxLayout;
    paramsBox->addWidget(m_toolParams, 1);
    paramsBox->addLayout(addRemoveButtons(
        page, [this]() { addToolParameter({}, u"string"_s, {}, true); },
        [this]() {
            if (m_toolParams->currentRow() >= 0)
                m_toolParams->removeRow(m_toolParams->currentRow());
        }));

    auto *form = new QFormLayout(page);
    form->addRow(hint);
    form->addRow(tr("&Command:"), m_toolCommand);
    form->addRow(tr("&Arguments:"), argsBox);
    form->addRow(tr("&Parameters:"), paramsBox);
    form->addRow(tr("&Working folder:"), m_toolCwd);
    form->addRow(tr("&Time limit:"), m_toolTimeout);
    form->addRow(tr("&Output limit:"), m_toolMaxOutput);
    return page;
}

void ServerEditDialog::addToolParameter(const QString &name, const QString &type,
                                        const QString &description, bool required)
{
    const int row = m_toolParams->rowCount();
    m_toolParams->insertRow(row);
    m_toolParams->setItem(row, 0, new QTableWidgetItem(name));
    auto *types = new QComboBox(m_toolParams);
    types->addItems({u"string"_s, u"integer"_s, u"number"_s, u"boolean"_s, u"array"_s});
    types->setCurrentText(type);
    m_toolParams->setCellWidget(row, 1, types);
    m_toolParams->setItem(row, 2, new QTableWidgetItem(description));
    auto *requiredItem = new QTableWidgetItem;
    requiredItem->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable);
    requiredItem->setCheckState(required ? Qt::Checked : Qt::Unchecked);
    m_toolParams->setItem(row, 3, requiredItem);
}

QJsonObject ServerEditDialog::commandToolEntry() const
{
    QJsonObject properties;
    QJsonArray required;
    for (int row = 0; row < m_toolParams->rowCount(); ++row) {
        const QString name =
            m_toolParams->item(row, 0) ? m_toolParams->item(row, 0)->text().trimmed() : QString();
        if (name.isEmpty())
            continue;
        QJsonObject property{
            {"type"_L1,
             qobject_cast<QComboBox *>(m_toolParams->cellWidget(row, 1))->currentText()}};
        if (const QString text = m_toolParams->item(row, 2)->text().trimmed(); !text.isEmpty())
            property.insert("description"_L1, text);
        if (property.value("type"_L1) == "array"_L1)
            property.insert("items"_L1, QJsonObject{{"type"_L1, "string"_L1}});
        properties.insert(name, property);
        if (m_toolParams->item(row, 3)->checkState() == Qt::Checked)
            required.append(name);
    }
    QJsonObject schema{{"type"_L1, "object"_L1}, {"properties"_L1, properties}};
    if (!required.isEmpty())
        schema.insert("required"_L1, required);
    QJsonObject entry{{"command"_L1, m_toolCommand->text().trimmed()}, {"inputSchema"_L1, schema}};
    if (const QString description = m_description->text().trimmed(); !description.isEmpty())
        entry.insert("description"_L1, description);
    QStringList args;
    for (int row = 0; row < m_toolArgs->count(); ++row)
        args.append(m_toolArgs->item(row)->text());
    if (!args.isEmpty())
        entry.insert("args"_L1, QJsonArray::fromStringList(args));
    if (const QString cwd = m_toolCwd->text().trimmed(); !cwd.isEmpty())
        entry.insert("cwd"_L1, cwd);
    if (m_toolTimeout->value() != 60)
        entry.insert("timeoutMs"_L1, m_toolTimeout->value() * 1000);
    if (m_toolMaxOutput->value() != 1024)
        entry.insert("maxOutputBytes"_L1, qint64(m_toolMaxOutput->value()) * 1024);
    return entry;
}

QWidget *ServerEditDialog::createTestBox()
{
    auto *box = new QGroupBox(tr("Test"), this);
    m_testButton = new QPushButton(tr("&Test"), box);
    m_testButton->setObjectName(u"testButton"_s);
    m_testButton->setToolTip(
        tr("Start it apart from the running servers, list its tools, stop it"));
    connect(m_testButton, &QPushButton::clicked, this, [this]() {
        if (m_probe->isRunning()) {
            m_probe->cancel();
            m_testStatus->setText(tr("Stopped."));
            m_testButton->setText(tr("&Test"));
        } else {
            test();
        }
    });
    m_testStatus = new QLabel(tr("Not tested yet."), box);
    m_testStatus->setWordWrap(true);
    m_testStatus->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_testTools = new QListWidget(box);
    m_testTools->setObjectName(u"testTools"_s);
    m_testLog = new QPlainTextEdit(box);
    m_testLog->setObjectName(u"testLog"_s);
    m_testLog->setReadOnly(true);
    m_testLog->setPlaceholderText(tr("stderr"));
    m_testLog->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));

    connect(m_probe, &ServerProbe::diagnosticLine, m_testLog, &QPlainTextEdit::appendPlainText);
    connect(m_probe, &ServerProbe::finished, this, [this](const ServerProbe::Result &result) {
        m_testButton->setText(tr("&Test"));
        m_testTools->clear();
        m_testTools->addItems(result.tools);
        m_testStatus->setText(
            result.ok ? tr("Ready: %n tool(s). Stopped again.", nullptr, int(result.tools.size()))
                      : tr("Failed: %1").arg(result.error));
        Q_EMIT testFinished(result.ok);
    });

    auto *top = new QHBoxLayout;
    top->addWidget(m_testButton);
    top->addWidget(m_testStatus, 1);
    auto *results = new QHBoxLayout;
    results->addWidget(m_testTools, 1);
    results->addWidget(m_testLog, 2);
    auto *layout = new QVBoxLayout(box);
    layout->addLayout(top);
    layout->addLayout(results, 1);
    return box;
}

void ServerEditDialog::load(const QString &name)
{
    QString error;
    if (!m_store || !m_store->entry(name, &m_original, &error)) {
        showError(error.isEmpty() ? tr("Heartline runs without a config file") : error);
        m_name->setText(name);
        return;
    }
    m_name->setText(name);
    m_description->setText(m_original.value("description"_L1).toString());
    const QString url = m_original.contains("url"_L1) ? m_original.value("url"_L1).toString()
                                                      : m_original.value("serverUrl"_L1).toString();
    if (!url.isEmpty()) {
        setKind(Remote);
        m_url->setText(url);
        m_transport->setCurrentIndex(transportIndexOf(m_original.value("type"_L1).toString()));
        m_headers->setValues(m_original.value("headers"_L1).toObject());
        return;
    }
    setKind(Stdio);
    m_command->setText(m_original.value("command"_L1).toString());
    QStringList args;
    for (const QJsonValue &arg : m_original.value("args"_L1).toArray())
        args.append(arg.toString());
    setArguments(args);
    m_env->setValues(m_original.value("env"_L1).toObject());
    m_cwd->setText(m_original.value("cwd"_L1).toString());
}

void ServerEditDialog::resolveCommand()
{
    const QString command = m_command->text().trimmed();
    QString text;
    if (command.isEmpty()) {
        text = tr("The program to run, e.g. npx, uvx, docker or a full path.");
    } else if (command.contains("${"_L1)) {
        text = tr("Resolved when it runs (it names a variable).");
    } else {
        const QString found = QFileInfo(command).isAbsolute()
                                  ? (QFileInfo(command).isExecutable() ? command : QString())
                                  : QStandardPaths::findExecutable(command);
        text = found.isEmpty() ? tr("\u2717 Not found on PATH: it will fail to start.")
                               : tr("\u2713 %1").arg(found);
    }
    m_resolved->setText(text);
}

QString ServerEditDialog::commandResolution() const
{
    return m_resolved->text();
}

QStringList ServerEditDialog::arguments() const
{
    QStringList args;
    for (int row = 0; row < m_args->count(); ++row)
        args.append(m_args->item(row)->text());
    return args;
}

QJsonObject ServerEditDialog::entry() const
{
    if (m_kinds->currentIndex() == CommandTool)
        return commandToolEntry();
    QJsonObject entry = m_original;
    const QString description = m_description->text().trimmed();
    setOrRemove(&entry, u"description"_s, description, description.isEmpty());
    if (m_kinds->currentIndex() == Stdio) {
        for (const QString &key : kRemoteKeys) {
            if (key != "type"_L1 || entry.value(key).toString() != "stdio"_L1)
                entry.remove(key);
        }
        entry.insert(u"command"_s, m_command->text().trimmed());
        const QStringList args = arguments();
        setOrRemove(&entry, u"args"_s, QJsonArray::fromStringList(args), args.isEmpty());
        const QJsonObject env = m_env->values();
        setOrRemove(&entry, u"env"_s, env, env.isEmpty());
        const QString cwd = m_cwd->text().trimmed();
        setOrRemove(&entry, u"cwd"_s, cwd, cwd.isEmpty());
    } else {
        for (const QString &key : kStdioKeys)
            entry.remove(key);
        entry.remove(u"serverUrl"_s);
        entry.insert(u"url"_s, m_url->text().trimmed());
        const QString type = m_transport->currentData().toString();
        setOrRemove(&entry, u"type"_s, type, type.isEmpty());
        const QJsonObject headers = m_headers->values();
        setOrRemove(&entry, u"headers"_s, headers, headers.isEmpty());
    }
    return entry;
}

QString ServerEditDialog::serverName() const
{
    return m_name->text().trimmed();
}

void ServerEditDialog::showError(const QString &error)
{
    m_error->setText(error);
    m_error->setVisible(!error.isEmpty());
}

QString ServerEditDialog::errorText() const
{
    return m_error->isHidden() ? QString() : m_error->text();
}

QString ServerEditDialog::missingField() const
{
    if (!m_store)
        return tr("Heartline runs without a config file: nothing can be saved");
    if (serverName().isEmpty())
        return tr("A server needs a name");
    if (m_kinds->currentIndex() == Stdio && m_command->text().trimmed().isEmpty())
        return tr("A program needs a command");
    if (m_kinds->currentIndex() == Remote && m_url->text().trimmed().isEmpty())
        return tr("A remote server needs a URL");
    if (m_kinds->currentIndex() == CommandTool && m_toolCommand->text().trimmed().isEmpty())
        return tr("A command tool needs a command");
    return {};
}

KeyValueTable *ServerEditDialog::tableOfSecrets() const
{
    switch (m_kinds->currentIndex()) {
    case Stdio:
        return m_env;
    case Remote:
        return m_headers;
    default:
        return nullptr;
    }
}

void ServerEditDialog::saveAndClose()
{
    KeyValueTable *table = tableOfSecrets();
    const QList<QPair<QString, QString>> secrets =
        table ? table->secretValuesWrittenOut() : QList<QPair<QString, QString>>();
    if (!m_secrets || secrets.isEmpty() || !missingField().isEmpty()) {
        if (save())
            accept();
        return;
    }
    // Each value goes to the keyring first; the file is written only once all are kept, so it
    // never names a secret that is not there.
    m_buttons->setEnabled(false);
    showError({});
    const QString server = serverName();
    QList<QPair<QString, QString>> named;
    for (const auto &[key, value] : secrets)
        named.append({SecretKeeper::nameFor(server, key), value});
    m_secrets->storeAll(
        named, this,
        [this, table, secrets, server](const QStringList &kept, const QString &failure) {
            for (const auto &[key, value] : secrets) {
                const QString name = SecretKeeper::nameFor(server, key);
                if (kept.contains(name))
                    table->setValue(key, SecretKeeper::reference(name));
            }
            m_buttons->setEnabled(true);
            if (!failure.isEmpty())
                showError(tr("A value could not be kept as a secret (%1); nothing was saved")
                              .arg(failure));
            else if (save())
                accept();
        });
}

bool ServerEditDialog::save()
{
    if (const QString missing = missingField(); !missing.isEmpty()) {
        showError(missing);
        return false;
    }
    QString error;
    if (m_kinds->currentIndex() == CommandTool) {
        if (!m_store->saveCommandTool(serverName(), commandToolEntry(), &error)) {
            showError(error);
            return false;
        }
        showError({});
        return true;
    }
    if (!m_store->save(serverName(), entry(), m_originalName, &error)) {
        showError(error);
        return false;
    }
    showError({});
    return true;
}

void ServerEditDialog::done(int result)
{
    if (m_probe && m_probe->isRunning())
        m_probe->cancel();
    QDialog::done(result);
}

void ServerEditDialog::test()
{
    // A command tool is no server to start: it runs when a client calls it.
    if (!m_probe || m_kinds->currentIndex() == CommandTool)
        return;
    m_testTools->clear();
    m_testLog->clear();
    m_testStatus->setText(tr("Starting…"));
    m_testButton->setText(tr("&Stop"));
    m_probe->start(serverName().isEmpty() ? u"test"_s : serverName(), entry());
}

QStringList ServerEditDialog::testedTools() const
{
    QStringList tools;
    for (int row = 0; m_testTools && row < m_testTools->count(); ++row)
        tools.append(m_testTools->item(row)->text());
    return tools;
}

QString ServerEditDialog::testStatus() const
{
    return m_testStatus ? m_testStatus->text() : QString();
}

QString ServerEditDialog::testLog() const
{
    return m_testLog ? m_testLog->toPlainText() : QString();
}

void ServerEditDialog::setKind(Kind kind)
{
    m_kinds->setCurrentIndex(kind);
}

void ServerEditDialog::setServerName(const QString &name)
{
    m_name->setText(name);
}

void ServerEditDialog::setCommand(const QString &command)
{
    (m_kinds->currentIndex() == CommandTool ? m_toolCommand : m_command)->setText(command);
}

void ServerEditDialog::setArguments(const QStringList &arguments)
{
    QListWidget *list = m_kinds->currentIndex() == CommandTool ? m_toolArgs : m_args;
    list->clear();
    for (const QString &arg : arguments)
        list->addItem(editableItem(arg));
}

void ServerEditDialog::setUrl(const QString &url)
{
    m_url->setText(url);
}

} // namespace heartline
