#pragma once

#include <QObject>

class QAction;
class QMenu;
class QSystemTrayIcon;

namespace heartline {

class LiveCounts;

// The icon in the system tray: how many clients are connected, Show and Quit. With a tray,
// closing the window only hides it and the server keeps serving.
class TrayIcon final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TrayIcon)

public:
    explicit TrayIcon(LiveCounts *counts, QObject *parent = nullptr);
    ~TrayIcon() override;

    // Whether the desktop has a tray to put it in (none on offscreen or bare X servers).
    static bool isAvailable();
    bool isVisible() const;
    void show();
    QString toolTip() const;

Q_SIGNALS:
    void showRequested();
    void quitRequested();

private:
    void refresh();

    LiveCounts *m_counts;
    QMenu *m_menu;
    QAction *m_status;
    QSystemTrayIcon *m_icon;
};

} // namespace heartline
