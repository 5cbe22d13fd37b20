#include "ui/window/trayicon.h"

#include "ui/window/livecounts.h"

#include <QIcon>
#include <QMenu>
#include <QSystemTrayIcon>

using namespace Qt::StringLiterals;

namespace heartline {

TrayIcon::TrayIcon(LiveCounts *counts, QObject *parent)
    : QObject(parent)
    , m_counts(counts)
    , m_menu(new QMenu)
    , m_status(m_menu->addAction(QString()))
    , m_icon(new QSystemTrayIcon(QIcon(u":/icons/heartline.svg"_s), this))
{
    m_status->setEnabled(false);
    m_menu->addSeparator();
    connect(m_menu->addAction(tr("Show Heartline")), &QAction::triggered, this,
            &TrayIcon::showRequested);
    connect(m_menu->addAction(tr("Quit")), &QAction::triggered, this, &TrayIcon::quitRequested);
    m_icon->setContextMenu(m_menu);
    connect(m_icon, &QSystemTrayIcon::activated, this,
            [this](QSystemTrayIcon::ActivationReason reason) {
                if (reason == QSystemTrayIcon::Trigger || reason == QSystemTrayIcon::DoubleClick)
                    Q_EMIT showRequested();
            });
    connect(m_counts, &LiveCounts::changed, this, &TrayIcon::refresh);
    refresh();
}

// The menu has no QWidget parent (a tray menu must not belong to the window it outlives).
TrayIcon::~TrayIcon()
{
    delete m_menu;
}

bool TrayIcon::isAvailable()
{
    return QSystemTrayIcon::isSystemTrayAvailable();
}

bool TrayIcon::isVisible() const
{
    return m_icon->isVisible();
}

void TrayIcon::show()
{
    m_icon->show();
}

QString TrayIcon::toolTip() const
{
    return m_icon->toolTip();
}

void TrayIcon::refresh()
{
    const int sessions = m_counts->sessions();
    const QString connected =
        sessions == 1 ? tr("1 client connected") : tr("%1 clients connected").arg(sessions);
    m_status->setText(connected);
    const QString url = m_counts->mcpUrl();
    QString tip = u"Heartline — "_s + connected;
    if (!url.isEmpty())
        tip += u'\n' + url;
    m_icon->setToolTip(tip);
}

} // namespace heartline
