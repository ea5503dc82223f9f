/* Units and flags (reference 2.2, 2.3, 1.3): status samples taken as found
 * and, with a controller, on and off AC, checked for documented bits, rate
 * sign, capacity within full charge, plausible millivolts; the information
 * values (technology, alerts, wear), temperature in tenths of kelvin, no
 * estimate on AC; and how long answers took. */
#include <string.h>

#include "cf_internal.h"

#define CF_POWER_BITS                                                                              \
    (BATTERY_POWER_ON_LINE | BATTERY_DISCHARGING | BATTERY_CHARGING | BATTERY_CRITICAL)
/* Plausible pack voltages: one NiMH cell (1.2 V) up to a 96 V pack. */
#define CF_MIN_MV 500
#define CF_MAX_MV 100000
/* Plausible pack temperatures: -73.15 degC .. 126.85 degC in 0.1 K. */
#define CF_MIN_DK 2000
#define CF_MAX_DK 4000

static const char *const status_checks[] = {
    "query_status_returns_status",          "status_power_state_documented_bits",
    "status_rate_sign_matches_power_state", "status_capacity_within_full_charged",
    "status_voltage_plausible_mv",          "estimated_time_unknown_on_ac",
};

static bool on_ac(const BATTERY_STATUS *s)
{
    return (s->PowerState & BATTERY_POWER_ON_LINE) && !(s->PowerState & BATTERY_DISCHARGING);
}

/* Takes one sample; a failed query is noted for query_status_returns_status. */
static void take_sample(cf_ctx_t *c, const char *when, cf_text_t *failures)
{
    BATTERY_STATUS st;
    uint32_t got = 0;

    cf_refresh_tag(c); /* docs: some systems change the tag with AC */
    NTSTATUS s = cf_query_status(c, c->bat->tag, &st, &got);
    if (!NT_SUCCESS(s) || got != sizeof st) {
        cf_note(failures, "%s: %s, %u bytes (expected %zu)", when, cf_status_name(s), got,
                sizeof st);
        return;
    }
    if (c->bat->nsamples < CF_MAX_SAMPLES) {
        cf_sample_t *sm = &c->bat->samples[c->bat->nsamples++];
        sm->when = when;
        sm->status = st;
    }
}

/* docs (1.3): no estimate while not discharging with AtRate 0. */
static void check_estimate_on_ac(cf_ctx_t *c, const char *when, bool *done)
{
    ULONG seconds = 0;
    uint32_t got = 0;
    const char *name = "estimated_time_unknown_on_ac";

    if (*done)
        return;
    *done = true;
    NTSTATUS s =
        cf_query_info(c, c->bat->tag, BatteryEstimatedTime, 0, &seconds, sizeof seconds, &got);
    if (s == STATUS_INVALID_DEVICE_REQUEST)
        cf_skip(c, name, "BatteryEstimatedTime not supported");
    else if (!NT_SUCCESS(s) || got != sizeof seconds)
        cf_fail(c, name, "%s: %s, %u bytes", when, cf_status_name(s), got);
    else if (seconds != BATTERY_UNKNOWN_TIME)
        cf_fail(c, name, "%s, AtRate 0: %u s instead of BATTERY_UNKNOWN_TIME", when,
                (unsigned)seconds);
    else
        cf_pass(c, name, "%s: BATTERY_UNKNOWN_TIME", when);
}

/* A status the controller can set when it cannot switch AC: plausible
 * figures for a pack of the battery's own size. */
bk_conformance_status_t cf_made_up_status(cf_ctx_t *c, bool charging)
{
    uint32_t full =
        c->bat->have_info && c->bat->info.FullChargedCapacity != BATTERY_UNKNOWN_CAPACITY
            ? c->bat->info.FullChargedCapacity
            : 100;
    uint32_t voltage = c->bat->nsamples ? c->bat->samples[0].status.Voltage : 12000;
    bk_conformance_status_t s = {
        .power_state = charging ? BATTERY_POWER_ON_LINE | BATTERY_CHARGING : BATTERY_DISCHARGING,
        .capacity = full / 2,
        .voltage = voltage,
        .rate = charging ? (int32_t)(full / 4 + 1) : -(int32_t)(full / 5 + 1),
    };
    return s;
}

static void collect_samples(cf_ctx_t *c, cf_text_t *failures)
{
    bool estimate_done = false;

    c->bat->nsamples = 0;
    take_sample(c, "as found", failures);
    if (c->bat->nsamples && on_ac(&c->bat->samples[0].status))
        check_estimate_on_ac(c, "as found, on AC", &estimate_done);
    if (c->bat->ctl && c->bat->ctl->set_ac) {
        if (NT_SUCCESS(cf_ctl_set_ac(c, 1))) {
            take_sample(c, "on AC", failures);
            check_estimate_on_ac(c, "on AC", &estimate_done);
        }
        if (NT_SUCCESS(cf_ctl_set_ac(c, 0)))
            take_sample(c, "off AC", failures);
    } else if (c->bat->ctl && c->bat->ctl->set_status) {
        bk_conformance_status_t charging = cf_made_up_status(c, true);
        bk_conformance_status_t discharging = cf_made_up_status(c, false);
        if (NT_SUCCESS(cf_ctl_set_status(c, &charging))) {
            take_sample(c, "set charging", failures);
            check_estimate_on_ac(c, "set charging", &estimate_done);
        }
        if (NT_SUCCESS(cf_ctl_set_status(c, &discharging)))
            take_sample(c, "set discharging", failures);
    }
    if (!estimate_done)
        cf_skip(c, "estimated_time_unknown_on_ac",
                "the battery is not on AC and no controller can plug it in");
}

static void check_samples(cf_ctx_t *c)
{
    cf_text_t bits = {0}, sign = {0}, sign_warn = {0}, cap = {0}, volt = {0}, shown = {0};
    const bool relative =
        c->bat->have_info && (c->bat->info.Capabilities & BATTERY_CAPACITY_RELATIVE);
    const ULONG full = c->bat->info.FullChargedCapacity;

    for (unsigned i = 0; i < c->bat->nsamples; i++) {
        const cf_sample_t *sm = &c->bat->samples[i];
        const BATTERY_STATUS *s = &sm->status;
        const ULONG dir = s->PowerState & (BATTERY_CHARGING | BATTERY_DISCHARGING);
        const bool rate_known = s->Rate != (LONG)BATTERY_UNKNOWN_RATE;

        cf_note(&shown, "%s: state 0x%x rate %d", sm->when, (unsigned)s->PowerState, (int)s->Rate);
        /* docs (2.2): four flags; charging and discharging exclude each other. */
        if (s->PowerState & ~(ULONG)CF_POWER_BITS)
            cf_note(&bits, "%s: PowerState 0x%x has undocumented bits", sm->when,
                    (unsigned)s->PowerState);
        else if (dir == (BATTERY_CHARGING | BATTERY_DISCHARGING))
            cf_note(&bits, "%s: PowerState 0x%x is charging and discharging at once", sm->when,
                    (unsigned)s->PowerState);
        /* docs (2.3): Rate positive = charging, negative = discharging. */
        if (dir == BATTERY_CHARGING && rate_known && s->Rate < 0)
            cf_note(&sign, "%s: charging with Rate %d mW", sm->when, (int)s->Rate);
        else if (dir == BATTERY_DISCHARGING && rate_known && s->Rate > 0)
            cf_note(&sign, "%s: discharging with Rate %d mW", sm->when, (int)s->Rate);
        else if ((dir == BATTERY_CHARGING || dir == BATTERY_DISCHARGING) && s->Rate == 0)
            cf_note(&sign_warn, "%s: %s with Rate 0", sm->when,
                    dir == BATTERY_CHARGING ? "charging" : "discharging");
        /* docs (2.3): the gas gauge is Capacity / FullChargedCapacity. */
        if (c->bat->have_info && !relative && s->Capacity != BATTERY_UNKNOWN_CAPACITY &&
            full != BATTERY_UNKNOWN_CAPACITY && s->Capacity > full)
            cf_note(&cap, "%s: Capacity %u mWh above FullChargedCapacity %u mWh", sm->when,
                    (unsigned)s->Capacity, (unsigned)full);
        /* docs (2.3): Voltage in mV, or BATTERY_UNKNOWN_VOLTAGE. */
        if (s->Voltage != BATTERY_UNKNOWN_VOLTAGE &&
            (s->Voltage < CF_MIN_MV || s->Voltage > CF_MAX_MV))
            cf_note(&volt, "%s: Voltage %u is not a pack voltage in mV", sm->when,
                    (unsigned)s->Voltage);
    }
    if (bits.count)
        cf_fail(c, "status_power_state_documented_bits", "%s", bits.buf);
    else
        cf_pass(c, "status_power_state_documented_bits", "%s", shown.buf);
    if (sign.count)
        cf_fail(c, "status_rate_sign_matches_power_state", "%s", sign.buf);
    else if (sign_warn.count)
        cf_warn(c, "status_rate_sign_matches_power_state", "%s", sign_warn.buf);
    else
        cf_pass(c, "status_rate_sign_matches_power_state", "%s", shown.buf);
    if (!c->bat->have_info)
        cf_skip(c, "status_capacity_within_full_charged", "no BATTERY_INFORMATION to compare with");
    else if (relative)
        cf_skip(c, "status_capacity_within_full_charged",
                "BATTERY_CAPACITY_RELATIVE: capacities are not mWh");
    else if (cap.count)
        cf_fail(c, "status_capacity_within_full_charged", "%s", cap.buf);
    else
        cf_pass(c, "status_capacity_within_full_charged", "%u samples within %u mWh",
                c->bat->nsamples, (unsigned)full);
    if (volt.count)
        cf_fail(c, "status_voltage_plausible_mv", "%s", volt.buf);
    else
        cf_pass(c, "status_voltage_plausible_mv", "%u samples: %u mV as found", c->bat->nsamples,
                (unsigned)c->bat->samples[0].status.Voltage);
}

/* docs (2.3): Technology 0 primary / 1 rechargeable; FullChargedCapacity
 * compared with DesignedCapacity shows wear; DefaultAlert1 ("low", the
 * critical alarm) sits below DefaultAlert2 ("warning"). */
static void check_information_values(cf_ctx_t *c)
{
    const BATTERY_INFORMATION *bi = &c->bat->info;
    static const char *const names[] = {"information_technology_valid",
                                        "information_full_charged_within_designed",
                                        "information_alerts_ordered"};
    if (!c->bat->have_info) {
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
            cf_skip(c, names[i], "no valid BATTERY_INFORMATION");
        return;
    }
    if (bi->Technology > 1)
        cf_fail(c, names[0], "Technology %u (documented: 0 primary, 1 rechargeable)",
                bi->Technology);
    else
        cf_pass(c, names[0], "Technology %u", bi->Technology);
    if (bi->FullChargedCapacity > bi->DesignedCapacity)
        cf_warn(c, names[1], "FullChargedCapacity %u above DesignedCapacity %u",
                (unsigned)bi->FullChargedCapacity, (unsigned)bi->DesignedCapacity);
    else
        cf_pass(c, names[1], "FullChargedCapacity %u of DesignedCapacity %u",
                (unsigned)bi->FullChargedCapacity, (unsigned)bi->DesignedCapacity);
    if (bi->DefaultAlert1 > bi->DefaultAlert2 || bi->DefaultAlert2 > bi->FullChargedCapacity)
        cf_warn(c, names[2],
                "DefaultAlert1 %u, DefaultAlert2 %u, FullChargedCapacity %u: not in "
                "rising order",
                (unsigned)bi->DefaultAlert1, (unsigned)bi->DefaultAlert2,
                (unsigned)bi->FullChargedCapacity);
    else
        cf_pass(c, names[2], "DefaultAlert1 %u <= DefaultAlert2 %u <= FullChargedCapacity %u",
                (unsigned)bi->DefaultAlert1, (unsigned)bi->DefaultAlert2,
                (unsigned)bi->FullChargedCapacity);
}

/* docs (1.3): BatteryTemperature is in tenths of a kelvin. */
static void check_temperature(cf_ctx_t *c)
{
    const cf_level_t *lv = &c->bat->levels[BatteryTemperature];
    const char *name = "temperature_tenths_of_kelvin";
    ULONG dk;

    if (!c->bat->have_levels || !NT_SUCCESS(lv->status) || lv->returned != sizeof dk) {
        cf_skip(c, name, "no BatteryTemperature answer to judge");
        return;
    }
    memcpy(&dk, lv->data, sizeof dk);
    if (dk < CF_MIN_DK || dk > CF_MAX_DK)
        cf_fail(c, name, "%u is not a battery temperature in 0.1 K (expected %u..%u)", (unsigned)dk,
                CF_MIN_DK, CF_MAX_DK);
    else
        cf_pass(c, name, "%u (%.1f degC)", (unsigned)dk, dk / 10.0 - 273.15);
}

void cf_check_status_units(cf_ctx_t *c)
{
    cf_text_t failures = {0};

    check_information_values(c);
    check_temperature(c);
    if (c->bat->tag == BATTERY_TAG_INVALID) {
        for (size_t i = 0; i < sizeof status_checks / sizeof status_checks[0]; i++)
            cf_skip(c, status_checks[i], "no battery tag to ask with");
        return;
    }
    collect_samples(c, &failures);
    if (failures.count)
        cf_fail(c, "query_status_returns_status", "%s", failures.buf);
    else
        cf_pass(c, "query_status_returns_status", "%u samples of 16 bytes", c->bat->nsamples);
    if (!c->bat->nsamples) {
        for (size_t i = 1; i < 5; i++)
            cf_skip(c, status_checks[i], "no status sample");
        return;
    }
    check_samples(c);
}

/* The suite's own measure: a request that did not ask to wait should not
 * keep its caller waiting (battc serializes a battery's calls, docs 4.1, so
 * one slow answer holds up every caller of that battery). */
void cf_check_promptness(cf_ctx_t *c)
{
    const char *name = "answers_without_waiting";
    unsigned ms = (unsigned)(c->slowest_ns / 1000000);
    if (!c->slowest[0])
        cf_skip(c, name, "no request was made");
    else if (c->slowest_ns > c->answer_bound_ns)
        cf_fail(c, name, "%s took %u ms of virtual time (bound %u ms)", c->slowest, ms,
                (unsigned)(c->answer_bound_ns / 1000000));
    else
        cf_pass(c, name, "slowest: %s, %u ms", c->slowest, ms);
}
