#pragma once

#include <QByteArray>
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
        // Optional, for a section that needs what a QJsonObject forgets: the order of keys
        // (mcpServers is served in the order the file writes it). Called before read().
        std::function<void(const QByteArray &text)> readText = nullptr;
    };

    ConfigFile() = default;

    void addSection(Section section);
    QStringList keys() const;

    // Reads `path` through every section; false with one line naming the file and the problem.
    // Text that is not JSON is reported as a compiler would: "FILE:LINE:COLUMN: reason".
    bool load(const QString &path, QString *error) const;
    // The same over `text`, named `path` in what it says.
    bool parse(const QByteArray &text, const QString &path, QString *error) const;

private:
    QList<Section> m_sections;
};

} // namespace heartline
