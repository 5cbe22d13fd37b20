#pragma once

#include "server/qt64/httpexchange.h"
#include "server/stream/ssestream.h"
#include "tests/support/testhttpserver.h"

#include <QList>
#include <QPointer>

namespace heartline::testing {

class RawHttpClient;

// A TestHttpServer whose /sse route turns each request into an SseStream (opened at once unless
// the test says otherwise) and whose /plain route answers a small complete reply, so a test can
// check that a connection is reused after a stream.
class SseHarness final
{
    Q_DISABLE_COPY_MOVE(SseHarness)

public:
    SseHarness();
    ~SseHarness();

    bool listen() { return m_server.listen(); }
    quint16 port() const { return m_server.port(); }

    // Connects `client`, asks for /sse and waits for the server's stream and, when it opens
    // at once, for the opening comment on the client. Null on failure.
    SseStream *openStream(RawHttpClient &client);

    bool autoOpen = true;
    HttpHeaders extraHeaders;
    int plainRequests = 0;

private:
    TestHttpServer m_server;
    QList<QPointer<SseStream>> m_streams;
};

} // namespace heartline::testing
