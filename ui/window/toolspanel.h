#pragma once

#include <QWidget>

class QLabel;
class QTreeView;

namespace heartline {

class ToolGroupsModel;

// Every tool, grouped by where it comes from (built-in first, then each upstream server), with
// its switch, exposed and upstream name, description, calls, errors, mean latency and which
// sessions re-listed since the last change; a server's row switches the whole server.
class ToolsPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ToolsPanel)

public:
    explicit ToolsPanel(ToolGroupsModel *model, QWidget *parent = nullptr);

    QTreeView *view() const { return m_view; }
    ToolGroupsModel *groups() const { return m_model; }
    QString message() const;

private:
    ToolGroupsModel *m_model;
    QTreeView *m_view;
    QLabel *m_message;
};

} // namespace heartline
