#include "ui/window/connectionspanel.h"

#include "server/api/servercontrol.h"
#include "ui/models/connectionsmodel.h"
#include "ui/models/displayformat.h"
#include "ui/window/columnwidths.h"
#include "ui/window/statebadgedelegate.h"

#include <QApplication>
#include <QClipboard>
#include <QDateTime>
#include <QHeaderView>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QSortFilterProxyModel>
#include <QTreeView>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace heartline {

ConnectionsPanel::ConnectionsPanel(ConnectionsModel *model, ServerControl *control, QWidget *parent)
    : QWidget(parent)
    , m_model(model)
    , m_control(control)
    , m_filter(new QLineEdit(this))
    , m_proxy(new QSortFilterProxyModel(this))
    , m_view(new QTreeView(this))
{
    m_filter->setObjectName(u"connectionsFilter"_s);
    m_filter->setPlaceholderText(tr("Filter by client, transport, peer or state…"));
    m_filter->setClearButtonEnabled(true);

    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(ConnectionsModel::SortRole);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_proxy->setFilterKeyColumn(-1);
    // A stream row that matches keeps its session visible, and a matching session its streams
    // are shown under it only when they match too: the filter finds rows, not subtrees.
    m_proxy->setRecursiveFilteringEnabled(true);
    connect(m_filter, &QLineEdit::textChanged, m_proxy,
            &QSortFilterProxyModel::setFilterFixedString);

    m_view->setObjectName(u"connectionsView"_s);
    m_view->setModel(m_proxy);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(ConnectionsModel::Opened, Qt::AscendingOrder);
    m_view->setAlternatingRowColors(true);
    m_view->setUniformRowHeights(true);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setContextMenuPolicy(Qt::CustomContextMenu);
    m_view->setItemDelegateForColumn(ConnectionsModel::State,
                                     new StateBadgeDelegate(ConnectionsModel::StateRole, m_view));
    QHeaderView *header = m_view->header();
    header->setStretchLastSection(true);
    header->setSectionResizeMode(QHeaderView::Interactive);
    sizeColumns();
    connect(m_view, &QTreeView::customContextMenuRequested, this,
            &ConnectionsPanel::showContextMenu);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &ConnectionsPanel::handleCurrentChanged);
    connect(m_model, &ConnectionsModel::clockAdvanced, this,
            &ConnectionsPanel::repaintClockColumns);
    // New streams show up under an expanded session.
    connect(m_proxy, &QAbstractItemModel::rowsInserted, m_view,
            [this](const QModelIndex &insertedUnder, int first, int last) {
                if (!insertedUnder.isValid()) {
                    for (int row = first; row <= last; ++row)
                        m_view->expand(m_proxy->index(row, 0));
                }
            });

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_filter);
    layout->addWidget(m_view, 1);
}

void ConnectionsPanel::sizeColumns()
{
    // Wide enough for the longest value each column can show: nothing is cut at 1280x800.
    // Only the client's name is elided (its tooltip has it whole); the upstream calls take
    // what is left.
    QStringList transports;
    for (TransportKind kind : {TransportKind::StreamableHttp, TransportKind::LegacySse,
                               TransportKind::StreamableHttpStateless})
        transports.append(transportKindName(kind) + u" · 2026-07-28"_s);
    QStringList states;
    for (ConnectionState state :
         {ConnectionState::Open, ConnectionState::Streaming, ConnectionState::Idle,
          ConnectionState::Resuming, ConnectionState::Closed})
        states.append(connectionStateLabel(state));
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const QStringList counts{u"9999999"_s};
    ColumnWidths::fit(m_view->header(),
                      {{ConnectionsModel::Transport, transports},
                       {ConnectionsModel::Peer, {u"::ffff:255.255.255.255"_s}},
                       {ConnectionsModel::State, states, StateBadgeDelegate::kHorizontalPadding},
                       {ConnectionsModel::Opened, {DisplayFormat::clock(now - 2 * 86'400'000)}},
                       {ConnectionsModel::IdleAge, {DisplayFormat::duration(59 * 60'000 + 59'000)}},
                       {ConnectionsModel::LastHeartbeat, {DisplayFormat::age(now, now - 59'000)}},
                       {ConnectionsModel::Heartbeats, counts},
                       {ConnectionsModel::MessagesIn, counts},
                       {ConnectionsModel::MessagesOut, counts},
                       {ConnectionsModel::BytesQueued, {DisplayFormat::bytes(1023 * 1024 + 900)}},
                       {ConnectionsModel::PingRtt, {DisplayFormat::milliseconds(99'999)}}});
    m_view->setColumnWidth(ConnectionsModel::Client, 220);
}

void ConnectionsPanel::repaintClockColumns()
{
    // Only the visible rows' ages are drawn, so the clock costs one repaint of two columns
    // however many sessions there are.
    const QHeaderView *header = m_view->header();
    QRect columns;
    for (int column = 0; column < ConnectionsModel::ColumnCount; ++column) {
        if (!ConnectionsModel::isClockColumn(column) || header->isSectionHidden(column))
            continue;
        columns |= QRect(header->sectionViewportPosition(column), 0, header->sectionSize(column),
                         m_view->viewport()->height());
    }
    if (!columns.isEmpty())
        m_view->viewport()->update(columns);
}

void ConnectionsPanel::setFilterText(const QString &text)
{
    m_filter->setText(text);
}

QString ConnectionsPanel::selectedSessionId() const
{
    return m_selectedSession;
}

bool ConnectionsPanel::closeSession(const QString &sessionId, QString *error)
{
    return m_control->closeSession(sessionId, error);
}

void ConnectionsPanel::handleCurrentChanged()
{
    const QModelIndex current = m_view->currentIndex();
    const QString sessionId =
        current.isValid() ? current.data(ConnectionsModel::SessionIdRole).toString() : QString();
    if (sessionId == m_selectedSession)
        return;
    m_selectedSession = sessionId;
    Q_EMIT sessionSelected(sessionId);
}

void ConnectionsPanel::showContextMenu(const QPoint &pos)
{
    const QModelIndex index = m_view->indexAt(pos);
    if (!index.isValid())
        return;
    const QString sessionId = index.data(ConnectionsModel::SessionIdRole).toString();
    const bool closed =
        index.data(ConnectionsModel::StateRole).value<ConnectionState>() == ConnectionState::Closed;
    QMenu menu(this);
    QAction *close = menu.addAction(tr("Close session"));
    close->setEnabled(!sessionId.isEmpty() && !closed);
    QAction *copy = menu.addAction(tr("Copy session id"));
    copy->setEnabled(!sessionId.isEmpty());
    QAction *chosen = menu.exec(m_view->viewport()->mapToGlobal(pos));
    if (chosen == copy) {
        QApplication::clipboard()->setText(sessionId);
    } else if (chosen == close) {
        QString error;
        if (!closeSession(sessionId, &error))
            QMessageBox::warning(this, tr("Close session"), error);
    }
}

} // namespace heartline
