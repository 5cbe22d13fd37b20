#include "app/ctlclient.h"

#include "app/addservercommand.h"
#include "server/core/controlserver.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocalSocket>
#include <QProcessEnvironment>

#include <algorithm>
#include <cstdio>

using namespace Qt::StringLiterals;

namespace heartline {
namespace {

constexpr int kTimeoutMs = 5000;
constexpr quint16 kDefaultPort = 8650;

int usage(const QString &problem)
{
    std::fprintf(stderr,
                 "heartline ctl: %s\n"
                 "usage: heartline ctl [--port N] tools list|enable NAME|disable NAME\n"
                 "       heartline ctl [--port N] sessions list|close ID\n"
                 "       heartline ctl [--port N] servers list|logs NAME\n"
                 "       heartline ctl [--port N] servers start|stop|restart|enable|disable NAME\n"
                 "       heartline ctl servers add NAME [--env KEY=VALUE]... [--cwd DIR]\n"
                 "                                 [--config FILE] -- COMMAND [ARGS...]\n"
                 "       heartline ctl [--port N] status\n",
                 qPrintable(problem));
    return 2;
}

// "3", or "3 (1 off)" when some of the server's tools are switched off.
QString toolsColumn(const QJsonObject &server)
{
    const QJsonArray tools = server.value("tools"_L1).toArray();
    const auto off = std::count_if(tools.begin(), tools.end(), [](const QJsonValue &tool) {
        return !tool.toObject().value("enabled"_L1).toBool();
    });
    const QString count = QString::number(tools.size());
    return off == 0 ? count : u"%1 (%2 off)"_s.arg(count).arg(off);
}

void printServers(const QJsonArray &servers)
{
    if (servers.isEmpty()) {
        std::printf("no upstream servers (add one: heartline ctl servers add NAME -- COMMAND)\n");
        return;
    }
    std::printf("%-20s %-12s %-10s %-8s %s\n", "NAME", "STATE", "TOOLS", "RESTARTS", "LAST ERROR");
    for (const QJsonValue &value : servers) {
        const QJsonObject server = value.toObject();
        const QString row = u"%1 %2 %3 %4 %5"_s.arg(server.value("name"_L1).toString(), -20)
                                .arg(server.value("state"_L1).toString(), -12)
                                .arg(toolsColumn(server), -10)
                                .arg(server.value("restartCount"_L1).toInt(), -8)
                                .arg(server.value("lastError"_L1).toString());
        std::printf("%s\n", qPrintable(row.trimmed()));
    }
}

void printResult(const QString &command, const QJsonObject &reply)
{
    const QJsonValue result = reply.value("result"_L1);
    if (command == "servers.list"_L1) {
        printServers(result.toArray());
    } else if (command == "servers.logs"_L1) {
        for (const QJsonValue &line : result.toArray())
            std::printf("%s\n", qPrintable(line.toString()));
    } else if (command == "tools.list"_L1) {
        for (const QJsonValue &tool : result.toArray()) {
            const QJsonObject t = tool.toObject();
            std::printf("%-24s %-8s %s\n", qPrintable(t.value("name"_L1).toString()),
                        t.value("enabled"_L1).toBool() ? "enabled" : "disabled",
                        qPrintable(t.value("source"_L1).toString()));
        }
    } else if (command == "sessions.list"_L1) {
        for (const QJsonValue &session : result.toArray()) {
            const QJsonObject s = session.toObject();
            std::printf("%s  %-16s %-24s %s %s\n", qPrintable(s.value("id"_L1).toString()),
                        qPrintable(s.value("transport"_L1).toString()),
                        qPrintable(QString(s.value("client"_L1).toString() + u' '
                                           + s.value("clientVersion"_L1).toString())
                                       .trimmed()),
                        qPrintable(s.value("revision"_L1).toString()),
                        qPrintable(s.value("peer"_L1).toString()));
        }
    } else if (result.isObject()) {
        std::printf("%s\n", QJsonDocument(result.toObject()).toJson().constData());
    } else {
        std::printf("%s\n", qPrintable(reply.value("message"_L1).toString(u"ok"_s)));
    }
}

} // namespace

int runCtl(const QStringList &arguments)
{
    // Edits the config file here, never through a running instance (see runAddServer); what
    // follows its `--` is the server's own command line, --port included.
    if (arguments.value(0) == "servers"_L1 && arguments.value(1) == "add"_L1)
        return runAddServer(arguments.mid(2), QProcessEnvironment::systemEnvironment());

    QStringList words = arguments;
    quint16 port = kDefaultPort;
    const qsizetype portAt = words.indexOf(u"--port"_s);
    if (portAt >= 0) {
        bool ok = false;
        const uint value = words.value(portAt + 1).toUInt(&ok);
        if (!ok || value == 0 || value > 65535)
            return usage(u"--port needs the port of a running Heartline (1-65535)"_s);
        port = quint16(value);
        words.remove(portAt, 2);
    }

    QJsonObject command;
    const QString noun = words.value(0), verb = words.value(1);
    if (noun == "tools"_L1 && verb == "list"_L1 && words.size() == 2)
        command = {{"command"_L1, "tools.list"_L1}};
    else if (noun == "tools"_L1 && (verb == "enable"_L1 || verb == "disable"_L1)
             && words.size() == 3)
        command = {{"command"_L1, QString(u"tools."_s + verb)}, {"name"_L1, words.value(2)}};
    else if (noun == "sessions"_L1 && verb == "list"_L1 && words.size() == 2)
        command = {{"command"_L1, "sessions.list"_L1}};
    else if (noun == "sessions"_L1 && verb == "close"_L1 && words.size() == 3)
        command = {{"command"_L1, "sessions.close"_L1}, {"name"_L1, words.value(2)}};
    else if (noun == "servers"_L1 && verb == "list"_L1 && words.size() == 2)
        command = {{"command"_L1, "servers.list"_L1}};
    else if (noun == "servers"_L1 && words.size() == 3
             && QStringList{u"start"_s, u"stop"_s, u"restart"_s, u"enable"_s, u"disable"_s,
                            u"logs"_s}
                    .contains(verb))
        command = {{"command"_L1, QString(u"servers."_s + verb)}, {"name"_L1, words.value(2)}};
    else if (noun == "status"_L1 && words.size() == 1)
        command = {{"command"_L1, "status"_L1}};
    else
        return usage(words.isEmpty() ? u"what should I do?"_s
                                     : u"unknown command '%1'"_s.arg(words.join(u' ')));

    QLocalSocket socket;
    QString unsafe;
    const QString path = ControlServer::socketPath(port, &unsafe);
    if (path.isEmpty()) {
        std::fprintf(stderr, "heartline ctl: %s\n", qPrintable(unsafe));
        return 1;
    }
    if (!QFileInfo::exists(path)) {
        std::fprintf(stderr,
                     "heartline ctl: no Heartline is running on port %u (no control socket "
                     "at %s)\n",
                     unsigned(port), qPrintable(path));
        return 1;
    }
    socket.connectToServer(path);
    if (!socket.waitForConnected(kTimeoutMs)) {
        std::fprintf(stderr, "heartline ctl: no Heartline is running on port %u (%s: %s)\n",
                     unsigned(port), qPrintable(path), qPrintable(socket.errorString()));
        return 1;
    }
    socket.write(QJsonDocument(command).toJson(QJsonDocument::Compact) + '\n');
    socket.flush();
    while (!socket.canReadLine()) {
        if (!socket.waitForReadyRead(kTimeoutMs)) {
            std::fprintf(stderr, "heartline ctl: no answer from Heartline on port %u\n",
                         unsigned(port));
            return 1;
        }
    }
    const QJsonObject reply = QJsonDocument::fromJson(socket.readLine()).object();
    if (!reply.value("ok"_L1).toBool()) {
        std::fprintf(stderr, "heartline ctl: %s\n",
                     qPrintable(reply.value("error"_L1).toString(u"the command failed"_s)));
        return 1;
    }
    printResult(command.value("command"_L1).toString(), reply);
    return 0;
}

} // namespace heartline
