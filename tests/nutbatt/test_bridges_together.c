/* nutbatt and psbatt in one host: both compile drivers/common in, each with
 * its own driver table (where its BRIDGE_BATTERY sits in its extension, its
 * own steps), registry path and tag counter. Both batteries are read
 * through the whole stack, and both drivers unload clean. */
#define _GNU_SOURCE
#include "nb_fixture.h"

#include <batclass.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static bk_handle_t *open_one(bk_host_t *host, const char *want)
{
    char **paths = NULL;
    bk_handle_t *h = NULL;
    size_t n = bk_host_list_interfaces(host, &GUID_DEVICE_BATTERY, &paths);
    for (size_t i = 0; i < n && !h; i++)
        if (strcasestr(paths[i], want))
            bk_host_open(host, paths[i], BK_ACCESS_READ, &h);
    bk_host_free_list(paths, n);
    return h;
}

static bk_status_t status_of(bk_handle_t *h, BATTERY_STATUS *st)
{
    ULONG zero = 0, tag = 0;
    uint32_t got = 0;
    bk_status_t s =
        bk_ioctl(h, IOCTL_BATTERY_QUERY_TAG, &zero, sizeof zero, &tag, sizeof tag, &got);
    if (s != 0)
        return s;
    BATTERY_WAIT_STATUS w = {.BatteryTag = tag};
    return bk_ioctl(h, IOCTL_BATTERY_QUERY_STATUS, &w, sizeof w, st, sizeof *st, &got);
}

TEST(nutbatt_and_psbatt_in_one_host_each_answer_for_its_own_battery)
{
    nut_upsd_t u;
    char root[400], bat[420], ini[400], text[1600];
    BATTERY_STATUS st;
    REQUIRE(nut_upsd_start(&u, nb_dev_online));
    snprintf(root, sizeof root, "%s/power_supply", u.dir);
    snprintf(bat, sizeof bat, "%s/BAT0", root);
    mkdir(root, 0755);
    mkdir(bat, 0755);
    CHECK(fixture_put(bat, "type", "Battery\n"));
    CHECK(fixture_put(bat, "status", "Discharging\n"));
    CHECK(fixture_put(bat, "energy_full", "51300000\n"));
    CHECK(fixture_put(bat, "energy_now", "25650000\n"));
    snprintf(ini, sizeof ini, "%s/both.ini", u.dir);
    snprintf(text, sizeof text,
             "[machine]\nname = bothbridges\ntime = virtual\ncomposite_battery = no\n"
             "power_supply = %s\npower_supply_uevent = %s/uevent.sock\n\n"
             "[battery.UPS]\nbus = nut\nnut_ups = %s\nnut_user = %s\nnut_password = %s\n"
             "chemistry = lead-acid\ndesign_capacity_mwh = 100000\ndesign_voltage_mv = 12000\n"
             "cells = 6\n",
             root, u.dir, nut_upsd_address(&u), NUT_USER, NUT_PASSWORD);
    CHECK(fixture_put(u.dir, "both.ini", text));
    bk_host_t *host =
        bk_host_create(&(bk_host_options_t){.virtual_time = 1, .driver_dir = NB_DRIVER_DIR});
    REQUIRE(host);
    CHECK_STATUS(bk_host_load_machine(host, ini), 0);
    bk_host_settle(host);
    bk_handle_t *ups = open_one(host, "NUTBATT#UPS#");
    bk_handle_t *ps = open_one(host, "PSBATT#Battery#BAT0#");
    CHECK(ups != NULL);
    CHECK(ps != NULL);
    if (ups) {
        CHECK_STATUS(status_of(ups, &st), 0);
        CHECK_EQ(st.PowerState, BATTERY_POWER_ON_LINE | BATTERY_CHARGING);
        CHECK_EQ(st.Capacity, 172800); /* 80 % of 9 Ah x 24 V, as the UPS says */
        bk_close(ups);
    }
    if (ps) {
        CHECK_STATUS(status_of(ps, &st), 0);
        CHECK_EQ(st.PowerState, BATTERY_DISCHARGING);
        CHECK_EQ(st.Capacity, 25650);
        bk_close(ps);
    }
    CHECK_EQ(bk_host_destroy(host), 0); /* both unload clean, pool empty */
    nut_upsd_done(&u);
}
