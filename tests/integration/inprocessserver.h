#pragma once

#include "heartlineserver.h"

#include <memory>

namespace heartline::testing {

// Loopback on a free port, with the short heartbeat and POST grace the transport tests inject
// so that keep-alives and adaptive replies happen within a test's deadline.
ServerConfig loopbackConfig(int heartbeatMs, int postGraceMs);

// The real server in this process on a free port, with the built-in tools, once the tool
// registry's first (coalesced) list_changed has gone out - so every session a test opens
// starts from a settled tool list and sees only the changes the test makes. Null on failure.
std::unique_ptr<HeartlineServer> startInProcessServer(const ServerConfig &config);

// Deletes the server and everything it deferred, so the next test starts clean.
void stopInProcessServer(std::unique_ptr<HeartlineServer> &server);

} // namespace heartline::testing
