#pragma once

#include <QWidget>

class QPushButton;

namespace heartline {

// What a first start (no config file yet) opens on: what Heartline is for, and the steps that
// make it useful - bring in the servers the other clients run, add one by hand, point the
// clients at Heartline - each one click away, and a way on to the usual view.
class WelcomePanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WelcomePanel)

public:
    // Import and Add are offered only when they can work (`canEdit`: there is a config file).
    WelcomePanel(const QString &mcpUrl, bool canEdit, QWidget *parent = nullptr);

    QPushButton *importButton() const { return m_import; }
    QPushButton *addButton() const { return m_add; }
    QPushButton *connectButton() const { return m_connect; }
    QPushButton *continueButton() const { return m_continue; }

Q_SIGNALS:
    void importRequested();
    void addRequested();
    void connectRequested();
    void dismissed();

private:
    QPushButton *m_import;
    QPushButton *m_add;
    QPushButton *m_connect;
    QPushButton *m_continue;
};

} // namespace heartline
