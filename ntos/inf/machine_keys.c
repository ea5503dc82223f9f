/* machine_keys.c: every key a machine description may hold, with its type,
 * range and default (docs/machine-format.md is written from this table). A
 * key not in this table is an error; adding a key is adding a row. */
#include "machine_internal.h"

#include <stddef.h>

const mk_name_t bk_machine_bus_names[] = {
    {"acpi", BK_MACHINE_BUS_ACPI},
    {"root", BK_MACHINE_BUS_ROOT},
    {"simbatt", BK_MACHINE_BUS_SIMBATT},
    {"nut", BK_MACHINE_BUS_NUT},
    {NULL, 0},
};
/* ACPI0003 is the only AC adapter Windows knows (one per client system). */
const mk_name_t bk_machine_ac_bus_names[] = {{"acpi", BK_MACHINE_BUS_ACPI}, {NULL, 0}};
/* Spelled as model/'s bk_chemistry_find knows them. */
const mk_name_t bk_machine_chemistry_names[] = {
    {"li-ion", BK_MACHINE_LI_ION}, {"lead-acid", BK_MACHINE_LEAD_ACID}, {NULL, 0}};
const mk_name_t bk_machine_firmware_names[] = {
    {"bix", BK_MACHINE_FIRMWARE_BIX}, {"bif", BK_MACHINE_FIRMWARE_BIF}, {NULL, 0}};
const mk_name_t bk_machine_time_names[] = {
    {"real", BK_MACHINE_TIME_REAL}, {"virtual", BK_MACHINE_TIME_VIRTUAL}, {NULL, 0}};

#define M(f)    offsetof(bk_machine_t, f)
#define B(f)    offsetof(bk_machine_battery_t, f)
#define A(f)    offsetof(bk_machine_ac_t, f)
#define D(f)    offsetof(bk_machine_device_t, f)
#define MWH_MAX 10000000.0 /* 10 kWh: beyond any pack a battery driver reports */

const mk_key_t bk_machine_keys[] = {
    {MS_MACHINE, "name", MK_STRING, M(name), 0, 63, NULL, "machine", false, "name shown by tools"},
    {MS_MACHINE, "time", MK_ENUM, M(time), 0, 0, bk_machine_time_names, "real", false,
     "clock source: real (wall clock) or virtual (advanced by tests)"},
    {MS_MACHINE, "start_time", MK_TIME, M(start_time), 0, 0, NULL, "now", false,
     "virtual clock start, YYYY-MM-DDTHH:MM:SSZ, or now"},
    {MS_MACHINE, "composite_battery", MK_BOOL, M(composite_battery), 0, 0, NULL, "yes", false,
     "the composite battery (compbatt) over every battery; no: a driver alone, as in its own "
     "tests"},
    {MS_MACHINE, "power_supply", MK_PATH, M(power_supply), 1, 4095, NULL, NULL, false,
     "bridge the Linux power_supply class at this path (psbatt), e.g. /sys/class/power_supply"},
    {MS_MACHINE, "power_supply_poll_ms", MK_UINT, M(power_supply_poll_ms), 100, 3600000, NULL,
     "5000", false, "psbatt: read the class again this often (ms), besides uevents"},
    {MS_MACHINE, "power_supply_uevent", MK_PATH, M(power_supply_uevent), 1, 107, NULL, NULL, false,
     "psbatt, tests: take uevents from this AF_UNIX datagram socket instead of the kernel"},

    {MS_LOAD, "scenario", MK_PATH, M(load_scenario), 0, 4095, NULL, NULL, false,
     "scenario file (model/ format), relative to this file"},
    {MS_LOAD, "constant_power_mw", MK_UINT, M(load_constant_mw), 0, MWH_MAX, NULL, "0", false,
     "system load in mW drawn from the batteries when off AC"},

    {MS_BATTERY, "bus", MK_ENUM, B(bus), 0, 0, bk_machine_bus_names, "acpi", false,
     "who enumerates it: acpi (PNP0C0A, cmbatt), root, simbatt or nut (UPS)"},
    {MS_BATTERY, "chemistry", MK_ENUM, B(chemistry), 0, 0, bk_machine_chemistry_names, "li-ion",
     false, "li-ion or lead-acid"},
    {MS_BATTERY, "present", MK_BOOL, B(present), 0, 0, NULL, "yes", false,
     "inserted when the machine starts"},
    {MS_BATTERY, "design_capacity_mwh", MK_UINT, B(design_capacity_mwh), 1, MWH_MAX, NULL, NULL,
     true, "design capacity, mWh"},
    {MS_BATTERY, "full_charge_capacity_mwh", MK_UINT, B(full_charge_capacity_mwh), 0, MWH_MAX, NULL,
     "0", false, "last full charge capacity, mWh; 0: the model derives it from ageing"},
    {MS_BATTERY, "warning_capacity_mwh", MK_UINT, B(warning_capacity_mwh), 0, MWH_MAX, NULL, "0",
     false, "_BIX design capacity of warning, mWh; 0: model default (10 %)"},
    {MS_BATTERY, "low_capacity_mwh", MK_UINT, B(low_capacity_mwh), 0, MWH_MAX, NULL, "0", false,
     "_BIX design capacity of low (critical), mWh; 0: model default"},
    {MS_BATTERY, "design_voltage_mv", MK_UINT, B(design_voltage_mv), 1000, 1000000, NULL, NULL,
     true, "nominal pack voltage, mV"},
    {MS_BATTERY, "cells", MK_UINT, B(cells), 1, 256, NULL, NULL, true, "cells in series"},
    {MS_BATTERY, "parallel", MK_UINT, B(parallel), 1, 64, NULL, "1", false, "cells in parallel"},
    {MS_BATTERY, "cycle_count", MK_UINT, B(cycle_count), 0, 100000, NULL, "0", false,
     "charge cycles already done (ages the pack)"},
    {MS_BATTERY, "charge_current_ma", MK_UINT, B(charge_current_ma), 0, 1000000, NULL, "0", false,
     "charger constant-current limit, mA; 0: chemistry default"},
    {MS_BATTERY, "initial_soc_percent", MK_REAL, B(initial_soc_percent), 0, 100, NULL, "100", false,
     "state of charge at start, %"},
    {MS_BATTERY, "temperature_c", MK_REAL, B(temperature_c), -40, 85, NULL, "25", false,
     "ambient temperature at start, degC"},
    {MS_BATTERY, "manufacturer", MK_STRING, B(manufacturer), 0, 63, NULL, "", false,
     "BatteryManufactureName"},
    {MS_BATTERY, "model", MK_STRING, B(model), 0, 63, NULL, "", false, "BatteryDeviceName"},
    {MS_BATTERY, "serial", MK_STRING, B(serial), 0, 63, NULL, "", false, "BatterySerialNumber"},
    {MS_BATTERY, "manufacture_date", MK_DATE, B(manufacture_date), 0, 0, NULL, NULL, false,
     "BatteryManufactureDate, YYYY-MM-DD"},
    {MS_BATTERY, "firmware", MK_ENUM, B(firmware), 0, 0, bk_machine_firmware_names, "bix", false,
     "ACPI firmware: bix (_BIX) or bif (only the older _BIF)"},
    {MS_BATTERY, "nut_ups", MK_STRING, B(nut_ups), 0, 255, NULL, NULL, false,
     "bus nut: the UPS as upsname@host[:port]"},
    {MS_BATTERY, "nut_user", MK_STRING, B(nut_user), 0, 63, NULL, NULL, false,
     "bus nut: upsd user name (upsd.users), if upsd asks for one"},
    {MS_BATTERY, "nut_password", MK_STRING, B(nut_password), 0, 63, NULL, NULL, false,
     "bus nut: that user's password"},
    {MS_BATTERY, "nut_poll_ms", MK_UINT, B(nut_poll_ms), 100, 3600000, NULL, "5000", false,
     "bus nut: how often nutbatt asks upsd (ms); answers come from what it last heard"},

    {MS_AC, "bus", MK_ENUM, A(bus), 0, 0, bk_machine_ac_bus_names, "acpi", false,
     "acpi (ACPI0003)"},
    {MS_AC, "online", MK_BOOL, A(online), 0, 0, NULL, "yes", false, "on mains at start"},
    {MS_AC, "notify", MK_BOOL, A(notify), 0, 0, NULL, "yes", false,
     "the firmware notifies the adapter (0x80) when it goes on or off line"},

    {MS_DEVICE, "hardware_id", MK_STRING, D(hardware_id), 1, 255, NULL, NULL, true,
     "the device's hardware ID"},
    {MS_DEVICE, "compatible_ids", MK_IDLIST, D(compatible_ids), 0, 255, NULL, NULL, false,
     "comma-separated compatible IDs"},
    {MS_DEVICE, "service", MK_STRING, D(service), 1, 255, NULL, NULL, false,
     "bind the driver installed as this service"},
    {MS_DEVICE, "driver", MK_PATH, D(driver), 1, 4095, NULL, NULL, false,
     "or bind an out-of-tree driver .so by path"},
};
const size_t bk_machine_key_count = sizeof(bk_machine_keys) / sizeof(bk_machine_keys[0]);

const char *bk_mk_name_of(const mk_name_t *names, int value)
{
    for (; names->name; names++) {
        if (names->value == value)
            return names->name;
    }
    return NULL;
}

const char *bk_machine_bus_name(bk_machine_bus_t bus)
{
    return bk_mk_name_of(bk_machine_bus_names, (int)bus);
}

const char *bk_machine_chemistry_name(bk_machine_chemistry_t chem)
{
    return bk_mk_name_of(bk_machine_chemistry_names, (int)chem);
}

const char *bk_machine_firmware_name(bk_machine_firmware_t fw)
{
    return bk_mk_name_of(bk_machine_firmware_names, (int)fw);
}

const char *bk_machine_time_name(bk_machine_time_t t)
{
    return bk_mk_name_of(bk_machine_time_names, (int)t);
}

_Static_assert(sizeof(bk_machine_keys) / sizeof(bk_machine_keys[0]) <= MK_MAX_KEYS, "table");

/* The parser writes enums as int and finds an ID list's count just before it. */
_Static_assert(sizeof(bk_machine_bus_t) == sizeof(int), "enum is an int");
_Static_assert(sizeof(bk_machine_time_t) == sizeof(int), "enum is an int");
_Static_assert(offsetof(bk_machine_device_t, compatible_ids) ==
                   offsetof(bk_machine_device_t, ncompatible_ids) + sizeof(size_t),
               "count right before the list");
