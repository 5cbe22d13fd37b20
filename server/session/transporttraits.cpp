#include "server/session/transporttraits.h"

namespace heartline {

namespace {

constexpr TransportTraits kStreamableHttp = [] {
    TransportTraits traits;
    traits.resumable = true;
    return traits;
}();

constexpr TransportTraits kLegacySse = [] {
    TransportTraits traits;
    traits.orphanedMessages = OrphanedMessages::SessionStream;
    traits.standaloneEventName = "message";
    traits.endsWithLegacyStream = true;
    return traits;
}();

// 2026-07-28 streams are not resumable: no id that would invite a client to try.
constexpr TransportTraits kStreamableHttpStateless = [] {
    TransportTraits traits;
    traits.singleRequest = true;
    traits.idsEvents = false;
    traits.pings = false;
    traits.subscriptions = true;
    return traits;
}();

} // namespace

const TransportTraits &TransportTraits::of(TransportKind kind)
{
    switch (kind) {
    case TransportKind::StreamableHttp:
        break;
    case TransportKind::LegacySse:
        return kLegacySse;
    case TransportKind::StreamableHttpStateless:
        return kStreamableHttpStateless;
    }
    return kStreamableHttp;
}

} // namespace heartline
