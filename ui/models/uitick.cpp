#include "ui/models/uitick.h"

namespace heartline {

UiTick::UiTick(QObject *parent)
    : QObject(parent)
{
    m_timer.setInterval(kDefaultIntervalMs);
    connect(&m_timer, &QTimer::timeout, this, &UiTick::ticked);
    m_timer.start();
}

void UiTick::setInterval(int milliseconds)
{
    if (milliseconds <= 0) {
        m_timer.stop();
        return;
    }
    m_timer.start(milliseconds);
}

void UiTick::tickNow()
{
    Q_EMIT ticked();
}

} // namespace heartline
