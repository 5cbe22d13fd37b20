#include "ui/window/statusbar.h"

#include "ui/models/displayformat.h"
#include "ui/window/livecounts.h"

#include <QApplication>
#include <QClipboard>
#include <QLabel>
#include <QStyle>
#include <QToolButton>

using namespace Qt::StringLiterals;

namespace heartline {

StatusBar::StatusBar(LiveCounts *counts, QWidget *parent)
    : QStatusBar(parent)
    , m_counts(counts)
    , m_endpoint(new QLabel(this))
    , m_copy(new QToolButton(this))
    , m_countsLabel(new QLabel(this))
    , m_heartbeat(new QLabel(this))
{
    m_endpoint->setObjectName(u"endpoint"_s);
    m_endpoint->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_copy->setObjectName(u"copyEndpoint"_s);
    m_copy->setIcon(QIcon::fromTheme(u"edit-copy"_s));
    m_copy->setText(tr("Copy"));
    m_copy->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_copy->setAutoRaise(true);
    m_copy->setToolTip(tr("Copy the endpoint URL"));
    m_countsLabel->setObjectName(u"counts"_s);
    m_heartbeat->setObjectName(u"heartbeat"_s);
    connect(m_copy, &QToolButton::clicked, this, &StatusBar::copyEndpoint);

    addWidget(m_endpoint);
    addWidget(m_copy);
    addPermanentWidget(m_countsLabel);
    addPermanentWidget(m_heartbeat);

    connect(m_counts, &LiveCounts::changed, this, &StatusBar::refresh);
    refresh();
}

QString StatusBar::endpointText() const
{
    return m_endpoint->text();
}

QString StatusBar::countsText() const
{
    return m_countsLabel->text();
}

QString StatusBar::heartbeatText() const
{
    return m_heartbeat->text();
}

void StatusBar::copyEndpoint()
{
    QApplication::clipboard()->setText(m_counts->mcpUrl());
}

void StatusBar::refresh()
{
    const QString url = m_counts->mcpUrl();
    m_endpoint->setText(url.isEmpty() ? tr("Not listening") : url);
    m_copy->setEnabled(!url.isEmpty());
    const int sessions = m_counts->sessions();
    const int streams = m_counts->streams();
    m_countsLabel->setText((sessions == 1 ? tr("1 session") : tr("%1 sessions").arg(sessions))
                           + u", "_s
                           + (streams == 1 ? tr("1 stream") : tr("%1 streams").arg(streams)));
    const int interval = m_counts->heartbeatIntervalMs();
    m_heartbeat->setText(interval > 0
                             ? tr("Heartbeat every %1").arg(DisplayFormat::duration(interval))
                             : tr("Heartbeat off"));
}

} // namespace heartline
