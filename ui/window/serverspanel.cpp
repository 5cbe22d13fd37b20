#include "ui/window/serverspanel.h"

#include "server/api/servercontrol.h"
#include "ui/models/displayformat.h"
#include "ui/models/serversmodel.h"
#include "ui/window/columnwidths.h"
#include "ui/window/serverentrystore.h"
#include "ui/window/statebadgedelegate.h"
#include "ui/window/upstreamlogdialog.h"

#include <QAction>
#include <QDesktopServices>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QToolBar>
#include <QUrl>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace heartline {

namespace {

bool canStart(const UpstreamInfo &info)
{
    return info.enabled
           && (info.state == UpstreamState::Stopped || info.state == UpstreamState::Crashed
               || info.state == UpstreamState::CrashLoop);
}

bool canStop(const UpstreamInfo &info)
{
    return info.state == UpstreamState::Starting || info.state == UpstreamState::Ready
           || info.state == UpstreamState::Degraded || info.state == UpstreamState::Crashed;
}

bool canRestart(const UpstreamInfo &info)
{
    return info.enabled && info.state != UpstreamState::ConfigError
           && info.state != UpstreamState::AwaitingApproval;
}

} // namespace

ServersPanel::ServersPanel(ServersModel *model, Monitor *monitor, ServerControl *control,
                           const AppServices &services, QWidget *parent)
    : QWidget(parent)
    , m_model(model)
    , m_monitor(monitor)
    , m_control(control)
    , m_store(services.entries)
    , m_proxy(new QSortFilterProxyModel(this))
    , m_view(new QTableView(this))
    , m_toolBar(new QToolBar(this))
    , m_message(new QLabel(this))
    , m_canImport(services.entries && services.importer)
{
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(ServersModel::SortRole);

    m_view->setObjectName(u"serversView"_s);
    m_view->setModel(m_proxy);
    // Config order until the person sorts: it is the order they wrote.
    m_view->setSortingEnabled(false);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setAlternatingRowColors(true);
    m_view->setWordWrap(false);
    m_view->verticalHeader()->hide();
    m_view->setContextMenuPolicy(Qt::CustomContextMenu);
    m_view->setItemDelegateForColumn(ServersModel::State,
                                     new StateBadgeDelegate(ServersModel::StateRole, m_view));
    QHeaderView *header = m_view->horizontalHeader();
    header->setSectionResizeMode(QHeaderView::Interactive);
    // The one column whose text may be long; the whole of it is in the tooltip.
    header->setSectionResizeMode(ServersModel::LastError, QHeaderView::Stretch);
    sizeColumns();
    // The names and targets change only when servers come and go.
    connect(m_model, &QAbstractItemModel::modelReset, this, &ServersPanel::sizeColumns);
    header->setSectionsClickable(true);
    connect(header, &QHeaderView::sectionClicked, this,
            [this](int) { m_view->setSortingEnabled(true); });

    m_message->setObjectName(u"serversMessage"_s);
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_message->hide();

    createActions();
    connect(m_view, &QTableView::customContextMenuRequested, this, &ServersPanel::showContextMenu);
    connect(m_view, &QTableView::doubleClicked, this, [this](const QModelIndex &index) {
        if (index.isValid() && index.column() != ServersModel::Enabled)
            showLog(index.data(ServersModel::ServerNameRole).toString());
    });
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &ServersPanel::updateActions);
    connect(m_model, &QAbstractItemModel::dataChanged, this, &ServersPanel::updateActions);
    connect(m_model, &QAbstractItemModel::modelReset, this, &ServersPanel::updateActions);

    // Programs that wait for the person's yes before their first run, said above everything.
    m_approvalBar = new QWidget(this);
    m_approvalBar->setObjectName(u"approvalBar"_s);
    m_approvalText = new QLabel(m_approvalBar);
    m_approvalText->setWordWrap(true);
    auto *review = new QPushButton(tr("Review…"), m_approvalBar);
    connect(review, &QPushButton::clicked, this, [this]() {
        for (int row = 0; row < m_model->rowCount(); ++row) {
            const UpstreamInfo info = m_model->serverAt(row);
            if (info.state == UpstreamState::AwaitingApproval)
                approveServer(info.name);
        }
    });
    auto *barLayout = new QHBoxLayout(m_approvalBar);
    barLayout->setContentsMargins(6, 4, 6, 4);
    barLayout->addWidget(m_approvalText, 1);
    barLayout->addWidget(review);
    m_approvalBar->setAutoFillBackground(true);
    QPalette warm = m_approvalBar->palette();
    warm.setColor(QPalette::Window, QColor(0xff, 0xf3, 0xe0));
    warm.setColor(QPalette::WindowText, QColor(0x4e, 0x34, 0x2e));
    m_approvalBar->setPalette(warm);
    m_approvalBar->hide();
    connect(m_model, &QAbstractItemModel::dataChanged, this, &ServersPanel::updateApprovalNotice);
    connect(m_model, &QAbstractItemModel::modelReset, this, &ServersPanel::updateApprovalNotice);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addWidget(m_toolBar);
    layout->addWidget(m_approvalBar);
    layout->addWidget(m_message);
    layout->addWidget(m_view, 1);
    updateActions();
    updateApprovalNotice();
}

void ServersPanel::createActions()
{
    m_toolBar->setObjectName(u"serversToolBar"_s);
    m_toolBar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    m_add = m_toolBar->addAction(tr("Add…"), this, &ServersPanel::addRequested);
    m_import = m_toolBar->addAction(tr("Import from…"), this, &ServersPanel::importRequested);
    m_edit = m_toolBar->addAction(tr("Edit…"), this,
                                  [this]() { Q_EMIT editRequested(selectedServer()); });
    m_remove =
        m_toolBar->addAction(tr("Remove"), this, [this]() { removeServer(selectedServer()); });
    m_approve =
        m_toolBar->addAction(tr("Approve…"), this, [this]() { approveServer(selectedServer()); });
    m_approve->setToolTip(tr("See the exact command line and let it run"));
    m_toolBar->addSeparator();
    m_start = m_toolBar->addAction(tr("Start"), this, [this]() {
        report(m_model->start(selectedServer()), m_model->lastError());
    });
    m_stop = m_toolBar->addAction(tr("Stop"), this, [this]() {
        report(m_model->stop(selectedServer()), m_model->lastError());
    });
    m_restart = m_toolBar->addAction(tr("Restart"), this, [this]() {
        report(m_model->restart(selectedServer()), m_model->lastError());
    });
    m_toolBar->addSeparator();
    m_log = m_toolBar->addAction(tr("Show log"), this, [this]() { showLog(selectedServer()); });
    m_openConfig = m_toolBar->addAction(tr("Open config file"), this, [this]() {
        if (m_store)
            QDesktopServices::openUrl(QUrl::fromLocalFile(m_store->path()));
    });
    const QString noFile = tr("Heartline runs without a config file (start it with --config)");
    for (QAction *action : {m_add, m_import, m_edit, m_remove, m_openConfig})
        action->setToolTip(m_store ? action->text().remove(u'…') : noFile);
    if (m_store)
        m_openConfig->setToolTip(m_store->path());
}

void ServersPanel::sizeColumns()
{
    // The figures from the longest text each can show, so a count that grows is never cut;
    // the names, kinds and targets from the rows, which change only when servers do.
    for (int column : {int(ServersModel::Enabled), int(ServersModel::Name), int(ServersModel::Kind),
                       int(ServersModel::Target)})
        m_view->resizeColumnToContents(column);
    QStringList states;
    for (int state = int(UpstreamState::Disabled); state <= int(UpstreamState::AwaitingApproval);
         ++state)
        states.append(upstreamStateLabel(UpstreamState(state)));
    states.append(tr("%1 · restart %2 in %3")
                      .arg(upstreamStateLabel(UpstreamState::Crashed))
                      .arg(5)
                      .arg(DisplayFormat::duration(16'000)));
    const QStringList counts{u"9999999"_s};
    ColumnWidths::fit(
        m_view->horizontalHeader(),
        {{ServersModel::State, states, StateBadgeDelegate::kHorizontalPadding},
         {ServersModel::Uptime, {DisplayFormat::duration(23 * 3'600'000 + 59 * 60'000)}},
         {ServersModel::Restarts, {u"9999"_s}},
         {ServersModel::Tools, {u"999/999"_s}},
         {ServersModel::Calls, counts},
         {ServersModel::Errors, counts},
         {ServersModel::MeanLatency, {DisplayFormat::milliseconds(99'999)}}});
    // A pid grows too.
    m_view->setColumnWidth(
        ServersModel::Target,
        qMax(m_view->columnWidth(ServersModel::Target),
             m_view->fontMetrics().horizontalAdvance(tr("pid %1").arg(4194304)) + 16));
}

QString ServersPanel::selectedServer() const
{
    const QModelIndex current = m_view->currentIndex();
    return current.isValid() ? current.data(ServersModel::ServerNameRole).toString() : QString();
}

void ServersPanel::selectServer(const QString &name)
{
    const int row = m_model->rowOfServer(name);
    if (row < 0)
        return;
    m_view->setCurrentIndex(m_proxy->mapFromSource(m_model->index(row, ServersModel::Name)));
}

QString ServersPanel::message() const
{
    return m_message->isHidden() ? QString() : m_message->text();
}

void ServersPanel::updateActions()
{
    const QString name = selectedServer();
    const UpstreamInfo info = m_model->serverAt(m_model->rowOfServer(name));
    const bool selected = !name.isEmpty();
    m_start->setEnabled(selected && canStart(info));
    m_stop->setEnabled(selected && canStop(info));
    m_restart->setEnabled(selected && canRestart(info));
    m_log->setEnabled(selected);
    m_add->setEnabled(m_store);
    m_import->setEnabled(m_canImport);
    m_edit->setEnabled(m_store && selected);
    m_remove->setEnabled(m_store && selected);
    m_openConfig->setEnabled(m_store);
    m_approve->setEnabled(m_store && selected && info.state == UpstreamState::AwaitingApproval);
}

void ServersPanel::updateApprovalNotice()
{
    QStringList waiting;
    for (int row = 0; row < m_model->rowCount(); ++row) {
        const UpstreamInfo info = m_model->serverAt(row);
        if (info.state == UpstreamState::AwaitingApproval)
            waiting.append(info.name);
    }
    m_approvalText->setText(
        waiting.isEmpty() ? QString()
                          : tr("%n server(s) wait for your approval before their first run: %1",
                               nullptr, int(waiting.size()))
                                .arg(waiting.join(u", "_s)));
    m_approvalBar->setVisible(!waiting.isEmpty() && m_store);
}

QString ServersPanel::approvalNotice() const
{
    return m_approvalBar->isHidden() ? QString() : m_approvalText->text();
}

QString ServersPanel::approvalQuestion(const QString &name) const
{
    const UpstreamInfo info = m_model->serverAt(m_model->rowOfServer(name));
    QString text =
        tr("“%1” will run this program on this machine, as you:\n\n%2").arg(name, info.target);
    if (!info.cwd.isEmpty())
        text += tr("\n\nin the folder %1").arg(info.cwd);
    if (!info.envKeys.isEmpty())
        text += tr("\n\nwith these variables set: %1").arg(info.envKeys.join(u", "_s));
    if (!info.importedFrom.isEmpty())
        text += tr("\n\nImported from %1.").arg(info.importedFrom);
    text += tr("\n\nRun it? You are asked again if something else changes this command.");
    return text;
}

bool ServersPanel::approveServer(const QString &name, bool confirm)
{
    if (!m_store || name.isEmpty())
        return false;
    if (confirm
        && QMessageBox::question(this, tr("Run %1?").arg(name), approvalQuestion(name),
                                 QMessageBox::Yes | QMessageBox::No, QMessageBox::No)
               != QMessageBox::Yes)
        return false;
    QString error;
    const UpstreamInfo info = m_model->serverAt(m_model->rowOfServer(name));
    const bool approved = m_store->approve(name, info.approvalHash, &error);
    report(approved, error);
    return approved;
}

void ServersPanel::report(bool ok, const QString &error)
{
    m_message->setText(ok ? QString() : error);
    m_message->setVisible(!ok);
}

UpstreamLogDialog *ServersPanel::showLog(const QString &name)
{
    if (name.isEmpty())
        return nullptr;
    QPointer<UpstreamLogDialog> &dialog = m_logs[name];
    if (!dialog) {
        dialog = new UpstreamLogDialog(name, m_monitor, m_control, this);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
    }
    dialog->show();
    dialog->raise();
    dialog->activateWindow();
    return dialog;
}

bool ServersPanel::removeServer(const QString &name, bool confirm)
{
    if (!m_store || name.isEmpty())
        return false;
    if (confirm
        && QMessageBox::question(
               this, tr("Remove %1").arg(name),
               tr("Remove the server “%1” from %2? Heartline stops it, and its tools leave "
                  "every client.")
                   .arg(name, m_store->path()))
               != QMessageBox::Yes)
        return false;
    QString error;
    const bool removed = m_store->remove(name, &error);
    report(removed, error);
    return removed;
}

void ServersPanel::showContextMenu(const QPoint &pos)
{
    if (!m_view->indexAt(pos).isValid())
        return;
    QMenu menu(this);
    menu.addActions({m_approve, m_start, m_stop, m_restart});
    menu.addSeparator();
    menu.addActions({m_log, m_edit, m_remove});
    menu.exec(m_view->viewport()->mapToGlobal(pos));
}

} // namespace heartline
