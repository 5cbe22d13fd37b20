#include "tests/support/sseharness.h"

#include "tests/support/rawhttpclient.h"

#include <memory>
#include <utility>

using namespace Qt::StringLiterals;

namespace heartline::testing {

SseHarness::SseHarness()
{
    m_server.route(u"/sse"_s, [this](const QHttpServerRequest &, QHttpServerResponder &&responder) {
        auto *stream =
            new SseStream(u"s%1"_s.arg(m_streams.size() + 1), u"session"_s, StreamKind::Standalone,
                          std::make_unique<HttpExchange>(std::move(responder)));
        m_streams.append(stream);
        if (autoOpen)
            stream->open(extraHeaders);
    });
    m_server.route(
        u"/plain"_s, [this](const QHttpServerRequest &, QHttpServerResponder &&responder) {
            ++plainRequests;
            HttpExchange::reply(responder, {200, {{"Content-Type", "text/plain"}}, "plain\n"});
        });
}

SseHarness::~SseHarness()
{
    for (const QPointer<SseStream> &stream : std::as_const(m_streams))
        delete stream.data();
}

SseStream *SseHarness::openStream(RawHttpClient &client)
{
    const qsizetype before = m_streams.size();
    if (!client.connectTo(port()) || !client.send("GET", "/sse"))
        return nullptr;
    if (!waitUntil([&]() {
            return m_streams.size() > before
                   && (!autoOpen || !client.response().sseBlocks.isEmpty());
        }))
        return nullptr;
    return m_streams.at(before);
}

} // namespace heartline::testing
