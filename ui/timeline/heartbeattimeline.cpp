// A little over 500 lines: the painting (lanes, grid, marks, missed beats), hit testing for the
// tooltips and the scroll range all read the same visible-lane geometry, kept in this one file.
#include "ui/timeline/heartbeattimeline.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QEvent>
#include <QHelpEvent>
#include <QPainter>
#include <QPainterPath>
#include <QScrollBar>
#include <QTimer>
#include <QToolTip>
#include <QWheelEvent>

#include <algorithm>
#include <array>
#include <climits>
#include <cmath>

using namespace Qt::StringLiterals;

namespace heartline {

namespace {

// How far (in pixels) the pointer may be from a mark for the tooltip to describe it.
constexpr int kHitPixels = 6;
constexpr int kPlotMargin = 6;

QString clockText(qint64 wallMs)
{
    return QDateTime::fromMSecsSinceEpoch(wallMs).toString(u"HH:mm:ss.zzz"_s);
}

QString durationText(qint64 ms)
{
    if (ms < 10000)
        return QString::number(double(ms) / 1000.0, 'f', 1) + u" s"_s;
    if (ms < 120000)
        return QString::number(ms / 1000) + u" s"_s;
    return QString::number(ms / 60000) + u" min "_s + QString::number(ms / 1000 % 60) + u" s"_s;
}

QString laneKindName(TimelineModel::LaneKind kind)
{
    switch (kind) {
    case TimelineModel::LaneKind::Post:
        return u"POST response stream"_s;
    case TimelineModel::LaneKind::Get:
        return u"GET stream"_s;
    case TimelineModel::LaneKind::Legacy:
        return u"legacy SSE stream"_s;
    case TimelineModel::LaneKind::Stateless:
        return u"stateless request stream"_s;
    }
    return {};
}

// Axis labels at steps a person reads easily, about six across the window.
qint64 axisStepMs(qint64 windowMs)
{
    static constexpr std::array<qint64, 7> steps = {5000,  10000,  15000, 30000,
                                                    60000, 120000, 180000};
    for (qint64 step : steps) {
        if (windowMs / step <= 6)
            return step;
    }
    return 300000;
}

QString axisLabel(qint64 agoMs)
{
    if (agoMs == 0)
        return u"now"_s;
    if (agoMs % 60000 == 0)
        return u"\u2212"_s + QString::number(agoMs / 60000) + u" min"_s;
    return u"\u2212"_s + QString::number(agoMs / 1000) + u" s"_s;
}

} // namespace

HeartbeatTimeline::HeartbeatTimeline(TimelineModel *model, QWidget *parent)
    : QWidget(parent)
    , m_model(model)
    , m_scrollBar(new QScrollBar(Qt::Vertical, this))
    , m_scrollTimer(new QTimer(this))
{
    setMouseTracking(true);
    setAttribute(Qt::WA_OpaquePaintEvent);
    setFocusPolicy(Qt::WheelFocus);
    m_scrollBar->setSingleStep(kLaneHeight);
    connect(m_scrollBar, &QScrollBar::valueChanged, this, qOverload<>(&QWidget::update));
    connect(m_model, &TimelineModel::changed, this, &HeartbeatTimeline::handleModelChanged);
    // The time axis moves even when nothing happens; a quarter second is smooth enough and
    // costs nothing next to a repaint per event.
    m_scrollTimer->setInterval(kScrollIntervalMs);
    connect(m_scrollTimer, &QTimer::timeout, this, [this] {
        if (isVisible() && m_model->laneCount() > 0)
            update();
    });
    m_scrollTimer->start();
    updateScrollRange();
}

QColor HeartbeatTimeline::heartbeatColor() const
{
    return palette().color(QPalette::Highlight);
}

QSize HeartbeatTimeline::sizeHint() const
{
    return {800, kHeaderHeight + 10 * kLaneHeight};
}

QSize HeartbeatTimeline::minimumSizeHint() const
{
    return {kLabelWidth + 120, kHeaderHeight + 2 * kLaneHeight};
}

void HeartbeatTimeline::setWindowMinutes(int minutes)
{
    const qint64 windowMs = qint64(std::clamp(minutes, 1, 15)) * 60 * 1000;
    if (windowMs == m_windowMs)
        return;
    m_windowMs = windowMs;
    update();
}

void HeartbeatTimeline::scrollToLane(int index)
{
    if (index < 0 || index >= laneCount())
        return;
    updateScrollRange();
    const int top = index * kLaneHeight;
    const int viewHeight = height() - kHeaderHeight;
    if (top < m_scrollBar->value())
        m_scrollBar->setValue(top);
    else if (top + kLaneHeight > m_scrollBar->value() + viewHeight)
        m_scrollBar->setValue(top + kLaneHeight - viewHeight);
}

int HeartbeatTimeline::laneCount() const
{
    return m_model->laneCount();
}

QRect HeartbeatTimeline::laneRect(int index) const
{
    const int right = !m_scrollBar->isHidden() ? m_scrollBar->x() : width();
    return {0, kHeaderHeight + index * kLaneHeight - m_scrollBar->value(), right, kLaneHeight};
}

QRect HeartbeatTimeline::plotRect() const
{
    const int right = !m_scrollBar->isHidden() ? m_scrollBar->x() : width();
    return QRect(QPoint(kLabelWidth + kPlotMargin, kHeaderHeight),
                 QPoint(right - kPlotMargin - 1, height() - 1));
}

int HeartbeatTimeline::xForTime(qint64 wallMs, qint64 nowWallMs) const
{
    const QRect plot = plotRect();
    const double ago = double(nowWallMs - wallMs);
    return plot.right() - int(std::lround(ago * plot.width() / double(m_windowMs)));
}

qint64 HeartbeatTimeline::timeForX(int x, qint64 nowWallMs) const
{
    const QRect plot = plotRect();
    const double ago = double(plot.right() - x) * double(m_windowMs) / std::max(1, plot.width());
    return nowWallMs - qint64(std::llround(ago));
}

int HeartbeatTimeline::laneAt(const QPoint &pos) const
{
    if (pos.y() < kHeaderHeight || pos.x() < 0 || pos.x() >= laneRect(0).right() + 1)
        return -1;
    const int index = (pos.y() - kHeaderHeight + m_scrollBar->value()) / kLaneHeight;
    return index < laneCount() ? index : -1;
}

QString HeartbeatTimeline::toolTipAt(const QPoint &pos) const
{
    const int index = laneAt(pos);
    if (index < 0)
        return {};
    const TimelineModel::Lane &lane = m_model->lane(index);
    if (pos.x() < kLabelWidth)
        return laneToolTip(lane);

    const qint64 now = m_model->nowWallMs();
    const qint64 from = timeForX(pos.x() + kHitPixels, now) - 1;
    const qint64 to = timeForX(pos.x() - kHitPixels, now);
    // Marks are ordered by time: look only at those within reach of the pointer.
    auto it = std::lower_bound(
        lane.marks.begin(), lane.marks.end(), std::min(from, to),
        [](const TimelineModel::Mark &mark, qint64 wallMs) { return mark.wallMs < wallMs; });
    const TimelineModel::Mark *nearest = nullptr;
    int nearestDistance = kHitPixels + 1;
    for (; it != lane.marks.end() && it->wallMs <= std::max(from, to) + 1; ++it) {
        const int distance = std::abs(xForTime(it->wallMs, now) - pos.x());
        // On a tie a message wins: heartbeats are many and alike.
        if (distance < nearestDistance
            || (distance == nearestDistance && nearest
                && nearest->kind == TimelineModel::MarkKind::Heartbeat)) {
            nearest = &*it;
            nearestDistance = distance;
        }
    }
    if (nearest)
        return markToolTip(lane, *nearest);

    const qint64 at = timeForX(pos.x(), now);
    if (const QString call = callToolTip(lane, at, now); !call.isEmpty())
        return call;
    for (const TimelineModel::Gap &gap : lane.gaps) {
        if (at >= gap.fromWallMs && at <= gap.toWallMs) {
            return u"Missed heartbeat: no write for "_s
                   + durationText(gap.toWallMs - gap.fromWallMs) + u" (interval "_s
                   + durationText(gap.intervalMs) + u")\n"_s + clockText(gap.fromWallMs)
                   + u" \u2013 "_s + clockText(gap.toWallMs) + u'\n' + laneTitle(lane);
        }
    }
    if (!lane.isClosed() && at >= lane.lastWriteWallMs && m_model->isSilent(lane, now)) {
        return u"Silent: no write for "_s + durationText(now - lane.lastWriteWallMs)
               + (m_model->isOverdue(lane, now) ? u", a heartbeat is overdue"_s : QString()) + u'\n'
               + laneTitle(lane);
    }
    return {};
}

QString HeartbeatTimeline::laneTitle(const TimelineModel::Lane &lane) const
{
    const QString client = lane.clientName.isEmpty() ? u"(unnamed client)"_s : lane.clientName;
    return client + u" \u2014 "_s + lane.streamId;
}

QString HeartbeatTimeline::laneToolTip(const TimelineModel::Lane &lane) const
{
    QString text = laneTitle(lane) + u'\n' + laneKindName(lane.kind) + u", session "_s
                   + lane.sessionId + u"\nopened "_s + clockText(lane.openedWallMs) + u", "_s
                   + QString::number(lane.heartbeats) + u" heartbeats"_s;
    if (lane.isClosed())
        text += u"\nclosed "_s + clockText(lane.closedWallMs);
    else if (lane.lastWriteWallMs > 0)
        text += u"\nlast write "_s + clockText(lane.lastWriteWallMs);
    return text;
}

QString HeartbeatTimeline::markToolTip(const TimelineModel::Lane &lane,
                                       const TimelineModel::Mark &mark) const
{
    QString what;
    switch (mark.kind) {
    case TimelineModel::MarkKind::Heartbeat:
        what = u"Heartbeat #"_s + QString::number(mark.sequence);
        break;
    case TimelineModel::MarkKind::MessageIn:
    case TimelineModel::MarkKind::MessageOut: {
        what = mark.kind == TimelineModel::MarkKind::MessageIn ? u"Message in: "_s
                                                               : u"Message out: "_s;
        if (!mark.method.isEmpty())
            what += mark.method + (mark.id.isEmpty() ? QString() : u" (id "_s + mark.id + u')');
        else
            what += u"response to id "_s + mark.id;
        if (mark.bytes > 0)
            what += u", "_s + QString::number(mark.bytes) + u" bytes"_s;
        if (mark.offStream)
            what += u"\n(carried outside this stream, shown on the session's lane)"_s;
        break;
    }
    }
    return what + u'\n' + clockText(mark.wallMs) + u'\n' + laneTitle(lane);
}

bool HeartbeatTimeline::event(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(event);
        const QString text = toolTipAt(help->pos());
        if (text.isEmpty()) {
            QToolTip::hideText();
            event->ignore();
        } else {
            QToolTip::showText(help->globalPos(), text, this);
        }
        return true;
    }
    return QWidget::event(event);
}

void HeartbeatTimeline::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    updateScrollRange();
}

void HeartbeatTimeline::wheelEvent(QWheelEvent *event)
{
    if (!m_scrollBar->isHidden())
        QCoreApplication::sendEvent(m_scrollBar, event);
    else
        event->ignore();
}

void HeartbeatTimeline::handleModelChanged()
{
    updateScrollRange();
    update();
}

void HeartbeatTimeline::updateScrollRange()
{
    const int contentHeight = laneCount() * kLaneHeight;
    const int viewHeight = std::max(0, height() - kHeaderHeight);
    const int overflow = std::max(0, contentHeight - viewHeight);
    m_scrollBar->setRange(0, overflow);
    m_scrollBar->setPageStep(viewHeight);
    const int barWidth = m_scrollBar->sizeHint().width();
    m_scrollBar->setGeometry(width() - barWidth, kHeaderHeight, barWidth,
                             std::max(0, height() - kHeaderHeight));
    m_scrollBar->setVisible(overflow > 0);
}

void HeartbeatTimeline::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    painter.fillRect(rect(), palette().color(QPalette::Base));
    const qint64 now = m_model->nowWallMs();
    paintAxis(painter, now);

    const int count = laneCount();
    if (count == 0) {
        painter.setPen(palette().color(QPalette::PlaceholderText));
        painter.drawText(rect().adjusted(0, kHeaderHeight, 0, 0), Qt::AlignCenter,
                         tr("No open streams. A lane appears for each stream a client opens."));
        return;
    }
    const int viewTop = kHeaderHeight;
    painter.setClipRect(QRect(0, viewTop, laneRect(0).width(), height() - viewTop));
    // Only the lanes in view: with thousands of streams the rest cost nothing.
    const int first = std::max(0, m_scrollBar->value() / kLaneHeight);
    const int last = std::min(count - 1, (m_scrollBar->value() + height() - viewTop) / kLaneHeight);
    for (int index = first; index <= last; ++index)
        paintLane(painter, index, now);
    paintGrid(painter, now);
}

void HeartbeatTimeline::paintGrid(QPainter &painter, qint64 now) const
{
    // Over the lanes, faintly: grid lines sit at whole multiples of the step on the wall clock,
    // so they scroll with the marks instead of staying put while everything else moves.
    QColor gridColor = palette().color(QPalette::Mid);
    gridColor.setAlpha(70);
    painter.setPen(gridColor);
    const qint64 step = axisStepMs(m_windowMs);
    const int bottom = std::min(height(), laneRect(laneCount() - 1).bottom());
    for (qint64 t = (now - m_windowMs) / step * step + step; t <= now; t += step) {
        const int x = xForTime(t, now);
        painter.drawLine(x, kHeaderHeight, x, bottom);
    }
}

void HeartbeatTimeline::paintAxis(QPainter &painter, qint64 now) const
{
    const QRect plot = plotRect();
    const QRect header(0, 0, width(), kHeaderHeight);
    painter.fillRect(header, palette().color(QPalette::Window));
    painter.setPen(palette().color(QPalette::WindowText));
    painter.drawText(QRect(6, 0, kLabelWidth - 6, kHeaderHeight), Qt::AlignVCenter | Qt::AlignLeft,
                     tr("Stream"));

    const qint64 step = axisStepMs(m_windowMs);
    const qint64 oldest = now - m_windowMs;
    const QFontMetrics metrics = fontMetrics();
    for (qint64 t = (oldest / step + 1) * step; t <= now; t += step) {
        const int x = xForTime(t, now);
        // The label says how long ago, rounded to the step, so it stays readable while moving.
        const qint64 ago = ((now - t) + step / 2) / step * step;
        const QString label = axisLabel(ago);
        const int textWidth = metrics.horizontalAdvance(label);
        if (x - textWidth / 2 < plot.left() || x + textWidth / 2 > plot.right() - 30)
            continue;
        painter.drawText(QRect(x - textWidth / 2 - 2, 0, textWidth + 4, kHeaderHeight),
                         Qt::AlignCenter, label);
    }
    painter.setPen(palette().color(QPalette::WindowText));
    painter.drawText(QRect(plot.left(), 0, plot.width(), kHeaderHeight),
                     Qt::AlignVCenter | Qt::AlignRight, tr("now"));
    painter.setPen(palette().color(QPalette::Mid));
    painter.drawLine(0, kHeaderHeight - 1, width(), kHeaderHeight - 1);
}

void HeartbeatTimeline::paintLane(QPainter &painter, int index, qint64 now) const
{
    const TimelineModel::Lane &lane = m_model->lane(index);
    const QRect rect = laneRect(index);
    const QRect plot(QPoint(plotRect().left(), rect.top()),
                     QPoint(plotRect().right(), rect.bottom()));
    if (index % 2 == 1)
        painter.fillRect(rect, palette().color(QPalette::AlternateBase));

    // A silent stream is tinted across its whole plot so it stands out among thousands.
    if (m_model->isSilent(lane, now)) {
        QColor tint = m_model->isOverdue(lane, now) ? missedColor() : messageOutColor();
        tint.setAlpha(40);
        painter.fillRect(plot, tint);
    }

    const bool closed = lane.isClosed();
    const QPalette::ColorGroup group = closed ? QPalette::Disabled : QPalette::Active;
    painter.setOpacity(closed ? 0.45 : 1.0);

    // Label column: client, then the stream id in the placeholder colour.
    const QFontMetrics metrics = fontMetrics();
    const QRect labelRect = QRect(6, rect.top(), kLabelWidth - 10, rect.height());
    const QString client = lane.clientName.isEmpty() ? tr("(unnamed client)") : lane.clientName;
    const QString clientText =
        metrics.elidedText(client, Qt::ElideRight, labelRect.width() * 2 / 3);
    painter.setPen(palette().color(group, QPalette::Text));
    painter.drawText(labelRect, Qt::AlignVCenter | Qt::AlignLeft, clientText);
    const int streamLeft = labelRect.left() + metrics.horizontalAdvance(clientText) + 6;
    const QRect streamRect(streamLeft, rect.top(), labelRect.right() - streamLeft, rect.height());
    painter.setPen(palette().color(group, QPalette::PlaceholderText));
    painter.drawText(streamRect, Qt::AlignVCenter | Qt::AlignLeft,
                     metrics.elidedText(lane.streamId, Qt::ElideMiddle, streamRect.width()));
    painter.setPen(palette().color(QPalette::Mid));
    painter.drawLine(kLabelWidth, rect.top(), kLabelWidth, rect.bottom());

    painter.save();
    painter.setClipRect(plot.adjusted(-kPlotMargin, 0, kPlotMargin, 0), Qt::IntersectClip);
    // Baseline from when the stream opened (or the window's start) to now or its close.
    const qint64 start = std::max(lane.openedWallMs, now - m_windowMs);
    const qint64 end = closed ? lane.closedWallMs : now;
    if (end >= start) {
        QColor line = palette().color(group, QPalette::Mid);
        painter.setPen(QPen(line, 1));
        const int y = rect.center().y();
        painter.drawLine(xForTime(start, now), y, xForTime(end, now), y);
    }
    paintCalls(painter, lane, rect, now);
    paintMarks(painter, lane, rect, now);
    if (closed) {
        painter.setPen(QPen(palette().color(QPalette::Disabled, QPalette::Text), 2));
        const int x = xForTime(lane.closedWallMs, now);
        painter.drawLine(x, rect.top() + 2, x, rect.bottom() - 2);
    }
    painter.restore();
    painter.setOpacity(1.0);
}

void HeartbeatTimeline::paintCalls(QPainter &painter, const TimelineModel::Lane &lane,
                                   const QRect &rect, qint64 now) const
{
    if (lane.calls.empty())
        return;
    const qint64 oldest = now - m_windowMs;
    QColor band = upstreamCallColor();
    band.setAlpha(60);
    const QFontMetrics metrics = fontMetrics();
    for (const TimelineModel::CallSpan &call : lane.calls) {
        const qint64 end = call.isRunning() ? now : call.endWallMs;
        if (end < oldest)
            continue;
        const int x1 = xForTime(std::max(call.startWallMs, oldest), now);
        const int x2 = std::max(x1 + 2, xForTime(end, now));
        const QRect bar(QPoint(x1, rect.top() + 2), QPoint(x2, rect.bottom() - 2));
        painter.fillRect(bar, band);
        painter.fillRect(QRect(x1, bar.top(), 2, bar.height()), upstreamCallColor());
        if (!call.isRunning())
            painter.fillRect(QRect(x2 - 1, bar.top(), 2, bar.height()), upstreamCallColor());
        // The tool's name where the band is wide enough to hold some of it.
        const QRect textRect = bar.adjusted(5, 0, -3, 0);
        if (textRect.width() > metrics.horizontalAdvance(u"…"_s) * 4) {
            painter.setPen(palette().color(QPalette::Text));
            painter.drawText(textRect, Qt::AlignVCenter | Qt::AlignLeft,
                             metrics.elidedText(call.tool, Qt::ElideRight, textRect.width()));
        }
    }
}

QString HeartbeatTimeline::callToolTip(const TimelineModel::Lane &lane, qint64 at, qint64 now) const
{
    for (const TimelineModel::CallSpan &call : lane.calls) {
        const qint64 end = call.isRunning() ? now : call.endWallMs;
        if (at < call.startWallMs || at > end)
            continue;
        return u"Upstream call %1 on %2 (request %3)\n"_s.arg(call.tool, call.server,
                                                              call.requestId)
               + (call.isRunning() ? u"running for "_s + durationText(now - call.startWallMs)
                                   : u"took "_s + durationText(call.endWallMs - call.startWallMs))
               + u", from "_s + clockText(call.startWallMs) + u'\n' + laneTitle(lane);
    }
    return {};
}

void HeartbeatTimeline::paintMarks(QPainter &painter, const TimelineModel::Lane &lane,
                                   const QRect &rect, qint64 now) const
{
    const qint64 oldest = now - m_windowMs;
    const int top = rect.top() + 3;
    const int bottom = rect.bottom() - 3;
    const int middle = rect.center().y();

    // Missed beats first, underneath: a red band over the gap and a stroke where the beat was due.
    QColor band = missedColor();
    band.setAlpha(70);
    auto paintGap = [&](qint64 from, qint64 to, int intervalMs) {
        const int x1 = xForTime(from + intervalMs, now);
        const int x2 = xForTime(to, now);
        painter.fillRect(QRect(QPoint(x1, top), QPoint(std::max(x1, x2), bottom)), band);
        painter.fillRect(QRect(x1 - 1, rect.top() + 1, 3, rect.height() - 2), missedColor());
    };
    for (const TimelineModel::Gap &gap : lane.gaps) {
        if (gap.toWallMs >= oldest)
            paintGap(gap.fromWallMs, gap.toWallMs, gap.intervalMs);
    }
    if (m_model->isOverdue(lane, now))
        paintGap(lane.lastWriteWallMs, now, m_model->heartbeatIntervalMs());

    auto it = std::lower_bound(
        lane.marks.begin(), lane.marks.end(), oldest,
        [](const TimelineModel::Mark &mark, qint64 wallMs) { return mark.wallMs < wallMs; });
    // Many marks on one pixel draw once: 15 minutes of fast heartbeats stay cheap.
    std::array<int, 3> lastX = {INT_MIN, INT_MIN, INT_MIN};
    const QColor beat = heartbeatColor();
    painter.setRenderHint(QPainter::Antialiasing, false);
    for (; it != lane.marks.end(); ++it) {
        const int x = xForTime(it->wallMs, now);
        const auto kindIndex = std::size_t(it->kind);
        if (x == lastX[kindIndex])
            continue;
        lastX[kindIndex] = x;
        switch (it->kind) {
        case TimelineModel::MarkKind::Heartbeat:
            painter.fillRect(QRect(x, top, 2, bottom - top + 1), beat);
            break;
        case TimelineModel::MarkKind::MessageIn:
        case TimelineModel::MarkKind::MessageOut: {
            const bool in = it->kind == TimelineModel::MarkKind::MessageIn;
            const QColor colour = in ? messageInColor() : messageOutColor();
            // In: a triangle pointing down from the top half; out: pointing up from the bottom.
            QPolygon triangle;
            if (in)
                triangle << QPoint(x - 4, top) << QPoint(x + 4, top) << QPoint(x, middle - 1);
            else
                triangle << QPoint(x - 4, bottom) << QPoint(x + 4, bottom) << QPoint(x, middle + 1);
            painter.setPen(colour);
            painter.setBrush(it->offStream ? QBrush(Qt::NoBrush) : QBrush(colour));
            painter.drawPolygon(triangle);
            break;
        }
        }
    }
    painter.setBrush(Qt::NoBrush);
}

} // namespace heartline
