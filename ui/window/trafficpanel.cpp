#include "ui/window/trafficpanel.h"

#include "ui/models/trafficmodel.h"

#include <QFontDatabase>
#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QScrollBar>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace heartline {

TrafficPanel::TrafficPanel(TrafficModel *model, QWidget *parent)
    : QWidget(parent)
    , m_model(model)
    , m_title(new QLabel(this))
    , m_view(new QTableView(this))
    , m_json(new QPlainTextEdit(this))
{
    m_view->setObjectName(u"trafficView"_s);
    m_view->setModel(m_model);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setWordWrap(false);
    m_view->verticalHeader()->hide();
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 6);
    m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_view->horizontalHeader()->setSectionResizeMode(TrafficModel::Message, QHeaderView::Stretch);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setAlternatingRowColors(true);
    m_json->setObjectName(u"trafficJson"_s);
    m_json->setReadOnly(true);
    m_json->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_json->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_json->setPlaceholderText(tr("Select a message to see it in full."));

    connect(m_view->selectionModel(), &QItemSelectionModel::currentChanged, this,
            &TrafficPanel::showCurrent);
    // Newest last, and kept in view while the list is scrolled to its end.
    connect(m_view->verticalScrollBar(), &QScrollBar::valueChanged, this,
            [this](int value) { m_following = value >= m_view->verticalScrollBar()->maximum(); });
    connect(m_model, &QAbstractItemModel::rowsInserted, this, &TrafficPanel::followNewest);
    connect(m_model, &QAbstractItemModel::modelReset, this, [this]() {
        m_following = true;
        followNewest();
        showCurrent();
    });

    auto *split = new QSplitter(Qt::Vertical, this);
    split->addWidget(m_view);
    split->addWidget(m_json);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 1);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_title);
    layout->addWidget(split, 1);
    setSessionId({});
}

QString TrafficPanel::shownJson() const
{
    return m_json->toPlainText();
}

void TrafficPanel::setSessionId(const QString &sessionId)
{
    m_title->setText(sessionId.isEmpty() ? tr("Select a connection to see its messages.")
                                         : tr("Messages of session %1").arg(sessionId.left(8)));
    m_model->setSessionId(sessionId);
}

void TrafficPanel::showCurrent()
{
    const QModelIndex current = m_view->currentIndex();
    m_json->setPlainText(current.isValid() ? current.data(TrafficModel::PrettyJsonRole).toString()
                                           : QString());
}

void TrafficPanel::followNewest()
{
    if (m_following)
        m_view->scrollToBottom();
}

} // namespace heartline
