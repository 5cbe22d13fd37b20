// The window and the server on their own threads, composed as Application composes them with a
// window (DESIGN.md, Threads; issue 12): a ServerRunner puts the server on a ServerThread (epoll
// loop), the window on this, the GUI thread, sees the server through the runner's MonitorRelay
// mirror and CrossThreadControl. A stalled GUI thread must not hold a single heartbeat back; the window
// must see what the server's Monitor saw; its actions must run on the server's thread.

#include "server/api/monitor.h"
#include "server/api/servercontrol.h"
#include "server/core/heartlineserver.h"
#include "server/core/serverrunner.h"
#include "tests/support/blockingconnection.h"
#include "ui/window/appsettings.h"
#include "ui/window/mainwindow.h"

#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

using namespace Qt::StringLiterals;
using namespace heartline;
using Clock = std::chrono::steady_clock;

// The app icon lives in a resource-only library the linker would drop without this.
static void initResources()
{
    Q_INIT_RESOURCE(heartline);
}

namespace {

constexpr int kHeartbeatMs = 50;
constexpr int kStallMs = 200;

// A legacy SSE stream read on a plain thread of its own with blocking reads, so that it sees
// bytes the moment they arrive whatever the GUI thread is doing. Records when each comment
// line (the opening comment, then heartbeats) arrived.
class StreamReader
{
public:
    explicit StreamReader(quint16 port)
        : m_connection(port)
    {
        const QByteArray request = u"GET /sse HTTP/1.1\r\nHost: 127.0.0.1:%1\r\n"
                                   u"Accept: text/event-stream\r\n\r\n"_s.arg(port)
                                       .toLatin1();
        if (m_connection.isOpen() && m_connection.send(request))
            m_thread = std::thread([this]() { read(); });
    }
    ~StreamReader()
    {
        m_connection.shutDown();
        if (m_thread.joinable())
            m_thread.join();
    }
    Q_DISABLE_COPY_MOVE(StreamReader)

    std::vector<Clock::time_point> commentTimes() const
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        return m_commentTimes;
    }

private:
    void read()
    {
        QByteArray pending;
        for (;;) {
            const QByteArray bytes = m_connection.readSome();
            if (bytes.isEmpty())
                return;
            const Clock::time_point arrived = Clock::now();
            pending.append(bytes);
            qsizetype end;
            while ((end = pending.indexOf('\n')) >= 0) {
                const QByteArray line = pending.left(end);
                pending.remove(0, end + 1);
                if (line.startsWith(':')) {
                    std::lock_guard<std::mutex> lock(m_mutex);
                    m_commentTimes.push_back(arrived);
                }
            }
        }
    }

    testing::BlockingConnection m_connection;
    std::thread m_thread;
    mutable std::mutex m_mutex;
    std::vector<Clock::time_point> m_commentTimes;
};

int countBetween(const std::vector<Clock::time_point> &times, Clock::time_point from,
                 Clock::time_point to)
{
    int count = 0;
    for (const Clock::time_point &time : times)
        count += (time >= from && time <= to) ? 1 : 0;
    return count;
}

} // namespace

class tst_ServerThread : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { initResources(); }
    void init();
    void cleanup();
    void heartbeatsLeaveOnTimeWhileTheGuiThreadStalls();
    void theWindowSeesWhatTheServerMonitorSaw();
    void controlCallsRunOnTheServerThread();
    void controlAnswersEmptyOnceTheServerIsGone();

private:
    std::unique_ptr<ServerRunner> m_server;
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<AppSettings> m_settings;
    std::unique_ptr<MainWindow> m_window;
    quint16 m_port = 0;
};

void tst_ServerThread::init()
{
    ServerConfig config;
    config.port = 0;
    config.heartbeatMs = kHeartbeatMs;
    m_server = std::make_unique<ServerRunner>(config, ServerRunner::Placement::OwnThread);
    bool listening = false;
    QString error;
    m_server->runOnServerThread([this, &listening, &error]() {
        HeartlineServer *server = m_server->server();
        server->registerBuiltinTools();
        listening = server->listen(&error);
        m_port = server->port();
    });
    QVERIFY2(listening, qPrintable(error));
    m_dir = std::make_unique<QTemporaryDir>();
    m_settings = std::make_unique<AppSettings>(m_dir->filePath(u"heartline.conf"_s));
    m_window =
        std::make_unique<MainWindow>(m_server->monitor(), m_server->control(), m_settings.get());
    m_window->show();
}

void tst_ServerThread::cleanup()
{
    m_window.reset();
    m_settings.reset();
    m_dir.reset();
    m_server.reset();
}

void tst_ServerThread::heartbeatsLeaveOnTimeWhileTheGuiThreadStalls()
{
    StreamReader reader(m_port);
    // The opening comment and two heartbeats: the stream is open and beating.
    QTRY_VERIFY_WITH_TIMEOUT(reader.commentTimes().size() >= 3, 5000);

    // What a slow paint does to the GUI thread: nothing of it runs for kStallMs. Sleeping is the
    // point here, not a way to wait for something.
    const Clock::time_point stallStart = Clock::now();
    QThread::msleep(kStallMs);
    const Clock::time_point stallEnd = Clock::now();

    // Four heartbeats fall due inside the stall; with the server on the GUI thread none could
    // leave before it ends. Two leave room for a loaded machine.
    const int duringStall = countBetween(reader.commentTimes(), stallStart, stallEnd);
    QVERIFY2(duringStall >= 2,
             qPrintable(u"%1 heartbeats reached the client while the GUI thread stalled for "
                        u"%2 ms (every %3 ms expected)"_s.arg(duringStall)
                            .arg(kStallMs)
                            .arg(kHeartbeatMs)));

    // The window hears of them once its thread runs again.
    const std::size_t sent = reader.commentTimes().size() - 1;
    QTRY_VERIFY_WITH_TIMEOUT(m_server->monitor()->snapshot().counters.heartbeats >= sent, 5000);
}

void tst_ServerThread::theWindowSeesWhatTheServerMonitorSaw()
{
    StreamReader first(m_port);
    StreamReader second(m_port);
    QTRY_COMPARE_WITH_TIMEOUT(m_server->monitor()->snapshot().streams.size(), 2, 5000);

    MonitorSnapshot server;
    m_server->runOnServerThread(
        [this, &server]() { server = m_server->server()->monitor()->snapshot(); });
    const MonitorSnapshot mirror = m_server->monitor()->snapshot();
    QCOMPARE(mirror.endpoint, server.endpoint);
    QCOMPARE(mirror.heartbeatIntervalMs, kHeartbeatMs);
    QCOMPARE(mirror.sessions.size(), server.sessions.size());
    for (const SessionInfo &session : server.sessions) {
        QVERIFY2(std::any_of(mirror.sessions.cbegin(), mirror.sessions.cend(),
                             [&session](const SessionInfo &seen) { return seen.id == session.id; }),
                 qPrintable(session.id));
    }
    QCOMPARE(mirror.counters.sessionsOpened, server.counters.sessionsOpened);
    QCOMPARE(mirror.counters.streamsOpened, server.counters.streamsOpened);
    // The control answers from the server's own records, across the threads.
    QCOMPARE(m_server->control()->sessions().size(), server.sessions.size());
}

void tst_ServerThread::controlCallsRunOnTheServerThread()
{
    QThread *ranOn = nullptr;
    QThread *serverThread = nullptr;
    m_server->runOnServerThread([this, &ranOn, &serverThread]() {
        serverThread = QThread::currentThread();
        connect(m_server->server()->monitor(), &Monitor::toolChanged, m_server->server(),
                [&ranOn]() { ranOn = QThread::currentThread(); });
    });
    QVERIFY(serverThread != QThread::currentThread());
    QString error;
    QVERIFY2(m_server->control()->setToolEnabled(u"echo"_s, false, &error), qPrintable(error));
    QCOMPARE(ranOn, serverThread);

    const QList<ToolInfo> tools = m_server->control()->tools();
    const auto echo = std::find_if(tools.cbegin(), tools.cend(),
                                   [](const ToolInfo &tool) { return tool.name == "echo"_L1; });
    QVERIFY(echo != tools.cend());
    QVERIFY(!echo->enabled);
    // A refusal crosses back with its reason.
    QVERIFY(!m_server->control()->setToolEnabled(u"no-such-tool"_s, false, &error));
    QVERIFY2(error.contains(u"no-such-tool"_s), qPrintable(error));
}

void tst_ServerThread::controlAnswersEmptyOnceTheServerIsGone()
{
    m_window.reset();
    m_server->tearDown();
    QString error;
    QVERIFY(m_server->control()->tools().isEmpty());
    QVERIFY(!m_server->control()->setToolEnabled(u"echo"_s, false, &error));
    QVERIFY(m_server->control()->streamStats().isEmpty());
}

QTEST_MAIN(tst_ServerThread)
#include "tst_serverthread.moc"
