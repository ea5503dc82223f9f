/* The nutbatt tests' fixture (nb_fixture.h). */
#define _GNU_SOURCE
#include <initguid.h>
#include "nb_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef NB_DRIVER_DIR
#error "NB_DRIVER_DIR must name the built drivers"
#endif

const char nb_dev_online[] = "device.mfr: Eaton\n"
                             "device.model: 5E 1100i\n"
                             "device.serial: G123\n"
                             "battery.charge: 80\n"
                             "battery.charge.low: 20\n"
                             "battery.charge.warning: 35\n"
                             "battery.runtime: 1800\n"
                             "battery.voltage: 26.4\n"
                             "battery.voltage.nominal: 24\n"
                             "battery.capacity: 9\n"
                             "battery.type: PbAc\n"
                             "ups.status: OL CHRG\n";

static bool nb_start_full(nb_t *nb, const char *dev, const char *extra, const char *ups_name,
                          bool need_battery)
{
    char text[2048], address[128];
    memset(nb, 0, sizeof *nb);
    if (!nut_upsd_start(&nb->ups, dev)) {
        bk_test_fail(__FILE__, __LINE__, "upsd: %s", nb->ups.why);
        return false;
    }
    snprintf(nb->ini, sizeof nb->ini, "%s/machine.ini", nb->ups.dir);
    if (strchr(ups_name, '@'))
        snprintf(address, sizeof address, "%s", ups_name); /* a whole address */
    else
        snprintf(address, sizeof address, "%s@127.0.0.1:%u", ups_name, nb->ups.port);
    snprintf(text, sizeof text,
             "[machine]\nname = nuttest\ntime = virtual\ncomposite_battery = no\n\n"
             "[battery.UPS]\nbus = nut\nnut_ups = %s\nnut_user = %s\nnut_password = %s\n"
             "nut_poll_ms = %u\nchemistry = lead-acid\ndesign_capacity_mwh = 100000\n"
             "design_voltage_mv = 12000\ncells = 6\nmanufacturer = Machine Mfr\n"
             "model = Machine Model\nserial = M1\n%s",
             address, NUT_USER, NUT_PASSWORD, NB_POLL_MS, extra ? extra : "");
    FILE *f = fopen(nb->ini, "w");
    if (!f)
        return false;
    fputs(text, f);
    fclose(f);
    nb->host = bk_host_create(&(bk_host_options_t){.virtual_time = 1, .driver_dir = NB_DRIVER_DIR});
    if (!nb->host)
        return false;
    bk_status_t s = bk_host_load_machine(nb->host, nb->ini);
    if (s != 0) {
        bk_test_fail(__FILE__, __LINE__, "load machine: 0x%08x %s", (unsigned)s,
                     bk_platform_last_error());
        return false;
    }
    bk_host_settle(nb->host);
    char **paths = NULL;
    size_t n = bk_host_list_interfaces(nb->host, &GUID_DEVICE_BATTERY, &paths);
    for (size_t i = 0; i < n && !nb->battery; i++)
        if (strcasestr(paths[i], "NUTBATT#UPS#"))
            bk_host_open(nb->host, paths[i], BK_ACCESS_READ | BK_ACCESS_WRITE, &nb->battery);
    bk_host_free_list(paths, n);
    if (!need_battery)
        return true;
    if (!nb->battery)
        bk_test_fail(__FILE__, __LINE__, "no NUTBATT\\UPS battery interface (%zu interfaces)", n);
    return nb->battery != NULL;
}

bool nb_start(nb_t *nb, const char *dev, const char *extra)
{
    return nb_start_full(nb, dev, extra, NUT_UPS_NAME, true);
}

bool nb_start_ups(nb_t *nb, const char *dev, const char *ups_name)
{
    return nb_start_full(nb, dev, NULL, ups_name, true);
}

bool nb_start_address(nb_t *nb, const char *dev, const char *address)
{
    return nb_start_full(nb, dev, NULL, address, false);
}

void nb_poll(nb_t *nb)
{
    bk_host_advance(nb->host, (uint64_t)NB_POLL_MS * 1000000ull);
}

bool nb_set(nb_t *nb, const char *dev)
{
    if (!nut_upsd_set(&nb->ups, dev)) {
        bk_test_fail(__FILE__, __LINE__, "upsd: %s", nb->ups.why);
        return false;
    }
    nb_poll(nb);
    return true;
}

void nb_done(nb_t *nb)
{
    if (nb->battery)
        bk_close(nb->battery);
    if (nb->host) {
        int leaks = bk_host_destroy(nb->host);
        if (leaks)
            bk_test_fail(__FILE__, __LINE__, "host destroy: %s", bk_host_last_report());
    }
    nut_upsd_done(&nb->ups);
}

bk_status_t nb_tag(nb_t *nb, ULONG *tag)
{
    ULONG wait = 0;
    uint32_t got = 0;
    *tag = 0;
    return bk_ioctl(nb->battery, IOCTL_BATTERY_QUERY_TAG, &wait, sizeof wait, tag, sizeof *tag,
                    &got);
}

bk_status_t nb_info(nb_t *nb, ULONG tag, ULONG level, LONG at_rate, void *out, ULONG len,
                    uint32_t *returned)
{
    BATTERY_QUERY_INFORMATION q = {.BatteryTag = tag,
                                   .InformationLevel = (BATTERY_QUERY_INFORMATION_LEVEL)level,
                                   .AtRate = at_rate};
    uint32_t got = 0;
    bk_status_t s =
        bk_ioctl(nb->battery, IOCTL_BATTERY_QUERY_INFORMATION, &q, sizeof q, out, len, &got);
    if (returned)
        *returned = got;
    return s;
}

bk_status_t nb_status(nb_t *nb, ULONG tag, BATTERY_STATUS *st)
{
    BATTERY_WAIT_STATUS w = {.BatteryTag = tag};
    uint32_t got = 0;
    memset(st, 0, sizeof *st);
    return bk_ioctl(nb->battery, IOCTL_BATTERY_QUERY_STATUS, &w, sizeof w, st, sizeof *st, &got);
}

void nb_ascii(const void *wide, uint32_t bytes, char *out, size_t len)
{
    const uint16_t *p = wide;
    size_t i;
    for (i = 0; i < bytes / 2 && i + 1 < len && p[i]; i++)
        out[i] = (char)p[i];
    out[i] = 0;
}
