#include "ui/models/connectionstate.h"

#include <QCoreApplication>

namespace heartline {

QString connectionStateLabel(ConnectionState state)
{
    switch (state) {
    case ConnectionState::Open:
        return QCoreApplication::translate("heartline::ConnectionState", "open");
    case ConnectionState::Streaming:
        return QCoreApplication::translate("heartline::ConnectionState", "streaming");
    case ConnectionState::Idle:
        return QCoreApplication::translate("heartline::ConnectionState", "idle");
    case ConnectionState::Resuming:
        return QCoreApplication::translate("heartline::ConnectionState", "resuming");
    case ConnectionState::Closed:
        return QCoreApplication::translate("heartline::ConnectionState", "closed");
    }
    return {};
}

} // namespace heartline
