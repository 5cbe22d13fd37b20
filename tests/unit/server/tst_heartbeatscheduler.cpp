#include "server/api/clock.h"
#include "server/stream/heartbeatscheduler.h"
#include "server/stream/ssestream.h"
#include "tests/support/rawhttpclient.h"
#include "tests/support/servertestmain.h"
#include "tests/support/sseharness.h"

#include <QHash>
#include <QSignalSpy>
#include <QTest>
#include <QTimer>

#include <algorithm>

using namespace heartline;
using namespace heartline::testing;
using namespace Qt::StringLiterals;

namespace {

// Short enough to keep the tests quick, long enough to measure on a busy machine.
constexpr int kIntervalMs = 50;
// A stream is due for a heartbeat after about an interval of silence; the scheduler may round
// that to its ticks, so allow one tick either way.
constexpr int kTickMs = kIntervalMs / HeartbeatScheduler::kTicksPerInterval;
constexpr int kDueMs = kIntervalMs - kTickMs;

struct Beat
{
    quint64 sequence = 0;
    qint64 arrivedMs = 0;
};

// The heartbeat comments the client has read so far, with their sequence numbers.
QList<Beat> beatsOnTheWire(const RawHttpClient &client)
{
    QList<Beat> beats;
    for (const SseBlock &block : client.response().sseBlocks) {
        if (block.text.startsWith(": heartbeat "))
            beats.append({block.text.mid(12).trimmed().toULongLong(), block.arrivedMs});
    }
    return beats;
}

qsizetype beatCount(const RawHttpClient &client)
{
    return beatsOnTheWire(client).size();
}

// What the scheduler reported, stream by stream: the sequence numbers and when each came.
class ReportedBeats : public QObject
{
public:
    explicit ReportedBeats(HeartbeatScheduler *scheduler)
    {
        connect(scheduler, &HeartbeatScheduler::heartbeatSent, this,
                [this](const QString &streamId, const QString &sessionId, quint64 sequence) {
                    m_sequences[streamId].append(sequence);
                    m_times[streamId].append(Clock::monotonicMs());
                    m_sessions[streamId] = sessionId;
                });
    }

    qsizetype count(const SseStream *stream) const { return sequences(stream).size(); }
    QList<quint64> sequences(const SseStream *stream) const
    {
        return m_sequences.value(stream->id());
    }
    QList<qint64> times(const SseStream *stream) const { return m_times.value(stream->id()); }
    QString session(const SseStream *stream) const { return m_sessions.value(stream->id()); }
    void clear()
    {
        m_sequences.clear();
        m_times.clear();
        m_sessions.clear();
    }

private:
    QHash<QString, QList<quint64>> m_sequences;
    QHash<QString, QList<qint64>> m_times;
    QHash<QString, QString> m_sessions;
};

} // namespace

class tst_HeartbeatScheduler : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void silentStreamGetsNumberedHeartbeatsEveryInterval();
    void heartbeatsAreCommentsOnly();
    void heartbeatSentCarriesStreamSessionAndIncreasingSequence();
    void busyStreamGetsNoHeartbeat();
    void switchingOffStopsBeatsAndSwitchingOnResumes_data();
    void switchingOffStopsBeatsAndSwitchingOnResumes();
    void streamWhoseClientLeftIsDropped();
    void streamEndedByItsOwnHeartbeatIsDropped();
    void removedStreamGetsNoHeartbeat();
};

void tst_HeartbeatScheduler::initTestCase()
{
    qRegisterMetaType<heartline::StreamEnd>();
}

void tst_HeartbeatScheduler::silentStreamGetsNumberedHeartbeatsEveryInterval()
{
    SseHarness harness;
    QVERIFY(harness.listen());
    HeartbeatScheduler scheduler(kIntervalMs);
    RawHttpClient client;
    SseStream *stream = harness.openStream(client);
    QVERIFY(stream);
    const qint64 openedAt = client.response().sseBlocks.first().arrivedMs;
    scheduler.add(stream);

    QTRY_VERIFY_WITH_TIMEOUT(beatCount(client) >= 6, 10000);
    const QList<Beat> beats = beatsOnTheWire(client);
    QList<qint64> gaps{beats.first().arrivedMs - openedAt};
    for (qsizetype i = 0; i < beats.size(); ++i) {
        QCOMPARE(beats.at(i).sequence, quint64(i + 1));
        if (i > 0)
            gaps.append(beats.at(i).arrivedMs - beats.at(i - 1).arrivedMs);
    }
    // Never early but for rounding to ticks; late only by a tick plus whatever a loaded
    // machine adds, so check each gap loosely and the typical one (the median, which one
    // stall cannot move) tightly.
    for (qint64 gap : std::as_const(gaps))
        QVERIFY2(gap >= kDueMs - kTickMs / 2 && gap <= kIntervalMs * 8,
                 qPrintable(QString::number(gap)));
    std::sort(gaps.begin(), gaps.end());
    const qint64 median = gaps.at(gaps.size() / 2);
    QVERIFY2(median <= kIntervalMs + kIntervalMs / 2, qPrintable(QString::number(median)));
}

void tst_HeartbeatScheduler::heartbeatsAreCommentsOnly()
{
    SseHarness harness;
    QVERIFY(harness.listen());
    HeartbeatScheduler scheduler(kIntervalMs);
    RawHttpClient client;
    SseStream *stream = harness.openStream(client);
    QVERIFY(stream);
    scheduler.add(stream);

    QTRY_VERIFY_WITH_TIMEOUT(beatCount(client) >= 3, 10000);
    QVERIFY(client.parseError().isEmpty());
    // Never id: (it would move the client's resume cursor), never data: (it would be a message).
    for (const QByteArray &line : client.response().body.split('\n')) {
        QVERIFY2(line.isEmpty() || line.startsWith(": "), line.constData());
    }
    QCOMPARE(stream->stats().events, 0u);
}

void tst_HeartbeatScheduler::heartbeatSentCarriesStreamSessionAndIncreasingSequence()
{
    SseHarness harness;
    QVERIFY(harness.listen());
    HeartbeatScheduler scheduler(kIntervalMs);
    RawHttpClient firstClient;
    RawHttpClient secondClient;
    SseStream *first = harness.openStream(firstClient);
    QVERIFY(first);
    SseStream *second = harness.openStream(secondClient);
    QVERIFY(second);
    ReportedBeats beats(&scheduler);
    scheduler.add(first);
    QTRY_VERIFY_WITH_TIMEOUT(beats.count(first) >= 2, 10000);
    scheduler.add(second); // joins later, counts from 1 on its own

    QTRY_VERIFY_WITH_TIMEOUT(beats.count(second) >= 3, 10000);
    const auto countsFromOne = [](const QList<quint64> &sequences) {
        for (qsizetype i = 0; i < sequences.size(); ++i) {
            if (sequences.at(i) != quint64(i + 1))
                return false;
        }
        return true;
    };
    QVERIFY(countsFromOne(beats.sequences(first)));
    QVERIFY(countsFromOne(beats.sequences(second)));
    QVERIFY(first->id() != second->id());
    QCOMPARE(beats.session(first), first->sessionId());
    QCOMPARE(beats.session(second), second->sessionId());
    QVERIFY(beats.count(first) > beats.count(second));
    QCOMPARE(first->stats().heartbeats, quint64(beats.count(first)));
}

void tst_HeartbeatScheduler::busyStreamGetsNoHeartbeat()
{
    SseHarness harness;
    QVERIFY(harness.listen());
    HeartbeatScheduler scheduler(kIntervalMs);
    RawHttpClient busyClient;
    RawHttpClient silentClient;
    SseStream *busy = harness.openStream(busyClient);
    QVERIFY(busy);
    SseStream *silent = harness.openStream(silentClient);
    QVERIFY(silent);

    // When each busy write and each busy heartbeat happened, on the scheduler's clock.
    QList<qint64> writes{busy->stats().lastWriteMonotonicMs};
    ReportedBeats beats(&scheduler);
    QTimer traffic;
    traffic.setTimerType(Qt::PreciseTimer);
    connect(&traffic, &QTimer::timeout, this, [&]() {
        SseEvent event;
        event.data = "tick";
        if (busy->sendEvent(event))
            writes.append(busy->stats().lastWriteMonotonicMs);
    });
    traffic.start(20);
    scheduler.add(busy);
    scheduler.add(silent);

    // The silent stream in the same scheduler shows the beats are flowing meanwhile.
    QTRY_VERIFY_WITH_TIMEOUT(beatCount(silentClient) >= 5, 10000);
    traffic.stop();
    QVERIFY(writes.size() >= 5);
    // A stall of the whole process can leave even the busy stream silent for an interval; a
    // heartbeat is only right after such a gap, and on a quiet machine there is none.
    const QList<qint64> busyBeats = beats.times(busy);
    for (qint64 beat : busyBeats) {
        const auto lastWrite = std::upper_bound(writes.cbegin(), writes.cend(), beat) - 1;
        QVERIFY2(beat - *lastWrite >= kDueMs,
                 qPrintable(u"heartbeat %1 ms after an event"_s.arg(beat - *lastWrite)));
    }
    if (!busyBeats.isEmpty())
        qWarning("the machine stalled: %lld legitimate heartbeats on the busy stream",
                 qlonglong(busyBeats.size()));

    // Fallen silent, it gets its beats again: being busy only ever postponed them.
    const int beatsWhileBusy = beatCount(busyClient);
    QTRY_VERIFY_WITH_TIMEOUT(beatCount(busyClient) >= beatsWhileBusy + 2, 10000);
}

void tst_HeartbeatScheduler::switchingOffStopsBeatsAndSwitchingOnResumes_data()
{
    QTest::addColumn<int>("off");

    QTest::newRow("0") << 0;
    QTest::newRow("negative") << -5;
}

void tst_HeartbeatScheduler::switchingOffStopsBeatsAndSwitchingOnResumes()
{
    QFETCH(int, off);

    SseHarness harness;
    QVERIFY(harness.listen());
    HeartbeatScheduler scheduler(kIntervalMs);
    RawHttpClient client;
    SseStream *stream = harness.openStream(client);
    QVERIFY(stream);
    QSignalSpy beats(&scheduler, &HeartbeatScheduler::heartbeatSent);
    scheduler.add(stream);
    QTRY_VERIFY_WITH_TIMEOUT(beats.size() >= 2, 10000);

    scheduler.setInterval(off);
    QCOMPARE(scheduler.interval(), 0);
    const qsizetype beforeOff = beats.size();
    // Six silent intervals: with beats on, this would have been five or six heartbeats.
    QVERIFY(!beats.wait(kIntervalMs * 6));
    QCOMPARE(beats.size(), beforeOff);
    QCOMPARE(scheduler.streamCount(), 1);

    scheduler.setInterval(kIntervalMs);
    QCOMPARE(scheduler.interval(), kIntervalMs);
    QVERIFY(beats.wait(5000));
    QCOMPARE(beats.last().at(0).toString(), stream->id());
    QCOMPARE(beats.last().at(2).value<quint64>(), quint64(beforeOff + 1));
    QTRY_COMPARE(beatCount(client), beforeOff + 1);
}

void tst_HeartbeatScheduler::streamWhoseClientLeftIsDropped()
{
    SseHarness harness;
    QVERIFY(harness.listen());
    HeartbeatScheduler scheduler(kIntervalMs);
    RawHttpClient leaving;
    RawHttpClient staying;
    QPointer<SseStream> gone = harness.openStream(leaving);
    QVERIFY(gone);
    SseStream *kept = harness.openStream(staying);
    QVERIFY(kept);
    scheduler.add(gone);
    scheduler.add(kept);
    QCOMPARE(scheduler.streamCount(), 2);
    ReportedBeats beats(&scheduler);
    QSignalSpy goneEnded(gone.data(), &SseStream::ended);

    leaving.disconnectFromHost();
    QTRY_COMPARE(goneEnded.size(), 1);
    QTRY_VERIFY(gone.isNull());
    QCOMPARE(scheduler.streamCount(), 1);
    // The scheduler keeps ticking over what is left.
    beats.clear();
    QTRY_VERIFY_WITH_TIMEOUT(beats.count(kept) >= 2, 10000);
}

void tst_HeartbeatScheduler::streamEndedByItsOwnHeartbeatIsDropped()
{
    // Two streams that trip their high-water mark on the first heartbeat end inside the same
    // tick, and, as a session does, whoever owns them unregisters them there and then: all
    // while the scheduler walks its streams.
    SseHarness harness;
    QVERIFY(harness.listen());
    HeartbeatScheduler scheduler(kIntervalMs);
    RawHttpClient firstClient;
    RawHttpClient secondClient;
    QPointer<SseStream> first = harness.openStream(firstClient);
    QVERIFY(first);
    QPointer<SseStream> second = harness.openStream(secondClient);
    QVERIFY(second);
    QSignalSpy firstEnded(first.data(), &SseStream::ended);
    QSignalSpy secondEnded(second.data(), &SseStream::ended);
    // Clients that stopped reading, with an event still waiting for each of them: the next
    // write finds bytes queued, past a mark of 0.
    firstClient.setReading(false);
    secondClient.setReading(false);
    SseEvent waiting;
    waiting.data = QByteArray(8 * 1024 * 1024, 'x');
    for (SseStream *stream : {first.data(), second.data()}) {
        QVERIFY(stream->sendEvent(waiting));
        QVERIFY(stream->bytesQueued() > 0);
    }
    for (SseStream *stream : {first.data(), second.data()}) {
        connect(stream, &SseStream::ended, &scheduler,
                [&scheduler](SseStream *ended) { scheduler.remove(ended); });
        stream->setHighWaterMark(0);
        scheduler.add(stream);
    }

    QTRY_VERIFY_WITH_TIMEOUT(first.isNull() && second.isNull(), 10000);
    QCOMPARE(firstEnded.size(), 1);
    QCOMPARE(secondEnded.size(), 1);
    QCOMPARE(firstEnded.at(0).at(1).value<StreamEnd>().cause, DisconnectCause::SlowConsumer);
    QCOMPARE(secondEnded.at(0).at(1).value<StreamEnd>().cause, DisconnectCause::SlowConsumer);
    QCOMPARE(scheduler.streamCount(), 0);
}

void tst_HeartbeatScheduler::removedStreamGetsNoHeartbeat()
{
    SseHarness harness;
    QVERIFY(harness.listen());
    HeartbeatScheduler scheduler(kIntervalMs);
    RawHttpClient removedClient;
    RawHttpClient keptClient;
    SseStream *removed = harness.openStream(removedClient);
    QVERIFY(removed);
    SseStream *kept = harness.openStream(keptClient);
    QVERIFY(kept);
    ReportedBeats beats(&scheduler);
    scheduler.add(removed);
    scheduler.add(kept);
    QTRY_VERIFY_WITH_TIMEOUT(beats.count(removed) >= 1, 10000);

    scheduler.remove(removed);
    QCOMPARE(scheduler.streamCount(), 1);
    const qsizetype beforeRemoval = beats.count(removed);
    const qsizetype keptBefore = beats.count(kept);
    QTRY_VERIFY_WITH_TIMEOUT(beats.count(kept) >= keptBefore + 4, 10000);
    QCOMPARE(beats.count(removed), beforeRemoval);
    QCOMPARE(beatCount(removedClient), beforeRemoval);
    QVERIFY(removed->isOpen());
}

HEARTLINE_SERVER_TEST_MAIN(tst_HeartbeatScheduler)
#include "tst_heartbeatscheduler.moc"
