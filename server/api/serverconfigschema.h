#pragma once

#include "server/api/serverconfig.h"

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QVariant>

#include <functional>

namespace heartline {

enum class SettingType { Int, Bool, String, StringList };

// Whether a running server takes a new value at once or only at its next start.
enum class SettingApplies { Live, Restart };

// One server setting: every place that reads, checks, saves or shows a setting reads this row,
// so the config file, ServerConfig::problem(), the command line, the saved window settings and
// the settings dialog cannot drift apart again.
struct SettingSpec
{
    QString key; // the config file's key, the saved settings' name, the dialog widget's name
    SettingType type = SettingType::Int;
    QVariant defaultValue; // equal to ServerConfig{}'s (tst_configschema holds them together)
    // Int only: the accepted range; `zeroMeans` names what 0 does when 0 is allowed outside it
    // ("off") or has a meaning of its own inside it ("any free port").
    qint64 min = 0;
    qint64 max = 0;
    const char *zeroMeans = nullptr;
    SettingApplies applies = SettingApplies::Live;
    // Edited in the settings dialog and saved between runs (AppSettings); the rest come from
    // the config file only.
    bool savedByWindow = false;
    const char *help = nullptr;
    std::function<QVariant(const ServerConfig &)> get;
    std::function<void(ServerConfig &, const QVariant &)> set;

    bool accepts(qint64 value) const;
    // "from 1 to 10000", "0 (off) or from 10 to 86400000", "from 0 to 65535 (0 = any free port)".
    QString rangeText() const;
    // What a value of the wrong type should have been: "a string", "true or false", ...
    QString typeText() const;
    QString helpText() const;
};

// The table of every server setting, and what follows from it alone.
class ServerConfigSchema final
{
public:
    ServerConfigSchema() = delete;

    static const QList<SettingSpec> &settings();
    // nullptr for a key that is not a server setting.
    static const SettingSpec *find(const QString &key);
    static QStringList keys();

    // Reads the keys of `json` that are server settings over `config`, checking type and range;
    // other keys are left to the caller (the config file has sections beside this one). On a
    // bad value `config` is untouched and `error` names the key and what it must be.
    static bool readJson(const QJsonObject &json, ServerConfig *config, QString *error);
    static QJsonObject toJson(const ServerConfig &config);
    // The first setting out of its range, as one line; empty when every one is in range.
    static QString rangeProblem(const ServerConfig &config);
};

} // namespace heartline
