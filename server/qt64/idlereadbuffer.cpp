#include "server/qt64/idlereadbuffer.h"

#include <QTcpSocket>

namespace heartline {

bool releaseIdleReadBuffer(QTcpSocket *socket)
{
    if (!socket || !socket->isReadable() || socket->bytesAvailable() != 0)
        return false;
    // The emptied chunk takes the byte at its end; read(1) then finds a first chunk of exactly
    // one byte and returns the chunk's own QByteArray, freed at the end of this statement.
    socket->ungetChar('\0');
    return socket->read(1).size() == 1;
}

} // namespace heartline
