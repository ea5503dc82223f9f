/* util.c: small string helpers of the installer: growing string lists,
 * case-insensitive comparison (Windows names), ID -> Bindings key name, and
 * UTF-8 -> UTF-16 registry data. */
#include "setup_internal.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool setup_strv_add(setup_strv_t *v, const char *s)
{
    if (v->count == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 8;
        char **items = realloc(v->items, cap * sizeof(*items));
        if (!items)
            return false;
        v->items = items;
        v->cap = cap;
    }
    char *copy = strdup(s);
    if (!copy)
        return false;
    v->items[v->count++] = copy;
    return true;
}

bool setup_strv_has(const setup_strv_t *v, const char *s)
{
    for (size_t i = 0; i < v->count; i++) {
        if (setup_strcasecmp(v->items[i], s) == 0)
            return true;
    }
    return false;
}

bool setup_strv_add_unique(setup_strv_t *v, const char *s)
{
    return setup_strv_has(v, s) || setup_strv_add(v, s);
}

void setup_strv_free(setup_strv_t *v)
{
    for (size_t i = 0; i < v->count; i++)
        free(v->items[i]);
    free(v->items);
    v->items = NULL;
    v->count = v->cap = 0;
}

char *setup_printf(const char *fmt, ...)
{
    va_list ap, again;
    va_start(ap, fmt);
    va_copy(again, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (s)
        vsnprintf(s, (size_t)n + 1, fmt, again);
    va_end(again);
    va_end(ap);
    return s;
}

int setup_strcasecmp(const char *a, const char *b)
{
    for (;; a++, b++) {
        int x = tolower((unsigned char)*a), y = tolower((unsigned char)*b);
        if (x != y || !x)
            return x - y;
    }
}

void setup_id_key(char *out, size_t len, const char *id)
{
    size_t i = 0;
    for (; id[i] && i + 1 < len; i++)
        out[i] = id[i] == '\\' ? '#' : id[i];
    if (len)
        out[i] = 0;
}

void *setup_wide(const char *utf8, ULONG *size)
{
    size_t chars = strlen(utf8) + 1; /* UTF-16 never needs more units than UTF-8 bytes */
    WCHAR *w = malloc(chars * sizeof(WCHAR));
    if (!w)
        return NULL;
    size_t n = rtl_utf8_to_utf16(utf8, w, chars);
    *size = (ULONG)((n + 1) * sizeof(WCHAR));
    return w;
}

void *setup_wide_multi(const setup_strv_t *v, ULONG *size)
{
    size_t chars = 2;
    for (size_t i = 0; i < v->count; i++)
        chars += strlen(v->items[i]) + 1;
    WCHAR *w = malloc(chars * sizeof(WCHAR));
    if (!w)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < v->count; i++) {
        if (!v->items[i][0])
            continue; /* an empty string would end the list */
        o += rtl_utf8_to_utf16(v->items[i], w + o, chars - o) + 1;
    }
    w[o++] = 0;
    if (o == 1)
        w[o++] = 0; /* an empty MULTI_SZ is two NULs */
    *size = (ULONG)(o * sizeof(WCHAR));
    return w;
}
