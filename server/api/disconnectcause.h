#pragma once

#include <QString>

namespace heartline {

// Why a connection, stream or session ended, or why a request was turned away. One closed set
// shared by the GUI, the headless log and /metrics (DESIGN.md, "Disconnect causes").
enum class DisconnectCause {
    ClientClosed,
    ConnectionReset,
    WriteFailed,
    SlowConsumer,
    SessionDeleted,
    SessionExpired,
    StreamReplaced,
    PollClose,
    ServerShutdown,
    ProtocolError,
    Unresponsive,
    ProxyIdleSuspected,
    // Requests turned away before they reached a session.
    AuthFailed,
    OriginRejected,
    RateLimited,
    TooLarge,
};

namespace DisconnectCauses {
QString name(DisconnectCause cause);
bool parse(const QString &text, DisconnectCause *cause);
QList<DisconnectCause> all();
} // namespace DisconnectCauses

} // namespace heartline
