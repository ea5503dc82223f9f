/* test_ageing.c: cycle counting, capacity fade with cycles and calendar
 * time, resistance growth, self-discharge, and the effect of cold. */
#include "model_test.h"

#include <math.h>

/* One full cycle: discharge at 30 W until depleted, charge until full. */
static void full_cycle(bk_pack_t *p)
{
    bk_load_t load = bk_load_power(30.0);
    bk_pack_set_load(p, &load);
    bk_pack_set_ac(p, false);
    while (!bk_pack_is_depleted(p))
        bk_pack_advance(p, 60.0);
    bk_pack_set_ac(p, true);
    while (bk_pack_charger_state(p) != BK_CHARGER_FULL)
        bk_pack_advance(p, 60.0);
}

TEST(cycle_count_after_n_full_cycles)
{
    bk_pack_t *p = make_laptop_pack();
    REQUIRE(p);
    CHECK_EQ(bk_pack_cycle_count(p), 0);
    for (int n = 1; n <= 5; n++) {
        full_cycle(p);
        CHECK_EQ(bk_pack_cycle_count(p), n);
    }
    /* Equivalent full cycles (energy drawn out over design capacity) fall
     * a little short of 5: the charger terminates just below 100 % and the
     * capacity fades; the count's threshold absorbs that. */
    CHECK(bk_pack_equivalent_cycles(p) > 4.8 && bk_pack_equivalent_cycles(p) < 5.0);
    bk_pack_destroy(p);
}

TEST(partial_discharges_add_up_to_cycles)
{
    bk_pack_t *p = make_laptop_pack();
    bk_load_t load = bk_load_power(30.0);
    REQUIRE(p);
    for (int k = 0; k < 4; k++) { /* four discharges of half the pack */
        bk_pack_set_ac(p, false);
        bk_pack_set_load(p, &load);
        while (bk_pack_soc(p) > 0.5)
            bk_pack_advance(p, 10.0);
        bk_pack_set_soc(p, 1.0);
    }
    CHECK_EQ(bk_pack_cycle_count(p), 2);
    bk_pack_destroy(p);
}

TEST(capacity_fades_with_cycles_and_with_calendar_time)
{
    bk_pack_t *p = make_laptop_pack();
    const bk_chemistry_t *c = bk_chemistry_find("li-ion");
    REQUIRE(p);
    bk_pack_age(p, 400.0, 0.0);
    CHECK_NEAR(bk_pack_health(p), 1.0 - 400 * c->fade_per_cycle, 1e-9);
    CHECK_NEAR(bk_pack_full_charge_mwh(p), 57000.0 * (1.0 - 400 * c->fade_per_cycle), 1e-3);
    CHECK_EQ(bk_pack_cycle_count(p), 400);
    bk_pack_age(p, 0.0, 365.25);
    CHECK_NEAR(bk_pack_health(p), 1.0 - 400 * c->fade_per_cycle - c->fade_per_year, 1e-9);
    bk_pack_destroy(p);
}

TEST(simulated_cycles_fade_the_full_charge_capacity)
{
    bk_pack_t *p = make_laptop_pack();
    REQUIRE(p);
    for (int n = 0; n < 5; n++)
        full_cycle(p);
    double years = seconds(p) / (365.25 * 86400.0);
    double expect = 1.0 - 5 * 0.00025 - 0.03 * years; /* warmer while charging ages faster */
    CHECK(bk_pack_health(p) < 1.0 - 5 * 0.00025 * 0.95);
    CHECK_NEAR(bk_pack_health(p), expect, 0.0005);
    CHECK(bk_pack_full_charge_mwh(p) < 57000.0 * (1.0 - 0.001));
    bk_pack_destroy(p);
}

TEST(resistance_grows_as_the_pack_ages)
{
    bk_pack_t *p = make_laptop_pack();
    REQUIRE(p);
    double r0 = bk_pack_resistance_ohm(p);
    bk_pack_age(p, 800.0, 0.0); /* 20 % fade */
    CHECK_NEAR(bk_pack_resistance_ohm(p), r0 * (1.0 + 2.5 * 0.2), r0 * 1e-9);
    bk_pack_destroy(p);
}

TEST(self_discharge_over_a_month_matches_the_chemistry_rate)
{
    for (size_t i = 0; i < bk_chemistry_count(); i++) {
        const bk_chemistry_t *c = bk_chemistry_at(i);
        bk_pack_t *p = make_pack(c->name, 3, 1, 57000);
        REQUIRE(p);
        bk_pack_advance(p, 30 * 86400.0);
        CHECK_NEAR(1.0 - bk_pack_soc(p), c->self_discharge_per_month,
                   c->self_discharge_per_month * 0.01);
        CHECK_NEAR(bk_pack_current_a(p), 0.0, 0.0);
        bk_pack_destroy(p);
    }
}

TEST(warm_storage_self_discharges_faster)
{
    bk_pack_t *cool = make_laptop_pack(), *warm = make_laptop_pack();
    REQUIRE(cool && warm);
    bk_pack_set_ambient_c(warm, 35.0);
    bk_pack_set_temperature_c(warm, 35.0);
    bk_pack_advance(cool, 30 * 86400.0);
    bk_pack_advance(warm, 30 * 86400.0);
    CHECK_NEAR(1.0 - bk_pack_soc(warm), 2.0 * (1.0 - bk_pack_soc(cool)), 0.001);
    CHECK(bk_pack_health(warm) < bk_pack_health(cool));
    bk_pack_destroy(cool);
    bk_pack_destroy(warm);
}

TEST(cold_reduces_available_capacity_and_runtime)
{
    bk_pack_t *warm = make_laptop_pack(), *cold = make_laptop_pack();
    const bk_chemistry_t *c = bk_chemistry_find("li-ion");
    bk_load_t load = bk_load_power(15.0);
    REQUIRE(warm && cold);
    bk_pack_set_ambient_c(cold, -10.0);
    bk_pack_set_temperature_c(cold, -10.0);
    double usable = bk_table_eval(&c->cap_temp, -10.0);
    CHECK(usable < 0.9);
    /* The charge below the cold floor is not usable: remaining drops by the
     * energy between SOC 0 and the floor. */
    CHECK_NEAR(bk_pack_remaining_mwh(cold), bk_pack_energy_mwh(cold, 1.0 - usable, 1.0), 1e-6);
    CHECK(bk_pack_remaining_mwh(cold) < 0.8 * bk_pack_remaining_mwh(warm));
    CHECK_NEAR(bk_pack_full_charge_mwh(cold), bk_pack_full_charge_mwh(warm), 1e-9);
    /* And so does the runtime, even though the load warms the pack a little. */
    bk_pack_set_load(warm, &load);
    bk_pack_set_load(cold, &load);
    bk_pack_advance_to_ns(warm, 6 * 3600 * NS_PER_S);
    bk_pack_advance_to_ns(cold, 6 * 3600 * NS_PER_S);
    REQUIRE(bk_pack_is_depleted(warm) && bk_pack_is_depleted(cold));
    CHECK(bk_pack_depleted_at_ns(cold) < 0.85 * bk_pack_depleted_at_ns(warm));
    /* Warming up gives the charge back. */
    bk_pack_set_ambient_c(cold, 25.0);
    bk_pack_set_temperature_c(cold, 25.0);
    CHECK(bk_pack_remaining_mwh(cold) > 0.1 * 57000.0);
    bk_pack_destroy(warm);
    bk_pack_destroy(cold);
}

TEST(full_charge_capacity_can_be_set_for_an_aged_pack)
{
    bk_pack_config_t cfg;
    bk_pack_t *p;
    bk_reading_t r;
    /* laptop-2bat.ini's BAT1: 72 Wh, 3S2P, 10.8 V, 300 cycles, 64.8 Wh */
    bk_pack_config_init(&cfg, bk_chemistry_find("li-ion"), 3, 2, 72000);
    cfg.design_voltage_mv = 10800;
    cfg.initial_soc = 0.5;
    REQUIRE(bk_pack_create(&cfg, &p) == 0);
    bk_pack_age(p, 300.0, 0.0);
    bk_pack_set_full_charge_mwh(p, 64800.0);
    bk_pack_read(p, &r);
    CHECK_EQ(r.cycle_count, 300);
    CHECK_EQ(r.full_charge_mwh, 64800);
    CHECK_EQ(r.design_mwh, 72000);
    CHECK_EQ(r.design_voltage_mv, 10800);
    CHECK_NEAR(bk_pack_soc(p), 0.5, 0.0);
    CHECK_NEAR(r.remaining_mwh,
               64800 * bk_pack_energy_mwh(p, 0.0, 0.5) / bk_pack_energy_mwh(p, 0.0, 1.0), 1.0);
    bk_pack_destroy(p);
}
