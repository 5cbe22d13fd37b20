#include "server/api/serverconfig.h"

#include <QHostAddress>

using namespace Qt::StringLiterals;

namespace heartline {

bool ServerConfig::isLoopbackHost(const QString &host)
{
    if (host == "localhost"_L1)
        return true;
    const QHostAddress address(host);
    return !address.isNull() && address.isLoopback();
}

QString ServerConfig::problem() const
{
    const ServerConfig &config = *this;
    if (config.host != "localhost"_L1 && QHostAddress(config.host).isNull())
        return u"host must be an IP address such as 127.0.0.1 or ::1, not '%1'"_s.arg(config.host);
    if (!isLoopbackHost(config.host) && config.token.isEmpty())
        return u"refusing to listen on %1 without a token: anyone who can reach it could run "
               "your tools. Set a token, or listen on 127.0.0.1"_s.arg(config.host);
    if (config.heartbeatMs < 0 || config.heartbeatMs > kMaxHeartbeatMs
        || (config.heartbeatMs > 0 && config.heartbeatMs < 10))
        return u"the heartbeat must be 0 (off) or from 10 to %1 ms, not %2"_s.arg(kMaxHeartbeatMs)
            .arg(config.heartbeatMs);

    // The ranges the config file accepts (app/launchoptions.cpp).
    struct Range
    {
        const char *name;
        qint64 value;
        qint64 min;
        qint64 max;
    };
    constexpr qint64 kWeekMs = 7LL * 24 * 3600 * 1000;
    const Range ranges[] = {
        {"sessionIdleTimeoutMs", config.sessionIdleTimeoutMs, 0, kWeekMs},
        {"postGraceMs", config.postGraceMs, 0, 60 * 1000},
        {"toolsPageSize", config.toolsPageSize, 1, 10000},
        {"maxHeaderBytes", config.maxHeaderBytes, 1024, 1024 * 1024},
        {"maxBodyBytes", config.maxBodyBytes, 1024, 1024LL * 1024 * 1024},
        {"maxConnections", config.maxConnections, 1, 1000000},
        {"maxConnectionsPerPeer", config.maxConnectionsPerPeer, 1, 1000000},
        {"requestTimeoutMs", config.requestTimeoutMs, 100, 3600 * 1000},
        {"rateLimitPerSecond", config.rateLimitPerSecond, 0, 1000000},
        {"rateLimitBurst", config.rateLimitBurst, 1, 1000000},
        {"eventLogMaxEvents", config.eventLogMaxEvents, 1, 1000000},
        {"eventLogMaxBytes", config.eventLogMaxBytes, 1024, 1024LL * 1024 * 1024},
        {"retryMs", config.retryMs, 0, 3600 * 1000},
        {"pollCloseAfterMs", config.pollCloseAfterMs, 0, kWeekMs},
        {"pingIntervalMs", config.pingIntervalMs, 0, kWeekMs},
        {"pingTimeoutMs", config.pingTimeoutMs, 1, kWeekMs},
        {"streamHighWaterBytes", config.streamHighWaterBytes, 1024, 1024LL * 1024 * 1024},
        {"standaloneBacklog", config.standaloneBacklog, 0, 1000000},
    };
    for (const Range &range : ranges) {
        if (range.value < range.min || range.value > range.max)
            return u"%1 must be from %2 to %3, not %4"_s.arg(QLatin1StringView(range.name))
                .arg(range.min)
                .arg(range.max)
                .arg(range.value);
    }
    return {};
}

} // namespace heartline
