#pragma once

#include "tests/support/inprocessserver.h"
#include "ui/models/uitick.h"

#include <QAbstractItemModelTester>

#include <memory>

namespace heartline::testing {

// The base of the UI suites whose item models run over a live in-process server: every test
// function gets the server and a fast UI tick, and the model it builds is watched by a
// QAbstractItemModelTester until the test ends.
class ModelServerTest : public InProcessServerTest
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ModelServerTest)

public:
    explicit ModelServerTest(const ServerConfig &config);
    ~ModelServerTest() override;

private Q_SLOTS:
    void init();

protected:
    // `model`, from now on checked by a QAbstractItemModelTester that fails the test at once.
    template<typename Model>
    std::unique_ptr<Model> tested(std::unique_ptr<Model> model)
    {
        m_tester = std::make_unique<QAbstractItemModelTester>(
            model.get(), QAbstractItemModelTester::FailureReportingMode::Fatal);
        return model;
    }
    void cleanupBeforeStop() override;

    std::unique_ptr<UiTick> m_tick;
    std::unique_ptr<QAbstractItemModelTester> m_tester;
};

} // namespace heartline::testing
