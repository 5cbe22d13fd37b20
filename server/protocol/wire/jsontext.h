#pragma once

#include <QByteArray>
#include <QHash>
#include <QJsonParseError>
#include <QString>
#include <QStringList>

namespace heartline {

// What QJsonDocument does not keep of a JSON text a person wrote: where a mistake is, and the
// order of the keys. Shared by everything that reads or edits the user's JSON files (the config
// file, its editor ConfigDocument, the other clients' configs `heartline import` reads).

// "FILE:LINE:COLUMN: reason" for a text that failed to parse, counting from 1 as editors do
// (the column in characters, at the character that could not be read), the reason in people's
// words ("missing comma", "unterminated string") rather than Qt's.
QString describeJsonParseError(const QString &path, const QByteArray &text,
                               const QJsonParseError &error);

// The path of an object inside a JSON text, as jsonKeyOrder() names it: "" for the top-level
// value, then one step per member name or array index.
QString jsonChildPath(const QString &parent, const QString &step);

// The keys of every object in a text QJsonDocument has already accepted, in the order the text
// writes them, by the object's path (QJsonObject sorts its keys; a person's file should keep
// theirs). A key written twice is listed once, where it first was.
QHash<QString, QStringList> jsonKeyOrder(const QByteArray &json);

// The keys of one object, named by member names from the top-level object ({"mcpServers"});
// empty when the path leads nowhere or to something that is not an object.
QStringList jsonObjectKeysInOrder(const QByteArray &json, const QStringList &path);

} // namespace heartline
