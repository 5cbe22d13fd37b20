#pragma once

#include <QObject>
#include <QTimer>

namespace heartline {

// The one clock the window's models refresh on. Network events only mark what changed; the
// models show it when this ticks, so a burst of events costs one update per model, not one
// per event (DESIGN.md, GUI).
class UiTick final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UiTick)

public:
    static constexpr int kDefaultIntervalMs = 200;

    explicit UiTick(QObject *parent = nullptr);

    int interval() const { return m_timer.interval(); }
    // 0 stops the timer; ticks then come only from tickNow() (tests drive it that way).
    void setInterval(int milliseconds);
    bool isRunning() const { return m_timer.isActive(); }

public Q_SLOTS:
    void tickNow();

Q_SIGNALS:
    void ticked();

private:
    QTimer m_timer;
};

} // namespace heartline
