#pragma once

#include "server/tools/upstream/upstreamserverconfig.h"

class QObject;

namespace heartline {

class UpstreamChannel;

// The channel for a remote entry: StreamableHttpChannel (type "http"), SseChannel (type
// "sse") or FallbackChannel (a url without a type). Null for a stdio entry. A bad url is
// refused by the channel's open() with closed(reason, false), like any other failure to open.
UpstreamChannel *createRemoteChannel(const UpstreamServerConfig &config, QObject *parent = nullptr);

} // namespace heartline
