/* kmdfbatt's battery: defaults, tags, the state kept in the device's
 * hardware key (WdfDeviceOpenRegistryKey + WdfRegistry*), and telling
 * battc of a change. PASSIVE_LEVEL throughout. */
#include "kmdfbatt.h"

static const WCHAR StateValueName[] = L"KmdfBattState";

void KmdfBattLock(PKMDFBATT_CONTEXT Ctx)
{
    WdfWaitLockAcquire(Ctx->StateLock, NULL);
}

void KmdfBattUnlock(PKMDFBATT_CONTEXT Ctx)
{
    WdfWaitLockRelease(Ctx->StateLock);
}

/* A 40 Wh Li-ion pack at 30 Wh on AC, alerts 2/4 Wh, 25.0 degrees C. */
void KmdfBattDefaults(PKMDFBATT_CONTEXT Ctx)
{
    PKMDFBATT_STATE s = &Ctx->State;

    RtlZeroMemory(s, sizeof(*s));
    s->Version = KMDFBATT_STATE_VERSION;
    s->Size = sizeof(*s);
    s->Present = TRUE;
    s->Status.PowerState = BATTERY_POWER_ON_LINE;
    s->Status.Capacity = 30000; /* mWh */
    s->Status.Voltage = 11400;  /* mV */
    s->Status.Rate = 0;         /* mW: neither charging nor discharging */
    s->Information.Capabilities = BATTERY_SYSTEM_BATTERY;
    s->Information.Technology = 1; /* rechargeable */
    RtlCopyMemory(s->Information.Chemistry, "LION", 4);
    s->Information.DesignedCapacity = 42000;
    s->Information.FullChargedCapacity = 40000;
    s->Information.DefaultAlert1 = 2000;
    s->Information.DefaultAlert2 = 4000;
    s->Information.CriticalBias = 0;
    s->Information.CycleCount = 7;
    s->Temperature = 2982;
    Ctx->Tag = BATTERY_TAG_INVALID;
}

static BOOLEAN StateValid(const KMDFBATT_STATE *s)
{
    return s->Version == KMDFBATT_STATE_VERSION && s->Size == sizeof(*s) &&
           s->Information.FullChargedCapacity != 0 &&
           (s->Status.Capacity == BATTERY_UNKNOWN_CAPACITY ||
            s->Status.Capacity <= s->Information.FullChargedCapacity);
}

/* The saved battery, if the key has a valid one; else the defaults stay. */
void KmdfBattLoadState(PKMDFBATT_CONTEXT Ctx)
{
    UNICODE_STRING name;
    KMDFBATT_STATE saved;
    ULONG length = 0, type = 0;
    WDFKEY key;

    RtlInitUnicodeString(&name, StateValueName);
    if (!NT_SUCCESS(WdfDeviceOpenRegistryKey(Ctx->Device, PLUGPLAY_REGKEY_DEVICE, KEY_READ,
                                             WDF_NO_OBJECT_ATTRIBUTES, &key)))
        return;
    if (NT_SUCCESS(WdfRegistryQueryValue(key, &name, sizeof(saved), &saved, &length, &type)) &&
        type == REG_BINARY && length == sizeof(saved) && StateValid(&saved)) {
        KmdfBattLock(Ctx);
        Ctx->State = saved;
        KmdfBattUnlock(Ctx);
    }
    WdfRegistryClose(key);
}

/* Locked. Every change is written at once, so a restart finds it. */
void KmdfBattSaveState(PKMDFBATT_CONTEXT Ctx)
{
    UNICODE_STRING name;
    WDFKEY key;

    RtlInitUnicodeString(&name, StateValueName);
    if (!NT_SUCCESS(WdfDeviceOpenRegistryKey(Ctx->Device, PLUGPLAY_REGKEY_DEVICE,
                                             KEY_READ | KEY_WRITE, WDF_NO_OBJECT_ATTRIBUTES, &key)))
        return;
    WdfRegistryAssignValue(key, &name, REG_BINARY, sizeof(Ctx->State), &Ctx->State);
    WdfRegistryClose(key);
}

/* Locked. docs: a new tag on every insertion, never 0 and never one a
 * client may still hold (the counter is saved with the state). */
void KmdfBattNewTagLocked(PKMDFBATT_CONTEXT Ctx)
{
    ULONG next = Ctx->State.LastTag + 1;
    if (next == 0 || next == BATTERY_TAG_INVALID)
        next = 1;
    Ctx->State.LastTag = next;
    Ctx->Tag = next;
    KmdfBattSaveState(Ctx);
}

/* Locked. docs: a tag that is not the present battery's is
 * STATUS_NO_SUCH_DEVICE. */
NTSTATUS KmdfBattCheckTagLocked(PKMDFBATT_CONTEXT Ctx, ULONG BatteryTag)
{
    if (!Ctx->State.Present || Ctx->Tag == BATTERY_TAG_INVALID || BatteryTag != Ctx->Tag)
        return STATUS_NO_SUCH_DEVICE;
    return STATUS_SUCCESS;
}

/* Not locked: battc queries back from its notification. */
void KmdfBattNotify(PKMDFBATT_CONTEXT Ctx)
{
    WdfWaitLockAcquire(Ctx->ClassLock, NULL);
    if (Ctx->ClassHandle != NULL) {
        Ctx->NotifyCount++;
        BatteryClassStatusNotify(Ctx->ClassHandle);
    }
    WdfWaitLockRelease(Ctx->ClassLock);
}
