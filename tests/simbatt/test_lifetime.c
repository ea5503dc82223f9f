/* simbatt's device and driver lifetime: removal with requests pending, a
 * model attached at removal, and unloading with no pool left behind (the
 * host reports leaks by tag on unload and on bk_host_destroy). */
#include "simbatt_fixture.h"

#include <string.h>

#define FOREVER 0xFFFFFFFFu

static void exercise(sb_t *sb)
{
    ULONG bias = 100;
    sb_set_status(sb, BATTERY_DISCHARGING, 20000, 11000, -7000);
    CHECK_STATUS(sb_set_string(sb, BatterySerialNumber, L"LEAK-CHECK"), STATUS_SUCCESS);
    CHECK_STATUS(sb_set_info(sb, sb_tag(sb), BatteryCriticalBias, &bias, sizeof bias),
                 STATUS_SUCCESS);
    CHECK_STATUS(sb_set_faults(sb, SIMBATT_FAULT_STUCK, 0), STATUS_SUCCESS);
    CHECK_STATUS(sb_set_faults(sb, 0, 0), STATUS_SUCCESS);
    (void)sb_state(sb);
}

TEST(unload_after_removal_leaves_no_pool)
{
    sb_t sb;
    sb_options_t opt = {.persist = 1}; /* the save path allocates too */

    bk_pool_stats_t before, after;
    opt.no_device = 1;
    SB_START(sb, &opt);
    bk_host_pool_stats(&before);
    REQUIRE(sb_add_device(&sb) == 0);
    exercise(&sb);
    CHECK_STATUS(sb_remove_device(&sb, 0), STATUS_SUCCESS);
    CHECK_STR(bk_host_last_unload_report(sb.host), "");
    /* The PnP manager may have unloaded it with its last device already. */
    bk_status_t s = bk_host_unload_driver(sb.host, "simbatt");
    CHECK(s == STATUS_SUCCESS || s == STATUS_OBJECT_NAME_NOT_FOUND);
    CHECK_STR(bk_host_last_unload_report(sb.host), "");
    bk_host_pool_stats(&after);
    /* battc stays loaded (an export driver) but keeps nothing per device. */
    CHECK_EQ(after.blocks_outstanding, before.blocks_outstanding);
    sb_stop(&sb); /* fails the test if the host finds pool left */
}

TEST(surprise_removal_ends_pending_requests)
{
    sb_t sb;
    BATTERY_STATUS out;
    ULONG tag = 0;
    bk_handle_t *second = NULL;
    char **paths = NULL;

    SB_START(sb, NULL);
    bk_request_t *status_wait =
        sb_wait_status(&sb, sb_tag(&sb), FOREVER, BATTERY_POWER_ON_LINE, 0, FOREVER, &out);
    REQUIRE(status_wait);
    /* A tag wait on another handle, with no battery. */
    size_t n = bk_host_list_interfaces(sb.host, &GUID_DEVICE_BATTERY, &paths);
    REQUIRE(n == 1);
    CHECK_STATUS(bk_host_open(sb.host, paths[0], BK_ACCESS_READ, &second), STATUS_SUCCESS);
    bk_host_free_list(paths, n);
    REQUIRE(second);
    CHECK_STATUS(sb_ctl(&sb, IOCTL_SIMBATT_REMOVE_BATTERY, NULL, 0), STATUS_SUCCESS);
    bk_host_settle(sb.host);
    CHECK(bk_request_status(status_wait, NULL) != STATUS_PENDING); /* aborted by the removal */
    ULONG timeout = FOREVER;
    bk_request_t *tag_wait = NULL;
    bk_ioctl_async(second, IOCTL_BATTERY_QUERY_TAG, &timeout, sizeof timeout, &tag, sizeof tag,
                   NULL, NULL, &tag_wait);
    REQUIRE(tag_wait);
    sb_advance_ms(&sb, 20);
    CHECK_STATUS(bk_request_status(tag_wait, NULL), STATUS_PENDING);

    /* The device goes away under the open handles. */
    CHECK_STATUS(bk_host_remove_device(sb.host, sb.device, 1), STATUS_SUCCESS);
    sb.device = NULL;
    bk_host_settle(sb.host);
    bk_status_t s = bk_request_status(tag_wait, NULL);
    CHECK(s != STATUS_PENDING && !NT_SUCCESS(s));
    bk_request_free(tag_wait);
    bk_request_free(status_wait);
    bk_close(second);
    sb_stop(&sb);
}

TEST(removal_with_a_model_attached_detaches_cleanly)
{
    static const char machine[] = "[machine]\n"
                                  "time = virtual\n"
                                  "[battery.BAT0]\n"
                                  "bus = simbatt\n"
                                  "design_capacity_mwh = 40000\n"
                                  "design_voltage_mv = 7400\n"
                                  "cells = 2\n";
    sb_options_t opt = {.machine_text = machine, .machine_battery = "BAT0"};
    sb_t sb;

    SB_START(sb, &opt);
    CHECK(sb_state(&sb).ModelAttached);
    sb_close_handles(&sb);
    bk_host_unload_machine(sb.host); /* removes the SIMBATT\Battery device */
    sb.machine_loaded = 0;
    bk_host_settle(sb.host);
    CHECK_STR(bk_host_last_unload_report(sb.host), "");
    sb.device = NULL;
    sb_stop(&sb);
}

/* IRP_MJ_SYSTEM_CONTROL goes through BatteryClassSystemControl: battc
 * answers the standard blocks from simbatt's callbacks. */
TEST(wmi_blocks_are_answered_through_battc)
{
    sb_t sb;
    BATTERY_WMI_STATUS ws;
    BATTERY_WMI_TEMPERATURE wt;
    uint32_t got = 0;

    SB_START(sb, NULL);
    sb_set_status(&sb, BATTERY_DISCHARGING, 30000, 11200, -8000);
    memset(&ws, 0, sizeof ws);
    CHECK_STATUS(bk_wmi_query(sb.battery, &BATTERY_STATUS_WMI_GUID, &ws, sizeof ws, &got),
                 STATUS_SUCCESS);
    CHECK_EQ(ws.Tag, sb_tag(&sb));
    CHECK_EQ(ws.RemainingCapacity, 30000);
    CHECK_EQ(ws.Voltage, 11200);
    CHECK(ws.Discharging && !ws.PowerOnline && !ws.Charging);
    CHECK_STATUS(bk_wmi_query(sb.battery, &BATTERY_TEMPERATURE_WMI_GUID, &wt, sizeof wt, &got),
                 STATUS_SUCCESS);
    CHECK_EQ(wt.Temperature, 2982);
    sb_stop(&sb);
}

/* Power IRPs pass through to the PDO; the battery answers after a sleep. */
TEST(system_sleep_and_wake_pass_through)
{
    sb_t sb;
    BATTERY_STATUS st;

    SB_START(sb, NULL);
    ULONG tag = sb_tag(&sb);
    CHECK_STATUS(bk_host_set_system_power(sb.host, 4 /* S3 */), STATUS_SUCCESS);
    CHECK_STATUS(bk_host_set_system_power(sb.host, 1 /* S0 */), STATUS_SUCCESS);
    CHECK_STATUS(sb_query_status(&sb, tag, &st), STATUS_SUCCESS);
    CHECK_EQ(st.Capacity, 36000);
    sb_stop(&sb);
}
