#include "ui/window/mainwindow.h"

#include "server/api/monitor.h"
#include "server/api/servercontrol.h"
#include "ui/models/connectionsmodel.h"
#include "ui/models/disconnectlogmodel.h"
#include "ui/models/serversmodel.h"
#include "ui/models/toolgroupsmodel.h"
#include "ui/models/toolsmodel.h"
#include "ui/models/trafficmodel.h"
#include "ui/models/uitick.h"
#include "ui/timeline/timelinemodel.h"
#include "ui/window/appsettings.h"
#include "ui/window/connectclientdialog.h"
#include "ui/window/connectionspanel.h"
#include "ui/window/disconnectlogpanel.h"
#include "ui/window/importdialog.h"
#include "ui/window/livecounts.h"
#include "ui/window/servereditdialog.h"
#include "ui/window/serverspanel.h"
#include "ui/window/settingsdialog.h"
#include "ui/window/statusbar.h"
#include "ui/window/theme.h"
#include "ui/window/timelinepanel.h"
#include "ui/window/toolspanel.h"
#include "ui/window/trafficpanel.h"
#include "ui/window/trayicon.h"
#include "ui/window/welcomepanel.h"

#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QIcon>
#include <QMenuBar>
#include <QSplitter>
#include <QStackedWidget>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace heartline {

MainWindow::MainWindow(Monitor *monitor, ServerControl *control, AppSettings *settings,
                       const AppServices &services, QWidget *parent)
    : QMainWindow(parent)
    , m_monitor(monitor)
    , m_control(control)
    , m_settings(settings)
    , m_services(services)
    , m_tick(new UiTick(this))
    , m_counts(new LiveCounts(monitor, m_tick, this))
{
    setWindowTitle(tr("Heartline"));
    setWindowIcon(QIcon(u":/icons/heartline.svg"_s));
    resize(1280, 800);
    setDockOptions(AnimatedDocks | AllowTabbedDocks | AllowNestedDocks);
    applyTheme(m_settings->theme());

    m_connectionsModel = new ConnectionsModel(monitor, control, m_tick, this);
    m_timelineModel = new TimelineModel(monitor, m_tick, this);
    m_toolsModel = new ToolsModel(monitor, control, m_tick, this);
    m_serversModel = new ServersModel(monitor, control, m_tick, this);
    m_disconnectModel =
        new DisconnectLogModel(monitor, m_tick, DisconnectLogModel::kDefaultCapacity, this);
    m_trafficModel = new TrafficModel(monitor, m_tick, this);

    m_connectionsPanel = new ConnectionsPanel(m_connectionsModel, control, this);
    m_timelinePanel = new TimelinePanel(m_timelineModel, settings, this);
    m_toolsPanel =
        new ToolsPanel(new ToolGroupsModel(m_toolsModel, control, monitor, m_tick, this), this);
    m_serversPanel = new ServersPanel(m_serversModel, monitor, control, services, this);
    m_disconnectPanel = new DisconnectLogPanel(m_disconnectModel, this);
    m_trafficPanel = new TrafficPanel(m_trafficModel, this);

    auto *central = new QSplitter(Qt::Vertical, this);
    central->setObjectName(u"centralSplitter"_s);
    central->addWidget(m_connectionsPanel);
    central->addWidget(m_timelinePanel);
    central->setStretchFactor(0, 3);
    central->setStretchFactor(1, 2);
    central->setChildrenCollapsible(false);
    m_central = new QStackedWidget(this);
    m_central->addWidget(central);
    if (services.firstRun) {
        m_welcome = new WelcomePanel(m_counts->mcpUrl(), services.entries != nullptr, this);
        m_central->addWidget(m_welcome);
        m_central->setCurrentWidget(m_welcome);
        connect(m_welcome, &WelcomePanel::dismissed, this, &MainWindow::leaveWelcome);
        connect(m_welcome, &WelcomePanel::connectRequested, this,
                &MainWindow::showConnectClientDialog);
        // Servers in the config: what they came for is the usual view.
        connect(m_welcome, &WelcomePanel::importRequested, this, [this]() {
            if (showImportDialog())
                leaveWelcome();
        });
        connect(m_welcome, &WelcomePanel::addRequested, this, [this]() {
            if (showServerEditDialog())
                leaveWelcome();
        });
    }
    setCentralWidget(m_central);

    addPanelDock(m_trafficPanel, tr("Traffic"), u"trafficDock"_s, Qt::RightDockWidgetArea);
    QDockWidget *servers =
        addPanelDock(m_serversPanel, tr("Servers"), u"serversDock"_s, Qt::BottomDockWidgetArea);
    QDockWidget *tools =
        addPanelDock(m_toolsPanel, tr("Tools"), u"toolsDock"_s, Qt::BottomDockWidgetArea);
    QDockWidget *disconnects = addPanelDock(m_disconnectPanel, tr("Disconnect log"),
                                            u"disconnectDock"_s, Qt::BottomDockWidgetArea);
    tabifyDockWidget(servers, tools);
    tabifyDockWidget(tools, disconnects);
    // The servers first when there are any: they are what a person with a config came for.
    (m_serversModel->rowCount() > 0 ? servers : tools)->raise();

    connect(m_serversPanel, &ServersPanel::addRequested, this,
            [this]() { showServerEditDialog(); });
    connect(m_serversPanel, &ServersPanel::editRequested, this, &MainWindow::showServerEditDialog);
    connect(m_serversPanel, &ServersPanel::importRequested, this, &MainWindow::showImportDialog);
    connect(m_connectionsPanel, &ConnectionsPanel::sessionSelected, m_trafficPanel,
            &TrafficPanel::setSessionId);
    // Heartline's own tools are remembered in its settings; an upstream server's in its config
    // entry's disabledTools, which Control writes.
    connect(m_toolsModel, &ToolsModel::toolEnabledChanged, m_settings,
            [this](const QString &name, bool enabled) {
                if (m_toolsModel->serverOfTool(name).isEmpty())
                    m_settings->setToolDisabled(name, !enabled);
            });

    m_statusBar = new StatusBar(m_counts, this);
    setStatusBar(m_statusBar);

    if (TrayIcon::isAvailable()) {
        m_tray = new TrayIcon(m_counts, this);
        connect(m_tray, &TrayIcon::showRequested, this, &MainWindow::bringToFront);
        connect(m_tray, &TrayIcon::quitRequested, this, &MainWindow::requestQuit);
        m_tray->show();
    }

    createMenus();

    restoreGeometry(m_settings->windowGeometry());
    if (!restoreState(m_settings->windowState())) {
        // The connections and the timeline get most of the room until the person says
        // otherwise; dock sizes only take once the window is laid out.
        QTimer::singleShot(0, this, [this, tools]() {
            resizeDocks({tools}, {240}, Qt::Vertical);
            resizeDocks({findChild<QDockWidget *>(u"trafficDock"_s)}, {400}, Qt::Horizontal);
        });
    }
}

MainWindow::~MainWindow() = default;

QDockWidget *MainWindow::addPanelDock(QWidget *panel, const QString &title, const QString &name,
                                      Qt::DockWidgetArea area)
{
    auto *dock = new QDockWidget(title, this);
    dock->setObjectName(name);
    dock->setWidget(panel);
    dock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable
                      | QDockWidget::DockWidgetClosable);
    addDockWidget(area, dock);
    m_docks.push_back(dock);
    return dock;
}

void MainWindow::createMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    connect(file->addAction(tr("&Connect a client…")), &QAction::triggered, this,
            &MainWindow::showConnectClientDialog);
    QAction *settings = file->addAction(tr("&Settings…"));
    settings->setShortcut(QKeySequence::Preferences);
    connect(settings, &QAction::triggered, this, &MainWindow::showSettingsDialog);
    connect(file->addAction(tr("&Export disconnect log…")), &QAction::triggered, m_disconnectPanel,
            &DisconnectLogPanel::exportWithDialog);
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"));
    quit->setShortcut(QKeySequence::Quit);
    connect(quit, &QAction::triggered, this, &MainWindow::requestQuit);

    QMenu *view = menuBar()->addMenu(tr("&View"));
    for (QDockWidget *dock : std::as_const(m_docks))
        view->addAction(dock->toggleViewAction());
    view->addSeparator();
    QMenu *themes = view->addMenu(tr("&Theme"));
    auto *group = new QActionGroup(this);
    const QList<QPair<AppSettings::Theme, QString>> choices = {
        {AppSettings::Theme::System, tr("&System")},
        {AppSettings::Theme::Light, tr("&Light")},
        {AppSettings::Theme::Dark, tr("&Dark")},
    };
    for (const auto &[theme, label] : choices) {
        QAction *action = themes->addAction(label);
        action->setCheckable(true);
        action->setChecked(m_settings->theme() == theme);
        action->setActionGroup(group);
        const AppSettings::Theme chosen = theme;
        connect(action, &QAction::triggered, this, [this, chosen]() {
            m_settings->setTheme(chosen);
            applyTheme(chosen);
        });
    }
}

void MainWindow::bringToFront()
{
    showNormal();
    raise();
    activateWindow();
}

void MainWindow::showSettingsDialog()
{
    SettingsDialog dialog(m_control, m_settings, this);
    dialog.setSecretKeeper(m_services.secrets);
    dialog.exec();
}

void MainWindow::showConnectClientDialog()
{
    ConnectClientDialog dialog(m_counts->mcpUrl(), m_control->settings().token, m_services.clients,
                               this);
    dialog.exec();
}

bool MainWindow::showServerEditDialog(const QString &name)
{
    ServerEditDialog dialog(m_services.entries, m_services.probe, name, this);
    dialog.setSecretKeeper(m_services.secrets);
    return dialog.exec() == QDialog::Accepted;
}

bool MainWindow::isShowingWelcome() const
{
    return m_welcome && m_central->currentWidget() == m_welcome;
}

void MainWindow::leaveWelcome()
{
    if (!m_welcome)
        return;
    m_central->setCurrentIndex(0);
    // The Servers panel is what an import or an add changed.
    if (QDockWidget *servers = findChild<QDockWidget *>(u"serversDock"_s))
        servers->raise();
}

bool MainWindow::showImportDialog()
{
    ImportDialog dialog(m_services.importer, this);
    dialog.setSecretKeeper(m_services.secrets);
    return dialog.exec() == QDialog::Accepted;
}

void MainWindow::saveWindowState()
{
    m_settings->setWindowGeometry(saveGeometry());
    m_settings->setWindowState(saveState());
}

void MainWindow::requestQuit()
{
    saveWindowState();
    Q_EMIT quitRequested();
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveWindowState();
    // With a tray the server keeps serving in the background; without one, closing the
    // window is the only way to ask it to stop.
    if (m_tray && m_tray->isVisible()) {
        hide();
        event->ignore();
        return;
    }
    event->accept();
    Q_EMIT quitRequested();
}

} // namespace heartline
