#include "server/core/serverthread.h"

#include "server/eventloop/serverdispatcher.h"

#include <QAbstractEventDispatcher>

namespace heartline {

ServerThread::ServerThread()
    : m_context(new QObject)
{
    m_thread.setObjectName(QStringLiteral("heartline-server"));
    // Before start(): a thread takes its dispatcher once, when its loop is first needed.
    if (QAbstractEventDispatcher *dispatcher = createServerEventDispatcher())
        m_thread.setEventDispatcher(dispatcher);
    m_context->moveToThread(&m_thread);
    m_thread.start();
}

ServerThread::~ServerThread()
{
    QObject *context = m_context;
    runAndWait([context]() { delete context; });
    m_thread.quit();
    m_thread.wait();
}

void ServerThread::runAndWait(const std::function<void()> &work)
{
    Q_ASSERT(QThread::currentThread() != &m_thread);
    QMetaObject::invokeMethod(m_context, work, Qt::BlockingQueuedConnection);
}

} // namespace heartline
