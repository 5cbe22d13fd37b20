#include "server/protocol/catalog/listchangecoalescer.h"

namespace heartline {

ListChangeCoalescer::ListChangeCoalescer(QObject *parent)
    : QObject(parent)
{
    m_timer.setSingleShot(true);
    m_timer.setInterval(kDefaultIntervalMs);
    connect(&m_timer, &QTimer::timeout, this, &ListChangeCoalescer::announced);
}

void ListChangeCoalescer::recordChange()
{
    ++m_generation;
    // The first change of a burst fixes when it is announced; later ones do not push it back,
    // so a steady trickle of changes cannot postpone the announcement for ever.
    if (!m_timer.isActive())
        m_timer.start();
}

void ListChangeCoalescer::setInterval(int milliseconds)
{
    m_timer.setInterval(qMax(0, milliseconds));
}

} // namespace heartline
