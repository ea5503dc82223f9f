/* summary.json and the merged table's columns: one table of fields drives
 * the writer, the reader and the CSV, so a new figure is one line here. */
#include "sim.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

typedef enum { F_STR, F_DOUBLE, F_U64 } field_type_t;
static const char *const type_names[] = {
    [F_STR] = "a string", [F_DOUBLE] = "a number", [F_U64] = "a count"};

typedef struct field {
    const char *name;
    field_type_t type;
    size_t offset, size;
} field_t;

static const field_t fields[] = {
#define STR(f)                                                                                     \
    {                                                                                              \
#f, F_STR, offsetof(sim_summary_t, f), sizeof(((sim_summary_t *)0)->f)                     \
    }
#define DOUBLE(f)                                                                                  \
    {                                                                                              \
#f, F_DOUBLE, offsetof(sim_summary_t, f), sizeof(double)                                   \
    }
#define U64(f)                                                                                     \
    {                                                                                              \
#f, F_U64, offsetof(sim_summary_t, f), sizeof(uint64_t)                                    \
    }
    STR(id),
    STR(machine),
    STR(scenario),
    STR(params),
    DOUBLE(duration_s),
    U64(samples),
    DOUBLE(time_to_low_s),
    DOUBLE(time_to_critical_s),
    DOUBLE(time_to_empty_s),
    DOUBLE(time_to_full_s),
    DOUBLE(final_percent),
    DOUBLE(energy_drawn_wh),
    DOUBLE(estimate_error_mean_pct),
    DOUBLE(estimate_error_max_pct),
    U64(estimate_samples),
    U64(policy_actions),
    STR(actions),
#undef STR
#undef DOUBLE
#undef U64
};
#define NFIELDS (sizeof fields / sizeof fields[0])

static void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fprintf(f, "\\%c", *s);
        else if ((unsigned char)*s < 0x20)
            fprintf(f, "\\u%04x", (unsigned char)*s);
        else
            fputc(*s, f);
    }
    fputc('"', f);
}

/* Numbers are written with a fixed precision so the merged table and a
 * single run's summary agree to the digit. */
static void format_value(char *buf, size_t len, const sim_summary_t *s, size_t i)
{
    const char *p = (const char *)s + fields[i].offset;
    if (fields[i].type == F_DOUBLE) {
        double v;
        memcpy(&v, p, sizeof v);
        snprintf(buf, len, "%.3f", v);
    } else if (fields[i].type == F_U64)
        snprintf(buf, len, "%llu", (unsigned long long)*(const uint64_t *)p);
    else
        snprintf(buf, len, "%s", p);
}

int sim_summary_write(const char *path, const sim_summary_t *s)
{
    char tmp[4096], value[512];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f)
        return -1;
    fputs("{\n", f);
    for (size_t i = 0; i < NFIELDS; i++) {
        format_value(value, sizeof value, s, i);
        fprintf(f, "  \"%s\": ", fields[i].name);
        if (fields[i].type == F_STR)
            json_string(f, value);
        else
            fputs(value, f);
        fputs(i + 1 < NFIELDS ? ",\n" : "\n", f);
    }
    fputs("}\n", f);
    if (fclose(f) != 0 || rename(tmp, path) != 0)
        return -1;
    return 0;
}

/* A reader for the flat objects sim_summary_write makes: string and number
 * values only. Anything else is refused with the offset where it broke. */
static const char *skip_ws(const char *p)
{
    while (isspace((unsigned char)*p))
        p++;
    return p;
}

static const char *parse_string(const char *p, char *out, size_t len)
{
    size_t n = 0;
    if (*p++ != '"')
        return NULL;
    while (*p && *p != '"') {
        char c = *p++;
        if (c == '\\') {
            if (*p == 'u' && isxdigit((unsigned char)p[1])) {
                c = (char)strtol((char[]){p[3], p[4], 0}, NULL, 16);
                p += 5;
            } else if (*p) {
                c = *p++;
            }
        }
        if (n + 1 < len)
            out[n++] = c;
    }
    if (*p != '"')
        return NULL;
    out[n] = 0;
    return p + 1;
}

/* One field from its JSON text: a string field takes a quoted value, a
 * number field an unquoted one that converts whole (a summary is read back
 * only from what sim_summary_write wrote, so anything else is damage). */
static bool store_value(sim_summary_t *s, const field_t *fd, const char *value, bool quoted)
{
    char *d = (char *)s + fd->offset, *end = NULL;
    if (fd->type == F_STR) {
        if (quoted)
            snprintf(d, fd->size, "%s", value);
        return quoted;
    }
    if (quoted || !*value)
        return false;
    errno = 0;
    if (fd->type == F_DOUBLE) {
        double v = strtod(value, &end);
        memcpy(d, &v, sizeof v);
    } else {
        if (*value == '-')
            return false;
        uint64_t v = strtoull(value, &end, 10);
        memcpy(d, &v, sizeof v);
    }
    return *end == 0 && errno == 0;
}

int sim_summary_read(const char *path, sim_summary_t *s, char *err, size_t err_len)
{
    memset(s, 0, sizeof *s);
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, err_len, "%s: %s", path, strerror(errno));
        return -1;
    }
    char text[16384];
    size_t n = fread(text, 1, sizeof text, f);
    fclose(f);
    if (n == sizeof text) {
        snprintf(err, err_len, "%s: longer than a battkit-sim summary can be", path);
        return -1;
    }
    text[n] = 0;
    const char *p = skip_ws(text);
    if (*p++ != '{')
        goto bad;
    for (;;) {
        char key[64], value[512];
        p = skip_ws(p);
        if (*p == '}')
            return 0;
        if (!(p = parse_string(p, key, sizeof key)))
            goto bad;
        p = skip_ws(p);
        if (*p++ != ':')
            goto bad;
        p = skip_ws(p);
        bool quoted = *p == '"';
        if (quoted) {
            if (!(p = parse_string(p, value, sizeof value)))
                goto bad;
        } else {
            size_t v = 0;
            while (*p && (isdigit((unsigned char)*p) || strchr("+-.eE", *p)) &&
                   v + 1 < sizeof value)
                value[v++] = *p++;
            value[v] = 0;
            if (!v)
                goto bad;
        }
        for (size_t i = 0; i < NFIELDS; i++) {
            if (strcmp(fields[i].name, key))
                continue;
            if (!store_value(s, &fields[i], value, quoted)) {
                snprintf(err, err_len, "%s: \"%s\": %s%s%s is not %s", path, key,
                         quoted ? "\"" : "", value, quoted ? "\"" : "", type_names[fields[i].type]);
                return -1;
            }
        }
        p = skip_ws(p);
        if (*p == ',')
            p++;
        else if (*p != '}')
            goto bad;
    }
bad:
    snprintf(err, err_len, "%s: not a battkit-sim summary (offset %ld)", path, (long)(p - text));
    return -1;
}

void sim_summary_csv_header(FILE *f)
{
    for (size_t i = 0; i < NFIELDS; i++)
        fprintf(f, "%s%s", i ? "," : "", fields[i].name);
    fputc('\n', f);
}

/* CSV quoting: a field with a comma, quote or newline is quoted. */
void sim_summary_csv_row(FILE *f, const sim_summary_t *s)
{
    char value[512];
    for (size_t i = 0; i < NFIELDS; i++) {
        format_value(value, sizeof value, s, i);
        if (i)
            fputc(',', f);
        if (strpbrk(value, ",\"\n")) {
            fputc('"', f);
            for (const char *c = value; *c; c++) {
                if (*c == '"')
                    fputc('"', f);
                fputc(*c, f);
            }
            fputc('"', f);
        } else {
            fputs(value, f);
        }
    }
    fputc('\n', f);
}
