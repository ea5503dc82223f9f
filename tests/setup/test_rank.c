/* How the installer ranks packages (docs: "How Windows Ranks Drivers",
 * "Identifier Score", "Overview of the Driver Selection Process"): the
 * identifier score table, and for one ID: signed beats unsigned, the .nt
 * section beats the undecorated one, a hardware ID entry beats a
 * compatible one, then the newest date, then the highest version; and
 * across a device's IDs, one rank over every ID (the best package on a
 * later ID wins over a worse-ranked one on an earlier ID). */
#include <initguid.h>
#include "setup_fixture.h"
#include "setup/setup_internal.h"
#include "drivers/pnptest.h"

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

/* ---- one rank across a device's IDs ---- */

/* A bus-reported device with several IDs: the PnP test bus driver's child 0
 * reports hardware IDs PNPTEST\DEV_A, PNPTEST\DEV_A_REV1 and compatible ID
 * PNPTEST\COMPAT. The bus is a test driver, started by hand. */
static bk_device_t *add_child(fx_t *fx)
{
    char bus_so[512], **paths = NULL;
    bk_handle_t *bus = NULL;
    ULONG mask = 1;
    uint32_t got;
    snprintf(bus_so, sizeof bus_so, "%s/pnp_testbus.so", PNPTEST_DRIVER_DIR);
    if (bk_host_add_root_device(fx->host, "PNPTEST\\BUS", "pnp_testbus", NULL, bus_so, NULL) != 0)
        return NULL;
    size_t n = bk_host_list_interfaces(fx->host, &GUID_PNPTEST_BUS_INTERFACE, &paths);
    bk_status_t s = n == 1
                        ? bk_host_open(fx->host, paths[0], BK_ACCESS_READ | BK_ACCESS_WRITE, &bus)
                        : STATUS_NO_SUCH_DEVICE;
    bk_host_free_list(paths, n);
    if (NT_SUCCESS(s)) {
        s = bk_ioctl(bus, IOCTL_PNPTEST_SET_CHILDREN, &mask, sizeof mask, NULL, 0, &got);
        bk_close(bus);
    }
    bk_host_settle(fx->host);
    return NT_SUCCESS(s) ? bk_host_find_device(fx->host, "PNPTEST\\DEV_A\\0") : NULL;
}

static void install(fx_t *fx, const fx_pkg_t *pkg, uint32_t flags)
{
    char report[REPORT];
    CHECK_STATUS(
        bk_host_install_inf_ex(fx->host, fx_package(fx, pkg), flags, report, sizeof report), 0);
}

static void uninstall(fx_t *fx, const char *name)
{
    char report[REPORT];
    CHECK_STATUS(bk_host_uninstall_driver(fx->host, name, report, sizeof report), 0);
}

TEST(a_later_hardware_id_matched_exactly_beats_an_earlier_one_matched_by_a_compatible_entry)
{
    fx_t fx;
    REQUIRE(fx_begin(&fx));
    bk_device_t *dev = add_child(&fx);
    REQUIRE(dev);
    CHECK_EQ(bk_device_state(dev), BK_DEVICE_INITIALIZED);
    /* docs (Identifier Score): the device's first hardware ID against the
     * entry's compatible ID scores 0x1000 + 0; its second hardware ID
     * against an entry's hardware ID scores 0x0000 + 1, the better rank,
     * newer date or not. */
    fx_pkg_t loose = {.name = "loose",
                      .model = "PNPTEST\\Other, PNPTEST\\DEV_A",
                      .driver_ver = "12/31/2030,9.0.0.0"};
    fx_pkg_t exact = {.name = "exact", .model = "PNPTEST\\DEV_A_REV1"};
    install(&fx, &loose, 0);
    CHECK_EQ(bk_device_state(dev), BK_DEVICE_STARTED);
    CHECK_STR(fx_device_service(dev), "loose");
    install(&fx, &exact, 0);
    CHECK_EQ(bk_device_state(dev), BK_DEVICE_STARTED);
    CHECK_STR(fx_device_service(dev), "exact");
    /* The per-device values come from the package it was bound by. */
    char path[512];
    snprintf(path, sizeof path, "%s\\%s\\Driver", FX_ENUM, bk_device_instance_path(dev));
    char *matching = fx_reg_string(path, "MatchingDeviceId");
    CHECK_STR(matching, "PNPTEST\\DEV_A_REV1");
    free(matching);
    uninstall(&fx, "exact");
    CHECK_STR(fx_device_service(dev), "loose");
    uninstall(&fx, "loose");
    /* The other order of installation: the same winner. */
    install(&fx, &exact, 0);
    install(&fx, &loose, 0);
    CHECK_STR(fx_device_service(dev), "exact");
    uninstall(&fx, "exact");
    uninstall(&fx, "loose");
    CHECK_STR(fx_device_service(dev), "");
    fx_done(&fx);
}

TEST(a_better_signature_or_feature_score_on_a_later_id_wins_otherwise_the_earlier_id_does)
{
    fx_t fx;
    REQUIRE(fx_begin(&fx));
    bk_device_t *dev = add_child(&fx);
    REQUIRE(dev);
    /* Both on hardware ID entries, same signature and feature score: the
     * first hardware ID (0x0000) beats the second (0x0001), dates aside. */
    fx_pkg_t first = {.name = "first", .model = "PNPTEST\\DEV_A"};
    fx_pkg_t second = {
        .name = "second", .model = "PNPTEST\\DEV_A_REV1", .driver_ver = "12/31/2030,9.0.0.0"};
    install(&fx, &second, 0);
    install(&fx, &first, 0);
    CHECK_STR(fx_device_service(dev), "first");
    /* docs: a lower feature score wins before the identifier score:
     * 0x80100001 (FeatureScore 0x10 on the second hardware ID) beats
     * 0x80FF0000. */
    fx_pkg_t featured = {
        .name = "featured", .model = "PNPTEST\\DEV_A_REV1", .install_lines = "FeatureScore = 0x10"};
    install(&fx, &featured, 0);
    CHECK_STR(fx_device_service(dev), "featured");
    /* docs: the signature score comes first: a trusted (signed) package on
     * the device's compatible ID, 0x00FF2000, beats unsigned packages on
     * its hardware IDs (0x80......). */
    fx_pkg_t inbox = {.name = "inbox", .model = "PNPTEST\\COMPAT"};
    install(&fx, &inbox, BK_SETUP_TRUSTED);
    CHECK_STR(fx_device_service(dev), "inbox");
    CHECK_EQ(bk_device_state(dev), BK_DEVICE_STARTED);
    /* Each leaves: the device falls back to the next best. */
    uninstall(&fx, "inbox");
    CHECK_STR(fx_device_service(dev), "featured");
    uninstall(&fx, "featured");
    CHECK_STR(fx_device_service(dev), "first");
    uninstall(&fx, "first");
    CHECK_STR(fx_device_service(dev), "second");
    uninstall(&fx, "second");
    CHECK_STR(fx_device_service(dev), "");
    fx_done(&fx);
}
