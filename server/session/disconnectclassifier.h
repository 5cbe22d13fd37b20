#pragma once

#include "server/api/disconnectcause.h"

#include <QString>

namespace heartline {

// What is known about a stream the moment it ended without completing.
struct StreamEndFacts
{
    DisconnectCause cause = DisconnectCause::ClientClosed; // as the stream saw it
    qint64 silentMs = 0;                                   // since the last byte written on it
    bool responseOwed = false;                             // a response was still due on it
    bool listening = false; // a subscriptions/listen stream (2026-07-28)
};

struct ClassifierSettings
{
    int heartbeatIntervalMs = 0; // 0 = heartbeats off
    // Silence after which a peer's close looks like a proxy's idle timeout rather than the
    // client's own doing. Not a config key: tests shorten it to provoke the case quickly.
    int proxyIdleToleranceMs = 1000;
};

// Refines how a stream ended into the cause the user should see: a peer close after a long
// silence while a response was owed is suspected to be a proxy (`detail` then says how to
// fix it); anything else keeps the stream's own cause and leaves `detail` alone.
DisconnectCause classifyStreamEnd(const StreamEndFacts &facts, const ClassifierSettings &settings,
                                  QString *detail);

} // namespace heartline
