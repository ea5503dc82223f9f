/* How the installer ranks packages (docs: "How Windows Ranks Drivers",
 * "Identifier Score", "Overview of the Driver Selection Process"): the
 * identifier score table, and for one ID: signed beats unsigned, the .nt
 * section beats the undecorated one, a hardware ID entry beats a
 * compatible one, then the newest date, then the highest version. */
#include "setup_fixture.h"
#include "setup/setup_internal.h"

#include <stdlib.h>
#include <string.h>

#define REPORT 16384

TEST(identifier_scores_follow_the_documented_table)
{
    /* docs (Driver Rank Example): device HwID_1, HwID_2 / CID_1, CID_2
     * against an entry INF_HwID_1, INF_CID_1, INF_CID_2. */
    CHECK_EQ(setup_identifier_score(false, 0, false, 0), 0x0000);    /* HwID_1 = INF_HwID_1 */
    CHECK_EQ(setup_identifier_score(false, 1, false, 0), 0x0001);    /* HwID_2 = INF_HwID_1 */
    CHECK_EQ(setup_identifier_score(false, 0, true, 1), 0x1000);     /* HwID_1 = INF_CID_2 */
    CHECK_EQ(setup_identifier_score(false, 1, true, 0), 0x1001);     /* HwID_2 = INF_CID_1 */
    CHECK_EQ(setup_identifier_score(true, 0, false, 0), 0x2000);     /* CID_1 = INF_HwID_1 */
    CHECK_EQ(setup_identifier_score(true, 1, false, 0), 0x2001);     /* CID_2 = INF_HwID_1 */
    CHECK_EQ(setup_identifier_score(true, 0, true, 0), 0x3000);      /* CID_1 = INF_CID_1 */
    CHECK_EQ(setup_identifier_score(true, 1, true, 1), 0x3101);      /* CID_2 = INF_CID_2 */
    CHECK_EQ(setup_identifier_score(true, 0x2000, true, 0), 0x3FFF); /* capped */
    /* A Bindings entry's Rank seen from a device's side. */
    CHECK_EQ(setup_binding_score(0x80FF1000u, false, 2), 0x80FF1002u);
    CHECK_EQ(setup_binding_score(0x80FF0000u, true, 1), 0x80FF2001u);
    CHECK_EQ(setup_binding_score(0, false, 0), 0); /* made by hand */
    /* docs: rank = 0xSSGGTHHH. */
    CHECK_EQ(setup_rank_base(0x80, 0xFF), 0x80FF0000u);
}

TEST(driver_ver_dates_and_versions_compare_as_numbers)
{
    CHECK_EQ(setup_parse_date("07/04/2025"), 20250704);
    CHECK_EQ(setup_parse_date("7/4/2025"), 20250704);
    CHECK_EQ(setup_parse_date("13/01/2025"), 0);
    CHECK_EQ(setup_parse_date(NULL), 0);
    CHECK(setup_parse_version("1.10.0.0") > setup_parse_version("1.9.9.9"));
    CHECK(setup_parse_version("2.0") == setup_parse_version("2.0.0.0"));
    CHECK_EQ(setup_parse_version("x"), 0);
}

static char *winner(fx_t *fx, const fx_pkg_t *a, const fx_pkg_t *b, uint32_t flags_a,
                    uint32_t flags_b)
{
    char report[REPORT];
    /* Both orders of installation give the same winner. */
    char *first = NULL;
    for (int order = 0; order < 2; order++) {
        const fx_pkg_t *one = order ? b : a, *two = order ? a : b;
        uint32_t f1 = order ? flags_b : flags_a, f2 = order ? flags_a : flags_b;
        CHECK_STATUS(
            bk_host_install_inf_ex(fx->host, fx_package(fx, one), f1, report, sizeof report), 0);
        CHECK_STATUS(
            bk_host_install_inf_ex(fx->host, fx_package(fx, two), f2, report, sizeof report), 0);
        char *w = fx_reg_string(FX_BINDINGS "\\SETUPTEST#Tie", "Inf");
        CHECK_STATUS(bk_host_uninstall_driver(fx->host, a->name, report, sizeof report), 0);
        CHECK_STATUS(bk_host_uninstall_driver(fx->host, b->name, report, sizeof report), 0);
        if (!first) {
            first = w;
        } else {
            CHECK_STR(w, first);
            free(w);
        }
    }
    return first;
}

TEST(equal_ranks_fall_to_the_newest_date_then_the_highest_version)
{
    fx_t fx;
    REQUIRE(fx_begin(&fx));
    fx_pkg_t old = {.name = "old", .model = "SETUPTEST\\Tie", .driver_ver = "01/01/2024,9.0.0.0"};
    fx_pkg_t newer = {
        .name = "newer", .model = "SETUPTEST\\Tie", .driver_ver = "06/01/2025,1.0.0.0"};
    char *w = winner(&fx, &old, &newer, 0, 0);
    CHECK_STR(w, "newer.inf");
    free(w);
    fx_pkg_t low = {.name = "low", .model = "SETUPTEST\\Tie", .driver_ver = "06/01/2025,1.0.0.9"};
    fx_pkg_t high = {.name = "high", .model = "SETUPTEST\\Tie", .driver_ver = "06/01/2025,1.0.1.0"};
    w = winner(&fx, &low, &high, 0, 0);
    CHECK_STR(w, "high.inf");
    free(w);
    fx_done(&fx);
}

TEST(signed_beats_unsigned_and_nt_sections_beat_undecorated_ones)
{
    fx_t fx;
    REQUIRE(fx_begin(&fx));
    /* A trusted package wins over a newer unsigned one (signature score
     * 0x00 < 0x80). */
    fx_pkg_t inbox = {
        .name = "inbox", .model = "SETUPTEST\\Tie", .driver_ver = "01/01/2020,1.0.0.0"};
    fx_pkg_t vendor = {
        .name = "vendor", .model = "SETUPTEST\\Tie", .driver_ver = "01/01/2030,1.0.0.0"};
    char *w = winner(&fx, &inbox, &vendor, BK_SETUP_TRUSTED, 0);
    CHECK_STR(w, "inbox.inf");
    free(w);
    /* docs: unsigned with a .nt DDInstall (0x80) beats unsigned without (0xC0). */
    fx_pkg_t nt = {.name = "nt", .model = "SETUPTEST\\Tie", .driver_ver = "01/01/2020,1.0.0.0"};
    fx_pkg_t plain = {.name = "plain",
                      .model = "SETUPTEST\\Tie",
                      .no_nt = true,
                      .driver_ver = "01/01/2030,1.0.0.0"};
    w = winner(&fx, &nt, &plain, 0, 0);
    CHECK_STR(w, "nt.inf");
    free(w);
    /* docs: FeatureScore, lower is better (default 0xFF). */
    fx_pkg_t featured = {.name = "featured",
                         .model = "SETUPTEST\\Tie",
                         .install_lines = "FeatureScore = 0x10",
                         .driver_ver = "01/01/2020,1.0.0.0"};
    w = winner(&fx, &featured, &vendor, 0, 0);
    CHECK_STR(w, "featured.inf");
    free(w);
    fx_done(&fx);
}
