#pragma once

#include <QProcessEnvironment>
#include <QString>

namespace heartline {

// The config file Heartline reads and writes when no --config is given:
// $XDG_CONFIG_HOME/heartline/heartline.json, or ~/.config/heartline/heartline.json when
// XDG_CONFIG_HOME is unset or not absolute (the XDG rule). From `environment`, not the
// process's own, so tests point it at a temporary home.
QString defaultConfigPath(const QProcessEnvironment &environment);

} // namespace heartline
