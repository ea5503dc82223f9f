/* decode.c: turns a file's bytes into UTF-8 text for the lexer: UTF-8 with or
 * without BOM, UTF-16LE/BE with BOM, 8-bit ANSI read as Latin-1; refuses data
 * that is not text (control bytes) with the line where it starts. */
#include "inf_internal.h"

#include <stdlib.h>
#include <string.h>

#define DECODE_MAX_BYTES (64u << 20) /* an INF is kilobytes; refuse absurd input */

typedef struct out_buf {
    char *p;
    size_t n, cap;
} out_buf_t;

static int out_reserve(out_buf_t *o, size_t more)
{
    if (o->n + more + 1 <= o->cap)
        return 0;
    size_t cap = o->cap ? o->cap : 256;
    while (cap < o->n + more + 1)
        cap *= 2;
    char *p = realloc(o->p, cap);
    if (!p)
        return -1;
    o->p = p;
    o->cap = cap;
    return 0;
}

static int out_utf8(out_buf_t *o, uint32_t cp)
{
    if (out_reserve(o, 4))
        return -1;
    char *d = o->p + o->n;
    if (cp < 0x80) {
        d[0] = (char)cp;
        o->n += 1;
    } else if (cp < 0x800) {
        d[0] = (char)(0xC0 | (cp >> 6));
        d[1] = (char)(0x80 | (cp & 0x3F));
        o->n += 2;
    } else if (cp < 0x10000) {
        d[0] = (char)(0xE0 | (cp >> 12));
        d[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        d[2] = (char)(0x80 | (cp & 0x3F));
        o->n += 3;
    } else {
        d[0] = (char)(0xF0 | (cp >> 18));
        d[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        d[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        d[3] = (char)(0x80 | (cp & 0x3F));
        o->n += 4;
    }
    return 0;
}

/* Length of the valid UTF-8 sequence at p (1..4), 0 if invalid. */
static size_t utf8_seq(const unsigned char *p, size_t left, uint32_t *cp)
{
    unsigned char c = p[0];
    size_t n;
    uint32_t v, min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if ((c & 0xE0) == 0xC0) {
        n = 2, v = c & 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
        n = 3, v = c & 0x0F, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
        n = 4, v = c & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (left < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (p[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return n;
}

/* Line ends as the lexer counts them: LF, CRLF or a lone CR. */
static int line_of(const unsigned char *p, size_t upto)
{
    int line = 1;
    for (size_t i = 0; i < upto; i++)
        line += p[i] == '\n' || (p[i] == '\r' && (i + 1 >= upto || p[i + 1] != '\n'));
    return line;
}

static int decode_utf16(out_buf_t *o, const unsigned char *p, size_t size, int big_endian,
                        const char *file, bk_diags_t *diags)
{
    int warned = 0;
    if (size % 2) {
        bk_diags_add(diags, file, 1, BK_SEV_WARNING, "UTF-16 file has an odd number of bytes");
        size--;
    }
    for (size_t i = 0; i + 1 < size; i += 2) {
        uint32_t u =
            big_endian ? (uint32_t)(p[i] << 8 | p[i + 1]) : (uint32_t)(p[i + 1] << 8 | p[i]);
        if (u >= 0xD800 && u <= 0xDBFF && i + 3 < size) {
            uint32_t lo = big_endian ? (uint32_t)(p[i + 2] << 8 | p[i + 3])
                                     : (uint32_t)(p[i + 3] << 8 | p[i + 2]);
            if (lo >= 0xDC00 && lo <= 0xDFFF) {
                u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
                i += 2;
            }
        }
        if (u >= 0xD800 && u <= 0xDFFF) {
            if (!warned++)
                bk_diags_add(diags, file, 1, BK_SEV_WARNING,
                             "unpaired UTF-16 surrogate replaced by U+FFFD");
            u = 0xFFFD;
        }
        if (out_utf8(o, u))
            return -1;
    }
    return 0;
}

static int decode_8bit(out_buf_t *o, const unsigned char *p, size_t size, int had_bom,
                       const char *file, bk_diags_t *diags)
{
    int valid = 1;
    for (size_t i = 0; i < size;) {
        uint32_t cp;
        size_t n = utf8_seq(p + i, size - i, &cp);
        if (!n) {
            valid = 0;
            break;
        }
        i += n;
    }
    if (valid) {
        if (out_reserve(o, size))
            return -1;
        memcpy(o->p, p, size);
        o->n = size;
        return 0;
    }
    if (had_bom)
        bk_diags_add(diags, file, 1, BK_SEV_WARNING,
                     "invalid UTF-8 after a UTF-8 byte-order mark; bad bytes read as Latin-1");
    else
        bk_diags_add(diags, file, 1, BK_SEV_WARNING,
                     "not UTF-8: read as 8-bit ANSI text (Latin-1)");
    /* Keep valid UTF-8 sequences and take each stray byte as a Latin-1 code. */
    for (size_t i = 0; i < size;) {
        uint32_t cp;
        size_t n = utf8_seq(p + i, size - i, &cp);
        if (!n) {
            cp = p[i];
            n = 1;
        }
        if (out_utf8(o, cp))
            return -1;
        i += n;
    }
    return 0;
}

char *bk_ini_decode(const char *file, const unsigned char *data, size_t size, size_t *len,
                    bk_diags_t *diags)
{
    out_buf_t o = {0};
    if (size > DECODE_MAX_BYTES) {
        bk_diags_add(diags, file, 1, BK_SEV_ERROR, "file too large (%zu bytes)", size);
        return NULL;
    }
    int rc;
    if (size >= 2 && data[0] == 0xFF && data[1] == 0xFE)
        rc = decode_utf16(&o, data + 2, size - 2, 0, file, diags);
    else if (size >= 2 && data[0] == 0xFE && data[1] == 0xFF)
        rc = decode_utf16(&o, data + 2, size - 2, 1, file, diags);
    else if (size >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF)
        rc = decode_8bit(&o, data + 3, size - 3, 1, file, diags);
    else
        rc = decode_8bit(&o, data, size, 0, file, diags);
    if (rc || out_reserve(&o, 0)) {
        bk_diags_add(diags, file, 1, BK_SEV_ERROR, "out of memory reading the file");
        goto fail;
    }
    o.p[o.n] = '\0';

    /* Only text: tab, line ends and form feed among the control characters;
     * ^Z is the old DOS end-of-file mark. */
    for (size_t i = 0; i < o.n; i++) {
        unsigned char c = (unsigned char)o.p[i];
        if (c >= 0x20 && c != 0x7F)
            continue;
        if (c == '\t' || c == '\n' || c == '\r' || c == '\f')
            continue;
        if (c == 0x1A) {
            o.n = i;
            o.p[i] = '\0';
            break;
        }
        int line = line_of((const unsigned char *)o.p, i);
        if (c == 0 && size >= 4 && (data[1] == 0 || data[0] == 0))
            bk_diags_add(diags, file, line, BK_SEV_ERROR,
                         "binary data: NUL bytes (UTF-16 without a byte-order mark?)");
        else
            bk_diags_add(diags, file, line, BK_SEV_ERROR,
                         "binary data: control byte 0x%02x, not a text file", c);
        goto fail;
    }
    *len = o.n;
    return o.p;

fail:
    free(o.p);
    return NULL;
}
