#pragma once

// The per-server state machine of a health probe (azure-reference.md §4): Unknown until the first
// result; Unhealthy after `unhealthyThreshold` consecutive failures (until then the state stays as
// it was: ChangePending); Healthy again after one success; Unknown when the address cannot be
// resolved.

#include "health/healthtypes.h"

namespace Gateway::Health {

class HealthTransition
{
public:
    enum class Change { Unchanged, ChangePending, Changed };

    explicit HealthTransition(int unhealthyThreshold = 3)
    {
        setUnhealthyThreshold(unhealthyThreshold);
    }

    void setUnhealthyThreshold(int threshold) { m_threshold = threshold < 1 ? 1 : threshold; }
    int unhealthyThreshold() const { return m_threshold; }

    Change onSuccess();
    Change onFailure();
    Change onUnresolved(); // DNS failure: Unknown at once, the failure count starts over

    HealthState state() const { return m_state; }
    int consecutiveFailures() const { return m_failures; }

private:
    HealthState m_state = HealthState::Unknown;
    int m_failures = 0;
    int m_threshold = 3;
};

} // namespace Gateway::Health
