/* Prometheus' text exposition format, version 0.0.4: # HELP and # TYPE
 * lines, samples `name{label="value",...} value`, label values with
 * backslash, double quote and newline escaped, HELP text with backslash and
 * newline escaped. Values given as integers in a decimal unit are written
 * exactly (57123 mWh is 57.123 Wh, never 57.122999). Knows nothing of
 * batteries (metrics.c). */
#include "metrics.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void mt_init(mtext_t *t)
{
    *t = (mtext_t){0};
}

void mt_free(mtext_t *t)
{
    free(t->buf);
    *t = (mtext_t){0};
}

void mt_reset(mtext_t *t)
{
    t->len = 0;
    t->failed = false;
    if (t->buf)
        t->buf[0] = 0;
}

static bool room(mtext_t *t, size_t n)
{
    if (t->failed)
        return false;
    if (t->len + n + 1 <= t->cap)
        return true;
    size_t cap = t->cap ? t->cap : 256; /* label sets are short; a page grows by doubling */
    while (cap < t->len + n + 1)
        cap *= 2;
    char *grown = realloc(t->buf, cap);
    if (!grown) {
        t->failed = true;
        return false;
    }
    t->buf = grown;
    t->cap = cap;
    return true;
}

void mt_reserve(mtext_t *t, size_t n)
{
    room(t, n);
}

void mt_append(mtext_t *t, const char *s, size_t n)
{
    if (!room(t, n))
        return;
    memcpy(t->buf + t->len, s, n);
    t->len += n;
    t->buf[t->len] = 0;
}

void mt_puts(mtext_t *t, const char *s)
{
    mt_append(t, s, strlen(s));
}

/* Copies s with the escapes `quote_too` selects: label values escape the
 * double quote as well, HELP text does not. */
static void append_escaped(mtext_t *t, const char *s, bool quote_too)
{
    const char *run = s;
    for (; *s; s++) {
        const char *esc = *s == '\\'               ? "\\\\"
                          : *s == '\n'             ? "\\n"
                          : *s == '"' && quote_too ? "\\\""
                                                   : NULL;
        if (!esc)
            continue;
        mt_append(t, run, (size_t)(s - run));
        mt_append(t, esc, 2);
        run = s + 1;
    }
    mt_append(t, run, (size_t)(s - run));
}

void mt_family(mtext_t *t, const char *name, const char *type, const char *help)
{
    mt_puts(t, "# HELP ");
    mt_puts(t, name);
    mt_puts(t, " ");
    append_escaped(t, help, false);
    mt_puts(t, "\n# TYPE ");
    mt_puts(t, name);
    mt_puts(t, " ");
    mt_puts(t, type);
    mt_puts(t, "\n");
}

void mt_label(mtext_t *labels, const char *name, const char *value)
{
    if (labels->len)
        mt_append(labels, ",", 1);
    mt_puts(labels, name);
    mt_append(labels, "=\"", 2);
    append_escaped(labels, value ? value : "", true);
    mt_append(labels, "\"", 1);
}

static void sample_head(mtext_t *t, const char *name, const mtext_t *labels)
{
    mt_puts(t, name);
    if (labels && labels->len) {
        mt_append(t, "{", 1);
        mt_append(t, labels->buf, labels->len);
        mt_append(t, "}", 1);
    }
    mt_append(t, " ", 1);
}

void mt_sample_fixed(mtext_t *t, const char *name, const mtext_t *labels, int64_t units,
                     int decimals)
{
    sample_head(t, name, labels);
    char digits[48];
    bool negative = units < 0;
    /* INT64_MIN has no positive int64: work in uint64. */
    uint64_t u = negative ? (uint64_t)0 - (uint64_t)units : (uint64_t)units;
    int n = 0;
    do {
        digits[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u || n <= decimals);
    char out[52];
    int o = 0;
    if (negative)
        out[o++] = '-';
    for (int i = n - 1; i >= 0; i--) {
        out[o++] = digits[i];
        if (i == decimals && decimals > 0)
            out[o++] = '.';
    }
    out[o++] = '\n';
    mt_append(t, out, (size_t)o);
}

void mt_sample_double(mtext_t *t, const char *name, const mtext_t *labels, double value)
{
    sample_head(t, name, labels);
    char out[40];
    int n;
    if (isnan(value))
        n = snprintf(out, sizeof out, "NaN\n");
    else if (isinf(value))
        n = snprintf(out, sizeof out, value > 0 ? "+Inf\n" : "-Inf\n");
    else
        n = snprintf(out, sizeof out, "%.17g\n", value);
    mt_append(t, out, (size_t)n);
}
