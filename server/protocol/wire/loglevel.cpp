#include "server/protocol/wire/loglevel.h"

#include <array>

namespace heartline::LogLevels {
namespace {
constexpr std::array<const char *, 8> kNames{"debug", "info",     "notice", "warning",
                                             "error", "critical", "alert",  "emergency"};
}

bool parse(const QString &text, LogLevel *level)
{
    for (std::size_t i = 0; i < kNames.size(); ++i) {
        if (text == QLatin1StringView(kNames[i])) {
            *level = LogLevel(i);
            return true;
        }
    }
    return false;
}

QString name(LogLevel level)
{
    return QString::fromLatin1(kNames[std::size_t(level)]);
}

} // namespace heartline::LogLevels
