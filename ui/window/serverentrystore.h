#pragma once

#include <QJsonObject>
#include <QString>

namespace heartline {

// Where the window's Add, Edit and Remove write a server's entry: the config file, as the
// person's own editor would, so the running instance's config watcher applies it like any
// other edit. Kept out of ServerControl on purpose: a command line reaches Heartline from the
// person (the window, `heartline ctl servers add`, an editor), never over the control socket.
// The app implements it over its config file; null when Heartline runs without one.
class ServerEntryStore
{
public:
    virtual ~ServerEntryStore() = default;

    // The file the entries live in, for "Open config file".
    virtual QString path() const = 0;
    // The entry as the file writes it; false, with the reason, when there is none or the file
    // does not parse.
    virtual bool entry(const QString &name, QJsonObject *entry, QString *error) const = 0;
    // Writes `entry` as `name`; when `previousName` is another name, that entry goes (a rename).
    // Refused, the file unchanged, when `name` is taken by another entry, is not a valid name,
    // or the file does not parse.
    virtual bool save(const QString &name, const QJsonObject &entry, const QString &previousName,
                      QString *error) = 0;
    virtual bool remove(const QString &name, QString *error) = 0;
    // Writes a `commandTools` entry (a program offered as a tool), checked as the running
    // instance will read it; refused, the file unchanged, like save().
    virtual bool saveCommandTool(const QString &name, const QJsonObject &entry, QString *error) = 0;
    // Records the person's yes to the program they were shown (`shownHash`, the approval hash
    // of what the window displayed), so the running Heartline starts it; refused when the
    // file's entry no longer runs that (something else edited it meanwhile). An edit by
    // anything else asks again. Save() approves what it writes: the person wrote it.
    virtual bool approve(const QString &name, const QString &shownHash, QString *error) = 0;

protected:
    ServerEntryStore() = default;
    ServerEntryStore(const ServerEntryStore &) = default;
    ServerEntryStore &operator=(const ServerEntryStore &) = default;
};

} // namespace heartline
