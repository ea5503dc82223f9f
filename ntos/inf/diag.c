/* diag.c: the diagnostics list every loader writes into. The library never
 * prints: a tool formats the list with bk_diag_format. */
#include "inf_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DIAGS_DEFAULT_LIMIT 1000

void bk_diags_init(bk_diags_t *d)
{
    memset(d, 0, sizeof(*d));
}

void bk_diags_free(bk_diags_t *d)
{
    for (size_t i = 0; i < d->count; i++)
        free((void *)d->items[i].file); /* file and message share one block */
    free(d->items);
    size_t limit = d->limit;
    memset(d, 0, sizeof(*d));
    d->limit = limit;
}

void bk_diags_add(bk_diags_t *d, const char *file, int line, bk_severity_t sev, const char *fmt,
                  ...)
{
    if (!d)
        return;
    if (sev == BK_SEV_ERROR)
        d->errors++;
    else
        d->warnings++;
    size_t limit = d->limit ? d->limit : DIAGS_DEFAULT_LIMIT;
    if (d->count >= limit) {
        d->dropped++;
        return;
    }
    if (d->count == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 16;
        bk_diag_t *items = realloc(d->items, cap * sizeof(*items));
        if (!items) {
            d->dropped++;
            return;
        }
        d->items = items;
        d->cap = cap;
    }
    if (!file)
        file = "";
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    size_t flen = strlen(file);
    char *block = malloc(flen + 1 + (size_t)n + 1);
    if (!block) {
        d->dropped++;
        return;
    }
    memcpy(block, file, flen + 1);
    va_start(ap, fmt);
    vsnprintf(block + flen + 1, (size_t)n + 1, fmt, ap);
    va_end(ap);
    d->items[d->count++] = (bk_diag_t){block, line > 0 ? line : 1, sev, block + flen + 1};
}

/* Files keep the order in which they first appear (the INF before what it
 * includes); within a file, by line. Insertion sort keeps it stable. */
void bk_diags_sort(bk_diags_t *d)
{
    if (d->count < 2)
        return;
    size_t *rank = malloc(d->count * sizeof(*rank));
    if (!rank)
        return;
    for (size_t i = 0; i < d->count; i++) {
        rank[i] = i;
        for (size_t j = 0; j < i; j++) {
            if (strcmp(d->items[j].file, d->items[i].file) == 0) {
                rank[i] = rank[j];
                break;
            }
        }
    }
    for (size_t i = 1; i < d->count; i++) {
        bk_diag_t x = d->items[i];
        size_t r = rank[i];
        size_t j = i;
        while (j > 0 && (rank[j - 1] > r || (rank[j - 1] == r && d->items[j - 1].line > x.line))) {
            d->items[j] = d->items[j - 1];
            rank[j] = rank[j - 1];
            j--;
        }
        d->items[j] = x;
        rank[j] = r;
    }
    free(rank);
}

const char *bk_severity_name(bk_severity_t sev)
{
    return sev == BK_SEV_ERROR ? "error" : "warning";
}

int bk_diag_format(const bk_diag_t *diag, char *buf, size_t size)
{
    return snprintf(buf, size, "%s:%d: %s: %s", diag->file, diag->line,
                    bk_severity_name(diag->severity), diag->message);
}
