#pragma once

#include "server/tools/upstream/upstreamserverconfig.h"

namespace heartline {

class UpstreamChannel;

// The channel a config entry asks for: a StdioChannel for a command (its environment built
// from the allowlist plus the entry's env), a remote channel for a url. The caller owns it.
UpstreamChannel *createUpstreamChannel(const UpstreamServerConfig &config);

} // namespace heartline
