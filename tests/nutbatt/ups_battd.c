#include "ups_battd.h"

#include <stdio.h>

const char ups_dev_online[] = UPS_IDENTITY UPS_RATINGS "battery.charge: 100\n"
                                                       "battery.runtime: 3000\n"
                                                       "battery.voltage: 27.2\n"
                                                       "ups.status: OL\n";
const char ups_dev_on_battery[] = UPS_IDENTITY UPS_RATINGS "battery.charge: 60\n"
                                                           "battery.runtime: 1200\n"
                                                           "battery.voltage: 24.8\n"
                                                           "ups.status: OB DISCHRG\n";

static bool write_machine(const nut_upsd_t *u, const char *name, char *ini, size_t len)
{
    snprintf(ini, len, "%s/%s.ini", u->dir, name);
    FILE *f = fopen(ini, "w");
    if (!f)
        return false;
    fprintf(f,
            "[machine]\nname = %s\ntime = real\n\n"
            "[battery.UPS]\nbus = nut\nnut_ups = %s\nnut_user = %s\nnut_password = %s\n"
            "nut_poll_ms = 200\nchemistry = lead-acid\ndesign_capacity_mwh = 216000\n"
            "design_voltage_mv = 24000\ncells = 12\n",
            name, nut_upsd_address(u), NUT_USER, NUT_PASSWORD);
    return fclose(f) == 0;
}

bool ups_battd_start(nut_upsd_t *u, battd_t *d, const char *name, const char *const *args)
{
    char ini[400];
    const char *argv[32] = {"--machine", ini};
    size_t n = 2;
    for (; args[n - 2]; n++) {
        if (n + 1 >= sizeof argv / sizeof *argv) {
            fprintf(stderr, "ups_battd_start: too many battd arguments\n");
            goto fail;
        }
        argv[n] = args[n - 2];
    }
    argv[n] = NULL;

    if (!write_machine(u, name, ini, sizeof ini)) {
        fprintf(stderr, "ups_battd_start: cannot write %s\n", ini);
        goto fail;
    }
    if (!battd_start(d, argv)) {
        fprintf(stderr, "ups_battd_start: battd did not start on %s\n", ini);
        goto fail;
    }
    return true;
fail:
    nut_upsd_done(u);
    return false;
}
