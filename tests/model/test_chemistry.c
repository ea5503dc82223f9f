/* test_chemistry.c: the chemistry tables are physically sane for every
 * chemistry, and a new pack's capacities follow from them. */
#include "model_test.h"

#include <math.h>

TEST(ocv_is_monotonic_in_soc_for_every_chemistry)
{
    REQUIRE(bk_chemistry_count() >= 2);
    for (size_t i = 0; i < bk_chemistry_count(); i++) {
        const bk_chemistry_t *c = bk_chemistry_at(i);
        double prev = bk_chemistry_ocv(c, 0.0);
        for (int k = 1; k <= 1000; k++) {
            double v = bk_chemistry_ocv(c, k / 1000.0);
            if (!(v > prev))
                bk_test_fail(__FILE__, __LINE__, "%s: OCV not rising at SOC %.3f", c->name,
                             k / 1000.0);
            prev = v;
        }
    }
}

TEST(charge_curve_sits_above_ocv_and_meets_cv_voltage_at_full)
{
    for (size_t i = 0; i < bk_chemistry_count(); i++) {
        const bk_chemistry_t *c = bk_chemistry_at(i);
        const bk_table_t *curve = c->charge_v_curve.n ? &c->charge_v_curve : &c->ocv;
        for (int k = 0; k <= 100; k++)
            CHECK(bk_table_eval(curve, k / 100.0) >= bk_chemistry_ocv(c, k / 100.0));
        /* Otherwise the CV phase could not taper to the termination current. */
        CHECK_NEAR(bk_table_eval(curve, 1.0), c->charge_v, 1e-9);
        CHECK(c->cutoff_v < bk_chemistry_ocv(c, 0.0));
        CHECK(c->nominal_v > bk_chemistry_ocv(c, 0.0) && c->nominal_v < c->charge_v);
    }
}

TEST(resistance_rises_when_cold_and_capacity_falls)
{
    for (size_t i = 0; i < bk_chemistry_count(); i++) {
        const bk_chemistry_t *c = bk_chemistry_at(i);
        CHECK(bk_table_eval(&c->r_temp, -10.0) > bk_table_eval(&c->r_temp, 25.0));
        CHECK(bk_table_eval(&c->cap_temp, -10.0) < bk_table_eval(&c->cap_temp, 25.0));
        CHECK_NEAR(bk_table_eval(&c->cap_temp, 25.0), 1.0, 1e-12);
    }
}

TEST(chemistry_found_by_name_alias_and_battery_information_code)
{
    const bk_chemistry_t *li = bk_chemistry_find("li-ion");
    const bk_chemistry_t *pb = bk_chemistry_find("lead-acid");
    REQUIRE(li && pb);
    CHECK(bk_chemistry_find("LION") == li);
    CHECK(bk_chemistry_find("nmc") == li);
    CHECK(bk_chemistry_find("PbAc") == pb);
    CHECK_STR(pb->code, "PbAc");
    CHECK_STR(li->code, "LION");
    CHECK(bk_chemistry_find("unobtainium") == NULL);
}

TEST(table_integral_is_exact_for_the_linear_curve)
{
    static const bk_point_t pts[] = {{0.0, 1.0}, {0.5, 2.0}, {1.0, 4.0}};
    bk_table_t t = {3, pts};
    CHECK_NEAR(bk_table_integral(&t, 0.5), 0.75, 1e-12);
    CHECK_NEAR(bk_table_integral(&t, 1.0), 0.75 + 1.5, 1e-12);
    CHECK_NEAR(bk_table_integral(&t, 0.25), 0.25 * 1.25, 1e-12);
    CHECK_NEAR(bk_table_integral(&t, 2.0), 2.25 + 4.0, 1e-12); /* held flat past the end */
    CHECK_NEAR(bk_table_eval(&t, 0.75), 3.0, 1e-12);
}

TEST(new_pack_full_charge_capacity_equals_design_for_every_chemistry)
{
    for (size_t i = 0; i < bk_chemistry_count(); i++) {
        bk_pack_t *p = make_pack(bk_chemistry_at(i)->name, 6, 2, 84000);
        REQUIRE(p);
        CHECK_NEAR(bk_pack_full_charge_mwh(p), 84000.0, 1e-6);
        CHECK_NEAR(bk_pack_energy_mwh(p, 0.0, 1.0), 84000.0, 1e-6);
        CHECK_NEAR(bk_pack_remaining_mwh(p), 84000.0, 1e-6);
        bk_pack_destroy(p);
    }
}

TEST(pack_creation_refuses_inconsistent_configuration)
{
    bk_pack_config_t cfg;
    bk_pack_t *p = (bk_pack_t *)1;
    bk_pack_config_init(&cfg, bk_chemistry_find("li-ion"), 0, 1, 57000);
    CHECK(bk_pack_create(&cfg, &p) < 0);
    CHECK(p == NULL);
    bk_pack_config_init(&cfg, bk_chemistry_find("li-ion"), 3, 1, 57000);
    cfg.initial_soc = 1.5;
    CHECK(bk_pack_create(&cfg, &p) < 0);
    bk_pack_config_init(&cfg, NULL, 3, 1, 57000);
    CHECK(bk_pack_create(&cfg, &p) < 0);
}
