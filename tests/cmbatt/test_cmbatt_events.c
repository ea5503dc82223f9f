/* cmbatt's notifications, tags and firmware variants: a pending
 * QUERY_STATUS wait sees AC unplugged (issue 5), removal and insertion
 * change the tag and end a QUERY_TAG wait, an information change bumps the
 * tag, SetStatusNotify arms _BTP, mAh and _BIF-only firmware, an injected
 * no-answer fault, and removal of the whole bus with requests pending. */
#include "bk_test.h"
#include "fixture.h"
#include "cmbatt_util.h"

#include <stdlib.h>

TEST(pending_query_status_wait_sees_ac_unplugged_at_once)
{
    ULONG tag;
    BATTERY_STATUS st, now;
    bk_host_t *h = fx_start(NULL, NULL);
    REQUIRE(h);
    bk_handle_t *b = cb_open_battery(h, 0);
    REQUIRE(b);
    REQUIRE(cb_query_tag(b, 0, &tag) == STATUS_SUCCESS);
    REQUIRE(cb_query_status(b, tag, &now) == STATUS_SUCCESS);
    bk_request_t *r = cb_wait_power_change(b, tag, now.PowerState, &st);
    REQUIRE(r);
    bk_host_settle(h);
    CHECK_STATUS(bk_request_status(r, NULL), STATUS_PENDING);
    uint64_t before = bk_host_now_ns(h);
    CHECK_STATUS(bk_platform_set_ac(h, NULL, 0), STATUS_SUCCESS);
    bk_host_settle(h); /* Notify -> cmbatt -> battc: no time needs to pass */
    uint32_t got = 0;
    CHECK_STATUS(bk_request_status(r, &got), STATUS_SUCCESS);
    CHECK_EQ(bk_host_now_ns(h), before);
    CHECK_EQ(got, sizeof st);
    CHECK_EQ(st.PowerState, BATTERY_DISCHARGING);
    CHECK(st.Rate < 0);
    bk_request_free(r);
    bk_close(b);
    fx_stop(h);
}

/* Firmware that does not notify the adapter (notify = no) when the AC goes:
 * the battery's own 0x80 (it turned from charging to discharging) is all
 * the OS hears. cmbatt keeps the adapter's state between its Notify
 * values, so it must read _PSR again when the battery turns, or it would
 * report the battery discharging on line, and charging off line, until
 * the next adapter Notify that never comes. The same read closes the
 * window in which a battery's 0x80 is handled before the adapter's. */
static const char silent_adapter_machine[] =
    "[machine]\nname = silent-adapter\ntime = virtual\ncomposite_battery = no\n\n"
    "[ac.ADP1]\nbus = acpi\nonline = yes\nnotify = no\n\n"
    "[load]\nconstant_power_mw = 10000\n\n"
    "[battery.BAT0]\nbus = acpi\ndesign_capacity_mwh = 57000\ndesign_voltage_mv = 11400\n"
    "cells = 3\ninitial_soc_percent = 50\n";

TEST(ac_change_the_firmware_does_not_notify_is_reported_when_the_battery_turns)
{
    ULONG tag;
    BATTERY_STATUS st, now;
    bk_platform_counters_t before, after;
    bk_host_t *h = fx_start(NULL, silent_adapter_machine);
    REQUIRE(h);
    bk_handle_t *b = cb_open_battery(h, 0);
    REQUIRE(b);
    REQUIRE(cb_query_tag(b, 0, &tag) == STATUS_SUCCESS);
    REQUIRE(cb_query_status(b, tag, &now) == STATUS_SUCCESS);
    CHECK_EQ(now.PowerState, BATTERY_POWER_ON_LINE | BATTERY_CHARGING);
    bk_request_t *r = cb_wait_power_change(b, tag, now.PowerState, &st);
    REQUIRE(r);
    bk_host_settle(h);
    CHECK_STATUS(bk_request_status(r, NULL), STATUS_PENDING);

    bk_platform_counters(h, &before);
    CHECK_STATUS(bk_platform_set_ac(h, NULL, 0), STATUS_SUCCESS);
    bk_host_settle(h); /* the battery's 0x80 -> cmbatt -> battc */
    bk_platform_counters(h, &after);
    CHECK_STATUS(bk_request_status(r, NULL), STATUS_SUCCESS);
    CHECK_EQ(st.PowerState, BATTERY_DISCHARGING);
    CHECK(after.ac_reads - before.ac_reads >= 1); /* the turn paid for _PSR */
    bk_request_free(r);

    /* A steady battery reads no _PSR... */
    bk_platform_counters(h, &before);
    for (int i = 0; i < 5; i++)
        CHECK_STATUS(cb_query_status(b, tag, &now), STATUS_SUCCESS);
    bk_platform_counters(h, &after);
    CHECK_EQ(now.PowerState, BATTERY_DISCHARGING);
    CHECK_EQ(after.ac_reads - before.ac_reads, 0);

    /* ...and plugging in again is seen the same way. */
    CHECK_STATUS(bk_platform_set_ac(h, NULL, 1), STATUS_SUCCESS);
    bk_host_settle(h);
    CHECK_STATUS(cb_query_status(b, tag, &now), STATUS_SUCCESS);
    CHECK_EQ(now.PowerState, BATTERY_POWER_ON_LINE | BATTERY_CHARGING);
    bk_close(b);
    fx_stop(h);
}

/* A status read between the AC change and the adapter's Notify (which a
 * worker delivers later) pairs the new _BST with the new _PSR: what the
 * 1,000-waiter bench saw as "charging, not on line" (PowerState 0x4). */
TEST(query_status_right_after_an_ac_change_is_consistent_before_the_notify)
{
    ULONG tag;
    BATTERY_STATUS now;
    bk_host_t *h = fx_start(NULL, NULL);
    REQUIRE(h);
    bk_handle_t *b = cb_open_battery(h, 0);
    REQUIRE(b);
    REQUIRE(cb_query_tag(b, 0, &tag) == STATUS_SUCCESS);
    for (int i = 0; i < 20; i++) {
        BOOLEAN online = i % 2 == 1;
        CHECK_STATUS(bk_platform_set_ac(h, NULL, online), STATUS_SUCCESS);
        /* no settle: the adapter's Notify may not have been handled yet */
        CHECK_STATUS(cb_query_status(b, tag, &now), STATUS_SUCCESS);
        CHECK_EQ(now.PowerState & (BATTERY_POWER_ON_LINE | BATTERY_CHARGING | BATTERY_DISCHARGING),
                 online ? BATTERY_POWER_ON_LINE | BATTERY_CHARGING : BATTERY_DISCHARGING);
        bk_host_settle(h);
    }
    bk_close(b);
    fx_stop(h);
}

TEST(removal_and_reinsertion_change_the_tag_and_end_a_tag_wait)
{
    ULONG tag1, tag2 = 0, tag;
    BATTERY_STATUS st;
    bk_host_t *h = fx_start(NULL, NULL);
    REQUIRE(h);
    bk_handle_t *b = cb_open_battery(h, 0);
    REQUIRE(b);
    REQUIRE(cb_query_tag(b, 0, &tag1) == STATUS_SUCCESS);
    CHECK_STATUS(bk_platform_set_present(h, "BAT0", 0), STATUS_SUCCESS);
    bk_host_settle(h);
    CHECK_STATUS(cb_query_tag(b, 0, &tag), STATUS_NO_SUCH_DEVICE);
    CHECK_STATUS(cb_query_status(b, tag1, &st), STATUS_NO_SUCH_DEVICE);
    bk_request_t *r = cb_wait_tag(b, 60000, &tag2);
    REQUIRE(r);
    bk_host_settle(h);
    CHECK_STATUS(bk_request_status(r, NULL), STATUS_PENDING);
    CHECK_STATUS(bk_platform_set_present(h, "BAT0", 1), STATUS_SUCCESS);
    bk_host_settle(h);
    CHECK_STATUS(bk_request_status(r, NULL), STATUS_SUCCESS);
    CHECK(tag2 != BATTERY_TAG_INVALID);
    CHECK(tag2 != tag1); /* docs: a new tag on every insertion */
    CHECK_STATUS(cb_query_tag(b, 0, &tag), STATUS_SUCCESS);
    CHECK_EQ(tag, tag2);
    bk_request_free(r);
    bk_close(b);
    fx_stop(h);
}

TEST(information_change_bumps_the_tag)
{
    ULONG tag1, tag2, got;
    BATTERY_INFORMATION bi;
    bk_host_t *h = fx_start(NULL, NULL);
    REQUIRE(h);
    bk_handle_t *b = cb_open_battery(h, 0);
    REQUIRE(b);
    REQUIRE(cb_query_tag(b, 0, &tag1) == STATUS_SUCCESS);
    CHECK_STATUS(bk_platform_drop_capacity(h, "BAT0", 20.0), STATUS_SUCCESS);
    bk_host_settle(h);
    CHECK_STATUS(cb_query_info(b, tag1, BatteryInformation, 0, &bi, sizeof bi, &got),
                 STATUS_NO_SUCH_DEVICE);
    CHECK_STATUS(cb_query_tag(b, 0, &tag2), STATUS_SUCCESS);
    CHECK(tag2 != tag1);
    CHECK_STATUS(cb_query_info(b, tag2, BatteryInformation, 0, &bi, sizeof bi, &got),
                 STATUS_SUCCESS);
    CHECK_NEAR(bi.FullChargedCapacity, 57000 * 0.8, 1.0);
    bk_close(b);
    fx_stop(h);
}

TEST(status_wait_on_a_low_capacity_arms_btp_and_ends_at_the_crossing)
{
    ULONG tag;
    BATTERY_STATUS st, now;
    bk_platform_reading_t r;
    /* cmbatt's own trip point: no composite battery (no compbatt in the driver directory). */
    bk_host_t *h = fx_start("battc acpi cmbatt", NULL);
    REQUIRE(h);
    bk_handle_t *b = cb_open_battery(h, 0);
    REQUIRE(b);
    REQUIRE(cb_query_tag(b, 0, &tag) == STATUS_SUCCESS);
    CHECK_STATUS(bk_platform_set_ac(h, NULL, 0), STATUS_SUCCESS);
    bk_host_settle(h);
    REQUIRE(cb_query_status(b, tag, &now) == STATUS_SUCCESS);
    /* 400 mWh below now: at 8 W, some 3 minutes away. */
    ULONG low = now.Capacity - 400;
    double expected = bk_platform_predict_seconds(h, "BAT0", 8.0, low);
    BATTERY_WAIT_STATUS w = {.BatteryTag = tag,
                             .Timeout = 0xFFFFFFFF,
                             .PowerState = now.PowerState,
                             .LowCapacity = low,
                             .HighCapacity = 0x7FFFFFFF};
    uint64_t t0 = bk_host_now_ns(h);
    bk_request_t *req = cb_wait_status(b, &w, &st);
    REQUIRE(req);
    bk_host_settle(h);
    CHECK_STATUS(bk_request_status(req, NULL), STATUS_PENDING);
    /* battc asked SetStatusNotify; cmbatt armed _BTP at the low level. */
    CHECK_STATUS(bk_platform_read(h, "BAT0", &r), STATUS_SUCCESS);
    CHECK_EQ(r.trip_mwh, low);
    CHECK_STATUS(bk_request_wait(req, 10 * FX_MINUTE), STATUS_SUCCESS);
    double waited = (double)(bk_host_now_ns(h) - t0) / 1e9;
    CHECK_NEAR(waited, expected, 1.5); /* the 1 s firmware tick, not a 5 s poll */
    CHECK(st.Capacity < low);
    bk_request_free(req);
    bk_close(b);
    fx_stop(h);
}

TEST(no_answer_fault_yields_no_such_device_without_a_hang)
{
    ULONG tag, again;
    BATTERY_STATUS st;
    bk_host_t *h = fx_start(NULL, NULL);
    REQUIRE(h);
    bk_handle_t *b = cb_open_battery(h, 0);
    REQUIRE(b);
    REQUIRE(cb_query_tag(b, 0, &tag) == STATUS_SUCCESS);
    CHECK_STATUS(bk_platform_set_faults(h, "BAT0", BK_PLATFORM_FAULT_NO_ANSWER, 1), STATUS_SUCCESS);
    uint64_t t0 = bk_host_now_ns(h);
    CHECK_STATUS(cb_query_status(b, tag, &st), STATUS_NO_SUCH_DEVICE);
    /* docs: presence that cannot be determined is no battery. */
    CHECK_STATUS(cb_query_tag(b, 0, &again), STATUS_NO_SUCH_DEVICE);
    /* A wait with a timeout ends, and ends with the same answer. */
    BATTERY_WAIT_STATUS w = {.BatteryTag = tag,
                             .Timeout = 3000,
                             .PowerState = st.PowerState,
                             .LowCapacity = 0,
                             .HighCapacity = 0x7FFFFFFF};
    bk_request_t *req = cb_wait_status(b, &w, &st);
    REQUIRE(req);
    CHECK_STATUS(bk_request_wait(req, 10 * FX_SECOND), STATUS_NO_SUCH_DEVICE);
    bk_request_free(req);
    CHECK(bk_host_now_ns(h) - t0 <= 3 * FX_SECOND);
    /* The battery never left: the same tag once the firmware answers. */
    CHECK_STATUS(bk_platform_set_faults(h, "BAT0", BK_PLATFORM_FAULT_NO_ANSWER, 0), STATUS_SUCCESS);
    CHECK_STATUS(cb_query_tag(b, 0, &again), STATUS_SUCCESS);
    CHECK_EQ(again, tag);
    bk_close(b);
    fx_stop(h);
}

TEST(mah_firmware_is_converted_to_mwh_with_the_design_voltage)
{
    ULONG tag, got;
    BATTERY_INFORMATION bi;
    BATTERY_STATUS st;
    bk_platform_reading_t r;
    bk_host_t *h = fx_start(NULL, NULL);
    REQUIRE(h);
    bk_handle_t *b = cb_open_battery(h, 0);
    REQUIRE(b);
    CHECK_STATUS(bk_platform_set_firmware(h, "BAT0", 0, 1), STATUS_SUCCESS);
    CHECK_STATUS(bk_platform_set_ac(h, NULL, 0), STATUS_SUCCESS);
    bk_host_advance(h, 10 * FX_SECOND);
    REQUIRE(cb_query_tag(b, 0, &tag) == STATUS_SUCCESS);
    CHECK_STATUS(cb_query_info(b, tag, BatteryInformation, 0, &bi, sizeof bi, &got),
                 STATUS_SUCCESS);
    CHECK_EQ(bi.DesignedCapacity, 57000); /* 5000 mAh x 11.4 V */
    CHECK_EQ(bi.FullChargedCapacity, 57000);
    CHECK_EQ(bi.DefaultAlert2, 5700);
    CHECK_NEAR(bi.DefaultAlert1, 1710, 6.0); /* 150 mAh: rounding in mAh */
    CHECK_STATUS(cb_query_status(b, tag, &st), STATUS_SUCCESS);
    CHECK_STATUS(bk_platform_read(h, "BAT0", &r), STATUS_SUCCESS);
    /* The firmware's current times the design voltage (not the present). */
    CHECK_NEAR(st.Rate, r.current_a * 11400.0, 12.0);
    CHECK_NEAR(st.Capacity, r.remaining_mwh, 12.0);
    bk_close(b);
    fx_stop(h);
}

TEST(bif_only_firmware_is_read_through_bif)
{
    ULONG tag, got;
    BATTERY_INFORMATION bi;
    bk_host_t *h = fx_start(NULL, NULL);
    REQUIRE(h);
    bk_handle_t *b = cb_open_battery(h, 0);
    REQUIRE(b);
    CHECK_STATUS(bk_platform_age(h, "BAT0", 50, 0), STATUS_SUCCESS);
    CHECK_STATUS(bk_platform_set_firmware(h, "BAT0", 1, 0), STATUS_SUCCESS);
    bk_host_settle(h);
    REQUIRE(cb_query_tag(b, 0, &tag) == STATUS_SUCCESS);
    CHECK_STATUS(cb_query_info(b, tag, BatteryInformation, 0, &bi, sizeof bi, &got),
                 STATUS_SUCCESS);
    CHECK_EQ(bi.DesignedCapacity, 57000);
    CHECK_EQ(bi.CycleCount, 0); /* _BIF has no cycle count */
    bk_close(b);
    fx_stop(h);
}

TEST(two_battery_machine_shares_the_load_and_reads_bif_only_battery)
{
    ULONG tag, got;
    BATTERY_INFORMATION bi;
    BATTERY_STATUS st;
    WCHAR name[32];
    int seen = 0;
    bk_host_t *h = fx_start(NULL, NULL);
    REQUIRE(h);
    bk_host_unload_machine(h);
    REQUIRE(bk_host_load_machine(h, BK_DATA_DIR "/machines/laptop-2bat.ini") == STATUS_SUCCESS);
    REQUIRE(cb_battery_count(h) == 2);
    for (size_t i = 0; i < 2; i++) {
        bk_handle_t *b = cb_open_battery(h, i);
        REQUIRE(b);
        REQUIRE(cb_query_tag(b, 0, &tag) == STATUS_SUCCESS);
        CHECK_STATUS(cb_query_info(b, tag, BatteryInformation, 0, &bi, sizeof bi, &got),
                     STATUS_SUCCESS);
        CHECK_STATUS(cb_query_info(b, tag, BatteryDeviceName, 0, name, sizeof name, &got),
                     STATUS_SUCCESS);
        CHECK_STATUS(cb_query_status(b, tag, &st), STATUS_SUCCESS);
        CHECK_EQ(st.PowerState, BATTERY_DISCHARGING); /* the machine starts off AC */
        CHECK_NEAR(st.Rate, -6000, 1.0);              /* 12 W shared by two */
        if (name[2] == '7') {                         /* BK72R6: _BIF only, aged */
            CHECK_EQ(bi.DesignedCapacity, 72000);
            CHECK_EQ(bi.FullChargedCapacity, 64800);
            CHECK_EQ(bi.CycleCount, 0);
            seen |= 1;
        } else { /* BK23I3 */
            CHECK_EQ(bi.DesignedCapacity, 23200);
            CHECK_EQ(bi.CycleCount, 12);
            seen |= 2;
        }
        bk_close(b);
    }
    CHECK_EQ(seen, 3);
    fx_stop(h);
}

TEST(removing_the_bus_with_a_wait_pending_completes_it_and_frees_everything)
{
    ULONG tag;
    BATTERY_STATUS st, now;
    bk_host_t *h = fx_start(NULL, NULL);
    REQUIRE(h);
    bk_handle_t *b = cb_open_battery(h, 0);
    REQUIRE(b);
    REQUIRE(cb_query_tag(b, 0, &tag) == STATUS_SUCCESS);
    REQUIRE(cb_query_status(b, tag, &now) == STATUS_SUCCESS);
    bk_request_t *req = cb_wait_power_change(b, tag, now.PowerState, &st);
    REQUIRE(req);
    bk_host_settle(h);
    REQUIRE(bk_request_status(req, NULL) == STATUS_PENDING);
    /* Notifications keep coming while the stack goes away. */
    CHECK_STATUS(bk_platform_set_ac(h, NULL, 0), STATUS_SUCCESS);
    bk_host_unload_machine(h);
    bk_host_settle(h);
    CHECK(bk_request_status(req, NULL) != STATUS_PENDING);
    bk_request_free(req);
    bk_close(b);
    fx_stop(h);
}

/* Issue 15: the adapter's Notify reached at most 16 batteries (a fixed
 * array in ac.c), so on a larger machine the other waits stayed pending.
 * Full packs with no load: unplugging changes no battery's own _BST state
 * (so the firmware notifies no battery), only the on-line bit that cmbatt
 * takes from the adapter's _PSR, which reaches them through ac.c alone. */
#define MANY_BATTERIES 500

static char *many_battery_machine(void)
{
    size_t cap = 256 + MANY_BATTERIES * 200, len = 0;
    char *text = malloc(cap);
    if (!text)
        return NULL;
    len += (size_t)snprintf(text + len, cap - len,
                            "[machine]\nname = many\ntime = virtual\ncomposite_battery = no\n\n"
                            "[ac.ADP1]\nbus = acpi\nonline = yes\n\n"
                            "[load]\nconstant_power_mw = 0\n\n");
    for (int i = 0; i < MANY_BATTERIES; i++)
        len += (size_t)snprintf(text + len, cap - len,
                                "[battery.B%d]\nbus = acpi\nchemistry = li-ion\n"
                                "design_capacity_mwh = 50000\ndesign_voltage_mv = 11400\n"
                                "cells = 3\ninitial_soc_percent = 100\n\n",
                                i);
    return text;
}

TEST(ac_change_notifies_every_battery_of_a_500_battery_machine)
{
    char *machine = many_battery_machine();
    REQUIRE(machine);
    bk_host_t *h = fx_start(NULL, machine);
    free(machine);
    REQUIRE(h);
    REQUIRE(cb_battery_count(h) == MANY_BATTERIES);
    static bk_handle_t *b[MANY_BATTERIES];
    static bk_request_t *r[MANY_BATTERIES];
    static BATTERY_STATUS st[MANY_BATTERIES];
    for (size_t i = 0; i < MANY_BATTERIES; i++) {
        ULONG tag;
        BATTERY_STATUS now;
        b[i] = cb_open_battery(h, i);
        REQUIRE(b[i]);
        REQUIRE(cb_query_tag(b[i], 0, &tag) == STATUS_SUCCESS);
        REQUIRE(cb_query_status(b[i], tag, &now) == STATUS_SUCCESS);
        r[i] = cb_wait_power_change(b[i], tag, now.PowerState, &st[i]);
        REQUIRE(r[i]);
    }
    bk_host_settle(h);
    size_t pending = 0, completed = 0;
    for (size_t i = 0; i < MANY_BATTERIES; i++)
        pending += bk_request_status(r[i], NULL) == STATUS_PENDING;
    CHECK_EQ(pending, MANY_BATTERIES);
    CHECK_STATUS(bk_platform_set_ac(h, NULL, 0), STATUS_SUCCESS);
    bk_host_settle(h); /* no time passes: only the adapter's Notify can end them */
    for (size_t i = 0; i < MANY_BATTERIES; i++)
        completed += bk_request_status(r[i], NULL) == STATUS_SUCCESS &&
                     !(st[i].PowerState & BATTERY_POWER_ON_LINE);
    CHECK_EQ(completed, MANY_BATTERIES);
    for (size_t i = 0; i < MANY_BATTERIES; i++) {
        bk_close(b[i]);
        bk_request_free(r[i]);
    }
    fx_stop(h);
}
