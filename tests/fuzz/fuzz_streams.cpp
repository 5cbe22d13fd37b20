// The byte streams Heartline reads from its upstream servers: a stdio server's stdout through
// the BoundedLineReader (newline-delimited JSON-RPC: garbage, huge lines, CRLF) and a remote
// server's text/event-stream through the SseReader - each fed whole and split at cuts the
// first byte seeds, as pipes and sockets deliver.
//
// Invariants: the reader never holds more than its cap; a line it delivers is within the cap;
// how the bytes were split changes nothing (the same lines and overflows, the same events and
// last event id).

#include "server/tools/upstream/boundedlinereader.h"
#include "server/tools/upstream/ssereader.h"
#include "tests/fuzz/fuzzsupport.h"

#include <QList>

using namespace heartline;

namespace {

constexpr qsizetype kCap = 64;

QList<QByteArray> readLines(const QList<QByteArray> &chunks, const QByteArray &input)
{
    BoundedLineReader reader(kCap);
    QList<QByteArray> seen;
    for (const QByteArray &chunk : chunks) {
        reader.append(
            chunk,
            [&](const QByteArray &line) {
                if (line.size() > kCap)
                    fuzzing::fail("a line over the cap was delivered", input);
                seen.append("L" + line);
            },
            [&](const QByteArray &head) { seen.append("O" + head); });
        if (reader.bufferedBytes() > kCap)
            fuzzing::fail("the line reader holds more than its cap", input);
    }
    seen.append("R" + reader.takeRest());
    return seen;
}

QList<QByteArray> readEvents(const QList<QByteArray> &chunks)
{
    SseReader reader(4 * kCap);
    QList<SseReader::Event> events;
    QList<QByteArray> seen;
    for (const QByteArray &chunk : chunks) {
        if (!reader.feed(chunk, &events)) {
            seen.append("refused");
            break;
        }
    }
    for (const SseReader::Event &event : std::as_const(events))
        seen.append(event.type + '\n' + event.id + '\n' + event.data);
    seen.append("last " + reader.lastEventId() + " retry " + QByteArray::number(reader.retryMs()));
    return seen;
}

} // namespace

HEARTLINE_FUZZ_INITIALIZE()

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const fuzzing::SplitInput input = fuzzing::splitInput(data, size);
    if (readLines({input.whole}, input.whole) != readLines(input.pieces, input.whole))
        fuzzing::fail("lines depend on how the bytes were split", input.whole);
    if (readEvents({input.whole}) != readEvents(input.pieces))
        fuzzing::fail("events depend on how the bytes were split", input.whole);
    return 0;
}
