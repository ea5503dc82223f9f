/* battkit's battery state in UPower's terms: the property table (name,
 * D-Bus type, where the value lives) and the mapping of a battery, the AC
 * line and the power manager's composite view to those values. Knows no
 * D-Bus beyond appending one basic value; docs/upower.md is the prose. */
#include "upower.h"

#include <windows.h>
#include <poclass.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define V(field) offsetof(up_values_t, field)

/* Every device object has every property, as UPower's own devices do:
 * what does not apply to a kind of device is 0 or "". */
const up_property_t up_properties[] = {
    {"NativePath", "s", V(native_path)},
    {"Vendor", "s", V(vendor)},
    {"Model", "s", V(model)},
    {"Serial", "s", V(serial)},
    {"UpdateTime", "t", V(update_time)},
    {"Type", "u", V(type)},
    {"PowerSupply", "b", V(power_supply)},
    {"HasHistory", "b", V(has_history)},
    {"HasStatistics", "b", V(has_statistics)},
    {"Online", "b", V(online)},
    {"Energy", "d", V(energy)},
    {"EnergyEmpty", "d", V(energy_empty)},
    {"EnergyFull", "d", V(energy_full)},
    {"EnergyFullDesign", "d", V(energy_full_design)},
    {"EnergyRate", "d", V(energy_rate)},
    {"Voltage", "d", V(voltage)},
    {"ChargeCycles", "i", V(charge_cycles)},
    {"Luminosity", "d", V(luminosity)},
    {"TimeToEmpty", "x", V(time_to_empty)},
    {"TimeToFull", "x", V(time_to_full)},
    {"Percentage", "d", V(percentage)},
    {"Temperature", "d", V(temperature)},
    {"IsPresent", "b", V(is_present)},
    {"State", "u", V(state)},
    {"IsRechargeable", "b", V(is_rechargeable)},
    {"Capacity", "d", V(capacity)},
    {"Technology", "u", V(technology)},
    {"WarningLevel", "u", V(warning_level)},
    {"BatteryLevel", "u", V(battery_level)},
    {"IconName", "s", V(icon_name)},
};
const size_t up_property_count = sizeof up_properties / sizeof up_properties[0];

const up_property_t *up_property_find(const char *name)
{
    for (size_t i = 0; i < up_property_count; i++)
        if (strcmp(up_properties[i].name, name) == 0)
            return &up_properties[i];
    return NULL;
}

/* The size of a value of a basic signature (strings: the array). */
static size_t value_size(char sig)
{
    switch (sig) {
    case 'b':
        return sizeof(int);
    case 'u':
        return sizeof(uint32_t);
    case 'i':
        return sizeof(int32_t);
    case 'x':
        return sizeof(int64_t);
    case 't':
        return sizeof(uint64_t);
    case 'd':
        return sizeof(double);
    default:
        return 0;
    }
}

int up_property_append(sd_bus_message *m, const up_property_t *p, const up_values_t *v)
{
    /* sd-bus takes a string as itself (our arrays are), every other basic
     * type by the address of its value (a 'b' as an int). */
    return sd_bus_message_append_basic(m, p->signature[0], (const char *)v + p->offset);
}

bool up_property_equal(const up_property_t *p, const up_values_t *a, const up_values_t *b)
{
    const char *x = (const char *)a + p->offset, *y = (const char *)b + p->offset;
    if (p->signature[0] == 's')
        return strcmp(x, y) == 0;
    return memcmp(x, y, value_size(p->signature[0])) == 0;
}

/* ---- values ---- */
static const struct {
    const char *chemistry; /* BATTERY_INFORMATION.Chemistry, case as drivers vary */
    uint32_t technology;   /* UPower's Technology */
} technologies[] = {
    {"LION", 1}, {"Li-I", 1}, {"LiMn", 1}, {"LiP", 2},  {"LIPO", 2},
    {"LiFe", 3}, {"PbAc", 4}, {"NiCd", 5}, {"NiMH", 6},
};

static uint32_t technology_of(const char *chemistry)
{
    for (size_t i = 0; i < sizeof technologies / sizeof technologies[0]; i++)
        if (strcasecmp(technologies[i].chemistry, chemistry) == 0)
            return technologies[i].technology;
    return 0; /* Unknown */
}

static const struct {
    uint32_t action; /* BK_PO_ACTION_* */
    const char *name;
} critical_actions[] = {
    {BK_PO_ACTION_SHUTDOWN, "PowerOff"},
    {BK_PO_ACTION_HIBERNATE, "Hibernate"},
    {BK_PO_ACTION_SLEEP, "Suspend"},
};

const char *up_critical_action_name(uint32_t action)
{
    for (size_t i = 0; i < sizeof critical_actions / sizeof critical_actions[0]; i++)
        if (critical_actions[i].action == action)
            return critical_actions[i].name;
    return "Ignore"; /* none or notify: battkit takes no action on the machine */
}

static double wh(int64_t mwh)
{
    return mwh == HIST_UNKNOWN || mwh < 0 ? 0.0 : (double)mwh / 1000.0;
}

/* UPower's State from BATTERY_STATUS.PowerState: charging and discharging
 * are said by the flags; on AC and neither, a full pack is FullyCharged
 * and any other is waiting to charge. */
static uint32_t state_of(uint32_t power_state, double percent)
{
    if (power_state & BATTERY_CHARGING)
        return UP_STATE_CHARGING;
    if (power_state & BATTERY_DISCHARGING)
        return percent <= 0.0 ? UP_STATE_EMPTY : UP_STATE_DISCHARGING;
    if (power_state & BATTERY_POWER_ON_LINE)
        return percent >= 99.0 ? UP_STATE_FULLY_CHARGED : UP_STATE_PENDING_CHARGE;
    return UP_STATE_PENDING_DISCHARGE;
}

/* The icon names desktop themes have: the charge in four steps. */
static void icon_of(const up_values_t *v, char *out, size_t n)
{
    if (!v->is_present) {
        snprintf(out, n, "battery-missing-symbolic");
        return;
    }
    const char *level = v->percentage < 10   ? "caution"
                        : v->percentage < 30 ? "low"
                        : v->percentage < 60 ? "good"
                                             : "full";
    const char *suffix = v->state == UP_STATE_FULLY_CHARGED ? "-charged"
                         : v->state == UP_STATE_CHARGING || v->state == UP_STATE_PENDING_CHARGE
                             ? "-charging"
                             : "";
    if (v->state == UP_STATE_FULLY_CHARGED)
        level = "full";
    snprintf(out, n, "battery-%s%s-symbolic", level, suffix);
}

/* Where a charge is against the DC policy's levels; only on battery. */
static uint32_t warning_of(const up_values_t *v, const up_policy_t *policy)
{
    if (v->state != UP_STATE_DISCHARGING && v->state != UP_STATE_EMPTY)
        return UP_WARNING_NONE;
    if (v->percentage <= policy->critical_percent)
        return UP_WARNING_ACTION;
    if (v->percentage <= policy->reserve_percent)
        return UP_WARNING_CRITICAL;
    if (v->percentage <= policy->low_percent)
        return UP_WARNING_LOW;
    return v->type == UP_TYPE_UPS ? UP_WARNING_DISCHARGING : UP_WARNING_NONE;
}

void up_map_battery(const live_battery_t *b, const up_policy_t *policy, up_values_t *out)
{
    *out = (up_values_t){.battery_level = UP_BATTERY_LEVEL_NONE, .charge_cycles = -1};
    /* The path as battctl and SetupDi show it: \\?\ in user mode, not \??\. */
    if (strncmp(b->path, "\\??\\", 4) == 0)
        snprintf(out->native_path, sizeof out->native_path, "\\\\?\\%s", b->path + 4);
    else
        snprintf(out->native_path, sizeof out->native_path, "%s", b->path);
    /* docs: BATTERY_IS_SHORT_TERM marks a fail-safe battery, a UPS. */
    out->type = b->capabilities & BATTERY_IS_SHORT_TERM ? UP_TYPE_UPS : UP_TYPE_BATTERY;
    out->power_supply = (b->capabilities & BATTERY_SYSTEM_BATTERY) != 0;
    out->is_present = b->present;
    if (!b->present) {
        out->state = UP_STATE_UNKNOWN;
        out->warning_level = UP_WARNING_NONE;
        icon_of(out, out->icon_name, sizeof out->icon_name);
        return;
    }
    snprintf(out->vendor, sizeof out->vendor, "%s", b->manufacturer);
    snprintf(out->model, sizeof out->model, "%s", b->device_name);
    snprintf(out->serial, sizeof out->serial, "%s", b->serial);
    out->update_time = b->t_ms > 0 ? (uint64_t)(b->t_ms / 1000) : 0;
    out->is_rechargeable = b->technology == 1;
    out->technology = technology_of(b->chemistry);
    out->energy = wh(b->capacity_mwh);
    out->energy_full = wh(b->full_mwh);
    out->energy_full_design = wh(b->design_mwh);
    out->energy_rate = b->rate_mw == HIST_UNKNOWN ? 0.0 : (double)llabs(b->rate_mw) / 1000.0;
    out->voltage = b->voltage_mv == HIST_UNKNOWN ? 0.0 : (double)b->voltage_mv / 1000.0;
    if (b->cycle_count != HIST_UNKNOWN && b->cycle_count > 0 && b->cycle_count <= INT32_MAX)
        out->charge_cycles = (int32_t)b->cycle_count;
    if (b->temperature_dk != HIST_UNKNOWN)
        out->temperature = (double)(b->temperature_dk - 2732) / 10.0;
    if (out->energy_full > 0) {
        double p = out->energy * 100.0 / out->energy_full;
        out->percentage = p > 100.0 ? 100.0 : p;
    }
    if (out->energy_full_design > 0) {
        double c = out->energy_full * 100.0 / out->energy_full_design;
        out->capacity = c > 100.0 ? 100.0 : c;
    }
    out->state = state_of(b->power_state, out->percentage);
    /* A pack's own times: what is left (or missing) at the present rate. */
    if (out->energy_rate > 0 && out->state == UP_STATE_DISCHARGING)
        out->time_to_empty = (int64_t)(out->energy * 3600.0 / out->energy_rate);
    if (out->energy_rate > 0 && out->state == UP_STATE_CHARGING && out->energy_full > out->energy)
        out->time_to_full = (int64_t)((out->energy_full - out->energy) * 3600.0 / out->energy_rate);
    out->warning_level = warning_of(out, policy);
    icon_of(out, out->icon_name, sizeof out->icon_name);
}

void up_map_line_power(const bk_power_state_t *ps, up_values_t *out)
{
    *out = (up_values_t){.type = UP_TYPE_LINE_POWER,
                         .power_supply = 1,
                         .online = ps && ps->ac_line_status == 1,
                         .charge_cycles = -1,
                         .battery_level = UP_BATTERY_LEVEL_NONE,
                         .warning_level = UP_WARNING_NONE};
    snprintf(out->native_path, sizeof out->native_path, "AC");
    snprintf(out->icon_name, sizeof out->icon_name, "ac-adapter-symbolic");
}

void up_map_display(const bk_power_state_t *ps, up_values_t *out)
{
    *out = (up_values_t){.type = UP_TYPE_BATTERY,
                         .power_supply = 1,
                         .charge_cycles = -1,
                         .battery_level = UP_BATTERY_LEVEL_NONE,
                         .warning_level = UP_WARNING_NONE};
    if (!ps || !ps->battery_present) {
        out->state = UP_STATE_UNKNOWN;
        return; /* UPower's display device without batteries: nothing present */
    }
    if (ps->capabilities & BATTERY_IS_SHORT_TERM)
        out->type = UP_TYPE_UPS;
    out->is_present = 1;
    out->energy = (double)ps->remaining_capacity / 1000.0;
    out->energy_full = (double)ps->max_capacity / 1000.0;
    out->energy_rate = ps->rate == INT32_MIN ? 0.0 : (double)labs((long)ps->rate) / 1000.0;
    out->percentage = ps->battery_life_percent <= 100 ? ps->battery_life_percent : 0;
    out->state = state_of(ps->composite_power_state, out->percentage);
    if (out->state == UP_STATE_DISCHARGING && ps->estimated_time != 0xFFFFFFFFu)
        out->time_to_empty = ps->estimated_time;
    /* The power manager has no time to full; the composite's own numbers. */
    if (out->state == UP_STATE_CHARGING && out->energy_rate > 0 && out->energy_full > out->energy)
        out->time_to_full = (int64_t)((out->energy_full - out->energy) * 3600.0 / out->energy_rate);
    /* The power manager's level is the system's warning. */
    static const uint32_t level_warning[BK_PO_LEVEL_COUNT] = {
        [BK_PO_LEVEL_NORMAL] = UP_WARNING_NONE,
        [BK_PO_LEVEL_LOW] = UP_WARNING_LOW,
        [BK_PO_LEVEL_RESERVE] = UP_WARNING_CRITICAL,
        [BK_PO_LEVEL_CRITICAL] = UP_WARNING_ACTION,
    };
    bool on_battery = out->state == UP_STATE_DISCHARGING || out->state == UP_STATE_EMPTY;
    if (on_battery && ps->policy_level < BK_PO_LEVEL_COUNT)
        out->warning_level = level_warning[ps->policy_level];
    if (on_battery && out->type == UP_TYPE_UPS && out->warning_level == UP_WARNING_NONE)
        out->warning_level = UP_WARNING_DISCHARGING;
    icon_of(out, out->icon_name, sizeof out->icon_name);
}
