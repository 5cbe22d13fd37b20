#include "server/tools/upstream/launchqueue.h"

#include <algorithm>

namespace heartline {

LaunchQueue::LaunchQueue(QObject *parent)
    : QObject(parent)
{
    m_turn.setSingleShot(true);
    m_turn.setInterval(0);
    connect(&m_turn, &QTimer::timeout, this, &LaunchQueue::launchNext);
}

void LaunchQueue::enqueue(QObject *owner, std::function<void()> launch)
{
    m_pending.push_back({owner, std::move(launch)});
    if (!m_turn.isActive())
        m_turn.start();
}

void LaunchQueue::cancel(const QObject *owner)
{
    m_pending.erase(std::remove_if(m_pending.begin(), m_pending.end(),
                                   [owner](const Pending &pending) {
                                       return pending.owner == owner;
                                   }),
                    m_pending.end());
}

void LaunchQueue::launchNext()
{
    // Entries whose owner is gone are skipped, so one turn launches at most one child.
    while (!m_pending.empty()) {
        Pending next = std::move(m_pending.front());
        m_pending.pop_front();
        if (!next.owner)
            continue;
        // Armed before the launch: it may enqueue again (a start that failed at once).
        if (!m_pending.empty())
            m_turn.start();
        next.launch();
        return;
    }
}

} // namespace heartline
