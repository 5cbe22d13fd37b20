#pragma once

#include <QObject>
#include <QTimer>

namespace heartline {

// Counts changes to a list (tools, resources, prompts) and announces them coalesced: the first
// change of a burst starts a short timer and one announced() covers the whole burst, so a
// client gets one list_changed per burst of toggles. The generation lets a session tell
// whether its client has already seen the current list.
class ListChangeCoalescer final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ListChangeCoalescer)

public:
    static constexpr int kDefaultIntervalMs = 10;

    explicit ListChangeCoalescer(QObject *parent = nullptr);

    void recordChange();
    quint64 generation() const { return m_generation; }
    void setInterval(int milliseconds);

Q_SIGNALS:
    void announced();

private:
    QTimer m_timer;
    quint64 m_generation = 0;
};

} // namespace heartline
