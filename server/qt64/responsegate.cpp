#include "server/qt64/responsegate.h"

#include <QTcpSocket>

namespace heartline {

ResponseGate::ResponseGate(QTcpSocket *socket)
    : QObject(socket)
{}

ResponseGate *ResponseGate::of(QTcpSocket *socket)
{
    if (ResponseGate *gate = find(socket))
        return gate;
    return new ResponseGate(socket);
}

ResponseGate *ResponseGate::find(const QTcpSocket *socket)
{
    return socket ? socket->findChild<ResponseGate *>(QString(), Qt::FindDirectChildrenOnly)
                  : nullptr;
}

void ResponseGate::end()
{
    if (m_owed > 0 && --m_owed == 0)
        Q_EMIT settled();
}

} // namespace heartline
