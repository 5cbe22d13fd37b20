#pragma once

#include "server/api/serverconfig.h"
#include "server/tools/command/commandtoolconfig.h"
#include "server/tools/upstream/upstreamserverconfig.h"

#include <QByteArray>
#include <QFileSystemWatcher>
#include <QList>
#include <QObject>
#include <QProcessEnvironment>
#include <QString>
#include <QTimer>

namespace heartline {

// Watches the config file and re-reads it, with the same sections as at start, when it
// changes. It watches the folder as well as the file: editors save by writing a new file and
// renaming it over the old one, which ends a watch on the old file (and a default file that
// does not exist yet can be created). Changes are debounced, since one save is often several
// writes, and a change that leaves the text as it was (another file in the folder, a touch)
// is none.
//
// A file that reads is offered whole (reloaded); one that does not is refused with its
// FILE:LINE:COLUMN and reason, and nothing else happens: the running configuration stays.
class ConfigWatcher final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConfigWatcher)

public:
    static constexpr int kDefaultDebounceMs = 200;

    // `environment` expands ${...} in mcpServers, as at start.
    ConfigWatcher(const QString &path, const QProcessEnvironment &environment,
                  QObject *parent = nullptr);
    ~ConfigWatcher() override;

    QString path() const { return m_path; }
    void setDebounceMs(int debounceMs) { m_debounce.setInterval(debounceMs); }
    // A change was noticed and will be read when the debounce interval has passed.
    bool isChangePending() const { return m_debounce.isActive(); }

Q_SIGNALS:
    // The file as it now reads: its upstream servers (in file order) and its server settings
    // over the built-in defaults (what flags and saved settings add is the receiver's to add).
    void reloaded(const QList<heartline::UpstreamServerConfig> &upstreamServers,
                  const heartline::ServerConfig &server,
                  const QList<heartline::CommandToolConfig> &commandTools);
    // The file changed but cannot be used: one line, "FILE:LINE:COLUMN: reason" for text that
    // is not JSON, else the file and the key.
    void refused(const QString &lineColReason);

private:
    void handleChange();
    void rewatch();
    void reread();

    const QString m_path;
    const QProcessEnvironment m_environment;
    QFileSystemWatcher m_watcher;
    QTimer m_debounce;
    // What the file held when last read, to tell a change from a touch; a missing file is
    // a state of its own (deleted, or a default file not created yet).
    QByteArray m_lastText;
    bool m_lastExisted = false;
};

} // namespace heartline
