// JSON-RPC bodies through the HTTP body parser and a protocol session (stateful after a 2025-11-25
// handshake, stateful before one, or stateless 2026-07-28), asserting what every client relies
// on: each request gets exactly one final answer, with its id exactly as sent (1 and "1" and 1.0
// are different ids), a notification or a response none, and nothing crashes.
//
// The first byte picks the mode; the rest is the body.

#include "server/protocol/wire/jsonrpc.h"
#include "tests/fuzz/fuzzsupport.h"
#include "tests/support/sessionloopback.h"

#include <QHash>

using namespace heartline;
using namespace heartline::testing;

HEARTLINE_FUZZ_INITIALIZE()

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const uint8_t mode = data[0];
    const QByteArray body = fuzzing::bytes(data + 1, size - 1);

    Session::Options options;
    options.stateless = (mode & 2) != 0;
    options.toolsPageSize = 1 + (mode >> 4);
    SessionLoopback loopback(SessionLoopback::testIdentity(), options);
    loopback.addTool(u"echo"_s, FakeTool::Mode::Immediate);
    loopback.addTool(u"other"_s, FakeTool::Mode::Immediate);
    if (!options.stateless && (mode & 1))
        loopback.handshake();
    loopback.sent.clear();

    const JsonRpcBody parsed = JsonRpc::parseBody(body);
    QHash<QByteArray, int> asked;
    for (const JsonRpcMessage &message : parsed.messages) {
        // A listen stream stays open for the client to close: it has no final answer.
        if (message.isRequest() && message.method != u"subscriptions/listen"_s)
            ++asked[wire(message.id.toJson())];
        loopback.session.receive(message);
    }
    QHash<QByteArray, int> answered;
    for (const OutgoingMessage &message : std::as_const(loopback.sent)) {
        if (message.isFinalResponse)
            ++answered[wire(message.json.value("id"_L1))];
    }
    if (answered != asked)
        fuzzing::fail("requests and final answers differ", body);
    return 0;
}
