// Issue 12's figures, for Heartline and for the official TypeScript SDK server
// (tests/bench/ts_sdk_server.cjs) with the same harness in the same run, each printed with
// their ratio:
//   calls        tools/call echo from wrk (keep-alive, --connections), one 2025-11-25 session:
//                calls/s, latency p50/p99, server CPU per call
//   open         --streams sessions opened (initialize, initialized, GET) as fast as the server
//                takes them: time, refused or timed out, RSS per stream once open
//   idle         the streams held --idle-seconds with heartbeats every --heartbeat-ms: server
//                CPU per minute, heartbeat gaps p50/p99/max
//   listchanged  `echo` switched off: time until every session's GET stream has
//                notifications/tools/list_changed
// The server runs in its own process; its CPU is every thread of it (/proc/PID/task/*/schedstat)
// and its memory VmRSS. This process runs on the epoll dispatcher, so 10,000 client sockets
// cost the clients little; it raises its own open-file limit (children inherit it).
//
//   build-rel/tests/bench/heartline_scale_bench --server both --streams 10000
//   tests/bench/run_scale_bench.sh   (installs wrk and the npm packages first)
#include "tests/bench/benchsupport.h"

#include "server/eventloop/epolleventdispatcher.h"
#include "tests/support/processstats.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QThread>

#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <vector>

using namespace Qt::StringLiterals;
using heartline::bench::percentileOf;
using heartline::bench::startLoggingToFile;
using heartline::bench::waitFor;
using heartline::testing::processCpuNs;
using heartline::testing::processRssKiB;

namespace {

const QByteArray kInitialize =
    R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25",)"
    R"("capabilities":{},"clientInfo":{"name":"scale-bench","version":"1"}}})";
const QByteArray kInitialized = R"({"jsonrpc":"2.0","method":"notifications/initialized"})";

QByteArray post(quint16 port, const QByteArray &session, const QByteArray &body)
{
    QByteArray request = "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(port)
                         + "\r\nContent-Type: application/json\r\n"
                           "Accept: application/json, text/event-stream\r\n";
    if (!session.isEmpty())
        request += "Mcp-Session-Id: " + session + "\r\n";
    return request + "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
}

QByteArray headerValue(const QByteArray &head, const QByteArray &name)
{
    for (const QByteArray &line : head.split('\n')) {
        if (line.toLower().startsWith(QByteArray(name.toLower() + ':')))
            return line.mid(name.size() + 1).trimmed();
    }
    return {};
}

// The length of the first whole HTTP response in `buffer` (Content-Length or chunked), or -1.
qsizetype wholeResponse(const QByteArray &buffer, QByteArray *head)
{
    const qsizetype end = buffer.indexOf("\r\n\r\n");
    if (end < 0)
        return -1;
    *head = buffer.left(end);
    if (headerValue(*head, "Transfer-Encoding").toLower() == "chunked") {
        const qsizetype last = buffer.indexOf("\r\n0\r\n\r\n", end);
        return last < 0 ? -1 : last + 7;
    }
    const qsizetype length = headerValue(*head, "Content-Length").toLongLong();
    return buffer.size() < end + 4 + length ? -1 : end + 4 + length;
}

// One client session: initialize, initialized, then its GET stream, timing each heartbeat and
// noting when tools/list_changed arrives.
struct StreamClient
{
    std::unique_ptr<QTcpSocket> socket = std::make_unique<QTcpSocket>();
    QByteArray buffer;
    QByteArray session;
    int stage = 0; // 0 initialize sent, 1 initialized sent, 2 GET sent, 3 failed
    qint64 lastBeatMs = -1;
    qint64 listChangedMs = -1;
    std::vector<qint64> gaps;
};

struct Figures
{
    std::map<QString, double> values;
    QStringList order;
    void set(const QString &name, double value)
    {
        if (!values.count(name))
            order.append(name);
        values[name] = value;
    }
};

class ServerUnderTest
{
public:
    enum class Kind { Heartline, TypeScriptSdk };

    ServerUnderTest(Kind kind, const QString &heartlineBinary, const QString &tsScript,
                    int heartbeatMs)
        : m_kind(kind)
    {
        if (kind == Kind::Heartline) {
            // Its connection caps raised past the bench's streams, all from one address.
            const QString config = m_home.filePath(u"heartline.json"_s);
            QFile file(config);
            file.open(QIODevice::WriteOnly);
            file.write(R"({"maxConnections": 100000, "maxConnectionsPerPeer": 100000})");
            file.close();
            m_process.setProgram(heartlineBinary);
            m_process.setArguments({u"--headless"_s, u"--port"_s, u"0"_s, u"--heartbeat-ms"_s,
                                    QString::number(heartbeatMs), u"--config"_s, config});
            QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
            environment.insert(u"XDG_RUNTIME_DIR"_s, m_home.path());
            environment.insert(u"XDG_CONFIG_HOME"_s, m_home.filePath(u"config"_s));
            m_process.setProcessEnvironment(environment);
        } else {
            m_process.setProgram(u"node"_s);
            m_process.setArguments(
                {tsScript, u"--port"_s, u"0"_s, u"--heartbeat-ms"_s, QString::number(heartbeatMs)});
        }
        m_process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        m_port = startLoggingToFile(m_process, m_home.filePath(u"stdout.log"_s));
    }
    // A Heartline already listening on `port` (under heaptrack or perf, say); not stopped here.
    ServerUnderTest(const QString &heartlineBinary, quint16 port, qint64 pid)
        : m_kind(Kind::Heartline)
        , m_port(port)
        , m_runningPid(pid)
    {
        m_process.setProgram(heartlineBinary);
    }
    ~ServerUnderTest()
    {
        if (m_runningPid != 0)
            return;
        m_process.terminate();
        m_process.waitForFinished(10000);
    }

    QString name() const { return m_kind == Kind::Heartline ? u"Heartline"_s : u"TS SDK"_s; }
    quint16 port() const { return m_port; }
    qint64 pid() const { return m_runningPid != 0 ? m_runningPid : m_process.processId(); }

    // Switches `echo` off in every session, as its user would.
    void disableEcho()
    {
        if (m_kind == Kind::Heartline) {
            // The server's environment: its control socket is in its XDG_RUNTIME_DIR.
            auto *ctl = new QProcess;
            if (m_runningPid == 0)
                ctl->setProcessEnvironment(m_process.processEnvironment());
            QObject::connect(ctl, &QProcess::finished, ctl, &QObject::deleteLater);
            ctl->start(m_process.program(), {u"ctl"_s, u"--port"_s, QString::number(m_port),
                                             u"tools"_s, u"disable"_s, u"echo"_s});
            return;
        }
        auto *socket = new QTcpSocket;
        socket->connectToHost(u"127.0.0.1"_s, m_port);
        socket->write("POST /toggle HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n");
        QObject::connect(socket, &QTcpSocket::readyRead, socket, &QObject::deleteLater);
    }

private:
    Kind m_kind;
    QTemporaryDir m_home;
    QProcess m_process;
    quint16 m_port = 0;
    qint64 m_runningPid = 0;
};

// A 2025-11-25 session for wrk's calls, opened and initialized.
QByteArray openSession(quint16 port)
{
    QTcpSocket socket;
    socket.connectToHost(u"127.0.0.1"_s, port);
    QByteArray buffer;
    QByteArray head;
    socket.write(post(port, {}, kInitialize));
    qsizetype length = -1;
    waitFor(
        [&]() {
            buffer += socket.readAll();
            return (length = wholeResponse(buffer, &head)) >= 0;
        },
        5000);
    const QByteArray session = headerValue(head, "Mcp-Session-Id");
    buffer.clear();
    socket.write(post(port, session, kInitialized));
    waitFor(
        [&]() {
            buffer += socket.readAll();
            return wholeResponse(buffer, &head) >= 0;
        },
        5000);
    return session;
}

void measureCalls(ServerUnderTest &server, int connections, int seconds, Figures *figures)
{
    const QByteArray session = openSession(server.port());
    QTemporaryDir dir;
    const QString script = dir.filePath(u"echo.lua"_s);
    QFile lua(script);
    lua.open(QIODevice::WriteOnly);
    lua.write("wrk.method = \"POST\"\n"
              "wrk.headers[\"Content-Type\"] = \"application/json\"\n"
              "wrk.headers[\"Accept\"] = \"application/json, text/event-stream\"\n"
              "wrk.headers[\"Mcp-Session-Id\"] = \""
              + session
              + "\"\n"
                "wrk.body = '{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\","
                "\"params\":{\"name\":\"echo\",\"arguments\":{\"message\":\"ping\"}}}'\n");
    lua.close();
    QProcess wrk;
    wrk.setProcessChannelMode(QProcess::MergedChannels);
    const qint64 before = processCpuNs(server.pid());
    wrk.start(u"wrk"_s,
              {u"-t2"_s, u"-c%1"_s.arg(connections), u"-d%1s"_s.arg(seconds), u"--latency"_s,
               u"-s"_s, script, u"http://127.0.0.1:%1/mcp"_s.arg(server.port())});
    waitFor([&wrk]() { return wrk.state() == QProcess::NotRunning; }, (seconds + 30) * 1000);
    const qint64 cpu = processCpuNs(server.pid()) - before;
    const QString out = QString::fromUtf8(wrk.readAll());
    auto number = [&out](const QString &pattern) {
        const QRegularExpressionMatch match = QRegularExpression(pattern).match(out);
        if (!match.hasMatch())
            return -1.0;
        double value = match.captured(1).toDouble();
        const QString unit = match.captured(2);
        if (unit == "us"_L1)
            value /= 1000.0;
        else if (unit == "s"_L1)
            value *= 1000.0;
        return value;
    };
    const double requests = number(u"(\\d+) requests in"_s);
    const double non2xx = std::max(0.0, number(u"Non-2xx or 3xx responses: (\\d+)"_s));
    figures->set(u"calls/s"_s, number(u"Requests/sec:\\s+([\\d.]+)"_s));
    figures->set(u"call latency p50 (ms)"_s, number(u"50%\\s+([\\d.]+)(us|ms|s)"_s));
    figures->set(u"call latency p99 (ms)"_s, number(u"99%\\s+([\\d.]+)(us|ms|s)"_s));
    figures->set(u"server CPU per call (us)"_s, requests > 0 ? cpu / 1000.0 / requests : -1);
    figures->set(u"calls refused (non-2xx)"_s, non2xx);
    if (requests <= 0)
        std::fprintf(stderr, "wrk printed:\n%s\n", qPrintable(out));
}

void readStream(StreamClient *s, quint16 port, const QElapsedTimer &clock, int *streaming)
{
    s->buffer += s->socket->readAll();
    while (s->stage < 2) {
        QByteArray head;
        const qsizetype length = wholeResponse(s->buffer, &head);
        if (length < 0)
            return;
        s->buffer.remove(0, length);
        if (s->stage == 0) {
            s->session = headerValue(head, "Mcp-Session-Id");
            s->socket->write(post(port, s->session, kInitialized));
            s->stage = 1;
        } else {
            s->socket->write("GET /mcp HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(port)
                             + "\r\nAccept: text/event-stream\r\nMcp-Session-Id: " + s->session
                             + "\r\n\r\n");
            s->stage = 2;
        }
    }
    if (s->stage == 2 && s->buffer.contains("\r\n\r\n")) {
        s->stage = 4; // streaming: the GET's headers are in
        ++*streaming;
        s->buffer.remove(0, s->buffer.indexOf("\r\n\r\n") + 4);
    }
    if (s->stage != 4)
        return;
    const qint64 now = clock.elapsed();
    qsizetype at;
    while ((at = s->buffer.indexOf(": heartbeat")) >= 0) {
        s->buffer.remove(0, at + 11);
        if (s->lastBeatMs >= 0)
            s->gaps.push_back(now - s->lastBeatMs);
        s->lastBeatMs = now;
    }
    if (s->listChangedMs < 0 && s->buffer.contains("notifications/tools/list_changed"))
        s->listChangedMs = now;
    if (s->buffer.size() > 4096)
        s->buffer = s->buffer.right(128);
}

// Opens `count` streams, at most `inFlight` connecting or initializing at once (as a crowd of
// clients behind a proxy would), and leaves them open in `streams`.
// Returns the server's RSS before the streams, in KiB.
qint64 measureOpen(ServerUnderTest &server, int count,
                   std::vector<std::unique_ptr<StreamClient>> &streams, const QElapsedTimer &clock,
                   Figures *figures)
{
    constexpr int inFlight = 256;
    const qint64 rssBefore = processRssKiB(server.pid());
    int streaming = 0;
    int failed = 0;
    int started = 0;
    QElapsedTimer opening;
    opening.start();
    auto startNext = [&]() {
        while (started < count && started - streaming - failed < inFlight) {
            auto stream = std::make_unique<StreamClient>();
            StreamClient *s = stream.get();
            const quint16 port = server.port();
            QObject::connect(
                s->socket.get(), &QTcpSocket::readyRead,
                [s, port, &clock, &streaming]() { readStream(s, port, clock, &streaming); });
            QObject::connect(s->socket.get(), &QTcpSocket::disconnected, [s, &failed]() {
                if (s->stage != 4) {
                    s->stage = 3;
                    ++failed;
                }
            });
            QObject::connect(s->socket.get(), &QAbstractSocket::errorOccurred, [s, &failed]() {
                if (s->stage < 3) {
                    s->stage = 3;
                    ++failed;
                }
            });
            s->socket->connectToHost(u"127.0.0.1"_s, port);
            s->socket->write(post(port, {}, kInitialize));
            streams.push_back(std::move(stream));
            ++started;
        }
    };
    waitFor(
        [&]() {
            startNext();
            return streaming + failed >= count;
        },
        120000);
    const double seconds = opening.elapsed() / 1000.0;
    // Let the server settle (allocator, lazily built structures) before reading its memory.
    waitFor([]() { return false; }, 2000);
    const qint64 rssAfter = processRssKiB(server.pid());
    figures->set(u"open: seconds"_s, seconds);
    figures->set(u"open: refused or timed out"_s, count - streaming);
    figures->set(u"RSS per stream (KiB)"_s, double(rssAfter - rssBefore) / std::max(1, streaming));
    figures->set(u"RSS total (MiB)"_s, rssAfter / 1024.0);
    return rssBefore;
}

void measureIdle(ServerUnderTest &server, std::vector<std::unique_ptr<StreamClient>> &streams,
                 int seconds, qint64 rssBefore, Figures *figures)
{
    for (auto &stream : streams)
        stream->gaps.clear();
    const qint64 before = processCpuNs(server.pid());
    QElapsedTimer window;
    window.start();
    waitFor([]() { return false; }, seconds * 1000);
    const double elapsed = window.elapsed() / 1000.0;
    const qint64 cpu = processCpuNs(server.pid()) - before;
    std::vector<qint64> gaps;
    for (const auto &stream : streams)
        gaps.insert(gaps.end(), stream->gaps.begin(), stream->gaps.end());
    std::sort(gaps.begin(), gaps.end());
    figures->set(u"idle: server CPU per minute (s)"_s, cpu / 1e9 / elapsed * 60.0);
    figures->set(u"idle: heartbeats received"_s, double(gaps.size()));
    figures->set(u"heartbeat gap p50 (ms)"_s, double(percentileOf(gaps, 0.5)));
    figures->set(u"heartbeat gap p99 (ms)"_s, double(percentileOf(gaps, 0.99)));
    figures->set(u"heartbeat gap max (ms)"_s, gaps.empty() ? 0.0 : double(gaps.back()));
    // Again once every stream has carried heartbeats: what holding them costs, not opening.
    figures->set(u"RSS per stream after idle (KiB)"_s,
                 double(processRssKiB(server.pid()) - rssBefore)
                     / std::max<size_t>(1, streams.size()));
}

void measureListChanged(ServerUnderTest &server,
                        std::vector<std::unique_ptr<StreamClient>> &streams,
                        const QElapsedTimer &clock, Figures *figures)
{
    const qint64 start = clock.elapsed();
    server.disableEcho();
    auto delivered = [&streams]() {
        return std::count_if(streams.begin(), streams.end(),
                             [](const auto &s) { return s->stage == 4 && s->listChangedMs >= 0; });
    };
    const qsizetype open =
        std::count_if(streams.begin(), streams.end(), [](const auto &s) { return s->stage == 4; });
    waitFor([&]() { return delivered() >= open; }, 30000);
    std::vector<qint64> times;
    for (const auto &s : streams) {
        if (s->stage == 4 && s->listChangedMs >= 0)
            times.push_back(s->listChangedMs - start);
    }
    std::sort(times.begin(), times.end());
    figures->set(u"list_changed: delivered"_s, double(times.size()));
    figures->set(u"list_changed: all delivered (ms)"_s,
                 times.empty() ? -1.0 : double(times.back()));
}

Figures run(ServerUnderTest::Kind kind, const QCommandLineParser &options)
{
    Figures figures;
    const int heartbeatMs = options.value(u"heartbeat-ms"_s).toInt();
    std::unique_ptr<ServerUnderTest> started;
    if (options.isSet(u"port"_s)) {
        started = std::make_unique<ServerUnderTest>(options.value(u"binary"_s),
                                                    quint16(options.value(u"port"_s).toUInt()),
                                                    options.value(u"pid"_s).toLongLong());
    } else {
        started = std::make_unique<ServerUnderTest>(kind, options.value(u"binary"_s),
                                                    options.value(u"ts-script"_s), heartbeatMs);
    }
    ServerUnderTest &server = *started;
    if (server.port() == 0) {
        std::fprintf(stderr, "%s did not start\n", qPrintable(server.name()));
        return figures;
    }
    const QStringList only = options.value(u"figures"_s).split(u',');
    auto wanted = [&only](const char *name) {
        return only.contains(u"all"_s) || only.contains(QLatin1String(name));
    };
    std::printf("%s: pid %lld, port %u\n", qPrintable(server.name()), (long long)server.pid(),
                unsigned(server.port()));
    std::fflush(stdout);
    if (wanted("calls"))
        measureCalls(server, options.value(u"connections"_s).toInt(),
                     options.value(u"seconds"_s).toInt(), &figures);
    if (wanted("open") || wanted("idle") || wanted("listchanged")) {
        QElapsedTimer clock;
        clock.start();
        std::vector<std::unique_ptr<StreamClient>> streams;
        streams.reserve(size_t(options.value(u"streams"_s).toInt()));
        const qint64 rssBefore =
            measureOpen(server, options.value(u"streams"_s).toInt(), streams, clock, &figures);
        if (wanted("idle"))
            measureIdle(server, streams, options.value(u"idle-seconds"_s).toInt(), rssBefore,
                        &figures);
        if (wanted("listchanged"))
            measureListChanged(server, streams, clock, &figures);
    }
    return figures;
}

// For this process (a socket per stream) and the servers it starts (Heartline needs two per
// connection): up to the hard limit, and past it to 200,000 where this process may raise it
// (root or CAP_SYS_RESOURCE), since a 20,000 hard limit leaves Heartline short of 10,000 streams.
void raiseOpenFileLimit(int streams)
{
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0)
        return;
    const rlim_t wanted = rlim_t(4 * streams + 4096);
    if (limit.rlim_max != RLIM_INFINITY && limit.rlim_max < wanted) {
        const rlimit raised{wanted, wanted};
        if (setrlimit(RLIMIT_NOFILE, &raised) == 0)
            return;
    }
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication::setEventDispatcher(new heartline::EpollEventDispatcher);
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addOptions(
        {{u"server"_s, u"heartline, ts or both"_s, u"WHICH"_s, u"both"_s},
         {u"figures"_s, u"comma-separated: calls, open, idle, listchanged, or all"_s, u"LIST"_s,
          u"all"_s},
         {u"binary"_s, u"heartline binary"_s, u"PATH"_s, QStringLiteral(HEARTLINE_BINARY)},
         {u"ts-script"_s, u"the TS SDK server script"_s, u"PATH"_s,
          QStringLiteral(HEARTLINE_TS_SDK_SERVER)},
         {u"streams"_s, u"streams opened and held"_s, u"N"_s, u"10000"_s},
         {u"heartbeat-ms"_s, u"heartbeat interval of both servers"_s, u"MS"_s, u"15000"_s},
         {u"idle-seconds"_s, u"how long the idle streams are measured"_s, u"S"_s, u"60"_s},
         {u"connections"_s, u"wrk connections"_s, u"N"_s, u"32"_s},
         {u"seconds"_s, u"wrk duration"_s, u"S"_s, u"10"_s},
         {u"port"_s,
          u"drive the Heartline already listening on this port instead of starting one (its "
          u"caps must allow --streams from one address)"_s,
          u"N"_s},
         {u"pid"_s, u"with --port: that Heartline's process id"_s, u"PID"_s}});
    parser.process(app);
    raiseOpenFileLimit(parser.value(u"streams"_s).toInt());
    rlimit limit{};
    getrlimit(RLIMIT_NOFILE, &limit);

    const QString which = parser.isSet(u"port"_s) ? u"heartline"_s : parser.value(u"server"_s);
    std::vector<std::pair<QString, Figures>> results;
    std::printf("%d cores; %s streams, heartbeat every %s ms; open files limit %llu\n",
                QThread::idealThreadCount(), qPrintable(parser.value(u"streams"_s)),
                qPrintable(parser.value(u"heartbeat-ms"_s)),
                static_cast<unsigned long long>(limit.rlim_cur));
    if (which == "heartline"_L1 || which == "both"_L1)
        results.emplace_back(u"Heartline"_s, run(ServerUnderTest::Kind::Heartline, parser));
    if (which == "ts"_L1 || which == "both"_L1)
        results.emplace_back(u"TS SDK"_s, run(ServerUnderTest::Kind::TypeScriptSdk, parser));
    if (results.empty()) {
        std::fprintf(stderr, "--server is heartline, ts or both\n");
        return 2;
    }

    std::printf("\n%-36s", "figure");
    for (const auto &[name, figures] : results)
        std::printf("%14s", qPrintable(name));
    if (results.size() == 2)
        std::printf("%10s", "ratio");
    std::printf("\n");
    for (const QString &figure : results.front().second.order) {
        std::printf("%-36s", qPrintable(figure));
        std::vector<double> values;
        for (const auto &[name, figures] : results) {
            const auto it = figures.values.find(figure);
            values.push_back(it == figures.values.end() ? -1 : it->second);
            std::printf("%14.2f", values.back());
        }
        if (values.size() == 2 && values[1] != 0)
            std::printf("%10.2f", values[0] / values[1]);
        std::printf("\n");
    }
    return 0;
}
