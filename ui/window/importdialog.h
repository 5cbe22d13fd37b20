#pragma once

#include "ui/window/serverimporter.h"

#include <QDialog>

class QCheckBox;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QTreeWidget;
class QTreeWidgetItem;

namespace heartline {

class SecretKeeper;

// "Import from…": every server found in the other clients' configs, grouped by the file it was
// found in, each with a check box and the exact command line (or URL) it would run. Nothing is
// ticked at first and nothing runs from here: what the person ticks is listed again, as it
// will run, above the Import button, and only Import writes those entries into the config
// file (each marked with where it came from), for the running Heartline to start. API keys and
// tokens written out in those entries are offered a move into the keyring (SecretKeeper): the
// file then names them as ${secret:NAME}.
class ImportDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ImportDialog)

public:
    ImportDialog(ServerImporter *importer, QWidget *parent = nullptr);

    // Where "Keep secret values in the keyring" moves them (null: not offered).
    void setSecretKeeper(SecretKeeper *keeper);

    QList<ServerImporter::Candidate> candidates() const { return m_candidates; }
    void setChecked(const QString &name, bool checked);
    QStringList checkedNames() const;
    // What will run once imported, one line per ticked server.
    QString confirmationText() const;
    bool canImport() const;
    // Import: false, with errorText(), when nothing is ticked or the file cannot be written.
    bool importChecked();
    // The Import button: the ticked servers' secrets kept first when the box says so, then
    // importChecked(), then the dialog closes. A refusal leaves it open, the file unchanged.
    void importAndClose();
    // The box offering the move, shown while a ticked server has a secret written out.
    QCheckBox *keepSecretsBox() const { return m_keepSecrets; }
    QString errorText() const;
    QStringList imported() const { return m_imported; }

private:
    void rescan();
    void updateConfirmation();
    QTreeWidgetItem *itemOf(const QString &name) const;
    void showError(const QString &error);
    bool importChecked(const QList<ServerImporter::Secret> &replaced);

    ServerImporter *m_importer;
    SecretKeeper *m_secrets = nullptr;
    QList<ServerImporter::Candidate> m_candidates;
    QTreeWidget *m_tree;
    QLabel *m_problems;
    QPlainTextEdit *m_confirmation;
    QLabel *m_error;
    QPushButton *m_import;
    QCheckBox *m_keepSecrets;
    QStringList m_imported;
};

} // namespace heartline
