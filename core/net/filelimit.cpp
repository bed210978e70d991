#include "net/filelimit.h"

#include <sys/resource.h>

namespace Gateway::Net {

namespace {

constexpr rlim_t UnlimitedCap = 1 << 20;

OpenFileLimit fromRlimit(const rlimit &limit, bool raised)
{
    const auto value = [](rlim_t v) {
        return v == RLIM_INFINITY ? -1LL : static_cast<long long>(v);
    };
    return {value(limit.rlim_cur), value(limit.rlim_max), raised};
}

} // namespace

OpenFileLimit openFileLimit()
{
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0)
        return {};
    return fromRlimit(limit, false);
}

OpenFileLimit raiseOpenFileLimit()
{
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0)
        return {};
    const rlim_t target = limit.rlim_max == RLIM_INFINITY ? UnlimitedCap : limit.rlim_max;
    if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < target) {
        rlimit raised = limit;
        raised.rlim_cur = target;
        if (::setrlimit(RLIMIT_NOFILE, &raised) == 0)
            return fromRlimit(raised, true);
    }
    return fromRlimit(limit, false);
}

} // namespace Gateway::Net
