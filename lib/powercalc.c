/* SYSTEM_POWER_STATUS over every system battery (reference 7.1), the way
 * a composite battery should combine them (peers.md): capacities and rates
 * are summed, AC is online if any battery says so (not only if all do), a
 * battery that cannot be read makes the result unknown rather than wrong. */
#include "powercalc.h"

#include <windows.h>
#include <poclass.h>

/* docs: BatteryFlag bits are high (> 66 %), low (< 33 %), critical (< 5 %);
 * a level under 5 % is also under 33 %, so critical comes with low. */
#define HIGH_ABOVE     66u
#define LOW_BELOW      33u
#define CRITICAL_BELOW 5u

typedef struct totals {
    size_t system, errors;
    int ac, charging, critical;
    uint64_t remaining, full; /* mWh of batteries with absolute capacities */
    double relative_sum;      /* fractions of relative-capacity batteries */
    size_t relative_count;
    uint64_t discharge_mw; /* summed drain, mW */
    int rate_unknown;      /* a discharging battery has no usable rate */
} totals_t;

static void add_battery(totals_t *t, const bkc_battery_reading_t *b)
{
    if (b->state == BKC_BATTERY_ERROR) {
        t->errors++;
        return;
    }
    if (b->state != BKC_BATTERY_OK || !(b->capabilities & BATTERY_SYSTEM_BATTERY))
        return; /* empty slot, or a battery that does not power the system */
    t->system++;
    if (b->power_state & BATTERY_POWER_ON_LINE)
        t->ac = 1;
    if (b->power_state & BATTERY_CHARGING)
        t->charging = 1;
    if (b->power_state & BATTERY_CRITICAL)
        t->critical = 1;
    int known = b->capacity != BATTERY_UNKNOWN_CAPACITY && b->full_capacity != 0 &&
                b->full_capacity != BATTERY_UNKNOWN_CAPACITY;
    int relative = (b->capabilities & BATTERY_CAPACITY_RELATIVE) != 0;
    if (known && relative) {
        double f = (double)b->capacity / (double)b->full_capacity;
        t->relative_sum += f > 1.0 ? 1.0 : f;
        t->relative_count++;
    } else if (known) {
        t->remaining += b->capacity < b->full_capacity ? b->capacity : b->full_capacity;
        t->full += b->full_capacity;
    }
    if (b->power_state & BATTERY_DISCHARGING) {
        /* Relative rates are not mW: no life time from them. */
        if (relative || b->rate == (int32_t)BATTERY_UNKNOWN_RATE || b->rate >= 0)
            t->rate_unknown = 1;
        else
            t->discharge_mw += (uint64_t)(-(int64_t)b->rate);
    }
}

/* Charge in percent (0..100), or -1 when no capacity is known. Relative
 * batteries count as much as an average absolute one (or equally when
 * every battery is relative). */
static int composite_percent(const totals_t *t)
{
    size_t absolute = t->full ? 1 : 0;
    if (!absolute && !t->relative_count)
        return -1;
    double f;
    if (!t->relative_count) {
        f = (double)t->remaining / (double)t->full;
    } else if (!absolute) {
        f = t->relative_sum / (double)t->relative_count;
    } else {
        size_t n_abs = t->system - t->relative_count;
        double unit = n_abs ? (double)t->full / (double)n_abs : 1.0;
        f = ((double)t->remaining + t->relative_sum * unit) /
            ((double)t->full + (double)t->relative_count * unit);
    }
    int p = (int)(f * 100.0 + 0.5);
    return p < 0 ? 0 : p > 100 ? 100 : p;
}

void bkc_compute_power_status(const bkc_battery_reading_t *batteries, size_t count,
                              bkc_power_status_t *out)
{
    totals_t t = {0};
    for (size_t i = 0; i < count; i++)
        add_battery(&t, &batteries[i]);
    out->system_status_flag = 0; /* no battery saver in battkit */
    out->battery_life_time = BATTERY_LIFE_UNKNOWN;
    out->battery_full_life_time = BATTERY_LIFE_UNKNOWN;
    out->battery_life_percent = BATTERY_PERCENTAGE_UNKNOWN;
    if (t.system == 0) {
        /* docs (7.3): no battery found means assume AC power. A battery
         * that could not be read leaves everything unknown instead. */
        out->ac_line_status = t.errors ? AC_LINE_UNKNOWN : AC_LINE_ONLINE;
        out->battery_flag = t.errors ? BATTERY_FLAG_UNKNOWN : BATTERY_FLAG_NO_BATTERY;
        return;
    }
    out->ac_line_status = t.ac ? AC_LINE_ONLINE : AC_LINE_OFFLINE;
    int percent = composite_percent(&t);
    if (percent < 0 || t.errors) {
        out->battery_flag = BATTERY_FLAG_UNKNOWN;
        if (percent >= 0)
            out->battery_life_percent = (uint8_t)percent;
        return;
    }
    out->battery_life_percent = (uint8_t)percent;
    uint8_t flag = 0;
    if ((unsigned)percent > HIGH_ABOVE)
        flag |= BATTERY_FLAG_HIGH;
    if ((unsigned)percent < LOW_BELOW)
        flag |= BATTERY_FLAG_LOW;
    if ((unsigned)percent < CRITICAL_BELOW || t.critical)
        flag |= BATTERY_FLAG_CRITICAL;
    if (t.charging)
        flag |= BATTERY_FLAG_CHARGING;
    out->battery_flag = flag;
    /* docs: life times are unknown (-1) on AC. */
    if (t.ac || t.rate_unknown || t.discharge_mw == 0 || t.relative_count)
        return;
    uint64_t life = t.remaining * 3600u / t.discharge_mw; /* mWh / mW -> s */
    uint64_t full = t.full * 3600u / t.discharge_mw;
    out->battery_life_time =
        life >= BATTERY_LIFE_UNKNOWN ? BATTERY_LIFE_UNKNOWN - 1 : (uint32_t)life;
    /* docs: BatteryFullLifeTime is estimated from the life time and the
     * percentage; the exact ratio of the sums is the same estimate. */
    out->battery_full_life_time =
        full >= BATTERY_LIFE_UNKNOWN ? BATTERY_LIFE_UNKNOWN - 1 : (uint32_t)full;
}
