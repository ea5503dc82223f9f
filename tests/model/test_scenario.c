/* test_scenario.c: scenario files: parse errors name file:line, events are
 * applied at their times through the host's handler or the defaults, the
 * example files in data/scenarios do what their comments say, and a day
 * of use simulates in well under a second. */
#include "model_test.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <time.h>

static bk_scenario_t *parse_ok(const char *text)
{
    bk_scenario_t *sc = NULL;
    char err[256];
    if (bk_scenario_parse("t.scn", text, &sc, err, sizeof(err)) != 0) {
        bk_test_fail(__FILE__, __LINE__, "parse failed: %s", err);
        return NULL;
    }
    return sc;
}

static bk_scenario_t *load_example(const char *file)
{
    char path[512], err[512];
    bk_scenario_t *sc = NULL;
    snprintf(path, sizeof(path), "%s/%s", BK_SCENARIO_DIR, file);
    if (bk_scenario_load(path, &sc, err, sizeof(err)) != 0)
        bk_test_fail(__FILE__, __LINE__, "%s", err);
    return sc;
}

TEST(scenario_parse_errors_carry_file_and_line)
{
    static const struct {
        const char *text, *want;
    } cases[] = {
        {"at 0s load 15W\nat 1h lod 5W\n", "t.scn:2: unknown action \"lod\""},
        {"# c\n\nat 5x ac on\n", "t.scn:3: bad time \"5x\""},
        {"at 2h ac on\nat 1h ac off\n", "t.scn:2: time 1h is before the event on line 1"},
        {"at 0s ac maybe\n", "t.scn:1: ac wants on or off"},
        {"at 0s load 15X\n", "t.scn:1: bad load \"15X\""},
        {"at 0s load BAT0 profile nope\n", "t.scn:1: no profile named \"nope\""},
        {"at 0s load BAT0 nope\n", "t.scn:1: bad load \"nope\""},
        {"at 0s load\n", "t.scn:1: expected \"at TIME load"},
        {"profile p\n 10m 5W\n", "t.scn:1: profile \"p\" has no \"end\""},
        {"profile p\n 10m 5Q\nend\n", "t.scn:2: bad segment load"},
        {"profile p\nend\n", "t.scn:2: profile \"p\" has no segments"},
        {"end\n", "t.scn:1: \"end\" without \"profile\""},
        {"at 0s fault BAT0 gremlins\n", "t.scn:1: unknown fault \"gremlins\""},
        {"at 0s fault BAT0 capacity-drop 120%\n", "t.scn:1: capacity-drop wants a percentage"},
        {"at 0s set BAT0 soc 150%\n", "t.scn:1: soc wants a percentage"},
        {"at 0s remove battery\n", "t.scn:1: too few words"},
        {"at 0s insert battery BAT0 now\n", "t.scn:1: too many words"},
        {"until 2h\nat 3h ac on\n", "t.scn:2: event after \"until\""},
        {"at 3h ac on\nuntil 2h\n", "t.scn:2: until 2h is before the event on line 1"},
        {"at 0s remove battery ThisNameIsWayTooLong\n", "t.scn:1: bad battery name"},
        {"hello world\n", "t.scn:1: unknown statement \"hello\""},
        {"at 0s ambient warm\n", "t.scn:1: ambient wants"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        bk_scenario_t *sc = (bk_scenario_t *)1;
        char err[256] = "";
        CHECK_EQ(bk_scenario_parse("t.scn", cases[i].text, &sc, err, sizeof(err)), -EINVAL);
        CHECK(sc == NULL);
        if (strncmp(err, cases[i].want, strlen(cases[i].want)) != 0)
            bk_test_fail(__FILE__, __LINE__, "case %zu: got \"%s\", want \"%s...\"", i, err,
                         cases[i].want);
    }
}

TEST(scenario_file_errors_name_the_file_path)
{
    bk_scenario_t *sc;
    char err[512];
    CHECK_EQ(bk_scenario_load("/nonexistent/x.scn", &sc, err, sizeof(err)), -ENOENT);
    CHECK(strstr(err, "/nonexistent/x.scn") != NULL);
}

TEST(example_scenarios_parse)
{
    static const char *const files[] = {"full-discharge.scn", "charge-cccv.scn", "unplug.scn",
                                        "day-of-use.scn"};
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        bk_scenario_t *sc = load_example(files[i]);
        CHECK(sc && bk_scenario_event_count(sc) > 0);
        bk_scenario_free(sc);
    }
}

typedef struct recorder {
    bk_pack_t *pack;
    int n;
    bk_event_kind_t kind[32];
    uint64_t pack_time[32]; /* the pack's clock when the event was applied */
    int take_ac;            /* handler claims AC events */
} recorder_t;

static int record(void *ctx, const bk_event_t *ev)
{
    recorder_t *r = ctx;
    if (r->n < 32) {
        r->kind[r->n] = ev->kind;
        r->pack_time[r->n] = bk_pack_time_ns(r->pack);
        r->n++;
    }
    return (r->take_ac && ev->kind == BK_EVENT_AC) ? 1 : 0;
}

TEST(scenario_events_fire_at_their_times)
{
    bk_scenario_t *sc = parse_ok("at 0s load 10W\n"
                                 "at 90s ac off\n"
                                 "at 1h30m fault BAT0 stuck\n"
                                 "at 1h30m fault BAT0 clear stuck\n"
                                 "at 2h ac on\n"
                                 "until 3h\n");
    bk_pack_t *p = make_laptop_pack();
    recorder_t rec = {.pack = p};
    static const uint64_t want[] = {0, 90, 5400, 5400, 7200};
    REQUIRE(sc && p);
    REQUIRE(bk_scenario_bind_pack(sc, "BAT0", p) == 0);
    CHECK_EQ(bk_scenario_next_event_time(sc), 0);
    CHECK_EQ(bk_scenario_end_time(sc), 3 * 3600 * NS_PER_S);
    CHECK_EQ(bk_scenario_apply_until(sc, 60 * NS_PER_S, record, &rec), 1);
    CHECK_EQ(bk_pack_time_ns(p), 60 * NS_PER_S); /* packs follow the host clock */
    CHECK_EQ(bk_scenario_next_event_time(sc), 90 * NS_PER_S);
    CHECK_EQ(bk_scenario_apply_until(sc, 5400 * NS_PER_S, record, &rec), 3);
    CHECK_EQ(bk_scenario_next_event_time(sc), 7200 * NS_PER_S);
    CHECK_EQ(bk_scenario_apply_until(sc, 3 * 3600 * NS_PER_S, record, &rec), 1);
    CHECK_EQ(bk_scenario_next_event_time(sc), UINT64_MAX);
    REQUIRE(rec.n == 5);
    for (int i = 0; i < 5; i++)
        CHECK_EQ(rec.pack_time[i], want[i] * NS_PER_S);
    CHECK_EQ(rec.kind[1], BK_EVENT_AC);
    CHECK_EQ(rec.kind[2], BK_EVENT_FAULT);
    CHECK_EQ(bk_pack_faults(p), 0);
    CHECK(bk_pack_ac(p));
    bk_scenario_free(sc);
    bk_pack_destroy(p);
}

TEST(scenario_times_are_relative_to_the_origin)
{
    bk_scenario_t *sc = parse_ok("at 10m ac on\n");
    REQUIRE(sc);
    bk_scenario_set_origin_ns(sc, 1000 * NS_PER_S);
    CHECK_EQ(bk_scenario_next_event_time(sc), 1600 * NS_PER_S);
    CHECK_EQ(bk_scenario_apply_until(sc, 1599 * NS_PER_S, NULL, NULL), 0);
    CHECK_EQ(bk_scenario_apply_until(sc, 1600 * NS_PER_S, NULL, NULL), 1);
    bk_scenario_free(sc);
}

TEST(host_handler_takes_the_events_it_handles)
{
    bk_scenario_t *sc = parse_ok("at 0s ac on\nat 0s load 5W\n");
    bk_pack_t *p = make_laptop_pack();
    recorder_t rec = {.pack = p, .take_ac = 1};
    REQUIRE(sc && p);
    bk_scenario_bind_pack(sc, "BAT0", p);
    CHECK_EQ(bk_scenario_apply_until(sc, 0, record, &rec), 2);
    CHECK(!bk_pack_ac(p));                          /* the host took AC */
    CHECK_EQ(bk_pack_load(p)->kind, BK_LOAD_POWER); /* the default applied the load */
    bk_scenario_free(sc);
    bk_pack_destroy(p);
}

static int refuse(void *ctx, const bk_event_t *ev)
{
    (void)ctx;
    return ev->kind == BK_EVENT_REMOVE ? -EIO : 0;
}

TEST(scenario_execution_errors_carry_file_and_line)
{
    bk_scenario_t *sc = parse_ok("at 0s load 5W\nat 1m fault BAT9 stuck\n");
    REQUIRE(sc);
    CHECK_EQ(bk_scenario_apply_until(sc, 3600 * NS_PER_S, NULL, NULL), -ENOENT);
    CHECK(strstr(bk_scenario_error(sc), "t.scn:2: fault: no pack bound as \"BAT9\"") != NULL);
    bk_scenario_free(sc);

    sc = parse_ok("at 0s ac on\nat 1m remove battery BAT0\n");
    REQUIRE(sc);
    CHECK_EQ(bk_scenario_run(sc, refuse, NULL), -EIO);
    CHECK(strstr(bk_scenario_error(sc), "t.scn:2: remove: handler failed") != NULL);
    bk_scenario_free(sc);
}

TEST(removed_battery_sits_on_the_shelf_until_inserted)
{
    bk_scenario_t *sc = parse_ok("at 0s load 20W\n"
                                 "at 10m remove battery BAT0\n"
                                 "at 2h insert battery BAT0\n"
                                 "until 2h10m\n");
    bk_pack_t *p = make_laptop_pack();
    bk_pack_stats_t st;
    REQUIRE(sc && p);
    bk_scenario_bind_pack(sc, "BAT0", p);
    CHECK(bk_scenario_apply_until(sc, 1 * 3600 * NS_PER_S, NULL, NULL) == 2);
    bk_pack_stats(p, &st);
    CHECK_NEAR(st.out_wh, 20.0 / 6.0, 1e-9); /* only the first 10 minutes */
    CHECK_NEAR(bk_pack_current_a(p), 0.0, 0.0);
    CHECK(bk_scenario_run(sc, NULL, NULL) == 1);
    bk_pack_stats(p, &st);
    CHECK_NEAR(st.out_wh, 20.0 / 3.0, 1e-9); /* and ten more after insertion */
    bk_scenario_free(sc);
    bk_pack_destroy(p);
}

TEST(scenario_profile_load_is_applied)
{
    bk_scenario_t *sc = parse_ok("profile burst repeat\n"
                                 "  1m 30W\n"
                                 "  4m off\n"
                                 "end\n"
                                 "at 0s load profile burst\n"
                                 "until 1h\n");
    bk_pack_t *p = make_laptop_pack();
    bk_pack_stats_t st;
    REQUIRE(sc && p);
    bk_scenario_bind_pack(sc, "BAT0", p);
    CHECK_EQ(bk_scenario_run(sc, NULL, NULL), 1);
    bk_pack_stats(p, &st);
    CHECK_NEAR(st.out_wh, 12 * 30.0 / 60.0, 1e-9);
    CHECK_EQ(bk_pack_time_ns(p), 3600 * NS_PER_S);
    bk_scenario_free(sc);
    bk_pack_destroy(p);
}

/* The "done when": a full discharge reaches the critical flag at
 * the time of the model's own integral (+-2 %), driven the way a host
 * drives it: the clock in 10-second ticks, the scenario applied each tick. */
TEST(full_discharge_scenario_reaches_critical_at_the_predicted_time)
{
    bk_scenario_t *sc = load_example("full-discharge.scn");
    bk_pack_t *p = make_laptop_pack();
    uint64_t t = 0, critical_at = 0;
    REQUIRE(sc && p);
    bk_scenario_bind_pack(sc, "BAT0", p);
    REQUIRE(bk_scenario_apply_until(sc, 0, NULL, NULL) == 3);
    double predicted = bk_pack_predict_seconds(p, 15.0, bk_pack_config(p)->critical_mwh);
    while (t < bk_scenario_end_time(sc) && !critical_at) {
        t += 10 * NS_PER_S;
        REQUIRE(bk_scenario_apply_until(sc, t, NULL, NULL) >= 0);
        if (bk_pack_is_critical(p))
            critical_at = t;
    }
    REQUIRE(critical_at);
    CHECK_NEAR(critical_at / 1e9, predicted, predicted * 0.02);
    CHECK_NEAR(critical_at / 1e9, predicted, 10.0); /* in fact within one tick */
    bk_scenario_run(sc, NULL, NULL);
    CHECK(bk_pack_is_depleted(p));
    bk_scenario_free(sc);
    bk_pack_destroy(p);
}

TEST(charge_scenario_ends_full_after_cc_and_cv)
{
    bk_scenario_t *sc = load_example("charge-cccv.scn");
    bk_pack_t *p = make_laptop_pack();
    bool cc = false, cv = false;
    REQUIRE(sc && p);
    bk_scenario_bind_pack(sc, "BAT0", p);
    for (uint64_t t = 0; t <= bk_scenario_end_time(sc); t += 60 * NS_PER_S) {
        REQUIRE(bk_scenario_apply_until(sc, t, NULL, NULL) >= 0);
        cc |= bk_pack_charger_state(p) == BK_CHARGER_CC;
        cv |= bk_pack_charger_state(p) == BK_CHARGER_CV;
    }
    CHECK(cc && cv);
    CHECK_EQ(bk_pack_charger_state(p), BK_CHARGER_FULL);
    bk_scenario_free(sc);
    bk_pack_destroy(p);
}

TEST(unplug_scenario_discharges_only_while_unplugged)
{
    bk_scenario_t *sc = load_example("unplug.scn");
    bk_pack_t *p = make_laptop_pack();
    bk_pack_stats_t st;
    REQUIRE(sc && p);
    bk_scenario_bind_pack(sc, "BAT0", p);
    CHECK_EQ(bk_scenario_run(sc, NULL, NULL), (int)bk_scenario_event_count(sc));
    bk_pack_stats(p, &st);
    CHECK_NEAR(st.out_wh, 12.0 * 0.5, 1e-9); /* 12 W for the half hour off AC */
    CHECK(bk_pack_ac(p));
    bk_scenario_free(sc);
    bk_pack_destroy(p);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The issue asks for a day of use "in well under a second" on virtual
 * time; the only timed assertion in the suite, with a wide margin (it
 * takes a few tens of milliseconds). */
TEST(day_of_use_scenario_runs_in_well_under_a_second)
{
    bk_scenario_t *sc = load_example("day-of-use.scn");
    bk_pack_t *p = make_laptop_pack();
    REQUIRE(sc && p);
    bk_scenario_bind_pack(sc, "BAT0", p);
    double start = now_s();
    int n = bk_scenario_run(sc, NULL, NULL);
    double took = now_s() - start;
    CHECK_EQ(n, (int)bk_scenario_event_count(sc));
    CHECK_EQ(bk_pack_time_ns(p), 24 * 3600 * NS_PER_S);
    CHECK(took < 1.0);
    /* The day ends on the charger with the battery never run flat. */
    CHECK(!bk_pack_is_depleted(p));
    CHECK(bk_pack_ac(p));
    CHECK(bk_pack_cycle_count(p) >= 1);
    CHECK_EQ(bk_pack_faults(p), 0);
    printf("  day of use: %.1f ms, SOC %.1f %%, %.2f equivalent cycles\n", took * 1e3,
           bk_pack_soc(p) * 100.0, bk_pack_equivalent_cycles(p));
    bk_scenario_free(sc);
    bk_pack_destroy(p);
}
