/* The conformance library in-process, as a CI test uses it: a conforming
 * miniclass passes every check, a misbehaving one fails exactly the check
 * for the rule it breaks, checks that need a controller SKIP without one,
 * and the options are honoured. badmini is the battery throughout. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bk_test.h"
#include "conformance.h"

#include <batclass.h>

#ifndef BADMINI_SO
#error "BADMINI_SO (the path of badmini.so) must be defined by the build"
#endif

static bk_host_t *start_host(void)
{
    return bk_host_create(&(bk_host_options_t){.virtual_time = 1});
}

static const bk_conformance_result_t *find(const bk_conformance_report_t *r, const char *check)
{
    for (size_t i = 0; i < r->count; i++) {
        if (strcmp(r->results[i].check, check) == 0)
            return &r->results[i];
    }
    return NULL;
}

static size_t count_checks(void)
{
    size_t n = 0;
    for (const char *const *name = bk_conformance_check_names(); *name; name++)
        n++;
    return n;
}

TEST(conformance_run_passes_a_conforming_miniclass)
{
    bk_host_t *h = start_host();
    REQUIRE(h);
    bk_conformance_options_t o = {.driver = BADMINI_SO, .hwid = "BADMINI\\Good", .out = stdout};
    bk_conformance_report_t r = {0};
    CHECK_EQ(bk_conformance_run(h, &o, &r), 0);
    CHECK_EQ(r.failed, 0);
    CHECK_EQ(r.skipped, 0); /* badmini has a controller: nothing is left out */
    CHECK_EQ(r.count, count_checks());
    bk_conformance_report_free(&r);
    CHECK_EQ(bk_host_destroy(h), 0);
}

TEST(conformance_run_fails_exactly_the_broken_rule)
{
    bk_host_t *h = start_host();
    REQUIRE(h);
    bk_conformance_options_t o = {.driver = BADMINI_SO, .hwid = "BADMINI\\RateSign", .out = stdout};
    bk_conformance_report_t r = {0};
    CHECK_EQ(bk_conformance_run(h, &o, &r), 1);
    CHECK_EQ(bk_conformance_expect_failures(&r, "status_rate_sign_matches_power_state", stdout), 0);
    CHECK(bk_conformance_expect_failures(&r, "", NULL) != 0);
    bk_conformance_report_free(&r);
    CHECK_EQ(bk_host_destroy(h), 0);
}

TEST(conformance_checks_needing_a_controller_skip_without_one)
{
    bk_host_t *h = start_host();
    REQUIRE(h);
    bk_conformance_options_t o = {
        .driver = BADMINI_SO, .hwid = "BADMINI\\Good", .no_controller = 1, .out = stdout};
    bk_conformance_report_t r = {0};
    CHECK_EQ(bk_conformance_run(h, &o, &r), 0);
    const bk_conformance_result_t *res = find(&r, "query_tag_changes_on_every_insertion");
    REQUIRE(res);
    CHECK_EQ(res->verdict, BK_CONFORMANCE_SKIP);
    res = find(&r, "status_change_is_notified");
    REQUIRE(res);
    CHECK_EQ(res->verdict, BK_CONFORMANCE_SKIP);
    bk_conformance_report_free(&r);
    CHECK_EQ(bk_host_destroy(h), 0);
}

TEST(conformance_only_runs_the_named_checks)
{
    bk_host_t *h = start_host();
    REQUIRE(h);
    bk_conformance_options_t o = {.driver = BADMINI_SO,
                                  .hwid = "BADMINI\\Good",
                                  .only = "query_tag_nonzero_while_present,wmi_battery_status"};
    bk_conformance_report_t r = {0};
    CHECK_EQ(bk_conformance_run(h, &o, &r), 0);
    CHECK_EQ(r.count, 2);
    CHECK(find(&r, "query_tag_nonzero_while_present") != NULL);
    CHECK(find(&r, "wmi_battery_status") != NULL);
    bk_conformance_report_free(&r);
    CHECK_EQ(bk_host_destroy(h), 0);
}

TEST(conformance_unknown_check_name_is_refused)
{
    bk_host_t *h = start_host();
    REQUIRE(h);
    bk_conformance_options_t o = {.driver = BADMINI_SO, .hwid = "BADMINI\\Good", .only = "no_such"};
    bk_conformance_report_t r = {0};
    CHECK_EQ(bk_conformance_run(h, &o, &r), -1);
    CHECK_EQ(r.count, 0);
    bk_conformance_report_free(&r);
    CHECK_EQ(bk_host_destroy(h), 0);
}

/* Issue 15: the platform controller looked an ACPI battery up among the
 * first 32 machine devices only, so on a larger machine the batteries
 * past them ran without a controller (their checks SKIPped). */
TEST(platform_controller_finds_an_acpi_battery_past_the_32nd_device)
{
    enum { BATTERIES = 40 };
    char path[] = "/tmp/battkit-cf-machine.XXXXXX";
    int fd = mkstemp(path);
    REQUIRE(fd >= 0);
    FILE *f = fdopen(fd, "w");
    REQUIRE(f);
    fprintf(f, "[machine]\nname = forty\ntime = virtual\ncomposite_battery = no\n\n"
               "[ac.ADP1]\nbus = acpi\nonline = yes\n\n");
    for (int i = 0; i < BATTERIES; i++)
        fprintf(f,
                "[battery.B%d]\nbus = acpi\nchemistry = li-ion\ndesign_capacity_mwh = 50000\n"
                "design_voltage_mv = 11400\ncells = 3\n\n",
                i);
    REQUIRE(fclose(f) == 0);
    bk_host_t *h = start_host();
    REQUIRE(h);
    bk_status_t loaded = bk_host_load_machine(h, path);
    unlink(path);
    REQUIRE(loaded == 0);
    char **paths = NULL, *last = NULL;
    size_t n = bk_host_list_interfaces(h, &GUID_DEVICE_BATTERY, &paths);
    for (size_t i = 0; i < n; i++)
        if (strstr(paths[i], "PNP0C0A#39#"))
            last = paths[i];
    REQUIRE(last);
    bk_conformance_target_t t = {.host = h, .interface_path = last};
    const bk_conformance_controller_t *ctl = &bk_conformance_controller_platform;
    void *state = NULL;
    CHECK_EQ(ctl->open(&t, &state), 0);
    if (state) {
        bk_platform_reading_t r;
        CHECK_STATUS(ctl->remove(state), 0);
        CHECK_STATUS(bk_platform_read(h, "B39", &r), 0);
        CHECK_EQ(r.present, 0); /* the controller drove battery B39, the 40th */
        CHECK_STATUS(bk_platform_read(h, "B38", &r), 0);
        CHECK_EQ(r.present, 1);
        ctl->close(state);
    }
    bk_host_free_list(paths, n);
    bk_host_unload_machine(h);
    CHECK_EQ(bk_host_destroy(h), 0);
}
