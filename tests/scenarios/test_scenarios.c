/* Scenario tests on virtual time, through the whole stack (platform ->
 * acpi -> cmbatt -> battc -> the battery interface): a full discharge
 * reaches the critical flag when the model's own integral says (within
 * 2 %), a charge follows CC then CV in QUERY_STATUS Rate and Voltage, and
 * a 24 h day of use runs (its wall time is printed; the benchmark in
 * bench/scenario measures it). */
#include "bk_test.h"
#include "fixture.h"
#include "cmbatt_util.h"

#include <stdio.h>
#include <time.h>

#define SCENARIOS BK_DATA_DIR "/scenarios/"

TEST(full_discharge_reaches_critical_at_the_models_predicted_time)
{
    ULONG tag;
    BATTERY_STATUS st, now;
    bk_host_t *h = fx_start(NULL, NULL);
    REQUIRE(h);
    bk_handle_t *b = cb_open_battery(h, 0);
    REQUIRE(b);
    /* 100 %, off AC, 15 W from time 0 (the scenario's own first events). */
    REQUIRE(bk_platform_run_scenario(h, SCENARIOS "full-discharge.scn") == STATUS_SUCCESS);
    bk_host_settle(h);
    uint64_t t0 = bk_host_now_ns(h);
    ULONG low;
    {
        ULONG got;
        BATTERY_INFORMATION bi;
        REQUIRE(cb_query_tag(b, 0, &tag) == STATUS_SUCCESS);
        REQUIRE(cb_query_info(b, tag, BatteryInformation, 0, &bi, sizeof bi, &got) == 0);
        low = bi.DefaultAlert1; /* the firmware's low level: 3 % of design */
    }
    double expected = bk_platform_predict_seconds(h, "BAT0", 15.0, low);
    REQUIRE(expected > 3 * 3600.0 && expected < 4 * 3600.0);
    REQUIRE(cb_query_status(b, tag, &now) == STATUS_SUCCESS);
    CHECK_EQ(now.PowerState, BATTERY_DISCHARGING);
    /* Wait for any change of the power state: the critical flag. A wait
     * also ends when the battery's information changes (the cycle count
     * passes 1 on the way, Notify 0x81: a new tag); then, as a client
     * does, ask the tag again and wait on. */
    bk_request_t *r = NULL;
    NTSTATUS s = STATUS_NO_SUCH_DEVICE;
    for (int tries = 0; tries < 5 && s == STATUS_NO_SUCH_DEVICE; tries++) {
        REQUIRE(cb_query_tag(b, 0, &tag) == STATUS_SUCCESS);
        BATTERY_WAIT_STATUS w = {.BatteryTag = tag,
                                 .Timeout = 0xFFFFFFFF,
                                 .PowerState = now.PowerState,
                                 .LowCapacity = 0,
                                 .HighCapacity = 0x7FFFFFFF};
        if (r)
            bk_request_free(r);
        r = cb_wait_status(b, &w, &st);
        REQUIRE(r);
        s = bk_request_wait(r, 5 * FX_HOUR);
    }
    CHECK_STATUS(s, STATUS_SUCCESS);
    double at = (double)(bk_host_now_ns(h) - t0) / 1e9;
    CHECK_EQ(st.PowerState, BATTERY_DISCHARGING | BATTERY_CRITICAL);
    CHECK_NEAR(at, expected, 0.02 * expected);
    printf("  critical after %.1f s (model's integral %.1f s, %+.3f %%)\n", at, expected,
           100.0 * (at - expected) / expected);
    bk_request_free(r);
    bk_close(b);
    fx_stop(h);
}

TEST(charge_follows_constant_current_then_constant_voltage)
{
    ULONG tag;
    BATTERY_STATUS st;
    double cc_current = 0, last_current = 0;
    int phase = 0; /* 0 CC, 1 CV, 2 done */
    int cc_samples = 0, cv_samples = 0;
    ULONG last_voltage = 0;
    bk_host_t *h = fx_start(NULL, NULL);
    REQUIRE(h);
    bk_handle_t *b = cb_open_battery(h, 0);
    REQUIRE(b);
    REQUIRE(bk_platform_run_scenario(h, SCENARIOS "charge-cccv.scn") == STATUS_SUCCESS);
    bk_host_settle(h);
    for (int minute = 1; minute <= 180; minute++) {
        bk_host_advance(h, FX_MINUTE);
        REQUIRE(cb_query_tag(b, 0, &tag) == STATUS_SUCCESS);
        REQUIRE(cb_query_status(b, tag, &st) == STATUS_SUCCESS);
        double current = (double)st.Rate / st.Voltage; /* A: mW / mV */
        if (phase == 0 && st.Voltage >= 12595) {
            phase = 1; /* reached 3 x 4.2 V: the charger holds the voltage */
        } else if (phase == 0) {
            if (cc_samples == 0)
                cc_current = current;
            CHECK_NEAR(current, cc_current, 0.02 * cc_current); /* constant current */
            CHECK(st.Voltage >= last_voltage);                  /* voltage rises */
            CHECK(st.PowerState == (BATTERY_POWER_ON_LINE | BATTERY_CHARGING));
            cc_samples++;
        }
        if (phase == 1 && !(st.PowerState & BATTERY_CHARGING)) {
            phase = 2;
            CHECK(last_current < 0.2 * cc_current); /* tapered before it stopped */
        } else if (phase == 1) {
            CHECK_NEAR(st.Voltage, 12600, 25); /* constant voltage */
            if (cv_samples > 0)
                CHECK(current <= last_current + 1e-9); /* current tapering */
            cv_samples++;
        }
        last_current = current;
        last_voltage = st.Voltage;
    }
    CHECK(cc_samples > 45); /* about 1.1 h of CC from 10 % */
    CHECK(cv_samples > 15); /* then about half an hour of CV */
    CHECK_EQ(phase, 2);
    CHECK_EQ(st.PowerState, BATTERY_POWER_ON_LINE);
    CHECK_EQ(st.Rate, 0);
    BATTERY_INFORMATION bi;
    ULONG got;
    REQUIRE(cb_query_info(b, tag, BatteryInformation, 0, &bi, sizeof bi, &got) == 0);
    /* The gauge read 100 % at the end of the charge; since then only
     * self-discharge (3 %/month: a few mWh per hour). */
    CHECK_NEAR(st.Capacity, bi.FullChargedCapacity, 10);
    printf("  CC %d min at %.2f A, CV %d min\n", cc_samples, cc_current, cv_samples);
    bk_close(b);
    fx_stop(h);
}

static double wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

TEST(a_24_hour_day_of_use_runs_on_virtual_time)
{
    ULONG tag;
    BATTERY_STATUS st;
    bk_platform_reading_t r;
    bk_host_t *h = fx_start(NULL, NULL);
    REQUIRE(h);
    bk_handle_t *b = cb_open_battery(h, 0);
    REQUIRE(b);
    double start = wall_ms();
    REQUIRE(bk_platform_run_scenario(h, SCENARIOS "day-of-use.scn") == STATUS_SUCCESS);
    for (int hour = 1; hour <= 24; hour++) {
        bk_host_advance(h, FX_HOUR);
        REQUIRE(cb_query_tag(b, 0, &tag) == STATUS_SUCCESS);
        REQUIRE(cb_query_status(b, tag, &st) == STATUS_SUCCESS);
        CHECK(st.Capacity <= 57000);
        if (hour == 13) /* the lunch meeting, 35 W off AC */
            CHECK(st.PowerState & BATTERY_DISCHARGING);
    }
    double took = wall_ms() - start;
    CHECK(!bk_platform_scenario_running(h));
    CHECK_STATUS(bk_platform_read(h, "BAT0", &r), STATUS_SUCCESS);
    CHECK_EQ(r.depleted, 0);
    CHECK(st.PowerState & BATTERY_POWER_ON_LINE); /* back on the charger at 22 h */
    CHECK(took < 60000.0);
    printf("  24 h of virtual time in %.0f ms of wall time\n", took);
    bk_close(b);
    fx_stop(h);
}
