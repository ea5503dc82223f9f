/* GUID <-> "{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}" text, the form symbolic
 * link names and registry keys use. */
#include "../private.h"

#include <stdio.h>

NTSTATUS NTAPI RtlStringFromGUID(REFGUID Guid, PUNICODE_STRING GuidString)
{
    char text[39];
    snprintf(text, sizeof text, "{%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x}", Guid->Data1,
             Guid->Data2, Guid->Data3, Guid->Data4[0], Guid->Data4[1], Guid->Data4[2],
             Guid->Data4[3], Guid->Data4[4], Guid->Data4[5], Guid->Data4[6], Guid->Data4[7]);
    GuidString->Buffer =
        ex_alloc(PagedPool, sizeof(WCHAR) * 39, 'SltR', false, __builtin_return_address(0));
    if (!GuidString->Buffer)
        return STATUS_NO_MEMORY;
    for (int i = 0; i < 39; i++)
        GuidString->Buffer[i] = (WCHAR)text[i];
    GuidString->Length = 38 * sizeof(WCHAR);
    GuidString->MaximumLength = 39 * sizeof(WCHAR);
    return STATUS_SUCCESS;
}

static int hexval(WCHAR c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

NTSTATUS NTAPI RtlGUIDFromString(PCUNICODE_STRING GuidString, GUID *Guid)
{
    /* Positions of the 32 hex digits inside the 38-character form. */
    static const UCHAR digit_at[32] = {1,  2,  3,  4,  5,  6,  7,  8,  10, 11, 12,
                                       13, 15, 16, 17, 18, 20, 21, 22, 23, 25, 26,
                                       27, 28, 29, 30, 31, 32, 33, 34, 35, 36};
    const WCHAR *s = GuidString->Buffer;
    UCHAR nib[32];
    if (GuidString->Length != 38 * sizeof(WCHAR) || s[0] != '{' || s[37] != '}' || s[9] != '-' ||
        s[14] != '-' || s[19] != '-' || s[24] != '-')
        return STATUS_INVALID_PARAMETER;
    for (int i = 0; i < 32; i++) {
        int v = hexval(s[digit_at[i]]);
        if (v < 0)
            return STATUS_INVALID_PARAMETER;
        nib[i] = (UCHAR)v;
    }
    uint64_t acc = 0;
    for (int i = 0; i < 8; i++)
        acc = acc << 4 | nib[i];
    Guid->Data1 = (uint32_t)acc;
    Guid->Data2 = (uint16_t)(nib[8] << 12 | nib[9] << 8 | nib[10] << 4 | nib[11]);
    Guid->Data3 = (uint16_t)(nib[12] << 12 | nib[13] << 8 | nib[14] << 4 | nib[15]);
    for (int i = 0; i < 8; i++)
        Guid->Data4[i] = (uint8_t)(nib[16 + 2 * i] << 4 | nib[17 + 2 * i]);
    return STATUS_SUCCESS;
}
