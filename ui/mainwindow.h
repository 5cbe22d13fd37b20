#pragma once

#include <QMainWindow>

class QLabel;
class QListWidget;
class QPlainTextEdit;

namespace heartline {

class Control;
class Monitor;
struct MonitorSnapshot;

// A first window: the endpoint, live sessions, the tools with their switches, and a running
// log of what the Monitor reports. It reads the Monitor and acts only through Control.
class MainWindow final : public QMainWindow
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)

public:
    MainWindow(Monitor *monitor, Control *control, QWidget *parent = nullptr);

public Q_SLOTS:
    void bringToFront();

private:
    void refreshSessions();
    void refreshTools();
    void appendLog(const QString &line);

    Monitor *m_monitor;
    Control *m_control;
    QLabel *m_endpoint;
    QListWidget *m_sessions;
    QListWidget *m_tools;
    QPlainTextEdit *m_log;
    bool m_updatingTools = false;
};

} // namespace heartline
