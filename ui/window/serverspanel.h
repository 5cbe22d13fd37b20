#pragma once

#include "ui/window/appservices.h"

#include <QHash>
#include <QPointer>
#include <QWidget>

class QAction;
class QLabel;
class QSortFilterProxyModel;
class QTableView;
class QToolBar;

namespace heartline {

class Monitor;
class ServerControl;
class ServerEntryStore;
class ServersModel;
class UpstreamLogDialog;

// The user's upstream servers, one row each, and what can be done to one: start, stop,
// restart, switch on or off (the row's check box), show its log, add, edit or remove its
// entry, open the config file. A refused action says why in a line above the table.
class ServersPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ServersPanel)

public:
    // Without `services.entries` (no config file) Add, Edit, Remove, Import and Open are
    // unavailable; without `services.importer`, Import.
    ServersPanel(ServersModel *model, Monitor *monitor, ServerControl *control,
                 const AppServices &services, QWidget *parent = nullptr);

    QTableView *view() const { return m_view; }
    QSortFilterProxyModel *proxy() const { return m_proxy; }
    // The server of the current row; empty when none is selected.
    QString selectedServer() const;
    void selectServer(const QString &name);
    QString message() const;

    QAction *startAction() const { return m_start; }
    QAction *stopAction() const { return m_stop; }
    QAction *restartAction() const { return m_restart; }
    QAction *logAction() const { return m_log; }
    QAction *addAction() const { return m_add; }
    QAction *editAction() const { return m_edit; }
    QAction *removeAction() const { return m_remove; }
    QAction *openConfigAction() const { return m_openConfig; }
    QAction *importAction() const { return m_import; }
    QAction *approveAction() const { return m_approve; }
    // "N servers wait for your approval…", empty when none does.
    QString approvalNotice() const;

    // The log window of `name`, opened (or raised) by "Show log".
    UpstreamLogDialog *showLog(const QString &name);
    // Removes the entry from the config file after the person confirms (`confirm` false: the
    // caller asked already, as a test does).
    bool removeServer(const QString &name, bool confirm = true);
    // Shows the exact command line `name` would run and asks (`confirm` false: the caller
    // asked already); yes writes the approval into its entry, for the running Heartline to
    // start it.
    bool approveServer(const QString &name, bool confirm = true);
    // The question approveServer() asks, for the person (and tests) to read.
    QString approvalQuestion(const QString &name) const;

Q_SIGNALS:
    void addRequested();
    void importRequested();
    void editRequested(const QString &name);

private:
    void createActions();
    void updateActions();
    void showContextMenu(const QPoint &pos);
    void report(bool ok, const QString &error);
    void updateApprovalNotice();
    void sizeColumns();

    ServersModel *m_model;
    Monitor *m_monitor;
    ServerControl *m_control;
    ServerEntryStore *m_store;
    QSortFilterProxyModel *m_proxy;
    QTableView *m_view;
    QToolBar *m_toolBar;
    QLabel *m_message;
    QAction *m_add = nullptr;
    QAction *m_edit = nullptr;
    QAction *m_remove = nullptr;
    QAction *m_start = nullptr;
    QAction *m_stop = nullptr;
    QAction *m_restart = nullptr;
    QAction *m_log = nullptr;
    QAction *m_openConfig = nullptr;
    QAction *m_import = nullptr;
    QAction *m_approve = nullptr;
    QWidget *m_approvalBar = nullptr;
    QLabel *m_approvalText = nullptr;
    bool m_canImport = false;
    QHash<QString, QPointer<UpstreamLogDialog>> m_logs;
};

} // namespace heartline
