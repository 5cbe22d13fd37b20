#pragma once

#include "server/tools/upstream/upstreamserverconfig.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

namespace heartline {

// Heartline's entry in one MCP client's config file, shared by `heartline connect` and the
// window's "Add Heartline to…": where each client keeps its servers, the entry it takes (a
// `url` with the token as a header, or `npx -y mcp-remote URL` for Claude Desktop, which runs
// only stdio servers), written so that no other byte of the file changes and the file as it
// was is kept beside it, and the client's own copies of servers Heartline hosts found and,
// when asked, taken out of its file.
namespace ClientConnection {

struct Client
{
    QString id;         // "claude-code", "cursor", "vscode", "claude-desktop"
    QString name;       // "Claude Code", as ClientConfigs names it
    QString path;       // its config file under the home folder
    QString serversKey; // "mcpServers", or VS Code's "servers"
};

// Every client, in the order the CLI's help and the dialog list them, under `home`.
QList<Client> clients(const QString &home);
// The client of `id`; false when there is none.
bool find(const QString &id, const QString &home, Client *client);

// Where clients reach a Heartline listening on `host`:`port`: a wildcard address is reached on
// loopback, an IPv6 one in brackets.
QString reachableMcpUrl(const QString &host, int port);

// The entry (named "heartline") `client` takes for `url`, with `token` when it is set.
QJsonObject entryFor(const Client &client, const QString &url, const QString &token);

// The client's file with Heartline's entry in it, as it would be written.
struct Plan
{
    QString path;
    bool existed = false;
    QByteArray before;
    QByteArray after; // == before: the entry is there already
    QJsonObject entry;
};
// False, with the reason, when the file cannot be read or is not JSON (then nothing is
// written by anyone).
bool plan(const Client &client, const QString &url, const QString &token, Plan *plan,
          QString *error);
// Writes a plan: the file as it was goes to backupPath() first (replacing the backup of an
// earlier change), then the new text atomically; a new file is the user's alone. Nothing to
// do when the entry is there already.
bool apply(const Plan &plan, QString *error);
QString backupPath(const QString &path);

// The servers `client`'s file still starts itself that Heartline serves too (the same name or
// the same command line or URL).
QStringList ownCopies(const Client &client, const QString &home,
                      const QList<UpstreamServerConfig> &hosted);
// Takes `names` out of the client's servers, every other byte kept and the file as it was
// in backupPath().
bool removeServers(const Client &client, const QStringList &names, QString *error);

} // namespace ClientConnection

} // namespace heartline
