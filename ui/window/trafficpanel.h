#pragma once

#include <QWidget>

class QLabel;
class QTableView;
class QPlainTextEdit;

namespace heartline {

class TrafficModel;

// The JSON-RPC messages of the selected session, newest last, and the selected one
// pretty-printed.
class TrafficPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TrafficPanel)

public:
    explicit TrafficPanel(TrafficModel *model, QWidget *parent = nullptr);

    QTableView *view() const { return m_view; }
    QString shownJson() const;

public Q_SLOTS:
    void setSessionId(const QString &sessionId);

private:
    void showCurrent();
    void followNewest();

    TrafficModel *m_model;
    QLabel *m_title;
    QTableView *m_view;
    QPlainTextEdit *m_json;
    bool m_following = true;
};

} // namespace heartline
