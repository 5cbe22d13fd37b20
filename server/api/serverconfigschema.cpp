#include "server/api/serverconfigschema.h"

#include <QJsonArray>

#include <algorithm>
#include <cmath>
#include <type_traits>

using namespace Qt::StringLiterals;

namespace heartline {
namespace {

constexpr qint64 kWeekMs = 7LL * 24 * 3600 * 1000;
constexpr qint64 kHourMs = 3600LL * 1000;
constexpr qint64 kGiB = 1024LL * 1024 * 1024;
constexpr qint64 kMillion = 1000000;

// The row of a member: its type follows from the member's, and integers of every width travel
// as qlonglong so that values compare equal whatever member they came from.
template<typename T>
SettingSpec setting(const char *key, T ServerConfig::*member, QVariant defaultValue,
                    const char *help)
{
    SettingSpec spec;
    spec.key = QString::fromLatin1(key);
    spec.defaultValue = std::move(defaultValue);
    spec.help = help;
    if constexpr (std::is_same_v<T, bool>) {
        spec.type = SettingType::Bool;
    } else if constexpr (std::is_integral_v<T>) {
        spec.type = SettingType::Int;
    } else if constexpr (std::is_same_v<T, QString>) {
        spec.type = SettingType::String;
    } else {
        static_assert(std::is_same_v<T, QStringList>, "a setting is int, bool, string or list");
        spec.type = SettingType::StringList;
    }
    spec.get = [member](const ServerConfig &config) {
        if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>)
            return QVariant(qlonglong(config.*member));
        else
            return QVariant::fromValue(config.*member);
    };
    spec.set = [member](ServerConfig &config, const QVariant &value) {
        config.*member = value.value<T>();
    };
    return spec;
}

template<typename T>
SettingSpec number(const char *key, T ServerConfig::*member, qint64 defaultValue, qint64 min,
                   qint64 max, const char *help)
{
    SettingSpec spec = setting(key, member, QVariant(qlonglong(defaultValue)), help);
    spec.min = min;
    spec.max = max;
    return spec;
}

SettingSpec zeroMeans(SettingSpec spec, const char *meaning)
{
    spec.zeroMeans = meaning;
    return spec;
}

SettingSpec takenAtStart(SettingSpec spec)
{
    spec.applies = SettingApplies::Restart;
    return spec;
}

SettingSpec savedByWindow(SettingSpec spec)
{
    spec.savedByWindow = true;
    return spec;
}

QList<SettingSpec> buildTable()
{
    using C = ServerConfig;
    // Where two copies of a range disagreed, the stricter one won: pingTimeoutMs is the config
    // file's 100 ms to an hour (a shorter answer window than 100 ms reports healthy peers as
    // unresponsive), rateLimitBurst is at least 1 (a bucket of 0 refuses every request).
    return {
        savedByWindow(setting("host", &C::host, u"127.0.0.1"_s,
                              "The address to listen on: an IP address or localhost. Any other "
                              "than loopback needs a token.")),
        savedByWindow(zeroMeans(number("port", &C::port, 8650, 0, 65535, "The port to listen on."),
                                "any free port")),
        savedByWindow(zeroMeans(
            number("heartbeatMs", &C::heartbeatMs, 15000, 10, ServerConfig::kMaxHeartbeatMs,
                   "A comment is written to every stream silent for this long, below the idle "
                   "limit of proxies on the way (often 60 s)."),
            "off")),
        savedByWindow(setting("token", &C::token, QString(),
                              "Requests must carry 'Authorization: Bearer TOKEN' (empty: no "
                              "token required).")),
        savedByWindow(setting("allowedOrigins", &C::allowedOrigins, QStringList(),
                              "Browser origins (scheme, host and port) accepted beyond the "
                              "loopback ones.")),
        savedByWindow(setting("allowedHosts", &C::allowedHosts, QStringList(),
                              "Host header names accepted beyond loopback and the bound "
                              "host.")),
        savedByWindow(zeroMeans(
            number("sessionIdleTimeoutMs", &C::sessionIdleTimeoutMs, 30 * 60 * 1000, 0, kWeekMs,
                   "Sessions with no client activity for this long end (heartbeats are not "
                   "activity)."),
            "never")),
        number("postGraceMs", &C::postGraceMs, 50, 0, 60 * 1000,
               "How long a POST waits for its result before the reply becomes an SSE stream."),
        number("toolsPageSize", &C::toolsPageSize, 100, 1, 10000,
               "Tools per page of tools/list (new sessions)."),
        number("maxHeaderBytes", &C::maxHeaderBytes, 64 * 1024, 1024, 1024 * 1024,
               "Request line and headers larger are refused (431)."),
        savedByWindow(number("maxBodyBytes", &C::maxBodyBytes, 4 * 1024 * 1024, 1024, kGiB,
                             "Request bodies larger are refused (413) before they are read.")),
        savedByWindow(number("maxConnections", &C::maxConnections, 10000, 1, kMillion,
                             "Open connections in total; the next one is refused (503).")),
        savedByWindow(number("maxConnectionsPerPeer", &C::maxConnectionsPerPeer, 4000, 1, kMillion,
                             "Open connections from one address; the next one is refused "
                             "(503).")),
        number("requestTimeoutMs", &C::requestTimeoutMs, 10000, 100, kHourMs,
               "A request must arrive whole within this (408)."),
        zeroMeans(number("keepAliveTimeoutMs", &C::keepAliveTimeoutMs, 60000, 0, kHourMs,
                         "A connection with no request in progress and no response owed "
                         "(a stream is one) is closed after this long without a new request."),
                  "never"),
        savedByWindow(
            zeroMeans(number("rateLimitPerSecond", &C::rateLimitPerSecond, 50, 0, kMillion,
                             "Sustained requests per second from one address (429 "
                             "beyond)."),
                      "off")),
        savedByWindow(number("rateLimitBurst", &C::rateLimitBurst, 100, 1, kMillion,
                             "Requests one address may send at once above the sustained "
                             "rate.")),
        setting("rateLimitLoopback", &C::rateLimitLoopback, false,
                "Rate-limit loopback clients too (they are your own, exempt unless set)."),
        setting("allowTokenInQuery", &C::allowTokenInQuery, false,
                "Accept ?token= like the Authorization header (it ends up in logs and "
                "histories)."),
        takenAtStart(setting("pathFromLoginShell", &C::pathFromLoginShell, false,
                             "Take PATH for the upstream servers' commands from your login "
                             "shell, once at start (npx, uvx, nvm when started from a menu).")),
        number("eventLogMaxEvents", &C::eventLogMaxEvents, 1000, 1, kMillion,
               "Events each session keeps for clients that resume (new sessions)."),
        number("eventLogMaxBytes", &C::eventLogMaxBytes, 4 * 1024 * 1024, 1024, kGiB,
               "Bytes of events each session keeps for clients that resume (new sessions)."),
        number("retryMs", &C::retryMs, 2000, 0, kHourMs,
               "The SSE retry sent before the server closes a stream."),
        zeroMeans(number("pollCloseAfterMs", &C::pollCloseAfterMs, 0, 0, kWeekMs,
                         "Long POST streams are closed after this and clients poll."),
                  "off"),
        zeroMeans(number("pingIntervalMs", &C::pingIntervalMs, 0, 0, kWeekMs,
                         "Server pings find half-open peers that TCP keep-alive has not."),
                  "off"),
        number("pingTimeoutMs", &C::pingTimeoutMs, 10000, 100, kHourMs,
               "A session that does not answer a ping within this ends (unresponsive)."),
        savedByWindow(number("streamHighWaterBytes", &C::streamHighWaterBytes, 4 * 1024 * 1024,
                             1024, kGiB,
                             "Bytes queued on one stream before it is closed (slow_consumer).")),
        number("standaloneBacklog", &C::standaloneBacklog, 256, 0, kMillion,
               "Messages kept for a session while it has no GET stream."),
    };
}

bool isStringArray(const QJsonValue &value)
{
    const QJsonArray items = value.toArray();
    return value.isArray() && std::all_of(items.begin(), items.end(), [](const QJsonValue &v) {
               return v.isString();
           });
}

} // namespace

bool SettingSpec::accepts(qint64 value) const
{
    return (value == 0 && zeroMeans) || (value >= min && value <= max);
}

QString SettingSpec::rangeText() const
{
    const QString range = u"from %1 to %2"_s.arg(min).arg(max);
    if (!zeroMeans)
        return range;
    const QString meaning = QString::fromLatin1(zeroMeans);
    if (min > 0)
        return u"0 (%1) or %2"_s.arg(meaning, range);
    return u"%1 (0 = %2)"_s.arg(range, meaning);
}

QString SettingSpec::typeText() const
{
    switch (type) {
    case SettingType::Int:
        return u"a whole number "_s + rangeText();
    case SettingType::Bool:
        return u"true or false"_s;
    case SettingType::String:
        return u"a string"_s;
    case SettingType::StringList:
        break;
    }
    return u"a list of strings"_s;
}

QString SettingSpec::helpText() const
{
    return QString::fromUtf8(help);
}

const QList<SettingSpec> &ServerConfigSchema::settings()
{
    static const QList<SettingSpec> table = buildTable();
    return table;
}

const SettingSpec *ServerConfigSchema::find(const QString &key)
{
    const QList<SettingSpec> &table = settings();
    const auto it = std::find_if(table.begin(), table.end(),
                                 [&key](const SettingSpec &spec) { return spec.key == key; });
    return it == table.end() ? nullptr : &*it;
}

QStringList ServerConfigSchema::keys()
{
    QStringList keys;
    for (const SettingSpec &spec : settings())
        keys.append(spec.key);
    return keys;
}

bool ServerConfigSchema::readJson(const QJsonObject &json, ServerConfig *config, QString *error)
{
    ServerConfig updated = *config;
    for (const SettingSpec &spec : settings()) {
        const QJsonValue value = json.value(spec.key);
        if (value.isUndefined())
            continue;
        // A value of the wrong type must not quietly become "" or [] (a token of 42 meaning
        // none), nor a fraction be rounded.
        bool valid = false;
        QVariant read;
        switch (spec.type) {
        case SettingType::Int: {
            const double n = value.toDouble();
            // Bounded first: casting a double beyond qint64 is undefined.
            valid = value.isDouble() && std::abs(n) < 1e18 && n == double(qint64(n))
                    && spec.accepts(qint64(n));
            // Only once known to fit (a fuzzer found the cast of 1.6e41 made here before).
            if (valid)
                read = qlonglong(n);
            break;
        }
        case SettingType::Bool:
            valid = value.isBool();
            read = value.toBool();
            break;
        case SettingType::String:
            valid = value.isString();
            read = value.toString();
            break;
        case SettingType::StringList:
            valid = isStringArray(value);
            read = value.toVariant().toStringList();
            break;
        }
        if (!valid) {
            *error = u"\"%1\" must be %2"_s.arg(spec.key, spec.typeText());
            return false;
        }
        spec.set(updated, read);
    }
    *config = updated;
    return true;
}

QJsonObject ServerConfigSchema::toJson(const ServerConfig &config)
{
    QJsonObject json;
    for (const SettingSpec &spec : settings()) {
        const QVariant value = spec.get(config);
        switch (spec.type) {
        case SettingType::Int:
            json.insert(spec.key, value.toLongLong());
            break;
        case SettingType::Bool:
            json.insert(spec.key, value.toBool());
            break;
        case SettingType::String:
            json.insert(spec.key, value.toString());
            break;
        case SettingType::StringList:
            json.insert(spec.key, QJsonArray::fromStringList(value.toStringList()));
            break;
        }
    }
    return json;
}

QString ServerConfigSchema::rangeProblem(const ServerConfig &config)
{
    for (const SettingSpec &spec : settings()) {
        if (spec.type != SettingType::Int)
            continue;
        const qint64 value = spec.get(config).toLongLong();
        if (!spec.accepts(value))
            return u"%1 must be %2, not %3"_s.arg(spec.key, spec.rangeText()).arg(value);
    }
    return {};
}

} // namespace heartline
