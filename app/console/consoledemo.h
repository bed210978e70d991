#pragma once

// `appgw-console --demo`: the bundled demo backends on free loopback ports, the demo
// configuration loaded into the editor, the gateway started from it, then the demo clients (one
// of them pings every 25 s against a 20 s request timeout), so a new user sees an upgrade, live
// frames, probe status and a timeout warning within a minute.

#include <QString>

namespace Gateway::Ui {

class MainWindow;

bool startConsoleDemo(MainWindow *window, QString *errorString = nullptr);

// "Map … to a Local Port" may choose the bundled demo backend (HTTP and WebSocket): started on a
// free loopback port the first time it is chosen, kept for the window's life.
void offerDemoBackendForMapping(MainWindow *window);

} // namespace Gateway::Ui
