#pragma once

#include "server/tools/upstream/upstreamserverconfig.h"

namespace heartline {

class UpstreamChannel;

// The channel a config entry asks for: a StdioChannel for a command (its environment built
// from the allowlist plus the entry's env), a remote channel for a url. The caller owns it.
// `path`, when set, is the PATH a stdio child gets and its command is resolved on (the login
// shell's, LoginShellPath) instead of Heartline's own; the entry's env may still override it.
UpstreamChannel *createUpstreamChannel(const UpstreamServerConfig &config,
                                       const QString &path = {});

} // namespace heartline
