#pragma once

#include <QList>
#include <QString>
#include <QStringList>

namespace heartline {

// "Add Heartline to…" in the Connect dialog: writes this instance's entry into one MCP
// client's config file (every other byte kept, the file as it was beside it), names the servers
// that client still starts itself which Heartline now hosts, and on the person's word takes
// those out of the client's file. The app implements it with the code `heartline connect`
// runs.
class ClientSetup
{
public:
    struct Client
    {
        QString id;   // "claude-code", "cursor", "vscode", "claude-desktop"
        QString name; // "Claude Code"
        QString path; // its config file
    };
    struct Added
    {
        bool ok = false;
        QString error;
        bool changed = false; // false: the entry was there already
        QString backup;       // the file as it was, when there was one
        QStringList ownCopies;
    };

    virtual ~ClientSetup() = default;

    virtual QList<Client> clients() const = 0;
    virtual Added addHeartline(const QString &clientId) = 0;
    virtual bool removeOwnCopies(const QString &clientId, const QStringList &names,
                                 QString *error) = 0;

protected:
    ClientSetup() = default;
    ClientSetup(const ClientSetup &) = default;
    ClientSetup &operator=(const ClientSetup &) = default;
};

} // namespace heartline
