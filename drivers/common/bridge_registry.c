/* Values of a bridge device's hardware key, as the machine description's
 * bridge keys are written there before the device is added. */
#include "bridge.h"

BOOLEAN BridgeQueryString(HANDLE Key, PCWSTR Name, CHAR *Out, SIZE_T Size)
{
    UCHAR buffer[sizeof(KEY_VALUE_PARTIAL_INFORMATION) + BRIDGE_REG_TEXT_MAX * sizeof(WCHAR)];
    PKEY_VALUE_PARTIAL_INFORMATION v = (PKEY_VALUE_PARTIAL_INFORMATION)buffer;
    UNICODE_STRING name;
    ULONG length;
    Out[0] = 0;
    RtlInitUnicodeString(&name, Name);
    if (!NT_SUCCESS(
            ZwQueryValueKey(Key, &name, KeyValuePartialInformation, v, sizeof buffer, &length)) ||
        v->Type != REG_SZ)
        return FALSE;
    const WCHAR *w = (const WCHAR *)v->Data;
    SIZE_T n = v->DataLength / sizeof(WCHAR), i;
    for (i = 0; i < n && w[i]; i++) {
        if (w[i] >= 0x80 || i + 1 >= Size) {
            Out[0] = 0;
            return FALSE;
        }
        Out[i] = (CHAR)w[i];
    }
    Out[i] = 0;
    return i > 0;
}

BOOLEAN BridgeQueryDword(HANDLE Key, PCWSTR Name, PULONG Out)
{
    UCHAR buffer[sizeof(KEY_VALUE_PARTIAL_INFORMATION) + sizeof(ULONG)];
    PKEY_VALUE_PARTIAL_INFORMATION v = (PKEY_VALUE_PARTIAL_INFORMATION)buffer;
    UNICODE_STRING name;
    ULONG length;
    RtlInitUnicodeString(&name, Name);
    if (!NT_SUCCESS(
            ZwQueryValueKey(Key, &name, KeyValuePartialInformation, v, sizeof buffer, &length)) ||
        v->Type != REG_DWORD || v->DataLength != sizeof(ULONG))
        return FALSE;
    RtlCopyMemory(Out, v->Data, sizeof(ULONG));
    return TRUE;
}
