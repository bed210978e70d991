#pragma once

#include <QStringList>

namespace Cli {

enum ExitCode { Success = 0, InvalidConfiguration = 1, BadUsage = 2, RuntimeFailure = 3 };

// Runs one appgw command line (arguments[0] is the program). Blocks in the event loop for `run`.
int run(const QStringList &arguments);

} // namespace Cli
