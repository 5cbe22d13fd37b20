#pragma once

#include "server/api/serverconfig.h"
#include "server/protocol/session/session.h"

namespace heartline {

class HeartbeatScheduler;
class Monitor;
class PromptRegistry;
class ResourceRegistry;
class ToolRegistry;

// The shared services a session or transport needs, handed down by the server that owns them.
struct ServerContext
{
    const ServerConfig *config = nullptr;
    ToolRegistry *tools = nullptr;
    ResourceRegistry *resources = nullptr;
    PromptRegistry *prompts = nullptr;
    HeartbeatScheduler *heartbeats = nullptr;
    Monitor *monitor = nullptr;
    ServerIdentity identity;
};

} // namespace heartline
