#pragma once

#include <QWidget>

class QLineEdit;
class QSortFilterProxyModel;
class QTreeView;

namespace heartline {

class ConnectionsModel;
class ServerControl;

// Sessions and their streams: sortable, filtered by a text box, a state badge per row, and a
// context menu to close a session. Selecting a row picks the session the traffic view shows.
class ConnectionsPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConnectionsPanel)

public:
    ConnectionsPanel(ConnectionsModel *model, ServerControl *control, QWidget *parent = nullptr);

    QTreeView *view() const { return m_view; }
    QSortFilterProxyModel *proxy() const { return m_proxy; }
    void setFilterText(const QString &text);
    QString selectedSessionId() const;
    // Closes the session through ServerControl; false with the reason when it could not.
    bool closeSession(const QString &sessionId, QString *error);

Q_SIGNALS:
    void sessionSelected(const QString &sessionId);

private:
    void showContextMenu(const QPoint &pos);
    void handleCurrentChanged();
    void repaintClockColumns();
    void sizeColumns();

    ConnectionsModel *m_model;
    ServerControl *m_control;
    QLineEdit *m_filter;
    QSortFilterProxyModel *m_proxy;
    QTreeView *m_view;
    QString m_selectedSession;
};

} // namespace heartline
