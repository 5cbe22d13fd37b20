#include "tests/support/testhttpserver.h"

#include <QHostAddress>

#include <utility>

namespace heartline::testing {

void TestHttpServer::route(const QString &path, Handler handler)
{
    m_http.route(path, [handler = std::move(handler)](const QHttpServerRequest &request,
                                                      QHttpServerResponder &&responder) {
        handler(request, std::move(responder));
    });
}

bool TestHttpServer::listen()
{
    m_port = m_http.listen(QHostAddress::LocalHost, 0);
    return m_port != 0;
}

} // namespace heartline::testing
