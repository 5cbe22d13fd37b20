#pragma once

#include "server/api/serverconfig.h"

#include <QByteArray>
#include <QObject>
#include <QStringList>

#include <memory>

class QSettings;

namespace heartline {

// What the window remembers between runs, typed, with its defaults and its keys in one place.
// The app uses the standard per-user location; tests hand in a file of their own.
class AppSettings final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AppSettings)

public:
    enum class Theme { System, Light, Dark };

    // The standard location (~/.config/Heartline/Heartline.conf on Linux).
    explicit AppSettings(QObject *parent = nullptr);
    // An INI file at `filePath`.
    explicit AppSettings(const QString &filePath, QObject *parent = nullptr);
    ~AppSettings() override;

    QString filePath() const;

    QByteArray windowGeometry() const;
    void setWindowGeometry(const QByteArray &geometry);
    QByteArray windowState() const;
    void setWindowState(const QByteArray &state);

    // 1, 5 or 15.
    int timelineMinutes() const;
    void setTimelineMinutes(int minutes);

    Theme theme() const;
    void setTheme(Theme theme);
    static QString themeName(Theme theme);
    static Theme themeFromName(const QString &name);

    QStringList disabledTools() const;
    void setDisabledTools(const QStringList &names);
    void setToolDisabled(const QString &name, bool disabled);

    // Server settings saved from the settings dialog: the rows of ServerConfigSchema marked
    // savedByWindow, under "server/<key>"; `hasServerSettings` is false until it has saved once.
    bool hasServerSettings() const;
    // The saved fields laid over `base` (base untouched when nothing was saved).
    ServerConfig serverSettings(const ServerConfig &base) const;
    void setServerSettings(const ServerConfig &config);
    // For a start: every saved field over `launch`, except the ServerConfig fields this run
    // was given explicitly (by flag or environment: "host", "port", "heartbeatMs", "token"),
    // which win even when they equal the built-in default.
    ServerConfig mergeIntoLaunchConfig(const ServerConfig &launch,
                                       const QStringList &explicitFields = {}) const;

    void sync();

Q_SIGNALS:
    // Any value changed (the key says which).
    void changed(const QString &key);

private:
    QVariant value(const QString &key, const QVariant &fallback) const;
    void setValue(const QString &key, const QVariant &value);

    std::unique_ptr<QSettings> m_settings;
};

} // namespace heartline
