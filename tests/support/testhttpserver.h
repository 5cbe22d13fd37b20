#pragma once

#include <QHttpServer>
#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QString>

#include <functional>

namespace heartline::testing {

// A QHttpServer on 127.0.0.1 and a free port whose routes call the test's handlers, for the
// server unit tests that need a real HTTP exchange but not the whole Heartline server.
class TestHttpServer final
{
    Q_DISABLE_COPY_MOVE(TestHttpServer)

public:
    using Handler = std::function<void(const QHttpServerRequest &, QHttpServerResponder &&)>;

    TestHttpServer() = default;

    void route(const QString &path, Handler handler);
    bool listen();
    quint16 port() const { return m_port; }

private:
    QHttpServer m_http;
    quint16 m_port = 0;
};

} // namespace heartline::testing
