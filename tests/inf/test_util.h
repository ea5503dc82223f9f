/* test_util.h: small helpers the INF tests share: loading text as an INI
 * file, finding a diagnostic by severity, line and text, a temporary
 * directory. */
#ifndef BK_INF_TEST_UTIL_H
#define BK_INF_TEST_UTIL_H

#include "bk_test.h"
#include "inf.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static inline bk_ini_t *load_text(const char *text, const char *locale, bk_diags_t *d)
{
    bk_ini_options_t o = {.substitute = true, .locale = locale};
    return bk_ini_load_buffer("t.inf", text, strlen(text), &o, d);
}

/* The diagnostic of that severity on that line whose message contains text. */
static inline const bk_diag_t *find_diag(const bk_diags_t *d, bk_severity_t sev, int line,
                                         const char *text)
{
    for (size_t i = 0; i < d->count; i++) {
        const bk_diag_t *x = &d->items[i];
        if (x->severity == sev && x->line == line && strstr(x->message, text))
            return x;
    }
    return NULL;
}

static inline void dump_diags(const bk_diags_t *d)
{
    char buf[1024];
    for (size_t i = 0; i < d->count; i++) {
        bk_diag_format(&d->items[i], buf, sizeof(buf));
        fprintf(stderr, "    %s\n", buf);
    }
}

static inline char *make_temp_dir(void)
{
    const char *base = getenv("TMPDIR");
    char tmpl[4096];
    snprintf(tmpl, sizeof(tmpl), "%s/bk_inf_XXXXXX", base && *base ? base : "/tmp");
    char *d = mkdtemp(tmpl);
    return d ? strdup(d) : NULL;
}

static inline void write_file(const char *dir, const char *name, const void *data, size_t n)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (f) {
        fwrite(data, 1, n, f);
        fclose(f);
    }
}

static inline void remove_file(const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    unlink(path);
}

#endif
