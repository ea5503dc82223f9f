/* nutbatt's configuration: the device's hardware key (Enum\<instance>\
 * Device Parameters, written from the machine description before the
 * device is added) read at START, and the "upsname@host[:port]" split. */
#include "nutbatt.h"

#include <ntstrsafe.h>
#include <string.h>

/* PASSIVE_LEVEL. A REG_SZ value as ASCII; FALSE when absent, not text or
 * not ASCII (Out is then ""). */
static BOOLEAN NutBattQueryString(HANDLE Key, PCWSTR Name, CHAR *Out, SIZE_T Size)
{
    UCHAR buffer[sizeof(KEY_VALUE_PARTIAL_INFORMATION) + 2 * NUTBATT_UPS_MAX];
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
            return FALSE; /* upsd's protocol is ASCII; a cut value is a wrong one */
        }
        Out[i] = (CHAR)w[i];
    }
    Out[i] = 0;
    return i > 0;
}

static BOOLEAN NutBattQueryDword(HANDLE Key, PCWSTR Name, PULONG Out)
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

BOOLEAN NutBattSplitUps(const CHAR *Ups, CHAR *Name, SIZE_T NameSize, CHAR *Host, SIZE_T HostSize,
                        USHORT *Port)
{
    const CHAR *at = strchr(Ups, '@');
    SIZE_T name_len = at ? (SIZE_T)(at - Ups) : strlen(Ups);
    *Port = NUTBATT_DEFAULT_PORT;
    if (name_len == 0 || name_len >= NameSize)
        return FALSE;
    for (SIZE_T i = 0; i < name_len; i++)
        if (Ups[i] <= ' ' || Ups[i] == '"' || Ups[i] == '\\')
            return FALSE; /* a name upsd could not be asked for */
    RtlCopyMemory(Name, Ups, name_len);
    Name[name_len] = 0;
    const CHAR *host = at ? at + 1 : "localhost";
    const CHAR *colon = strrchr(host, ':');
    SIZE_T host_len = colon ? (SIZE_T)(colon - host) : strlen(host);
    if (colon) {
        ULONG port = 0;
        const CHAR *p = colon + 1;
        if (!*p)
            return FALSE;
        for (; *p; p++) {
            if (*p < '0' || *p > '9')
                return FALSE;
            port = port * 10 + (ULONG)(*p - '0');
            if (port > 65535)
                return FALSE;
        }
        if (port == 0)
            return FALSE;
        *Port = (USHORT)port;
    }
    if (host_len == 0 || host_len >= HostSize)
        return FALSE;
    RtlCopyMemory(Host, host, host_len);
    Host[host_len] = 0;
    return TRUE;
}

/* PASSIVE_LEVEL. Ups (REG_SZ, required), User, Password, PollIntervalMs,
 * DesignCapacityMwh, DesignVoltageMv, Manufacturer, Model, Serial,
 * Chemistry, as bridges.c writes them. */
BOOLEAN NutBattReadConfig(PDEVICE_OBJECT Pdo, PNUTBATT_CONFIG Config)
{
    HANDLE key;
    ULONG poll = NUTBATT_DEFAULT_POLL_MS;
    RtlZeroMemory(Config, sizeof(*Config));
    Config->PollMs = NUTBATT_DEFAULT_POLL_MS;
    if (!NT_SUCCESS(IoOpenDeviceRegistryKey(Pdo, PLUGPLAY_REGKEY_DEVICE, KEY_READ, &key))) {
        KdPrint(("nutbatt: the device has no hardware key (no Ups to ask)\n"));
        return FALSE;
    }
    BOOLEAN ok = NutBattQueryString(key, L"Ups", Config->Ups, sizeof Config->Ups);
    NutBattQueryString(key, L"User", Config->User, sizeof Config->User);
    NutBattQueryString(key, L"Password", Config->Password, sizeof Config->Password);
    if (NutBattQueryDword(key, L"PollIntervalMs", &poll) && poll)
        Config->PollMs = poll < NUTBATT_MIN_POLL_MS ? NUTBATT_MIN_POLL_MS : poll;
    NutBattQueryDword(key, L"DesignCapacityMwh", &Config->DesignCapacityMwh);
    NutBattQueryDword(key, L"DesignVoltageMv", &Config->DesignVoltageMv);
    NutBattQueryString(key, L"Manufacturer", Config->Manufacturer, sizeof Config->Manufacturer);
    NutBattQueryString(key, L"Model", Config->Model, sizeof Config->Model);
    NutBattQueryString(key, L"Serial", Config->Serial, sizeof Config->Serial);
    NutBattQueryString(key, L"Chemistry", Config->Chemistry, sizeof Config->Chemistry);
    ZwClose(key);
    if (!ok) {
        KdPrint(("nutbatt: no Ups (upsname@host[:port]) in the hardware key\n"));
        return FALSE;
    }
    if (!NutBattSplitUps(Config->Ups, Config->UpsName, sizeof Config->UpsName, Config->Host,
                         sizeof Config->Host, &Config->Port)) {
        KdPrint(("nutbatt: Ups \"%s\" is not upsname@host[:port]\n", Config->Ups));
        return FALSE;
    }
    return TRUE;
}
