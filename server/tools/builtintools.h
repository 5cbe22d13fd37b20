#pragma once

#include "server/protocol/catalog/tool.h"

#include <memory>

namespace heartline {

class ToolRegistry;

// Answers with the message it was given; the quickest possible round trip.
class EchoTool final : public Tool
{
public:
    ToolDefinition definition() const override;
    void call(ToolCall *call) override;
};

// Waits on a timer (never blocking), reporting progress when the client asked for it.
// The long-running call that proxies like to cut, so the one heartbeat tests lean on.
class SleepTool final : public Tool
{
public:
    static constexpr int kMaxMs = 24 * 60 * 60 * 1000;
    static constexpr int kDefaultProgressEveryMs = 1000;

    ToolDefinition definition() const override;
    void call(ToolCall *call) override;
};

// The local time, its UTC offset and the time zone name.
class NowTool final : public Tool
{
public:
    ToolDefinition definition() const override;
    void call(ToolCall *call) override;
};

void registerBuiltinTools(ToolRegistry *registry);

} // namespace heartline
