/* DbgPrint's format language, which is Windows printf's rather than the C
 * library's: 'l' is 32 bits (LLP64), 'll' / I64 are 64, I is pointer-sized,
 * and %wZ / %Z / %ws / %wc take counted and wide strings. Each conversion
 * is parsed here, its argument fetched at the Windows width, and the C
 * library formats that one value with the same flags, width and precision. */
#include "../private.h"

#include <stdarg.h>
#include <stdio.h>

typedef enum { LEN_INT, LEN_32, LEN_64, LEN_PTR, LEN_WIDE, LEN_LONG_DOUBLE } len_t;

typedef struct {
    char *out;
    size_t size, used;
} sink_t;

static void put(sink_t *s, const char *text, size_t n)
{
    for (size_t i = 0; i < n && s->used + 1 < s->size; i++)
        s->out[s->used++] = text[i];
    s->out[s->used] = '\0';
}

/* UTF-8 of `chars` WCHARs at most (stops at a NUL); "(null)" for NULL. */
static const char *wide_text(const WCHAR *w, size_t chars, char *buf, size_t len)
{
    if (!w)
        return "(null)";
    rtl_utf16_to_utf8(w, chars, buf, len);
    return buf;
}

size_t rtl_vformat(char *out, size_t size, const char *fmt, va_list ap)
{
    sink_t s = {out, size, 0};
    va_list args;
    va_copy(args, ap);
    if (size)
        out[0] = '\0';
    while (size && *fmt) {
        const char *pct = strchr(fmt, '%');
        if (!pct) {
            put(&s, fmt, strlen(fmt));
            break;
        }
        put(&s, fmt, (size_t)(pct - fmt));
        const char *p = pct + 1;
        /* spec: the C conversion without its length, rebuilt below */
        char spec[32] = "%";
        size_t sl = 1;
        while (*p && strchr("-+ #0", *p) && sl < 8)
            spec[sl++] = *p++;
        int width = -1, precision = -1;
        if (*p == '*') {
            width = va_arg(args, int);
            p++;
        } else {
            for (width = 0; *p >= '0' && *p <= '9'; p++)
                width = width * 10 + (*p - '0');
        }
        if (*p == '.') {
            p++;
            if (*p == '*') {
                precision = va_arg(args, int);
                p++;
            } else {
                for (precision = 0; *p >= '0' && *p <= '9'; p++)
                    precision = precision * 10 + (*p - '0');
            }
            if (precision < 0)
                precision = -1;
        }
        len_t len = LEN_INT;
        if (p[0] == 'I' && p[1] == '6' && p[2] == '4')
            len = LEN_64, p += 3;
        else if (p[0] == 'I' && p[1] == '3' && p[2] == '2')
            len = LEN_32, p += 3;
        else if (p[0] == 'I')
            len = LEN_PTR, p++;
        else if (p[0] == 'l' && p[1] == 'l')
            len = LEN_64, p += 2;
        else if (p[0] == 'h' && p[1] == 'h')
            p += 2;
        else if (p[0] == 'l')
            len = LEN_32, p++;
        else if (p[0] == 'w')
            len = LEN_WIDE, p++;
        else if (p[0] == 'h')
            p++;
        else if (p[0] == 'z' || p[0] == 'j' || p[0] == 't')
            len = LEN_PTR, p++;
        else if (p[0] == 'L')
            len = LEN_LONG_DOUBLE, p++;
        if (width >= 0 && sl < 16)
            sl += (size_t)snprintf(spec + sl, sizeof spec - sl, "%d", width < 0 ? 0 : width);
        if (precision >= 0 && sl < 24)
            sl += (size_t)snprintf(spec + sl, sizeof spec - sl, ".%d", precision);
        char conv = *p ? *p++ : '\0';
        char piece[1024], text[1024];
        piece[0] = '\0';
        switch (conv) {
        case 'd':
        case 'i':
        case 'u':
        case 'x':
        case 'X':
        case 'o': {
            bool wide = len == LEN_64 || (len == LEN_PTR && sizeof(void *) == 8);
            bool is_signed = conv == 'd' || conv == 'i';
            if (wide) {
                memcpy(spec + sl, "ll", 3);
                spec[sl + 2] = conv, spec[sl + 3] = '\0';
                long long v = va_arg(args, long long);
                if (is_signed)
                    snprintf(piece, sizeof piece, spec, v);
                else
                    snprintf(piece, sizeof piece, spec, (unsigned long long)v);
            } else {
                spec[sl] = conv, spec[sl + 1] = '\0';
                int v = va_arg(args, int);
                if (is_signed)
                    snprintf(piece, sizeof piece, spec, v);
                else
                    snprintf(piece, sizeof piece, spec, (unsigned)v);
            }
            break;
        }
        case 'c':
        case 'C': {
            int c = va_arg(args, int);
            spec[sl] = 's', spec[sl + 1] = '\0';
            if (conv == 'C' || len == LEN_WIDE || len == LEN_32) {
                WCHAR w[2] = {(WCHAR)c, 0};
                snprintf(piece, sizeof piece, spec, wide_text(w, 1, text, sizeof text));
            } else {
                char one[2] = {(char)c, 0};
                snprintf(piece, sizeof piece, spec, one);
            }
            break;
        }
        case 's':
        case 'S': {
            spec[sl] = 's', spec[sl + 1] = '\0';
            if (conv == 'S' || len == LEN_WIDE || len == LEN_32) {
                const WCHAR *w = va_arg(args, const WCHAR *);
                size_t chars = precision >= 0 ? (size_t)precision : SIZE_MAX;
                snprintf(piece, sizeof piece, spec, wide_text(w, chars, text, sizeof text));
            } else {
                const char *a = va_arg(args, const char *);
                snprintf(piece, sizeof piece, spec, a ? a : "(null)");
            }
            break;
        }
        case 'Z': {
            /* %wZ: PUNICODE_STRING; %Z: PANSI_STRING (counted, maybe unterminated). */
            spec[sl] = 's', spec[sl + 1] = '\0';
            if (len == LEN_WIDE) {
                const UNICODE_STRING *u = va_arg(args, const UNICODE_STRING *);
                const char *t =
                    u ? wide_text(u->Buffer, u->Length / sizeof(WCHAR), text, sizeof text)
                      : "(null)";
                snprintf(piece, sizeof piece, spec, t);
            } else {
                const ANSI_STRING *a = va_arg(args, const ANSI_STRING *);
                if (a && a->Buffer) {
                    size_t n = a->Length < sizeof text - 1 ? a->Length : sizeof text - 1;
                    memcpy(text, a->Buffer, n);
                    text[n] = '\0';
                }
                snprintf(piece, sizeof piece, spec, a && a->Buffer ? text : "(null)");
            }
            break;
        }
        case 'p':
            spec[sl] = 'p', spec[sl + 1] = '\0';
            snprintf(piece, sizeof piece, spec, va_arg(args, void *));
            break;
        case 'e':
        case 'E':
        case 'f':
        case 'g':
        case 'G':
            spec[sl] = conv, spec[sl + 1] = '\0';
            if (len == LEN_LONG_DOUBLE)
                va_arg(args, long double); /* printed at double precision */
            else
                snprintf(piece, sizeof piece, spec, va_arg(args, double));
            break;
        case 'n':
            (void)va_arg(args, void *); /* never written through */
            break;
        case '%':
            memcpy(piece, "%", 2);
            break;
        default:
            /* Unknown conversion: printed as written, no argument taken. */
            snprintf(piece, sizeof piece, "%.*s", (int)(p - pct), pct);
            break;
        }
        put(&s, piece, strlen(piece));
        fmt = p;
    }
    va_end(args);
    return s.used;
}
