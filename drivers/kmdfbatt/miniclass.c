/* The BatteryMini* callbacks battc calls for kmdfbatt: the tag first
 * (docs: STATUS_NO_SUCH_DEVICE on a mismatch), then one table of what
 * each information level answers. PASSIVE_LEVEL; battc serializes them. */
#include "kmdfbatt.h"

static const WCHAR DeviceName[] = L"KmdfBatt";
static const WCHAR ManufactureName[] = L"battkit";
static const WCHAR UniqueId[] = L"battkitKmdfBatt20250314KB0001";
static const WCHAR SerialNumber[] = L"KB0001";
static const BATTERY_MANUFACTURE_DATE ManufactureDate = {14, 3, 2025};
static const BATTERY_REPORTING_SCALE Granularity[] = {{42000, 10}}; /* 10 mWh up to 42 Wh */

NTSTATUS KmdfBattQueryTag(PVOID Context, PULONG BatteryTag)
{
    PKMDFBATT_CONTEXT ctx = Context;
    NTSTATUS status = STATUS_SUCCESS;

    KmdfBattLock(ctx);
    *BatteryTag = ctx->State.Present ? ctx->Tag : BATTERY_TAG_INVALID;
    if (*BatteryTag == BATTERY_TAG_INVALID)
        status = STATUS_NO_SUCH_DEVICE; /* docs: no battery */
    KmdfBattUnlock(ctx);
    return status;
}

/* Seconds. docs (W32 page): AtRate < 0 is a hypothetical drain; 0 means
 * the present rate while discharging; unknown otherwise. */
static ULONG EstimatedTime(const KMDFBATT_STATE *s, LONG AtRate)
{
    LONG rate = AtRate;
    if (rate == 0 && (s->Status.PowerState & BATTERY_DISCHARGING) &&
        s->Status.Rate != (LONG)BATTERY_UNKNOWN_RATE)
        rate = s->Status.Rate;
    if (rate >= 0 || s->Status.Capacity == BATTERY_UNKNOWN_CAPACITY)
        return BATTERY_UNKNOWN_TIME;
    return (ULONG)((ULONGLONG)s->Status.Capacity * 3600u / (ULONGLONG)(-(LONGLONG)rate));
}

NTSTATUS KmdfBattQueryInformation(PVOID Context, ULONG BatteryTag,
                                  BATTERY_QUERY_INFORMATION_LEVEL Level, LONG AtRate, PVOID Buffer,
                                  ULONG BufferLength, PULONG ReturnedLength)
{
    PKMDFBATT_CONTEXT ctx = Context;
    ULONG value;
    const void *source;
    ULONG size;
    NTSTATUS status;

    *ReturnedLength = 0;
    KmdfBattLock(ctx);
    status = KmdfBattCheckTagLocked(ctx, BatteryTag);
    if (!NT_SUCCESS(status))
        goto out;
    switch (Level) {
    case BatteryInformation:
        source = &ctx->State.Information, size = sizeof(BATTERY_INFORMATION);
        break;
    case BatteryGranularityInformation:
        source = Granularity, size = sizeof(Granularity);
        break;
    case BatteryTemperature: /* tenths of kelvin */
        value = ctx->State.Temperature, source = &value, size = sizeof(value);
        break;
    case BatteryEstimatedTime:
        value = EstimatedTime(&ctx->State, AtRate), source = &value, size = sizeof(value);
        break;
    case BatteryDeviceName: /* UTF-16, the NUL counted */
        source = DeviceName, size = sizeof(DeviceName);
        break;
    case BatteryManufactureDate:
        source = &ManufactureDate, size = sizeof(ManufactureDate);
        break;
    case BatteryManufactureName:
        source = ManufactureName, size = sizeof(ManufactureName);
        break;
    case BatteryUniqueID:
        source = UniqueId, size = sizeof(UniqueId);
        break;
    case BatterySerialNumber:
        source = SerialNumber, size = sizeof(SerialNumber);
        break;
    default:
        status = STATUS_INVALID_PARAMETER; /* docs: an undefined level */
        goto out;
    }
    *ReturnedLength = size;
    if (Buffer == NULL || BufferLength < size)
        status = STATUS_BUFFER_TOO_SMALL;
    else
        RtlCopyMemory(Buffer, source, size);
out:
    KmdfBattUnlock(ctx);
    return status;
}

NTSTATUS KmdfBattQueryStatus(PVOID Context, ULONG BatteryTag, PBATTERY_STATUS BatteryStatus)
{
    PKMDFBATT_CONTEXT ctx = Context;
    NTSTATUS status;

    KmdfBattLock(ctx);
    status = KmdfBattCheckTagLocked(ctx, BatteryTag);
    if (NT_SUCCESS(status))
        *BatteryStatus = ctx->State.Status;
    KmdfBattUnlock(ctx);
    return status;
}

/* Keeps battc's power state and capacity window; every change made through
 * the control IOCTLs notifies (control.c). */
NTSTATUS KmdfBattSetStatusNotify(PVOID Context, ULONG BatteryTag, PBATTERY_NOTIFY BatteryNotify)
{
    PKMDFBATT_CONTEXT ctx = Context;
    NTSTATUS status;

    KmdfBattLock(ctx);
    status = KmdfBattCheckTagLocked(ctx, BatteryTag);
    if (NT_SUCCESS(status)) {
        ctx->Notify = *BatteryNotify;
        ctx->NotifyArmed = TRUE;
    }
    KmdfBattUnlock(ctx);
    return status;
}

NTSTATUS KmdfBattDisableStatusNotify(PVOID Context)
{
    PKMDFBATT_CONTEXT ctx = Context;

    KmdfBattLock(ctx);
    ctx->NotifyArmed = FALSE;
    RtlZeroMemory(&ctx->Notify, sizeof(ctx->Notify));
    KmdfBattUnlock(ctx);
    return STATUS_SUCCESS;
}

/* Only the critical bias is settable (mWh, below the full charge); the
 * other levels are STATUS_NOT_SUPPORTED (docs). */
NTSTATUS KmdfBattSetInformation(PVOID Context, ULONG BatteryTag,
                                BATTERY_SET_INFORMATION_LEVEL Level, PVOID Buffer)
{
    PKMDFBATT_CONTEXT ctx = Context;
    NTSTATUS status;

    KmdfBattLock(ctx);
    status = KmdfBattCheckTagLocked(ctx, BatteryTag);
    if (!NT_SUCCESS(status))
        goto out;
    if (Level != BatteryCriticalBias) {
        status = STATUS_NOT_SUPPORTED;
        goto out;
    }
    if (Buffer == NULL || *(PULONG)Buffer >= ctx->State.Information.FullChargedCapacity) {
        status = STATUS_UNSUCCESSFUL;
        goto out;
    }
    ctx->State.Information.CriticalBias = *(PULONG)Buffer;
    KmdfBattSaveState(ctx);
out:
    KmdfBattUnlock(ctx);
    return status;
}
