#pragma once

#include "ui/timeline/timelinemodel.h"

#include <QColor>
#include <QWidget>

class QScrollBar;
class QTimer;

namespace heartline {

// One lane per stream, scrolling in real time with "now" at the right edge: a tick per
// heartbeat, a mark per message in or out, missed beats and silent streams in warning colours,
// closed streams greyed until their lane goes. Painting reads the model; it repaints when the
// model changed (once per UI tick at most) and on a slow timer that moves the time axis.
class HeartbeatTimeline final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HeartbeatTimeline)

public:
    static constexpr int kHeaderHeight = 20;
    static constexpr int kLaneHeight = 22;
    static constexpr int kLabelWidth = 220;
    static constexpr int kScrollIntervalMs = 250;

    explicit HeartbeatTimeline(TimelineModel *model, QWidget *parent = nullptr);

    int windowMinutes() const { return int(m_windowMs / 60000); }
    qint64 windowMs() const { return m_windowMs; }

    int laneCount() const;
    // Where lane `index` is in widget coordinates at the current scroll position (it may lie
    // outside the visible part).
    QRect laneRect(int index) const;
    // The area marks are drawn in: right of the labels, below the time axis.
    QRect plotRect() const;
    // The x of a wall-clock time at `nowWallMs`, and back.
    int xForTime(qint64 wallMs, qint64 nowWallMs) const;
    qint64 timeForX(int x, qint64 nowWallMs) const;
    // -1 outside every lane.
    int laneAt(const QPoint &pos) const;
    // The text the hover tooltip shows at `pos` (empty: none).
    QString toolTipAt(const QPoint &pos) const;

    // Mark colours; the rest comes from the palette, so light and dark themes both work.
    // These hues are mid-tone on purpose: readable on a white or a near-black base.
    static QColor messageInColor() { return QColor(0x2e, 0x9d, 0x4f); }
    static QColor messageOutColor() { return QColor(0xe0, 0x7b, 0x00); }
    static QColor upstreamCallColor() { return QColor(0x7e, 0x57, 0xc2); }
    static QColor missedColor() { return QColor(0xd3, 0x2f, 0x2f); }
    QColor heartbeatColor() const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

public Q_SLOTS:
    // 1, 5 or 15 (anything from 1 to 15 works).
    void setWindowMinutes(int minutes);
    // Scrolls just enough for the lane to be in view.
    void scrollToLane(int index);

protected:
    bool event(QEvent *event) override;
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;

private:
    void handleModelChanged();
    void updateScrollRange();
    void paintAxis(QPainter &painter, qint64 now) const;
    void paintGrid(QPainter &painter, qint64 now) const;
    void paintLane(QPainter &painter, int index, qint64 now) const;
    void paintMarks(QPainter &painter, const TimelineModel::Lane &lane, const QRect &rect,
                    qint64 now) const;
    // Forwarded upstream calls: a band from start to end (or now) under the lane's marks.
    void paintCalls(QPainter &painter, const TimelineModel::Lane &lane, const QRect &rect,
                    qint64 now) const;
    QString callToolTip(const TimelineModel::Lane &lane, qint64 at, qint64 now) const;
    QString laneTitle(const TimelineModel::Lane &lane) const;
    QString laneToolTip(const TimelineModel::Lane &lane) const;
    QString markToolTip(const TimelineModel::Lane &lane, const TimelineModel::Mark &mark) const;

    TimelineModel *m_model;
    QScrollBar *m_scrollBar;
    QTimer *m_scrollTimer;
    qint64 m_windowMs = 60 * 1000;
};

} // namespace heartline
