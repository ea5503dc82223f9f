/* test_persist.c: a pack's state survives a save/restore round trip as a
 * small text blob, and a bad blob is refused with the line and reason,
 * leaving the pack as it was. */
#include "model_test.h"

#include <stdlib.h>
#include <string.h>

static bk_pack_t *used_pack(void)
{
    bk_pack_t *p = make_laptop_pack();
    bk_load_t load = bk_load_power(18.0);
    bk_pack_set_load(p, &load);
    bk_pack_age(p, 120.0, 200.0);
    bk_pack_advance(p, 5000.0);
    bk_pack_drop_capacity(p, 5.0);
    bk_pack_set_faults(p, BK_FAULT_SENSOR, true);
    return p;
}

TEST(saved_state_restores_to_the_same_state)
{
    bk_pack_t *a = used_pack(), *b = make_laptop_pack();
    char blob[2048], again[2048], err[128];
    REQUIRE(a && b);
    size_t n = bk_pack_save(a, blob, sizeof(blob));
    REQUIRE(n < sizeof(blob));
    CHECK_EQ(strlen(blob), n);
    REQUIRE(bk_pack_restore(b, blob, err, sizeof(err)) == 0);
    bk_pack_save(b, again, sizeof(again));
    CHECK_STR(again, blob);
    CHECK_NEAR(bk_pack_soc(b), bk_pack_soc(a), 0.0);
    CHECK_NEAR(bk_pack_full_charge_mwh(b), bk_pack_full_charge_mwh(a), 1e-9);
    CHECK_EQ(bk_pack_cycle_count(b), bk_pack_cycle_count(a));
    CHECK_EQ(bk_pack_faults(b), BK_FAULT_SENSOR);
    CHECK_EQ(bk_pack_time_ns(b), bk_pack_time_ns(a));
    /* And it carries on the same way under the same load. */
    bk_load_t load = bk_load_power(18.0);
    bk_pack_set_load(a, &load);
    bk_pack_set_load(b, &load);
    bk_pack_advance(a, 3000.0);
    bk_pack_advance(b, 3000.0);
    CHECK_NEAR(bk_pack_soc(b), bk_pack_soc(a), 1e-12);
    bk_pack_destroy(a);
    bk_pack_destroy(b);
}

TEST(save_reports_the_length_it_needs_when_the_buffer_is_short)
{
    bk_pack_t *p = make_laptop_pack();
    char small[16], big[2048];
    REQUIRE(p);
    size_t need = bk_pack_save(p, small, sizeof(small));
    CHECK(need > sizeof(small));
    CHECK_EQ(strlen(small), sizeof(small) - 1);
    CHECK_EQ(bk_pack_save(p, big, sizeof(big)), need);
    bk_pack_destroy(p);
}

/* Replaces the value of `key` in a saved blob. */
static void edit(char *blob, const char *key, const char *value)
{
    char out[2048] = "", *line = blob, *nl;
    size_t klen = strlen(key);
    for (; *line; line = nl + 1) {
        nl = strchr(line, '\n');
        if (strncmp(line, key, klen) == 0 && line[klen] == ' ') {
            strcat(out, key);
            strcat(out, " ");
            strcat(out, value);
            strcat(out, "\n");
        } else {
            strncat(out, line, (size_t)(nl - line + 1));
        }
    }
    strcpy(blob, out);
}

TEST(restore_refuses_a_bad_blob_and_leaves_the_pack_alone)
{
    static const struct {
        const char *key, *value, *reason;
    } cases[] = {
        {"chemistry", "lead-acid", "line 2: chemistry lead-acid does not match"},
        {"design_mwh", "48000", "line 5: design_mwh 48000 does not match"},
        {"soc", "banana", "bad value \"banana\" for soc"},
        {"soc", "1.5", "values out of range"},
        {"charger", "turbo", "bad value \"turbo\" for charger"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        bk_pack_t *src = used_pack(), *dst = make_laptop_pack();
        char blob[2048], before[2048], after[2048], err[160] = "";
        REQUIRE(src && dst);
        bk_pack_save(src, blob, sizeof(blob));
        edit(blob, cases[i].key, cases[i].value);
        bk_pack_save(dst, before, sizeof(before));
        CHECK(bk_pack_restore(dst, blob, err, sizeof(err)) < 0);
        if (!strstr(err, cases[i].reason))
            bk_test_fail(__FILE__, __LINE__, "case %zu: \"%s\" lacks \"%s\"", i, err,
                         cases[i].reason);
        bk_pack_save(dst, after, sizeof(after));
        CHECK_STR(after, before);
        bk_pack_destroy(src);
        bk_pack_destroy(dst);
    }
}

TEST(restore_refuses_a_blob_with_a_missing_key_or_wrong_header)
{
    bk_pack_t *p = make_laptop_pack();
    char err[160];
    REQUIRE(p);
    CHECK(bk_pack_restore(p, "battkit-pack 1\nsoc 0.5\n", err, sizeof(err)) < 0);
    CHECK(strstr(err, "missing key") != NULL);
    CHECK(bk_pack_restore(p, "something else\n", err, sizeof(err)) < 0);
    CHECK(strstr(err, "line 1:") != NULL);
    CHECK(bk_pack_restore(p, "battkit-pack 1\nwarp_drive 9\n", err, sizeof(err)) < 0);
    CHECK(strstr(err, "line 2: unknown key \"warp_drive\"") != NULL);
    bk_pack_destroy(p);
}
