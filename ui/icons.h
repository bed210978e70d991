#pragma once

// The console's icons, drawn as vectors by a QIconEngine so they stay crisp at any device pixel
// ratio (the Debian Qt build has no SVG icon engine unless qt6-svg is installed).

#include <QIcon>

namespace Gateway::Ui::Icons {

enum class Name {
    App,
    New,
    Open,
    Save,
    SaveAs,
    Undo,
    Redo,
    Start,
    Stop,
    Apply,
    Add,
    Remove,
    Rename,
    Duplicate,
    ProbeNow,
    Pause,
    Listener,
    Rule,
    PathMap,
    Pool,
    Setting,
    Server,
    Probe,
    Redirect,
    Rewrite,
    Certificate,
    Frontend,
    Port,
    Gateway,
    Warning,
    Error,
    Healthy,
    Unhealthy,
    Unknown,
    ArrowIn,
    ArrowOut,
    Clock,
    Chart,
    Log,
    Frames,
    Sessions,
    Problems,
    Topology,
    Fit
};

QIcon icon(Name name);

} // namespace Gateway::Ui::Icons
