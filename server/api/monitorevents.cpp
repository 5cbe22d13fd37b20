#include "server/api/monitorevents.h"

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

} // namespace heartline
