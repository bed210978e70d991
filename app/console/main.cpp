// appgw-console [FILE] [--demo]: the GUI front end. Thin: the window and everything it shows live
// in gateway_ui.

#include "mainwindow.h"
#include "net/filelimit.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QScreen>
#include <QTimer>

#ifdef APPGW_HAVE_DEMO
#include "consoledemo.h"
#endif

#include <cstdio>

int main(int argc, char *argv[])
{
    // Thousands of sessions need thousands of descriptors: lift the soft limit (often 1,024).
    Gateway::Net::raiseOpenFileLimit();
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("AppGatewayConsole"));
    QApplication::setApplicationName(QStringLiteral("appgw-console"));
    QApplication::setApplicationDisplayName(QStringLiteral("Application Gateway Console"));
    QApplication::setApplicationVersion(QStringLiteral(GATEWAY_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Edit, run and watch an Azure Application Gateway configuration locally."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("FILE"),
                                 QStringLiteral("ARM template or resource JSON to open."),
                                 QStringLiteral("[FILE]"));
    QCommandLineOption demo(
        QStringLiteral("demo"),
        QStringLiteral("Start bundled demo backends and clients with an example "
                       "configuration, and run it."));
    parser.addOption(demo);
    QCommandLineOption start(QStringLiteral("start"),
                             QStringLiteral("Start the gateway of FILE at once (with errors: only "
                                            "what is valid, what is left out is listed)."));
    parser.addOption(start);
    parser.process(app);
    const QStringList args = parser.positionalArguments();
    if (args.size() > 1) {
        std::fprintf(stderr, "appgw-console: too many arguments (one FILE at most)\n");
        return 2;
    }

    Gateway::Ui::MainWindow window;
#ifdef APPGW_HAVE_DEMO
    Gateway::Ui::offerDemoBackendForMapping(&window);
#endif
    const bool screenshot = qEnvironmentVariableIsSet("APPGW_SCREENSHOT");
    window.setNonInteractive(screenshot);
    window.show();

    if (!args.isEmpty()) {
        if (!QFileInfo::exists(args.first())) {
            std::fprintf(stderr, "appgw-console: %s: no such file\n", qPrintable(args.first()));
            return 2;
        }
        window.openFile(args.first());
        if (parser.isSet(start)) {
            window.setNonInteractiveStart(true);
            QString error;
            if (!window.startGateway(&error))
                std::fprintf(stderr, "appgw-console: start: %s\n", qPrintable(error));
            window.setNonInteractiveStart(false);
        }
    }
    if (parser.isSet(demo)) {
#ifdef APPGW_HAVE_DEMO
        QString error;
        if (!Gateway::Ui::startConsoleDemo(&window, &error)) {
            std::fprintf(stderr, "appgw-console: demo: %s\n", qPrintable(error));
            return 3;
        }
#else
        std::fprintf(stderr, "appgw-console: this build has no demo library\n");
        return 3;
#endif
    } else if (args.isEmpty()) {
        QTimer::singleShot(0, &window, [&window] { window.offerRecovery(); });
    }

    // APPGW_SCREENSHOT=path[,seconds]: save the window to a PNG after a delay (and quit if
    // APPGW_SCREENSHOT_QUIT is set). Used for the README screenshot under Xvfb.
    if (screenshot) {
        // APPGW_SCREENSHOT_PARAMETERS: show File > Template Parameters… too; the screenshot is
        // then of the whole screen, dialog included.
        const bool parametersEditor = qEnvironmentVariableIsSet("APPGW_SCREENSHOT_PARAMETERS");
        if (parametersEditor)
            QTimer::singleShot(0, &window, [&window] { window.editParameters(); });
        const QStringList parts = qEnvironmentVariable("APPGW_SCREENSHOT").split(QLatin1Char(','));
        const QString path = parts.value(0);
        const int seconds = parts.size() > 1 ? parts.at(1).toInt() : 10;
        QTimer::singleShot(seconds * 1000, &window, [&window, path, parametersEditor] {
            (parametersEditor ? window.screen()->grabWindow(0) : window.grab()).save(path);
            std::fprintf(stderr, "appgw-console: screenshot saved to %s\n", qPrintable(path));
            if (qEnvironmentVariableIsSet("APPGW_SCREENSHOT_QUIT"))
                QApplication::quit();
        });
    }
    return app.exec();
}
