#include "server/api/serverconfig.h"

#include "server/api/serverconfigschema.h"

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
    // Every number in the range the config file accepts: one table says both.
    return ServerConfigSchema::rangeProblem(config);
}

} // namespace heartline
