#pragma once

#include "server/tools/command/argvtemplate.h"

#include <QHash>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>
#include <QStringList>

namespace heartline {

class VariableExpander;

// One entry of the config file's `commandTools`: a program on this machine offered as an MCP
// tool, no server needed.
//
//   "grep_notes": {"description": "Search my notes", "command": "grep",
//                  "args": ["-rn", "--", "{pattern}", "${HOME}/notes"],
//                  "inputSchema": {"type": "object", "properties": {"pattern": {...}},
//                                  "required": ["pattern"]},
//                  "cwd": "...", "env": {...}, "timeoutMs": 60000, "maxOutputBytes": 1048576}
//
// An `outputSchema` declares JSON output: stdout is then parsed as the result's
// structuredContent. ${...} is expanded in command, args (outside placeholders), cwd and env.
struct CommandToolConfig
{
    static constexpr int kDefaultTimeoutMs = 60 * 1000;
    static constexpr qint64 kDefaultMaxOutputBytes = 1024 * 1024;

    QString name; // the key in commandTools, and the tool's name
    QString title;
    QString description;
    QString command;
    QStringList writtenArgs; // as the file writes them, for display
    ArgvTemplate args;
    QJsonObject inputSchema;
    QJsonObject outputSchema;
    QJsonObject annotations;
    QString cwd; // empty: the user's home folder
    QHash<QString, QString> env;
    int timeoutMs = kDefaultTimeoutMs;
    qint64 maxOutputBytes = kDefaultMaxOutputBytes;

    // Set when the entry cannot be offered as written: the key and why. Such a tool is
    // reported, not registered; every other tool of the file still is.
    QString problem;

    bool operator==(const CommandToolConfig &other) const;
    bool operator!=(const CommandToolConfig &other) const { return !(*this == other); }
};

// Reads `commandTools`. Not an object refuses the whole file (false, with `error`); a problem
// in one entry stays in that entry's `problem`.
bool parseCommandTools(const QJsonValue &commandTools, const VariableExpander &expander,
                       QList<CommandToolConfig> *tools, QString *error);

CommandToolConfig parseCommandTool(const QString &name, const QJsonValue &entry,
                                   const VariableExpander &expander);

} // namespace heartline
