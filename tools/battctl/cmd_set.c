/* battctl set: IOCTL_BATTERY_SET_INFORMATION (critical bias, charge,
 * discharge). Needs a handle with write access, which battd grants to
 * privileged users only: others get ERROR_ACCESS_DENIED (exit 3). */
#include "battctl.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* "250", "250mWh", "0.25Wh" -> mWh. */
static int parse_mwh(const char *s, ULONG *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || errno || v < 0)
        return -1;
    if (!strcasecmp(end, "wh"))
        v *= 1000.0;
    else if (*end && strcasecmp(end, "mwh"))
        return -1;
    if (v > 4294967294.0)
        return -1;
    *out = (ULONG)(v + 0.5);
    return 0;
}

int cmd_set(int argc, char **argv)
{
    if (argc < 1)
        return usage_error("set needs critical-bias MWH, charge or discharge");
    BATTERY_SET_INFORMATION_LEVEL level;
    ULONG bias = 0;
    int next = 1;
    if (!strcmp(argv[0], "critical-bias")) {
        if (argc < 2 || parse_mwh(argv[1], &bias) != 0)
            return usage_error("set critical-bias needs an energy (mWh, or e.g. 0.5Wh)");
        level = BatteryCriticalBias;
        next = 2;
    } else if (!strcmp(argv[0], "charge")) {
        level = BatteryCharge;
    } else if (!strcmp(argv[0], "discharge")) {
        level = BatteryDischarge;
    } else {
        return usage_error("unknown setting '%s' (critical-bias, charge, discharge)", argv[0]);
    }
    if (argc > next + 1)
        return usage_error("set %s takes at most one BATTERY", argv[0]);
    battery_t *b;
    size_t n, first, last;
    int rc = batteries_open(GENERIC_READ | GENERIC_WRITE, 0, &b, &n);
    if (rc)
        return rc;
    rc = batteries_select(b, n, argc > next ? argv[next] : NULL, &first, &last);
    if (rc)
        goto out;
    if (first != last) {
        rc = usage_error("%zu batteries: name the one to set", last - first + 1);
        goto out;
    }
    battery_t *bat = &b[first];
    battery_query_tag(bat);
    if (bat->open_rc) {
        rc = bat->open_rc;
        goto out;
    }
    if (!bat->tag) {
        fprintf(stderr, "battctl: battery %d: no battery in this slot\n", bat->index);
        rc = EXIT_NO_BATTERY;
        goto out;
    }
    /* docs: the payload starts at Buffer (offset 8); charge and discharge
     * carry none, so they send only the 8-byte header. */
    struct {
        BATTERY_SET_INFORMATION head;
        ULONG pad;
    } req;
    memset(&req, 0, sizeof req);
    req.head.BatteryTag = bat->tag;
    req.head.InformationLevel = level;
    DWORD in_len = offsetof(BATTERY_SET_INFORMATION, Buffer);
    if (level == BatteryCriticalBias) {
        memcpy(req.head.Buffer, &bias, sizeof bias);
        in_len += sizeof bias;
    }
    DWORD got = 0;
    if (!DeviceIoControl(battery_handle(bat), IOCTL_BATTERY_SET_INFORMATION, &req, in_len, NULL, 0,
                         &got, NULL)) {
        char what[96];
        snprintf(what, sizeof what, "set %s on battery %d", argv[0], bat->index);
        rc = report_error(what);
        goto out;
    }
    if (level == BatteryCriticalBias) {
        /* docs: not every battery keeps it; read back to confirm. */
        char e[32];
        if (battery_read_info(bat)) {
            fmt_energy(e, sizeof e, bat->info.CriticalBias, false);
            printf("battery %d: critical bias now %s%s\n", bat->index, e,
                   bat->info.CriticalBias == bias ? "" : " (the battery kept another value)");
        }
    } else {
        printf("battery %d: %s requested\n", bat->index, argv[0]);
    }
out:
    batteries_close(b, n);
    return rc;
}
