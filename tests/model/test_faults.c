/* test_faults.c: faults are state a driver can read: stuck readings, a
 * failed sensor, a forced critical flag, and a sudden capacity drop. */
#include "model_test.h"

TEST(stuck_fault_freezes_the_reading_while_the_physics_goes_on)
{
    bk_pack_t *p = make_laptop_pack();
    bk_load_t load = bk_load_power(20.0);
    bk_reading_t before, during, after;
    REQUIRE(p);
    bk_pack_set_load(p, &load);
    bk_pack_advance(p, 60.0);
    bk_pack_read(p, &before);
    bk_pack_set_faults(p, BK_FAULT_STUCK, true);
    bk_pack_advance(p, 3600.0);
    bk_pack_read(p, &during);
    CHECK_EQ(during.remaining_mwh, before.remaining_mwh);
    CHECK_EQ(during.voltage_mv, before.voltage_mv);
    CHECK_EQ(during.faults, BK_FAULT_STUCK);
    CHECK(bk_pack_remaining_mwh(p) < before.remaining_mwh - 15000.0);
    bk_pack_set_faults(p, BK_FAULT_STUCK, false);
    bk_pack_read(p, &after);
    CHECK(after.remaining_mwh < before.remaining_mwh - 15000);
    bk_pack_destroy(p);
}

TEST(sensor_fault_reports_unknown_voltage_rate_and_temperature)
{
    bk_pack_t *p = make_laptop_pack();
    bk_reading_t r;
    REQUIRE(p);
    bk_pack_set_faults(p, BK_FAULT_SENSOR, true);
    bk_pack_read(p, &r);
    CHECK_EQ(r.voltage_mv, BK_UNKNOWN_U32);
    CHECK_EQ(r.rate_mw, BK_UNKNOWN_RATE);
    CHECK_EQ(r.temperature_dk, BK_UNKNOWN_U32);
    CHECK_EQ(r.remaining_mwh, 57000); /* the gauge still counts charge */
    bk_pack_set_faults(p, BK_FAULT_SENSOR, false);
    bk_pack_read(p, &r);
    CHECK_EQ(r.voltage_mv, 12600);
    CHECK_EQ(r.temperature_dk, 2982); /* 25 degC in tenths of kelvin */
    bk_pack_destroy(p);
}

TEST(critical_fault_forces_the_critical_flag)
{
    bk_pack_t *p = make_laptop_pack();
    bk_reading_t r;
    REQUIRE(p);
    bk_pack_read(p, &r);
    CHECK(!r.critical);
    bk_pack_set_faults(p, BK_FAULT_CRITICAL | BK_FAULT_NO_ANSWER, true);
    bk_pack_read(p, &r);
    CHECK(r.critical);
    CHECK_EQ(bk_pack_faults(p), BK_FAULT_CRITICAL | BK_FAULT_NO_ANSWER);
    CHECK(!bk_pack_is_critical(p)); /* the physics is untouched */
    bk_pack_destroy(p);
}

TEST(capacity_drop_takes_percent_of_full_and_remaining_capacity)
{
    bk_pack_t *p = make_laptop_pack();
    bk_pack_stats_t st;
    REQUIRE(p);
    bk_pack_set_soc(p, 0.5);
    double rem = bk_pack_remaining_mwh(p);
    bk_pack_drop_capacity(p, 20.0);
    CHECK_NEAR(bk_pack_full_charge_mwh(p), 0.8 * 57000.0, 1e-6);
    CHECK_NEAR(bk_pack_remaining_mwh(p), 0.8 * rem, 1e-6);
    CHECK_NEAR(bk_pack_soc(p), 0.5, 0.0);
    bk_pack_stats(p, &st); /* booked as fade: the books still balance */
    CHECK_NEAR(st.fade_wh, 0.2 * rem / 1000.0, 1e-9);
    bk_pack_destroy(p);
}

TEST(fault_names_map_both_ways)
{
    static const unsigned all[] = {BK_FAULT_STUCK, BK_FAULT_SENSOR, BK_FAULT_NO_ANSWER,
                                   BK_FAULT_CRITICAL, BK_FAULT_WRONG_TAG};
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        REQUIRE(bk_fault_name(all[i]));
        CHECK_EQ(bk_fault_from_name(bk_fault_name(all[i])), all[i]);
    }
    CHECK_EQ(bk_fault_from_name("gremlins"), 0);
}
