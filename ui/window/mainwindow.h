#pragma once

#include "ui/window/appservices.h"

#include <QMainWindow>

class QActionGroup;
class QDockWidget;
class QStackedWidget;

namespace heartline {

class AppSettings;
class ConnectionsModel;
class ConnectionsPanel;
class ServerControl;
class ServersModel;
class ServersPanel;
class DisconnectLogModel;
class DisconnectLogPanel;
class LiveCounts;
class Monitor;
class StatusBar;
class TimelineModel;
class TimelinePanel;
class ToolsModel;
class ToolsPanel;
class TrafficModel;
class TrafficPanel;
class TrayIcon;
class UiTick;
class WelcomePanel;

// Assembles the window: the models on one UI tick, the panels that show them, menus, the
// status bar and the tray icon. It reads the Monitor and acts only through ServerControl.
class MainWindow final : public QMainWindow
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)

public:
    // `services` back what writes the person's files or starts programs (Add, Edit, Test...).
    MainWindow(Monitor *monitor, ServerControl *control, AppSettings *settings,
               const AppServices &services = {}, QWidget *parent = nullptr);
    ~MainWindow() override;

    UiTick *uiTick() const { return m_tick; }
    ConnectionsPanel *connectionsPanel() const { return m_connectionsPanel; }
    TimelinePanel *timelinePanel() const { return m_timelinePanel; }
    ToolsPanel *toolsPanel() const { return m_toolsPanel; }
    ServersPanel *serversPanel() const { return m_serversPanel; }
    DisconnectLogPanel *disconnectLogPanel() const { return m_disconnectPanel; }
    TrafficPanel *trafficPanel() const { return m_trafficPanel; }
    StatusBar *statusBarWidget() const { return m_statusBar; }
    TrayIcon *trayIcon() const { return m_tray; }
    WelcomePanel *welcomePanel() const { return m_welcome; }
    bool isShowingWelcome() const;

public Q_SLOTS:
    void bringToFront();
    void showSettingsDialog();
    void showConnectClientDialog();
    // Add (empty name) or edit a server's entry; the dialog is modal.
    // True when the person saved or imported (the dialogs are modal).
    bool showServerEditDialog(const QString &name = {});
    bool showImportDialog();
    // From the first-run welcome to the usual view.
    void leaveWelcome();

Q_SIGNALS:
    // File > Quit, the tray's Quit, or closing the window when there is no tray.
    void quitRequested();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void createMenus();
    QDockWidget *addPanelDock(QWidget *panel, const QString &title, const QString &name,
                              Qt::DockWidgetArea area);
    void saveWindowState();
    void requestQuit();

    Monitor *m_monitor;
    ServerControl *m_control;
    AppSettings *m_settings;
    AppServices m_services;
    UiTick *m_tick;
    LiveCounts *m_counts;
    ConnectionsModel *m_connectionsModel = nullptr;
    TimelineModel *m_timelineModel = nullptr;
    ToolsModel *m_toolsModel = nullptr;
    ServersModel *m_serversModel = nullptr;
    DisconnectLogModel *m_disconnectModel = nullptr;
    TrafficModel *m_trafficModel = nullptr;
    ConnectionsPanel *m_connectionsPanel = nullptr;
    TimelinePanel *m_timelinePanel = nullptr;
    ToolsPanel *m_toolsPanel = nullptr;
    ServersPanel *m_serversPanel = nullptr;
    DisconnectLogPanel *m_disconnectPanel = nullptr;
    TrafficPanel *m_trafficPanel = nullptr;
    StatusBar *m_statusBar = nullptr;
    TrayIcon *m_tray = nullptr;
    QList<QDockWidget *> m_docks;
    QStackedWidget *m_central = nullptr;
    WelcomePanel *m_welcome = nullptr; // first run only
};

} // namespace heartline
