/* SYSTEM_BATTERY_STATE and SYSTEM_POWER_STATUS from the composite
 * battery's BATTERY_INFORMATION and BATTERY_STATUS (reference 7.1, 7.2).
 * The composite has already combined the batteries (docs/compbatt.md);
 * this only maps. */
#include "po_internal.h"

#include <poclass.h>

/* docs: BatteryFlag bits high (> 66 %), low (< 33 %), critical (< 5 %). */
#define PO_HIGH_ABOVE     66u
#define PO_LOW_BELOW      33u
#define PO_CRITICAL_BELOW 5u

#define PO_AC_OFFLINE      0x00
#define PO_AC_ONLINE       0x01
#define PO_AC_UNKNOWN      0xFF
#define PO_FLAG_HIGH       0x01
#define PO_FLAG_LOW        0x02
#define PO_FLAG_CRIT       0x04
#define PO_FLAG_CHARGE     0x08
#define PO_FLAG_NONE       0x80
#define PO_FLAG_UNKNOWN    0xFF
#define PO_PERCENT_UNKNOWN 0xFF
#define PO_LIFE_UNKNOWN    0xFFFFFFFFu

static uint8_t percent_of(const po_view_t *v)
{
    ULONG full = v->info.FullChargedCapacity, cap = v->status.Capacity;
    if (full == 0 || full == BATTERY_UNKNOWN_CAPACITY || cap == BATTERY_UNKNOWN_CAPACITY)
        return PO_PERCENT_UNKNOWN;
    if (cap >= full)
        return 100;
    return (uint8_t)(((ULONGLONG)cap * 100 + full / 2) / full);
}

void po_compute_state(const po_view_t *v, ULONG estimate_s, ULONG full_life_s,
                      bk_power_state_t *out)
{
    ULONG ps = v->status.PowerState;
    out->battery_present = v->present;
    out->ac_on_line = v->present ? (ps & BATTERY_POWER_ON_LINE) != 0 : 1;
    out->charging = v->present && (ps & BATTERY_CHARGING);
    out->discharging = v->present && (ps & BATTERY_DISCHARGING);
    out->max_capacity = v->present ? v->info.FullChargedCapacity : 0;
    out->remaining_capacity = v->present ? v->status.Capacity : 0;
    out->rate = v->present ? v->status.Rate : 0;
    out->default_alert1 = v->present ? v->info.DefaultAlert1 : 0;
    out->default_alert2 = v->present ? v->info.DefaultAlert2 : 0;
    out->composite_tag = v->present ? v->tag : 0;
    out->capabilities = v->present ? v->info.Capabilities : 0;
    out->composite_power_state = v->present ? ps : 0;
    bool on_battery = v->present && !(ps & BATTERY_POWER_ON_LINE);
    out->estimated_time = on_battery ? estimate_s : BATTERY_UNKNOWN_TIME;

    out->system_status_flag = 0; /* no battery saver */
    out->battery_life_time = PO_LIFE_UNKNOWN;
    out->battery_full_life_time = PO_LIFE_UNKNOWN;
    out->battery_life_percent = PO_PERCENT_UNKNOWN;
    if (!v->attached || !v->readable) {
        /* A composite that cannot be read leaves everything unknown; no
         * composite at all is a machine without batteries. */
        out->ac_line_status = v->attached ? PO_AC_UNKNOWN : PO_AC_ONLINE;
        out->battery_flag = v->attached ? PO_FLAG_UNKNOWN : PO_FLAG_NONE;
        out->ac_on_line = !v->attached;
        return;
    }
    if (!v->present) {
        /* docs (7.3): no battery found means assume AC power. */
        out->ac_line_status = PO_AC_ONLINE;
        out->battery_flag = PO_FLAG_NONE;
        return;
    }
    out->ac_line_status = on_battery ? PO_AC_OFFLINE : PO_AC_ONLINE;
    uint8_t percent = percent_of(v);
    out->battery_life_percent = percent;
    if (percent == PO_PERCENT_UNKNOWN) {
        out->battery_flag = PO_FLAG_UNKNOWN;
        return;
    }
    uint8_t flag = 0;
    if (percent > PO_HIGH_ABOVE)
        flag |= PO_FLAG_HIGH;
    if (percent < PO_LOW_BELOW)
        flag |= PO_FLAG_LOW;
    /* The composite reports critical only when the whole system is out. */
    if (percent < PO_CRITICAL_BELOW || (ps & BATTERY_CRITICAL))
        flag |= PO_FLAG_CRIT;
    if (ps & BATTERY_CHARGING)
        flag |= PO_FLAG_CHARGE;
    out->battery_flag = flag;
    /* docs: life times are unknown (-1) on AC. */
    if (on_battery) {
        out->battery_life_time = estimate_s;
        out->battery_full_life_time =
            estimate_s == BATTERY_UNKNOWN_TIME ? PO_LIFE_UNKNOWN : full_life_s;
    }
}
