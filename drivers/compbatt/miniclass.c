/* The composite's BatteryMini* answers, all from the figures combined from
 * its members (cheap: no request goes to a battery on a query), and the
 * recompute step that keeps those figures and the composite tag current. */
#include "compbatt_private.h"

/* <= DISPATCH_LEVEL... PASSIVE_LEVEL (it may call battc). Gathers the
 * members' readings, combines them, issues a new tag when the set changed,
 * and tells battc when anything a waiter could see changed. */
VOID CompBattRecompute(PCOMPBATT_EXTENSION Ext)
{
    COMPBATT_READING *readings;
    BATTERY_INFORMATION info;
    BATTERY_STATUS status;
    ULONG count = 0, included = 0;
    BOOLEAN changed;
    KIRQL irql;

    KeAcquireSpinLock(&Ext->Lock, &irql);
    /* Sized under the lock, filled under the lock: allocate outside it for
     * the count seen, then take what fits. */
    count = Ext->MemberCount;
    KeReleaseSpinLock(&Ext->Lock, irql);
    readings = ExAllocatePoolWithTag(NonPagedPool, (count ? count : 1) * sizeof(*readings),
                                     COMPBATT_POOL_TAG);
    if (!readings)
        return; /* the next change recomputes */

    KeAcquireSpinLock(&Ext->Lock, &irql);
    ULONG n = 0;
    for (PLIST_ENTRY e = Ext->Members.Flink; e != &Ext->Members && n < count; e = e->Flink) {
        PCOMPBATT_MEMBER m = CONTAINING_RECORD(e, COMPBATT_MEMBER, Link);
        readings[n] = m->Reading;
        readings[n].Valid = readings[n].Valid && !m->Removed;
        n++;
    }
    CompBattCombine(readings, n, &info, &status, &included);
    if (Ext->SetChanged) {
        /* docs: a new tag whenever what the battery is changes; for the
         * composite that is its set of batteries. Never BATTERY_TAG_INVALID. */
        Ext->SetChanged = FALSE;
        if (++Ext->NextTag == BATTERY_TAG_INVALID)
            Ext->NextTag = 1;
        Ext->Tag = included ? Ext->NextTag : BATTERY_TAG_INVALID;
        changed = TRUE;
    } else {
        changed = RtlCompareMemory(&info, &Ext->Info, sizeof(info)) != sizeof(info) ||
                  RtlCompareMemory(&status, &Ext->Status, sizeof(status)) != sizeof(status);
    }
    if (!included)
        Ext->Tag = BATTERY_TAG_INVALID;
    Ext->Info = info;
    Ext->Status = status;
    KeReleaseSpinLock(&Ext->Lock, irql);
    ExFreePoolWithTag(readings, COMPBATT_POOL_TAG);
    if (changed && Ext->ClassHandle)
        BatteryClassStatusNotify(Ext->ClassHandle);
}

static NTSTATUS CompBattCheckTag(PCOMPBATT_EXTENSION Ext, ULONG BatteryTag)
{
    return Ext->Tag != BATTERY_TAG_INVALID && Ext->Tag == BatteryTag ? STATUS_SUCCESS
                                                                     : STATUS_NO_SUCH_DEVICE;
}

/* PASSIVE_LEVEL (all BatteryMini* callbacks). */
NTSTATUS CompBattQueryTag(PVOID Context, PULONG BatteryTag)
{
    PCOMPBATT_EXTENSION ext = Context;
    KIRQL irql;

    KeAcquireSpinLock(&ext->Lock, &irql);
    *BatteryTag = ext->Tag;
    KeReleaseSpinLock(&ext->Lock, irql);
    return *BatteryTag == BATTERY_TAG_INVALID ? STATUS_NO_SUCH_DEVICE : STATUS_SUCCESS;
}

static NTSTATUS CompBattCopy(PVOID Buffer, ULONG BufferLength, const VOID *Data, ULONG Size,
                             PULONG ReturnedLength)
{
    *ReturnedLength = Size;
    if (BufferLength < Size)
        return STATUS_BUFFER_TOO_SMALL;
    RtlCopyMemory(Buffer, Data, Size);
    return STATUS_SUCCESS;
}

NTSTATUS CompBattQueryInformation(PVOID Context, ULONG BatteryTag,
                                  BATTERY_QUERY_INFORMATION_LEVEL Level, LONG AtRate, PVOID Buffer,
                                  ULONG BufferLength, PULONG ReturnedLength)
{
    static const WCHAR name[] = L"Composite Battery";
    PCOMPBATT_EXTENSION ext = Context;
    BATTERY_INFORMATION info;
    BATTERY_STATUS status;
    ULONG seconds = BATTERY_UNKNOWN_TIME;
    NTSTATUS result;
    KIRQL irql;

    *ReturnedLength = 0;
    KeAcquireSpinLock(&ext->Lock, &irql);
    result = CompBattCheckTag(ext, BatteryTag);
    info = ext->Info;
    status = ext->Status;
    KeReleaseSpinLock(&ext->Lock, irql);
    if (!NT_SUCCESS(result))
        return result;

    switch (Level) {
    case BatteryInformation:
        return CompBattCopy(Buffer, BufferLength, &info, sizeof(info), ReturnedLength);
    case BatteryEstimatedTime: {
        /* At the given rate (docs: AtRate < 0, mW), else the present one;
         * no time while nothing discharges. */
        LONG rate = AtRate < 0 ? AtRate : status.Rate;
        if (rate < 0 && rate != (LONG)BATTERY_UNKNOWN_RATE &&
            status.Capacity != BATTERY_UNKNOWN_CAPACITY &&
            (AtRate < 0 || (status.PowerState & BATTERY_DISCHARGING)))
            seconds = (ULONG)(((ULONGLONG)status.Capacity * 3600) / (ULONGLONG)(-(LONGLONG)rate));
        return CompBattCopy(Buffer, BufferLength, &seconds, sizeof(seconds), ReturnedLength);
    }
    case BatteryDeviceName:
    case BatteryUniqueID:
        /* With its terminating NUL, as a caller reading the string expects. */
        return CompBattCopy(Buffer, BufferLength, name, sizeof(name), ReturnedLength);
    default:
        /* Per-pack facts (temperature, dates, serials, granularity) belong
         * to the batteries themselves. */
        return STATUS_INVALID_DEVICE_REQUEST;
    }
}

NTSTATUS CompBattQueryStatus(PVOID Context, ULONG BatteryTag, PBATTERY_STATUS BatteryStatus)
{
    PCOMPBATT_EXTENSION ext = Context;
    NTSTATUS result;
    KIRQL irql;

    KeAcquireSpinLock(&ext->Lock, &irql);
    result = CompBattCheckTag(ext, BatteryTag);
    *BatteryStatus = ext->Status;
    KeReleaseSpinLock(&ext->Lock, irql);
    return result;
}

/* The composite notifies battc on every change of its figures, which is
 * what any window battc asks for needs: nothing to arm. */
NTSTATUS CompBattSetStatusNotify(PVOID Context, ULONG BatteryTag, PBATTERY_NOTIFY BatteryNotify)
{
    PCOMPBATT_EXTENSION ext = Context;

    UNREFERENCED_PARAMETER(BatteryNotify);
    return CompBattCheckTag(ext, BatteryTag);
}

NTSTATUS CompBattDisableStatusNotify(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    return STATUS_SUCCESS;
}

/* Charge control is per pack: a client sets it on the battery itself. A
 * stale tag is still told so first, as for every tagged request. */
NTSTATUS CompBattSetInformation(PVOID Context, ULONG BatteryTag,
                                BATTERY_SET_INFORMATION_LEVEL Level, PVOID Buffer)
{
    PCOMPBATT_EXTENSION ext = Context;
    NTSTATUS result;
    KIRQL irql;

    UNREFERENCED_PARAMETER(Level);
    UNREFERENCED_PARAMETER(Buffer);
    KeAcquireSpinLock(&ext->Lock, &irql);
    result = CompBattCheckTag(ext, BatteryTag);
    KeReleaseSpinLock(&ext->Lock, irql);
    return NT_SUCCESS(result) ? STATUS_NOT_SUPPORTED : result;
}
