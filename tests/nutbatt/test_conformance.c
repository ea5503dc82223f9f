/* nutbatt through the miniclass conformance suite (tests/conformance) on a
 * host on virtual time, against a real upsd and dummy-ups: a controller
 * that changes the UPS the way the world would (upsd stopped and started,
 * the UPS on line or on battery), waits until upsd itself reports it, then
 * lets one of the driver's poll intervals pass, as the hardware "tells"
 * nutbatt: upsd has no push to plain clients. */
#include "nb_fixture.h"

#include <conformance.h>
#include <stdio.h>
#include <string.h>

static nb_t *under_test;

static int ctl_open(const bk_conformance_target_t *target, void **state)
{
    (void)target;
    *state = under_test;
    return 0;
}

static void ctl_close(void *state)
{
    (void)state;
}

static bk_status_t ctl_insert(void *state)
{
    nb_t *nb = state;
    if (nb->ups.upsd <= 0 && !nut_upsd_start_server(&nb->ups))
        return (bk_status_t)STATUS_UNSUCCESSFUL;
    nb_poll(nb);
    return 0;
}

static bk_status_t ctl_remove(void *state)
{
    nb_t *nb = state;
    if (nb->ups.upsd > 0 && !nut_upsd_stop_server(&nb->ups))
        return (bk_status_t)STATUS_UNSUCCESSFUL;
    nb_poll(nb);
    return 0;
}

static bk_status_t ctl_set_ac(void *state, int online)
{
    nb_t *nb = state;
    char dev[1024];
    snprintf(dev, sizeof dev, "%sups.status: %s\n",
             "device.mfr: Eaton\ndevice.model: 5E 1100i\ndevice.serial: G123\n"
             "battery.charge: 80\nbattery.charge.low: 20\nbattery.charge.warning: 35\n"
             "battery.runtime: 1800\nbattery.voltage: 26.4\nbattery.voltage.nominal: 24\n"
             "battery.capacity: 9\nbattery.type: PbAc\nbattery.temperature: 28\n"
             "battery.mfr.date: 2022/05/17\n",
             online ? "OL CHRG" : "OB DISCHRG");
    if (!nut_upsd_set(&nb->ups, dev))
        return (bk_status_t)STATUS_UNSUCCESSFUL;
    nb_poll(nb);
    return 0;
}

static const bk_conformance_controller_t nutctl = {
    .name = "nutbatt-upsd",
    .open = ctl_open,
    .close = ctl_close,
    .insert = ctl_insert,
    .remove = ctl_remove,
    .set_ac = ctl_set_ac,
    .real_time = 1, /* upsd and dummy-ups run on real time */
};

TEST(nutbatt_against_a_real_upsd_passes_the_conformance_suite)
{
    nb_t nb;
    REQUIRE(nb_start(&nb, nb_dev_online, NULL));
    REQUIRE(ctl_set_ac(&nb, 1) == 0); /* the full set of variables, temperature and date too */
    bk_close(nb.battery);
    nb.battery = NULL;
    under_test = &nb;
    bk_conformance_options_t o = {.controller = &nutctl, .out = stdout};
    bk_conformance_report_t r = {0};
    int failures = bk_conformance_run(nb.host, &o, &r);
    bk_conformance_print_summary(&r, stdout);
    CHECK_EQ(failures, 0);
    CHECK(r.passed >= 30);
    bk_conformance_report_free(&r);
    nb_done(&nb);
}
