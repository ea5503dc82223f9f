/* String helpers of the PnP manager: UTF-8/UTF-16 MULTI_SZ conversion, pool
 * copies handed to drivers, and the '\' -> '#' form of instance paths used
 * in symbolic links and binding keys. */
#include "pnp_internal.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>

size_t pnp_multi_len(const char *multi)
{
    size_t n = 0;
    while (multi[n]) {
        n += strlen(multi + n) + 1;
    }
    return n + 1; /* the final empty string */
}

size_t pnp_wmulti_chars(const WCHAR *multi, size_t max_chars)
{
    size_t n = 0;
    while (n < max_chars && multi[n]) {
        while (n < max_chars && multi[n])
            n++;
        n++; /* the string's NUL */
    }
    return n < max_chars ? n + 1 : max_chars;
}

size_t pnp_utf16_multi_to_utf8(const WCHAR *src, size_t src_chars, char *dst, size_t len)
{
    size_t i = 0, o = 0;
    if (len < 2)
        return 0;
    while (i < src_chars && src[i]) {
        size_t n = 0;
        while (i + n < src_chars && src[i + n])
            n++;
        if (o + 2 >= len)
            break;
        size_t w = rtl_utf16_to_utf8(src + i, n, dst + o, len - o - 1);
        o += w + 1;
        i += n + 1;
    }
    dst[o] = 0;
    return o + 1;
}

WCHAR *pnp_pool_wide(const char *utf8, bool multi, ULONG tag, const void *caller, ULONG *bytes)
{
    size_t in_len = multi ? pnp_multi_len(utf8) : strlen(utf8) + 1;
    /* UTF-16 never needs more code units than UTF-8 has bytes. */
    WCHAR *w = ex_alloc(PagedPool, in_len * sizeof(WCHAR), tag, true, caller);
    if (!w)
        return NULL;
    size_t o = 0;
    if (multi) {
        for (const char *p = utf8; *p; p += strlen(p) + 1)
            o += rtl_utf8_to_utf16(p, w + o, in_len - o) + 1;
        w[o++] = 0;
    } else {
        o = rtl_utf8_to_utf16(utf8, w, in_len) + 1;
    }
    if (bytes)
        *bytes = (ULONG)(o * sizeof(WCHAR));
    return w;
}

void pnp_copy(char *dst, size_t len, const char *src)
{
    snprintf(dst, len, "%s", src ? src : "");
}

bool pnp_format(char *dst, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(dst, len, fmt, ap);
    va_end(ap);
    return n >= 0 && (size_t)n < len;
}

int pnp_strcasecmp(const char *a, const char *b)
{
    for (;; a++, b++) {
        int x = tolower((unsigned char)*a), y = tolower((unsigned char)*b);
        if (x != y || !x)
            return x - y;
    }
}

void pnp_hash_path(char *dst, size_t len, const char *src)
{
    size_t i = 0;
    for (; src[i] && i + 1 < len; i++)
        dst[i] = src[i] == '\\' ? '#' : src[i];
    if (len)
        dst[i] = 0;
}

void pnp_guid_text(const GUID *g, char out[39])
{
    /* docs: symbolic links carry the class GUID in lower case, in braces. */
    snprintf(out, 39, "{%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x}", g->Data1, g->Data2,
             g->Data3, g->Data4[0], g->Data4[1], g->Data4[2], g->Data4[3], g->Data4[4], g->Data4[5],
             g->Data4[6], g->Data4[7]);
}
