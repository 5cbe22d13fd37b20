#include "tests/soak/soakdriver.h"

#include "tests/soak/resumedcall.h"
#include "tests/soak/shortscenarios.h"

#include <QRandomGenerator>
#include <QTimer>

namespace heartline::soak {

namespace {

// Long enough for the slowest scenario (a silent request waits out the server's request timeout).
constexpr int kScenarioDeadlineMs = 20000;

} // namespace

SoakDriver::SoakDriver(const SoakContext &context, int actors, QObject *parent)
    : QObject(parent)
    , m_context(context)
    , m_actors(actors)
{}

void SoakDriver::run(int seconds)
{
    m_stopping = false;
    QTimer::singleShot(seconds * 1000, this, [this]() { m_stopping = true; });
    for (int i = 0; i < m_actors; ++i)
        launch();
}

void SoakDriver::launch()
{
    SoakScenario *scenario = pick();
    ++m_running;
    connect(scenario, &SoakScenario::finished, this, [this, scenario]() {
        scenario->deleteLater();
        --m_running;
        if (!m_stopping)
            launch();
    });
    scenario->start(kScenarioDeadlineMs + m_context.requestTimeoutMs);
}

SoakScenario *SoakDriver::pick()
{
    // Weighted towards the calls that are cut and resumed: the soak's main check.
    const int roll = int(m_context.random->bounded(100));
    if (roll < 35)
        return new ResumedCall(m_context, this);
    if (roll < 55)
        return new QuickCall(m_context, this);
    if (roll < 65)
        return new ListenStream(m_context, this);
    if (roll < 75)
        return new StandaloneStream(m_context, this);
    if (roll < 85)
        return new BadBytes(m_context, this);
    if (roll < 92)
        return new StalledReader(m_context, this);
    return new HalfOpen(m_context, this);
}

} // namespace heartline::soak
