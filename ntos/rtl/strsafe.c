/* ntstrsafe.h routines: bounded copies, concatenation, length and printf
 * into WCHAR buffers. The destination is always NUL-terminated; truncation
 * returns STATUS_BUFFER_OVERFLOW, as the documentation says. */
#include "../private.h"

#include <ntstrsafe.h>
#include <stdarg.h>
#include <stdio.h>

#define STRSAFE_MAX_CCH 2147483647

static NTSTATUS wcopy(PWSTR dest, SIZE_T cch, PCWSTR src)
{
    if (cch == 0 || cch > STRSAFE_MAX_CCH)
        return STATUS_INVALID_PARAMETER;
    SIZE_T i = 0;
    for (; i + 1 < cch && src[i]; i++)
        dest[i] = src[i];
    dest[i] = 0;
    return src[i] ? STATUS_BUFFER_OVERFLOW : STATUS_SUCCESS;
}

NTSTATUS RtlStringCchCopyW(PWSTR Dest, SIZE_T cchDest, PCWSTR Src)
{
    return wcopy(Dest, cchDest, Src);
}

NTSTATUS RtlStringCbCopyW(PWSTR Dest, SIZE_T cbDest, PCWSTR Src)
{
    return wcopy(Dest, cbDest / sizeof(WCHAR), Src);
}

NTSTATUS RtlStringCchCopyA(PSTR Dest, SIZE_T cchDest, PCSTR Src)
{
    if (cchDest == 0 || cchDest > STRSAFE_MAX_CCH)
        return STATUS_INVALID_PARAMETER;
    SIZE_T i = 0;
    for (; i + 1 < cchDest && Src[i]; i++)
        Dest[i] = Src[i];
    Dest[i] = 0;
    return Src[i] ? STATUS_BUFFER_OVERFLOW : STATUS_SUCCESS;
}

NTSTATUS RtlStringCbCopyA(PSTR Dest, SIZE_T cbDest, PCSTR Src)
{
    return RtlStringCchCopyA(Dest, cbDest, Src);
}

NTSTATUS RtlStringCchLengthW(PCWSTR Psz, SIZE_T cchMax, PSIZE_T pcchLength)
{
    SIZE_T n = 0;
    if (!Psz || cchMax > STRSAFE_MAX_CCH)
        return STATUS_INVALID_PARAMETER;
    while (n < cchMax && Psz[n])
        n++;
    if (n == cchMax)
        return STATUS_INVALID_PARAMETER;
    if (pcchLength)
        *pcchLength = n;
    return STATUS_SUCCESS;
}

NTSTATUS RtlStringCbLengthW(PCWSTR Psz, SIZE_T cbMax, PSIZE_T pcbLength)
{
    SIZE_T cch;
    NTSTATUS s = RtlStringCchLengthW(Psz, cbMax / sizeof(WCHAR), &cch);
    if (NT_SUCCESS(s) && pcbLength)
        *pcbLength = cch * sizeof(WCHAR);
    return s;
}

NTSTATUS RtlStringCbLengthA(PCSTR Psz, SIZE_T cbMax, PSIZE_T pcbLength)
{
    SIZE_T n = 0;
    if (!Psz)
        return STATUS_INVALID_PARAMETER;
    while (n < cbMax && Psz[n])
        n++;
    if (n == cbMax)
        return STATUS_INVALID_PARAMETER;
    if (pcbLength)
        *pcbLength = n;
    return STATUS_SUCCESS;
}

NTSTATUS RtlStringCchCatW(PWSTR Dest, SIZE_T cchDest, PCWSTR Src)
{
    SIZE_T len;
    if (!NT_SUCCESS(RtlStringCchLengthW(Dest, cchDest, &len)))
        return STATUS_INVALID_PARAMETER;
    return wcopy(Dest + len, cchDest - len, Src);
}

NTSTATUS RtlStringCbCatW(PWSTR Dest, SIZE_T cbDest, PCWSTR Src)
{
    return RtlStringCchCatW(Dest, cbDest / sizeof(WCHAR), Src);
}

/* A small formatter for wide formats: in the W routines %s and %ls take a
 * WCHAR string and %S / %hs a narrow one (the Windows convention); numbers
 * go through snprintf one conversion at a time. */
static NTSTATUS wformat(PWSTR dest, SIZE_T cch, PCWSTR fmt, va_list ap)
{
    if (cch == 0 || cch > STRSAFE_MAX_CCH)
        return STATUS_INVALID_PARAMETER;
    SIZE_T o = 0;
    bool overflow = false;
#define PUT(c)                                                                                     \
    do {                                                                                           \
        if (o + 1 < cch)                                                                           \
            dest[o++] = (WCHAR)(c);                                                                \
        else                                                                                       \
            overflow = true;                                                                       \
    } while (0)
    for (const WCHAR *f = fmt; *f; f++) {
        if (*f != '%') {
            PUT(*f);
            continue;
        }
        char spec[32];
        int sl = 0;
        spec[sl++] = '%';
        f++;
        while (*f && sl < 20 &&
               (*f == '-' || *f == '0' || *f == '+' || *f == ' ' || *f == '#' || *f == '.' ||
                (*f >= '1' && *f <= '9') || *f == '*')) {
            if (*f == '*') {
                sl += snprintf(spec + sl, sizeof spec - (size_t)sl, "%d", va_arg(ap, int));
            } else {
                spec[sl++] = (char)*f;
            }
            f++;
        }
        int longs = 0, shorts = 0;
        while (*f == 'l' || *f == 'h' || *f == 'z' || *f == 'I') {
            if (*f == 'l')
                longs++;
            else if (*f == 'h')
                shorts++;
            else if (*f == 'z' || *f == 'I')
                longs = 2;
            f++;
        }
        WCHAR conv = *f;
        if (!conv)
            break;
        if (conv == '%') {
            PUT('%');
            continue;
        }
        if (conv == 's' || conv == 'S') {
            bool wide = (conv == 's' && shorts == 0) || longs > 0;
            if (wide) {
                const WCHAR *s = va_arg(ap, const WCHAR *);
                if (!s)
                    s = L"(null)";
                for (; *s; s++)
                    PUT(*s);
            } else {
                const char *s = va_arg(ap, const char *);
                if (!s)
                    s = "(null)";
                for (; *s; s++)
                    PUT((UCHAR)*s);
            }
            continue;
        }
        char out[64];
        if (conv == 'c') {
            PUT(va_arg(ap, int));
            continue;
        }
        if (conv == 'p') {
            spec[sl++] = 'p';
            spec[sl] = 0;
            snprintf(out, sizeof out, spec, va_arg(ap, void *));
        } else {
            /* LONG is 32-bit here: one 'l' is an int-sized argument. */
            if (longs >= 2) {
                spec[sl++] = 'l', spec[sl++] = 'l';
            }
            spec[sl++] = (char)conv;
            spec[sl] = 0;
            if (longs >= 2)
                snprintf(out, sizeof out, spec, va_arg(ap, long long));
            else
                snprintf(out, sizeof out, spec, va_arg(ap, int));
        }
        for (char *c = out; *c; c++)
            PUT(*c);
    }
#undef PUT
    dest[o] = 0;
    return overflow ? STATUS_BUFFER_OVERFLOW : STATUS_SUCCESS;
}

NTSTATUS RtlStringCchPrintfW(PWSTR Dest, SIZE_T cchDest, PCWSTR Format, ...)
{
    va_list ap;
    va_start(ap, Format);
    NTSTATUS s = wformat(Dest, cchDest, Format, ap);
    va_end(ap);
    return s;
}

NTSTATUS RtlStringCbPrintfW(PWSTR Dest, SIZE_T cbDest, PCWSTR Format, ...)
{
    va_list ap;
    va_start(ap, Format);
    NTSTATUS s = wformat(Dest, cbDest / sizeof(WCHAR), Format, ap);
    va_end(ap);
    return s;
}

NTSTATUS RtlStringCbPrintfA(PSTR Dest, SIZE_T cbDest, PCSTR Format, ...)
{
    if (cbDest == 0 || cbDest > STRSAFE_MAX_CCH)
        return STATUS_INVALID_PARAMETER;
    va_list ap;
    va_start(ap, Format);
    int n = vsnprintf(Dest, cbDest, Format, ap);
    va_end(ap);
    return (n < 0 || (SIZE_T)n >= cbDest) ? STATUS_BUFFER_OVERFLOW : STATUS_SUCCESS;
}

NTSTATUS RtlUnicodeStringCopyString(PUNICODE_STRING Dest, PCWSTR Src)
{
    Dest->Length = 0;
    return RtlAppendUnicodeToString(Dest, Src) == STATUS_SUCCESS ? STATUS_SUCCESS
                                                                 : STATUS_BUFFER_OVERFLOW;
}

NTSTATUS RtlUnicodeStringCopy(PUNICODE_STRING Dest, PCUNICODE_STRING Src)
{
    if (Src->Length > Dest->MaximumLength) {
        RtlCopyUnicodeString(Dest, Src);
        return STATUS_BUFFER_OVERFLOW;
    }
    RtlCopyUnicodeString(Dest, Src);
    return STATUS_SUCCESS;
}

NTSTATUS RtlUnicodeStringCatString(PUNICODE_STRING Dest, PCWSTR Src)
{
    return RtlAppendUnicodeToString(Dest, Src) == STATUS_SUCCESS ? STATUS_SUCCESS
                                                                 : STATUS_BUFFER_OVERFLOW;
}

NTSTATUS RtlUnicodeStringPrintf(PUNICODE_STRING Dest, PCWSTR Format, ...)
{
    va_list ap;
    va_start(ap, Format);
    NTSTATUS s = wformat(Dest->Buffer, Dest->MaximumLength / sizeof(WCHAR), Format, ap);
    va_end(ap);
    Dest->Length = (USHORT)(rtl_wcslen(Dest->Buffer) * sizeof(WCHAR));
    return s;
}
