/* psbatt through the miniclass conformance suite (tests/conformance), on
 * virtual time, over a fake power_supply tree: a controller that changes
 * the tree as the kernel would and sends the uevent the kernel would. */
#include "ps_fixture.h"

#include <conformance.h>
#include <stdlib.h>

typedef struct ps_ctl {
    ps_t *ps;
} ps_ctl_t;

static ps_t *ps_under_test;

static int psctl_open(const bk_conformance_target_t *target, void **state)
{
    (void)target;
    *state = ps_under_test;
    return 0;
}

static void psctl_close(void *state)
{
    (void)state;
}

static bk_status_t psctl_insert(void *state)
{
    ps_t *ps = state;
    ps_set(ps, "BAT0", "present", "1");
    ps_uevent(ps, "BAT0");
    return 0;
}

static bk_status_t psctl_remove(void *state)
{
    ps_t *ps = state;
    ps_set(ps, "BAT0", "present", "0");
    ps_uevent(ps, "BAT0");
    return 0;
}

static bk_status_t psctl_set_ac(void *state, int online)
{
    ps_t *ps = state;
    ps_mains(ps, "AC", online);
    ps_set(ps, "BAT0", "status", online ? "Charging" : "Discharging");
    ps_uevent(ps, "AC");
    return 0;
}

static const bk_conformance_controller_t psctl = {
    .name = "psbatt-sysfs",
    .open = psctl_open,
    .close = psctl_close,
    .insert = psctl_insert,
    .remove = psctl_remove,
    .set_ac = psctl_set_ac,
};

static int run_suite(ps_t *ps)
{
    bk_conformance_options_t o = {.controller = &psctl, .out = stdout};
    bk_conformance_report_t r = {0};
    ps_under_test = ps;
    int failures = bk_conformance_run(ps->host, &o, &r);
    bk_conformance_print_summary(&r, stdout);
    bk_conformance_report_free(&r);
    return failures;
}

TEST(psbatt_energy_battery_passes_the_conformance_suite)
{
    ps_t ps;
    ps_init(&ps, 1, 5000);
    ps_energy_battery(&ps, "BAT0");
    ps_mains(&ps, "AC", 1);
    ps_set(&ps, "BAT0", "status", "Charging");
    REQUIRE(ps_start(&ps) == 0);
    REQUIRE(ps_wait_batteries(&ps, 1));
    CHECK_EQ(run_suite(&ps), 0);
    ps_done(&ps);
}

TEST(psbatt_charge_battery_passes_the_conformance_suite)
{
    ps_t ps;
    ps_init(&ps, 1, 5000);
    ps_set(&ps, "BAT0", "type", "Battery");
    ps_set(&ps, "BAT0", "status", "Discharging");
    ps_set(&ps, "BAT0", "technology", "Li-poly");
    ps_set(&ps, "BAT0", "charge_full_design", "4000000");
    ps_set(&ps, "BAT0", "charge_full", "3800000");
    ps_set(&ps, "BAT0", "charge_now", "1900000");
    ps_set(&ps, "BAT0", "voltage_min_design", "7600000");
    ps_set(&ps, "BAT0", "voltage_now", "7900000");
    ps_set(&ps, "BAT0", "current_now", "900000");
    ps_set(&ps, "BAT0", "temp", "290");
    ps_set(&ps, "BAT0", "model_name", "P42");
    ps_mains(&ps, "AC", 0);
    REQUIRE(ps_start(&ps) == 0);
    REQUIRE(ps_wait_batteries(&ps, 1));
    CHECK_EQ(run_suite(&ps), 0);
    ps_done(&ps);
}
