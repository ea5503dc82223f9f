/* test_discharge.c: discharge under a load: the end time matches the
 * model's own integral and an independent one, the energy books balance,
 * and voltage, heat and profiles behave as documented in docs/model.md. */
#include "model_test.h"

#include <math.h>

/* Independent of the integrator: time to go from SOC 1 to 0 at constant
 * terminal power, by Simpson's rule over SOC on dt = Q dSOC / I(SOC), with
 * I solving P = I (OCV - I R) from the chemistry tables at 25 degC. */
static double quadrature_seconds(const char *chem_name, unsigned s, unsigned par, double wh,
                                 double watts)
{
    const bk_chemistry_t *c = bk_chemistry_find(chem_name);
    double q_cell = wh / (s * par * bk_chemistry_mean_ocv(c));
    double q_pack_as = q_cell * par * 3600.0;
    const int n = 4000;
    double sum = 0.0;
    for (int k = 0; k <= n; k++) {
        double soc = (double)k / n;
        double v = s * bk_chemistry_ocv(c, soc);
        double r = c->r_ohm_ah / q_cell * bk_table_eval(&c->r_soc, soc) *
                   bk_table_eval(&c->r_temp, 25.0) * s / par;
        double i = 2.0 * watts / (v + sqrt(v * v - 4.0 * watts * r));
        double w = (k == 0 || k == n) ? 1.0 : (k % 2 ? 4.0 : 2.0);
        sum += w * q_pack_as / i;
    }
    return sum / (3.0 * n);
}

TEST(full_discharge_ends_at_the_time_the_energy_integral_predicts)
{
    bk_pack_t *p = make_laptop_pack();
    bk_load_t load = bk_load_power(15.0);
    REQUIRE(p);
    double predicted = bk_pack_predict_seconds(p, 15.0, 0.0);
    double independent = quadrature_seconds("li-ion", 3, 1, 57.0, 15.0);
    bk_pack_set_load(p, &load);
    /* Uneven chunks on purpose: the end must not depend on how the host
     * slices time. */
    while (!bk_pack_is_depleted(p) && seconds(p) < 10 * 3600)
        bk_pack_advance(p, 7.3);
    REQUIRE(bk_pack_is_depleted(p));
    double ended = bk_pack_depleted_at_ns(p) / 1e9;
    CHECK_NEAR(ended, predicted, 1.0);
    /* The same physics integrated another way: heating, fade and
     * self-discharge make the difference, all well under 0.2 %. */
    CHECK_NEAR(ended, independent, independent * 0.002);
    /* About 57 Wh / 15 W less the losses. */
    CHECK(ended > 3.6 * 3600 && ended < 3.8 * 3600);
    CHECK_NEAR(bk_pack_remaining_mwh(p), 0.0, 1e-6);
    CHECK_NEAR(bk_pack_current_a(p), 0.0, 0.0);
    bk_pack_destroy(p);
}

TEST(critical_flag_rises_when_remaining_reaches_the_critical_level)
{
    bk_pack_t *p = make_laptop_pack();
    bk_load_t load = bk_load_power(20.0);
    REQUIRE(p);
    double critical = bk_pack_config(p)->critical_mwh;
    double predicted = bk_pack_predict_seconds(p, 20.0, critical);
    bk_pack_set_load(p, &load);
    CHECK(!bk_pack_is_critical(p));
    while (!bk_pack_is_critical(p) && seconds(p) < 10 * 3600)
        bk_pack_advance(p, 1.0);
    CHECK_NEAR(seconds(p), predicted, 1.0);
    CHECK(bk_pack_remaining_mwh(p) <= critical);
    CHECK(bk_pack_remaining_mwh(p) > critical - 20.0 / 3.6 * 1.1); /* within one step of it */
    bk_pack_destroy(p);
}

TEST(energy_books_balance_and_the_load_gets_power_times_time)
{
    bk_pack_t *p = make_laptop_pack();
    bk_load_t load = bk_load_power(25.0);
    bk_pack_stats_t st;
    double i2r_wh = 0.0;
    REQUIRE(p);
    bk_pack_set_load(p, &load);
    for (int k = 0; k < 2 * 3600; k++) {
        bk_pack_advance(p, 1.0);
        double i = bk_pack_current_a(p);
        i2r_wh += i * i * bk_pack_resistance_ohm(p) / 3600.0;
    }
    bk_pack_stats(p, &st);
    CHECK_NEAR(st.out_wh, 25.0 * 2.0, 1e-9);
    double residual = st.initial_stored_wh - st.stored_wh -
                      (st.out_wh - st.in_wh + st.loss_wh + st.self_discharge_wh + st.fade_wh);
    CHECK_NEAR(residual, 0.0, 1e-9);
    /* The loss the books derive is the I^2 R heat. */
    CHECK_NEAR(st.loss_wh, i2r_wh, i2r_wh * 0.01);
    bk_pack_destroy(p);
}

TEST(end_time_does_not_depend_on_how_time_is_advanced)
{
    bk_pack_t *a = make_laptop_pack(), *b = make_laptop_pack();
    bk_load_t load = bk_load_power(30.0);
    REQUIRE(a && b);
    bk_pack_set_load(a, &load);
    bk_pack_set_load(b, &load);
    bk_pack_advance_to_ns(a, 6 * 3600 * NS_PER_S); /* one call */
    while (seconds(b) < 6 * 3600)
        bk_pack_advance(b, 0.37);
    REQUIRE(bk_pack_is_depleted(a) && bk_pack_is_depleted(b));
    CHECK_NEAR(bk_pack_depleted_at_ns(a) / 1e9, bk_pack_depleted_at_ns(b) / 1e9, 0.5);
    bk_pack_destroy(a);
    bk_pack_destroy(b);
}

TEST(constant_current_discharge_lasts_charge_over_current)
{
    bk_pack_t *p = make_laptop_pack();
    bk_load_t load = bk_load_current(2.0);
    REQUIRE(p);
    double q_ah = 57.0 / (3 * bk_chemistry_mean_ocv(bk_chemistry_find("li-ion")));
    bk_pack_set_load(p, &load);
    bk_pack_advance(p, 1.0);
    CHECK_NEAR(bk_pack_current_a(p), -2.0, 1e-12);
    bk_pack_advance_to_ns(p, 5 * 3600 * NS_PER_S);
    REQUIRE(bk_pack_is_depleted(p));
    CHECK_NEAR(bk_pack_depleted_at_ns(p) / 1e9, q_ah / 2.0 * 3600.0, q_ah / 2.0 * 3600.0 * 0.002);
    bk_pack_destroy(p);
}

TEST(voltage_sags_by_current_times_resistance_under_load)
{
    bk_pack_t *p = make_laptop_pack();
    bk_load_t load = bk_load_power(40.0);
    REQUIRE(p);
    bk_pack_set_soc(p, 0.5);
    bk_pack_set_load(p, &load);
    bk_pack_advance(p, 10.0);
    double i = bk_pack_current_a(p), v = bk_pack_voltage_v(p);
    CHECK(i < 0.0);
    CHECK_NEAR(v, bk_pack_ocv_v(p) + i * bk_pack_resistance_ohm(p), 1e-9);
    CHECK_NEAR(v * i, -40.0, 0.05); /* power at the terminals, sign: discharging */
    CHECK_NEAR(bk_pack_power_w(p), -40.0, 0.05);
    CHECK(bk_pack_voltage_v(p) < bk_pack_ocv_v(p));
    bk_pack_destroy(p);
}

TEST(pack_warms_toward_ambient_plus_heat_over_conductance)
{
    bk_pack_t *p = make_laptop_pack();
    bk_load_t load = bk_load_current(3.0);
    REQUIRE(p);
    bk_pack_set_soc(p, 0.9);
    bk_pack_set_load(p, &load);
    bk_pack_advance(p, 3600.0); /* over three thermal time constants */
    double i = bk_pack_current_a(p);
    double steady = 25.0 + i * i * bk_pack_resistance_ohm(p) / bk_pack_config(p)->conductance_w_k;
    CHECK(bk_pack_temperature_c(p) > 25.5);
    CHECK_NEAR(bk_pack_temperature_c(p), steady, 0.1 * (steady - 25.0));
    /* Unloaded, it cools back to ambient. */
    load = bk_load_none();
    bk_pack_set_load(p, &load);
    bk_pack_advance(p, 4 * 3600.0);
    CHECK_NEAR(bk_pack_temperature_c(p), 25.0, 0.01);
    bk_pack_destroy(p);
}

TEST(profile_load_draws_its_segments_and_repeats)
{
    bk_pack_t *p = make_laptop_pack();
    bk_load_t load = bk_load_none();
    bk_pack_stats_t st;
    REQUIRE(p);
    load.repeat = true;
    REQUIRE(bk_load_add_segment(&load, 10 * 60 * NS_PER_S, BK_LOAD_POWER, 10.0) == 0);
    REQUIRE(bk_load_add_segment(&load, 20 * 60 * NS_PER_S, BK_LOAD_NONE, 0.0) == 0);
    bk_pack_set_load(p, &load);
    bk_pack_advance(p, 5 * 60.0);
    CHECK(bk_pack_current_a(p) < 0.0);
    bk_pack_advance(p, 10 * 60.0); /* 15 min: in the idle segment */
    CHECK_NEAR(bk_pack_current_a(p), 0.0, 0.0);
    bk_pack_advance(p, 105 * 60.0); /* 2 h: four 10-minute bursts of 10 W */
    bk_pack_stats(p, &st);
    CHECK_NEAR(st.out_wh, 4 * 10.0 * 10.0 / 60.0, 1e-9);
    bk_pack_destroy(p);
}

TEST(profile_without_repeat_draws_nothing_after_its_end)
{
    bk_load_t load = bk_load_none();
    uint64_t for_ns;
    REQUIRE(bk_load_add_segment(&load, 60 * NS_PER_S, BK_LOAD_CURRENT, 1.0) == 0);
    bk_load_segment_t s = bk_load_at(&load, 30 * NS_PER_S, &for_ns);
    CHECK_EQ(s.kind, BK_LOAD_CURRENT);
    CHECK_EQ(for_ns, 30 * NS_PER_S);
    s = bk_load_at(&load, 61 * NS_PER_S, &for_ns);
    CHECK_EQ(s.kind, BK_LOAD_NONE);
    CHECK_EQ(for_ns, UINT64_MAX);
}

TEST(load_beyond_what_the_pack_can_deliver_collapses_to_depleted)
{
    bk_pack_t *p = make_laptop_pack();
    bk_load_t load = bk_load_power(1000.0); /* more than OCV^2 / 4R */
    REQUIRE(p);
    bk_pack_set_load(p, &load);
    bk_pack_advance(p, 1.0);
    CHECK(bk_pack_is_depleted(p));
    CHECK_NEAR(bk_pack_current_a(p), 0.0, 0.0);
    bk_pack_set_ac(p, true); /* AC back: the system runs again */
    CHECK(!bk_pack_is_depleted(p));
    bk_pack_destroy(p);
}
