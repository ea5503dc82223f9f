/* battd's UPower-compatible D-Bus service (docs/upower.md): the bus side
 * (upower.c: sd-bus, objects, signals, the thread) and the mapping of
 * battkit's state to UPower's device properties (upower_map.c: one table). */
#ifndef BATTD_UPOWER_H
#define BATTD_UPOWER_H

#include "history.h"

#include <battkit/host.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <systemd/sd-bus.h>

/* ---- upower.c ---- */
/* Connects (bus_address NULL: the system bus), owns org.freedesktop.UPower
 * and serves it from a thread of its own. -1 with the reason logged. */
int upower_start(bk_host_t *host, const char *bus_address);
void upower_stop(void);

/* ---- upower_map.c ---- */
/* UPower's enums (org.freedesktop.UPower.Device.xml). */
enum { UP_TYPE_UNKNOWN = 0, UP_TYPE_LINE_POWER = 1, UP_TYPE_BATTERY = 2, UP_TYPE_UPS = 3 };
enum {
    UP_STATE_UNKNOWN = 0,
    UP_STATE_CHARGING = 1,
    UP_STATE_DISCHARGING = 2,
    UP_STATE_EMPTY = 3,
    UP_STATE_FULLY_CHARGED = 4,
    UP_STATE_PENDING_CHARGE = 5,
    UP_STATE_PENDING_DISCHARGE = 6,
};
enum {
    UP_WARNING_UNKNOWN = 0,
    UP_WARNING_NONE = 1,
    UP_WARNING_DISCHARGING = 2, /* UPS only */
    UP_WARNING_LOW = 3,
    UP_WARNING_CRITICAL = 4,
    UP_WARNING_ACTION = 5,
};
enum { UP_BATTERY_LEVEL_NONE = 1 };

#define UP_TEXT 160

/* One org.freedesktop.UPower.Device object's values, in the D-Bus types
 * the table below names: 'b' is int, 's' a char array, energies Wh, rates
 * W, voltages V, times seconds, temperature degrees Celsius. */
typedef struct up_values {
    char native_path[UP_TEXT], vendor[UP_TEXT], model[UP_TEXT], serial[UP_TEXT];
    char icon_name[64];
    uint64_t update_time; /* seconds since 1970 (virtual on a virtual-time machine) */
    uint32_t type, state, technology, warning_level, battery_level;
    int power_supply, online, is_present, is_rechargeable, has_history, has_statistics;
    double energy, energy_empty, energy_full, energy_full_design, energy_rate, voltage;
    double percentage, temperature, capacity, luminosity;
    int64_t time_to_empty, time_to_full;
    int32_t charge_cycles; /* -1: unknown */
} up_values_t;

/* A property: its D-Bus name and signature, where its value lives. */
typedef struct up_property {
    const char *name;
    const char *signature; /* one basic type: b u i x t d s */
    size_t offset;         /* in up_values_t */
} up_property_t;

extern const up_property_t up_properties[];
extern const size_t up_property_count;
const up_property_t *up_property_find(const char *name);
/* Appends the value of p in v to a message (the getter); sd-bus's result. */
int up_property_append(sd_bus_message *m, const up_property_t *p, const up_values_t *v);
bool up_property_equal(const up_property_t *p, const up_values_t *a, const up_values_t *b);

/* The DC policy thresholds a battery's WarningLevel is measured against. */
typedef struct up_policy {
    uint32_t low_percent, reserve_percent, critical_percent;
} up_policy_t;

void up_map_battery(const live_battery_t *b, const up_policy_t *policy, up_values_t *out);
void up_map_line_power(const bk_power_state_t *ps, up_values_t *out);
/* The display device: the power manager's view of the composite battery. */
void up_map_display(const bk_power_state_t *ps, up_values_t *out);
/* The UPower name of a DC policy action ("PowerOff", "Hibernate", ...). */
const char *up_critical_action_name(uint32_t action);

#endif
