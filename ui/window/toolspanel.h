#pragma once

#include <QWidget>

class QSortFilterProxyModel;
class QTableView;

namespace heartline {

class ToolsModel;

// Every registered tool with its switch, source, description, calls, errors, mean latency and
// which sessions re-listed since the last change.
class ToolsPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ToolsPanel)

public:
    explicit ToolsPanel(ToolsModel *model, QWidget *parent = nullptr);

    QTableView *view() const { return m_view; }
    QSortFilterProxyModel *proxy() const { return m_proxy; }

private:
    ToolsModel *m_model;
    QSortFilterProxyModel *m_proxy;
    QTableView *m_view;
};

} // namespace heartline
