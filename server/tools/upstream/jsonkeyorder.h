#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace heartline {

// The keys of one object in a JSON text, in the order the text writes them. QJsonObject keeps
// its keys sorted, but mcpServers is served in the user's order (the first server to offer a
// resource URI keeps it), so that order is read from the text itself.
//
// `path` names the object by member names from the top-level object ({"mcpServers"}). The text
// must already have parsed with QJsonDocument; an empty list when the path leads nowhere or
// to something that is not an object. A key written twice is listed once, where it first was.
QStringList jsonObjectKeysInOrder(const QByteArray &json, const QStringList &path);

} // namespace heartline
