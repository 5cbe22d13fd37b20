#pragma once

#include <QHash>
#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace heartline {

// The config file as a document to edit, not as settings to apply: `heartline import`, the
// window and `heartline ctl servers add` change one `mcpServers` entry and write the file back
// with everything else in it kept. Reading it for use is ConfigFile's job (app/).
//
// Key order: QJsonObject sorts its keys, so writing it back through QJsonDocument would reorder
// the file the user arranged by hand. The document remembers the order of every object's keys
// as they stood in the text it loaded and writes them in that order (keys added since come last,
// sorted). Whitespace and layout are not kept: the file is written indented, four spaces, as
// QJsonDocument does. That is the trade: exact order, normalised layout, no comment support
// (the file is JSON, and a file that does not parse is never overwritten).
class ConfigDocument final
{
    Q_DISABLE_COPY_MOVE(ConfigDocument)

public:
    explicit ConfigDocument(QString path);

    QString path() const { return m_path; }

    // Reads the file; a missing file is an empty document. False with "PATH:LINE:COLUMN: reason"
    // when the file does not parse or is not a JSON object: such a document refuses to save.
    bool load(QString *error);

    QJsonObject root() const { return m_root; }
    QJsonObject servers() const;
    bool hasServer(const QString &name) const;
    QJsonObject server(const QString &name) const;

    // Adds the entry, or replaces the one of that name.
    void setServer(const QString &name, const QJsonObject &entry);
    // False when there is no such entry.
    bool removeServer(const QString &name);
    // Heartline's own keys of one entry; false when there is no such entry. An empty list
    // removes the key.
    bool setDisabledTools(const QString &name, const QStringList &tools);
    // Writes `enabled` and drops a `disabled` key (Windsurf's spelling), which would contradict it.
    bool setEnabled(const QString &name, bool enabled);

    // The `commandTools` entries, as the servers above.
    bool hasCommandTool(const QString &name) const;
    void setCommandTool(const QString &name, const QJsonObject &entry);
    bool removeCommandTool(const QString &name);

    // Writes the file atomically (QSaveFile): creates its folder, keeps the permissions of an
    // existing file and makes a new one readable by the user only (it may hold tokens).
    // Refuses when load() failed or the file on disk no longer parses.
    bool save(QString *error) const;

    // The text save() writes.
    QByteArray toJson() const;

private:
    void setServerKey(const QString &name, const QString &key, const QJsonValue &value);

    QString m_path;
    QJsonObject m_root;
    // Each object's keys in the order the loaded text had them, by path (see keyPath()).
    QHash<QString, QStringList> m_keyOrder;
    bool m_loaded = false;
};

} // namespace heartline
