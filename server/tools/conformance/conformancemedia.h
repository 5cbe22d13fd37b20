#pragma once

// The binary payloads of the fixtures, base64-encoded, the same bytes as the suite's reference
// server (everything-server.ts) so results can be compared side by side.
namespace heartline::ConformanceMedia {

// A 1x1 PNG.
inline constexpr char kPngBase64[] = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z"
                                     "8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";
// A WAV file with a header and one silent 16-bit sample.
inline constexpr char kWavBase64[] = "UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAAB9AAACABAAZGF0YQIAAAA=";

} // namespace heartline::ConformanceMedia
