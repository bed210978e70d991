// appgw: the headless front end over gateway_core (never links gateway_ui).
//
//   appgw run FILE [--parameters FILE] [--events PATH|-] [--workers N]
//   appgw validate FILE [--parameters FILE]
//   appgw health FILE [--parameters FILE] [--wait SECONDS]
//   appgw --version | --help
//
// Exit codes (product.md §2): 0 success; 1 invalid configuration (or unhealthy, for health);
// 2 bad usage; 3 runtime failure (port in use, certificate unreadable), always with a one-line
// message naming the cause.

#include "cli.h"

#include <QCoreApplication>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("appgw"));
    QCoreApplication::setApplicationVersion(QStringLiteral(GATEWAY_VERSION));
    return Cli::run(QCoreApplication::arguments());
}
