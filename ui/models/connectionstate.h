#pragma once

#include <QMetaType>
#include <QString>

namespace heartline {

// What a session or one of its streams is doing, as the connections panel shows it: the model
// works it out (ConnectionsModel::StateRole carries it) and the state badge paints it.
enum class ConnectionState { Open, Streaming, Idle, Resuming, Closed };

// The text on the badge, translated.
QString connectionStateLabel(ConnectionState state);

} // namespace heartline

Q_DECLARE_METATYPE(heartline::ConnectionState)
