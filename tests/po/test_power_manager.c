/* The power manager (ntos/po) over the composite battery on simulated
 * machines, on virtual time: its system battery state against the
 * composite at every step (also through GetSystemPowerStatus and
 * CallNtPowerInformation in process), removal and reinsertion, the DC
 * policy's levels, hysteresis and critical delay, the time estimate
 * against the model, and the settings in the registry. */
#include "bk_test.h"
#include "fixture.h"

#include <battkit/client.h>
#include <windows.h>
#include <powrprof.h>
#include <initguid.h>
#include <batclass.h>
#include <poclass.h>
#include <ntstatus.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* BAT0 empties first; then BAT1 carries the load alone. */
static const char two_packs[] = "[machine]\n"
                                "name = po-test\n"
                                "time = virtual\n"
                                "[battery.BAT0]\n"
                                "design_capacity_mwh = 40000\n"
                                "design_voltage_mv = 11400\n"
                                "cells = 3\n"
                                "initial_soc_percent = 15\n"
                                "serial = A\n"
                                "[battery.BAT1]\n"
                                "design_capacity_mwh = 60000\n"
                                "design_voltage_mv = 11400\n"
                                "cells = 3\n"
                                "initial_soc_percent = 60\n"
                                "serial = B\n"
                                "[ac.ADP1]\n"
                                "online = no\n"
                                "[load]\n"
                                "constant_power_mw = 15000\n";

static const char one_pack[] = "[machine]\n"
                               "name = po-one\n"
                               "time = virtual\n"
                               "[battery.BAT0]\n"
                               "design_capacity_mwh = 50000\n"
                               "design_voltage_mv = 11400\n"
                               "cells = 3\n"
                               "initial_soc_percent = 80\n"
                               "[ac.ADP1]\n"
                               "online = yes\n"
                               "[load]\n"
                               "constant_power_mw = 10000\n";

typedef struct view {
    ULONG tag;
    BATTERY_INFORMATION info;
    BATTERY_STATUS status;
} view_t;

static NTSTATUS read_composite(bk_host_t *h, view_t *v)
{
    bk_handle_t *c = NULL;
    NTSTATUS s = bk_host_open(h, "\\Device\\CompositeBattery", BK_ACCESS_READ, &c);
    if (s < 0)
        return s;
    ULONG zero = 0, got;
    memset(v, 0, sizeof *v);
    s = bk_ioctl(c, IOCTL_BATTERY_QUERY_TAG, &zero, 4, &v->tag, 4, &got);
    if (s >= 0) {
        BATTERY_QUERY_INFORMATION q = {.BatteryTag = v->tag,
                                       .InformationLevel = BatteryInformation};
        s = bk_ioctl(c, IOCTL_BATTERY_QUERY_INFORMATION, &q, sizeof q, &v->info, sizeof v->info,
                     &got);
    }
    if (s >= 0) {
        BATTERY_WAIT_STATUS w = {.BatteryTag = v->tag};
        s = bk_ioctl(c, IOCTL_BATTERY_QUERY_STATUS, &w, sizeof w, &v->status, sizeof v->status,
                     &got);
    }
    bk_close(c);
    return s;
}

/* Every answer of the power manager against the composite read directly:
 * the state itself, SYSTEM_BATTERY_STATE and SYSTEM_POWER_STATUS through
 * the client library (embedded in this process). */
static void check_system_matches_composite(bk_host_t *h)
{
    view_t v;
    bk_power_state_t s;
    REQUIRE(read_composite(h, &v) == STATUS_SUCCESS);
    REQUIRE(bk_host_power_state(h, &s) == STATUS_SUCCESS);
    CHECK_EQ(s.battery_present, 1);
    CHECK_EQ(s.composite_tag, v.tag);
    CHECK_EQ(s.max_capacity, v.info.FullChargedCapacity);
    CHECK_EQ(s.remaining_capacity, v.status.Capacity);
    CHECK_EQ(s.rate, (int32_t)v.status.Rate);
    CHECK_EQ(s.ac_on_line, (v.status.PowerState & BATTERY_POWER_ON_LINE) != 0);
    CHECK_EQ(s.discharging, (v.status.PowerState & BATTERY_DISCHARGING) != 0);
    CHECK_EQ(s.charging, (v.status.PowerState & BATTERY_CHARGING) != 0);
    CHECK_EQ(s.default_alert1, v.info.DefaultAlert1);
    unsigned percent =
        (unsigned)(((uint64_t)v.status.Capacity * 100 + v.info.FullChargedCapacity / 2) /
                   v.info.FullChargedCapacity);
    CHECK_EQ(s.battery_life_percent, percent > 100 ? 100 : percent);

    SYSTEM_POWER_STATUS sps;
    REQUIRE(GetSystemPowerStatus(&sps));
    CHECK_EQ(sps.ACLineStatus, s.ac_on_line ? AC_LINE_ONLINE : AC_LINE_OFFLINE);
    CHECK_EQ(sps.BatteryLifePercent, s.battery_life_percent);
    CHECK_EQ(sps.BatteryFlag, s.battery_flag);
    CHECK_EQ(sps.BatteryLifeTime, s.battery_life_time);
    SYSTEM_BATTERY_STATE sbs;
    REQUIRE(CallNtPowerInformation(SystemBatteryState, NULL, 0, &sbs, sizeof sbs) == 0);
    CHECK_EQ(sbs.AcOnLine, s.ac_on_line);
    CHECK_EQ(sbs.BatteryPresent, 1);
    CHECK_EQ(sbs.Discharging, s.discharging);
    CHECK_EQ(sbs.MaxCapacity, v.info.FullChargedCapacity);
    CHECK_EQ(sbs.RemainingCapacity, v.status.Capacity);
    CHECK_EQ((LONG)sbs.Rate, (LONG)v.status.Rate);
    CHECK_EQ(sbs.EstimatedTime, s.estimated_time);
}

static bk_host_t *start(const char *machine)
{
    bk_host_t *h = fx_start(NULL, machine);
    if (!h)
        return NULL;
    bk_host_settle(h);
    if (!BattkitUseEmbeddedHost(h)) {
        fx_stop(h);
        return NULL;
    }
    return h;
}

static void stop(bk_host_t *h)
{
    BattkitUseEmbeddedHost(NULL);
    fx_stop(h);
}

/* ---- the actions the policy hands over ---- */
typedef struct actions {
    pthread_mutex_t lock;
    unsigned count[BK_PO_LEVEL_COUNT];
    bk_power_action_t last;
} actions_t;

static void on_action(void *context, const bk_power_action_t *a)
{
    actions_t *t = context;
    pthread_mutex_lock(&t->lock);
    if (a->level < BK_PO_LEVEL_COUNT)
        t->count[a->level]++;
    t->last = *a;
    pthread_mutex_unlock(&t->lock);
}

static unsigned fired(actions_t *t, uint32_t level)
{
    pthread_mutex_lock(&t->lock);
    unsigned n = t->count[level];
    pthread_mutex_unlock(&t->lock);
    return n;
}

static void set_policy(bk_host_t *h, uint32_t low, uint32_t reserve, uint32_t critical,
                       uint32_t delay_s)
{
    bk_dc_policy_t p = {.critical_delay_s = delay_s};
    p.percent[BK_PO_LEVEL_LOW] = low;
    p.percent[BK_PO_LEVEL_RESERVE] = reserve;
    p.percent[BK_PO_LEVEL_CRITICAL] = critical;
    p.action[BK_PO_LEVEL_LOW] = BK_PO_ACTION_SLEEP;
    p.action[BK_PO_LEVEL_RESERVE] = BK_PO_ACTION_NOTIFY;
    p.action[BK_PO_LEVEL_CRITICAL] = BK_PO_ACTION_HIBERNATE;
    char why[160];
    CHECK_STATUS(bk_host_set_dc_policy(h, &p, why, sizeof why), STATUS_SUCCESS);
}

TEST(two_batteries_discharge_in_sequence_and_the_system_state_is_the_composite_at_every_step)
{
    bk_host_t *h = start(two_packs);
    REQUIRE(h);
    bool bat0_emptied_while_bat1_carried = false;
    for (int step = 0; step < 40; step++) { /* 200 minutes, every five */
        check_system_matches_composite(h);
        bk_platform_reading_t b0, b1;
        REQUIRE(bk_platform_read(h, "BAT0", &b0) == STATUS_SUCCESS);
        REQUIRE(bk_platform_read(h, "BAT1", &b1) == STATUS_SUCCESS);
        if (b0.depleted && b1.discharging && b1.soc_percent > 5)
            bat0_emptied_while_bat1_carried = true;
        bk_host_advance(h, 5 * FX_MINUTE);
    }
    CHECK(bat0_emptied_while_bat1_carried);
    stop(h);
}

TEST(battery_removed_and_reinserted_mid_discharge_changes_the_system_tag_and_stays_consistent)
{
    bk_host_t *h = start(two_packs);
    REQUIRE(h);
    bk_host_advance(h, 10 * FX_MINUTE);
    bk_power_state_t before, gone, back;
    REQUIRE(bk_host_power_state(h, &before) == STATUS_SUCCESS);
    check_system_matches_composite(h);

    REQUIRE(bk_platform_set_present(h, "BAT1", 0) == STATUS_SUCCESS);
    bk_host_settle(h);
    REQUIRE(bk_host_power_state(h, &gone) == STATUS_SUCCESS);
    check_system_matches_composite(h);
    CHECK(gone.composite_tag != before.composite_tag);
    CHECK(gone.max_capacity < before.max_capacity); /* BAT0's alone */
    bk_host_advance(h, 5 * FX_MINUTE);
    check_system_matches_composite(h);

    REQUIRE(bk_platform_set_present(h, "BAT1", 1) == STATUS_SUCCESS);
    bk_host_settle(h);
    REQUIRE(bk_host_power_state(h, &back) == STATUS_SUCCESS);
    check_system_matches_composite(h);
    CHECK(back.composite_tag != gone.composite_tag);
    CHECK(back.composite_tag != before.composite_tag);
    CHECK_EQ(back.max_capacity, before.max_capacity);
    stop(h);
}

TEST(dead_pack_beside_a_40_percent_pack_takes_no_critical_action)
{
    bk_host_t *h = start(two_packs);
    REQUIRE(h);
    actions_t t = {.lock = PTHREAD_MUTEX_INITIALIZER};
    bk_host_set_power_action_handler(h, on_action, &t);
    REQUIRE(bk_platform_set_soc(h, "BAT0", 0) == STATUS_SUCCESS);
    REQUIRE(bk_platform_set_soc(h, "BAT1", 40) == STATUS_SUCCESS);
    bk_host_settle(h);
    bk_host_advance(h, 5 * FX_MINUTE);
    bk_power_state_t s;
    REQUIRE(bk_host_power_state(h, &s) == STATUS_SUCCESS);
    CHECK_EQ(s.policy_level, BK_PO_LEVEL_NORMAL);
    CHECK(!(s.battery_flag & BATTERY_FLAG_CRITICAL));
    CHECK(!(s.composite_power_state & BATTERY_CRITICAL));
    CHECK(s.battery_life_percent >= 20); /* 40 % of 60 Wh over 100 Wh */
    CHECK_EQ(fired(&t, BK_PO_LEVEL_CRITICAL), 0);
    CHECK_EQ(fired(&t, BK_PO_LEVEL_LOW), 0);
    bk_host_set_power_action_handler(h, NULL, NULL);
    stop(h);
}

TEST(low_action_fires_once_per_discharge)
{
    bk_host_t *h = start(one_pack);
    REQUIRE(h);
    actions_t t = {.lock = PTHREAD_MUTEX_INITIALIZER};
    bk_host_set_power_action_handler(h, on_action, &t);
    set_policy(h, 70, 10, 5, 0);
    REQUIRE(bk_platform_set_soc(h, "BAT0", 72) == STATUS_SUCCESS);
    REQUIRE(bk_platform_set_ac(h, NULL, 0) == STATUS_SUCCESS);
    for (int m = 0; m < 60; m++) /* 72 % -> about 52 %, through the 70 % level */
        bk_host_advance(h, FX_MINUTE);
    bk_power_state_t s;
    REQUIRE(bk_host_power_state(h, &s) == STATUS_SUCCESS);
    CHECK(s.battery_life_percent < 65);
    CHECK_EQ(s.policy_level, BK_PO_LEVEL_LOW);
    CHECK_EQ(fired(&t, BK_PO_LEVEL_LOW), 1);
    CHECK_EQ(t.last.action, BK_PO_ACTION_SLEEP);
    CHECK_EQ(s.actions_taken, 1);
    /* a new discharge: AC, charge, unplug, down through the level again */
    REQUIRE(bk_platform_set_ac(h, NULL, 1) == STATUS_SUCCESS);
    REQUIRE(bk_platform_set_soc(h, "BAT0", 72) == STATUS_SUCCESS);
    bk_host_advance(h, FX_MINUTE);
    CHECK_EQ(fired(&t, BK_PO_LEVEL_LOW), 1); /* never on AC */
    REQUIRE(bk_platform_set_ac(h, NULL, 0) == STATUS_SUCCESS);
    for (int m = 0; m < 30; m++)
        bk_host_advance(h, FX_MINUTE);
    CHECK_EQ(fired(&t, BK_PO_LEVEL_LOW), 2);
    bk_power_action_t log[8];
    CHECK_EQ(bk_host_power_actions(h, log, 8), 2);
    bk_host_set_power_action_handler(h, NULL, NULL);
    stop(h);
}

TEST(ac_returning_during_the_critical_delay_cancels_the_action)
{
    bk_host_t *h = start(one_pack);
    REQUIRE(h);
    actions_t t = {.lock = PTHREAD_MUTEX_INITIALIZER};
    bk_host_set_power_action_handler(h, on_action, &t);
    set_policy(h, 30, 25, 20, 120);
    REQUIRE(bk_platform_set_soc(h, "BAT0", 19) == STATUS_SUCCESS);
    REQUIRE(bk_platform_set_ac(h, NULL, 0) == STATUS_SUCCESS);
    bk_host_advance(h, 30 * FX_SECOND);
    bk_power_state_t s;
    REQUIRE(bk_host_power_state(h, &s) == STATUS_SUCCESS);
    CHECK_EQ(s.policy_level, BK_PO_LEVEL_CRITICAL);
    CHECK_EQ(fired(&t, BK_PO_LEVEL_CRITICAL), 0); /* waiting out the delay */
    REQUIRE(bk_platform_set_ac(h, NULL, 1) == STATUS_SUCCESS);
    bk_host_advance(h, 5 * FX_MINUTE);
    CHECK_EQ(fired(&t, BK_PO_LEVEL_CRITICAL), 0);
    /* without AC the action comes when the delay is over, once (the pack
     * charged a little meanwhile: back to where it was) */
    REQUIRE(bk_platform_set_soc(h, "BAT0", 19) == STATUS_SUCCESS);
    REQUIRE(bk_platform_set_ac(h, NULL, 0) == STATUS_SUCCESS);
    bk_host_advance(h, 119 * FX_SECOND);
    CHECK_EQ(fired(&t, BK_PO_LEVEL_CRITICAL), 0);
    bk_host_advance(h, 2 * FX_SECOND);
    CHECK_EQ(fired(&t, BK_PO_LEVEL_CRITICAL), 1);
    CHECK_EQ(t.last.action, BK_PO_ACTION_HIBERNATE);
    bk_host_advance(h, 10 * FX_MINUTE);
    CHECK_EQ(fired(&t, BK_PO_LEVEL_CRITICAL), 1);
    CHECK_EQ(fired(&t, BK_PO_LEVEL_LOW), 0); /* only the deepest level reached acts */
    bk_host_set_power_action_handler(h, NULL, NULL);
    stop(h);
}

TEST(estimate_is_unknown_while_settling_then_within_10_percent_of_the_model)
{
    bk_host_t *h = start(one_pack);
    REQUIRE(h);
    REQUIRE(bk_platform_set_ac(h, NULL, 0) == STATUS_SUCCESS);
    bk_host_settle(h);
    SYSTEM_POWER_STATUS sps;
    REQUIRE(GetSystemPowerStatus(&sps));
    CHECK_EQ(sps.ACLineStatus, AC_LINE_OFFLINE);
    CHECK_EQ(sps.BatteryLifeTime, BATTERY_LIFE_UNKNOWN); /* no "1639 hours" */
    bk_host_advance(h, 10 * FX_SECOND);
    REQUIRE(GetSystemPowerStatus(&sps));
    CHECK_EQ(sps.BatteryLifeTime, BATTERY_LIFE_UNKNOWN);
    bk_host_advance(h, 50 * FX_SECOND);
    REQUIRE(GetSystemPowerStatus(&sps));
    REQUIRE(sps.BatteryLifeTime != BATTERY_LIFE_UNKNOWN);
    double estimate = sps.BatteryLifeTime;
    CHECK(sps.BatteryFullLifeTime != BATTERY_LIFE_UNKNOWN &&
          sps.BatteryFullLifeTime > sps.BatteryLifeTime);
    /* truth: run the model until the pack is empty */
    uint64_t t0 = bk_host_now_ns(h);
    bk_platform_reading_t b;
    int minutes = 0;
    do {
        bk_host_advance(h, FX_MINUTE);
        REQUIRE(bk_platform_read(h, "BAT0", &b) == STATUS_SUCCESS);
    } while (!b.depleted && ++minutes < 24 * 60);
    double truth = (double)(bk_host_now_ns(h) - t0) / 1e9;
    printf("estimate %.0f s, model %.0f s\n", estimate, truth);
    CHECK(b.depleted);
    CHECK_NEAR(estimate, truth, 0.10 * truth);
    stop(h);
}

TEST(a_change_reaches_the_system_state_by_notification)
{
    bk_host_t *h = start(one_pack);
    REQUIRE(h);
    bk_power_state_t before, after;
    REQUIRE(bk_host_power_state(h, &before) == STATUS_SUCCESS);
    CHECK_EQ(before.ac_on_line, 1);
    REQUIRE(bk_platform_set_ac(h, NULL, 0) == STATUS_SUCCESS);
    bk_host_settle(h); /* no clock moved: only the waits completing can tell */
    REQUIRE(bk_host_power_state(h, &after) == STATUS_SUCCESS);
    CHECK_EQ(after.ac_on_line, 0);
    CHECK(after.generation > before.generation);
    stop(h);
}

TEST(policy_refuses_bad_settings_naming_them_and_keeps_the_last_good_one)
{
    bk_host_t *h = start(one_pack);
    REQUIRE(h);
    bk_dc_policy_t p, now;
    bk_host_get_dc_policy(h, &p);
    CHECK_EQ(p.percent[BK_PO_LEVEL_LOW], 10); /* Windows' DC defaults */
    CHECK_EQ(p.percent[BK_PO_LEVEL_RESERVE], 7);
    CHECK_EQ(p.percent[BK_PO_LEVEL_CRITICAL], 5);
    CHECK_EQ(p.action[BK_PO_LEVEL_CRITICAL], BK_PO_ACTION_HIBERNATE);
    char why[160];
    bk_dc_policy_t bad = p;
    bad.percent[BK_PO_LEVEL_CRITICAL] = 50;
    CHECK_STATUS(bk_host_set_dc_policy(h, &bad, why, sizeof why), STATUS_INVALID_PARAMETER);
    CHECK(strstr(why, "critical_percent (50)") != NULL);
    bad = p;
    bad.percent[BK_PO_LEVEL_LOW] = 101;
    CHECK_STATUS(bk_host_set_dc_policy(h, &bad, why, sizeof why), STATUS_INVALID_PARAMETER);
    CHECK(strstr(why, "low_percent (101) is out of range") != NULL);
    bad = p;
    bad.action[BK_PO_LEVEL_RESERVE] = BK_PO_ACTION_COUNT;
    CHECK_STATUS(bk_host_set_dc_policy(h, &bad, why, sizeof why), STATUS_INVALID_PARAMETER);
    CHECK(strstr(why, "reserve_action") != NULL);
    bad = p;
    bad.minutes[BK_PO_LEVEL_LOW] = 5;
    bad.minutes[BK_PO_LEVEL_CRITICAL] = 10;
    CHECK_STATUS(bk_host_set_dc_policy(h, &bad, why, sizeof why), STATUS_INVALID_PARAMETER);
    CHECK(strstr(why, "critical_minutes (10) must not be above low_minutes (5)") != NULL);
    bk_host_get_dc_policy(h, &now);
    CHECK(memcmp(&now, &p, sizeof p) == 0);
    stop(h);
}

TEST(policy_persists_in_the_host_registry)
{
    char dir[] = "/tmp/battkit-po.XXXXXX";
    REQUIRE(mkdtemp(dir));
    char reg[256];
    snprintf(reg, sizeof reg, "%s/registry", dir);
    for (int round = 0; round < 2; round++) {
        bk_host_t *h =
            bk_host_create(&(bk_host_options_t){.virtual_time = 1, .registry_file = reg});
        REQUIRE(h);
        bk_dc_policy_t p;
        bk_host_get_dc_policy(h, &p);
        if (round == 0) {
            CHECK_EQ(p.percent[BK_PO_LEVEL_LOW], 10);
            p.percent[BK_PO_LEVEL_LOW] = 25;
            p.minutes[BK_PO_LEVEL_LOW] = 30;
            p.action[BK_PO_LEVEL_LOW] = BK_PO_ACTION_NOTIFY;
            p.critical_delay_s = 45;
            CHECK_STATUS(bk_host_set_dc_policy(h, &p, NULL, 0), STATUS_SUCCESS);
        } else {
            CHECK_EQ(p.percent[BK_PO_LEVEL_LOW], 25);
            CHECK_EQ(p.minutes[BK_PO_LEVEL_LOW], 30);
            CHECK_EQ(p.action[BK_PO_LEVEL_LOW], BK_PO_ACTION_NOTIFY);
            CHECK_EQ(p.critical_delay_s, 45);
        }
        CHECK_EQ(bk_host_destroy(h), 0);
    }
    unlink(reg);
    rmdir(dir);
}

TEST(machine_without_composite_has_no_system_battery)
{
    static const char alone[] = "[machine]\n"
                                "name = no-composite\n"
                                "time = virtual\n"
                                "composite_battery = no\n"
                                "[battery.BAT0]\n"
                                "design_capacity_mwh = 50000\n"
                                "design_voltage_mv = 11400\n"
                                "cells = 3\n";
    bk_host_t *h = start(alone);
    REQUIRE(h);
    SYSTEM_POWER_STATUS sps;
    REQUIRE(GetSystemPowerStatus(&sps));
    CHECK_EQ(sps.ACLineStatus, AC_LINE_ONLINE); /* docs: no battery, assume AC */
    CHECK_EQ(sps.BatteryFlag, BATTERY_FLAG_NO_BATTERY);
    SYSTEM_BATTERY_STATE sbs;
    REQUIRE(CallNtPowerInformation(SystemBatteryState, NULL, 0, &sbs, sizeof sbs) == 0);
    CHECK_EQ(sbs.BatteryPresent, 0);
    CHECK_EQ(CallNtPowerInformation(SystemBatteryState, NULL, 0, &sbs, sizeof sbs - 1),
             STATUS_BUFFER_TOO_SMALL);
    CHECK_EQ(CallNtPowerInformation(SystemPowerCapabilities, NULL, 0, &sbs, sizeof sbs),
             STATUS_NOT_IMPLEMENTED);
    stop(h);
}
