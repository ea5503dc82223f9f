/* cmbatt on the default machine (a 57 Wh Li-ion laptop battery and an AC
 * adapter on the emulated ACPI bus), through the battery interface as an
 * application sees it: the tag, every information level, the status, and
 * units and flags consistent with the model. */
#include "bk_test.h"
#include "fixture.h"
#include "cmbatt_util.h"

#include <math.h>
#include <stdlib.h>

TEST(default_machine_has_one_battery_interface)
{
    bk_host_t *h = fx_start(NULL, NULL);
    REQUIRE(h);
    CHECK_EQ(cb_battery_count(h), 1); /* the AC adapter is no battery */
    fx_stop(h);
}

TEST(query_tag_returns_a_valid_tag_for_the_inserted_battery)
{
    ULONG tag;
    bk_host_t *h = fx_start(NULL, NULL);
    REQUIRE(h);
    bk_handle_t *b = cb_open_battery(h, 0);
    REQUIRE(b);
    CHECK_STATUS(cb_query_tag(b, 0, &tag), STATUS_SUCCESS);
    CHECK(tag != BATTERY_TAG_INVALID);
    bk_close(b);
    fx_stop(h);
}

TEST(battery_information_is_in_mwh_from_bix)
{
    ULONG tag, got;
    BATTERY_INFORMATION bi;
    bk_host_t *h = fx_start(NULL, NULL);
    REQUIRE(h);
    bk_handle_t *b = cb_open_battery(h, 0);
    REQUIRE(b);
    REQUIRE(cb_query_tag(b, 0, &tag) == STATUS_SUCCESS);
    CHECK_STATUS(cb_query_info(b, tag, BatteryInformation, 0, &bi, sizeof bi, &got),
                 STATUS_SUCCESS);
    CHECK_EQ(got, sizeof bi);
    CHECK_EQ(bi.Capabilities, BATTERY_SYSTEM_BATTERY);
    CHECK_EQ(bi.Technology, 1);
    CHECK(memcmp(bi.Chemistry, "LION", 4) == 0);
    CHECK_EQ(bi.DesignedCapacity, 57000);
    CHECK_EQ(bi.FullChargedCapacity, 57000);
    CHECK_EQ(bi.DefaultAlert1, 1710); /* the firmware's low level */
    CHECK_EQ(bi.DefaultAlert2, 5700); /* its warning level */
    CHECK_EQ(bi.CriticalBias, 0);
    CHECK_EQ(bi.CycleCount, 0);
    bk_close(b);
    fx_stop(h);
}

/* Reads a string level as UTF-8 (ASCII here). */
static NTSTATUS query_string(bk_handle_t *b, ULONG tag, BATTERY_QUERY_INFORMATION_LEVEL level,
                             char *out, size_t len)
{
    WCHAR w[MAX_BATTERY_STRING_SIZE];
    ULONG got = 0;
    NTSTATUS s = cb_query_info(b, tag, level, 0, w, sizeof w, &got);
    size_t n = 0;
    if (s == STATUS_SUCCESS)
        for (; n + 1 < len && n < got / 2 && w[n]; n++)
            out[n] = (char)w[n];
    out[n] = 0;
    return s;
}

TEST(string_levels_come_from_the_bix_strings)
{
    ULONG tag, got;
    char text[64];
    WCHAR w[64];
    bk_host_t *h = fx_start(NULL, NULL);
    REQUIRE(h);
    bk_handle_t *b = cb_open_battery(h, 0);
    REQUIRE(b);
    REQUIRE(cb_query_tag(b, 0, &tag) == STATUS_SUCCESS);
    CHECK_STATUS(query_string(b, tag, BatteryDeviceName, text, sizeof text), STATUS_SUCCESS);
    CHECK_STR(text, "BK57L3"); /* Model Number */
    CHECK_STATUS(query_string(b, tag, BatteryManufactureName, text, sizeof text), STATUS_SUCCESS);
    CHECK_STR(text, "battkit"); /* OEM Information */
    CHECK_STATUS(query_string(b, tag, BatterySerialNumber, text, sizeof text), STATUS_SUCCESS);
    CHECK_STR(text, "0001");
    /* docs: manufacturer + device name + serial (ACPI has no date). */
    CHECK_STATUS(query_string(b, tag, BatteryUniqueID, text, sizeof text), STATUS_SUCCESS);
    CHECK_STR(text, "battkitBK57L30001");
    /* The length counts the NUL, in bytes of UTF-16. */
    CHECK_STATUS(cb_query_info(b, tag, BatteryDeviceName, 0, w, sizeof w, &got), STATUS_SUCCESS);
    CHECK_EQ(got, 7 * sizeof(WCHAR));
    bk_close(b);
    fx_stop(h);
}

TEST(granularity_has_two_scales_split_at_the_warning_level)
{
    ULONG tag, got;
    BATTERY_REPORTING_SCALE scale[4];
    bk_host_t *h = fx_start(NULL, NULL);
    REQUIRE(h);
    bk_handle_t *b = cb_open_battery(h, 0);
    REQUIRE(b);
    REQUIRE(cb_query_tag(b, 0, &tag) == STATUS_SUCCESS);
    CHECK_STATUS(cb_query_info(b, tag, BatteryGranularityInformation, 0, scale, sizeof scale, &got),
                 STATUS_SUCCESS);
    CHECK_EQ(got, 2 * sizeof scale[0]);
    CHECK_EQ(scale[0].Granularity, 57);
    CHECK_EQ(scale[0].Capacity, 5700);
    CHECK_EQ(scale[1].Granularity, 57);
    CHECK_EQ(scale[1].Capacity, 57000);
    bk_close(b);
    fx_stop(h);
}

TEST(temperature_and_manufacture_date_are_not_in_acpi)
{
    ULONG tag, got, value;
    BATTERY_MANUFACTURE_DATE date;
    bk_host_t *h = fx_start(NULL, NULL);
    REQUIRE(h);
    bk_handle_t *b = cb_open_battery(h, 0);
    REQUIRE(b);
    REQUIRE(cb_query_tag(b, 0, &tag) == STATUS_SUCCESS);
    CHECK_STATUS(cb_query_info(b, tag, BatteryTemperature, 0, &value, sizeof value, &got),
                 STATUS_INVALID_DEVICE_REQUEST);
    CHECK_STATUS(cb_query_info(b, tag, BatteryManufactureDate, 0, &date, sizeof date, &got),
                 STATUS_INVALID_DEVICE_REQUEST);
    bk_close(b);
    fx_stop(h);
}

TEST(estimated_time_follows_the_present_drain_or_at_rate)
{
    ULONG tag, got, seconds;
    bk_platform_reading_t r;
    bk_host_t *h = fx_start(NULL, NULL);
    REQUIRE(h);
    bk_handle_t *b = cb_open_battery(h, 0);
    REQUIRE(b);
    REQUIRE(cb_query_tag(b, 0, &tag) == STATUS_SUCCESS);
    /* On AC, charging: no run time at the present rate. */
    CHECK_STATUS(cb_query_info(b, tag, BatteryEstimatedTime, 0, &seconds, sizeof seconds, &got),
                 STATUS_SUCCESS);
    CHECK_EQ(seconds, BATTERY_UNKNOWN_TIME);
    /* AtRate negative: that drain, whatever the battery does now. */
    CHECK_STATUS(bk_platform_read(h, "BAT0", &r), STATUS_SUCCESS);
    CHECK_STATUS(
        cb_query_info(b, tag, BatteryEstimatedTime, -10000, &seconds, sizeof seconds, &got),
        STATUS_SUCCESS);
    CHECK_NEAR(seconds, r.remaining_mwh * 3600.0 / 10000.0, 5.0);
    CHECK_STATUS(cb_query_info(b, tag, BatteryEstimatedTime, 5000, &seconds, sizeof seconds, &got),
                 STATUS_SUCCESS);
    CHECK_EQ(seconds, BATTERY_UNKNOWN_TIME);
    /* Off AC at 8 W: remaining / 8 W. */
    CHECK_STATUS(bk_platform_set_ac(h, NULL, 0), STATUS_SUCCESS);
    bk_host_advance(h, 5 * FX_SECOND);
    CHECK_STATUS(bk_platform_read(h, "BAT0", &r), STATUS_SUCCESS);
    CHECK_STATUS(cb_query_info(b, tag, BatteryEstimatedTime, 0, &seconds, sizeof seconds, &got),
                 STATUS_SUCCESS);
    CHECK_NEAR(seconds, r.remaining_mwh * 3600.0 / 8000.0, 5.0);
    bk_close(b);
    fx_stop(h);
}

TEST(undefined_level_is_invalid_parameter_and_a_stale_tag_no_such_device)
{
    ULONG tag, got;
    UCHAR buffer[64];
    bk_host_t *h = fx_start(NULL, NULL);
    REQUIRE(h);
    bk_handle_t *b = cb_open_battery(h, 0);
    REQUIRE(b);
    REQUIRE(cb_query_tag(b, 0, &tag) == STATUS_SUCCESS);
    CHECK_STATUS(
        cb_query_info(b, tag, (BATTERY_QUERY_INFORMATION_LEVEL)9, 0, buffer, sizeof buffer, &got),
        STATUS_INVALID_PARAMETER);
    CHECK_STATUS(cb_query_info(b, tag + 1, BatteryInformation, 0, buffer, sizeof buffer, &got),
                 STATUS_NO_SUCH_DEVICE);
    bk_close(b);
    fx_stop(h);
}

TEST(status_on_ac_is_on_line_and_charging_with_a_positive_rate)
{
    ULONG tag;
    BATTERY_STATUS st;
    bk_platform_reading_t r;
    bk_host_t *h = fx_start(NULL, NULL);
    REQUIRE(h);
    bk_handle_t *b = cb_open_battery(h, 0);
    REQUIRE(b);
    REQUIRE(cb_query_tag(b, 0, &tag) == STATUS_SUCCESS);
    CHECK_STATUS(cb_query_status(b, tag, &st), STATUS_SUCCESS);
    CHECK_EQ(st.PowerState, BATTERY_POWER_ON_LINE | BATTERY_CHARGING);
    CHECK_STATUS(bk_platform_read(h, "BAT0", &r), STATUS_SUCCESS);
    CHECK(st.Rate > 0);
    CHECK_NEAR(st.Rate, r.power_w * 1000.0, 2.0);
    CHECK_NEAR(st.Capacity, r.remaining_mwh, 1.0);
    CHECK_NEAR(st.Voltage, r.voltage_v * 1000.0, 1.0);
    bk_close(b);
    fx_stop(h);
}

TEST(status_off_ac_is_discharging_with_a_negative_rate)
{
    ULONG tag;
    BATTERY_STATUS st;
    bk_platform_reading_t r;
    bk_host_t *h = fx_start(NULL, NULL);
    REQUIRE(h);
    bk_handle_t *b = cb_open_battery(h, 0);
    REQUIRE(b);
    REQUIRE(cb_query_tag(b, 0, &tag) == STATUS_SUCCESS);
    CHECK_STATUS(bk_platform_set_ac(h, NULL, 0), STATUS_SUCCESS);
    bk_host_advance(h, 10 * FX_SECOND);
    CHECK_STATUS(cb_query_status(b, tag, &st), STATUS_SUCCESS);
    CHECK_EQ(st.PowerState, BATTERY_DISCHARGING);
    CHECK_NEAR(st.Rate, -8000, 1.0);
    CHECK_STATUS(bk_platform_read(h, "BAT0", &r), STATUS_SUCCESS);
    CHECK_NEAR(st.Capacity, r.remaining_mwh, 1.0);
    bk_close(b);
    fx_stop(h);
}

TEST(critical_is_reported_only_on_battery_with_the_capacity_below_low)
{
    ULONG tag;
    BATTERY_STATUS st;
    bk_host_t *h = fx_start(NULL, NULL);
    REQUIRE(h);
    bk_handle_t *b = cb_open_battery(h, 0);
    REQUIRE(b);
    REQUIRE(cb_query_tag(b, 0, &tag) == STATUS_SUCCESS);
    /* A forced critical bit with 80 % left is not believed. */
    CHECK_STATUS(bk_platform_set_faults(h, "BAT0", BK_PLATFORM_FAULT_CRITICAL, 1), STATUS_SUCCESS);
    CHECK_STATUS(bk_platform_set_ac(h, NULL, 0), STATUS_SUCCESS);
    bk_host_settle(h); /* cmbatt learns of it from the adapter's Notify(0x80) */
    CHECK_STATUS(cb_query_status(b, tag, &st), STATUS_SUCCESS);
    CHECK_EQ(st.PowerState, BATTERY_DISCHARGING);
    CHECK_STATUS(bk_platform_set_faults(h, "BAT0", BK_PLATFORM_FAULT_CRITICAL, 0), STATUS_SUCCESS);
    /* 2 % on battery: below the 3 % low level, nothing left to try. */
    CHECK_STATUS(bk_platform_set_soc(h, "BAT0", 2.0), STATUS_SUCCESS);
    CHECK_STATUS(cb_query_status(b, tag, &st), STATUS_SUCCESS);
    CHECK_EQ(st.PowerState, BATTERY_DISCHARGING | BATTERY_CRITICAL);
    /* Back on AC: charging, not critical. */
    CHECK_STATUS(bk_platform_set_ac(h, NULL, 1), STATUS_SUCCESS);
    bk_host_settle(h);
    CHECK_STATUS(cb_query_status(b, tag, &st), STATUS_SUCCESS);
    CHECK_EQ(st.PowerState, BATTERY_POWER_ON_LINE | BATTERY_CHARGING);
    bk_close(b);
    fx_stop(h);
}

/* What one IOCTL_BATTERY_QUERY_STATUS costs the firmware and the model,
 * the clock standing still: one _BST (battc asks the miniclass every
 * time), no _PSR (cmbatt keeps the adapter's state from its Notify), no
 * identity text formatted for a status, and no integral of the model's
 * curves once a first reading has them. */
static void count_ten_queries(bk_platform_counters_t *delta, uint64_t *pool_allocations)
{
    ULONG tag;
    BATTERY_STATUS st;
    bk_platform_counters_t before, after;
    bk_pool_stats_t pool_before, pool_after;
    bk_host_t *h = fx_start(NULL, NULL);
    REQUIRE(h);
    bk_handle_t *b = cb_open_battery(h, 0);
    REQUIRE(b);
    REQUIRE(cb_query_tag(b, 0, &tag) == STATUS_SUCCESS);
    REQUIRE(cb_query_status(b, tag, &st) == STATUS_SUCCESS); /* static data read, pack read */
    bk_host_settle(h);
    bk_platform_counters(h, &before);
    bk_host_pool_stats(&pool_before);
    for (int i = 0; i < 10; i++)
        CHECK_STATUS(cb_query_status(b, tag, &st), STATUS_SUCCESS);
    bk_host_pool_stats(&pool_after);
    bk_platform_counters(h, &after);
    *pool_allocations = pool_after.allocations - pool_before.allocations;
    delta->battery_reads = after.battery_reads - before.battery_reads;
    delta->ac_reads = after.ac_reads - before.ac_reads;
    delta->identity_formats = after.identity_formats - before.identity_formats;
    delta->model_integrals = after.model_integrals - before.model_integrals;
    CHECK_EQ(st.PowerState, BATTERY_POWER_ON_LINE | BATTERY_CHARGING);
    bk_close(b);
    fx_stop(h);
}

TEST(query_status_does_not_evaluate_psr)
{
    bk_platform_counters_t d;
    uint64_t allocations;
    count_ten_queries(&d, &allocations);
    CHECK_EQ(d.ac_reads, 0);
    CHECK_EQ(d.battery_reads, 10); /* but still one _BST each */
}

TEST(bst_read_formats_no_identity_strings)
{
    bk_platform_counters_t d;
    uint64_t allocations;
    count_ten_queries(&d, &allocations);
    CHECK_EQ(d.battery_reads, 10);
    CHECK_EQ(d.identity_formats, 0);
}

TEST(query_status_integrates_the_model_at_most_once)
{
    bk_platform_counters_t d;
    uint64_t allocations;
    count_ten_queries(&d, &allocations);
    CHECK(d.model_integrals <= 10);
}

/* The request's IRP, cmbatt's _BST IRP to the ACPI driver and that
 * driver's result builder; no answer buffer (cmbatt's scratch space) and
 * no _PSR round trip (an IRP, a buffer and a builder more). */
TEST(query_status_makes_at_most_3_pool_allocations)
{
    bk_platform_counters_t d;
    uint64_t allocations;
    count_ten_queries(&d, &allocations);
    CHECK(allocations <= 3 * 10);
}
