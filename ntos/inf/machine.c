/* machine.c: battkit's machine description (docs/machine-format.md) read with
 * the INF reader into bk_machine_t. Stricter than INF: unknown sections and
 * keys, duplicate sections and keys, bad numbers and values out of range are
 * errors with file and line, and a file with any error is refused whole. */
#include "machine_internal.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct mparse {
    bk_machine_t *m;
    bk_diags_t *diags;
    const char *dir; /* for relative paths; NULL: keep them as written */
    bool oom;
} mparse_t;

static const struct {
    const char *prefix; /* section name, or prefix before ".NAME" */
    mk_section_t kind;
    bool named;
} section_kinds[] = {
    {"machine", MS_MACHINE, false}, {"load", MS_LOAD, false},
    {"battery", MS_BATTERY, true},  {"ac", MS_AC, true},
    {"device", MS_DEVICE, true},
};

static char *dup_str(mparse_t *p, const char *s)
{
    char *d = strdup(s);
    if (!d)
        p->oom = true;
    return d;
}

static bool leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : days[m - 1];
}

static int parse_date(const char *s, bk_machine_date_t *d, const char **rest)
{
    int n = 0;
    if (sscanf(s, "%4d-%2d-%2d%n", &d->year, &d->month, &d->day, &n) != 3 || n != 10 ||
        d->year < 1970 || d->year > 9999 || d->month < 1 || d->month > 12 || d->day < 1 ||
        d->day > days_in_month(d->year, d->month))
        return -1;
    *rest = s + n;
    return 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static int64_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int parse_time(const char *s, int64_t *out)
{
    bk_machine_date_t d;
    const char *r;
    int hh, mm, ss, n = 0;
    if (bk_strcaseeq(s, "now")) {
        *out = -1;
        return 0;
    }
    if (parse_date(s, &d, &r) || (*r != 'T' && *r != 't' && *r != ' ') ||
        sscanf(r + 1, "%2d:%2d:%2d%n", &hh, &mm, &ss, &n) != 3 || n != 8 || hh > 23 || mm > 59 ||
        ss > 59 || hh < 0 || mm < 0 || ss < 0)
        return -1;
    r += 1 + n;
    if (*r == 'Z' || *r == 'z')
        r++;
    if (*r)
        return -1;
    *out = days_from_civil(d.year, d.month, d.day) * 86400 + hh * 3600 + mm * 60 + ss;
    return 0;
}

static char *resolve_path(mparse_t *p, const char *path)
{
    if (!p->dir || path[0] == '/')
        return dup_str(p, path);
    size_t n = strlen(p->dir) + strlen(path) + 2;
    char *r = malloc(n);
    if (!r) {
        p->oom = true;
        return NULL;
    }
    snprintf(r, n, "%s/%s", p->dir, path);
    return r;
}

static void list_names(const mk_name_t *names, char *buf, size_t size)
{
    size_t n = 0;
    buf[0] = '\0';
    for (const mk_name_t *x = names; x->name; x++) {
        const char *sep = x == names ? "" : x[1].name ? ", " : " or ";
        int w = snprintf(buf + n, size - n, "%s%s", sep, x->name);
        if (w < 0 || (size_t)w >= size - n)
            break;
        n += (size_t)w;
    }
}

/* Sets one key from its text. line NULL: a default from the table, which is
 * valid by construction (tests load every default). */
static int set_key(mparse_t *p, const mk_key_t *k, void *base, const bk_ini_line_t *line,
                   const char *text)
{
    void *field = (char *)base + k->offset;
    const char *file = line ? line->file : "";
    int lno = line ? line->line : 0;
    bk_diags_t *diags = line ? p->diags : NULL;
    switch (k->type) {
    case MK_UINT: {
        unsigned long v;
        if (bk_parse_ulong(text, &v)) {
            bk_diags_add(diags, file, lno, BK_SEV_ERROR, "%s = %s: not a whole number", k->name,
                         text);
            return -1;
        }
        if ((double)v < k->min || (double)v > k->max) {
            bk_diags_add(diags, file, lno, BK_SEV_ERROR, "%s = %lu is out of range (%.0f..%.0f)",
                         k->name, v, k->min, k->max);
            return -1;
        }
        *(uint32_t *)field = (uint32_t)v;
        return 0;
    }
    case MK_REAL: {
        char *end;
        double v = strtod(text, &end);
        if (!*text || *end || isspace((unsigned char)*text) || !isfinite(v)) {
            bk_diags_add(diags, file, lno, BK_SEV_ERROR, "%s = %s: not a number", k->name, text);
            return -1;
        }
        if (v < k->min || v > k->max) {
            bk_diags_add(diags, file, lno, BK_SEV_ERROR, "%s = %s is out of range (%g..%g)",
                         k->name, text, k->min, k->max);
            return -1;
        }
        *(double *)field = v;
        return 0;
    }
    case MK_ENUM:
        for (const mk_name_t *x = k->names; x->name; x++) {
            if (bk_strcaseeq(x->name, text)) {
                *(int *)field = x->value;
                return 0;
            }
        }
        {
            char expected[160];
            list_names(k->names, expected, sizeof(expected));
            bk_diags_add(diags, file, lno, BK_SEV_ERROR, "%s = %s: expected %s", k->name, text,
                         expected);
        }
        return -1;
    case MK_BOOL: {
        static const char *const yes[] = {"yes", "true", "on", "1"};
        static const char *const no[] = {"no", "false", "off", "0"};
        for (size_t i = 0; i < 4; i++) {
            if (bk_strcaseeq(text, yes[i]) || bk_strcaseeq(text, no[i])) {
                *(bool *)field = bk_strcaseeq(text, yes[i]);
                return 0;
            }
        }
        bk_diags_add(diags, file, lno, BK_SEV_ERROR, "%s = %s: expected yes or no", k->name, text);
        return -1;
    }
    case MK_STRING:
    case MK_PATH: {
        size_t n = strlen(text);
        if ((double)n < k->min || (double)n > k->max) {
            bk_diags_add(diags, file, lno, BK_SEV_ERROR,
                         n ? "%s is %zu characters long (at most %.0f)" : "%s is empty", k->name, n,
                         k->max);
            return -1;
        }
        char **dst = field;
        free(*dst);
        *dst = k->type == MK_PATH ? resolve_path(p, text) : dup_str(p, text);
        return 0;
    }
    case MK_DATE: {
        bk_machine_date_t d;
        const char *rest;
        if (parse_date(text, &d, &rest) || *rest) {
            bk_diags_add(diags, file, lno, BK_SEV_ERROR, "%s = %s: expected a date YYYY-MM-DD",
                         k->name, text);
            return -1;
        }
        *(bk_machine_date_t *)field = d;
        return 0;
    }
    case MK_TIME:
        if (parse_time(text, (int64_t *)field)) {
            bk_diags_add(diags, file, lno, BK_SEV_ERROR,
                         "%s = %s: expected YYYY-MM-DDTHH:MM:SSZ (UTC) or now", k->name, text);
            return -1;
        }
        return 0;
    case MK_IDLIST: {
        char ***list = field;
        size_t *count = (size_t *)((char *)field - sizeof(size_t));
        for (size_t i = 0; i < *count; i++)
            free((*list)[i]);
        free(*list);
        *list = NULL;
        *count = 0;
        if (!line)
            return 0;
        *list = calloc(line->nfields, sizeof(char *));
        if (!*list) {
            p->oom = true;
            return -1;
        }
        for (size_t i = 0; i < line->nfields; i++) {
            const char *id = line->fields[i];
            if (!*id)
                continue;
            if ((double)strlen(id) > k->max) {
                bk_diags_add(diags, file, lno, BK_SEV_ERROR, "%s: ID longer than %.0f", k->name,
                             k->max);
                return -1;
            }
            (*list)[(*count)++] = dup_str(p, id);
        }
        return 0;
    }
    }
    return -1;
}

static void apply_defaults(mparse_t *p, mk_section_t kind, void *base)
{
    for (size_t i = 0; i < bk_machine_key_count; i++) {
        const mk_key_t *k = &bk_machine_keys[i];
        if (k->section == kind && k->def)
            set_key(p, k, base, NULL, k->def);
    }
}

static int valid_name(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > BK_MACHINE_NAME_MAX)
        return 0;
    for (; *s; s++) {
        if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-')
            return 0;
    }
    return 1;
}

static void check_battery(mparse_t *p, const bk_ini_section_t *sec, bk_machine_battery_t *b)
{
    bk_diags_t *diags = p->diags;
    const char *f = sec->file;
    if (b->full_charge_capacity_mwh > b->design_capacity_mwh)
        bk_diags_add(diags, f, sec->line, BK_SEV_WARNING,
                     "[%s]: full_charge_capacity_mwh %u is above design_capacity_mwh %u", sec->name,
                     b->full_charge_capacity_mwh, b->design_capacity_mwh);
    if (b->warning_capacity_mwh > b->design_capacity_mwh)
        bk_diags_add(diags, f, sec->line, BK_SEV_ERROR,
                     "[%s]: warning_capacity_mwh %u is above design_capacity_mwh %u", sec->name,
                     b->warning_capacity_mwh, b->design_capacity_mwh);
    if (b->warning_capacity_mwh && b->low_capacity_mwh > b->warning_capacity_mwh)
        bk_diags_add(diags, f, sec->line, BK_SEV_ERROR,
                     "[%s]: low_capacity_mwh %u is above warning_capacity_mwh %u", sec->name,
                     b->low_capacity_mwh, b->warning_capacity_mwh);
    /* Nominal cell voltages: Li-ion 3.6-3.85 V, lead-acid 2.0 V. */
    static const struct {
        bk_machine_chemistry_t chem;
        unsigned lo, hi;
    } cell_mv[] = {{BK_MACHINE_LI_ION, 3000, 4200}, {BK_MACHINE_LEAD_ACID, 1900, 2200}};
    for (size_t i = 0; i < sizeof(cell_mv) / sizeof(cell_mv[0]); i++) {
        unsigned per = b->cells ? b->design_voltage_mv / b->cells : 0;
        if (cell_mv[i].chem == b->chemistry && b->cells &&
            (per < cell_mv[i].lo || per > cell_mv[i].hi))
            bk_diags_add(diags, f, sec->line, BK_SEV_WARNING,
                         "[%s]: %u mV per cell is unusual for %s (%u..%u)", sec->name, per,
                         bk_machine_chemistry_name(b->chemistry), cell_mv[i].lo, cell_mv[i].hi);
    }
    if (b->bus == BK_MACHINE_BUS_NUT && !b->nut_ups)
        bk_diags_add(diags, f, sec->line, BK_SEV_ERROR,
                     "[%s]: bus = nut needs nut_ups = upsname@host", sec->name);
    if (b->bus != BK_MACHINE_BUS_NUT && b->nut_ups)
        bk_diags_add(diags, f, sec->line, BK_SEV_WARNING,
                     "[%s]: nut_ups is only used with bus = nut", sec->name);
    if (b->bus != BK_MACHINE_BUS_ACPI && b->firmware != BK_MACHINE_FIRMWARE_BIX)
        bk_diags_add(diags, f, sec->line, BK_SEV_WARNING,
                     "[%s]: firmware only applies to bus = acpi", sec->name);
}

/* Adds an element to one of the machine's arrays; NULL on OOM. */
static void *grow(mparse_t *p, void **array, size_t *n, size_t elem)
{
    void *a = realloc(*array, (*n + 1) * elem);
    if (!a) {
        p->oom = true;
        return NULL;
    }
    *array = a;
    void *e = (char *)a + *n * elem;
    memset(e, 0, elem);
    (*n)++;
    return e;
}

static void parse_section(mparse_t *p, const bk_ini_section_t *sec)
{
    bk_diags_t *diags = p->diags;
    bk_machine_t *m = p->m;
    const char *dot = strchr(sec->name, '.');
    size_t plen = dot ? (size_t)(dot - sec->name) : strlen(sec->name);
    size_t kind;
    for (kind = 0; kind < sizeof(section_kinds) / sizeof(section_kinds[0]); kind++) {
        if (strlen(section_kinds[kind].prefix) == plen &&
            bk_strncaseeq(sec->name, section_kinds[kind].prefix, plen))
            break;
    }
    if (kind == sizeof(section_kinds) / sizeof(section_kinds[0]) ||
        section_kinds[kind].named != (dot != NULL)) {
        bk_diags_add(diags, sec->file, sec->line, BK_SEV_ERROR,
                     "unknown section [%s] (expected [machine], [load], [battery.NAME], "
                     "[ac.NAME] or [device.NAME])",
                     sec->name);
        return;
    }
    if (sec->declarations > 1)
        bk_diags_add(diags, sec->file, sec->dup_line, BK_SEV_ERROR,
                     "duplicate section [%s] (first at line %d)", sec->name, sec->line);
    const char *name = dot ? dot + 1 : NULL;
    if (name && !valid_name(name)) {
        bk_diags_add(diags, sec->file, sec->line, BK_SEV_ERROR,
                     "name '%s' in [%s] must be 1..%d letters, digits, '_' or '-'", name, sec->name,
                     BK_MACHINE_NAME_MAX);
        return;
    }

    mk_section_t k = section_kinds[kind].kind;
    void *base = m;
    int *line_field = NULL;
    char **name_field = NULL;
    if (k == MS_BATTERY) {
        bk_machine_battery_t *b = grow(p, (void **)&m->batteries, &m->nbatteries, sizeof(*b));
        if (!b)
            return;
        base = b, line_field = &b->line, name_field = &b->name;
    } else if (k == MS_AC) {
        bk_machine_ac_t *a = grow(p, (void **)&m->acs, &m->nacs, sizeof(*a));
        if (!a)
            return;
        base = a, line_field = &a->line, name_field = &a->name;
    } else if (k == MS_DEVICE) {
        bk_machine_device_t *d = grow(p, (void **)&m->devices, &m->ndevices, sizeof(*d));
        if (!d)
            return;
        base = d, line_field = &d->line, name_field = &d->name;
    }
    if (name_field) {
        *name_field = dup_str(p, name);
        *line_field = sec->line;
        apply_defaults(p, k, base);
    }

    int first_line[MK_MAX_KEYS] = {0}; /* per key of the table: where it was set */
    for (size_t i = 0; i < sec->nlines; i++) {
        const bk_ini_line_t *l = &sec->lines[i];
        if (!l->key) {
            bk_diags_add(diags, l->file, l->line, BK_SEV_ERROR, "expected key = value");
            continue;
        }
        size_t ki;
        for (ki = 0; ki < bk_machine_key_count; ki++) {
            if (bk_machine_keys[ki].section == k && bk_strcaseeq(bk_machine_keys[ki].name, l->key))
                break;
        }
        if (ki == bk_machine_key_count) {
            bk_diags_add(diags, l->file, l->line, BK_SEV_ERROR, "unknown key '%s' in [%s]", l->key,
                         sec->name);
            continue;
        }
        if (first_line[ki]) {
            bk_diags_add(diags, l->file, l->line, BK_SEV_ERROR,
                         "duplicate key '%s' (first at line %d)", l->key, first_line[ki]);
            continue;
        }
        first_line[ki] = l->line;
        set_key(p, &bk_machine_keys[ki], base, l, l->value);
    }
    for (size_t ki = 0; ki < bk_machine_key_count; ki++) {
        const mk_key_t *key = &bk_machine_keys[ki];
        if (key->section == k && key->required && !first_line[ki])
            bk_diags_add(diags, sec->file, sec->line, BK_SEV_ERROR, "[%s] needs %s (%s)", sec->name,
                         key->name, key->help);
    }
    if (k == MS_BATTERY) {
        check_battery(p, sec, base);
    } else if (k == MS_DEVICE) {
        bk_machine_device_t *d = base;
        /* Neither: the driver comes from the installed INFs by hardware ID. */
        if (d->service && d->driver)
            bk_diags_add(diags, sec->file, sec->line, BK_SEV_ERROR,
                         "[%s] takes at most one of service = NAME or driver = PATH", sec->name);
    }
}

static int parse(mparse_t *p, const char *name, const void *text, size_t size)
{
    bk_machine_t *m = p->m;
    size_t errors = p->diags->errors;
    bk_ini_options_t io = {.substitute = false};
    bk_ini_t *ini = bk_ini_load_buffer(name, text, size, &io, p->diags);
    if (!ini)
        return -1;
    m->file = dup_str(p, name);
    apply_defaults(p, MS_MACHINE, m);
    apply_defaults(p, MS_LOAD, m);
    for (size_t i = 0; i < bk_ini_section_count(ini); i++)
        parse_section(p, bk_ini_section_at(ini, i));
    size_t acpi_ac = 0;
    for (size_t i = 0; i < m->nacs; i++)
        acpi_ac += m->acs[i].bus == BK_MACHINE_BUS_ACPI;
    if (acpi_ac > 1)
        bk_diags_add(p->diags, name, m->acs[1].line, BK_SEV_WARNING,
                     "more than one ACPI AC adapter: Windows expects one ACPI0003 that "
                     "multiplexes all inputs");
    if (p->oom)
        bk_diags_add(p->diags, name, 1, BK_SEV_ERROR, "out of memory");
    bk_ini_free(ini);
    return p->diags->errors > errors ? -1 : 0;
}

int bk_machine_load_buffer(const char *name, const void *text, size_t size, bk_machine_t *out,
                           bk_diags_t *diags)
{
    bk_diags_t local = {0};
    mparse_t p = {.m = out, .diags = diags ? diags : &local};
    memset(out, 0, sizeof(*out));
    if (!name)
        name = "<buffer>";
    /* Paths are relative to the file; a pseudo-name like "<default>" has none. */
    char *dir = NULL;
    const char *slash = strrchr(name, '/');
    if (name[0] != '<')
        dir = slash ? strndup(name, slash == name ? 1 : (size_t)(slash - name)) : strdup(".");
    p.dir = dir;
    int rc = parse(&p, name, text, size);
    free(dir);
    if (rc)
        bk_machine_free(out);
    bk_diags_free(&local);
    return rc;
}

int bk_machine_load_file(const char *path, bk_machine_t *out, bk_diags_t *diags)
{
    memset(out, 0, sizeof(*out));
    FILE *f = fopen(path, "rb");
    if (!f) {
        bk_diags_add(diags, path, 1, BK_SEV_ERROR, "cannot open: %s", strerror(errno));
        return -1;
    }
    /* Machine files are small: read up to 1 MiB and refuse more. */
    size_t cap = 1u << 20;
    char *buf = malloc(cap + 1);
    size_t n = buf ? fread(buf, 1, cap + 1, f) : 0;
    fclose(f);
    int rc = -1;
    if (!buf)
        bk_diags_add(diags, path, 1, BK_SEV_ERROR, "out of memory");
    else if (n > cap)
        bk_diags_add(diags, path, 1, BK_SEV_ERROR, "file larger than 1 MiB");
    else
        rc = bk_machine_load_buffer(path, buf, n, out, diags);
    free(buf);
    return rc;
}

int bk_machine_load_default(bk_machine_t *out, bk_diags_t *diags)
{
    return bk_machine_load_buffer(BK_MACHINE_DEFAULT_NAME, bk_machine_default_text,
                                  strlen(bk_machine_default_text), out, diags);
}

void bk_machine_free(bk_machine_t *m)
{
    for (size_t i = 0; i < m->nbatteries; i++) {
        bk_machine_battery_t *b = &m->batteries[i];
        free(b->name);
        free(b->manufacturer);
        free(b->model);
        free(b->serial);
        free(b->nut_ups);
        free(b->nut_user);
        free(b->nut_password);
    }
    for (size_t i = 0; i < m->nacs; i++)
        free(m->acs[i].name);
    for (size_t i = 0; i < m->ndevices; i++) {
        bk_machine_device_t *d = &m->devices[i];
        free(d->name);
        free(d->hardware_id);
        for (size_t j = 0; j < d->ncompatible_ids; j++)
            free(d->compatible_ids[j]);
        free(d->compatible_ids);
        free(d->service);
        free(d->driver);
    }
    free(m->batteries);
    free(m->acs);
    free(m->devices);
    free(m->file);
    free(m->name);
    free(m->load_scenario);
    free(m->power_supply);
    free(m->power_supply_uevent);
    memset(m, 0, sizeof(*m));
}
