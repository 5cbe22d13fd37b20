#include "app/defaultconfigpath.h"

#include <QDir>
#include <QStandardPaths>

using namespace Qt::StringLiterals;

namespace heartline {

QString defaultConfigPath(const QProcessEnvironment &environment)
{
    QString folder = environment.value(u"XDG_CONFIG_HOME"_s);
    // The XDG spec: a relative XDG_CONFIG_HOME is invalid and ignored.
    if (folder.isEmpty() || QDir::isRelativePath(folder)) {
        const QString home = environment.value(u"HOME"_s);
        folder = home.isEmpty()
                     ? QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation)
                     : home + u"/.config"_s;
    }
    return folder + u"/heartline/heartline.json"_s;
}

} // namespace heartline
