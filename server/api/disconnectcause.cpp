#include "server/api/disconnectcause.h"

#include <QList>

#include <array>

namespace heartline::DisconnectCauses {
namespace {

struct Named
{
    DisconnectCause cause;
    const char *name;
};

constexpr std::array<Named, 16> kNames{{
    {DisconnectCause::ClientClosed, "client_closed"},
    {DisconnectCause::ConnectionReset, "connection_reset"},
    {DisconnectCause::WriteFailed, "write_failed"},
    {DisconnectCause::SlowConsumer, "slow_consumer"},
    {DisconnectCause::SessionDeleted, "session_deleted"},
    {DisconnectCause::SessionExpired, "session_expired"},
    {DisconnectCause::StreamReplaced, "stream_replaced"},
    {DisconnectCause::PollClose, "poll_close"},
    {DisconnectCause::ServerShutdown, "server_shutdown"},
    {DisconnectCause::ProtocolError, "protocol_error"},
    {DisconnectCause::Unresponsive, "unresponsive"},
    {DisconnectCause::ProxyIdleSuspected, "proxy_idle_suspected"},
    {DisconnectCause::AuthFailed, "auth_failed"},
    {DisconnectCause::OriginRejected, "origin_rejected"},
    {DisconnectCause::RateLimited, "rate_limited"},
    {DisconnectCause::TooLarge, "too_large"},
}};

} // namespace

QString name(DisconnectCause cause)
{
    for (const Named &named : kNames) {
        if (named.cause == cause)
            return QString::fromLatin1(named.name);
    }
    return QStringLiteral("unknown");
}

bool parse(const QString &text, DisconnectCause *cause)
{
    for (const Named &named : kNames) {
        if (text == QLatin1StringView(named.name)) {
            *cause = named.cause;
            return true;
        }
    }
    return false;
}

QList<DisconnectCause> all()
{
    QList<DisconnectCause> causes;
    for (const Named &named : kNames)
        causes.append(named.cause);
    return causes;
}

} // namespace heartline::DisconnectCauses
