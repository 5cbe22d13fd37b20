#pragma once

#include <QJsonObject>
#include <QList>
#include <QStringList>

#include <functional>

namespace heartline {

// The config file (heartline.json): one JSON object whose top-level keys belong to sections.
// Each section owns its keys and reads them; a key no section owns is an error that lists the
// known ones. The server settings are one section and the app's logFormat another; the upstream
// servers (mcpServers, commandTools) become more sections without a change here.
class ConfigFile final
{
    Q_DISABLE_COPY_MOVE(ConfigFile)

public:
    struct Section
    {
        QStringList keys;
        // Reads this section's keys of `file`; false with `error` naming the key and what it
        // must be. Sections read into copies the caller keeps until load() has succeeded, so a
        // file with any error changes nothing.
        std::function<bool(const QJsonObject &file, QString *error)> read;
    };

    ConfigFile() = default;

    void addSection(Section section);
    QStringList keys() const;

    // Reads `path` through every section; false with one line naming the file and the problem.
    bool load(const QString &path, QString *error) const;

private:
    QList<Section> m_sections;
};

} // namespace heartline
