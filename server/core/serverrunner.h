#pragma once

#include "server/api/serverconfig.h"

#include <QtGlobal>

#include <functional>
#include <memory>

namespace heartline {

class CrossThreadControl;
class HeartlineServer;
class Monitor;
class MonitorRelay;
class ServerControl;
class ServerThread;

// The HeartlineServer as the thread that runs Heartline sees it (DESIGN.md, Threads).
//
// OwnThread (the app with a window, and the tests and benches that play it): the server is
// built, run and torn down on a ServerThread whose loop waits on epoll; this thread reads a
// mirror of its Monitor fed by a MonitorRelay and acts through a CrossThreadControl, so nothing
// on this thread can hold a heartbeat back. CallerThread (headless): the server lives on this
// thread and monitor() is its own; control() is the same CrossThreadControl, which then calls
// straight through. Either way, once tearDown() has run, control() answers empty.
class ServerRunner final
{
    Q_DISABLE_COPY_MOVE(ServerRunner)

public:
    enum class Placement { OwnThread, CallerThread };

    ServerRunner(const ServerConfig &config, Placement placement);
    // Tears the server down (if tearDown() has not) and joins its thread.
    ~ServerRunner();

    // Runs `work` where the server lives and returns when it has: for building on it, for
    // tearing down what was built on it, and for calls whose answer the caller needs.
    void runOnServerThread(const std::function<void()> &work);
    // Destroys the server on its thread. What was built on it must be gone by then.
    void tearDown();

    // The server itself: reach it only inside runOnServerThread() or by queued calls. Null
    // after tearDown().
    HeartlineServer *server() const { return m_server.get(); }
    // What the calling thread reads and calls.
    Monitor *monitor() const;
    ServerControl *control() const;

private:
    // Declared first: joined after everything that lived on it is gone.
    std::unique_ptr<ServerThread> m_thread; // null with CallerThread
    std::unique_ptr<Monitor> m_mirror;      // null with CallerThread
    std::unique_ptr<HeartlineServer> m_server;
    std::unique_ptr<MonitorRelay> m_relay; // on the server's thread
    std::unique_ptr<CrossThreadControl> m_control;
};

} // namespace heartline
