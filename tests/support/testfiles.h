#pragma once

#include <QByteArray>
#include <QString>

namespace heartline::testing {

// The whole file, or empty when it cannot be read.
QByteArray readFileBytes(const QString &path);
// Writes `text` to `path` (replacing it), creating its folder; false on any failure.
bool writeFileBytes(const QString &path, const QByteArray &text);

} // namespace heartline::testing
