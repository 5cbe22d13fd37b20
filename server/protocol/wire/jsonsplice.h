#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace heartline {

// Writes one member into a JSON text someone else owns (an MCP client's config file) and
// changes no other byte: the value of an existing member is replaced in place; a missing
// member is inserted right after its object's opening brace, indented like its neighbours, and
// the objects along `path` are created when absent. Comments (// and /* */, which VS Code's
// mcp.json allows) are skipped as whitespace and kept.
//
// `path` names member names from the top-level object ({"mcpServers", "heartline"});
// `valueJson` is the value's JSON text (indented or compact). False, with `error`, when the
// text is not one JSON object, or a step of `path` names something that is not an object.
bool setJsonMember(QByteArray *text, const QStringList &path, const QByteArray &valueJson,
                   QString *error);

// Takes the member at `path` out of the text (every member of that name, when the file gives
// it twice), with its line when it had one of its own and the comma that separated it; every
// other byte stays. False, with `error`, when the text is
// not one JSON object or there is no such member.
bool removeJsonMember(QByteArray *text, const QStringList &path, QString *error);

} // namespace heartline
