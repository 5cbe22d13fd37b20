#pragma once

#include <QJsonObject>
#include <QString>

namespace heartline {

// Builders for MCP content blocks (tool results, prompt messages, embedded resources), so no
// caller spells the JSON shapes by hand. Binary data is passed already base64-encoded.
namespace Content {

QJsonObject text(const QString &text);
QJsonObject image(const QString &base64Data, const QString &mimeType);
QJsonObject audio(const QString &base64Data, const QString &mimeType);
// A link to a resource the client may read (2025-06-18); it need not appear in resources/list.
QJsonObject resourceLink(const QString &uri, const QString &name, const QString &mimeType = {},
                         const QString &description = {});
// An embedded resource: {"type":"resource","resource":{uri, mimeType, text}}.
QJsonObject embeddedText(const QString &uri, const QString &mimeType, const QString &text);
QJsonObject embeddedBlob(const QString &uri, const QString &mimeType, const QString &base64Data);

} // namespace Content
} // namespace heartline
