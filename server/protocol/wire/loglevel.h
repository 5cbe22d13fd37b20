#pragma once

#include <QString>

namespace heartline {

// RFC 5424 severities as MCP names them, in ascending order so they compare by severity.
enum class LogLevel { Debug, Info, Notice, Warning, Error, Critical, Alert, Emergency };

namespace LogLevels {
bool parse(const QString &text, LogLevel *level);
QString name(LogLevel level);
} // namespace LogLevels

} // namespace heartline
