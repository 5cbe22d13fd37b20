// Measures the real heartline binary from a separate process, so client work does not count
// as server work:
//   1. idle streams: N sessions each hold a GET stream open; over a window of heartbeat
//      intervals we record every heartbeat's gap (timeliness) and the server's CPU time
//      (from /proc/PID/stat), i.e. what keeping N idle streams alive costs.
//   2. request throughput: C keep-alive connections each POST tools/call echo back to back
//      for a few seconds; requests per second and latency percentiles.
// With --mode load it is instead the load for another measurement (heartline_gui_bench): it
// holds N idle GET streams while C connections send echo calls at a fixed rate for S seconds,
// and prints "load-phase:" lines as it goes so the process watching the server can tell the
// phases apart. --port drives a server that is already running instead of starting one.
#include "tests/bench/benchsupport.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QProcess>
#include <QTcpSocket>
#include <QThread>
#include <QTimer>

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <memory>
#include <vector>

using namespace Qt::StringLiterals;
using heartline::bench::percentileOf;
using heartline::bench::serverCpuSeconds;
using heartline::bench::startHeartline;
using heartline::bench::waitFor;

namespace {

const QByteArray kAccept = "Accept: application/json, text/event-stream\r\n";

QByteArray post(quint16 port, const QByteArray &session, const QByteArray &body,
                const QByteArray &extraHeaders = {})
{
    QByteArray request = "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(port)
                         + "\r\nContent-Type: application/json\r\n" + kAccept + extraHeaders;
    if (!session.isEmpty())
        request += "Mcp-Session-Id: " + session + "\r\n";
    request += "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
    return request;
}

// One client session holding its GET stream open and timing each heartbeat comment.
struct IdleStream
{
    std::unique_ptr<QTcpSocket> socket = std::make_unique<QTcpSocket>();
    QByteArray buffer;
    QByteArray session;
    int stage = 0; // 0 initialize, 1 initialized, 2 streaming
    qint64 lastBeatMs = -1;
    std::vector<qint64> gaps;
};

QByteArray headerValue(const QByteArray &head, const QByteArray &name)
{
    for (const QByteArray &line : head.split('\n')) {
        if (line.toLower().startsWith(QByteArray(name.toLower() + ':')))
            return line.mid(name.size() + 1).trimmed();
    }
    return {};
}

// Opens `count` sessions with a GET stream each; heartbeat gaps are recorded while
// `measuring` is true. False when they did not all open within a minute.
bool openIdleStreams(quint16 port, int count, std::vector<std::unique_ptr<IdleStream>> &streams,
                     const QElapsedTimer &clock, const bool &measuring)
{
    int streaming = 0;
    for (int i = 0; i < count; ++i) {
        auto stream = std::make_unique<IdleStream>();
        IdleStream *s = stream.get();
        QObject::connect(
            s->socket.get(), &QTcpSocket::readyRead, [s, port, &streaming, &clock, &measuring]() {
                s->buffer += s->socket->readAll();
                if (s->stage < 2) {
                    const qsizetype end = s->buffer.indexOf("\r\n\r\n");
                    if (end < 0)
                        return;
                    const QByteArray head = s->buffer.left(end);
                    const qsizetype length = headerValue(head, "Content-Length").toLongLong();
                    if (s->buffer.size() < end + 4 + length)
                        return;
                    s->buffer.remove(0, end + 4 + length);
                    if (s->stage == 0) {
                        s->session = headerValue(head, "Mcp-Session-Id");
                        s->socket->write(
                            post(port, s->session,
                                 R"({"jsonrpc":"2.0","method":"notifications/initialized"})"));
                        s->stage = 1;
                    } else {
                        s->socket->write("GET /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: "
                                         "text/event-stream\r\nMcp-Session-Id: "
                                         + s->session + "\r\n\r\n");
                        s->stage = 2;
                        ++streaming;
                    }
                    return;
                }
                qsizetype at;
                while ((at = s->buffer.indexOf(": heartbeat ")) >= 0) {
                    s->buffer.remove(0, at + 12);
                    const qint64 now = clock.elapsed();
                    if (measuring && s->lastBeatMs >= 0)
                        s->gaps.push_back(now - s->lastBeatMs);
                    s->lastBeatMs = now;
                }
                if (s->buffer.size() > 4096)
                    s->buffer = s->buffer.right(64);
            });
        s->socket->connectToHost(u"127.0.0.1"_s, port);
        s->socket->write(post(
            port, {},
            R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"bench","version":"1"}}})"));
        streams.push_back(std::move(stream));
        if (i % 100 == 99)
            QCoreApplication::processEvents();
    }
    if (!waitFor([&]() { return streaming == count; }, 60000)) {
        std::fprintf(stderr, "only %d of %d streams opened\n", streaming, count);
        return false;
    }
    return true;
}

std::vector<qint64> sortedGaps(const std::vector<std::unique_ptr<IdleStream>> &streams)
{
    std::vector<qint64> gaps;
    for (const auto &stream : streams)
        gaps.insert(gaps.end(), stream->gaps.begin(), stream->gaps.end());
    std::sort(gaps.begin(), gaps.end());
    return gaps;
}

int runIdleStreams(quint16 port, qint64 pid, int count, int heartbeatMs, int windowIntervals)
{
    QElapsedTimer clock;
    clock.start();
    bool measuring = false;
    std::vector<std::unique_ptr<IdleStream>> streams;
    if (!openIdleStreams(port, count, streams, clock, measuring))
        return 1;
    std::printf("idle streams: %d GET streams open in %.2f s\n", count, clock.elapsed() / 1000.0);

    // Let every stream beat once, then measure a window of whole intervals.
    waitFor([]() { return false; }, 2 * heartbeatMs);
    measuring = true;
    const double cpuBefore = serverCpuSeconds(pid);
    QElapsedTimer window;
    window.start();
    waitFor([]() { return false; }, windowIntervals * heartbeatMs);
    const double seconds = window.elapsed() / 1000.0;
    const double cpu = serverCpuSeconds(pid) - cpuBefore;
    measuring = false;

    const std::vector<qint64> gaps = sortedGaps(streams);
    auto percentile = [&gaps](double p) { return percentileOf(gaps, p); };
    std::printf("  heartbeat interval %d ms, window %.1f s, %zu heartbeats received\n", heartbeatMs,
                seconds, gaps.size());
    std::printf("  gap between heartbeats: p50 %lld ms, p99 %lld ms, max %lld ms\n",
                (long long)percentile(0.5), (long long)percentile(0.99),
                (long long)(gaps.empty() ? 0 : gaps.back()));
    std::printf("  server CPU: %.3f s over %.1f s = %.2f%% of one core; %.1f us per heartbeat\n",
                cpu, seconds, 100.0 * cpu / seconds, gaps.empty() ? 0.0 : 1e6 * cpu / gaps.size());
    return 0;
}

// One 2025-11-25 session for the throughput run to call in.
QByteArray sessionFor(quint16 port)
{
    QTcpSocket setup;
    setup.connectToHost(u"127.0.0.1"_s, port);
    setup.write(post(
        port, {},
        R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"bench","version":"1"}}})"));
    QByteArray reply;
    waitFor(
        [&]() {
            reply += setup.readAll();
            return reply.contains("\r\n\r\n{") && reply.endsWith('}');
        },
        5000);
    return headerValue(reply.left(reply.indexOf("\r\n\r\n")), "Mcp-Session-Id");
}

// Stateless (2026-07-28): no session; every call carries its revision in _meta and headers,
// and the server builds and drops a short-lived session for each.
enum class Revisioning { Session, Stateless };

int runThroughput(quint16 port, qint64 pid, int connections, int seconds, Revisioning revisioning)
{
    // Every connection sends echo calls back to back on keep-alive.
    const bool stateless = revisioning == Revisioning::Stateless;
    const QByteArray session = stateless ? QByteArray() : sessionFor(port);
    const QByteArray modernHeaders = stateless ? QByteArray("MCP-Protocol-Version: 2026-07-28\r\n"
                                                            "Mcp-Method: tools/call\r\n"
                                                            "Mcp-Name: echo\r\n")
                                               : QByteArray();
    const QByteArray modernMeta =
        stateless
            ? QByteArray(R"(,"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28",)"
                         R"("io.modelcontextprotocol/clientCapabilities":{}})")
            : QByteArray();

    struct Client
    {
        std::unique_ptr<QTcpSocket> socket = std::make_unique<QTcpSocket>();
        QByteArray buffer;
        qint64 sentAt = 0;
        int id = 0;
    };
    std::vector<std::unique_ptr<Client>> clients;
    std::vector<qint64> latenciesUs;
    QElapsedTimer clock;
    clock.start();
    bool running = true;
    int nextId = 1;
    auto send = [&](Client *c) {
        c->id = nextId++;
        c->sentAt = clock.nsecsElapsed() / 1000;
        c->socket->write(post(port, session,
                              R"({"jsonrpc":"2.0","id":)" + QByteArray::number(c->id)
                                  + R"(,"method":"tools/call","params":{"name":"echo",)"
                                    R"("arguments":{"message":"ping"})"
                                  + modernMeta + "}}",
                              modernHeaders));
    };
    const double cpuBefore = serverCpuSeconds(pid);
    for (int i = 0; i < connections; ++i) {
        auto client = std::make_unique<Client>();
        Client *c = client.get();
        QObject::connect(c->socket.get(), &QTcpSocket::readyRead, [&, c]() {
            c->buffer += c->socket->readAll();
            const qsizetype end = c->buffer.indexOf("\r\n\r\n");
            if (end < 0)
                return;
            const qsizetype length =
                headerValue(c->buffer.left(end), "Content-Length").toLongLong();
            if (c->buffer.size() < end + 4 + length)
                return;
            c->buffer.remove(0, end + 4 + length);
            latenciesUs.push_back(clock.nsecsElapsed() / 1000 - c->sentAt);
            if (running)
                send(c);
        });
        c->socket->connectToHost(u"127.0.0.1"_s, port);
        send(c);
        clients.push_back(std::move(client));
    }
    waitFor([]() { return false; }, seconds * 1000);
    running = false;
    const double elapsed = clock.elapsed() / 1000.0;
    const double cpu = serverCpuSeconds(pid) - cpuBefore;
    std::sort(latenciesUs.begin(), latenciesUs.end());
    auto percentile = [&](double p) {
        return latenciesUs.empty()
                   ? 0
                   : latenciesUs[std::min(latenciesUs.size() - 1, size_t(p * latenciesUs.size()))];
    };
    std::printf("echo throughput (%s): %d connections, %.1f s: %zu calls, %.0f calls/s\n",
                stateless ? "2026-07-28 stateless" : "2025-11-25 session", connections, elapsed,
                latenciesUs.size(), latenciesUs.size() / elapsed);
    std::printf("  latency: p50 %lld us, p99 %lld us; server CPU %.0f%% of one core\n",
                (long long)percentile(0.5), (long long)percentile(0.99), 100.0 * cpu / elapsed);
    return 0;
}

// Prints a phase marker and flushes it: the watching process reads stdout through a pipe.
void phase(const char *format, ...) __attribute__((format(printf, 1, 2)));
void phase(const char *format, ...)
{
    std::printf("load-phase: ");
    va_list args;
    va_start(args, format);
    std::vprintf(format, args);
    va_end(args);
    std::printf("\n");
    std::fflush(stdout);
}

// Holds `count` idle GET streams and, over `connections` more connections, sends echo calls at
// `rate` per second for `seconds`: each connection has at most one call in flight, and a call
// that finds every connection busy waits for the next free one (counted as backlog), so the
// rate achieved is what the server actually answered. The calls go to the sessions of the
// first streams, so their traffic shows on those streams' lanes and rows in the window.
int runLoad(quint16 port, int count, int rate, int connections, int seconds)
{
    QElapsedTimer clock;
    clock.start();
    bool measuring = false;
    std::vector<std::unique_ptr<IdleStream>> streams;
    phase("opening %d streams", count);
    if (count < 1 || !openIdleStreams(port, count, streams, clock, measuring))
        return 1;
    phase("streams-open %d in %.2f s", count, clock.elapsed() / 1000.0);
    // Let the window take in the 2,000 new rows and lanes before the steady part starts.
    waitFor([]() { return false; }, 3000);

    struct Client
    {
        std::unique_ptr<QTcpSocket> socket = std::make_unique<QTcpSocket>();
        QByteArray buffer;
        QByteArray session;
        qint64 sentAtUs = 0;
        bool busy = false;
    };
    std::vector<std::unique_ptr<Client>> clients;
    std::vector<qint64> latenciesUs;
    qint64 sent = 0;
    qint64 maxBacklog = 0;
    int nextId = 1;
    bool running = true;
    QElapsedTimer calls;
    auto send = [&](Client *c) {
        c->busy = true;
        c->sentAtUs = clock.nsecsElapsed() / 1000;
        ++sent;
        c->socket->write(post(port, c->session,
                              R"({"jsonrpc":"2.0","id":)" + QByteArray::number(nextId++)
                                  + R"(,"method":"tools/call","params":{"name":"echo",)"
                                    R"("arguments":{"message":"ping"}}})"));
    };
    // Sends what the schedule says is due by now, as far as free connections allow.
    auto catchUp = [&]() {
        if (!running)
            return;
        const qint64 due = qint64(double(rate) * calls.nsecsElapsed() / 1e9);
        for (const auto &client : clients) {
            if (sent >= due)
                break;
            if (!client->busy)
                send(client.get());
        }
        maxBacklog = std::max(maxBacklog, due - sent);
    };
    for (int i = 0; i < connections; ++i) {
        auto client = std::make_unique<Client>();
        Client *c = client.get();
        c->session = streams[size_t(i) % streams.size()]->session;
        QObject::connect(c->socket.get(), &QTcpSocket::readyRead, [&, c]() {
            c->buffer += c->socket->readAll();
            const qsizetype end = c->buffer.indexOf("\r\n\r\n");
            if (end < 0)
                return;
            const qsizetype length =
                headerValue(c->buffer.left(end), "Content-Length").toLongLong();
            if (c->buffer.size() < end + 4 + length)
                return;
            c->buffer.remove(0, end + 4 + length);
            latenciesUs.push_back(clock.nsecsElapsed() / 1000 - c->sentAtUs);
            c->busy = false;
            catchUp();
        });
        c->socket->connectToHost(u"127.0.0.1"_s, port);
        clients.push_back(std::move(client));
    }
    if (!waitFor(
            [&]() {
                return std::all_of(clients.begin(), clients.end(), [](const auto &c) {
                    return c->socket->state() == QAbstractSocket::ConnectedState;
                });
            },
            10000)) {
        std::fprintf(stderr, "the call connections did not connect\n");
        return 1;
    }

    QTimer pacer;
    pacer.setTimerType(Qt::PreciseTimer);
    pacer.setInterval(std::max(1, 1000 / std::max(1, rate)));
    QObject::connect(&pacer, &QTimer::timeout, catchUp);
    phase("calls-start %d/s over %d connections for %d s; traffic session %s", rate, connections,
          seconds, clients.front()->session.constData());
    measuring = true;
    calls.start();
    pacer.start();
    waitFor([]() { return false; }, seconds * 1000);
    running = false;
    pacer.stop();
    const double elapsed = calls.nsecsElapsed() / 1e9;
    const size_t answered = latenciesUs.size();
    measuring = false;
    phase("calls-end");
    // Calls still in flight get their answer; they are not counted.
    waitFor(
        [&]() {
            return std::none_of(clients.begin(), clients.end(),
                                [](const auto &c) { return c->busy; });
        },
        2000);

    std::sort(latenciesUs.begin(), latenciesUs.end());
    const std::vector<qint64> gaps = sortedGaps(streams);
    std::printf("load: %d idle GET streams; echo calls at %d/s over %d connections, %.1f s: "
                "%lld sent, %zu answered = %.1f calls/s, largest backlog %lld\n",
                count, rate, connections, elapsed, (long long)sent, answered, answered / elapsed,
                (long long)maxBacklog);
    std::printf("  call latency: p50 %lld us, p99 %lld us, max %lld us\n",
                (long long)percentileOf(latenciesUs, 0.5),
                (long long)percentileOf(latenciesUs, 0.99),
                (long long)(latenciesUs.empty() ? 0 : latenciesUs.back()));
    std::printf("  heartbeat gaps seen by the streams meanwhile: %zu, p50 %lld ms, p99 %lld ms, "
                "max %lld ms\n",
                gaps.size(), (long long)percentileOf(gaps, 0.5),
                (long long)percentileOf(gaps, 0.99), (long long)(gaps.empty() ? 0 : gaps.back()));
    // One machine-readable line for the watching process.
    std::printf("load-result: streams=%d seconds=%.2f sent=%lld answered=%zu rate=%.1f "
                "latency_p50_us=%lld latency_p99_us=%lld heartbeat_gap_p99_ms=%lld "
                "heartbeat_gap_max_ms=%lld\n",
                count, elapsed, (long long)sent, answered, answered / elapsed,
                (long long)percentileOf(latenciesUs, 0.5),
                (long long)percentileOf(latenciesUs, 0.99), (long long)percentileOf(gaps, 0.99),
                (long long)(gaps.empty() ? 0 : gaps.back()));
    std::fflush(stdout);
    return 0;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addOptions(
        {{u"binary"_s, u"heartline binary"_s, u"PATH"_s, QStringLiteral(HEARTLINE_BINARY)},
         {u"streams"_s, u"idle GET streams"_s, u"N"_s, u"2000"_s},
         {u"heartbeat-ms"_s, u"heartbeat interval"_s, u"MS"_s, u"1000"_s},
         {u"window"_s, u"intervals measured"_s, u"N"_s, u"10"_s},
         {u"connections"_s, u"connections for the echo run"_s, u"N"_s, u"8"_s},
         {u"seconds"_s, u"length of the echo run"_s, u"S"_s, u"5"_s},
         {u"port"_s, u"drive the server already listening on this port (none is started)"_s,
          u"N"_s},
         {u"pid"_s, u"with --port: the server's process id, for its CPU time"_s, u"PID"_s},
         {u"mode"_s,
          u"all (idle streams, then echo throughput) or load (streams held while "
          u"echo calls go at --rate for --seconds)"_s,
          u"MODE"_s, u"all"_s},
         {u"rate"_s, u"load mode: echo calls per second"_s, u"N"_s, u"200"_s}});
    parser.process(app);

    const QString mode = parser.value(u"mode"_s);
    if (mode != "all"_L1 && mode != "load"_L1) {
        std::fprintf(stderr, "--mode is all or load\n");
        return 2;
    }
    if (parser.isSet(u"port"_s)) {
        const quint16 port = quint16(parser.value(u"port"_s).toUInt());
        const qint64 pid = parser.value(u"pid"_s).toLongLong();
        if (mode == "load"_L1)
            return runLoad(port, parser.value(u"streams"_s).toInt(),
                           parser.value(u"rate"_s).toInt(), parser.value(u"connections"_s).toInt(),
                           parser.value(u"seconds"_s).toInt());
        if (pid <= 0)
            std::printf("server on port %u; its CPU is not measured without --pid\n",
                        unsigned(port));
        int status = runIdleStreams(port, pid, parser.value(u"streams"_s).toInt(),
                                    parser.value(u"heartbeat-ms"_s).toInt(),
                                    parser.value(u"window"_s).toInt());
        if (status == 0)
            status = runThroughput(port, pid, parser.value(u"connections"_s).toInt(),
                                   parser.value(u"seconds"_s).toInt(), Revisioning::Session);
        return status;
    }

    QProcess server;
    server.setProgram(parser.value(u"binary"_s));
    server.setArguments({u"--headless"_s, u"--port"_s, u"0"_s, u"--heartbeat-ms"_s,
                         parser.value(u"heartbeat-ms"_s), u"--log-format"_s, u"json"_s});
    const quint16 port = startHeartline(server);
    if (port == 0) {
        std::fprintf(stderr, "heartline did not start: %s\n",
                     server.readAllStandardError().constData());
        return 1;
    }
    std::printf("heartline pid %lld on port %u, %d cores\n", (long long)server.processId(),
                unsigned(port), QThread::idealThreadCount());

    if (mode == "load"_L1) {
        const int status =
            runLoad(port, parser.value(u"streams"_s).toInt(), parser.value(u"rate"_s).toInt(),
                    parser.value(u"connections"_s).toInt(), parser.value(u"seconds"_s).toInt());
        server.terminate();
        server.waitForFinished(5000);
        return status;
    }
    int status =
        runIdleStreams(port, server.processId(), parser.value(u"streams"_s).toInt(),
                       parser.value(u"heartbeat-ms"_s).toInt(), parser.value(u"window"_s).toInt());
    if (status == 0)
        status = runThroughput(port, server.processId(), parser.value(u"connections"_s).toInt(),
                               parser.value(u"seconds"_s).toInt(), Revisioning::Session);
    if (status == 0)
        status = runThroughput(port, server.processId(), parser.value(u"connections"_s).toInt(),
                               parser.value(u"seconds"_s).toInt(), Revisioning::Stateless);
    server.terminate();
    server.waitForFinished(5000);
    return status;
}
