/* Counted strings (UNICODE_STRING / ANSI_STRING). Lengths are in bytes;
 * nothing writes past MaximumLength. Strings the routines allocate come
 * from the pool with tag 'RtlS' and are owned by the calling driver. */
#include "../private.h"

#include <stdio.h>
#include <stdarg.h>
#include <stdlib.h>

#define RTL_STRING_TAG 'SltR'

size_t rtl_wcslen(const WCHAR *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

SIZE_T NTAPI RtlCompareMemory(const void *Source1, const void *Source2, SIZE_T Length)
{
    const UCHAR *a = Source1, *b = Source2;
    SIZE_T i = 0;
    while (i < Length && a[i] == b[i])
        i++;
    return i;
}

void NTAPI RtlInitUnicodeString(PUNICODE_STRING DestinationString, PCWSTR SourceString)
{
    if (SourceString) {
        size_t bytes = rtl_wcslen(SourceString) * sizeof(WCHAR);
        if (bytes > 0xFFFC)
            bytes = 0xFFFC;
        DestinationString->Length = (USHORT)bytes;
        DestinationString->MaximumLength = (USHORT)(bytes + sizeof(WCHAR));
    } else {
        DestinationString->Length = DestinationString->MaximumLength = 0;
    }
    DestinationString->Buffer = (PWSTR)SourceString;
}

void NTAPI RtlInitAnsiString(PANSI_STRING DestinationString, PCSZ SourceString)
{
    if (SourceString) {
        size_t n = strlen(SourceString);
        if (n > 0xFFFE)
            n = 0xFFFE;
        DestinationString->Length = (USHORT)n;
        DestinationString->MaximumLength = (USHORT)(n + 1);
    } else {
        DestinationString->Length = DestinationString->MaximumLength = 0;
    }
    DestinationString->Buffer = (PCHAR)SourceString;
}

void NTAPI RtlInitString(PSTRING DestinationString, PCSZ SourceString)
{
    RtlInitAnsiString(DestinationString, SourceString);
}

void NTAPI RtlCopyUnicodeString(PUNICODE_STRING DestinationString, PCUNICODE_STRING SourceString)
{
    if (!SourceString) {
        DestinationString->Length = 0;
        return;
    }
    USHORT n = SourceString->Length < DestinationString->MaximumLength
                   ? SourceString->Length
                   : DestinationString->MaximumLength;
    memmove(DestinationString->Buffer, SourceString->Buffer, n);
    DestinationString->Length = n;
    if (n + sizeof(WCHAR) <= DestinationString->MaximumLength)
        DestinationString->Buffer[n / sizeof(WCHAR)] = 0;
}

static NTSTATUS append_bytes(PUNICODE_STRING Destination, const WCHAR *src, size_t bytes)
{
    if (Destination->Length + bytes > Destination->MaximumLength)
        return STATUS_BUFFER_TOO_SMALL;
    memmove((UCHAR *)Destination->Buffer + Destination->Length, src, bytes);
    Destination->Length = (USHORT)(Destination->Length + bytes);
    if (Destination->Length + sizeof(WCHAR) <= Destination->MaximumLength)
        Destination->Buffer[Destination->Length / sizeof(WCHAR)] = 0;
    return STATUS_SUCCESS;
}

NTSTATUS NTAPI RtlAppendUnicodeToString(PUNICODE_STRING Destination, PCWSTR Source)
{
    if (!Source)
        return STATUS_SUCCESS;
    return append_bytes(Destination, Source, rtl_wcslen(Source) * sizeof(WCHAR));
}

NTSTATUS NTAPI RtlAppendUnicodeStringToString(PUNICODE_STRING Destination, PCUNICODE_STRING Source)
{
    return append_bytes(Destination, Source->Buffer, Source->Length);
}

WCHAR NTAPI RtlUpcaseUnicodeChar(WCHAR c)
{
    if (c >= 'a' && c <= 'z')
        return (WCHAR)(c - 'a' + 'A');
    return c;
}

LONG NTAPI RtlCompareUnicodeString(PCUNICODE_STRING String1, PCUNICODE_STRING String2,
                                   BOOLEAN CaseInSensitive)
{
    size_t n1 = String1->Length / sizeof(WCHAR), n2 = String2->Length / sizeof(WCHAR);
    size_t n = n1 < n2 ? n1 : n2;
    for (size_t i = 0; i < n; i++) {
        WCHAR a = String1->Buffer[i], b = String2->Buffer[i];
        if (CaseInSensitive) {
            a = RtlUpcaseUnicodeChar(a);
            b = RtlUpcaseUnicodeChar(b);
        }
        if (a != b)
            return (LONG)a - (LONG)b;
    }
    return (LONG)n1 - (LONG)n2;
}

BOOLEAN NTAPI RtlEqualUnicodeString(PCUNICODE_STRING String1, PCUNICODE_STRING String2,
                                    BOOLEAN CaseInSensitive)
{
    return String1->Length == String2->Length &&
           RtlCompareUnicodeString(String1, String2, CaseInSensitive) == 0;
}

NTSTATUS NTAPI RtlUpcaseUnicodeString(PUNICODE_STRING DestinationString,
                                      PCUNICODE_STRING SourceString,
                                      BOOLEAN AllocateDestinationString)
{
    if (AllocateDestinationString) {
        DestinationString->Buffer = ex_alloc(PagedPool, SourceString->Length + sizeof(WCHAR),
                                             RTL_STRING_TAG, true, __builtin_return_address(0));
        if (!DestinationString->Buffer)
            return STATUS_NO_MEMORY;
        DestinationString->MaximumLength = (USHORT)(SourceString->Length + sizeof(WCHAR));
    } else if (DestinationString->MaximumLength < SourceString->Length) {
        return STATUS_BUFFER_OVERFLOW;
    }
    for (size_t i = 0; i < SourceString->Length / sizeof(WCHAR); i++)
        DestinationString->Buffer[i] = RtlUpcaseUnicodeChar(SourceString->Buffer[i]);
    DestinationString->Length = SourceString->Length;
    return STATUS_SUCCESS;
}

BOOLEAN NTAPI RtlCreateUnicodeString(PUNICODE_STRING DestinationString, PCWSTR SourceString)
{
    size_t bytes = (rtl_wcslen(SourceString) + 1) * sizeof(WCHAR);
    if (bytes > 0xFFFE)
        return FALSE;
    DestinationString->Buffer =
        ex_alloc(PagedPool, bytes, RTL_STRING_TAG, false, __builtin_return_address(0));
    if (!DestinationString->Buffer)
        return FALSE;
    memcpy(DestinationString->Buffer, SourceString, bytes);
    DestinationString->Length = (USHORT)(bytes - sizeof(WCHAR));
    DestinationString->MaximumLength = (USHORT)bytes;
    return TRUE;
}

/* ANSI here is treated as Latin-1 / ASCII: battery strings are ASCII (ACPI). */
NTSTATUS NTAPI RtlAnsiStringToUnicodeString(PUNICODE_STRING DestinationString,
                                            PCANSI_STRING SourceString,
                                            BOOLEAN AllocateDestinationString)
{
    size_t bytes = (size_t)SourceString->Length * sizeof(WCHAR);
    if (bytes + sizeof(WCHAR) > 0xFFFE)
        return STATUS_INVALID_PARAMETER_2;
    if (AllocateDestinationString) {
        DestinationString->Buffer = ex_alloc(PagedPool, bytes + sizeof(WCHAR), RTL_STRING_TAG,
                                             false, __builtin_return_address(0));
        if (!DestinationString->Buffer)
            return STATUS_NO_MEMORY;
        DestinationString->MaximumLength = (USHORT)(bytes + sizeof(WCHAR));
    } else if (DestinationString->MaximumLength < bytes) {
        return STATUS_BUFFER_OVERFLOW;
    }
    for (size_t i = 0; i < SourceString->Length; i++)
        DestinationString->Buffer[i] = (UCHAR)SourceString->Buffer[i];
    DestinationString->Length = (USHORT)bytes;
    if (bytes + sizeof(WCHAR) <= DestinationString->MaximumLength)
        DestinationString->Buffer[SourceString->Length] = 0;
    return STATUS_SUCCESS;
}

NTSTATUS NTAPI RtlUnicodeStringToAnsiString(PANSI_STRING DestinationString,
                                            PCUNICODE_STRING SourceString,
                                            BOOLEAN AllocateDestinationString)
{
    size_t n = SourceString->Length / sizeof(WCHAR);
    if (AllocateDestinationString) {
        DestinationString->Buffer =
            ex_alloc(PagedPool, n + 1, RTL_STRING_TAG, false, __builtin_return_address(0));
        if (!DestinationString->Buffer)
            return STATUS_NO_MEMORY;
        DestinationString->MaximumLength = (USHORT)(n + 1);
    } else if (DestinationString->MaximumLength < n) {
        return STATUS_BUFFER_OVERFLOW;
    }
    for (size_t i = 0; i < n; i++) {
        WCHAR c = SourceString->Buffer[i];
        DestinationString->Buffer[i] = c < 0x80 ? (CHAR)c : '?';
    }
    DestinationString->Length = (USHORT)n;
    if (n < DestinationString->MaximumLength)
        DestinationString->Buffer[n] = 0;
    return STATUS_SUCCESS;
}

void NTAPI RtlFreeUnicodeString(PUNICODE_STRING UnicodeString)
{
    if (UnicodeString->Buffer)
        ex_free(UnicodeString->Buffer, 0, false);
    UnicodeString->Buffer = NULL;
    UnicodeString->Length = UnicodeString->MaximumLength = 0;
}

void NTAPI RtlFreeAnsiString(PANSI_STRING AnsiString)
{
    if (AnsiString->Buffer)
        ex_free(AnsiString->Buffer, 0, false);
    AnsiString->Buffer = NULL;
    AnsiString->Length = AnsiString->MaximumLength = 0;
}

NTSTATUS NTAPI RtlIntegerToUnicodeString(ULONG Value, ULONG Base, PUNICODE_STRING String)
{
    char digits[40];
    if (Base == 0)
        Base = 10;
    if (Base != 2 && Base != 8 && Base != 10 && Base != 16)
        return STATUS_INVALID_PARAMETER;
    int n = 0;
    do {
        ULONG d = Value % Base;
        digits[n++] = (char)(d < 10 ? '0' + d : 'A' + d - 10);
        Value /= Base;
    } while (Value);
    if ((size_t)n * sizeof(WCHAR) > String->MaximumLength)
        return STATUS_BUFFER_OVERFLOW;
    for (int i = 0; i < n; i++)
        String->Buffer[i] = (WCHAR)digits[n - 1 - i];
    String->Length = (USHORT)(n * sizeof(WCHAR));
    if ((size_t)(n + 1) * sizeof(WCHAR) <= String->MaximumLength)
        String->Buffer[n] = 0;
    return STATUS_SUCCESS;
}

NTSTATUS NTAPI RtlUnicodeStringToInteger(PCUNICODE_STRING String, ULONG Base, PULONG Value)
{
    size_t n = String->Length / sizeof(WCHAR), i = 0;
    while (i < n && String->Buffer[i] == ' ')
        i++;
    bool negative = false;
    if (i < n && (String->Buffer[i] == '-' || String->Buffer[i] == '+'))
        negative = String->Buffer[i++] == '-';
    if (Base == 0) {
        Base = 10;
        if (i + 1 < n && String->Buffer[i] == '0') {
            WCHAR p = String->Buffer[i + 1];
            if (p == 'x' || p == 'X')
                Base = 16, i += 2;
            else if (p == 'o' || p == 'O')
                Base = 8, i += 2;
            else if (p == 'b' || p == 'B')
                Base = 2, i += 2;
        }
    }
    ULONG v = 0;
    for (; i < n; i++) {
        WCHAR c = RtlUpcaseUnicodeChar(String->Buffer[i]);
        ULONG d = (c >= '0' && c <= '9')   ? (ULONG)(c - '0')
                  : (c >= 'A' && c <= 'Z') ? (ULONG)(c - 'A' + 10)
                                           : 99;
        if (d >= Base)
            break;
        v = v * Base + d;
    }
    *Value = negative ? (ULONG)(-(LONG)v) : v;
    return STATUS_SUCCESS;
}

size_t rtl_utf16_to_utf8(const WCHAR *src, size_t src_chars, char *dst, size_t dst_len)
{
    size_t o = 0;
    for (size_t i = 0; i < src_chars && src[i]; i++) {
        uint32_t c = src[i];
        if (c >= 0xD800 && c < 0xDC00 && i + 1 < src_chars && src[i + 1] >= 0xDC00 &&
            src[i + 1] < 0xE000) {
            c = 0x10000 + ((c - 0xD800) << 10) + (src[i + 1] - 0xDC00);
            i++;
        }
        char tmp[4];
        size_t n;
        if (c < 0x80) {
            tmp[0] = (char)c, n = 1;
        } else if (c < 0x800) {
            tmp[0] = (char)(0xC0 | (c >> 6)), tmp[1] = (char)(0x80 | (c & 0x3F)), n = 2;
        } else if (c < 0x10000) {
            tmp[0] = (char)(0xE0 | (c >> 12)), tmp[1] = (char)(0x80 | ((c >> 6) & 0x3F));
            tmp[2] = (char)(0x80 | (c & 0x3F)), n = 3;
        } else {
            tmp[0] = (char)(0xF0 | (c >> 18)), tmp[1] = (char)(0x80 | ((c >> 12) & 0x3F));
            tmp[2] = (char)(0x80 | ((c >> 6) & 0x3F)), tmp[3] = (char)(0x80 | (c & 0x3F)), n = 4;
        }
        if (o + n + 1 > dst_len)
            break;
        memcpy(dst + o, tmp, n);
        o += n;
    }
    if (dst_len)
        dst[o] = 0;
    return o;
}

size_t rtl_utf8_to_utf16(const char *src, WCHAR *dst, size_t dst_chars)
{
    size_t o = 0;
    const unsigned char *s = (const unsigned char *)src;
    while (*s && o + 1 < dst_chars) {
        uint32_t c = *s++;
        int extra = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
        if (extra)
            c &= (0x3F >> extra);
        for (int k = 0; k < extra && (*s & 0xC0) == 0x80; k++)
            c = (c << 6) | (*s++ & 0x3F);
        if (c >= 0x10000) {
            if (o + 2 >= dst_chars)
                break;
            c -= 0x10000;
            dst[o++] = (WCHAR)(0xD800 + (c >> 10));
            dst[o++] = (WCHAR)(0xDC00 + (c & 0x3FF));
        } else {
            dst[o++] = (WCHAR)c;
        }
    }
    if (dst_chars)
        dst[o] = 0;
    return o;
}
