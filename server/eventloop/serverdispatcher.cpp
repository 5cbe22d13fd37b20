#include "server/eventloop/serverdispatcher.h"

#include "server/eventloop/epolleventdispatcher.h"

#include <QByteArray>
#include <QtGlobal>

namespace heartline {

QAbstractEventDispatcher *createServerEventDispatcher()
{
    if (qgetenv("HEARTLINE_EVENT_DISPATCHER") == "qt")
        return nullptr;
    return new EpollEventDispatcher;
}

} // namespace heartline
