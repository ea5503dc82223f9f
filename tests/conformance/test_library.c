/* The conformance library in-process, as a CI test uses it: a conforming
 * miniclass passes every check, a misbehaving one fails exactly the check
 * for the rule it breaks, checks that need a controller SKIP without one,
 * and the options are honoured. badmini is the battery throughout. */
#include <stdlib.h>
#include <string.h>

#include "bk_test.h"
#include "conformance.h"

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
