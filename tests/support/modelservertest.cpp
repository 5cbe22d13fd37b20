#include "tests/support/modelservertest.h"

#include <QTest>

namespace heartline::testing {

ModelServerTest::ModelServerTest(const ServerConfig &config)
    : InProcessServerTest(config)
{}

ModelServerTest::~ModelServerTest() = default;

void ModelServerTest::init()
{
    QVERIFY(startServer());
    m_tick = std::make_unique<UiTick>();
    // Short, so what a test changes shows within its deadline.
    m_tick->setInterval(20);
}

void ModelServerTest::cleanupBeforeStop()
{
    m_tester.reset();
    m_tick.reset();
}

} // namespace heartline::testing
