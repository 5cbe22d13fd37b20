#include "ui/window/disconnectlogpanel.h"

#include "ui/models/disconnectexport.h"
#include "ui/models/disconnectfiltermodel.h"
#include "ui/models/disconnectlogmodel.h"

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeySequence>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSaveFile>
#include <QShortcut>
#include <QStandardPaths>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace heartline {

DisconnectLogPanel::DisconnectLogPanel(DisconnectLogModel *model, QWidget *parent)
    : QWidget(parent)
    , m_model(model)
    , m_filter(new DisconnectFilterModel(this))
    , m_cause(new QComboBox(this))
    , m_view(new QTableView(this))
{
    m_filter->setSourceModel(m_model);
    m_filter->setSortRole(DisconnectLogModel::SortRole);

    m_cause->setObjectName(u"causeFilter"_s);
    m_cause->addItem(tr("All causes"), QString());
    for (DisconnectCause cause : DisconnectCauses::all()) {
        const QString name = DisconnectCauses::name(cause);
        m_cause->addItem(name, name);
    }
    connect(m_cause, &QComboBox::currentIndexChanged, this,
            [this](int index) { m_filter->setCauseFilter(m_cause->itemData(index).toString()); });

    auto *copy = new QPushButton(tr("Copy"), this);
    copy->setObjectName(u"copyDisconnects"_s);
    copy->setToolTip(tr("Copy the selected rows as CSV"));
    connect(copy, &QPushButton::clicked, this, &DisconnectLogPanel::copySelection);
    auto *exportButton = new QPushButton(tr("Export…"), this);
    exportButton->setObjectName(u"exportDisconnects"_s);
    connect(exportButton, &QPushButton::clicked, this, &DisconnectLogPanel::exportWithDialog);

    m_view->setObjectName(u"disconnectView"_s);
    m_view->setModel(m_filter);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(DisconnectLogModel::Time, Qt::AscendingOrder);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setAlternatingRowColors(true);
    m_view->setWordWrap(false);
    m_view->verticalHeader()->hide();
    m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->setColumnWidth(DisconnectLogModel::Detail, 260);
    auto *copyShortcut = new QShortcut(QKeySequence::Copy, m_view);
    copyShortcut->setContext(Qt::WidgetShortcut);
    connect(copyShortcut, &QShortcut::activated, this, &DisconnectLogPanel::copySelection);

    auto *bar = new QHBoxLayout;
    bar->addWidget(new QLabel(tr("Cause:"), this));
    bar->addWidget(m_cause);
    bar->addStretch(1);
    bar->addWidget(copy);
    bar->addWidget(exportButton);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(bar);
    layout->addWidget(m_view, 1);
}

void DisconnectLogPanel::setCauseFilter(const QString &cause)
{
    const int index = m_cause->findData(cause);
    m_cause->setCurrentIndex(index < 0 ? 0 : index);
}

QList<DisconnectEvent> DisconnectLogPanel::eventsOfProxyRows(const QList<int> &rows) const
{
    // Source rows sorted: the log's own order is oldest first, whatever the view's sort.
    QList<int> sourceRows;
    sourceRows.reserve(rows.size());
    for (int row : rows)
        sourceRows.push_back(m_filter->mapToSource(m_filter->index(row, 0)).row());
    std::sort(sourceRows.begin(), sourceRows.end());
    QList<DisconnectEvent> events;
    events.reserve(sourceRows.size());
    for (int row : std::as_const(sourceRows))
        events.push_back(m_model->eventAt(row));
    return events;
}

QList<DisconnectEvent> DisconnectLogPanel::shownEvents() const
{
    QList<int> rows;
    for (int row = 0; row < m_filter->rowCount(); ++row)
        rows.push_back(row);
    return eventsOfProxyRows(rows);
}

QList<DisconnectEvent> DisconnectLogPanel::selectedEvents() const
{
    QList<int> rows;
    for (const QModelIndex &index : m_view->selectionModel()->selectedRows())
        rows.push_back(index.row());
    return eventsOfProxyRows(rows);
}

void DisconnectLogPanel::copySelection()
{
    QList<DisconnectEvent> events = selectedEvents();
    if (events.isEmpty())
        events = shownEvents();
    QApplication::clipboard()->setText(QString::fromUtf8(toCsv(events)));
}

DisconnectLogPanel::ExportFormat DisconnectLogPanel::formatForPath(const QString &path)
{
    const QString lower = path.toLower();
    return lower.endsWith(".jsonl"_L1) || lower.endsWith(".ndjson"_L1) ? ExportFormat::JsonLines
                                                                       : ExportFormat::Csv;
}

bool DisconnectLogPanel::writeEvents(const QString &path, ExportFormat format,
                                     const QList<DisconnectEvent> &events, QString *error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        *error = file.errorString();
        return false;
    }
    file.write(format == ExportFormat::JsonLines ? toJsonLines(events) : toCsv(events));
    if (!file.commit()) {
        *error = file.errorString();
        return false;
    }
    return true;
}

void DisconnectLogPanel::exportWithDialog()
{
    const QString csvFilter = tr("CSV (*.csv)");
    const QString jsonFilter = tr("JSON lines (*.jsonl *.ndjson)");
    QString chosenFilter = csvFilter;
    const QString directory = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    QString path = QFileDialog::getSaveFileName(this, tr("Export disconnect log"),
                                                directory + u"/heartline-disconnects.csv"_s,
                                                csvFilter + u";;"_s + jsonFilter, &chosenFilter);
    if (path.isEmpty())
        return;
    ExportFormat format = formatForPath(path);
    if (chosenFilter == jsonFilter && format == ExportFormat::Csv
        && QFileInfo(path).suffix().isEmpty()) {
        path += u".jsonl"_s;
        format = ExportFormat::JsonLines;
    }
    QString error;
    if (!writeEvents(path, format, shownEvents(), &error))
        QMessageBox::warning(this, tr("Export disconnect log"),
                             tr("Could not write %1: %2").arg(path, error));
}

} // namespace heartline
