/* persist.c: a pack's state as a small text blob of "key value" lines, for
 * keeping a battery's charge and age across restarts. The configuration
 * (chemistry, shape, design capacity) comes from the machine description;
 * the blob only names it so a blob for another battery is refused. */
#include "model_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BLOB_MAGIC "battkit-pack 1"

typedef enum { F_DOUBLE, F_U64, F_BOOL, F_UINT, F_CHARGER } field_type_t;

static const struct field {
    const char *key;
    field_type_t type;
    size_t offset;
} fields[] = {
    {"time_ns", F_U64, offsetof(bk_pack_t, now_ns)},
    {"soc", F_DOUBLE, offsetof(bk_pack_t, soc)},
    {"temperature_c", F_DOUBLE, offsetof(bk_pack_t, temp_c)},
    {"ambient_c", F_DOUBLE, offsetof(bk_pack_t, ambient_c)},
    {"discharged_wh", F_DOUBLE, offsetof(bk_pack_t, discharged_wh)},
    {"calendar_years", F_DOUBLE, offsetof(bk_pack_t, calendar_years)},
    {"drop_factor", F_DOUBLE, offsetof(bk_pack_t, drop_factor)},
    {"learned_fcc_wh", F_DOUBLE, offsetof(bk_pack_t, learned_fcc_wh)},
    {"charger", F_CHARGER, offsetof(bk_pack_t, charger)},
    {"ac_online", F_BOOL, offsetof(bk_pack_t, ac_online)},
    {"charge_inhibit", F_BOOL, offsetof(bk_pack_t, charge_inhibit)},
    {"depleted", F_BOOL, offsetof(bk_pack_t, depleted)},
    {"depleted_at_ns", F_U64, offsetof(bk_pack_t, depleted_at_ns)},
    {"faults", F_UINT, offsetof(bk_pack_t, faults)},
    {"out_wh", F_DOUBLE, offsetof(bk_pack_t, stats.out_wh)},
    {"in_wh", F_DOUBLE, offsetof(bk_pack_t, stats.in_wh)},
    {"loss_wh", F_DOUBLE, offsetof(bk_pack_t, stats.loss_wh)},
    {"self_discharge_wh", F_DOUBLE, offsetof(bk_pack_t, stats.self_discharge_wh)},
    {"fade_wh", F_DOUBLE, offsetof(bk_pack_t, stats.fade_wh)},
    {"initial_stored_wh", F_DOUBLE, offsetof(bk_pack_t, stats.initial_stored_wh)},
};
#define NFIELDS (sizeof(fields) / sizeof(fields[0]))

/* Appends to buf like snprintf, always counting what it would need. */
static void put(char *buf, size_t len, size_t *used, const char *fmt, ...)
{
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(*used < len ? buf + *used : NULL, *used < len ? len - *used : 0, fmt, ap);
    va_end(ap);
    if (n > 0)
        *used += (size_t)n;
}

size_t bk_pack_save(const bk_pack_t *pack, char *buf, size_t len)
{
    const char *base = (const char *)pack;
    size_t used = 0;

    if (len)
        buf[0] = '\0';
    put(buf, len, &used, "%s\nchemistry %s\nseries %u\nparallel %u\ndesign_mwh %" PRIu32 "\n",
        BLOB_MAGIC, pack->cfg.chemistry->name, pack->cfg.series, pack->cfg.parallel,
        pack->cfg.design_mwh);
    for (size_t i = 0; i < NFIELDS; i++) {
        const void *v = base + fields[i].offset;
        switch (fields[i].type) {
        case F_DOUBLE:
            put(buf, len, &used, "%s %.17g\n", fields[i].key, *(const double *)v);
            break;
        case F_U64:
            put(buf, len, &used, "%s %" PRIu64 "\n", fields[i].key, *(const uint64_t *)v);
            break;
        case F_BOOL:
            put(buf, len, &used, "%s %d\n", fields[i].key, *(const bool *)v ? 1 : 0);
            break;
        case F_UINT:
            put(buf, len, &used, "%s %u\n", fields[i].key, *(const unsigned *)v);
            break;
        case F_CHARGER:
            put(buf, len, &used, "%s %s\n", fields[i].key,
                bk_charger_state_name(*(const bk_charger_state_t *)v));
            break;
        }
    }
    return used;
}

static int fail(char *err, size_t errlen, unsigned line, const char *fmt, ...)
{
    va_list ap;
    int n = 0;
    if (errlen) {
        n = snprintf(err, errlen, "line %u: ", line);
        va_start(ap, fmt);
        if (n >= 0 && (size_t)n < errlen)
            vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return -EINVAL;
}

static int parse_value(const struct field *f, const char *text, void *dst)
{
    char *end;
    errno = 0;
    switch (f->type) {
    case F_DOUBLE: {
        double v = strtod(text, &end);
        if (end == text || *end || !isfinite(v))
            return -1;
        *(double *)dst = v;
        return 0;
    }
    case F_U64: {
        unsigned long long v = strtoull(text, &end, 10);
        if (end == text || *end || errno || text[0] == '-')
            return -1;
        *(uint64_t *)dst = v;
        return 0;
    }
    case F_BOOL:
        if (strcmp(text, "0") && strcmp(text, "1"))
            return -1;
        *(bool *)dst = text[0] == '1';
        return 0;
    case F_UINT: {
        unsigned long v = strtoul(text, &end, 10);
        if (end == text || *end || errno || v > 0xFFFFFFFFul || text[0] == '-')
            return -1;
        *(unsigned *)dst = (unsigned)v;
        return 0;
    }
    case F_CHARGER:
        for (int s = BK_CHARGER_OFF; s <= BK_CHARGER_INHIBITED; s++)
            if (strcmp(text, bk_charger_state_name((bk_charger_state_t)s)) == 0) {
                *(bk_charger_state_t *)dst = (bk_charger_state_t)s;
                return 0;
            }
        return -1;
    }
    return -1;
}

/* Checks the identity lines against the pack they are restored into. */
static int check_identity(const bk_pack_t *p, const char *key, const char *val)
{
    char want[32];
    if (strcmp(key, "chemistry") == 0)
        return bk_chemistry_find(val) == p->cfg.chemistry ? 0 : -1;
    if (strcmp(key, "series") == 0)
        snprintf(want, sizeof(want), "%u", p->cfg.series);
    else if (strcmp(key, "parallel") == 0)
        snprintf(want, sizeof(want), "%u", p->cfg.parallel);
    else
        snprintf(want, sizeof(want), "%" PRIu32, p->cfg.design_mwh);
    return strcmp(val, want) == 0 ? 0 : -1;
}

/* Parses into a copy and commits only when the whole blob is good, so a
 * bad blob leaves the pack as it was. */
int bk_pack_restore(bk_pack_t *pack, const char *text, char *err, size_t errlen)
{
    bk_pack_t tmp = *pack;
    char line[256], key[64], val[160];
    unsigned lineno = 0, seen = 0;
    bool seen_field[NFIELDS] = {false};

    while (*text) {
        size_t n = strcspn(text, "\n");
        lineno++;
        if (n >= sizeof(line))
            return fail(err, errlen, lineno, "line too long");
        memcpy(line, text, n);
        line[n] = '\0';
        text += n + (text[n] == '\n');
        if (lineno == 1) {
            if (strcmp(line, BLOB_MAGIC) != 0)
                return fail(err, errlen, lineno, "not a battkit pack blob (want \"%s\")",
                            BLOB_MAGIC);
            continue;
        }
        if (line[0] == '\0')
            continue;
        if (sscanf(line, "%63s %159s", key, val) != 2)
            return fail(err, errlen, lineno, "expected \"key value\"");
        if (!strcmp(key, "chemistry") || !strcmp(key, "series") || !strcmp(key, "parallel") ||
            !strcmp(key, "design_mwh")) {
            if (check_identity(pack, key, val) != 0)
                return fail(err, errlen, lineno, "%s %s does not match this pack", key, val);
            continue;
        }
        size_t i = 0;
        while (i < NFIELDS && strcmp(fields[i].key, key) != 0)
            i++;
        if (i == NFIELDS)
            return fail(err, errlen, lineno, "unknown key \"%s\"", key);
        if (parse_value(&fields[i], val, (char *)&tmp + fields[i].offset) != 0)
            return fail(err, errlen, lineno, "bad value \"%s\" for %s", val, key);
        if (!seen_field[i])
            seen++;
        seen_field[i] = true;
    }
    if (lineno == 0)
        return fail(err, errlen, 1, "empty blob");
    if (seen != NFIELDS) {
        for (size_t i = 0; i < NFIELDS; i++)
            if (!seen_field[i])
                return fail(err, errlen, lineno, "missing key \"%s\"", fields[i].key);
    }
    if (!(tmp.soc >= 0.0 && tmp.soc <= 1.0) ||
        !(tmp.drop_factor > 0.0 && tmp.drop_factor <= 10.0) || tmp.discharged_wh < 0.0 ||
        tmp.calendar_years < 0.0 || tmp.learned_fcc_wh < 0.0)
        return fail(err, errlen, lineno, "values out of range");
    /* Capacity follows from the ageing state; the stats already include the
     * fade that led there, so nothing is booked. */
    tmp.q_full_ah = tmp.q_design_ah;
    {
        double fade_before = tmp.stats.fade_wh;
        bk_pack_update_capacity(&tmp);
        tmp.stats.fade_wh = fade_before;
    }
    tmp.current_a = 0.0;
    tmp.load_start_ns = tmp.now_ns;
    tmp.load = pack->load;
    if (tmp.faults & BK_FAULT_STUCK)
        bk_pack_read_live(&tmp, &tmp.stuck);
    *pack = tmp;
    return 0;
}
