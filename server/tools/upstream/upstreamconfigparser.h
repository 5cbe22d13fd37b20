#pragma once

#include "server/tools/upstream/upstreamserverconfig.h"
#include "server/tools/upstream/variableexpander.h"

#include <QJsonValue>
#include <QList>
#include <QString>
#include <QStringList>

namespace heartline {

// Reads the config file's `mcpServers` object: Claude Desktop's format (stdio entries
// {command, args, env, cwd}; remote entries {type, url, headers}), the spellings other clients
// use (serverUrl, streamable-http, Windsurf's `disabled`), and Heartline's own keys (enabled,
// disabledTools, timeoutMs, restart, instances, description, importedFrom, roots). ${...} is
// expanded in command, args, env, cwd, url and headers.
//
// Two kinds of failure: `mcpServers` that is not an object refuses the whole file, while a
// problem in one entry (an unset variable, a missing command, a bad url or type, a bad name)
// is kept in that entry's `problem` and every other server still loads.
class UpstreamConfigParser final
{
public:
    explicit UpstreamConfigParser(VariableExpander expander);

    // Every entry of `mcpServers` (undefined: none), in `fileOrder` (the keys as the file
    // writes them, see server/protocol/wire/jsontext.h; keys it lacks follow in sorted order).
    // False, with `error` naming the key, when `mcpServers` is not an object.
    bool parse(const QJsonValue &mcpServers, const QStringList &fileOrder,
               QList<UpstreamServerConfig> *servers, QString *error) const;

    // One entry; its `problem` is empty when it can be started as written.
    UpstreamServerConfig parseEntry(const QString &name, const QJsonValue &entry) const;

private:
    VariableExpander m_expander;
};

} // namespace heartline
