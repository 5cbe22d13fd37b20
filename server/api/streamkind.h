#pragma once

#include <QString>

namespace heartline {

// What opened an SSE stream. The api owns it because the window tells streams apart by it
// (StreamInfo::kind); the stream layer uses the same enum, so there is nothing to map.
enum class StreamKind { PostResponse, Standalone, Legacy };

// The machine name ("post", "get", "legacy"): part of stream ids and the headless log's "kind"
// field, so it never changes and is never translated. The window has its own label table.
QString streamKindName(StreamKind kind);

} // namespace heartline
