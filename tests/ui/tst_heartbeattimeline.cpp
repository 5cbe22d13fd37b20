// HeartbeatTimeline on the offscreen platform: lanes and marks land where time says they
// should (checked by pixel colour in grab() and through laneRect/toolTipAt), tooltips, window
// changes, missed beats, closed lanes, scrolling and thousands of lanes.
#include "server/api/monitor.h"
#include "ui/timeline/heartbeattimeline.h"
#include "ui/timeline/timelinemodel.h"

#include <QImage>
#include <QRegularExpression>
#include <QTest>
#include <QWheelEvent>

using namespace Qt::StringLiterals;
using namespace heartline;

namespace {

// Off the 10 s grid, so no axis line sits where the tests look.
constexpr qint64 kStart = 1'700'000'003'333;

} // namespace

class tst_HeartbeatTimeline final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void lanesAreStackedUnderTheAxis();
    void timeMapsToXWithNowAtTheRightEdge();
    void aHeartbeatTickIsPaintedAtItsTime();
    void messagesInAndOutHaveTheirOwnMarks();
    void tooltipDescribesTheNearestMark_data();
    void tooltipDescribesTheNearestMark();
    void theLabelTooltipDescribesTheStream();
    void aWindowChangeRescales();
    void aMissedBeatIsMarked();
    void aSilentStreamIsTinted();
    void aClosedLaneIsGreyed();
    void followsTheDarkPalette();
    void thousandsOfLanesScrollAndPaint();

private:
    void openStream(const QString &sessionId, const QString &streamId, qint64 openedWallMs);
    void heartbeat(const QString &streamId, quint64 sequence, qint64 wallMs);
    void message(const QString &streamId, MessageEvent::Direction direction, const QString &method,
                 const QString &id, qint64 wallMs);
    QImage render();
    int laneY(int lane, int fromTop) const;

    Monitor *m_monitor = nullptr;
    TimelineModel *m_model = nullptr;
    HeartbeatTimeline *m_view = nullptr;
    qint64 m_now = kStart;
};

void tst_HeartbeatTimeline::init()
{
    m_now = kStart;
    m_monitor = new Monitor;
    // Long enough that the sparse marks below are no missed beats; tests about those shorten it.
    m_monitor->reportListening(u"http://127.0.0.1:1"_s, 30'000);
    m_model = new TimelineModel(m_monitor, nullptr);
    m_model->setClock([this] { return m_now; });
    m_view = new HeartbeatTimeline(m_model);
    // 1 px per 100 ms in a one-minute window makes expected positions easy to reason about.
    m_view->resize(HeartbeatTimeline::kLabelWidth + 12 + 600 + 1, 300);
}

void tst_HeartbeatTimeline::cleanup()
{
    delete m_view;
    delete m_model;
    delete m_monitor;
}

void tst_HeartbeatTimeline::openStream(const QString &sessionId, const QString &streamId,
                                       qint64 openedWallMs)
{
    SessionInfo session;
    session.id = sessionId;
    session.clientName = u"client-"_s + sessionId;
    m_monitor->reportSessionOpened(session);
    m_monitor->reportStreamOpened(
        {streamId, sessionId, StreamKind::Standalone, {}, openedWallMs, false, {}});
}

void tst_HeartbeatTimeline::heartbeat(const QString &streamId, quint64 sequence, qint64 wallMs)
{
    m_monitor->reportHeartbeat({streamId, streamId.section(u'/', 0, 0), sequence, wallMs});
}

void tst_HeartbeatTimeline::message(const QString &streamId, MessageEvent::Direction direction,
                                    const QString &method, const QString &id, qint64 wallMs)
{
    MessageEvent event;
    event.sessionId = streamId.section(u'/', 0, 0);
    event.streamId = streamId;
    event.direction = direction;
    event.method = method;
    event.id = id;
    event.bytes = 120;
    event.wallMs = wallMs;
    m_monitor->reportMessage(event);
}

QImage tst_HeartbeatTimeline::render()
{
    m_model->handleTick();
    return m_view->grab().toImage();
}

int tst_HeartbeatTimeline::laneY(int lane, int fromTop) const
{
    return m_view->laneRect(lane).top() + fromTop;
}

void tst_HeartbeatTimeline::lanesAreStackedUnderTheAxis()
{
    QCOMPARE(m_view->laneCount(), 0);
    openStream(u"a"_s, u"a/get1"_s, kStart - 5000);
    openStream(u"b"_s, u"b/get1"_s, kStart - 4000);
    m_model->handleTick();
    QCOMPARE(m_view->laneCount(), 2);
    const QRect first = m_view->laneRect(0);
    const QRect second = m_view->laneRect(1);
    QCOMPARE(first.top(), HeartbeatTimeline::kHeaderHeight);
    QCOMPARE(first.height(), HeartbeatTimeline::kLaneHeight);
    QCOMPARE(second.top(), first.bottom() + 1);
    QCOMPARE(m_view->laneAt(first.center()), 0);
    QCOMPARE(m_view->laneAt(second.center()), 1);
    QCOMPARE(m_view->laneAt(QPoint(10, 5)), -1);
    QCOMPARE(m_view->laneAt(QPoint(10, second.bottom() + 5)), -1);
}

void tst_HeartbeatTimeline::timeMapsToXWithNowAtTheRightEdge()
{
    const QRect plot = m_view->plotRect();
    QCOMPARE(plot.left(), HeartbeatTimeline::kLabelWidth + 6);
    QCOMPARE(plot.width(), 601);
    QCOMPARE(m_view->xForTime(kStart, kStart), plot.right());
    QVERIFY(qAbs(m_view->xForTime(kStart - 30'000, kStart) - plot.center().x()) <= 1);
    QVERIFY(qAbs(m_view->xForTime(kStart - 60'000, kStart) - plot.left()) <= 1);
    QVERIFY(qAbs(m_view->timeForX(plot.right() - 100, kStart) - (kStart - 10'000)) <= 100);
}

void tst_HeartbeatTimeline::aHeartbeatTickIsPaintedAtItsTime()
{
    openStream(u"a"_s, u"a/get1"_s, kStart - 50'000);
    heartbeat(u"a/get1"_s, 1, kStart - 20'000);
    const QImage image = render();
    const QColor beat = m_view->heartbeatColor();
    const int x = m_view->plotRect().right() - 200; // 20 s at 100 ms per pixel
    QCOMPARE(image.pixelColor(x, laneY(0, 6)), beat);
    QCOMPARE(image.pixelColor(x + 1, laneY(0, 6)), beat);
    // Nothing 5 s either side.
    QVERIFY(image.pixelColor(x - 50, laneY(0, 6)) != beat);
    QVERIFY(image.pixelColor(x + 50, laneY(0, 6)) != beat);
    // Time passes: the tick moves left without any new event.
    m_now += 10'000;
    const QImage later = m_view->grab().toImage();
    QCOMPARE(later.pixelColor(x - 100, laneY(0, 6)), beat);
    QVERIFY(later.pixelColor(x, laneY(0, 6)) != beat);
}

void tst_HeartbeatTimeline::messagesInAndOutHaveTheirOwnMarks()
{
    openStream(u"a"_s, u"a/get1"_s, kStart - 50'000);
    message(u"a/get1"_s, MessageEvent::Direction::In, u"tools/call"_s, u"7"_s, kStart - 30'000);
    message(u"a/get1"_s, MessageEvent::Direction::Out, {}, u"7"_s, kStart - 10'000);
    const QImage image = render();
    const int inX = m_view->plotRect().right() - 300;
    const int outX = m_view->plotRect().right() - 100;
    const QRect lane = m_view->laneRect(0);
    // In points down from the top of the lane, out points up from the bottom.
    QCOMPARE(image.pixelColor(inX, lane.top() + 5), HeartbeatTimeline::messageInColor());
    QVERIFY(image.pixelColor(inX, lane.bottom() - 5) != HeartbeatTimeline::messageInColor());
    QCOMPARE(image.pixelColor(outX, lane.bottom() - 5), HeartbeatTimeline::messageOutColor());
    QVERIFY(image.pixelColor(outX, lane.top() + 5) != HeartbeatTimeline::messageOutColor());
    QVERIFY(HeartbeatTimeline::messageInColor() != HeartbeatTimeline::messageOutColor());
}

void tst_HeartbeatTimeline::tooltipDescribesTheNearestMark_data()
{
    QTest::addColumn<int>("pixelsFromNow");
    QTest::addColumn<QString>("expected");

    QTest::newRow("heartbeat") << 200 << u"Heartbeat #3"_s;
    QTest::newRow("heartbeat, near") << 204 << u"Heartbeat #3"_s;
    QTest::newRow("request in") << 300 << u"Message in: tools/call (id 7), 120 bytes"_s;
    QTest::newRow("response out") << 100 << u"Message out: response to id 7"_s;
    QTest::newRow("notification out") << 50 << u"Message out: notifications/progress"_s;
    QTest::newRow("nothing there") << 250 << QString();
}

void tst_HeartbeatTimeline::tooltipDescribesTheNearestMark()
{
    QFETCH(int, pixelsFromNow);
    QFETCH(QString, expected);

    openStream(u"a"_s, u"a/get1"_s, kStart - 40'000);
    message(u"a/get1"_s, MessageEvent::Direction::In, u"tools/call"_s, u"7"_s, kStart - 30'000);
    heartbeat(u"a/get1"_s, 3, kStart - 20'000);
    message(u"a/get1"_s, MessageEvent::Direction::Out, {}, u"7"_s, kStart - 10'000);
    message(u"a/get1"_s, MessageEvent::Direction::Out, u"notifications/progress"_s, {},
            kStart - 5'000);
    heartbeat(u"a/get1"_s, 4, kStart - 4'500);
    m_model->handleTick();

    const QPoint pos(m_view->plotRect().right() - pixelsFromNow, m_view->laneRect(0).center().y());
    const QString text = m_view->toolTipAt(pos);
    if (expected.isEmpty()) {
        QVERIFY2(text.isEmpty(), qPrintable(text));
        return;
    }
    QVERIFY2(text.startsWith(expected), qPrintable(text));
    QVERIFY2(text.contains(u"client-a \u2014 a/get1"_s), qPrintable(text));
    // The time is the mark's, on the local clock, to the millisecond.
    const QString clock =
        QDateTime::fromMSecsSinceEpoch(m_view->timeForX(pos.x(), kStart)).toString(u"HH:mm:ss"_s);
    QVERIFY2(text.contains(clock.left(5)), qPrintable(text));
    QVERIFY(text.contains(QRegularExpression(u"\\d\\d:\\d\\d:\\d\\d\\.\\d\\d\\d"_s)));
}

void tst_HeartbeatTimeline::theLabelTooltipDescribesTheStream()
{
    openStream(u"a"_s, u"a/get1"_s, kStart - 40'000);
    heartbeat(u"a/get1"_s, 1, kStart - 30'000);
    heartbeat(u"a/get1"_s, 2, kStart - 20'000);
    m_model->handleTick();
    const QString text = m_view->toolTipAt(QPoint(20, m_view->laneRect(0).center().y()));
    QVERIFY2(text.contains(u"client-a"_s), qPrintable(text));
    QVERIFY2(text.contains(u"GET stream, session a"_s), qPrintable(text));
    QVERIFY2(text.contains(u"2 heartbeats"_s), qPrintable(text));
    QVERIFY(m_view->toolTipAt(QPoint(20, 5)).isEmpty());
}

void tst_HeartbeatTimeline::aWindowChangeRescales()
{
    openStream(u"a"_s, u"a/get1"_s, kStart - 40'000);
    heartbeat(u"a/get1"_s, 9, kStart - 30'000);
    QImage image = render();
    const QColor beat = m_view->heartbeatColor();
    const int right = m_view->plotRect().right();
    QCOMPARE(m_view->windowMinutes(), 1);
    QCOMPARE(image.pixelColor(right - 300, laneY(0, 6)), beat);

    m_view->setWindowMinutes(5);
    QCOMPARE(m_view->windowMinutes(), 5);
    image = m_view->grab().toImage();
    QCOMPARE(image.pixelColor(right - 60, laneY(0, 6)), beat);
    QVERIFY(image.pixelColor(right - 300, laneY(0, 6)) != beat);
    QVERIFY(m_view->toolTipAt(QPoint(right - 60, laneY(0, 10))).startsWith(u"Heartbeat #9"_s));
    QVERIFY(m_view->toolTipAt(QPoint(right - 300, laneY(0, 10))).isEmpty());

    m_view->setWindowMinutes(15);
    image = m_view->grab().toImage();
    QCOMPARE(image.pixelColor(right - 20, laneY(0, 6)), beat);

    // Out-of-range requests are held to what the model keeps.
    m_view->setWindowMinutes(60);
    QCOMPARE(m_view->windowMinutes(), 15);
    m_view->setWindowMinutes(0);
    QCOMPARE(m_view->windowMinutes(), 1);
}

void tst_HeartbeatTimeline::aMissedBeatIsMarked()
{
    m_monitor->reportHeartbeatInterval(1000);
    openStream(u"a"_s, u"a/get1"_s, kStart - 30'500);
    heartbeat(u"a/get1"_s, 1, kStart - 30'000);
    // Due at -29 s, came at -20 s: a missed beat (interval 1 s). Then on time up to now.
    for (int ago = 20; ago >= 0; --ago)
        heartbeat(u"a/get1"_s, quint64(22 - ago), kStart - ago * 1000);
    const QImage image = render();
    QCOMPARE(int(m_model->lane(0).gaps.size()), 1);
    const int due = m_view->plotRect().right() - 290;
    QCOMPARE(image.pixelColor(due, laneY(0, 2)), HeartbeatTimeline::missedColor());
    // The band over the gap is reddish; between beats on time there is none.
    const QColor band = image.pixelColor(due + 40, laneY(0, 6));
    QVERIFY2(band.red() > band.blue() + 30, qPrintable(band.name()));
    const QColor calm = image.pixelColor(m_view->plotRect().right() - 155, laneY(0, 6));
    QCOMPARE(calm, m_view->palette().color(QPalette::Base));
    const QString text = m_view->toolTipAt(QPoint(due + 40, laneY(0, 10)));
    QVERIFY2(text.startsWith(u"Missed heartbeat: no write for 10 s (interval 1.0 s)"_s),
             qPrintable(text));
}

void tst_HeartbeatTimeline::aSilentStreamIsTinted()
{
    m_monitor->reportHeartbeatInterval(1000);
    openStream(u"a"_s, u"a/get1"_s, kStart - 600);
    openStream(u"b"_s, u"b/get1"_s, kStart - 600);
    heartbeat(u"a/get1"_s, 1, kStart - 500);
    heartbeat(u"b/get1"_s, 1, kStart - 500);
    QImage image = render();
    const int x = m_view->plotRect().right() - 250;
    const QColor quietA = image.pixelColor(x, laneY(0, 6));
    const QColor quietB = image.pixelColor(x, laneY(1, 6));

    // Only b goes quiet.
    m_now += 1200;
    heartbeat(u"a/get1"_s, 2, m_now - 100);
    image = render();
    QCOMPARE(image.pixelColor(x, laneY(0, 6)), quietA);
    QVERIFY(image.pixelColor(x, laneY(1, 6)) != quietB);
    QVERIFY(m_model->isSilent(m_model->lane(1), m_now));
    const QString text = m_view->toolTipAt(QPoint(m_view->plotRect().right() - 2, laneY(1, 10)));
    QVERIFY2(text.startsWith(u"Silent: no write for 1.7 s"_s), qPrintable(text));
}

void tst_HeartbeatTimeline::aClosedLaneIsGreyed()
{
    openStream(u"a"_s, u"a/get1"_s, kStart - 40'000);
    openStream(u"b"_s, u"b/get1"_s, kStart - 40'000);
    heartbeat(u"a/get1"_s, 1, kStart - 20'000);
    heartbeat(u"b/get1"_s, 1, kStart - 20'000);
    StreamClosedEvent closed;
    closed.stream = {u"b/get1"_s, u"b"_s, StreamKind::Standalone, {}, kStart - 40'000, false, {}};
    closed.wallMs = kStart - 1000;
    m_monitor->reportStreamClosed(closed);
    const QImage image = render();
    const int x = m_view->plotRect().right() - 200;
    QCOMPARE(image.pixelColor(x, laneY(0, 6)), m_view->heartbeatColor());
    const QColor faded = image.pixelColor(x, laneY(1, 6));
    QVERIFY2(faded != m_view->heartbeatColor(), qPrintable(faded.name()));
    QVERIFY(m_view->toolTipAt(QPoint(20, laneY(1, 10))).contains(u"closed "_s));
}

void tst_HeartbeatTimeline::followsTheDarkPalette()
{
    openStream(u"a"_s, u"a/get1"_s, kStart - 40'000);
    heartbeat(u"a/get1"_s, 1, kStart - 20'000);
    QPalette dark;
    dark.setColor(QPalette::Base, QColor(0x1e, 0x1e, 0x1e));
    dark.setColor(QPalette::AlternateBase, QColor(0x2a, 0x2a, 0x2a));
    dark.setColor(QPalette::Window, QColor(0x25, 0x25, 0x25));
    dark.setColor(QPalette::Text, QColor(0xee, 0xee, 0xee));
    dark.setColor(QPalette::WindowText, QColor(0xee, 0xee, 0xee));
    dark.setColor(QPalette::Highlight, QColor(0x3d, 0xae, 0xe9));
    m_view->setPalette(dark);
    const QImage image = render();
    QCOMPARE(image.pixelColor(m_view->plotRect().right() - 100, laneY(0, 6)),
             dark.color(QPalette::Base));
    QCOMPARE(image.pixelColor(m_view->plotRect().right() - 200, laneY(0, 6)),
             QColor(0x3d, 0xae, 0xe9));
    // The label is drawn in the palette's text colour: some pixel in it is light.
    bool lightText = false;
    for (int x = 6; x < 60 && !lightText; ++x) {
        for (int y = laneY(0, 0); y < laneY(0, HeartbeatTimeline::kLaneHeight); ++y)
            lightText = lightText || image.pixelColor(x, y).lightness() > 150;
    }
    QVERIFY(lightText);
}

void tst_HeartbeatTimeline::thousandsOfLanesScrollAndPaint()
{
    for (int i = 0; i < 2000; ++i) {
        const QString session = u"s"_s + QString::number(i);
        openStream(session, session + u"/get1"_s, kStart - 60'000);
        for (int beat = 0; beat < 50; ++beat)
            heartbeat(session + u"/get1"_s, beat + 1, kStart - 60'000 + beat * 1000);
    }
    m_view->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_view));
    m_model->handleTick();
    QCOMPARE(m_view->laneCount(), 2000);
    QVERIFY(m_view->laneRect(1999).top() > m_view->height());

    // The wheel scrolls the lanes.
    const int firstTop = m_view->laneRect(0).top();
    QWheelEvent wheel(QPointF(300, 100), m_view->mapToGlobal(QPointF(300, 100)), QPoint(),
                      QPoint(0, -120), Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase, false);
    QCoreApplication::sendEvent(m_view, &wheel);
    QVERIFY(m_view->laneRect(0).top() < firstTop);
    QVERIFY(m_view->laneAt(QPoint(300, HeartbeatTimeline::kHeaderHeight + 1)) > 0);

    // Scrolled to the end, the last lane is in view and hovering it names its stream.
    m_view->scrollToLane(1999);
    const QRect last = m_view->laneRect(1999);
    QVERIFY2(last.bottom() < m_view->height() && last.top() >= HeartbeatTimeline::kHeaderHeight,
             qPrintable(QString::number(last.top())));
    QVERIFY(m_view->toolTipAt(QPoint(20, last.center().y())).contains(u"s1999/get1"_s));
    // How long painting takes is tests/bench/heartline_ui_bench's figure, not a test's.
    const QImage image = m_view->grab().toImage();
    const int x = m_view->xForTime(kStart - 11'000, kStart);
    QCOMPARE(image.pixelColor(x, last.top() + 6), m_view->heartbeatColor());
}

QTEST_MAIN(tst_HeartbeatTimeline)
#include "tst_heartbeattimeline.moc"
