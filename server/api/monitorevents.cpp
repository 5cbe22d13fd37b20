#include "server/api/monitorevents.h"

#include <array>
#include <utility>

using namespace Qt::StringLiterals;

namespace heartline {

QString transportKindName(TransportKind kind)
{
    switch (kind) {
    case TransportKind::StreamableHttp:
        return u"streamable-http"_s;
    case TransportKind::LegacySse:
        return u"sse"_s;
    case TransportKind::StreamableHttpStateless:
        return u"streamable-http (stateless)"_s;
    }
    return {};
}

QString toolCallOutcomeName(ToolCallOutcome outcome)
{
    switch (outcome) {
    case ToolCallOutcome::Ok:
        return u"ok"_s;
    case ToolCallOutcome::ToolError:
        return u"tool_error"_s;
    case ToolCallOutcome::ProtocolError:
        return u"protocol_error"_s;
    case ToolCallOutcome::Cancelled:
        return u"cancelled"_s;
    }
    return {};
}

namespace {

// The one table of forwarded-call outcomes and their machine names, in /metrics order.
constexpr std::array<std::pair<UpstreamCallOutcome, const char *>, 4> kUpstreamCallOutcomes{{
    {UpstreamCallOutcome::Ok, "ok"},
    {UpstreamCallOutcome::ToolError, "tool_error"},
    {UpstreamCallOutcome::Failed, "failed"},
    {UpstreamCallOutcome::Cancelled, "cancelled"},
}};

} // namespace

QString upstreamCallOutcomeName(UpstreamCallOutcome outcome)
{
    for (const auto &[known, name] : kUpstreamCallOutcomes) {
        if (known == outcome)
            return QString::fromLatin1(name);
    }
    return {};
}

QList<UpstreamCallOutcome> allUpstreamCallOutcomes()
{
    QList<UpstreamCallOutcome> outcomes;
    for (const auto &row : kUpstreamCallOutcomes)
        outcomes.append(row.first);
    return outcomes;
}

} // namespace heartline
