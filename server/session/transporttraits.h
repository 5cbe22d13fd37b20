#pragma once

#include "server/api/monitorevents.h"

namespace heartline {

// Where a message goes that belongs to a request whose POST stream is gone.
enum class OrphanedMessages {
    Dropped,       // nothing else reaches the client: the work went on, the answer is lost
    SessionStream, // the session's one stream carries everything (2024-11-05)
};

// What a session does differently per transport, in one row per TransportKind, so the HTTP
// session asks the table instead of branching on the kind. Revision differences stay in
// Revisions::traits; a row says what the transport allows, the revision may still say no.
struct TransportTraits
{
    // One request outside any client-visible session (2026-07-28): announced with that
    // request, ended with it, no session-level disconnect of its own.
    bool singleRequest = false;
    // Events carry ids, and a priming event may give the client its first cursor.
    bool idsEvents = true;
    // Keeps its events for Last-Event-ID and may close POST streams early (SEP-1699).
    bool resumable = false;
    // Server pings can reach the client on its standalone stream.
    bool pings = true;
    // subscriptions/listen streams: silent by nature, ended gracefully on shutdown.
    bool subscriptions = false;
    OrphanedMessages orphanedMessages = OrphanedMessages::Dropped;
    // The SSE `event:` of messages on the standalone stream (empty: the default "message").
    const char *standaloneEventName = nullptr;
    // The session lives exactly as long as its StreamKind::Legacy stream.
    bool endsWithLegacyStream = false;

    static const TransportTraits &of(TransportKind kind);
};

} // namespace heartline
