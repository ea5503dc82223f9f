/* report.c: the report text install/uninstall/list hand back: lines
 * appended to the caller's buffer, truncated (never overrun) when it is
 * full. Also the one installer lock. */
#include "setup_internal.h"

#include <stdarg.h>
#include <stdio.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

void setup_lock(void)
{
    pthread_mutex_lock(&lock);
}

void setup_unlock(void)
{
    pthread_mutex_unlock(&lock);
}

void setup_report_init(setup_report_t *r, char *buf, size_t len)
{
    r->buf = buf;
    r->len = buf ? len : 0;
    r->used = 0;
    if (r->len)
        r->buf[0] = 0;
}

void setup_report(setup_report_t *r, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    bk_log(BK_LOG_INFO, "setup: %s", line);
    if (!r || r->used + 1 >= r->len)
        return;
    int n = snprintf(r->buf + r->used, r->len - r->used, "%s\n", line);
    if (n < 0)
        return;
    r->used += (size_t)n < r->len - r->used ? (size_t)n : r->len - r->used - 1;
}

void setup_report_diags(setup_report_t *r, const bk_diags_t *diags)
{
    char line[1024];
    for (size_t i = 0; i < diags->count; i++) {
        bk_diag_format(&diags->items[i], line, sizeof line);
        setup_report(r, "%s", line);
    }
    if (diags->dropped)
        setup_report(r, "%zu more problems not shown", diags->dropped);
}
