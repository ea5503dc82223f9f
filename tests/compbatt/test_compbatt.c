/* The composite battery on a simulated machine with two ACPI packs: what it
 * reports against its members queried directly, through insertion,
 * removal, a dead pack and waits (virtual time). */
#include "bk_test.h"
#include "fixture.h"

#include <initguid.h>
#include <batclass.h>
#include <poclass.h>
#include <stdlib.h>

static const char two_packs[] = "[machine]\n"
                                "name = compbatt-test\n"
                                "time = virtual\n"
                                "[battery.BAT0]\n"
                                "design_capacity_mwh = 40000\n"
                                "design_voltage_mv = 11400\n"
                                "cells = 3\n"
                                "initial_soc_percent = 90\n"
                                "serial = A\n"
                                "[battery.BAT1]\n"
                                "design_capacity_mwh = 60000\n"
                                "design_voltage_mv = 11400\n"
                                "cells = 3\n"
                                "initial_soc_percent = 50\n"
                                "serial = B\n"
                                "[ac.ADP1]\n"
                                "online = no\n"
                                "[load]\n"
                                "constant_power_mw = 12000\n";

typedef struct view {
    ULONG tag;
    BATTERY_INFORMATION info;
    BATTERY_STATUS status;
} view_t;

static NTSTATUS read_view(bk_handle_t *h, view_t *v)
{
    ULONG zero = 0, got;
    NTSTATUS s = bk_ioctl(h, IOCTL_BATTERY_QUERY_TAG, &zero, 4, &v->tag, 4, &got);
    if (s < 0)
        return s;
    BATTERY_QUERY_INFORMATION q = {.BatteryTag = v->tag, .InformationLevel = BatteryInformation};
    s = bk_ioctl(h, IOCTL_BATTERY_QUERY_INFORMATION, &q, sizeof q, &v->info, sizeof v->info, &got);
    if (s < 0)
        return s;
    BATTERY_WAIT_STATUS w = {.BatteryTag = v->tag};
    return bk_ioctl(h, IOCTL_BATTERY_QUERY_STATUS, &w, sizeof w, &v->status, sizeof v->status,
                    &got);
}

static bk_handle_t *open_composite(bk_host_t *h)
{
    bk_handle_t *c = NULL;
    CHECK_STATUS(bk_host_open(h, "\\Device\\CompositeBattery", BK_ACCESS_READ, &c), STATUS_SUCCESS);
    return c;
}

/* The members' sum, read directly from every battery interface. */
static size_t sum_members(bk_host_t *h, view_t *sum)
{
    char **paths;
    size_t n = bk_host_list_interfaces(h, &GUID_DEVICE_BATTERY, &paths), present = 0;
    memset(sum, 0, sizeof *sum);
    for (size_t i = 0; i < n; i++) {
        bk_handle_t *b;
        view_t v;
        if (bk_host_open(h, paths[i], BK_ACCESS_READ, &b) < 0)
            continue;
        if (read_view(b, &v) >= 0) {
            present++;
            sum->info.FullChargedCapacity += v.info.FullChargedCapacity;
            sum->info.DesignedCapacity += v.info.DesignedCapacity;
            sum->status.Capacity += v.status.Capacity;
            sum->status.Rate += v.status.Rate;
            sum->status.PowerState |= v.status.PowerState & ~BATTERY_CRITICAL;
        }
        bk_close(b);
    }
    bk_host_free_list(paths, n);
    return present;
}

/* docs/compbatt.md: the composite follows each member to within half a
 * percent of its full charge (its wait window) and its rate to 30 s. */
static void check_matches_members(bk_host_t *h, bk_handle_t *c)
{
    view_t comp, sum;
    REQUIRE(read_view(c, &comp) == STATUS_SUCCESS);
    REQUIRE(sum_members(h, &sum) > 0);
    CHECK_EQ(comp.info.FullChargedCapacity, sum.info.FullChargedCapacity);
    CHECK_EQ(comp.info.DesignedCapacity, sum.info.DesignedCapacity);
    CHECK_NEAR((double)comp.status.Capacity, (double)sum.status.Capacity,
               sum.info.FullChargedCapacity * 0.005 + 1);
    CHECK_NEAR((double)comp.status.Rate, (double)sum.status.Rate, 0.02 * abs(sum.status.Rate) + 1);
    CHECK_EQ(comp.status.PowerState & ~BATTERY_CRITICAL, sum.status.PowerState);
}

TEST(two_batteries_discharge_composite_reports_sum_of_members)
{
    bk_host_t *h = fx_start(NULL, two_packs);
    REQUIRE(h);
    bk_host_settle(h);
    bk_handle_t *c = open_composite(h);
    REQUIRE(c);
    view_t comp;
    REQUIRE(read_view(c, &comp) == STATUS_SUCCESS);
    CHECK_EQ(comp.info.DesignedCapacity, 100000);
    CHECK(comp.status.PowerState & BATTERY_DISCHARGING);
    for (int step = 0; step < 24; step++) { /* four hours, every ten minutes */
        check_matches_members(h, c);
        bk_host_advance(h, 10 * FX_MINUTE);
        bk_host_settle(h);
    }
    bk_close(c);
    fx_stop(h);
}

TEST(composite_is_not_a_battery_interface)
{
    bk_host_t *h = fx_start(NULL, two_packs);
    REQUIRE(h);
    bk_host_settle(h);
    char **paths;
    size_t n = bk_host_list_interfaces(h, &GUID_DEVICE_BATTERY, &paths);
    CHECK_EQ(n, 2); /* the two packs, not the composite */
    bk_host_free_list(paths, n);
    bk_handle_t *c = open_composite(h);
    CHECK(c != NULL);
    bk_close(c);
    fx_stop(h);
}

TEST(battery_removed_then_reinserted_changes_composite_tag_and_totals)
{
    bk_host_t *h = fx_start(NULL, two_packs);
    REQUIRE(h);
    bk_host_settle(h);
    bk_handle_t *c = open_composite(h);
    REQUIRE(c);
    view_t before, gone, back;
    REQUIRE(read_view(c, &before) == STATUS_SUCCESS);
    bk_host_advance(h, 5 * FX_MINUTE);
    CHECK_STATUS(bk_platform_set_present(h, "BAT1", 0), STATUS_SUCCESS);
    bk_host_settle(h);
    REQUIRE(read_view(c, &gone) == STATUS_SUCCESS);
    CHECK(gone.tag != before.tag);
    CHECK_EQ(gone.info.DesignedCapacity, 40000);
    check_matches_members(h, c);
    bk_host_advance(h, 5 * FX_MINUTE);
    CHECK_STATUS(bk_platform_set_present(h, "BAT1", 1), STATUS_SUCCESS);
    bk_host_settle(h);
    REQUIRE(read_view(c, &back) == STATUS_SUCCESS);
    CHECK(back.tag != gone.tag && back.tag != before.tag);
    CHECK_EQ(back.info.DesignedCapacity, 100000);
    check_matches_members(h, c);
    bk_close(c);
    fx_stop(h);
}

TEST(dead_pack_beside_40_percent_pack_is_not_critical)
{
    bk_host_t *h = fx_start(NULL, two_packs);
    REQUIRE(h);
    CHECK_STATUS(bk_platform_set_soc(h, "BAT0", 0), STATUS_SUCCESS);
    CHECK_STATUS(bk_platform_set_soc(h, "BAT1", 40), STATUS_SUCCESS);
    bk_host_advance(h, FX_MINUTE);
    bk_host_settle(h);
    bk_handle_t *c = open_composite(h);
    REQUIRE(c);
    view_t comp;
    REQUIRE(read_view(c, &comp) == STATUS_SUCCESS);
    CHECK(!(comp.status.PowerState & BATTERY_CRITICAL));
    CHECK(comp.status.Capacity > 20000); /* BAT1's 40 % of 60 Wh, less a minute */
    check_matches_members(h, c);
    bk_close(c);
    fx_stop(h);
}

TEST(composite_status_wait_completes_on_member_change)
{
    bk_host_t *h = fx_start(NULL, two_packs);
    REQUIRE(h);
    bk_host_settle(h);
    bk_handle_t *c = open_composite(h);
    REQUIRE(c);
    view_t now;
    REQUIRE(read_view(c, &now) == STATUS_SUCCESS);
    BATTERY_WAIT_STATUS w = {.BatteryTag = now.tag,
                             .Timeout = 0xFFFFFFFF,
                             .PowerState = now.status.PowerState,
                             .LowCapacity = 0,
                             .HighCapacity = 0x7FFFFFFF};
    BATTERY_STATUS out;
    bk_request_t *req;
    REQUIRE(bk_ioctl_async(c, IOCTL_BATTERY_QUERY_STATUS, &w, sizeof w, &out, sizeof out, NULL,
                           NULL, &req) == STATUS_PENDING);
    bk_host_advance(h, FX_MINUTE);
    bk_host_settle(h);
    CHECK_STATUS(bk_request_status(req, NULL), STATUS_PENDING); /* nothing changed state */
    CHECK_STATUS(bk_platform_set_ac(h, NULL, 1), STATUS_SUCCESS);
    CHECK_STATUS(bk_request_wait(req, 10 * FX_SECOND), STATUS_SUCCESS);
    CHECK(out.PowerState & BATTERY_POWER_ON_LINE);
    bk_request_free(req);
    bk_close(c);
    fx_stop(h);
}

TEST(failing_member_is_left_out_and_comes_back)
{
    bk_host_t *h = fx_start(NULL, two_packs);
    REQUIRE(h);
    bk_host_settle(h);
    bk_handle_t *c = open_composite(h);
    REQUIRE(c);
    CHECK_STATUS(bk_platform_set_faults(h, "BAT1", BK_PLATFORM_FAULT_NO_ANSWER, 1), STATUS_SUCCESS);
    bk_host_advance(h, 2 * FX_MINUTE);
    bk_host_settle(h);
    view_t comp;
    REQUIRE(read_view(c, &comp) == STATUS_SUCCESS);
    CHECK_EQ(comp.info.DesignedCapacity, 40000); /* BAT1's requests fail: left out */
    CHECK_STATUS(bk_platform_set_faults(h, "BAT1", BK_PLATFORM_FAULT_NO_ANSWER, 0), STATUS_SUCCESS);
    bk_host_advance(h, 2 * FX_MINUTE);
    bk_host_settle(h);
    REQUIRE(read_view(c, &comp) == STATUS_SUCCESS);
    CHECK_EQ(comp.info.DesignedCapacity, 100000);
    bk_close(c);
    fx_stop(h);
}
