/* psbatt's mapping of sysfs attributes and units to battc's answers, read
 * through the whole stack (IOCTLs on the battery's interface) from a fake
 * power_supply tree. */
#include "ps_fixture.h"

#include <string.h>

static bk_handle_t *start_one(ps_t *ps, ULONG *tag)
{
    if (ps_start(ps) != 0 || !ps_wait_batteries(ps, 1))
        return NULL;
    bk_handle_t *h = ps_open(ps, "BAT0");
    if (h && ps_tag(h, tag) != 0)
        bk_test_fail(__FILE__, __LINE__, "no tag");
    return h;
}

static void wide_to_ascii(const void *w, uint32_t bytes, char *out, size_t len)
{
    const uint16_t *p = w;
    size_t i;
    for (i = 0; i < bytes / 2 && i + 1 < len && p[i]; i++)
        out[i] = (char)p[i];
    out[i] = 0;
}

TEST(energy_battery_information_in_mwh)
{
    ps_t ps;
    ULONG tag;
    BATTERY_INFORMATION bi;
    uint32_t got;
    ps_init(&ps, 0, 0);
    ps_energy_battery(&ps, "BAT0");
    ps_mains(&ps, "AC", 0);
    bk_handle_t *h = start_one(&ps, &tag);
    REQUIRE(h);
    CHECK_STATUS(ps_info(h, tag, BatteryInformation, 0, &bi, sizeof bi, &got), 0);
    CHECK_EQ(got, sizeof bi);
    CHECK_EQ(bi.Capabilities, BATTERY_SYSTEM_BATTERY);
    CHECK_EQ(bi.Technology, 1);
    CHECK(memcmp(bi.Chemistry, "LION", 4) == 0);
    CHECK_EQ(bi.DesignedCapacity, 57000);    /* 57000000 uWh */
    CHECK_EQ(bi.FullChargedCapacity, 51300); /* energy_full */
    CHECK_EQ(bi.DefaultAlert1, 2850);        /* alarm */
    CHECK_EQ(bi.DefaultAlert2, 2850);
    CHECK_EQ(bi.CycleCount, 87);
    bk_close(h);
    ps_done(&ps);
}

TEST(energy_battery_status_units_and_sign)
{
    ps_t ps;
    ULONG tag;
    BATTERY_STATUS st;
    ps_init(&ps, 0, 0);
    ps_energy_battery(&ps, "BAT0");
    ps_mains(&ps, "AC", 0);
    bk_handle_t *h = start_one(&ps, &tag);
    REQUIRE(h);
    CHECK_STATUS(ps_status(h, tag, &st), 0);
    CHECK_EQ(st.PowerState, BATTERY_DISCHARGING); /* Mains offline, status Discharging */
    CHECK_EQ(st.Capacity, 25650);                 /* energy_now uWh -> mWh */
    CHECK_EQ(st.Voltage, 11400);                  /* voltage_now uV -> mV */
    CHECK_EQ(st.Rate, -8550);                     /* power_now uW -> mW, negative discharging */
    bk_close(h);
    ps_done(&ps);
}

TEST(temperature_tenths_of_celsius_become_tenths_of_kelvin)
{
    ps_t ps;
    ULONG tag, t = 0;
    ps_init(&ps, 0, 0);
    ps_energy_battery(&ps, "BAT0");
    bk_handle_t *h = start_one(&ps, &tag);
    REQUIRE(h);
    CHECK_STATUS(ps_info(h, tag, BatteryTemperature, 0, &t, sizeof t, NULL), 0);
    CHECK_EQ(t, 3044); /* 31.2 degC = 304.35 K, rounded up */
    bk_close(h);
    ps_done(&ps);
}

TEST(estimated_time_from_energy_and_power_or_at_rate)
{
    ps_t ps;
    ULONG tag, secs = 0;
    ps_init(&ps, 0, 0);
    ps_energy_battery(&ps, "BAT0");
    ps_mains(&ps, "AC", 0);
    bk_handle_t *h = start_one(&ps, &tag);
    REQUIRE(h);
    CHECK_STATUS(ps_info(h, tag, BatteryEstimatedTime, 0, &secs, sizeof secs, NULL), 0);
    CHECK_EQ(secs, 10800); /* 25650 mWh at 8550 mW: 3 h */
    CHECK_STATUS(ps_info(h, tag, BatteryEstimatedTime, -25650, &secs, sizeof secs, NULL), 0);
    CHECK_EQ(secs, 3600);
    CHECK_STATUS(ps_info(h, tag, BatteryEstimatedTime, 1000, &secs, sizeof secs, NULL), 0);
    CHECK_EQ(secs, BATTERY_UNKNOWN_TIME);
    bk_close(h);
    ps_done(&ps);
}

TEST(time_to_empty_now_is_used_when_given)
{
    ps_t ps;
    ULONG tag, secs = 0;
    ps_init(&ps, 0, 0);
    ps_energy_battery(&ps, "BAT0");
    ps_set(&ps, "BAT0", "time_to_empty_now", "4000");
    bk_handle_t *h = start_one(&ps, &tag);
    REQUIRE(h);
    CHECK_STATUS(ps_info(h, tag, BatteryEstimatedTime, 0, &secs, sizeof secs, NULL), 0);
    CHECK_EQ(secs, 4000);
    bk_close(h);
    ps_done(&ps);
}

TEST(strings_date_and_unique_id_from_sysfs)
{
    ps_t ps;
    ULONG tag;
    unsigned char buf[256];
    char text[128];
    uint32_t got;
    BATTERY_MANUFACTURE_DATE d;
    ps_init(&ps, 0, 0);
    ps_energy_battery(&ps, "BAT0");
    bk_handle_t *h = start_one(&ps, &tag);
    REQUIRE(h);
    CHECK_STATUS(ps_info(h, tag, BatteryDeviceName, 0, buf, sizeof buf, &got), 0);
    wide_to_ascii(buf, got, text, sizeof text);
    CHECK_STR(text, "CT57");
    CHECK_EQ(got, 10); /* 4 characters and the NUL, UTF-16 */
    CHECK_STATUS(ps_info(h, tag, BatteryManufactureName, 0, buf, sizeof buf, &got), 0);
    wide_to_ascii(buf, got, text, sizeof text);
    CHECK_STR(text, "Contoso");
    CHECK_STATUS(ps_info(h, tag, BatterySerialNumber, 0, buf, sizeof buf, &got), 0);
    wide_to_ascii(buf, got, text, sizeof text);
    CHECK_STR(text, "4711");
    CHECK_STATUS(ps_info(h, tag, BatteryUniqueID, 0, buf, sizeof buf, &got), 0);
    wide_to_ascii(buf, got, text, sizeof text);
    CHECK_STR(text, "ContosoCT57202304094711");
    CHECK_STATUS(ps_info(h, tag, BatteryManufactureDate, 0, &d, sizeof d, &got), 0);
    CHECK_EQ(d.Year, 2023);
    CHECK_EQ(d.Month, 4);
    CHECK_EQ(d.Day, 9);
    bk_close(h);
    ps_done(&ps);
}

TEST(charge_battery_converted_with_voltage_min_design)
{
    ps_t ps;
    ULONG tag;
    BATTERY_INFORMATION bi;
    BATTERY_STATUS st;
    ps_init(&ps, 0, 0);
    ps_set(&ps, "BAT0", "type", "Battery");
    ps_set(&ps, "BAT0", "status", "Charging");
    ps_set(&ps, "BAT0", "technology", "NiMH");
    ps_set(&ps, "BAT0", "charge_full_design", "5000000"); /* uAh */
    ps_set(&ps, "BAT0", "charge_full", "4500000");
    ps_set(&ps, "BAT0", "charge_now", "2000000");
    ps_set(&ps, "BAT0", "voltage_min_design", "10800000"); /* uV */
    ps_set(&ps, "BAT0", "voltage_now", "12000000");
    ps_set(&ps, "BAT0", "current_now", "-1500000"); /* uA, signed by some drivers */
    ps_mains(&ps, "ADP1", 1);
    bk_handle_t *h = start_one(&ps, &tag);
    REQUIRE(h);
    CHECK_STATUS(ps_info(h, tag, BatteryInformation, 0, &bi, sizeof bi, NULL), 0);
    CHECK(memcmp(bi.Chemistry, "NiMH", 4) == 0);
    CHECK_EQ(bi.DesignedCapacity, 54000);    /* 5 Ah x 10.8 V */
    CHECK_EQ(bi.FullChargedCapacity, 48600); /* 4.5 Ah x 10.8 V */
    CHECK_STATUS(ps_status(h, tag, &st), 0);
    CHECK_EQ(st.PowerState, BATTERY_POWER_ON_LINE | BATTERY_CHARGING);
    CHECK_EQ(st.Capacity, 21600); /* 2 Ah x 10.8 V */
    CHECK_EQ(st.Voltage, 12000);
    CHECK_EQ(st.Rate, 18000); /* 1.5 A x 12 V, positive charging */
    bk_close(h);
    ps_done(&ps);
}

TEST(charge_battery_without_design_voltage_uses_voltage_now)
{
    ps_t ps;
    ULONG tag;
    BATTERY_INFORMATION bi;
    ps_init(&ps, 0, 0);
    ps_set(&ps, "BAT0", "type", "Battery");
    ps_set(&ps, "BAT0", "status", "Full");
    ps_set(&ps, "BAT0", "charge_full", "3000000");
    ps_set(&ps, "BAT0", "charge_now", "3000000");
    ps_set(&ps, "BAT0", "voltage_now", "4000000");
    bk_handle_t *h = start_one(&ps, &tag);
    REQUIRE(h);
    CHECK_STATUS(ps_info(h, tag, BatteryInformation, 0, &bi, sizeof bi, NULL), 0);
    CHECK_EQ(bi.FullChargedCapacity, 12000); /* 3 Ah x 4 V */
    CHECK_EQ(bi.DesignedCapacity, 12000);    /* no design value: the full one */
    bk_close(h);
    ps_done(&ps);
}

TEST(capacity_only_battery_is_relative)
{
    ps_t ps;
    ULONG tag;
    BATTERY_INFORMATION bi;
    BATTERY_STATUS st;
    ps_init(&ps, 0, 0);
    ps_set(&ps, "hid-mouse", "type", "Battery");
    ps_set(&ps, "hid-mouse", "scope", "Device");
    ps_set(&ps, "hid-mouse", "status", "Discharging");
    ps_set(&ps, "hid-mouse", "capacity", "64");
    if (ps_start(&ps) != 0 || !ps_wait_batteries(&ps, 1)) {
        bk_test_fail(__FILE__, __LINE__, "no battery");
        ps_done(&ps);
        return;
    }
    bk_handle_t *h = ps_open(&ps, "hid-mouse");
    REQUIRE(h);
    REQUIRE(ps_tag(h, &tag) == 0);
    CHECK_STATUS(ps_info(h, tag, BatteryInformation, 0, &bi, sizeof bi, NULL), 0);
    /* A peripheral's battery: not a system battery; percentages. */
    CHECK_EQ(bi.Capabilities, BATTERY_CAPACITY_RELATIVE);
    CHECK_EQ(bi.FullChargedCapacity, 100);
    CHECK_STATUS(ps_status(h, tag, &st), 0);
    CHECK_EQ(st.Capacity, 64);
    CHECK_EQ(st.Rate, (LONG)BATTERY_UNKNOWN_RATE);
    CHECK_EQ(st.Voltage, BATTERY_UNKNOWN_VOLTAGE);
    bk_close(h);
    ps_done(&ps);
}

TEST(missing_attributes_are_unknown_or_not_supported)
{
    ps_t ps;
    ULONG tag, v;
    BATTERY_STATUS st;
    unsigned char buf[64];
    ps_init(&ps, 0, 0);
    ps_set(&ps, "BAT0", "type", "Battery");
    ps_set(&ps, "BAT0", "status", "Discharging");
    ps_set(&ps, "BAT0", "energy_full", "40000000");
    ps_set(&ps, "BAT0", "energy_now", "20000000");
    bk_handle_t *h = start_one(&ps, &tag);
    REQUIRE(h);
    CHECK_STATUS(ps_status(h, tag, &st), 0);
    CHECK_EQ(st.Capacity, 20000);
    CHECK_EQ(st.Voltage, BATTERY_UNKNOWN_VOLTAGE);
    CHECK_EQ(st.Rate, (LONG)BATTERY_UNKNOWN_RATE);
    CHECK_STATUS(ps_info(h, tag, BatteryTemperature, 0, &v, sizeof v, NULL),
                 STATUS_INVALID_DEVICE_REQUEST);
    CHECK_STATUS(ps_info(h, tag, BatteryDeviceName, 0, buf, sizeof buf, NULL),
                 STATUS_INVALID_DEVICE_REQUEST);
    CHECK_STATUS(ps_info(h, tag, BatteryManufactureDate, 0, buf, sizeof buf, NULL),
                 STATUS_INVALID_DEVICE_REQUEST);
    CHECK_STATUS(ps_info(h, tag, BatteryGranularityInformation, 0, buf, sizeof buf, NULL),
                 STATUS_INVALID_DEVICE_REQUEST);
    CHECK_STATUS(ps_info(h, tag, BatteryEstimatedTime, 0, &v, sizeof v, NULL), 0);
    CHECK_EQ(v, BATTERY_UNKNOWN_TIME); /* no rate to divide by */
    CHECK_STATUS(ps_info(h, tag, 9, 0, buf, sizeof buf, NULL), STATUS_INVALID_PARAMETER);
    bk_close(h);
    ps_done(&ps);
}

TEST(unreadable_attribute_is_treated_as_absent)
{
    ps_t ps;
    ULONG tag;
    BATTERY_STATUS st;
    ps_init(&ps, 0, 0);
    ps_energy_battery(&ps, "BAT0");
    ps_unreadable(&ps, "BAT0", "voltage_now");
    ps_unreadable(&ps, "BAT0", "power_now");
    ps_set(&ps, "BAT0", "current_now", "garbage");
    bk_handle_t *h = start_one(&ps, &tag);
    REQUIRE(h);
    CHECK_STATUS(ps_status(h, tag, &st), 0);
    CHECK_EQ(st.Capacity, 25650);
    CHECK_EQ(st.Voltage, BATTERY_UNKNOWN_VOLTAGE);
    CHECK_EQ(st.Rate, (LONG)BATTERY_UNKNOWN_RATE);
    bk_close(h);
    ps_done(&ps);
}

TEST(energy_now_missing_falls_back_to_capacity_percent_of_full)
{
    ps_t ps;
    ULONG tag;
    BATTERY_STATUS st;
    ps_init(&ps, 0, 0);
    ps_energy_battery(&ps, "BAT0");
    ps_unset(&ps, "BAT0", "energy_now");
    bk_handle_t *h = start_one(&ps, &tag);
    REQUIRE(h);
    CHECK_STATUS(ps_status(h, tag, &st), 0);
    CHECK_EQ(st.Capacity, 25650); /* 50 % of 51300 mWh */
    bk_close(h);
    ps_done(&ps);
}

TEST(critical_capacity_level_sets_battery_critical)
{
    ps_t ps;
    ULONG tag;
    BATTERY_STATUS st;
    ps_init(&ps, 0, 0);
    ps_energy_battery(&ps, "BAT0");
    ps_set(&ps, "BAT0", "capacity_level", "Critical");
    ps_mains(&ps, "AC", 0);
    bk_handle_t *h = start_one(&ps, &tag);
    REQUIRE(h);
    CHECK_STATUS(ps_status(h, tag, &st), 0);
    CHECK_EQ(st.PowerState, BATTERY_DISCHARGING | BATTERY_CRITICAL);
    bk_close(h);
    ps_done(&ps);
}

TEST(usb_supply_online_counts_as_ac)
{
    ps_t ps;
    ULONG tag;
    BATTERY_STATUS st;
    ps_init(&ps, 0, 0);
    ps_energy_battery(&ps, "BAT0");
    ps_set(&ps, "BAT0", "status", "Not charging");
    ps_mains(&ps, "AC", 0);
    ps_set(&ps, "ucsi-source-psy-USBC000:001", "type", "USB");
    ps_set(&ps, "ucsi-source-psy-USBC000:001", "online", "1");
    bk_handle_t *h = start_one(&ps, &tag);
    REQUIRE(h);
    CHECK_STATUS(ps_status(h, tag, &st), 0);
    CHECK_EQ(st.PowerState, BATTERY_POWER_ON_LINE);
    CHECK_EQ(st.Rate, 0); /* neither charging nor discharging */
    bk_close(h);
    ps_done(&ps);
}

TEST(without_ac_supply_online_follows_battery_status)
{
    ps_t ps;
    ULONG tag;
    BATTERY_STATUS st;
    ps_init(&ps, 0, 0);
    ps_energy_battery(&ps, "BAT0");
    ps_set(&ps, "BAT0", "status", "Full");
    bk_handle_t *h = start_one(&ps, &tag);
    REQUIRE(h);
    CHECK_STATUS(ps_status(h, tag, &st), 0);
    CHECK_EQ(st.PowerState, BATTERY_POWER_ON_LINE);
    bk_close(h);
    ps_done(&ps);
}

TEST(only_battery_supplies_become_batteries)
{
    ps_t ps;
    ps_init(&ps, 0, 0);
    ps_energy_battery(&ps, "BAT0");
    ps_energy_battery(&ps, "BAT1");
    ps_mains(&ps, "AC", 1);
    ps_set(&ps, "ups", "type", "UPS");
    REQUIRE(ps_start(&ps) == 0);
    CHECK(ps_wait_batteries(&ps, 2));
    bk_handle_t *a = ps_open(&ps, "BAT0"), *b = ps_open(&ps, "BAT1");
    CHECK(a != NULL);
    CHECK(b != NULL);
    CHECK(ps_open(&ps, "AC") == NULL);
    if (a)
        bk_close(a);
    if (b)
        bk_close(b);
    ps_done(&ps);
}
