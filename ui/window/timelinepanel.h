#pragma once

#include <QWidget>

class QComboBox;

namespace heartline {

class AppSettings;
class HeartbeatTimeline;
class TimelineModel;

// The heartbeat timeline with its 1 / 5 / 15 minute window selector (remembered).
class TimelinePanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TimelinePanel)

public:
    TimelinePanel(TimelineModel *model, AppSettings *settings, QWidget *parent = nullptr);

    HeartbeatTimeline *timeline() const { return m_timeline; }
    int windowMinutes() const;
    void setWindowMinutes(int minutes);

private:
    AppSettings *m_settings;
    QComboBox *m_window;
    HeartbeatTimeline *m_timeline;
};

} // namespace heartline
