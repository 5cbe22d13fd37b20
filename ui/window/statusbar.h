#pragma once

#include <QStatusBar>

class QLabel;
class QToolButton;

namespace heartline {

class LiveCounts;

// The endpoint URL (with a copy button), how many sessions and streams are open, and the
// heartbeat interval.
class StatusBar final : public QStatusBar
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StatusBar)

public:
    explicit StatusBar(LiveCounts *counts, QWidget *parent = nullptr);

    QString endpointText() const;
    QString countsText() const;
    QString heartbeatText() const;

public Q_SLOTS:
    void copyEndpoint();

private:
    void refresh();

    LiveCounts *m_counts;
    QLabel *m_endpoint;
    QToolButton *m_copy;
    QLabel *m_countsLabel;
    QLabel *m_heartbeat;
};

} // namespace heartline
