/* units.c: text to numbers for scenario files and machine descriptions:
 * durations ("1h30m") and quantities with a unit ("15W", "1500mA", "-10C").
 * One suffix table; no locale, no partial matches. */
#include "model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *suffix;
    double ns;
} duration_units[] = {
    {"ms", 1e6}, {"s", 1e9}, {"m", 60e9}, {"h", 3600e9}, {"d", 86400e9},
};

/* A number without sign, exponent, hex or inf: digits with one optional
 * point. Returns the characters consumed, 0 when there is no number. */
static size_t scan_number(const char *s, double *out)
{
    size_t n = 0, digits = 0;
    bool point = false;
    char buf[64];
    for (; s[n]; n++) {
        if (s[n] >= '0' && s[n] <= '9')
            digits++;
        else if (s[n] == '.' && !point)
            point = true;
        else
            break;
    }
    if (digits == 0 || n >= sizeof(buf))
        return 0;
    memcpy(buf, s, n);
    buf[n] = '\0';
    *out = strtod(buf, NULL);
    return n;
}

int bk_parse_duration_ns(const char *s, uint64_t *out)
{
    double total = 0.0, v;
    if (strcmp(s, "0") == 0) {
        *out = 0;
        return 0;
    }
    if (!*s)
        return -1;
    while (*s) {
        size_t n = scan_number(s, &v), best = 0, k = 0;
        if (n == 0)
            return -1;
        s += n;
        /* longest suffix that matches ("ms" before "m") */
        for (size_t i = 0; i < sizeof(duration_units) / sizeof(duration_units[0]); i++) {
            size_t len = strlen(duration_units[i].suffix);
            if (strncmp(s, duration_units[i].suffix, len) == 0 && len > best) {
                best = len;
                k = i;
            }
        }
        if (best == 0)
            return -1;
        s += best;
        total += v * duration_units[k].ns;
    }
    if (!(total < 1.8e19))
        return -1;
    *out = (uint64_t)llround(total);
    return 0;
}

static const struct {
    const char *suffix;
    bk_unit_t unit;
    double scale, offset;
} quantity_units[] = {
    {"W", BK_UNIT_WATT, 1.0, 0.0},        {"mW", BK_UNIT_WATT, 1e-3, 0.0},
    {"A", BK_UNIT_AMPERE, 1.0, 0.0},      {"mA", BK_UNIT_AMPERE, 1e-3, 0.0},
    {"Wh", BK_UNIT_WATT_HOUR, 1.0, 0.0},  {"mWh", BK_UNIT_WATT_HOUR, 1e-3, 0.0},
    {"%", BK_UNIT_PERCENT, 1.0, 0.0},     {"C", BK_UNIT_CELSIUS, 1.0, 0.0},
    {"K", BK_UNIT_CELSIUS, 1.0, -273.15},
};

int bk_parse_quantity(const char *s, unsigned allowed, bk_unit_t *unit, double *value)
{
    double sign = 1.0, v;
    size_t n;
    if (*s == '-' || *s == '+')
        sign = (*s++ == '-') ? -1.0 : 1.0;
    n = scan_number(s, &v);
    if (n == 0)
        return -1;
    s += n;
    for (size_t i = 0; i < sizeof(quantity_units) / sizeof(quantity_units[0]); i++) {
        if (strcmp(s, quantity_units[i].suffix) != 0)
            continue;
        if (!(allowed & (1u << quantity_units[i].unit)))
            return -1;
        *unit = quantity_units[i].unit;
        *value = sign * v * quantity_units[i].scale + quantity_units[i].offset;
        return 0;
    }
    return -1;
}
