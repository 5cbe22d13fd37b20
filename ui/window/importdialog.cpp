#include "ui/window/importdialog.h"

#include "ui/window/secretkeeper.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace heartline {

namespace {

enum Column { NameColumn, CommandColumn, NotesColumn };
constexpr int kNameRole = Qt::UserRole + 1;

} // namespace

ImportDialog::ImportDialog(ServerImporter *importer, QWidget *parent)
    : QDialog(parent)
    , m_importer(importer)
    , m_tree(new QTreeWidget(this))
    , m_problems(new QLabel(this))
    , m_confirmation(new QPlainTextEdit(this))
    , m_error(new QLabel(this))
    , m_keepSecrets(new QCheckBox(this))
{
    setObjectName(u"importDialog"_s);
    setWindowTitle(tr("Import servers from other clients"));
    resize(900, 600);

    auto *intro = new QLabel(
        tr("These MCP servers are configured in your other clients. Tick the ones Heartline "
           "should host for all of them. Nothing runs until you press Import."),
        this);
    intro->setWordWrap(true);

    m_tree->setObjectName(u"importTree"_s);
    m_tree->setColumnCount(3);
    m_tree->setHeaderLabels({tr("Server"), tr("Runs"), tr("Notes")});
    m_tree->setRootIsDecorated(true);
    m_tree->setUniformRowHeights(true);
    m_tree->header()->setSectionResizeMode(NameColumn, QHeaderView::ResizeToContents);
    m_tree->header()->setSectionResizeMode(CommandColumn, QHeaderView::Stretch);
    m_tree->header()->setSectionResizeMode(NotesColumn, QHeaderView::Interactive);
    m_tree->header()->setStretchLastSection(false);
    m_tree->setColumnWidth(NotesColumn, 220);
    connect(m_tree, &QTreeWidget::itemChanged, this, &ImportDialog::updateConfirmation);

    m_problems->setWordWrap(true);
    m_problems->hide();

    m_confirmation->setObjectName(u"importConfirmation"_s);
    m_confirmation->setReadOnly(true);
    m_confirmation->setMaximumHeight(110);
    m_confirmation->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_confirmation->setPlaceholderText(tr("Tick a server to see exactly what it will run."));

    m_keepSecrets->setObjectName(u"importKeepSecrets"_s);
    m_keepSecrets->setChecked(true);
    m_keepSecrets->hide();

    m_error->setObjectName(u"importError"_s);
    m_error->setWordWrap(true);
    m_error->setStyleSheet(u"color: #c62828;"_s);
    m_error->hide();

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    m_import = buttons->addButton(tr("Import"), QDialogButtonBox::AcceptRole);
    m_import->setObjectName(u"importButton"_s);
    QPushButton *scanAgain = buttons->addButton(tr("Scan again"), QDialogButtonBox::ResetRole);
    connect(scanAgain, &QPushButton::clicked, this, &ImportDialog::rescan);
    connect(m_import, &QPushButton::clicked, this, &ImportDialog::importAndClose);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addWidget(m_tree, 1);
    layout->addWidget(m_problems);
    layout->addWidget(new QLabel(tr("Will run on this machine, as you:"), this));
    layout->addWidget(m_confirmation);
    layout->addWidget(m_keepSecrets);
    layout->addWidget(m_error);
    layout->addWidget(buttons);
    rescan();
}

void ImportDialog::rescan()
{
    QStringList problems;
    m_candidates = m_importer ? m_importer->scan(&problems) : QList<ServerImporter::Candidate>();
    const QSignalBlocker quiet(m_tree);
    m_tree->clear();
    QTreeWidgetItem *file = nullptr;
    QString lastFile;
    for (const ServerImporter::Candidate &candidate : std::as_const(m_candidates)) {
        if (!file || candidate.sourceFile != lastFile) {
            lastFile = candidate.sourceFile;
            file = new QTreeWidgetItem(m_tree);
            file->setText(NameColumn,
                          u"%1 \u2014 %2"_s.arg(candidate.client, candidate.sourceFile));
            file->setFirstColumnSpanned(true);
            QFont bold = file->font(NameColumn);
            bold.setBold(true);
            file->setFont(NameColumn, bold);
            file->setFlags(Qt::ItemIsEnabled);
        }
        auto *item = new QTreeWidgetItem(file);
        item->setData(NameColumn, kNameRole, candidate.name);
        item->setText(NameColumn, candidate.name);
        item->setText(CommandColumn, candidate.commandLine);
        item->setToolTip(CommandColumn, candidate.commandLine);
        QStringList notes = candidate.notes;
        if (candidate.alreadyConfigured)
            notes.prepend(tr("Heartline has a server of this name already"));
        item->setText(NotesColumn, notes.join(u"; "_s));
        item->setToolTip(NotesColumn, notes.join(u'\n'));
        if (candidate.alreadyConfigured) {
            item->setFlags(Qt::NoItemFlags);
        } else {
            item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable | Qt::ItemIsSelectable);
            // Nothing is ticked for the person: each server is their choice.
            item->setCheckState(NameColumn, Qt::Unchecked);
        }
    }
    m_tree->expandAll();
    if (m_candidates.isEmpty())
        problems.prepend(tr("No MCP servers were found in the configs of Claude Desktop, Cursor, "
                            "VS Code, Claude Code, Windsurf or Zed."));
    m_problems->setText(problems.join(u'\n'));
    m_problems->setVisible(!problems.isEmpty());
    updateConfirmation();
}

QTreeWidgetItem *ImportDialog::itemOf(const QString &name) const
{
    for (int f = 0; f < m_tree->topLevelItemCount(); ++f) {
        QTreeWidgetItem *file = m_tree->topLevelItem(f);
        for (int c = 0; c < file->childCount(); ++c) {
            if (file->child(c)->data(NameColumn, kNameRole).toString() == name)
                return file->child(c);
        }
    }
    return nullptr;
}

void ImportDialog::setChecked(const QString &name, bool checked)
{
    if (QTreeWidgetItem *item = itemOf(name); item && (item->flags() & Qt::ItemIsUserCheckable))
        item->setCheckState(NameColumn, checked ? Qt::Checked : Qt::Unchecked);
}

QStringList ImportDialog::checkedNames() const
{
    QStringList names;
    for (const ServerImporter::Candidate &candidate : m_candidates) {
        const QTreeWidgetItem *item = itemOf(candidate.name);
        if (item && (item->flags() & Qt::ItemIsUserCheckable)
            && item->checkState(NameColumn) == Qt::Checked)
            names.append(candidate.name);
    }
    return names;
}

QString ImportDialog::confirmationText() const
{
    return m_confirmation->toPlainText();
}

void ImportDialog::updateConfirmation()
{
    const QStringList names = checkedNames();
    QStringList lines;
    for (const ServerImporter::Candidate &candidate : std::as_const(m_candidates)) {
        if (names.contains(candidate.name))
            lines.append(u"%1: %2%3"_s.arg(candidate.name,
                                           candidate.remote ? tr("connects to ") : QString(),
                                           candidate.commandLine));
    }
    m_confirmation->setPlainText(lines.join(u'\n'));
    const qsizetype secrets = m_secrets && m_importer ? m_importer->secretsIn(names).size() : 0;
    m_keepSecrets->setText(tr("Keep %n API key(s) and token(s) they hold in the keyring, not in "
                              "the config file",
                              nullptr, int(secrets)));
    m_keepSecrets->setVisible(secrets > 0);
    m_import->setEnabled(!names.isEmpty());
    m_import->setText(names.isEmpty() ? tr("Import")
                                      : tr("Import %n server(s)", nullptr, int(names.size())));
}

bool ImportDialog::canImport() const
{
    return m_import->isEnabled();
}

void ImportDialog::setSecretKeeper(SecretKeeper *keeper)
{
    m_secrets = keeper;
    updateConfirmation();
}

bool ImportDialog::importChecked()
{
    return importChecked({});
}

bool ImportDialog::importChecked(const QList<ServerImporter::Secret> &replaced)
{
    const QStringList names = checkedNames();
    if (names.isEmpty() || !m_importer) {
        showError(tr("Tick the servers to import first"));
        return false;
    }
    QString error;
    if (!m_importer->importServers(names, replaced, &error)) {
        showError(error);
        return false;
    }
    showError({});
    m_imported = names;
    return true;
}

void ImportDialog::importAndClose()
{
    const QList<ServerImporter::Secret> secrets =
        m_secrets && m_importer && m_keepSecrets->isChecked()
            ? m_importer->secretsIn(checkedNames())
            : QList<ServerImporter::Secret>();
    if (secrets.isEmpty()) {
        if (importChecked())
            accept();
        return;
    }
    // Every value is kept before the file names it: the file never names a secret that is
    // not there.
    m_import->setEnabled(false);
    showError({});
    QList<QPair<QString, QString>> named;
    for (const ServerImporter::Secret &secret : secrets)
        named.append({SecretKeeper::nameFor(secret.server, secret.key), secret.value});
    m_secrets->storeAll(
        named, this, [this, secrets](const QStringList &kept, const QString &failure) {
            m_import->setEnabled(true);
            if (!failure.isEmpty()) {
                showError(tr("A value could not be kept as a secret (%1); "
                             "nothing was imported")
                              .arg(failure));
                return;
            }
            QList<ServerImporter::Secret> replaced;
            for (ServerImporter::Secret secret : secrets) {
                const QString name = SecretKeeper::nameFor(secret.server, secret.key);
                if (!kept.contains(name))
                    continue;
                secret.value = SecretKeeper::reference(name);
                replaced.append(secret);
            }
            if (importChecked(replaced))
                accept();
        });
}

void ImportDialog::showError(const QString &error)
{
    m_error->setText(error);
    m_error->setVisible(!error.isEmpty());
}

QString ImportDialog::errorText() const
{
    return m_error->isHidden() ? QString() : m_error->text();
}

} // namespace heartline
