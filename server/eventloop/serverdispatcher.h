#pragma once

class QAbstractEventDispatcher;

namespace heartline {

// The event dispatcher the server's loop runs on: EpollEventDispatcher, or null (Qt's own, the
// one the platform picks) when the environment says HEARTLINE_EVENT_DISPATCHER=qt. The switch is
// for measuring one against the other (tests/bench, the idle-streams test's can-it-fail check);
// nobody needs it to run Heartline.
QAbstractEventDispatcher *createServerEventDispatcher();

} // namespace heartline
