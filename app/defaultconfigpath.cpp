#include "app/defaultconfigpath.h"

#include <QDir>

using namespace Qt::StringLiterals;

namespace heartline {

QString defaultConfigPath(const QProcessEnvironment &environment)
{
    QString configHome = environment.value(u"XDG_CONFIG_HOME"_s);
    if (configHome.isEmpty() || QDir::isRelativePath(configHome)) {
        QString home = environment.value(u"HOME"_s);
        if (home.isEmpty())
            home = QDir::homePath();
        configHome = QDir(home).filePath(u".config"_s);
    }
    return QDir(configHome).filePath(u"heartline/heartline.json"_s);
}

} // namespace heartline
