#include "app/application.h"
#include "app/connectcommand.h"
#include "app/ctlclient.h"
#include "app/importcommand.h"
#include "app/launchoptions.h"
#include "app/secretcommand.h"
#include "server/api/version.h"
#include "server/eventloop/serverdispatcher.h"

#include <QAbstractEventDispatcher>
#include <QApplication>
#include <QCoreApplication>
#include <QDir>
#include <QGuiApplication>
#include <QLoggingCategory>
#include <QProcessEnvironment>

#include <cstdio>
#include <memory>

using namespace Qt::StringLiterals;

namespace {

bool hasDisplay(const QProcessEnvironment &environment)
{
    return !environment.value(u"DISPLAY"_s).isEmpty()
           || !environment.value(u"WAYLAND_DISPLAY"_s).isEmpty()
           || !environment.value(u"QT_QPA_PLATFORM"_s).isEmpty();
}

} // namespace

int main(int argc, char *argv[])
{
    Q_INIT_RESOURCE(heartline);
    QStringList arguments;
    for (int i = 0; i < argc; ++i)
        arguments.append(QString::fromLocal8Bit(argv[i]));

    // Our own debug output is for developers; QT_LOGGING_RULES still overrides this.
    QLoggingCategory::setFilterRules(u"heartline.*.debug=false"_s);
    qSetMessagePattern(u"%{time yyyy-MM-ddThh:mm:ss.zzz} %{type} %{category}: %{message}"_s);

    if (arguments.value(1) == "ctl"_L1) {
        QCoreApplication app(argc, argv);
        return heartline::runCtl(arguments.mid(2));
    }
    if (arguments.value(1) == "connect"_L1) {
        QCoreApplication app(argc, argv);
        return heartline::runConnect(arguments.mid(2), QProcessEnvironment::systemEnvironment());
    }
    if (arguments.value(1) == "secret"_L1) {
        QCoreApplication app(argc, argv);
        return heartline::runSecret(arguments.mid(2), QProcessEnvironment::systemEnvironment());
    }
    if (arguments.value(1) == "import"_L1) {
        QCoreApplication app(argc, argv);
        return heartline::runImport(arguments.mid(2), QProcessEnvironment::systemEnvironment(),
                                    QDir::currentPath());
    }

    const QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    const heartline::LaunchOptions options =
        heartline::parseLaunchOptions(arguments, environment, hasDisplay(environment));
    switch (options.action) {
    case heartline::LaunchOptions::Action::ShowHelp:
        std::fputs(qPrintable(options.helpText), stdout);
        return 0;
    case heartline::LaunchOptions::Action::ShowVersion:
        std::printf("heartline %s\n", HEARTLINE_VERSION);
        return 0;
    case heartline::LaunchOptions::Action::Fail:
        std::fprintf(stderr, "heartline: %s\n", qPrintable(options.error));
        return 2;
    case heartline::LaunchOptions::Action::Run:
        break;
    }

    // Headless is a runtime switch: no QApplication, so no display is ever needed. The server
    // then runs on this thread, so its loop waits on epoll from the start; with a window it gets
    // a thread of its own (Application) and this one keeps the platform's dispatcher.
    std::unique_ptr<QCoreApplication> app;
    if (options.headless) {
        if (QAbstractEventDispatcher *dispatcher = heartline::createServerEventDispatcher())
            QCoreApplication::setEventDispatcher(dispatcher);
        app = std::make_unique<QCoreApplication>(argc, argv);
    } else {
        app = std::make_unique<QApplication>(argc, argv);
    }
    // The desktop entry's name (resources/io.heartline.Heartline.desktop, without ".desktop"):
    // Wayland's app id and the task bar use it to find the window's icon and name.
    if (!options.headless)
        QGuiApplication::setDesktopFileName(u"io.heartline.Heartline"_s);
    QCoreApplication::setApplicationName(u"Heartline"_s);
    QCoreApplication::setOrganizationName(u"Heartline"_s);
    QCoreApplication::setApplicationVersion(QStringLiteral(HEARTLINE_VERSION));

    heartline::Application heartline(options);
    int exitStatus = 0;
    if (!heartline.start(&exitStatus))
        return exitStatus;
    return app->exec();
}
