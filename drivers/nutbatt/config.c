/* nutbatt's configuration: the device's hardware key (Enum\<instance>\
 * Device Parameters, written from the machine description before the
 * device is added) read at START, and the "upsname@host[:port]" split. */
#include "nutbatt.h"

#include <ntstrsafe.h>
#include <string.h>

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
    BOOLEAN ok = BridgeQueryString(key, L"Ups", Config->Ups, sizeof Config->Ups);
    BridgeQueryString(key, L"User", Config->User, sizeof Config->User);
    BridgeQueryString(key, L"Password", Config->Password, sizeof Config->Password);
    if (BridgeQueryDword(key, L"PollIntervalMs", &poll) && poll)
        Config->PollMs = poll < NUTBATT_MIN_POLL_MS ? NUTBATT_MIN_POLL_MS : poll;
    BridgeQueryDword(key, L"DesignCapacityMwh", &Config->DesignCapacityMwh);
    BridgeQueryDword(key, L"DesignVoltageMv", &Config->DesignVoltageMv);
    BridgeQueryString(key, L"Manufacturer", Config->Manufacturer, sizeof Config->Manufacturer);
    BridgeQueryString(key, L"Model", Config->Model, sizeof Config->Model);
    BridgeQueryString(key, L"Serial", Config->Serial, sizeof Config->Serial);
    BridgeQueryString(key, L"Chemistry", Config->Chemistry, sizeof Config->Chemistry);
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
