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

    if (name == "tools.list"_L1) {
        QJsonArray tools;
        for (const ToolInfo &entry : m_control->tools())
            tools.append(QJsonObject{{"name"_L1, entry.name},
                                     {"enabled"_L1, entry.enabled},
                                     {"source"_L1, entry.source},
                                     {"description"_L1, entry.description}});
        return success(tools);
    }
    if (name == "tools.enable"_L1 || name == "tools.disable"_L1) {
        const bool enable = name == "tools.enable"_L1;
        if (!m_control->setToolEnabled(argument, enable, &error))
            return failure(error);
        return success(QJsonValue::Undefined,
                       u"tool '%1' %2"_s.arg(argument, enable ? u"enabled"_s : u"disabled"_s));
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
    if (name == "status"_L1)
        return success(m_control->status());
    if (name == "window.raise"_L1) {
        Q_EMIT raiseRequested();
        return success();
    }
    return failure(u"unknown command '%1'"_s.arg(name));
}

} // namespace heartline
