#include "server/api/upstreamstate.h"

#include <QCoreApplication>

#include <array>

namespace heartline {
namespace {

struct StateRow
{
    UpstreamState state;
    const char *name;
    const char *label;
};

// The one table: machine name and (translatable) label of every state.
constexpr std::array<StateRow, 9> kStates{{
    {UpstreamState::Disabled, "disabled",
     QT_TRANSLATE_NOOP("heartline::UpstreamState", "disabled")},
    {UpstreamState::ConfigError, "config_error",
     QT_TRANSLATE_NOOP("heartline::UpstreamState", "config error")},
    {UpstreamState::Starting, "starting",
     QT_TRANSLATE_NOOP("heartline::UpstreamState", "starting")},
    {UpstreamState::Ready, "ready", QT_TRANSLATE_NOOP("heartline::UpstreamState", "ready")},
    {UpstreamState::Degraded, "degraded",
     QT_TRANSLATE_NOOP("heartline::UpstreamState", "not answering pings")},
    {UpstreamState::Crashed, "crashed", QT_TRANSLATE_NOOP("heartline::UpstreamState", "crashed")},
    {UpstreamState::CrashLoop, "crash_loop",
     QT_TRANSLATE_NOOP("heartline::UpstreamState", "crash loop")},
    {UpstreamState::Stopped, "stopped", QT_TRANSLATE_NOOP("heartline::UpstreamState", "stopped")},
    {UpstreamState::AwaitingApproval, "awaiting_approval",
     QT_TRANSLATE_NOOP("heartline::UpstreamState", "needs your approval")},
}};

const StateRow &rowOf(UpstreamState state)
{
    for (const StateRow &row : kStates) {
        if (row.state == state)
            return row;
    }
    return kStates.front();
}

} // namespace

QString upstreamStateName(UpstreamState state)
{
    return QString::fromLatin1(rowOf(state).name);
}

bool parseUpstreamState(const QString &name, UpstreamState *state)
{
    for (const StateRow &row : kStates) {
        if (name == QLatin1StringView(row.name)) {
            *state = row.state;
            return true;
        }
    }
    return false;
}

QString upstreamStateLabel(UpstreamState state)
{
    return QCoreApplication::translate("heartline::UpstreamState", rowOf(state).label);
}

} // namespace heartline
