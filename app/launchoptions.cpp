#include "app/launchoptions.h"

#include <QCommandLineParser>
#include <QFile>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace heartline {
namespace {

constexpr int kMaxHeartbeatMs = 24 * 60 * 60 * 1000;

bool parseHeartbeat(const QString &text, int *milliseconds, QString *error)
{
    bool ok = false;
    const qint64 value = text.toLongLong(&ok);
    if (!ok || value < 0 || value > kMaxHeartbeatMs || (value > 0 && value < 10)) {
        *error = u"--heartbeat-ms must be 0 (off) or a whole number of milliseconds from 10 to "
                 "%1, not '%2'"_s.arg(kMaxHeartbeatMs)
                     .arg(text);
        return false;
    }
    *milliseconds = int(value);
    return true;
}

bool parsePort(const QString &text, quint16 *port, QString *error)
{
    bool ok = false;
    const uint value = text.toUInt(&ok);
    if (!ok || value > 65535) {
        *error =
            u"--port must be a number from 0 to 65535 (0 picks a free port), not '%1'"_s.arg(text);
        return false;
    }
    *port = quint16(value);
    return true;
}

bool isLoopbackHost(const QString &host)
{
    if (host == "localhost"_L1)
        return true;
    const QHostAddress address(host);
    return !address.isNull() && address.isLoopback();
}

QStringList stringList(const QJsonValue &value)
{
    QStringList list;
    for (const QJsonValue &item : value.toArray())
        list.append(item.toString());
    return list;
}

} // namespace

bool loadConfigFile(const QString &path, ServerConfig *config, HeadlessLog::Format *logFormat,
                    QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = u"cannot read config file %1: %2"_s.arg(path, file.errorString());
        return false;
    }
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(file.read(1024 * 1024), &parseError);
    if (!document.isObject()) {
        *error = u"config file %1 is not a JSON object: %2 at offset %3"_s.arg(
            path, parseError.errorString(), QString::number(parseError.offset));
        return false;
    }
    const QJsonObject json = document.object();

    // Every numeric key, its range, and where it goes.
    struct NumberKey
    {
        const char *key;
        qint64 min;
        qint64 max;
        void (*apply)(ServerConfig *, qint64);
    };
    constexpr qint64 kWeekMs = 7LL * 24 * 3600 * 1000;
    static const NumberKey numberKeys[] = {
        {"port", 0, 65535, [](ServerConfig *c, qint64 v) { c->port = quint16(v); }},
        {"heartbeatMs", 0, kMaxHeartbeatMs,
         [](ServerConfig *c, qint64 v) { c->heartbeatMs = int(v); }},
        {"sessionIdleTimeoutMs", 0, kWeekMs,
         [](ServerConfig *c, qint64 v) { c->sessionIdleTimeoutMs = int(v); }},
        {"postGraceMs", 0, 60 * 1000, [](ServerConfig *c, qint64 v) { c->postGraceMs = int(v); }},
        {"toolsPageSize", 1, 10000, [](ServerConfig *c, qint64 v) { c->toolsPageSize = int(v); }},
        {"maxHeaderBytes", 1024, 1024 * 1024,
         [](ServerConfig *c, qint64 v) { c->maxHeaderBytes = int(v); }},
        {"maxBodyBytes", 1024, 1024LL * 1024 * 1024,
         [](ServerConfig *c, qint64 v) { c->maxBodyBytes = v; }},
        {"maxConnections", 1, 1000000,
         [](ServerConfig *c, qint64 v) { c->maxConnections = int(v); }},
        {"maxConnectionsPerPeer", 1, 1000000,
         [](ServerConfig *c, qint64 v) { c->maxConnectionsPerPeer = int(v); }},
        {"requestTimeoutMs", 100, 3600 * 1000,
         [](ServerConfig *c, qint64 v) { c->requestTimeoutMs = int(v); }},
        {"rateLimitPerSecond", 0, 1000000,
         [](ServerConfig *c, qint64 v) { c->rateLimitPerSecond = int(v); }},
        {"rateLimitBurst", 1, 1000000,
         [](ServerConfig *c, qint64 v) { c->rateLimitBurst = int(v); }},
        {"eventLogMaxEvents", 1, 1000000,
         [](ServerConfig *c, qint64 v) { c->eventLogMaxEvents = int(v); }},
        {"eventLogMaxBytes", 1024, 1024LL * 1024 * 1024,
         [](ServerConfig *c, qint64 v) { c->eventLogMaxBytes = v; }},
        {"retryMs", 0, 3600 * 1000, [](ServerConfig *c, qint64 v) { c->retryMs = int(v); }},
        {"pollCloseAfterMs", 0, kWeekMs,
         [](ServerConfig *c, qint64 v) { c->pollCloseAfterMs = int(v); }},
        {"pingIntervalMs", 0, kWeekMs,
         [](ServerConfig *c, qint64 v) { c->pingIntervalMs = int(v); }},
        {"pingTimeoutMs", 100, 3600 * 1000,
         [](ServerConfig *c, qint64 v) { c->pingTimeoutMs = int(v); }},
    };
    static const char *const stringKeys[] = {"host", "token", "logFormat"};
    static const char *const listKeys[] = {"allowedOrigins", "allowedHosts"};
    static const char *const boolKeys[] = {"rateLimitLoopback", "allowTokenInQuery"};

    QStringList known;
    for (const NumberKey &number : numberKeys)
        known.append(QString::fromLatin1(number.key));
    for (const char *key : stringKeys)
        known.append(QString::fromLatin1(key));
    for (const char *key : listKeys)
        known.append(QString::fromLatin1(key));
    for (const char *key : boolKeys)
        known.append(QString::fromLatin1(key));
    for (auto it = json.begin(); it != json.end(); ++it) {
        if (!known.contains(it.key())) {
            *error = u"config file %1: unknown key \"%2\" (known: %3)"_s.arg(path, it.key(),
                                                                             known.join(u", "_s));
            return false;
        }
    }

    // A value of the wrong type must not quietly become "" or [] (a token of 42 meaning none).
    auto typeError = [&](const char *key, const char *what) {
        *error = u"config file %1: \"%2\" must be %3"_s.arg(path, QLatin1StringView(key),
                                                            QLatin1StringView(what));
        return false;
    };
    for (const char *key : stringKeys) {
        const QJsonValue value = json.value(QLatin1StringView(key));
        if (!value.isUndefined() && !value.isString())
            return typeError(key, "a string");
    }
    for (const char *key : boolKeys) {
        const QJsonValue value = json.value(QLatin1StringView(key));
        if (!value.isUndefined() && !value.isBool())
            return typeError(key, "true or false");
    }
    for (const char *key : listKeys) {
        const QJsonValue value = json.value(QLatin1StringView(key));
        const QJsonArray items = value.toArray();
        const auto isString = [](const QJsonValue &item) { return item.isString(); };
        const bool strings = value.isArray() && std::all_of(items.begin(), items.end(), isString);
        if (!value.isUndefined() && !strings)
            return typeError(key, "a list of strings");
    }
    ServerConfig updated = *config;
    for (const NumberKey &number : numberKeys) {
        const QJsonValue value = json.value(QLatin1StringView(number.key));
        if (value.isUndefined())
            continue;
        const double n = value.toDouble(-1);
        if (!value.isDouble() || n != double(qint64(n)) || n < number.min || n > number.max) {
            *error = u"config file %1: \"%2\" must be a whole number from %3 to %4"_s.arg(
                path, QLatin1StringView(number.key), QString::number(number.min),
                QString::number(number.max));
            return false;
        }
        number.apply(&updated, qint64(n));
    }
    if (json.contains("rateLimitLoopback"_L1))
        updated.rateLimitLoopback = json.value("rateLimitLoopback"_L1).toBool();
    if (json.contains("allowTokenInQuery"_L1))
        updated.allowTokenInQuery = json.value("allowTokenInQuery"_L1).toBool();
    *config = updated;
    if (json.contains("host"_L1))
        config->host = json.value("host"_L1).toString();
    if (json.contains("token"_L1))
        config->token = json.value("token"_L1).toString();
    if (json.contains("allowedOrigins"_L1))
        config->allowedOrigins = stringList(json.value("allowedOrigins"_L1));
    if (json.contains("allowedHosts"_L1))
        config->allowedHosts = stringList(json.value("allowedHosts"_L1));
    if (json.contains("logFormat"_L1)
        && !HeadlessLog::parseFormat(json.value("logFormat"_L1).toString(), logFormat)) {
        *error = u"config file %1: \"logFormat\" must be \"text\" or \"json\""_s.arg(path);
        return false;
    }
    return true;
}

LaunchOptions parseLaunchOptions(const QStringList &arguments,
                                 const QProcessEnvironment &environment, bool hasDisplay)
{
    LaunchOptions options;
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Heartline - a personal MCP host that keeps every stream alive.\n\n"
        "Serves MCP tools over Streamable HTTP at /mcp and keeps every SSE stream alive\n"
        "through proxies with heartbeat comments. Opens its window when a display is\n"
        "available and runs headless otherwise.\n\n"
        "Also: heartline ctl [--port N] tools list|enable NAME|disable NAME\n"
        "      heartline ctl [--port N] sessions list|close ID\n"
        "      heartline ctl [--port N] status"_s);
    const QCommandLineOption help({u"h"_s, u"help"_s}, u"Show this help and exit."_s);
    const QCommandLineOption version({u"v"_s, u"version"_s}, u"Show the version and exit."_s);
    const QCommandLineOption headless(u"headless"_s,
                                      u"Run without a window and print events as lines."_s);
    const QCommandLineOption host(u"host"_s, u"Address to listen on (default 127.0.0.1)."_s,
                                  u"ADDR"_s);
    const QCommandLineOption port(
        u"port"_s, u"Port to listen on (default 8650; 0 = any free port)."_s, u"N"_s);
    const QCommandLineOption heartbeat(
        u"heartbeat-ms"_s, u"Heartbeat interval on idle SSE streams (default 15000; 0 = off)."_s,
        u"N"_s);
    const QCommandLineOption config(u"config"_s, u"Read settings from a JSON file."_s, u"FILE"_s);
    const QCommandLineOption token(u"token"_s,
                                   u"Require 'Authorization: Bearer TOKEN' (or env "
                                   "HEARTLINE_TOKEN)."_s,
                                   u"TOKEN"_s);
    const QCommandLineOption logFormat(
        u"log-format"_s, u"Headless event lines as text or json (default text)."_s, u"text|json"_s);
    const QCommandLineOption conformance(
        u"conformance"_s,
        u"Also serve the test_* tools, test:// resources and prompts the official MCP "
        "conformance suite expects (off by default)."_s);
    parser.addOptions(
        {help, version, headless, host, port, heartbeat, config, token, logFormat, conformance});
    options.helpText = parser.helpText();

    auto fail = [&options](const QString &message) {
        options.action = LaunchOptions::Action::Fail;
        options.error = message;
        return options;
    };

    if (!parser.parse(arguments))
        return fail(parser.errorText() + u" (see heartline --help)"_s);
    if (!parser.positionalArguments().isEmpty())
        return fail(u"unexpected argument '%1' (see heartline --help)"_s.arg(
            parser.positionalArguments().first()));
    if (parser.isSet(help)) {
        options.action = LaunchOptions::Action::ShowHelp;
        return options;
    }
    if (parser.isSet(version)) {
        options.action = LaunchOptions::Action::ShowVersion;
        return options;
    }

    QString error;
    if (parser.isSet(config)
        && !loadConfigFile(parser.value(config), &options.config, &options.logFormat, &error))
        return fail(error);
    options.configFileGiven = parser.isSet(config);
    // Set but empty is not a token: it must not quietly drop the one from the config file.
    if (!environment.value(u"HEARTLINE_TOKEN"_s).isEmpty()) {
        options.config.token = environment.value(u"HEARTLINE_TOKEN"_s);
        options.explicitFields.append(u"token"_s);
    }
    if (parser.isSet(host))
        options.config.host = parser.value(host);
    const std::pair<const QCommandLineOption *, QString> flagFields[] = {
        {&host, u"host"_s},
        {&port, u"port"_s},
        {&heartbeat, u"heartbeatMs"_s},
        {&token, u"token"_s}};
    for (const auto &[flag, field] : flagFields) {
        if (parser.isSet(*flag) && !options.explicitFields.contains(field))
            options.explicitFields.append(field);
    }
    if (parser.isSet(port) && !parsePort(parser.value(port), &options.config.port, &error))
        return fail(error);
    if (parser.isSet(heartbeat)
        && !parseHeartbeat(parser.value(heartbeat), &options.config.heartbeatMs, &error))
        return fail(error);
    if (parser.isSet(token))
        options.config.token = parser.value(token);
    if (parser.isSet(logFormat)
        && !HeadlessLog::parseFormat(parser.value(logFormat), &options.logFormat))
        return fail(
            u"--log-format must be 'text' or 'json', not '%1'"_s.arg(parser.value(logFormat)));
    options.config.conformance = parser.isSet(conformance);
    options.headless = parser.isSet(headless) || !hasDisplay;

    if (options.config.host != "localhost"_L1 && QHostAddress(options.config.host).isNull())
        return fail(u"--host must be an IP address such as 127.0.0.1 or ::1, not '%1'"_s.arg(
            options.config.host));
    if (!isLoopbackHost(options.config.host) && options.config.token.isEmpty())
        return fail(
            u"refusing to listen on %1 without a token: anyone who can reach it could "
            "run your tools. Set --token (or HEARTLINE_TOKEN), or listen on 127.0.0.1"_s.arg(
                options.config.host));
    return options;
}

} // namespace heartline
