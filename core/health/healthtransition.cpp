#include "health/healthtransition.h"

namespace Gateway::Health {

HealthTransition::Change HealthTransition::onSuccess()
{
    m_failures = 0;
    if (m_state == HealthState::Healthy)
        return Change::Unchanged;
    m_state = HealthState::Healthy;
    return Change::Changed;
}

HealthTransition::Change HealthTransition::onFailure()
{
    ++m_failures;
    if (m_state == HealthState::Unhealthy)
        return Change::Unchanged;
    if (m_failures >= m_threshold) {
        m_state = HealthState::Unhealthy;
        return Change::Changed;
    }
    return Change::ChangePending;
}

HealthTransition::Change HealthTransition::onUnresolved()
{
    m_failures = 0;
    if (m_state == HealthState::Unknown)
        return Change::Unchanged;
    m_state = HealthState::Unknown;
    return Change::Changed;
}

} // namespace Gateway::Health
