#include "server/core/controlserver.h"

#include "server/core/control.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLocalSocket>

#include <sys/stat.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace heartline {
namespace {

QJsonObject failure(const QString &message)
{
    return {{"ok"_L1, false}, {"error"_L1, message}};
}

QJsonObject success(const QJsonValue &result = QJsonValue::Undefined, const QString &message = {})
{
    QJsonObject reply{{"ok"_L1, true}};
    if (!result.isUndefined())
        reply.insert("result"_L1, result);
    if (!message.isEmpty())
        reply.insert("message"_L1, message);
    return reply;
}

// The reply to a switch: "tool 'echo' disabled", "server 'notes' enabled".
QJsonObject switched(const QString &what, const QString &name, bool enabled)
{
    return success(QJsonValue::Undefined, u"%1 '%2' %3"_s.arg(what, name,
                                                             enabled ? u"enabled"_s
                                                                     : u"disabled"_s));
}

QJsonObject upstreamJson(const UpstreamInfo &info)
{
    QJsonArray tools;
    for (const UpstreamToolInfo &tool : info.tools)
        tools.append(QJsonObject{{"name"_L1, tool.exposedName},
                                 {"upstreamName"_L1, tool.upstreamName},
                                 {"enabled"_L1, tool.enabled}});
    return {{"name"_L1, info.name},
            {"description"_L1, info.description},
            {"transport"_L1, info.transport},
            {"target"_L1, info.target},
            {"state"_L1, upstreamStateName(info.state)},
            {"stateLabel"_L1, info.stateLabel},
            {"lastError"_L1, info.lastError},
            {"enabled"_L1, info.enabled},
            {"toolCount"_L1, info.toolCount()},
            {"tools"_L1, tools},
            {"restartCount"_L1, info.restartCount},
            {"failuresInRow"_L1, info.failuresInRow},
            {"pid"_L1, info.pid}};
}

// Every command is a verb and at most one name. Nothing here takes a command line, a URL,
// headers or an environment: those are written only by the person, in the config file (or by
// `heartline ctl servers add`, which edits the file itself), never by a socket's peer.
bool hasOnlyKnownKeys(const QJsonObject &command)
{
    for (auto it = command.begin(); it != command.end(); ++it) {
        if (it.key() != "command"_L1 && it.key() != "name"_L1)
            return false;
    }
    return true;
}

} // namespace

ControlServer::ControlServer(Control *control, QObject *parent)
    : QObject(parent)
    , m_control(control)
{
    m_server.setSocketOptions(QLocalServer::UserAccessOption);
    connect(&m_server, &QLocalServer::newConnection, this, &ControlServer::handleConnection);
}

QString ControlServer::socketPath(quint16 port, QString *error)
{
    // XDG_RUNTIME_DIR is the user's private runtime directory. Without it (cron, CI, ssh
    // without a login session) we use our own in the temp directory, and only if it really is
    // ours and private: a directory another user made first could hold a fake socket.
    QString directory = qEnvironmentVariable("XDG_RUNTIME_DIR");
    if (directory.isEmpty() || !QFileInfo(directory).isDir()) {
        directory = QDir::tempPath() + u"/heartline-"_s + QString::number(::getuid());
        const QByteArray path = QFile::encodeName(directory);
        ::mkdir(path.constData(), 0700);
        struct stat info = {};
        if (::lstat(path.constData(), &info) != 0 || !S_ISDIR(info.st_mode)
            || info.st_uid != ::getuid() || (info.st_mode & 077) != 0) {
            if (error)
                *error = u"%1 is not a private directory of this user; set XDG_RUNTIME_DIR or "
                         "remove it"_s.arg(directory);
            return {};
        }
    }
    return directory + u"/heartline-"_s + QString::number(port) + u".sock"_s;
}

bool ControlServer::listen(quint16 port, QString *error)
{
    const QString path = socketPath(port, error);
    if (path.isEmpty()) {
        *error = u"cannot open the control socket: "_s + *error;
        return false;
    }
    // We own this port, so a socket file with its name is a leftover of a crashed instance.
    QLocalServer::removeServer(path);
    if (!m_server.listen(path)) {
        *error = u"cannot open the control socket %1: %2"_s.arg(path, m_server.errorString());
        return false;
    }
    return true;
}

void ControlServer::handleConnection()
{
    while (QLocalSocket *socket = m_server.nextPendingConnection()) {
        connect(socket, &QLocalSocket::readyRead, this,
                [this, socket]() { handleReadyRead(socket); });
        connect(socket, &QLocalSocket::disconnected, socket, &QObject::deleteLater);
    }
}

void ControlServer::handleReadyRead(QLocalSocket *socket)
{
    while (socket->canReadLine()) {
        const QByteArray line = socket->readLine(kMaxLineBytes).trimmed();
        if (line.isEmpty())
            continue;
        QJsonParseError parseError;
        const QJsonDocument document = QJsonDocument::fromJson(line, &parseError);
        const QJsonObject reply =
            document.isObject() ? execute(document.object())
                                : failure(u"not a JSON object: "_s + parseError.errorString());
        socket->write(QJsonDocument(reply).toJson(QJsonDocument::Compact) + '\n');
    }
    if (socket->bytesAvailable() > kMaxLineBytes) {
        socket->write(QJsonDocument(failure(u"command too long"_s)).toJson(QJsonDocument::Compact)
                      + '\n');
        socket->disconnectFromServer();
    }
}

QJsonObject ControlServer::execute(const QJsonObject &command)
{
    const QString name = command.value("command"_L1).toString();
    const QString argument = command.value("name"_L1).toString();
    QString error;

    if (!hasOnlyKnownKeys(command))
        return failure(u"refused: a control command has only 'command' and 'name'; commands, "
                       "URLs and environments are set in the config file alone"_s);

    if (name == "tools.list"_L1) {
        QJsonArray tools;
        for (const ToolInfo &entry : m_control->tools())
            tools.append(QJsonObject{{"name"_L1, entry.name},
                                     {"enabled"_L1, entry.enabled},
                                     {"source"_L1, entry.source},
                                     {"description"_L1, entry.description}});
        return success(tools);
    }
    // tools.enable, tools.disable, servers.enable, servers.disable: switches, answered alike.
    const QString noun = name.section(u'.', 0, 0), verb = name.section(u'.', 1);
    if ((noun == "tools"_L1 || noun == "servers"_L1)
        && (verb == "enable"_L1 || verb == "disable"_L1)) {
        const bool enable = verb == "enable"_L1;
        const bool tool = noun == "tools"_L1;
        if (!(tool ? m_control->setToolEnabled(argument, enable, &error)
                   : m_control->setUpstreamEnabled(argument, enable, &error)))
            return failure(error);
        return switched(tool ? u"tool"_s : u"server"_s, argument, enable);
    }
    if (name == "sessions.list"_L1) {
        QJsonArray sessions;
        for (const SessionInfo &session : m_control->sessions())
            sessions.append(QJsonObject{{"id"_L1, session.id},
                                        {"client"_L1, session.clientName},
                                        {"clientVersion"_L1, session.clientVersion},
                                        {"transport"_L1, transportKindName(session.transport)},
                                        {"revision"_L1, session.revision},
                                        {"peer"_L1, session.peer},
                                        {"initialized"_L1, session.initialized},
                                        {"pingRttMs"_L1, session.pingRttMs},
                                        {"openedMs"_L1, session.openedWallMs}});
        return success(sessions);
    }
    if (name == "sessions.close"_L1) {
        if (!m_control->closeSession(argument, &error))
            return failure(error);
        return success(QJsonValue::Undefined, u"session %1 closed"_s.arg(argument));
    }
    if (name == "servers.list"_L1) {
        QJsonArray servers;
        for (const UpstreamInfo &info : m_control->upstreams())
            servers.append(upstreamJson(info));
        return success(servers);
    }
    if (name == "servers.start"_L1 || name == "servers.stop"_L1 || name == "servers.restart"_L1) {
        const bool done = verb == "start"_L1  ? m_control->startUpstream(argument, &error)
                          : verb == "stop"_L1 ? m_control->stopUpstream(argument, &error)
                                              : m_control->restartUpstream(argument, &error);
        if (!done)
            return failure(error);
        return success(QJsonValue::Undefined,
                       u"server '%1' %2"_s.arg(argument, verb == "stop"_L1 ? u"stopped"_s
                                                                             : verb + u"ed"_s));
    }
    if (name == "servers.logs"_L1) {
        const QStringList lines = m_control->upstreamLog(argument, &error);
        if (!error.isEmpty())
            return failure(error);
        return success(QJsonArray::fromStringList(lines));
    }
    if (name == "servers.add"_L1)
        return failure(u"refused: servers are added to the config file, by 'heartline ctl "
                       "servers add' or an editor, never over the control socket"_s);
    if (name == "status"_L1)
        return success(m_control->status());
    if (name == "window.raise"_L1) {
        Q_EMIT raiseRequested();
        return success();
    }
    return failure(u"unknown command '%1'"_s.arg(name));
}

} // namespace heartline
