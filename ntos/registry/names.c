/* Registry names and strings: strict UTF-8 <-> UTF-16 conversion and the
 * case-insensitive comparison Windows uses for key and value names (compare
 * upcased characters). The upcase table covers ASCII, Latin-1, Greek and
 * Cyrillic; other scripts compare exactly. */
#include "reg_internal.h"

#include <stdlib.h>

static uint32_t upcase(uint32_t c)
{
    if (c >= 'a' && c <= 'z')
        return c - 0x20;
    if (c < 0xE0)
        return c;
    if (c <= 0xFE && c != 0xF7) /* Latin-1 lower case */
        return c - 0x20;
    if (c == 0xFF)
        return 0x178;
    if ((c >= 0x3B1 && c <= 0x3CB && c != 0x3C2) || (c >= 0x430 && c <= 0x44F))
        return c - 0x20; /* Greek, Cyrillic */
    if (c >= 0x450 && c <= 0x45F)
        return c - 0x50;
    return c;
}

/* Decodes one code point; returns its length in bytes, 0 when invalid. */
static size_t decode_utf8(const unsigned char *s, size_t len, uint32_t *cp)
{
    if (len == 0)
        return 0;
    uint32_t c = s[0];
    size_t n;
    uint32_t min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if ((c & 0xE0) == 0xC0) {
        n = 2, min = 0x80, c &= 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        n = 3, min = 0x800, c &= 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        n = 4, min = 0x10000, c &= 0x07;
    } else {
        return 0;
    }
    if (len < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c < 0xE000))
        return 0;
    *cp = c;
    return n;
}

long reg_utf8_check(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    long count = 0;
    while (len) {
        uint32_t c;
        size_t n = decode_utf8(p, len, &c);
        if (!n)
            return -1;
        p += n, len -= n, count++;
    }
    return count;
}

size_t reg_utf8_to_utf16(const char *s, size_t len, WCHAR *dst)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t o = 0;
    while (len) {
        uint32_t c;
        size_t n = decode_utf8(p, len, &c);
        if (!n) { /* callers validate first; never loop forever */
            c = 0xFFFD;
            n = 1;
        }
        p += n, len -= n;
        if (c >= 0x10000) {
            if (dst) {
                dst[o] = (WCHAR)(0xD800 + ((c - 0x10000) >> 10));
                dst[o + 1] = (WCHAR)(0xDC00 + ((c - 0x10000) & 0x3FF));
            }
            o += 2;
        } else {
            if (dst)
                dst[o] = (WCHAR)c;
            o++;
        }
    }
    return o;
}

/* Reads one code point from UTF-16; lone surrogates read as U+FFFD. */
static size_t decode_utf16(const WCHAR *s, size_t units, uint32_t *cp)
{
    uint32_t c = s[0];
    if (c >= 0xD800 && c < 0xDC00 && units > 1 && s[1] >= 0xDC00 && s[1] < 0xE000) {
        *cp = 0x10000 + ((c - 0xD800) << 10) + (s[1] - 0xDC00u);
        return 2;
    }
    *cp = (c >= 0xD800 && c < 0xE000) ? 0xFFFD : c;
    return 1;
}

bool reg_utf16_valid(const WCHAR *s, size_t units)
{
    for (size_t i = 0; i < units;) {
        uint32_t c;
        size_t n = decode_utf16(s + i, units - i, &c);
        if (c == 0xFFFD && s[i] != 0xFFFD)
            return false;
        i += n;
    }
    return true;
}

size_t reg_utf16_to_utf8(const WCHAR *s, size_t units, char *dst, size_t cap)
{
    size_t o = 0, written = 0;
    bool full = !dst || cap == 0;
    for (size_t i = 0; i < units;) {
        uint32_t c;
        i += decode_utf16(s + i, units - i, &c);
        unsigned char b[4];
        size_t n;
        if (c < 0x80) {
            b[0] = (unsigned char)c, n = 1;
        } else if (c < 0x800) {
            b[0] = (unsigned char)(0xC0 | (c >> 6)), b[1] = (unsigned char)(0x80 | (c & 0x3F));
            n = 2;
        } else if (c < 0x10000) {
            b[0] = (unsigned char)(0xE0 | (c >> 12));
            b[1] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
            b[2] = (unsigned char)(0x80 | (c & 0x3F)), n = 3;
        } else {
            b[0] = (unsigned char)(0xF0 | (c >> 18));
            b[1] = (unsigned char)(0x80 | ((c >> 12) & 0x3F));
            b[2] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
            b[3] = (unsigned char)(0x80 | (c & 0x3F)), n = 4;
        }
        if (!full && written + n < cap) { /* never a partial character */
            memcpy(dst + written, b, n);
            written += n;
        } else {
            full = true;
        }
        o += n;
    }
    if (dst && cap)
        dst[written] = 0;
    return o;
}

char *reg_strdup_utf16(const WCHAR *s, size_t units)
{
    size_t n = reg_utf16_to_utf8(s, units, NULL, 0);
    char *out = malloc(n + 1);
    if (out)
        reg_utf16_to_utf8(s, units, out, n + 1);
    return out;
}

size_t reg_name_units(const char *s)
{
    return reg_utf8_to_utf16(s, strlen(s), NULL);
}

int reg_name_compare(const char *a, const char *b)
{
    const unsigned char *p = (const unsigned char *)a, *q = (const unsigned char *)b;
    size_t lp = strlen(a), lq = strlen(b);
    for (;;) {
        uint32_t x = 0, y = 0;
        size_t nx = lp ? decode_utf8(p, lp, &x) : 0;
        size_t ny = lq ? decode_utf8(q, lq, &y) : 0;
        if (lp && !nx)
            x = *p, nx = 1; /* invalid bytes compare as themselves */
        if (lq && !ny)
            y = *q, ny = 1;
        if (!lp || !lq)
            return lp ? 1 : lq ? -1 : 0;
        x = upcase(x), y = upcase(y);
        if (x != y)
            return x < y ? -1 : 1;
        p += nx, lp -= nx, q += ny, lq -= ny;
    }
}
