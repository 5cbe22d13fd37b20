#pragma once

#include "tests/soak/soakscenario.h"

#include <QObject>

namespace heartline::soak {

// Keeps `actors` scenarios running at once, each replaced by a new one picked at random when it
// ends, until the time given to run() is up; then lets the running ones finish.
class SoakDriver final : public QObject
{
    Q_OBJECT

public:
    SoakDriver(const SoakContext &context, int actors, QObject *parent = nullptr);

    void run(int seconds);
    bool isDrained() const { return m_stopping && m_running == 0; }
    int running() const { return m_running; }

private:
    void launch();
    SoakScenario *pick();

    SoakContext m_context;
    int m_actors;
    int m_running = 0;
    bool m_stopping = false;
};

} // namespace heartline::soak
