#pragma once

#include <QJsonObject>
#include <QString>

namespace heartline {

// Checks tool arguments against the parts of a JSON Schema object that matter for tool inputs:
// required properties, primitive types, enum, numeric bounds, string length and
// additionalProperties:false. Returns an empty string when the arguments pass, otherwise a
// sentence a person can act on ("argument 'ms' must be an integer, got a string").
// Keywords it does not know are ignored rather than rejected: the schema is the tool's
// documentation first, and the tool itself still owns the last word on its input.
QString checkArguments(const QJsonObject &schema, const QJsonObject &arguments);

} // namespace heartline
