#pragma once

// The process's open-file limit (RLIMIT_NOFILE). Every client connection, backend connection and
// WebSocket session holds descriptors (a proxied session two), and the soft limit most desktop
// sessions start with is 1,024 (kept low for select(); Qt and the gateway use poll and epoll):
// about 500 sessions. Like HAProxy, the programs raise the soft limit to the hard limit at start.

namespace Gateway::Net {

struct OpenFileLimit
{
    long long soft = 0; // after the call
    long long hard = 0;
    bool raised = false; // the soft limit was below the hard limit and has been raised
};

// Raises the soft limit to the hard limit (capped at 1,048,576 when the hard limit is
// unlimited). Returns the limits as they are afterwards; a refused raise leaves them as they were.
OpenFileLimit raiseOpenFileLimit();

// The current limits, unchanged.
OpenFileLimit openFileLimit();

} // namespace Gateway::Net
