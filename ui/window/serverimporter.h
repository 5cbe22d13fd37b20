#pragma once

#include <QList>
#include <QString>
#include <QStringList>

namespace heartline {

// "Import from…": the MCP servers found in the user's other clients' configs, and the writing
// of the chosen ones into Heartline's config file. Reading runs nothing; a server runs only
// once the person has ticked it and confirmed. The app implements it over ClientConfigs.
class ServerImporter
{
public:
    struct Candidate
    {
        QString client;     // "Cursor", "VS Code", ...
        QString sourceFile; // where it was found
        QString name;       // its name there, and in Heartline's config
        // Exactly what will run ("npx -y @modelcontextprotocol/server-memory"), or the URL.
        QString commandLine;
        bool remote = false;
        QStringList notes;              // what to know first (needs editing, keys left behind, ...)
        bool alreadyConfigured = false; // Heartline has a server of that name already
    };
    // A value written out in a candidate's env or headers under a name that reads like a
    // credential (SecretKeeper::looksSecret): what the import offers to move to the keyring.
    struct Secret
    {
        QString server;
        QString section; // "env" or "headers"
        QString key;
        QString value;
    };

    virtual ~ServerImporter() = default;

    // Reads every client's config anew. `problems`: files that exist but could not be read.
    virtual QList<Candidate> scan(QStringList *problems) = 0;
    // The secrets of the named candidates of the last scan.
    virtual QList<Secret> secretsIn(const QStringList &names) const = 0;
    // Writes the named candidates of the last scan into the config file, each marked with the
    // file it came from; each of `replaced` (its `value` the ${secret:NAME} now keeping it) is
    // written in place of what the client's file had. False, with the reason, when the file
    // cannot be written; then nothing is written.
    virtual bool importServers(const QStringList &names, const QList<Secret> &replaced,
                               QString *error) = 0;

protected:
    ServerImporter() = default;
    ServerImporter(const ServerImporter &) = default;
    ServerImporter &operator=(const ServerImporter &) = default;
};

} // namespace heartline
