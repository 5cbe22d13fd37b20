#pragma once

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

namespace heartline {

// The MCP servers the user already configured in their other clients (Claude Desktop, Cursor,
// VS Code, Claude Code, Windsurf, Zed), read from those clients' files and turned into entries
// of Heartline's own `mcpServers` (Claude Desktop's shape plus Heartline's keys). Reads files
// and nothing else: the home folder and the current folder come in, so tests use fixtures.

// One server found in a client's file.
struct ImportedServer
{
    QString client;     // "Claude Desktop", "Cursor", "VS Code", "Claude Code", "Windsurf", "Zed"
    QString sourceFile; // the file it was found in
    QString name;       // its key there, and in Heartline's mcpServers
    QJsonObject entry;  // as Heartline's mcpServers entry
    // What the user should know before running it: it needs editing (`${input:id}`), keys that
    // were left behind, an envFile that could not be read, an mcp-remote bridge made native.
    QStringList notes;

    // "npx -y @modelcontextprotocol/server-memory" or the URL: what the user is shown.
    QString commandLineOrUrl() const;
};

// A server whose name was already taken by one found earlier: it is not imported.
struct SkippedDuplicate
{
    ImportedServer server;
    QString keptFrom; // the source file of the one kept
};

struct ClientConfigScan
{
    QList<ImportedServer> servers; // unique names, first found first
    QList<SkippedDuplicate> duplicates;
    QStringList problems; // "FILE: reason" for files that exist but could not be read
};

// One place a client keeps its servers.
struct ClientConfigLocation
{
    QString client;
    QString path;
};

namespace ClientConfigs {

// Where the clients keep their configs on Linux, in the order a name found twice is decided
// (the first one wins): Claude Desktop (both spellings of its folder), Cursor, VS Code, Claude
// Code (~/.claude.json and `.mcp.json` in `currentDir`), Windsurf, Zed.
QList<ClientConfigLocation> knownLocations(const QString &home, const QString &currentDir);

// Reads every known location that exists.
ClientConfigScan scan(const QString &home, const QString &currentDir);

// Reads one file of any of the clients' formats, told apart by their shape (`servers` is
// VS Code, `context_servers` Zed, `projects.*.mcpServers` Claude Code, `mcpServers` the rest).
// Comments and trailing commas (Zed allows them) are accepted. `client` names the source in
// the results; empty means "guess it from the shape". `home` expands `~` and `${userHome}` in
// VS Code's envFile paths.
ClientConfigScan readFile(const QString &path, const QString &client, const QString &home);

// One client entry as Heartline's: `serverUrl` becomes `url`, `disabled` becomes `enabled`,
// VS Code's `type: stdio` and envFile are folded in, an `mcp-remote <url>` bridge becomes a
// native remote server (`url`, `headers` from its `--header "K: V"` arguments, no command), and
// keys Heartline does not know are left behind with a note. `baseDir` resolves a relative
// envFile.
ImportedServer convertEntry(const QString &client, const QString &sourceFile, const QString &name,
                            const QJsonObject &entry, const QString &baseDir, const QString &home);

// The entry as it is written into Heartline's config: with `importedFrom` naming the file it
// came from, which the window shows beside the server.
QJsonObject withOrigin(const ImportedServer &server);

// JSON with `//` and `/* */` comments and trailing commas (Zed's settings.json) as strict JSON.
QByteArray stripJsonExtensions(const QByteArray &text);

} // namespace ClientConfigs

} // namespace heartline
