#include "app/configwatcher.h"

#include "app/configfilesettings.h"

#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>

using namespace Qt::StringLiterals;

namespace heartline {

Q_LOGGING_CATEGORY(lcConfigWatcher, "heartline.app.config")

namespace {

// The text to compare, as ConfigFile reads it; false when the file is not there to read.
bool readText(const QString &path, QByteArray *text)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return false;
    *text = file.readAll();
    return true;
}

} // namespace

ConfigWatcher::ConfigWatcher(const QString &path, const QProcessEnvironment &environment,
                             QObject *parent)
    : QObject(parent)
    , m_path(QFileInfo(path).absoluteFilePath())
    , m_environment(environment)
{
    m_debounce.setSingleShot(true);
    m_debounce.setInterval(kDefaultDebounceMs);
    connect(&m_debounce, &QTimer::timeout, this, &ConfigWatcher::reread);
    connect(&m_watcher, &QFileSystemWatcher::fileChanged, this, &ConfigWatcher::handleChange);
    connect(&m_watcher, &QFileSystemWatcher::directoryChanged, this, &ConfigWatcher::handleChange);
    // What was read at start is the baseline: only a change from it is news.
    m_lastExisted = readText(m_path, &m_lastText);
    rewatch();
}

ConfigWatcher::~ConfigWatcher() = default;

void ConfigWatcher::handleChange()
{
    m_debounce.start(); // restarted by every event: one read after the last write
}

void ConfigWatcher::rewatch()
{
    // A rename over the file drops the watch on it; the new file needs one of its own.
    const QString folder = QFileInfo(m_path).absolutePath();
    if (!m_watcher.directories().contains(folder) && QFileInfo(folder).isDir())
        m_watcher.addPath(folder);
    if (!m_watcher.files().contains(m_path) && QFileInfo::exists(m_path))
        m_watcher.addPath(m_path);
}

void ConfigWatcher::reread()
{
    rewatch();
    QByteArray text;
    const bool exists = readText(m_path, &text);
    if (exists == m_lastExisted && text == m_lastText)
        return;
    m_lastExisted = exists;
    m_lastText = text;

    QString error;
    ConfigFileSettings settings;
    if (!exists) {
        error = u"%1: the file is gone"_s.arg(m_path);
    } else if (readConfigFile(m_path, m_environment, &settings, &error)) {
        qCInfo(lcConfigWatcher).noquote() << u"config reloaded from %1 (%2 upstream servers)"_s.arg(
            m_path, QString::number(settings.upstreamServers.size()));
        Q_EMIT reloaded(settings.upstreamServers, settings.server, settings.commandTools);
        return;
    }
    qCWarning(lcConfigWatcher).noquote()
        << u"config change refused, the running configuration stays: "_s + error;
    Q_EMIT refused(error);
}

} // namespace heartline
