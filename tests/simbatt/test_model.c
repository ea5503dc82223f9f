/* simbatt attached to a battery of the emulated platform (ntos/platform):
 * status and information come from ReadBattery, platform events reach a
 * pending wait, insertion/removal and faults of the platform's battery give
 * the documented tags and statuses, and a full discharge under a constant
 * load raises the critical flag when the model's own integral says. */
#include "simbatt_fixture.h"

#include <math.h>
#include <string.h>

#define FOREVER 0xFFFFFFFFu

static const char machine[] = "[machine]\n"
                              "name = simbatt-test\n"
                              "time = virtual\n"
                              "start_time = 2024-06-01T09:00:00Z\n"
                              /* simbatt's own trip point, with no other client */
                              "composite_battery = no\n"
                              "[battery.BAT0]\n"
                              "bus = simbatt\n"
                              "design_capacity_mwh = 57000\n"
                              "design_voltage_mv = 11400\n"
                              "cells = 3\n"
                              "initial_soc_percent = 80\n"
                              "manufacturer = battkit\n"
                              "model = BK57\n"
                              "serial = 4242\n"
                              "manufacture_date = 2024-02-01\n"
                              "[ac.ADP1]\n"
                              "online = yes\n";

static const sb_options_t on_platform = {.machine_text = machine, .machine_battery = "BAT0"};

TEST(device_on_the_simbatt_bus_follows_its_platform_battery)
{
    sb_t sb;
    bk_platform_reading_t model;
    WCHAR text[64];
    BATTERY_MANUFACTURE_DATE date;

    SB_START(sb, &on_platform);
    SIMBATT_STATE st = sb_state(&sb);
    CHECK(st.ModelAttached);
    CHECK_STR(st.Battery.ModelName, "BAT0");
    CHECK_EQ(st.ReportedInformation.DesignedCapacity, 57000);
    CHECK_EQ(st.ReportedInformation.Capabilities, BATTERY_SYSTEM_BATTERY);
    CHECK(memcmp(st.ReportedInformation.Chemistry, "LION", 4) == 0 ||
          st.ReportedInformation.Chemistry[0] != 0);
    REQUIRE(bk_platform_read(sb.host, "BAT0", &model) == STATUS_SUCCESS);
    BATTERY_STATUS bs;
    ULONG tag = sb_tag(&sb);
    CHECK_STATUS(sb_query_status(&sb, tag, &bs), STATUS_SUCCESS);
    CHECK_NEAR(bs.Capacity, model.remaining_mwh, 2);
    CHECK(bs.PowerState & BATTERY_POWER_ON_LINE);
    CHECK_EQ(!!(bs.PowerState & BATTERY_CHARGING), !!model.charging);
    CHECK_NEAR(bs.Voltage, model.voltage_v * 1000, 2);
    CHECK_STATUS(sb_query_info(&sb, tag, BatteryDeviceName, 0, text, sizeof text, NULL),
                 STATUS_SUCCESS);
    CHECK_STR(sb_narrow(text), "BK57");
    CHECK_STATUS(sb_query_info(&sb, tag, BatteryManufactureName, 0, text, sizeof text, NULL),
                 STATUS_SUCCESS);
    CHECK_STR(sb_narrow(text), "battkit");
    CHECK_STATUS(sb_query_info(&sb, tag, BatterySerialNumber, 0, text, sizeof text, NULL),
                 STATUS_SUCCESS);
    CHECK_STR(sb_narrow(text), "4242");
    CHECK_STATUS(sb_query_info(&sb, tag, BatteryUniqueID, 0, text, sizeof text, NULL),
                 STATUS_SUCCESS);
    CHECK_STR(sb_narrow(text), "battkitBK57202402014242");
    CHECK_STATUS(sb_query_info(&sb, tag, BatteryManufactureDate, 0, &date, sizeof date, NULL),
                 STATUS_SUCCESS);
    CHECK_EQ(date.Year, 2024);
    CHECK_EQ(date.Month, 2);
    CHECK_EQ(date.Day, 1);
    ULONG temp = 0;
    CHECK_STATUS(sb_query_info(&sb, tag, BatteryTemperature, 0, &temp, sizeof temp, NULL),
                 STATUS_SUCCESS);
    CHECK_NEAR(temp, (model.temperature_c + 273.15) * 10, 2);
    sb_stop(&sb);
}

TEST(unplugging_ac_is_seen_by_a_pending_status_wait)
{
    sb_t sb;
    BATTERY_STATUS now, out;

    SB_START(sb, &on_platform);
    CHECK_STATUS(bk_platform_set_load_w(sb.host, 15.0), STATUS_SUCCESS);
    ULONG tag = sb_tag(&sb);
    CHECK_STATUS(sb_query_status(&sb, tag, &now), STATUS_SUCCESS);
    bk_request_t *r = sb_wait_status(&sb, tag, FOREVER, now.PowerState, 0, FOREVER, &out);
    REQUIRE(r);
    sb_advance_ms(&sb, 20);
    CHECK_STATUS(bk_request_status(r, NULL), STATUS_PENDING);
    CHECK_STATUS(bk_platform_set_ac(sb.host, NULL, 0), STATUS_SUCCESS);
    sb_advance_ms(&sb, 1); /* far less than battc's poll or the platform tick */
    CHECK_STATUS(bk_request_status(r, NULL), STATUS_SUCCESS);
    CHECK(!(out.PowerState & BATTERY_POWER_ON_LINE));
    CHECK(out.PowerState & BATTERY_DISCHARGING);
    CHECK(out.Rate < 0);
    bk_request_free(r);
    sb_stop(&sb);
}

TEST(platform_removal_and_insertion_change_the_tag)
{
    sb_t sb;
    ULONG tag = 0;
    BATTERY_STATUS st;

    SB_START(sb, &on_platform);
    ULONG old = sb_tag(&sb);
    CHECK_STATUS(bk_platform_set_present(sb.host, "BAT0", 0), STATUS_SUCCESS);
    bk_host_settle(sb.host);
    CHECK_STATUS(sb_query_tag(&sb, 0, &tag), STATUS_NO_SUCH_DEVICE);
    CHECK_STATUS(sb_query_status(&sb, old, &st), STATUS_NO_SUCH_DEVICE);
    bk_request_t *r = sb_wait_tag(&sb, FOREVER, &tag);
    REQUIRE(r);
    sb_advance_ms(&sb, 20);
    CHECK_STATUS(bk_request_status(r, NULL), STATUS_PENDING);
    CHECK_STATUS(bk_platform_set_present(sb.host, "BAT0", 1), STATUS_SUCCESS);
    sb_advance_ms(&sb, 1);
    CHECK_STATUS(bk_request_status(r, NULL), STATUS_SUCCESS);
    CHECK(tag != BATTERY_TAG_INVALID && tag != old);
    bk_request_free(r);
    sb_stop(&sb);
}

TEST(platform_faults_give_the_documented_statuses)
{
    sb_t sb;
    ULONG tag = 0;
    BATTERY_STATUS st;

    SB_START(sb, &on_platform);
    ULONG old = sb_tag(&sb);
    /* The embedded controller stops answering: presence unknown. */
    CHECK_STATUS(bk_platform_set_faults(sb.host, "BAT0", BK_PLATFORM_FAULT_NO_ANSWER, 1),
                 STATUS_SUCCESS);
    bk_host_settle(sb.host);
    CHECK_STATUS(sb_query_tag(&sb, 0, &tag), STATUS_NO_SUCH_DEVICE);
    CHECK_STATUS(sb_query_status(&sb, old, &st), STATUS_NO_SUCH_DEVICE);
    CHECK_STATUS(bk_platform_set_faults(sb.host, "BAT0", BK_PLATFORM_FAULT_NO_ANSWER, 0),
                 STATUS_SUCCESS);
    bk_host_settle(sb.host);
    ULONG fresh = sb_tag(&sb); /* docs: a new tag after lost communication */
    CHECK(fresh != old);

    CHECK_STATUS(bk_platform_set_faults(sb.host, "BAT0", BK_PLATFORM_FAULT_WRONG_TAG, 1),
                 STATUS_SUCCESS);
    bk_host_settle(sb.host);
    ULONG wrong = sb_tag(&sb);
    CHECK(wrong != fresh);
    CHECK_STATUS(sb_query_status(&sb, wrong, &st), STATUS_NO_SUCH_DEVICE);
    CHECK_STATUS(bk_platform_set_faults(sb.host, "BAT0", BK_PLATFORM_FAULT_WRONG_TAG, 0),
                 STATUS_SUCCESS);
    bk_host_settle(sb.host);
    CHECK_EQ(sb_tag(&sb), fresh);

    CHECK_STATUS(bk_platform_set_faults(sb.host, "BAT0", BK_PLATFORM_FAULT_CRITICAL, 1),
                 STATUS_SUCCESS);
    bk_host_settle(sb.host);
    CHECK_STATUS(sb_query_status(&sb, fresh, &st), STATUS_SUCCESS);
    CHECK(st.PowerState & BATTERY_CRITICAL);
    sb_stop(&sb);
}

TEST(the_model_owns_the_data_while_attached)
{
    sb_t sb;
    BATTERY_STATUS bs = {BATTERY_DISCHARGING, 100, 10000, -100};
    ULONG seconds = 777, temp = 3000;

    SB_START(sb, &on_platform);
    CHECK_STATUS(sb_ctl(&sb, IOCTL_SIMBATT_SET_STATUS, &bs, sizeof bs),
                 STATUS_INVALID_DEVICE_STATE);
    CHECK_STATUS(sb_ctl(&sb, IOCTL_SIMBATT_SET_TEMPERATURE, &temp, sizeof temp),
                 STATUS_INVALID_DEVICE_STATE);
    CHECK_STATUS(sb_ctl(&sb, IOCTL_SIMBATT_REMOVE_BATTERY, NULL, 0), STATUS_INVALID_DEVICE_STATE);
    CHECK_STATUS(sb_set_string(&sb, BatteryDeviceName, L"x"), STATUS_INVALID_DEVICE_STATE);
    CHECK_STATUS(sb_set_faults(&sb, 0, 10), STATUS_INVALID_DEVICE_STATE);
    SIMBATT_MODEL_NAME name = {"BAT0"};
    CHECK_STATUS(sb_ctl(&sb, IOCTL_SIMBATT_ATTACH_MODEL, &name, sizeof name),
                 STATUS_INVALID_DEVICE_STATE);
    /* Overrides and faults of simbatt's own still apply. */
    CHECK_STATUS(sb_ctl(&sb, IOCTL_SIMBATT_SET_ESTIMATED_TIME, &seconds, sizeof seconds),
                 STATUS_SUCCESS);
    ULONG got = 0;
    CHECK_STATUS(sb_query_info(&sb, sb_tag(&sb), BatteryEstimatedTime, 0, &got, sizeof got, NULL),
                 STATUS_SUCCESS);
    CHECK_EQ(got, 777);
    CHECK_STATUS(sb_set_faults(&sb, SIMBATT_FAULT_CRITICAL, 0), STATUS_SUCCESS);
    BATTERY_STATUS st;
    CHECK_STATUS(sb_query_status(&sb, sb_tag(&sb), &st), STATUS_SUCCESS);
    CHECK(st.PowerState & BATTERY_CRITICAL);
    sb_stop(&sb);
}

TEST(detach_keeps_the_models_last_values)
{
    sb_t sb;

    SB_START(sb, &on_platform);
    ULONG tag = sb_tag(&sb);
    BATTERY_STATUS before;
    CHECK_STATUS(sb_query_status(&sb, tag, &before), STATUS_SUCCESS);
    CHECK_STATUS(sb_ctl(&sb, IOCTL_SIMBATT_DETACH_MODEL, NULL, 0), STATUS_SUCCESS);
    SIMBATT_STATE st = sb_state(&sb);
    CHECK(!st.ModelAttached);
    CHECK_STR(st.Battery.ModelName, "");
    CHECK_EQ(st.Battery.Information.DesignedCapacity, 57000);
    CHECK_NEAR(st.Battery.Status.Capacity, before.Capacity, 2);
    CHECK_STR(sb_narrow(st.Battery.Strings[SIMBATT_STRING_DEVICE_NAME]), "BK57");
    CHECK_EQ(sb_tag(&sb), tag); /* the same battery, still answering */
    /* The control IOCTLs drive it again. */
    sb_set_status(&sb, BATTERY_DISCHARGING, 20000, 11000, -5000);
    BATTERY_STATUS after;
    CHECK_STATUS(sb_query_status(&sb, tag, &after), STATUS_SUCCESS);
    CHECK_EQ(after.Capacity, 20000);
    /* Changes of the platform's battery no longer reach it. */
    CHECK_STATUS(bk_platform_set_present(sb.host, "BAT0", 0), STATUS_SUCCESS);
    bk_host_settle(sb.host);
    CHECK_EQ(sb_tag(&sb), tag);
    CHECK_STATUS(sb_ctl(&sb, IOCTL_SIMBATT_DETACH_MODEL, NULL, 0), STATUS_INVALID_DEVICE_STATE);
    sb_stop(&sb);
}

/* A device of our own (instance SIM0, no platform battery of that name)
 * is not attached at START, and may follow any battery by name, also one
 * the machine puts on the ACPI bus. */
TEST(attach_by_name_follows_any_platform_battery)
{
    static const char acpi_machine[] = "[machine]\n"
                                       "time = virtual\n"
                                       "[battery.BAT7]\n"
                                       "bus = acpi\n"
                                       "design_capacity_mwh = 23200\n"
                                       "design_voltage_mv = 11100\n"
                                       "cells = 3\n"
                                       "model = ACPI7\n";
    sb_options_t opt = {.machine_text = acpi_machine};
    sb_t sb;
    SIMBATT_MODEL_NAME name;

    SB_START(sb, &opt);
    CHECK(!sb_state(&sb).ModelAttached);
    memset(&name, 0, sizeof name);
    memcpy(name.Name, "NOPE", 4);
    CHECK_STATUS(sb_ctl(&sb, IOCTL_SIMBATT_ATTACH_MODEL, &name, sizeof name), STATUS_NOT_FOUND);
    memcpy(name.Name, "bat7", 4); /* names compare without case, as the platform's */
    ULONG old = sb_tag(&sb);
    CHECK_STATUS(sb_ctl(&sb, IOCTL_SIMBATT_ATTACH_MODEL, &name, sizeof name), STATUS_SUCCESS);
    SIMBATT_STATE st = sb_state(&sb);
    CHECK(st.ModelAttached);
    CHECK_EQ(st.ReportedInformation.DesignedCapacity, 23200);
    CHECK(sb_tag(&sb) != old); /* another battery as far as the class knows */
    /* No AC adapter in this machine: never on line. */
    CHECK(!(st.ReportedStatus.PowerState & BATTERY_POWER_ON_LINE));
    sb_stop(&sb);
}

/* The scenario on simbatt: from 100 % on battery under a constant
 * 20 W, the critical flag arrives (through a pending wait, not polling)
 * within 2 % of the time the model's own integral predicts. */
TEST(full_discharge_reaches_critical_at_the_models_predicted_time)
{
    static const char full[] = "[machine]\n"
                               "time = virtual\n"
                               "[battery.BAT0]\n"
                               "bus = simbatt\n"
                               "design_capacity_mwh = 57000\n"
                               "design_voltage_mv = 11400\n"
                               "cells = 3\n"
                               "initial_soc_percent = 100\n"
                               "[ac.ADP1]\n"
                               "online = no\n"
                               "[load]\n"
                               "constant_power_mw = 20000\n";
    sb_options_t opt = {.machine_text = full, .machine_battery = "BAT0"};
    sb_t sb;
    BATTERY_STATUS out;

    SB_START(sb, &opt);
    SIMBATT_STATE st = sb_state(&sb);
    double critical_mwh = st.ReportedInformation.DefaultAlert1; /* _BIX "low" */
    double expected = bk_platform_predict_seconds(sb.host, "BAT0", 20.0, critical_mwh);
    REQUIRE(expected > 3600);
    uint64_t start = bk_host_now_ns(sb.host);
    int critical = 0;
    for (int round = 0; round < 20 && !critical; round++) {
        /* A tag change (e.g. the cycle count moving) aborts a wait: re-arm. */
        ULONG tag = sb_tag(&sb);
        bk_request_t *r = sb_wait_status(&sb, tag, FOREVER, BATTERY_DISCHARGING, 0, FOREVER, &out);
        REQUIRE(r);
        bk_status_t s = bk_request_wait(r, (uint64_t)(expected * 2) * SB_SECOND);
        bk_request_free(r);
        if (s == STATUS_SUCCESS && (out.PowerState & BATTERY_CRITICAL))
            critical = 1;
        else
            CHECK(s == STATUS_NO_SUCH_DEVICE || s == STATUS_SUCCESS);
    }
    REQUIRE(critical);
    double took = (double)(bk_host_now_ns(sb.host) - start) / 1e9;
    CHECK_NEAR(took, expected, expected * 0.02);
    printf("  critical after %.0f s, model integral %.0f s\n", took, expected);
    sb_stop(&sb);
}

/* The class driver's low edge becomes the platform's trip point (_BTP), so
 * a discharge across it completes the wait when it happens, not at a poll. */
TEST(capacity_window_is_armed_as_the_platform_trip_point)
{
    sb_t sb;
    BATTERY_STATUS now, out;
    bk_platform_reading_t model;

    SB_START(sb, &on_platform);
    CHECK_STATUS(bk_platform_set_load_w(sb.host, 20.0), STATUS_SUCCESS);
    CHECK_STATUS(bk_platform_set_ac(sb.host, NULL, 0), STATUS_SUCCESS);
    bk_host_settle(sb.host);
    ULONG tag = sb_tag(&sb);
    CHECK_STATUS(sb_query_status(&sb, tag, &now), STATUS_SUCCESS);
    REQUIRE(now.PowerState & BATTERY_DISCHARGING);
    ULONG low = now.Capacity - 1000; /* 1 Wh at 20 W: 180 s */
    uint64_t start = bk_host_now_ns(sb.host);
    bk_request_t *r = sb_wait_status(&sb, tag, FOREVER, now.PowerState, low, FOREVER, &out);
    REQUIRE(r);
    REQUIRE(bk_platform_read(sb.host, "BAT0", &model) == STATUS_SUCCESS);
    CHECK_EQ(model.trip_mwh, low); /* no critical bias: the same number */
    CHECK_STATUS(bk_request_wait(r, 600 * SB_SECOND), STATUS_SUCCESS);
    double took = (double)(bk_host_now_ns(sb.host) - start) / 1e9;
    CHECK(out.Capacity < low);
    CHECK_NEAR(took, 180, 6);
    bk_request_free(r);
    bk_host_settle(sb.host);
    REQUIRE(bk_platform_read(sb.host, "BAT0", &model) == STATUS_SUCCESS);
    CHECK_EQ(model.trip_mwh, 0); /* nobody waits: disarmed */
    sb_stop(&sb);
}

/* The platform reads in mWh whatever firmware it emulates: a firmware in
 * mA/mAh (ACPI power unit 1) changes the ACPI packages, not simbatt. */
TEST(firmware_power_unit_does_not_change_simbatt_units)
{
    sb_t sb;
    bk_platform_reading_t model;

    SB_START(sb, &on_platform);
    CHECK_STATUS(bk_platform_set_firmware(sb.host, "BAT0", 0, 1), STATUS_SUCCESS);
    bk_host_settle(sb.host);
    SIMBATT_STATE st = sb_state(&sb);
    CHECK_EQ(st.ReportedInformation.DesignedCapacity, 57000);
    REQUIRE(bk_platform_read(sb.host, "BAT0", &model) == STATUS_SUCCESS);
    CHECK_NEAR(st.ReportedStatus.Capacity, model.remaining_mwh, 2);
    sb_stop(&sb);
}
