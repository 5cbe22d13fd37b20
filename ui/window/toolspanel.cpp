#include "ui/window/toolspanel.h"

#include "ui/models/toolgroupsmodel.h"
#include "ui/models/toolsmodel.h"

#include <QHeaderView>
#include <QLabel>
#include <QTreeView>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace heartline {

ToolsPanel::ToolsPanel(ToolGroupsModel *model, QWidget *parent)
    : QWidget(parent)
    , m_model(model)
    , m_view(new QTreeView(this))
    , m_message(new QLabel(this))
{
    m_view->setObjectName(u"toolsView"_s);
    m_view->setModel(m_model);
    // The groups keep their order (built-in first, servers as configured) and each group is
    // sorted by name already.
    m_view->setSortingEnabled(false);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setAlternatingRowColors(true);
    m_view->setUniformRowHeights(true);
    m_view->setWordWrap(false);
    m_view->setColumnHidden(ToolsModel::Source, true); // the group says it
    QHeaderView *header = m_view->header();
    header->setStretchLastSection(false);
    header->setSectionResizeMode(QHeaderView::Interactive);
    header->setSectionResizeMode(ToolsModel::Description, QHeaderView::Stretch);
    // Sized to the rows when the tools change (rarely), not on every call's figures: asking
    // 200 rows for their size at each change (ResizeToContents) cost the window a third of its
    // tick in the GUI bench with 20 upstream servers.
    const auto relaid = [this]() {
        m_view->expandAll();
        for (int column = 0; column < ToolsModel::ColumnCount; ++column) {
            if (column != ToolsModel::Description)
                m_view->resizeColumnToContents(column);
        }
    };
    relaid();
    connect(m_model, &QAbstractItemModel::modelReset, this, relaid);

    m_message->setObjectName(u"toolsMessage"_s);
    m_message->setWordWrap(true);
    m_message->hide();
    // A switch Control refused (the config file could not be written) says why here.
    connect(m_model, &QAbstractItemModel::dataChanged, this, [this]() {
        m_message->setText(m_model->lastError());
        m_message->setVisible(!m_model->lastError().isEmpty());
    });

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_message);
    layout->addWidget(m_view, 1);
}

QString ToolsPanel::message() const
{
    return m_message->isHidden() ? QString() : m_message->text();
}

} // namespace heartline
