#pragma once

#include "server/api/serverconfigschema.h"

#include <QVariant>

// Values for tests that walk the settings table (tst_configschema, tst_appsettings).
namespace heartline::testing {

// A value the row accepts that is not its default, so a key that is dropped anywhere on the way
// shows up as the default coming back.
inline QVariant otherValue(const SettingSpec &spec)
{
    switch (spec.type) {
    case SettingType::Int:
        return qlonglong(spec.defaultValue.toLongLong() != spec.max ? spec.max : spec.min);
    case SettingType::Bool:
        return !spec.defaultValue.toBool();
    case SettingType::String:
        return QString(QStringLiteral("value-of-") + spec.key);
    case SettingType::StringList:
        break;
    }
    return QStringList{QStringLiteral("first-") + spec.key, QStringLiteral("second")};
}

inline bool sameValue(const SettingSpec &spec, const QVariant &a, const QVariant &b)
{
    switch (spec.type) {
    case SettingType::Int:
        return a.toLongLong() == b.toLongLong();
    case SettingType::Bool:
        return a.toBool() == b.toBool();
    case SettingType::String:
        return a.toString() == b.toString();
    case SettingType::StringList:
        break;
    }
    return a.toStringList() == b.toStringList();
}

// A config whose every setting (or every one `include` picks) holds its otherValue().
template<typename Include>
ServerConfig changedConfig(Include include)
{
    ServerConfig config;
    for (const SettingSpec &spec : ServerConfigSchema::settings()) {
        if (include(spec))
            spec.set(config, otherValue(spec));
    }
    return config;
}

} // namespace heartline::testing
