/* UTF-16 <-> UTF-8 for device paths and names: the wire and the host speak
 * UTF-8, the W entry points UTF-16 (WCHAR is 16 bits with -fshort-wchar).
 * Invalid sequences are refused, not guessed at. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

char *bkc_utf16_to_utf8(const WCHAR *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    char *out = malloc(n * 3 + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t c = s[i];
        if (c >= 0xD800 && c < 0xDC00) {
            if (i + 1 >= n || s[i + 1] < 0xDC00 || s[i + 1] > 0xDFFF)
                goto bad;
            c = 0x10000 + ((c - 0xD800) << 10) + (s[++i] - 0xDC00u);
        } else if (c >= 0xDC00 && c <= 0xDFFF) {
            goto bad;
        }
        if (c < 0x80) {
            out[o++] = (char)c;
        } else if (c < 0x800) {
            out[o++] = (char)(0xC0 | (c >> 6));
            out[o++] = (char)(0x80 | (c & 0x3F));
        } else if (c < 0x10000) {
            out[o++] = (char)(0xE0 | (c >> 12));
            out[o++] = (char)(0x80 | ((c >> 6) & 0x3F));
            out[o++] = (char)(0x80 | (c & 0x3F));
        } else {
            out[o++] = (char)(0xF0 | (c >> 18));
            out[o++] = (char)(0x80 | ((c >> 12) & 0x3F));
            out[o++] = (char)(0x80 | ((c >> 6) & 0x3F));
            out[o++] = (char)(0x80 | (c & 0x3F));
        }
    }
    out[o] = 0;
    return out;
bad:
    free(out);
    return NULL;
}

/* Decodes one code point; returns bytes used, 0 for an invalid sequence. */
static size_t decode(const unsigned char *s, uint32_t *cp)
{
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    size_t len = (s[0] & 0xE0) == 0xC0   ? 2
                 : (s[0] & 0xF0) == 0xE0 ? 3
                 : (s[0] & 0xF8) == 0xF0 ? 4
                                         : 0;
    if (!len)
        return 0;
    uint32_t c = s[0] & (0x7F >> len);
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3F);
    }
    static const uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
    if (c < min[len] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return len;
}

size_t bkc_utf8_to_utf16(const char *s, WCHAR *dst, size_t dst_chars)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = 0;
    while (*p) {
        uint32_t c;
        size_t used = decode(p, &c);
        if (!used) {
            c = 0xFFFD; /* the host never sends this; keep the count honest */
            used = 1;
        }
        p += used;
        if (c >= 0x10000) {
            if (dst && n + 1 < dst_chars) {
                dst[n] = (WCHAR)(0xD800 + ((c - 0x10000) >> 10));
                dst[n + 1] = (WCHAR)(0xDC00 + ((c - 0x10000) & 0x3FF));
            }
            n += 2;
        } else {
            if (dst && n < dst_chars)
                dst[n] = (WCHAR)c;
            n++;
        }
    }
    if (dst && dst_chars)
        dst[n < dst_chars ? n : dst_chars - 1] = 0;
    return n + 1;
}

void bkc_free_paths(char **paths, size_t count)
{
    for (size_t i = 0; i < count; i++)
        free(paths[i]);
    free(paths);
}

/* \??\X (NT object namespace, what the host lists) <-> \\?\X (the Win32
 * device path applications see); \\.\X is the other Win32 spelling.
 * Same length, so one way is in place and the other a copy. */
void bkc_path_to_win32(char *path)
{
    if (strncmp(path, "\\??\\", 4) == 0)
        path[1] = '\\';
}

char *bkc_path_to_native(const char *path)
{
    char *copy = strdup(path);
    if (copy && (strncmp(copy, "\\\\?\\", 4) == 0 || strncmp(copy, "\\\\.\\", 4) == 0)) {
        copy[1] = '?';
        copy[2] = '?';
    }
    return copy;
}
