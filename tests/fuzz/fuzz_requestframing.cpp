// Raw bytes of a connection through the Gatekeeper's request framing (RequestFraming), which
// decides where each request ends and which are refused before QHttpServer buffers them:
// request lines, headers, Content-Length games, chunked bodies, pipelined requests.
//
// Invariants: a step never claims more bytes than it was given; NeedMore takes them all; a
// violation sticks; and however the bytes are split (the first byte seeds the cuts, as TCP
// might), the same requests complete and the same violation ends them - the Gatekeeper must not
// judge a request by how it was segmented.

#include "server/qt64/requestframing.h"
#include "tests/fuzz/fuzzsupport.h"

#include <QList>

using namespace heartline;

namespace {

struct Outcome
{
    int complete = 0;
    RequestFraming::Outcome last = RequestFraming::Outcome::NeedMore;
    bool operator==(const Outcome &other) const
    {
        return complete == other.complete && last == other.last;
    }
};

Outcome frame(const QByteArray &input, const QList<QByteArray> &chunks)
{
    RequestFraming framing(512, 4096);
    Outcome outcome;
    for (const QByteArray &chunk : chunks) {
        QByteArrayView piece(chunk);
        while (!piece.isEmpty()) {
            const RequestFraming::Step step = framing.feed(piece);
            if (step.used < 0 || step.used > piece.size())
                fuzzing::fail("a step used more bytes than it was given", input);
            if (step.outcome == RequestFraming::Outcome::NeedMore) {
                if (step.used != piece.size())
                    fuzzing::fail("NeedMore left bytes unused", input);
                break;
            }
            if (step.outcome == RequestFraming::Outcome::Complete) {
                ++outcome.complete;
                piece = piece.sliced(step.used);
                continue;
            }
            outcome.last = step.outcome;
            // Broken for good: more bytes say the same.
            if (framing.feed("GET / HTTP/1.1\r\n\r\n").outcome != step.outcome)
                fuzzing::fail("a violation did not stick", input);
            return outcome;
        }
    }
    return outcome;
}

} // namespace

HEARTLINE_FUZZ_INITIALIZE()

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const fuzzing::SplitInput input = fuzzing::splitInput(data, size);
    if (!(frame(input.whole, {input.whole}) == frame(input.whole, input.pieces)))
        fuzzing::fail("the outcome depends on how the bytes were split", input.whole);
    return 0;
}
