#include "ui/window/appsettings.h"

#include "server/api/serverconfigschema.h"

#include <QSettings>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace heartline {
namespace {

// Every key in one place.
namespace Key {
const auto WindowGeometry = u"window/geometry"_s;
const auto WindowState = u"window/state"_s;
const auto TimelineMinutes = u"timeline/minutes"_s;
const auto Theme = u"view/theme"_s;
const auto DisabledTools = u"tools/disabled"_s;
const auto ServerSaved = u"server/saved"_s;
} // namespace Key

constexpr int kDefaultTimelineMinutes = 5;

// The server settings the window edits are the schema's rows marked savedByWindow.
QString serverKey(const SettingSpec &spec)
{
    return u"server/"_s + spec.key;
}

} // namespace

AppSettings::AppSettings(QObject *parent)
    : QObject(parent)
    , m_settings(std::make_unique<QSettings>())
{}

AppSettings::AppSettings(const QString &filePath, QObject *parent)
    : QObject(parent)
    , m_settings(std::make_unique<QSettings>(filePath, QSettings::IniFormat))
{}

AppSettings::~AppSettings() = default;

QString AppSettings::filePath() const
{
    return m_settings->fileName();
}

QVariant AppSettings::value(const QString &key, const QVariant &fallback) const
{
    return m_settings->value(key, fallback);
}

void AppSettings::setValue(const QString &key, const QVariant &value)
{
    if (m_settings->contains(key) && m_settings->value(key) == value)
        return;
    m_settings->setValue(key, value);
    Q_EMIT changed(key);
}

QByteArray AppSettings::windowGeometry() const
{
    return value(Key::WindowGeometry, {}).toByteArray();
}

void AppSettings::setWindowGeometry(const QByteArray &geometry)
{
    setValue(Key::WindowGeometry, geometry);
}

QByteArray AppSettings::windowState() const
{
    return value(Key::WindowState, {}).toByteArray();
}

void AppSettings::setWindowState(const QByteArray &state)
{
    setValue(Key::WindowState, state);
}

int AppSettings::timelineMinutes() const
{
    const int minutes = value(Key::TimelineMinutes, kDefaultTimelineMinutes).toInt();
    return (minutes == 1 || minutes == 5 || minutes == 15) ? minutes : kDefaultTimelineMinutes;
}

void AppSettings::setTimelineMinutes(int minutes)
{
    setValue(Key::TimelineMinutes, minutes);
}

AppSettings::Theme AppSettings::theme() const
{
    return themeFromName(value(Key::Theme, themeName(Theme::System)).toString());
}

void AppSettings::setTheme(Theme theme)
{
    setValue(Key::Theme, themeName(theme));
}

QString AppSettings::themeName(Theme theme)
{
    switch (theme) {
    case Theme::Light:
        return u"light"_s;
    case Theme::Dark:
        return u"dark"_s;
    case Theme::System:
        break;
    }
    return u"system"_s;
}

AppSettings::Theme AppSettings::themeFromName(const QString &name)
{
    if (name == "light"_L1)
        return Theme::Light;
    if (name == "dark"_L1)
        return Theme::Dark;
    return Theme::System;
}

QStringList AppSettings::disabledTools() const
{
    return value(Key::DisabledTools, QStringList()).toStringList();
}

void AppSettings::setDisabledTools(const QStringList &names)
{
    QStringList sorted = names;
    sorted.removeDuplicates();
    std::sort(sorted.begin(), sorted.end());
    setValue(Key::DisabledTools, sorted);
}

void AppSettings::setToolDisabled(const QString &name, bool disabled)
{
    QStringList names = disabledTools();
    if (disabled)
        names.append(name);
    else
        names.removeAll(name);
    setDisabledTools(names);
}

bool AppSettings::hasServerSettings() const
{
    return value(Key::ServerSaved, false).toBool();
}

ServerConfig AppSettings::serverSettings(const ServerConfig &base) const
{
    ServerConfig config = base;
    if (!hasServerSettings())
        return config;
    for (const SettingSpec &spec : ServerConfigSchema::settings()) {
        if (spec.savedByWindow && m_settings->contains(serverKey(spec)))
            spec.set(config, m_settings->value(serverKey(spec)));
    }
    return config;
}

void AppSettings::setServerSettings(const ServerConfig &config)
{
    for (const SettingSpec &spec : ServerConfigSchema::settings()) {
        if (spec.savedByWindow)
            setValue(serverKey(spec), spec.get(config));
    }
    setValue(Key::ServerSaved, true);
}

ServerConfig AppSettings::mergeIntoLaunchConfig(const ServerConfig &launch,
                                                const QStringList &explicitFields) const
{
    if (!hasServerSettings())
        return launch;
    ServerConfig merged = launch;
    for (const SettingSpec &spec : ServerConfigSchema::settings()) {
        // A flag is a deliberate choice for this run, even `--port 8650` or `--host 127.0.0.1`
        // against a saved 0.0.0.0; everything else comes from what the window saved.
        if (spec.savedByWindow && !explicitFields.contains(spec.key)
            && m_settings->contains(serverKey(spec)))
            spec.set(merged, m_settings->value(serverKey(spec)));
    }
    return merged;
}

void AppSettings::sync()
{
    m_settings->sync();
}

} // namespace heartline
