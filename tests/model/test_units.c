/* test_units.c: durations and quantities as scenario files write them. */
#include "model_test.h"

TEST(durations_parse_with_units_and_combinations)
{
    static const struct {
        const char *text;
        uint64_t ns;
    } ok[] = {
        {"0", 0},
        {"90s", 90 * NS_PER_S},
        {"1h30m", 5400 * NS_PER_S},
        {"2.5h", 9000 * NS_PER_S},
        {"500ms", NS_PER_S / 2},
        {"1d", 86400 * NS_PER_S},
        {"3h10m", 11400 * NS_PER_S},
    };
    static const char *const bad[] = {"", "10", "h", "1x", "-5s", "1h30", "1e3s", "s5"};
    uint64_t v;
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        CHECK(bk_parse_duration_ns(ok[i].text, &v) == 0);
        CHECK_EQ(v, ok[i].ns);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (bk_parse_duration_ns(bad[i], &v) == 0)
            bk_test_fail(__FILE__, __LINE__, "\"%s\" accepted", bad[i]);
}

TEST(quantities_parse_to_base_units_within_the_allowed_set)
{
    const unsigned load = 1u << BK_UNIT_WATT | 1u << BK_UNIT_AMPERE;
    bk_unit_t u;
    double v;
    CHECK(bk_parse_quantity("15W", load, &u, &v) == 0 && u == BK_UNIT_WATT && v == 15.0);
    CHECK(bk_parse_quantity("1500mW", load, &u, &v) == 0 && u == BK_UNIT_WATT && v == 1.5);
    CHECK(bk_parse_quantity("800mA", load, &u, &v) == 0 && u == BK_UNIT_AMPERE);
    CHECK_NEAR(v, 0.8, 1e-12);
    CHECK(bk_parse_quantity("-10C", 1u << BK_UNIT_CELSIUS, &u, &v) == 0 && v == -10.0);
    CHECK(bk_parse_quantity("298.15K", 1u << BK_UNIT_CELSIUS, &u, &v) == 0);
    CHECK_NEAR(v, 25.0, 1e-9);
    CHECK(bk_parse_quantity("57Wh", 1u << BK_UNIT_WATT_HOUR, &u, &v) == 0 && v == 57.0);
    CHECK(bk_parse_quantity("20%", 1u << BK_UNIT_PERCENT, &u, &v) == 0 && v == 20.0);
    CHECK(bk_parse_quantity("15W", 1u << BK_UNIT_AMPERE, &u, &v) < 0); /* wrong unit */
    CHECK(bk_parse_quantity("15", load, &u, &v) < 0);
    CHECK(bk_parse_quantity("15 W", load, &u, &v) < 0);
    CHECK(bk_parse_quantity("W", load, &u, &v) < 0);
}
