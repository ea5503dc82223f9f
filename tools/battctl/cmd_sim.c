/* battctl sim: drives battd's simulated machine (AC, insertion, faults,
 * load, charge, temperature) and its virtual clock. Privileged. Device
 * names are the machine file's (BAT0, ADP1). */
#include "battctl.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct {
    const char *name;
    DWORD bit;
} faults[] = {
    {"no-answer", BATTKIT_SIM_FAULT_NO_ANSWER}, {"stuck", BATTKIT_SIM_FAULT_STUCK},
    {"sensor", BATTKIT_SIM_FAULT_SENSOR},       {"critical", BATTKIT_SIM_FAULT_CRITICAL},
    {"wrong-tag", BATTKIT_SIM_FAULT_WRONG_TAG},
};

/* A number with an optional unit suffix; false if anything else follows. */
static bool number(const char *s, const char *unit, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || errno || !isfinite(v))
        return false;
    if (*end && (!unit || strcasecmp(end, unit)))
        return false;
    *out = v;
    return true;
}

/* "90s", "5m", "1h30m", "2d", "250ms", "1.5h"; a bare number is seconds. */
static bool duration_ns(const char *s, ULONGLONG *out)
{
    static const struct {
        const char *unit;
        double ns;
    } units[] = {{"ms", 1e6}, {"s", 1e9}, {"m", 60e9}, {"h", 3600e9}, {"d", 86400e9}};
    double total = 0;
    const char *p = s;
    char *end;
    errno = 0;
    double bare = strtod(s, &end);
    if (end != s && !*end && !errno && bare >= 0 && isfinite(bare)) {
        total = bare * 1e9; /* a bare number is seconds */
        p = end;
    } else if (!*p) {
        return false;
    }
    while (*p) {
        errno = 0;
        double v = strtod(p, &end);
        if (end == p || errno || v < 0 || !isfinite(v) || *end == '.' || !*end)
            return false;
        p = end;
        size_t best = SIZE_MAX;
        for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
            size_t l = strlen(units[i].unit);
            if (!strncmp(p, units[i].unit, l) && !isalpha((unsigned char)p[l]))
                best = i;
        }
        if (best == SIZE_MAX)
            return false;
        total += v * units[best].ns;
        p += strlen(units[best].unit);
    }
    if (total > 366.0 * 86400e9)
        return false;
    *out = (ULONGLONG)total;
    return true;
}

static int sim(DWORD op, LONG value, DWORD arg2, const char *name, const char *what)
{
    int rc = ensure_connected();
    if (rc)
        return rc;
    if (!BattkitSim(op, value, arg2, name)) {
        if (GetLastError() == ERROR_FILE_NOT_FOUND || GetLastError() == ERROR_PATH_NOT_FOUND) {
            fprintf(stderr, "battctl: %s: the machine has no device '%s' (ERROR_FILE_NOT_FOUND)\n",
                    what, name ? name : "");
            return EXIT_NO_BATTERY;
        }
        return report_error(what);
    }
    printf("%s: done\n", what);
    return EXIT_OK;
}

int cmd_sim(int argc, char **argv)
{
    if (argc < 1)
        return usage_error("sim needs ac, insert, remove, fault, load, charge, temperature or "
                           "advance");
    const char *c = argv[0];
    char what[128];
    snprintf(what, sizeof what, "sim %s%s%s", c, argc > 1 ? " " : "", argc > 1 ? argv[1] : "");
    if (!strcmp(c, "ac")) {
        if (argc < 2 || argc > 3 || (strcmp(argv[1], "on") && strcmp(argv[1], "off")))
            return usage_error("sim ac on|off [ADAPTER]");
        return sim(BATTKIT_SIM_AC, !strcmp(argv[1], "on"), 0, argc == 3 ? argv[2] : NULL, what);
    }
    if (!strcmp(c, "insert") || !strcmp(c, "remove")) {
        if (argc != 2)
            return usage_error("sim %s BATTERY (a name from the machine file, e.g. BAT0)", c);
        return sim(BATTKIT_SIM_PRESENT, !strcmp(c, "insert"), 0, argv[1], what);
    }
    if (!strcmp(c, "fault")) {
        if (argc < 3 || argc > 4)
            return usage_error("sim fault BATTERY KIND [on|off]");
        DWORD bit = 0;
        for (size_t i = 0; i < sizeof faults / sizeof faults[0]; i++)
            if (!strcmp(argv[2], faults[i].name))
                bit = faults[i].bit;
        if (!bit)
            return usage_error("sim fault: unknown KIND '%s' (no-answer, stuck, sensor, critical, "
                               "wrong-tag)",
                               argv[2]);
        bool on = true;
        if (argc == 4) {
            if (strcmp(argv[3], "on") && strcmp(argv[3], "off"))
                return usage_error("sim fault: '%s' is not on or off", argv[3]);
            on = !strcmp(argv[3], "on");
        }
        snprintf(what, sizeof what, "sim fault %s %s %s", argv[1], argv[2], on ? "on" : "off");
        return sim(BATTKIT_SIM_FAULT, (LONG)bit, on, argv[1], what);
    }
    double v;
    if (!strcmp(c, "load")) {
        if (argc != 2 || !number(argv[1], "W", &v) || v < 0 || v > 10000)
            return usage_error("sim load WATTS (0 to 10000)");
        return sim(BATTKIT_SIM_LOAD, (LONG)(v * 1000 + 0.5), 0, NULL, what);
    }
    if (!strcmp(c, "charge")) {
        if (argc != 3 || !number(argv[2], "%", &v) || v < 0 || v > 100)
            return usage_error("sim charge BATTERY PERCENT (0 to 100)");
        return sim(BATTKIT_SIM_CHARGE, (LONG)(v * 100 + 0.5), 0, argv[1], what);
    }
    if (!strcmp(c, "temperature")) {
        if (argc != 3 || !number(argv[2], "C", &v) || v < -60 || v > 150)
            return usage_error("sim temperature BATTERY CELSIUS (-60 to 150)");
        return sim(BATTKIT_SIM_TEMPERATURE, (LONG)lround(v * 10), 0, argv[1], what);
    }
    if (!strcmp(c, "advance")) {
        ULONGLONG ns;
        if (argc != 2 || !duration_ns(argv[1], &ns))
            return usage_error("sim advance DURATION (e.g. 90s, 5m, 1h30m, 2d; at most 366d)");
        int rc = ensure_connected();
        if (rc)
            return rc;
        ULONGLONG now;
        if (!BattkitAdvance(ns, &now)) {
            if (GetLastError() == ERROR_NOT_SUPPORTED) {
                fprintf(stderr, "battctl: sim advance: battd runs on real time (start it with "
                                "--virtual) (ERROR_NOT_SUPPORTED)\n");
                return EXIT_OTHER;
            }
            return report_error("sim advance");
        }
        unsigned long long s = now / 1000000000ull;
        printf("virtual time now %llu:%02llu:%02llu\n", s / 3600, s / 60 % 60, s % 60);
        return EXIT_OK;
    }
    return usage_error("unknown sim command '%s'", c);
}
