// A test fixture, not part of Heartline: a tiny MCP server on stdio (newline-delimited JSON-RPC)
// whose misbehaviour is chosen on the command line, for the channel, client and supervisor
// tests. Qt Core only; one file on purpose.
//
// Behaves: initialize (answers with the request's protocolVersion), ping, tools/list (echo,
// slow, crash, sample, roots, change_tools, pid, meta, and extra while change_tools has added
// it), tools/call echo {text} at once (pid: its process id; meta: the request's _meta as compact
// JSON); slow {ms, text} answers text (else "slept") after ms, with
// notifications/progress every tenth of it when _meta.progressToken is given, stopped by
// notifications/cancelled (which writes "cancelled upstream id ID" on stderr, ID as JSON, so tests
// can tell which call was cancelled); crash writes "about to crash" to stderr without a newline and
// exits with status 3; sample sends sampling/createMessage and answers with the text of its result;
// roots sends roots/list and answers with its result (or error) as compact JSON;
// change_tools adds the tool extra (or takes it away again) and sends
// notifications/tools/list_changed before answering. Exits with status 0 when stdin ends.
//
// Misbehaves:
//   --garbage-stdout        a non-JSON line before every message it writes
//   --flood N               N notifications/message at start
//   --huge-line MB          one line of MB mebibytes ('x'...) before anything else
//   --batch-replies         every response in a JSON array with a notifications/message first
//   --never-initialize      initialize gets no answer
//   --exit-during-initialize  exits with status 2 on initialize, without an answer
//   --ignore-sigterm        SIGTERM ignored (by the grandchild too)
//   --ignore-stdin-eof      keeps running when stdin ends
//   --fork-grandchild       forks a child that sleeps in the same process group; writes
//                           "grandchild pid N" on stderr
//   --slow-start MS         reads nothing for MS ms
//   --crash-after MS        exits with status 4 after MS ms
//   --stderr-lines N        N lines "stderr line I" on stderr at start
//   --unknown-id-response   a response to a request id never sent, at start

#include <QCoreApplication>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSocketNotifier>
#include <QStringList>
#include <QTimer>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace {

struct Flags
{
    bool garbageStdout = false;
    int flood = 0;
    int hugeLineMb = 0;
    bool batchReplies = false;
    bool neverInitialize = false;
    bool exitDuringInitialize = false;
    bool ignoreSigterm = false;
    bool ignoreStdinEof = false;
    bool forkGrandchild = false;
    int slowStartMs = 0;
    int crashAfterMs = 0;
    int stderrLines = 0;
    bool unknownIdResponse = false;
};

void writeAll(int fd, const char *data, size_t size)
{
    while (size > 0) {
        const ssize_t written = ::write(fd, data, size);
        if (written <= 0)
            std::_Exit(0); // the reader is gone
        data += written;
        size -= size_t(written);
    }
}

void writeAll(int fd, const QByteArray &bytes)
{
    writeAll(fd, bytes.constData(), size_t(bytes.size()));
}

class Upstream : public QObject
{
public:
    explicit Upstream(const Flags &flags)
        : m_flags(flags)
    {}

    void start()
    {
        for (int i = 0; i < m_flags.stderrLines; ++i)
            writeAll(2, "stderr line " + QByteArray::number(i) + '\n');
        if (m_flags.hugeLineMb > 0) {
            const QByteArray chunk(1024 * 1024, 'x');
            for (int i = 0; i < m_flags.hugeLineMb; ++i)
                writeAll(1, chunk);
            writeAll(1, "\n", 1);
        }
        for (int i = 0; i < m_flags.flood; ++i)
            sendLog(u"flood %1"_s.arg(i));
        if (m_flags.unknownIdResponse)
            respond(u"no-such-request"_s, textResult(u"an answer nobody asked for"_s));
        if (m_flags.crashAfterMs > 0)
            QTimer::singleShot(m_flags.crashAfterMs, [] { std::_Exit(4); });
        QTimer::singleShot(m_flags.slowStartMs, this, [this] {
            m_notifier = new QSocketNotifier(0, QSocketNotifier::Read, this);
            connect(m_notifier, &QSocketNotifier::activated, this, [this] { readStdin(); });
        });
    }

private:
    void readStdin()
    {
        char buffer[65536];
        const ssize_t got = ::read(0, buffer, sizeof buffer);
        if (got <= 0) {
            m_notifier->setEnabled(false);
            if (!m_flags.ignoreStdinEof)
                QCoreApplication::exit(0);
            return;
        }
        m_input.append(buffer, got);
        qsizetype newline;
        while ((newline = m_input.indexOf('\n')) >= 0) {
            const QByteArray line = m_input.left(newline);
            m_input.remove(0, newline + 1);
            const QJsonDocument document = QJsonDocument::fromJson(line);
            if (document.isObject()) {
                handle(document.object());
            } else if (document.isArray()) {
                const QJsonArray batch = document.array();
                for (const QJsonValue &message : batch)
                    handle(message.toObject());
            }
        }
    }

    void write(const QJsonObject &message)
    {
        if (m_flags.garbageStdout)
            writeAll(1, QByteArray("this line is not JSON\n"));
        writeAll(1, QJsonDocument(message).toJson(QJsonDocument::Compact) + '\n');
    }

    void respond(const QJsonValue &id, const QJsonObject &result)
    {
        const QJsonObject response{{u"jsonrpc"_s, u"2.0"_s}, {u"id"_s, id}, {u"result"_s, result}};
        if (!m_flags.batchReplies) {
            write(response);
            return;
        }
        const QJsonArray batch{logMessage(u"batched"_s), response};
        writeAll(1, QJsonDocument(batch).toJson(QJsonDocument::Compact) + '\n');
    }

    void respondError(const QJsonValue &id, int code, const QString &message)
    {
        write({{u"jsonrpc"_s, u"2.0"_s},
               {u"id"_s, id},
               {u"error"_s, QJsonObject{{u"code"_s, code}, {u"message"_s, message}}}});
    }

    static QJsonObject logMessage(const QString &text)
    {
        return {{u"jsonrpc"_s, u"2.0"_s},
                {u"method"_s, u"notifications/message"_s},
                {u"params"_s, QJsonObject{{u"level"_s, u"info"_s}, {u"data"_s, text}}}};
    }

    void sendLog(const QString &text) { write(logMessage(text)); }

    static QJsonObject textResult(const QString &text)
    {
        return {{u"content"_s, QJsonArray{QJsonObject{{u"type"_s, u"text"_s}, {u"text"_s, text}}}}};
    }

    static QJsonObject tool(const QString &name, const QString &description,
                            const QJsonObject &properties)
    {
        return {{u"name"_s, name},
                {u"description"_s, description},
                {u"inputSchema"_s,
                 QJsonObject{{u"type"_s, u"object"_s}, {u"properties"_s, properties}}}};
    }

    void handle(const QJsonObject &message)
    {
        const QString method = message.value(u"method"_s).toString();
        const QJsonValue id = message.value(u"id"_s);
        const QJsonObject params = message.value(u"params"_s).toObject();
        if (method.isEmpty()) {
            handleResponse(message);
            return;
        }
        if (method == "initialize"_L1) {
            if (m_flags.exitDuringInitialize)
                std::_Exit(2);
            if (m_flags.neverInitialize)
                return;
            respond(id, {{u"protocolVersion"_s, params.value(u"protocolVersion"_s)},
                         {u"capabilities"_s,
                          QJsonObject{{u"tools"_s, QJsonObject{{u"listChanged"_s, true}}},
                                      {u"logging"_s, QJsonObject{}}}},
                         {u"serverInfo"_s, QJsonObject{{u"name"_s, u"misbehaving-upstream"_s},
                                                       {u"version"_s, u"1.0.0"_s}}}});
        } else if (method == "ping"_L1) {
            respond(id, {});
        } else if (method == "tools/list"_L1) {
            const QJsonObject text{{u"text"_s, QJsonObject{{u"type"_s, u"string"_s}}}};
            const QJsonObject ms{{u"ms"_s, QJsonObject{{u"type"_s, u"number"_s}}},
                                 {u"text"_s, QJsonObject{{u"type"_s, u"string"_s}}}};
            QJsonArray tools{tool(u"echo"_s, u"Answers with the text."_s, text),
                             tool(u"slow"_s, u"Answers after ms."_s, ms),
                             tool(u"crash"_s, u"Exits with status 3."_s, {}),
                             tool(u"sample"_s, u"Asks the client to sample."_s, text),
                             tool(u"roots"_s, u"Asks the client for its roots."_s, {}),
                             tool(u"change_tools"_s, u"Adds or removes extra."_s, {}),
                             tool(u"pid"_s, u"Answers with its process id."_s, {}),
                             tool(u"meta"_s, u"Answers with the _meta it got."_s, {})};
            if (m_extraTool)
                tools.append(tool(u"extra"_s, u"There while change_tools added it."_s, {}));
            respond(id, {{u"tools"_s, tools}});
        } else if (method == "tools/call"_L1) {
            handleCall(id, params);
        } else if (method == "notifications/cancelled"_L1) {
            const QJsonValue requestId = params.value(u"requestId"_s);
            const QString key = QString::fromUtf8(QJsonDocument(QJsonArray{requestId}).toJson());
            writeAll(2, "cancelled upstream id "
                            + QJsonDocument(QJsonArray{requestId}).toJson(QJsonDocument::Compact)
                            + '\n');
            delete m_slowCalls.take(key);
        } else if (!id.isUndefined()) {
            respondError(id, -32601, u"method not found: "_s + method);
        }
    }

    void handleCall(const QJsonValue &id, const QJsonObject &params)
    {
        const QString name = params.value(u"name"_s).toString();
        const QJsonObject arguments = params.value(u"arguments"_s).toObject();
        if (name == "echo"_L1) {
            respond(id, textResult(arguments.value(u"text"_s).toString()));
        } else if (name == "pid"_L1) {
            respond(id, textResult(QString::number(::getpid())));
        } else if (name == "meta"_L1) {
            const QJsonObject meta = params.value(u"_meta"_s).toObject();
            respond(id, textResult(QString::fromUtf8(
                            QJsonDocument(meta).toJson(QJsonDocument::Compact))));
        } else if (name == "crash"_L1) {
            writeAll(2, QByteArray("about to crash"));
            std::_Exit(3);
        } else if (name == "slow"_L1) {
            startSlowCall(id, arguments.value(u"ms"_s).toInt(1000),
                          params.value(u"_meta"_s).toObject().value(u"progressToken"_s),
                          arguments.value(u"text"_s).toString(u"slept"_s));
        } else if (name == "change_tools"_L1) {
            m_extraTool = !m_extraTool;
            write({{u"jsonrpc"_s, u"2.0"_s}, {u"method"_s, u"notifications/tools/list_changed"_s}});
            respond(id, textResult(m_extraTool ? u"extra added"_s : u"extra removed"_s));
        } else if (name == "extra"_L1) {
            respond(id, textResult(u"extra answered"_s));
        } else if (name == "sample"_L1) {
            const QString requestId = u"sample-%1"_s.arg(++m_sampleCount);
            m_samples.insert(requestId, id);
            write({{u"jsonrpc"_s, u"2.0"_s},
                   {u"id"_s, requestId},
                   {u"method"_s, u"sampling/createMessage"_s},
                   {u"params"_s,
                    QJsonObject{{u"messages"_s,
                                 QJsonArray{QJsonObject{
                                     {u"role"_s, u"user"_s},
                                     {u"content"_s,
                                      QJsonObject{{u"type"_s, u"text"_s},
                                                  {u"text"_s, arguments.value(u"text"_s)}}}}}},
                                {u"maxTokens"_s, 100}}}});
        } else if (name == "roots"_L1) {
            const QString requestId = u"roots-%1"_s.arg(++m_sampleCount);
            m_rootsAsked.insert(requestId, id);
            write({{u"jsonrpc"_s, u"2.0"_s}, {u"id"_s, requestId}, {u"method"_s, u"roots/list"_s}});
        } else {
            respondError(id, -32602, u"unknown tool: "_s + name);
        }
    }

    void startSlowCall(const QJsonValue &id, int ms, const QJsonValue &progressToken,
                       const QString &answer)
    {
        const QString key = QString::fromUtf8(QJsonDocument(QJsonArray{id}).toJson());
        auto *timer = new QTimer(this);
        m_slowCalls.insert(key, timer);
        const int steps = progressToken.isUndefined() ? 1 : 10;
        timer->setInterval(std::max(ms / steps, 1));
        connect(timer, &QTimer::timeout, this,
                [this, key, id, steps, progressToken, timer, answer] {
                    const int done = timer->property("done").toInt() + 1;
                    timer->setProperty("done", done);
                    if (done < steps) {
                        write({{u"jsonrpc"_s, u"2.0"_s},
                               {u"method"_s, u"notifications/progress"_s},
                               {u"params"_s, QJsonObject{{u"progressToken"_s, progressToken},
                                                         {u"progress"_s, done},
                                                         {u"total"_s, steps}}}});
                        return;
                    }
                    delete m_slowCalls.take(key);
                    respond(id, textResult(answer));
                });
        timer->start();
    }

    void handleResponse(const QJsonObject &message)
    {
        const QString requestId = message.value(u"id"_s).toString();
        if (m_rootsAsked.contains(requestId)) {
            const QJsonValue answer = message.contains(u"error"_s) ? message.value(u"error"_s)
                                                                   : message.value(u"result"_s);
            respond(m_rootsAsked.take(requestId),
                    textResult(QString::fromUtf8(
                        QJsonDocument(answer.toObject()).toJson(QJsonDocument::Compact))));
            return;
        }
        if (!m_samples.contains(requestId))
            return;
        const QJsonValue callId = m_samples.take(requestId);
        const QJsonObject result = message.value(u"result"_s).toObject();
        const QString text = result.value(u"content"_s).toObject().value(u"text"_s).toString();
        respond(callId, textResult(text));
    }

    Flags m_flags;
    QSocketNotifier *m_notifier = nullptr;
    QByteArray m_input;
    QHash<QString, QTimer *> m_slowCalls;
    QHash<QString, QJsonValue> m_samples;
    QHash<QString, QJsonValue> m_rootsAsked;
    int m_sampleCount = 0;
    bool m_extraTool = false;
};

Flags parseFlags(const QStringList &args)
{
    Flags flags;
    for (qsizetype i = 1; i < args.size(); ++i) {
        const QString &arg = args.at(i);
        const auto number = [&] { return i + 1 < args.size() ? args.at(++i).toInt() : 0; };
        if (arg == "--garbage-stdout"_L1)
            flags.garbageStdout = true;
        else if (arg == "--flood"_L1)
            flags.flood = number();
        else if (arg == "--huge-line"_L1)
            flags.hugeLineMb = number();
        else if (arg == "--batch-replies"_L1)
            flags.batchReplies = true;
        else if (arg == "--never-initialize"_L1)
            flags.neverInitialize = true;
        else if (arg == "--exit-during-initialize"_L1)
            flags.exitDuringInitialize = true;
        else if (arg == "--ignore-sigterm"_L1)
            flags.ignoreSigterm = true;
        else if (arg == "--ignore-stdin-eof"_L1)
            flags.ignoreStdinEof = true;
        else if (arg == "--fork-grandchild"_L1)
            flags.forkGrandchild = true;
        else if (arg == "--slow-start"_L1)
            flags.slowStartMs = number();
        else if (arg == "--crash-after"_L1)
            flags.crashAfterMs = number();
        else if (arg == "--stderr-lines"_L1)
            flags.stderrLines = number();
        else if (arg == "--unknown-id-response"_L1)
            flags.unknownIdResponse = true;
        else {
            std::fprintf(stderr, "misbehaving_upstream: unknown flag %s\n", qPrintable(arg));
            std::exit(64);
        }
    }
    return flags;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const Flags flags = parseFlags(QCoreApplication::arguments());
    if (flags.ignoreSigterm)
        std::signal(SIGTERM, SIG_IGN);
    if (flags.forkGrandchild) {
        const pid_t pid = ::fork();
        if (pid == 0) {
            // Like the server a wrapper leaves behind: same group, our pipes still open.
            for (;;)
                ::pause();
        }
        writeAll(2, "grandchild pid " + QByteArray::number(pid) + '\n');
    }
    // A reader that went away must end us through EOF, not kill us with SIGPIPE mid-write.
    std::signal(SIGPIPE, SIG_IGN);
    Upstream upstream(flags);
    upstream.start();
    return app.exec();
}
