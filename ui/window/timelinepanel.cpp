#include "ui/window/timelinepanel.h"

#include "ui/timeline/heartbeattimeline.h"
#include "ui/window/appsettings.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace heartline {

TimelinePanel::TimelinePanel(TimelineModel *model, AppSettings *settings, QWidget *parent)
    : QWidget(parent)
    , m_settings(settings)
    , m_window(new QComboBox(this))
    , m_timeline(new HeartbeatTimeline(model, this))
{
    m_window->setObjectName(u"timelineWindow"_s);
    for (int minutes : {1, 5, 15})
        m_window->addItem(tr("%1 min").arg(minutes), minutes);

    auto *legend = new QLabel(tr("<span style='color:%1'>●</span> message in &nbsp; "
                                 "<span style='color:%2'>●</span> message out &nbsp; "
                                 "<span style='color:%3'>▮</span> missed beat")
                                  .arg(HeartbeatTimeline::messageInColor().name(),
                                       HeartbeatTimeline::messageOutColor().name(),
                                       HeartbeatTimeline::missedColor().name()),
                              this);
    auto *bar = new QHBoxLayout;
    bar->addWidget(legend);
    bar->addStretch(1);
    bar->addWidget(new QLabel(tr("Window:"), this));
    bar->addWidget(m_window);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(bar);
    layout->addWidget(m_timeline, 1);

    setWindowMinutes(m_settings->timelineMinutes());
    connect(m_window, &QComboBox::currentIndexChanged, this, [this](int index) {
        const int minutes = m_window->itemData(index).toInt();
        m_timeline->setWindowMinutes(minutes);
        m_settings->setTimelineMinutes(minutes);
    });
}

int TimelinePanel::windowMinutes() const
{
    return m_window->currentData().toInt();
}

void TimelinePanel::setWindowMinutes(int minutes)
{
    const int index = m_window->findData(minutes);
    if (index < 0)
        return;
    m_window->setCurrentIndex(index);
    m_timeline->setWindowMinutes(minutes);
}

} // namespace heartline
