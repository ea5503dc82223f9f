/* The model behind the firmware: moving every pack to the host clock,
 * sharing the system load and AC between the batteries, the firmware's view
 * of a battery (what _BIX/_BST report), and spotting what changed since the
 * last look so the platform can raise Notify as an embedded controller
 * would. Callers hold plat.lock. */
#include "platform_internal.h"

#include <math.h>
#include <stdio.h>

_Static_assert(BK_PLATFORM_FAULT_NO_ANSWER == BATTKIT_FAULT_NO_ANSWER, "fault bits");
_Static_assert(BK_PLATFORM_FAULT_STUCK == BATTKIT_FAULT_STUCK, "fault bits");
_Static_assert(BK_PLATFORM_FAULT_SENSOR == BATTKIT_FAULT_SENSOR, "fault bits");
_Static_assert(BK_PLATFORM_FAULT_CRITICAL == BATTKIT_FAULT_CRITICAL, "fault bits");
_Static_assert(BK_PLATFORM_FAULT_WRONG_TAG == BATTKIT_FAULT_WRONG_TAG, "fault bits");

/* Platform fault bits <-> the model's, one table both ways. */
static const struct {
    unsigned platform, model;
} fault_map[] = {
    {BATTKIT_FAULT_NO_ANSWER, BK_FAULT_NO_ANSWER}, {BATTKIT_FAULT_STUCK, BK_FAULT_STUCK},
    {BATTKIT_FAULT_SENSOR, BK_FAULT_SENSOR},       {BATTKIT_FAULT_CRITICAL, BK_FAULT_CRITICAL},
    {BATTKIT_FAULT_WRONG_TAG, BK_FAULT_WRONG_TAG},
};

unsigned plat_model_faults(unsigned battkit_faults)
{
    unsigned m = 0;
    for (size_t i = 0; i < RTL_NUMBER_OF(fault_map); i++)
        if (battkit_faults & fault_map[i].platform)
            m |= fault_map[i].model;
    return m;
}

unsigned plat_platform_faults(unsigned model_faults)
{
    unsigned f = 0;
    for (size_t i = 0; i < RTL_NUMBER_OF(fault_map); i++)
        if (model_faults & fault_map[i].model)
            f |= fault_map[i].platform;
    return f;
}

uint64_t plat_now_ns(void)
{
    return clk_now() * 100; /* interrupt time is in 100 ns units */
}

void plat_advance_all_locked(void)
{
    uint64_t now = plat_now_ns();
    for (size_t i = 0; i < plat.nbat; i++)
        bk_pack_advance_to_ns(plat.bat[i].pack, now);
}

bool plat_ac_online_locked(void)
{
    for (size_t i = 0; i < plat.nac; i++)
        if (plat.ac[i].online)
            return true;
    return false;
}

static bk_load_t scaled(const bk_load_t *load, double factor)
{
    bk_load_t l = *load;
    if (l.kind == BK_LOAD_POWER || l.kind == BK_LOAD_CURRENT)
        l.value *= factor;
    for (unsigned i = 0; i < l.nsegments; i++)
        l.seg[i].value *= factor;
    return l;
}

static bool same_load(const bk_load_t *a, const bk_load_t *b)
{
    if (a->kind != b->kind || a->value != b->value || a->repeat != b->repeat ||
        a->nsegments != b->nsegments)
        return false;
    for (unsigned i = 0; i < a->nsegments; i++)
        if (a->seg[i].duration_ns != b->seg[i].duration_ns || a->seg[i].kind != b->seg[i].kind ||
            a->seg[i].value != b->seg[i].value)
            return false;
    return true;
}

/* A UPS on bus nut is real (nutbatt asks upsd): its pack is no model the
 * machine's load drains, and it needs no look. */
static bool plat_simulated(const plat_battery_t *b)
{
    return b->bus != BattkitBusNut;
}

/* On battery the present, not yet depleted batteries share the system load
 * evenly (a battery with its own scenario load keeps that); on AC the
 * adapter carries the load and the chargers run. A removed battery sits on
 * a shelf: no load, no charger. */
void plat_apply_inputs_locked(void)
{
    bool ac = plat_ac_online_locked();
    unsigned sharers = 0;
    for (size_t i = 0; i < plat.nbat; i++) {
        plat_battery_t *b = &plat.bat[i];
        if (plat_simulated(b) && b->present && !b->own_load &&
            (ac || !bk_pack_is_depleted(b->pack)))
            sharers++;
    }
    bk_load_t none = bk_load_none();
    bk_load_t share = sharers ? scaled(&plat.system_load, 1.0 / sharers) : none;
    for (size_t i = 0; i < plat.nbat; i++) {
        plat_battery_t *b = &plat.bat[i];
        const bk_load_t *want = &none;
        bool want_ac = b->present && ac;
        if (!plat_simulated(b))
            continue; /* left as built: no load, no charger */
        if (b->present)
            want = b->own_load ? &b->load : (ac || !bk_pack_is_depleted(b->pack) ? &share : &none);
        if (want_ac != b->given_ac || want_ac != bk_pack_ac(b->pack)) {
            bk_pack_set_ac(b->pack, want_ac);
            b->given_ac = want_ac;
        }
        if (!same_load(want, &b->given)) {
            bk_pack_set_load(b->pack, want);
            b->given = *want;
            b->given_at_ns = bk_pack_time_ns(b->pack);
        }
    }
}

ULONG plat_bst_state(const bk_reading_t *r)
{
    ULONG s = 0;
    if (r->discharging)
        s |= BATTKIT_BST_DISCHARGING;
    else if (r->charging)
        s |= BATTKIT_BST_CHARGING;
    if (r->critical)
        s |= BATTKIT_BST_CRITICAL;
    return s;
}

void plat_format_identity(char *dst, size_t len, const char *src)
{
    __atomic_fetch_add(&plat.identity_formats, 1, __ATOMIC_RELAXED);
    memset(dst, 0, len); /* copied whole into every reading: no stale bytes */
    snprintf(dst, len, "%s", src ? src : "");
}

#define SAME_SIZE(a, b)                                                                            \
    _Static_assert(sizeof(((plat_battery_t *)0)->a) == sizeof(((BATTKIT_BATTERY_READING *)0)->b),  \
                   #a " is copied as it is")
SAME_SIZE(model, Model);
SAME_SIZE(serial, Serial);
SAME_SIZE(type, Type);
SAME_SIZE(oem, Oem);

void plat_read_battery_locked(plat_battery_t *b, PBATTKIT_BATTERY_READING out)
{
    bk_reading_t r;
    bk_pack_advance_to_ns(b->pack, plat_now_ns());
    bk_pack_read(b->pack, &r);
    memset(out, 0, sizeof(*out));
    out->Present = b->present;
    out->FirmwareKind = b->firmware;
    out->ManufactureYear = b->year;
    out->ManufactureMonth = b->month;
    out->ManufactureDay = b->day;
    out->PowerUnit = b->power_unit;
    out->DesignCapacity = r.design_mwh;
    out->FullChargeCapacity = r.full_charge_mwh;
    out->Technology = 1; /* every modelled chemistry is rechargeable */
    out->DesignVoltage = r.design_voltage_mv;
    out->WarningCapacity = r.warning_mwh;
    out->LowCapacity = r.critical_mwh;
    out->CycleCount = r.cycle_count;
    out->Granularity1 = b->granularity1;
    out->Granularity2 = b->granularity2;
    /* Formatted when the battery was built: every _BST/_BIX read used to
     * format all four again. */
    memcpy(out->Model, b->model, sizeof out->Model);
    memcpy(out->Serial, b->serial, sizeof out->Serial);
    memcpy(out->Type, b->type, sizeof out->Type);
    memcpy(out->Oem, b->oem, sizeof out->Oem);
    out->State = plat_bst_state(&r);
    out->PresentRate = r.rate_mw == BK_UNKNOWN_RATE
                           ? BATTKIT_UNKNOWN
                           : (ULONG)(r.rate_mw < 0 ? -r.rate_mw : r.rate_mw);
    out->RemainingCapacity = r.remaining_mwh;
    out->PresentVoltage = r.voltage_mv;
    out->Temperature = r.temperature_dk;
    out->Faults = b->faults;
}

plat_battery_t *plat_find_battery_locked(const char *name, size_t *device)
{
    for (size_t i = 0; name && i < plat.nbat; i++) {
        if (strcasecmp(plat.bat[i].name, name) == 0) {
            if (device)
                *device = i; /* batteries come first in the device table */
            return &plat.bat[i];
        }
    }
    return NULL;
}

plat_ac_t *plat_find_ac_locked(const char *name, size_t *device)
{
    for (size_t i = 0; name && i < plat.nac; i++) {
        if (strcasecmp(plat.ac[i].name, name) == 0) {
            if (device)
                *device = plat.nbat + i;
            return &plat.ac[i];
        }
    }
    return NULL;
}

/* What an embedded controller notifies on (ACPI; Microsoft's firmware page):
 * a change of the _BST state bits (charging, discharging, critical - which
 * covers plug/unplug, charge complete and the critical level), a crossing
 * of the _BTP trip point (0x80), and a change of the static _BIX data -
 * full charge capacity learned, capacity dropped, cycle count (0x81). */
void plat_detect_locked(size_t device)
{
    if (device >= plat.nbat)
        return;
    plat_battery_t *b = &plat.bat[device];
    bk_reading_t r;
    bk_pack_read(b->pack, &r);
    ULONG state = b->present ? plat_bst_state(&r) : 0;
    bool depleted = bk_pack_is_depleted(b->pack);
    bool status = false, info = false, depletion_changed = false;
    if (b->last.valid) {
        depletion_changed = depleted != b->last.depleted;
        status = state != b->last.state || depletion_changed;
        info = r.design_mwh != b->last.design || r.full_charge_mwh != b->last.full ||
               r.cycle_count != b->last.cycles;
    }
    if (b->trip_mwh && b->present) {
        bool below = r.remaining_mwh < b->trip_mwh;
        if (below != b->trip_below) {
            status = true;
            b->trip_below = below;
        }
    }
    b->last.valid = true;
    b->last.state = state;
    b->last.depleted = depleted;
    b->last.design = r.design_mwh;
    b->last.full = r.full_charge_mwh;
    b->last.cycles = r.cycle_count;
    /* A depleted battery hands its share of the load to the others. */
    if (depletion_changed)
        plat_apply_inputs_locked();
    if (!b->present)
        return; /* a battery on the shelf has no firmware talking about it */
    if (info)
        plat_queue_event_locked(device, BATTKIT_NOTIFY_INFORMATION);
    if (status || info)
        plat_queue_event_locked(device, BATTKIT_NOTIFY_STATUS);
}

/* Seconds until the gauge's remaining capacity passes level_mwh at the
 * pack's present power, if it is heading there; INFINITY otherwise. The
 * gauge (whole mWh) is what the crossing is judged on: falling, it has
 * passed at remaining < level; rising, at remaining >= level. */
static double seconds_to(double remaining_mwh, double level_mwh, double power_w)
{
    if (power_w < 0.0 && remaining_mwh >= level_mwh)
        return (remaining_mwh - level_mwh + 1.0) * 3.6 / -power_w; /* mWh -> J, over W */
    if (power_w > 0.0 && remaining_mwh < level_mwh)
        return (level_mwh - remaining_mwh) * 3.6 / power_w;
    return INFINITY;
}

/* Half the time to the nearest level the firmware notifies at (the power
 * may change on the way; halving converges on the crossing), and the next
 * step of a load profile. */
uint64_t plat_next_look_ns_locked(void)
{
    double next = PLAT_TICK_MAX_NS / 1e9;
    for (size_t i = 0; i < plat.nbat; i++) {
        plat_battery_t *b = &plat.bat[i];
        if (!b->present || !plat_simulated(b))
            continue;
        const bk_pack_t *p = b->pack;
        bk_reading_t r;
        bk_pack_read(p, &r);
        double power = bk_pack_power_w(p);
        double levels[] = {(double)b->trip_mwh, (double)r.critical_mwh, 0.0,
                           (double)r.full_charge_mwh};
        for (size_t k = 0; k < RTL_NUMBER_OF(levels); k++) {
            if (k == 0 && !b->trip_mwh)
                continue;
            double s = seconds_to((double)r.remaining_mwh, levels[k], power) / 2.0;
            if (s < next)
                next = s;
        }
        uint64_t constant_for = UINT64_MAX;
        uint64_t offset = bk_pack_time_ns(p) - b->given_at_ns;
        bk_load_at(&b->given, offset, &constant_for);
        if (constant_for != UINT64_MAX && constant_for / 1e9 < next)
            next = constant_for / 1e9;
    }
    if (!(next * 1e9 > PLAT_TICK_MIN_NS))
        return PLAT_TICK_MIN_NS;
    return next * 1e9 < PLAT_TICK_MAX_NS ? (uint64_t)(next * 1e9) : PLAT_TICK_MAX_NS;
}
