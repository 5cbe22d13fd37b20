#pragma once

#include <QThread>

#include <functional>

namespace heartline {

// The thread the server lives on when there is a window (DESIGN.md, Threads): its loop waits on
// epoll (createServerEventDispatcher), so it costs what is ready, and it never waits on the GUI
// thread, so a slow paint never delays a heartbeat. The server's objects are created and
// destroyed there, through runAndWait(); everything else reaches them by queued calls.
class ServerThread final
{
    Q_DISABLE_COPY_MOVE(ServerThread)

public:
    ServerThread();
    // Ends the thread's loop and joins it. Whatever was built on it must be gone by then.
    ~ServerThread();

    // Runs `work` on the server thread and returns when it has. For building and tearing down
    // (before and after the GUI's loop runs) and for calls whose answer the caller needs; never
    // from the server thread itself.
    void runAndWait(const std::function<void()> &work);

    // An object living on the server thread: the context of queued calls into it.
    QObject *context() const { return m_context; }
    QThread *thread() { return &m_thread; }

private:
    QThread m_thread;
    QObject *m_context;
};

} // namespace heartline
