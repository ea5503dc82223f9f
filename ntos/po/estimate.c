/* The system's time to empty. Only the batteries' reported rates feed it,
 * smoothed exponentially over PO_SMOOTH_TAU_S of host time: a difference
 * of capacities jumps when a battery is swapped or recalibrates, a rate
 * does not. After the power source changes the rate is the previous
 * source's or a transient, so for PO_SETTLE_MS no rate is averaged and no
 * estimate given (the "1639 hours" right after unplugging comes from
 * exactly that). */
#include "po_internal.h"

#include <math.h>

void po_estimate_restart(po_estimate_t *e, uint64_t now_ns, bool settle)
{
    e->have = false;
    e->drain_mw = 0;
    e->last_ns = now_ns;
    if (settle)
        e->settle_until_ns = now_ns + (uint64_t)PO_SETTLE_MS * 1000000u;
}

void po_estimate_sample(po_estimate_t *e, uint64_t now_ns, const BATTERY_INFORMATION *info,
                        const BATTERY_STATUS *status)
{
    LONG rate = status->Rate;
    /* What is reported while the source settles is the transient itself:
     * averaging starts with the first rate after it. */
    if (now_ns < e->settle_until_ns)
        return;
    /* Relative batteries report relative rates: no mW, no time. */
    if (!(status->PowerState & BATTERY_DISCHARGING) ||
        (status->PowerState & BATTERY_POWER_ON_LINE) || rate == (LONG)BATTERY_UNKNOWN_RATE ||
        rate >= 0 || (info->Capabilities & BATTERY_CAPACITY_RELATIVE))
        return;
    double drain = -(double)rate;

    if (!e->have) {
        e->drain_mw = drain;
        e->have = true;
    } else if (now_ns > e->last_ns) {
        double dt = (double)(now_ns - e->last_ns) / 1e9;
        e->drain_mw += (1.0 - exp(-dt / PO_SMOOTH_TAU_S)) * (drain - e->drain_mw);
    }
    e->last_ns = now_ns;
}

ULONG po_estimate_seconds(const po_estimate_t *e, uint64_t now_ns, ULONG capacity)
{
    if (!e->have || now_ns < e->settle_until_ns || capacity == BATTERY_UNKNOWN_CAPACITY ||
        e->drain_mw < 1.0)
        return BATTERY_UNKNOWN_TIME;
    double s = (double)capacity * 3600.0 / e->drain_mw;

    return s > (double)PO_MAX_FULL_LIFE_S ? BATTERY_UNKNOWN_TIME : (ULONG)(s + 0.5);
}

uint64_t po_estimate_settle_left_ns(const po_estimate_t *e, uint64_t now_ns)
{
    return now_ns < e->settle_until_ns ? e->settle_until_ns - now_ns : 0;
}
