#pragma once

#include "server/eventloop/serverdispatcher.h"

#include <QAbstractEventDispatcher>
#include <QCoreApplication>
#include <QTest>

// QTEST_GUILESS_MAIN for a suite that runs server code in its own process: the test's loop
// waits on the dispatcher the server's thread runs on in Heartline (EpollEventDispatcher,
// createServerEventDispatcher), installed before the application object exists, so the suite
// checks the server on the loop it really has.
#define HEARTLINE_SERVER_TEST_MAIN(TestObject)                                                     \
    QTEST_MAIN_WRAPPER(TestObject, if (QAbstractEventDispatcher *dispatcher =                      \
                                           heartline::createServerEventDispatcher())               \
                                       QCoreApplication::setEventDispatcher(dispatcher);           \
                       QTEST_QAPP_SETUP(QCoreApplication))
