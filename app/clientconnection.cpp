#include "app/clientconnection.h"

#include "server/protocol/wire/jsonsplice.h"
#include "server/tools/upstream/clientconfigs.h"
#include "server/tools/upstream/stdiochannel.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>

using namespace Qt::StringLiterals;

namespace heartline::ClientConnection {

namespace {

struct KnownClient
{
    const char *id;
    const char *name;
    const char *relativePath;
    const char *serversKey;
};

const KnownClient kClients[] = {
    {"claude-code", "Claude Code", ".claude.json", "mcpServers"},
    {"cursor", "Cursor", ".cursor/mcp.json", "mcpServers"},
    {"vscode", "VS Code", ".config/Code/User/mcp.json", "servers"},
    {"claude-desktop", "Claude Desktop", ".config/Claude/claude_desktop_config.json", "mcpServers"},
};

bool readText(const QString &path, QByteArray *text, bool *existed, QString *error)
{
    *existed = QFileInfo::exists(path);
    if (!*existed) {
        *text = "{}\n";
        return true;
    }
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = u"%1: %2"_s.arg(path, file.errorString());
        return false;
    }
    *text = file.readAll();
    return true;
}

bool writeAtomically(const QString &path, const QByteArray &text, bool existed, QString *error)
{
    QSaveFile file(path);
    if (!QDir().mkpath(QFileInfo(path).path()) || !file.open(QIODevice::WriteOnly)) {
        *error = u"%1: %2"_s.arg(path, file.errorString());
        return false;
    }
    // A new file may hold the token: the user's alone. QSaveFile keeps an existing one's mode.
    if (!existed)
        file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    file.write(text);
    if (!file.commit()) {
        *error = u"%1: %2"_s.arg(path, file.errorString());
        return false;
    }
    return true;
}

// The file as it is now goes beside it before anything is written.
bool keepBackup(const QString &path, QString *error)
{
    const QString backup = backupPath(path);
    QFile::remove(backup);
    if (!QFile::copy(path, backup)) {
        *error = u"could not keep a backup at %1; nothing changed"_s.arg(backup);
        return false;
    }
    return true;
}

} // namespace

QList<Client> clients(const QString &home)
{
    QList<Client> all;
    for (const KnownClient &known : kClients)
        all.append({QString::fromLatin1(known.id), QString::fromLatin1(known.name),
                    QDir(home).filePath(QString::fromLatin1(known.relativePath)),
                    QString::fromLatin1(known.serversKey)});
    return all;
}

bool find(const QString &id, const QString &home, Client *client)
{
    for (const Client &candidate : clients(home)) {
        if (candidate.id == id) {
            *client = candidate;
            return true;
        }
    }
    return false;
}

QString reachableMcpUrl(const QString &listeningHost, int port)
{
    QString host = listeningHost;
    const QHostAddress address(host);
    if (host.isEmpty() || address == QHostAddress::AnyIPv4 || address == QHostAddress::AnyIPv6
        || address == QHostAddress::Any)
        host = u"127.0.0.1"_s;
    else if (address.protocol() == QAbstractSocket::IPv6Protocol)
        host = u'[' + host + u']';
    return u"http://%1:%2/mcp"_s.arg(host).arg(port);
}

QString backupPath(const QString &path)
{
    return path + u".heartline-backup"_s;
}

QJsonObject entryFor(const Client &client, const QString &url, const QString &token)
{
    if (client.id == "claude-desktop"_L1) {
        QJsonArray args{"-y"_L1, "mcp-remote"_L1, url};
        if (!token.isEmpty()) {
            args.append("--header"_L1);
            args.append(QString(u"Authorization: Bearer "_s + token));
        }
        return {{"command"_L1, "npx"_L1}, {"args"_L1, args}};
    }
    QJsonObject entry{{"url"_L1, url}};
    if (client.id != "cursor"_L1) // Cursor tells HTTP from stdio by the url alone
        entry.insert("type"_L1, "http"_L1);
    if (!token.isEmpty())
        entry.insert("headers"_L1,
                     QJsonObject{{"Authorization"_L1, QString(u"Bearer "_s + token)}});
    return entry;
}

bool plan(const Client &client, const QString &url, const QString &token, Plan *plan,
          QString *error)
{
    plan->path = client.path;
    if (!readText(client.path, &plan->before, &plan->existed, error))
        return false;
    plan->after = plan->before;
    plan->entry = entryFor(client, url, token);
    QString problem;
    if (!setJsonMember(&plan->after, {client.serversKey, u"heartline"_s},
                       QJsonDocument(plan->entry).toJson(), &problem)) {
        *error = u"%1: %2; nothing changed"_s.arg(client.path, problem);
        return false;
    }
    return true;
}

bool apply(const Plan &plan, QString *error)
{
    if (plan.after == plan.before)
        return true;
    if (plan.existed && !keepBackup(plan.path, error))
        return false;
    if (!writeAtomically(plan.path, plan.after, plan.existed, error)) {
        *error += u"; nothing changed"_s;
        return false;
    }
    return true;
}

QStringList ownCopies(const Client &client, const QString &home,
                      const QList<UpstreamServerConfig> &hosted)
{
    // Only the servers the client starts for every project (its top-level list, which
    // removeServers() edits), and only where the same program or URL runs in Heartline: a
    // server of the same name that runs something else is the client's own.
    QStringList copies;
    QFile file(client.path);
    if (!file.open(QIODevice::ReadOnly))
        return copies;
    const QJsonObject servers =
        QJsonDocument::fromJson(ClientConfigs::stripJsonExtensions(file.readAll()))
            .object()
            .value(client.serversKey)
            .toObject();
    QStringList running;
    for (const UpstreamServerConfig &own : hosted) {
        if (own.enabled && own.problem.isEmpty())
            running.append(own.url.isEmpty() ? StdioChannel::quotedCommandLine(
                               QStringList{own.command} + own.args)
                                             : own.url);
    }
    for (auto it = servers.begin(); it != servers.end(); ++it) {
        if (it.key() == "heartline"_L1 || !it.value().isObject())
            continue;
        const ImportedServer server =
            ClientConfigs::convertEntry(client.name, client.path, it.key(), it.value().toObject(),
                                        QFileInfo(client.path).path(), home);
        if (running.contains(server.commandLineOrUrl()))
            copies.append(server.name);
    }
    return copies;
}

bool removeServers(const Client &client, const QStringList &names, QString *error)
{
    QByteArray text;
    bool existed = false;
    if (!readText(client.path, &text, &existed, error))
        return false;
    if (!existed) {
        *error = u"%1 does not exist; nothing changed"_s.arg(client.path);
        return false;
    }
    const QByteArray before = text;
    for (const QString &name : names) {
        QString problem;
        if (!removeJsonMember(&text, {client.serversKey, name}, &problem)) {
            *error = u"%1: %2; nothing changed"_s.arg(client.path, problem);
            return false;
        }
    }
    if (text == before)
        return true;
    if (!keepBackup(client.path, error))
        return false;
    return writeAtomically(client.path, text, true, error);
}

} // namespace heartline::ClientConnection
