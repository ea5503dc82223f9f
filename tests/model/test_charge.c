/* test_charge.c: the CC/CV charger: constant current, then constant voltage
 * with tapering current, then "full"; its limits; the maintenance rule; no
 * charging outside the temperature window; AC carries the system load. */
#include "model_test.h"

#include <math.h>

TEST(charge_runs_constant_current_then_constant_voltage_then_terminates)
{
    bk_pack_t *p = make_laptop_pack();
    const bk_pack_config_t *cfg;
    bk_load_t load = bk_load_power(10.0); /* on AC: carried by the adapter */
    int cc = 0, cv = 0, switches = 0;
    double last_cv_current = INFINITY, vcv;
    bk_charger_state_t prev = BK_CHARGER_OFF;
    REQUIRE(p);
    cfg = bk_pack_config(p);
    vcv = cfg->series * cfg->chemistry->charge_v;
    bk_pack_set_soc(p, 0.1);
    bk_pack_set_load(p, &load);
    bk_pack_set_ac(p, true);
    while (bk_pack_charger_state(p) != BK_CHARGER_FULL && seconds(p) < 6 * 3600) {
        bk_pack_advance(p, 1.0);
        bk_charger_state_t st = bk_pack_charger_state(p);
        if (st != prev)
            switches++;
        if (st == BK_CHARGER_CC) {
            cc++;
            CHECK_NEAR(bk_pack_current_a(p), cfg->charge_current_ma / 1000.0, 1e-9);
            CHECK(bk_pack_voltage_v(p) < vcv + 0.005);
        } else if (st == BK_CHARGER_CV) {
            cv++;
            CHECK_NEAR(bk_pack_voltage_v(p), vcv, 0.005);
            CHECK(bk_pack_current_a(p) <= last_cv_current + 1e-9); /* tapering */
            last_cv_current = bk_pack_current_a(p);
        }
        prev = st;
    }
    CHECK_EQ(bk_pack_charger_state(p), BK_CHARGER_FULL);
    CHECK_EQ(switches, 3);        /* off -> CC -> CV -> full, each once */
    CHECK(cc > 3600 && cv > 600); /* both phases are real phases */
    CHECK(last_cv_current < cfg->term_current_ma / 1000.0 * 1.05);
    CHECK(bk_pack_soc(p) > 0.97);
    CHECK_NEAR(bk_pack_current_a(p), 0.0, 0.0);
    /* 90 % of 5 Ah at 0.7 C is about 1.3 h of CC, plus the taper. */
    CHECK(seconds(p) > 1.3 * 3600 && seconds(p) < 3.0 * 3600);
    bk_pack_destroy(p);
}

TEST(charger_power_limit_caps_the_charge_current)
{
    bk_pack_config_t cfg;
    bk_pack_t *p;
    bk_pack_config_init(&cfg, bk_chemistry_find("li-ion"), 3, 1, 57000);
    cfg.charge_power_mw = 20000;
    cfg.initial_soc = 0.2;
    REQUIRE(bk_pack_create(&cfg, &p) == 0);
    bk_pack_set_ac(p, true);
    for (int k = 0; k < 1800; k++) {
        bk_pack_advance(p, 1.0);
        CHECK(bk_pack_power_w(p) <= 20.0 + 0.02);
    }
    CHECK_EQ(bk_pack_charger_state(p), BK_CHARGER_CC);
    CHECK_NEAR(bk_pack_power_w(p), 20.0, 0.05);
    CHECK(bk_pack_current_a(p) < cfg.charge_current_ma / 1000.0);
    bk_pack_destroy(p);
}

TEST(full_pack_recharges_once_below_the_restart_level)
{
    bk_pack_t *p = make_laptop_pack();
    REQUIRE(p);
    bk_pack_set_ac(p, true);
    bk_pack_advance(p, 600.0);
    CHECK_EQ(bk_pack_charger_state(p), BK_CHARGER_FULL);
    CHECK_NEAR(bk_pack_current_a(p), 0.0, 0.0); /* no trickle */
    bk_pack_set_soc(p, 0.97);                   /* still above restart_soc 0.95 */
    bk_pack_advance(p, 60.0);
    CHECK(bk_pack_charger_state(p) == BK_CHARGER_CV || bk_pack_charger_state(p) == BK_CHARGER_FULL);
    bk_pack_set_soc(p, 0.9);
    bk_pack_advance(p, 2.0);
    CHECK(bk_pack_current_a(p) > 0.0);
    bk_pack_destroy(p);
}

TEST(li_ion_does_not_charge_below_freezing)
{
    bk_pack_t *p = make_laptop_pack();
    REQUIRE(p);
    bk_pack_set_soc(p, 0.5);
    bk_pack_set_ambient_c(p, -5.0);
    bk_pack_set_temperature_c(p, -5.0);
    bk_pack_set_ac(p, true);
    bk_pack_advance(p, 60.0);
    CHECK_EQ(bk_pack_charger_state(p), BK_CHARGER_INHIBITED);
    CHECK_NEAR(bk_pack_current_a(p), 0.0, 0.0);
    bk_pack_set_ambient_c(p, 20.0); /* warms up, then charging starts */
    bk_pack_advance(p, 3600.0);
    CHECK(bk_pack_current_a(p) > 0.0);
    bk_pack_destroy(p);
}

TEST(charge_inhibit_stops_the_charger)
{
    bk_pack_t *p = make_laptop_pack();
    REQUIRE(p);
    bk_pack_set_soc(p, 0.5);
    bk_pack_set_ac(p, true);
    bk_pack_set_charge_inhibit(p, true);
    bk_pack_advance(p, 10.0);
    CHECK_EQ(bk_pack_charger_state(p), BK_CHARGER_INHIBITED);
    bk_pack_set_charge_inhibit(p, false);
    bk_pack_advance(p, 2.0);
    CHECK_EQ(bk_pack_charger_state(p), BK_CHARGER_CC);
    bk_pack_destroy(p);
}

TEST(ac_online_carries_the_system_load)
{
    bk_pack_t *p = make_laptop_pack();
    bk_load_t load = bk_load_power(30.0);
    bk_pack_stats_t st;
    REQUIRE(p);
    bk_pack_set_load(p, &load);
    bk_pack_set_ac(p, true);
    bk_pack_advance(p, 3600.0);
    bk_pack_stats(p, &st);
    CHECK_NEAR(st.out_wh, 0.0, 0.0);
    CHECK(bk_pack_current_a(p) >= 0.0);
    bk_pack_set_ac(p, false);
    bk_pack_advance(p, 1.0);
    CHECK_EQ(bk_pack_charger_state(p), BK_CHARGER_OFF);
    CHECK(bk_pack_current_a(p) < 0.0);
    bk_pack_destroy(p);
}

TEST(lead_acid_charge_also_follows_cc_then_cv)
{
    bk_pack_t *p = make_pack("lead-acid", 6, 1, 84000); /* 12 V 7 Ah UPS battery */
    bool saw_cc = false, saw_cv = false;
    REQUIRE(p);
    bk_pack_set_soc(p, 0.3);
    bk_pack_set_ac(p, true);
    while (bk_pack_charger_state(p) != BK_CHARGER_FULL && seconds(p) < 24 * 3600) {
        bk_pack_advance(p, 1.0);
        saw_cc |= bk_pack_charger_state(p) == BK_CHARGER_CC;
        if (bk_pack_charger_state(p) == BK_CHARGER_CV) {
            saw_cv = true;
            CHECK_NEAR(bk_pack_voltage_v(p), 6 * 2.4, 0.01);
        }
    }
    CHECK(saw_cc && saw_cv);
    CHECK_EQ(bk_pack_charger_state(p), BK_CHARGER_FULL);
    CHECK(bk_pack_soc(p) > 0.95);
    bk_pack_destroy(p);
}

TEST(gauge_reports_a_terminated_charge_as_full)
{
    bk_pack_t *p = make_laptop_pack();
    bk_reading_t r;
    REQUIRE(p);
    bk_pack_read(p, &r);
    CHECK_EQ(r.full_charge_mwh, 57000); /* new: what it was built to */
    bk_pack_set_soc(p, 0.3);
    bk_pack_set_ac(p, true);
    while (bk_pack_charger_state(p) != BK_CHARGER_FULL && seconds(p) < 6 * 3600)
        bk_pack_advance(p, 10.0);
    bk_pack_read(p, &r);
    /* Termination leaves the cells a little under SOC 1 (the CV current
     * never reaches zero); the gauge learns that point as full, as real
     * gauges do, so a finished charge reads 100 %. */
    CHECK(bk_pack_soc(p) < 1.0);
    CHECK_EQ(r.remaining_mwh, r.full_charge_mwh);
    CHECK(r.full_charge_mwh < 57000 && r.full_charge_mwh > 0.97 * 57000);
    /* and counts down from there once unplugged */
    bk_load_t load = bk_load_power(10.0);
    bk_pack_set_load(p, &load);
    bk_pack_set_ac(p, false);
    bk_pack_advance(p, 60.0);
    bk_pack_read(p, &r);
    CHECK(r.remaining_mwh < r.full_charge_mwh);
    bk_pack_destroy(p);
}

TEST(reading_right_after_plugging_in_already_shows_charging)
{
    bk_pack_t *p = make_laptop_pack();
    bk_load_t load = bk_load_power(15.0);
    bk_reading_t r;
    REQUIRE(p);
    bk_pack_set_soc(p, 0.5);
    bk_pack_set_load(p, &load);
    bk_pack_read(p, &r);
    CHECK(r.discharging && !r.charging && !r.ac_online);
    CHECK(r.rate_mw < -14900 && r.rate_mw > -15100);
    bk_pack_set_ac(p, true);
    bk_pack_read(p, &r);
    CHECK(r.charging && !r.discharging && r.ac_online);
    CHECK_EQ(r.charger, BK_CHARGER_CC);
    CHECK_EQ(r.current_ma, (int32_t)bk_pack_config(p)->charge_current_ma);
    bk_pack_destroy(p);
}

TEST(charger_paused_by_heat_resumes_only_three_kelvin_inside_the_window)
{
    bk_pack_t *p = make_laptop_pack();
    REQUIRE(p);
    bk_pack_set_soc(p, 0.5);
    bk_pack_set_ambient_c(p, 47.0);
    bk_pack_set_temperature_c(p, 47.0);
    bk_pack_set_ac(p, true);
    CHECK_EQ(bk_pack_charger_state(p), BK_CHARGER_INHIBITED); /* above 45 degC */
    bk_pack_set_ambient_c(p, 43.0);
    bk_pack_advance(p, 3 * 3600.0); /* settles at 43: inside, but not by 3 K */
    CHECK_EQ(bk_pack_charger_state(p), BK_CHARGER_INHIBITED);
    bk_pack_set_ambient_c(p, 40.0);
    bk_pack_advance(p, 3 * 3600.0);
    CHECK(bk_pack_charger_state(p) != BK_CHARGER_INHIBITED);
    bk_pack_destroy(p);
}
