/* nutbatt's BatteryMini* callbacks and its battc registration (WMI and
 * the notify rule are drivers/common's). Every
 * answer comes from the last refresh (refresh.c), copied out under the
 * device lock and mapped by map.c: no round trip to upsd on a battc call.
 * Each callback checks the tag first (docs: STATUS_NO_SUCH_DEVICE). */
#include "nutbatt.h"

/* A copy of what the UPS reported last, and what the machine says. */
typedef struct _NUTBATT_VIEW {
    NUTBATT_READING Reading;
    const NUTBATT_CONFIG *Config;
} NUTBATT_VIEW;

/* <= DISPATCH_LEVEL. STATUS_NO_SUCH_DEVICE when Tag is not the present
 * battery's (BATTERY_TAG_INVALID matches nothing). */
static NTSTATUS NutBattView(PNUTBATT_DEVICE Device, ULONG Tag, NUTBATT_VIEW *View)
{
    KIRQL irql;
    NTSTATUS status = STATUS_NO_SUCH_DEVICE;
    KeAcquireSpinLock(&Device->Lock, &irql);
    if (Device->Tag != BATTERY_TAG_INVALID && Tag == Device->Tag) {
        View->Reading = Device->Reading;
        View->Config = &Device->Config;
        status = STATUS_SUCCESS;
    }
    KeReleaseSpinLock(&Device->Lock, irql);
    return status;
}

/* PASSIVE_LEVEL. docs: no battery (no contact with the UPS) ->
 * STATUS_NO_SUCH_DEVICE. */
static NTSTATUS NutBattQueryTag(PVOID Context, PULONG BatteryTag)
{
    PNUTBATT_DEVICE d = Context;
    KIRQL irql;
    KeAcquireSpinLock(&d->Lock, &irql);
    *BatteryTag = d->Tag;
    KeReleaseSpinLock(&d->Lock, irql);
    return *BatteryTag == BATTERY_TAG_INVALID ? STATUS_NO_SUCH_DEVICE : STATUS_SUCCESS;
}

/* map.c's functions for drivers/common's level switch. */
static VOID NutBattLevelInformation(const VOID *View, PBATTERY_INFORMATION Information)
{
    const NUTBATT_VIEW *v = View;
    NutBattMapInformation(&v->Reading, v->Config, Information);
}

static BOOLEAN NutBattLevelGranularity(const VOID *View, PBATTERY_REPORTING_SCALE Scale)
{
    const NUTBATT_VIEW *v = View;
    return NutBattMapGranularity(&v->Reading, v->Config, Scale);
}

static BOOLEAN NutBattLevelTemperature(const VOID *View, PULONG Temperature)
{
    return NutBattMapTemperature(&((const NUTBATT_VIEW *)View)->Reading, Temperature);
}

static ULONG NutBattLevelEstimatedTime(const VOID *View, LONG AtRate)
{
    const NUTBATT_VIEW *v = View;
    return NutBattMapEstimatedTime(&v->Reading, v->Config, AtRate);
}

static BOOLEAN NutBattLevelDate(const VOID *View, PBATTERY_MANUFACTURE_DATE Date)
{
    return NutBattMapDate(&((const NUTBATT_VIEW *)View)->Reading, Date);
}

static BOOLEAN NutBattLevelString(const VOID *View, BATTERY_QUERY_INFORMATION_LEVEL Level,
                                  CHAR *Text, SIZE_T Size)
{
    const NUTBATT_VIEW *v = View;
    return NutBattMapString(&v->Reading, v->Config, Level, Text, Size);
}

static const BRIDGE_LEVELS NutBattLevels = {
    .Information = NutBattLevelInformation,
    .Granularity = NutBattLevelGranularity,
    .Temperature = NutBattLevelTemperature,
    .EstimatedTime = NutBattLevelEstimatedTime,
    .Date = NutBattLevelDate,
    .String = NutBattLevelString,
};

/* PASSIVE_LEVEL. A level the UPS gives no data for (a temperature, date or
 * string it lacks; granularity without a capacity): STATUS_INVALID_DEVICE_
 * REQUEST (drivers/common's BridgeAnswerLevel has the other rules). */
static NTSTATUS NutBattQueryInformation(PVOID Context, ULONG BatteryTag,
                                        BATTERY_QUERY_INFORMATION_LEVEL Level, LONG AtRate,
                                        PVOID Buffer, ULONG BufferLength, PULONG ReturnedLength)
{
    NUTBATT_VIEW *view = ExAllocatePoolWithTag(PagedPool, sizeof(*view), NUTBATT_TAG);
    *ReturnedLength = 0;
    if (!view)
        return STATUS_INSUFFICIENT_RESOURCES;
    NTSTATUS status = NutBattView(Context, BatteryTag, view);
    if (NT_SUCCESS(status))
        status = BridgeAnswerLevel(&NutBattLevels, view, Level, AtRate, Buffer, BufferLength,
                                   ReturnedLength);
    ExFreePoolWithTag(view, NUTBATT_TAG);
    return status;
}

/* PASSIVE_LEVEL. From the cache: no round trip to upsd. */
static NTSTATUS NutBattQueryStatus(PVOID Context, ULONG BatteryTag, PBATTERY_STATUS BatteryStatus)
{
    PNUTBATT_DEVICE d = Context;
    KIRQL irql;
    NTSTATUS status = STATUS_NO_SUCH_DEVICE;
    KeAcquireSpinLock(&d->Lock, &irql);
    if (d->Tag != BATTERY_TAG_INVALID && BatteryTag == d->Tag) {
        NutBattMapStatus(&d->Reading, &d->Config, BatteryStatus);
        status = STATUS_SUCCESS;
    }
    KeReleaseSpinLock(&d->Lock, irql);
    return status;
}

/* PASSIVE_LEVEL. Keeps battc's power state and capacity window; a refresh
 * that leaves it notifies (BridgeNotifyDue). */
static NTSTATUS NutBattSetStatusNotify(PVOID Context, ULONG BatteryTag,
                                       PBATTERY_NOTIFY BatteryNotify)
{
    PNUTBATT_DEVICE d = Context;
    KIRQL irql;
    NTSTATUS status = STATUS_NO_SUCH_DEVICE;
    KeAcquireSpinLock(&d->Lock, &irql);
    if (d->Tag != BATTERY_TAG_INVALID && BatteryTag == d->Tag) {
        d->Fdo.Notify = *BatteryNotify;
        d->Fdo.NotifyArmed = TRUE;
        status = STATUS_SUCCESS;
    }
    KeReleaseSpinLock(&d->Lock, irql);
    return status;
}

static NTSTATUS NutBattDisableStatusNotify(PVOID Context)
{
    PNUTBATT_DEVICE d = Context;
    KIRQL irql;
    KeAcquireSpinLock(&d->Lock, &irql);
    d->Fdo.NotifyArmed = FALSE;
    KeReleaseSpinLock(&d->Lock, irql);
    return STATUS_SUCCESS;
}

/* PASSIVE_LEVEL. Charge control would be upsd instant commands with
 * write access, which a battery reader has no business with: every level
 * is refused once the tag checks. */
static NTSTATUS NutBattSetInformation(PVOID Context, ULONG BatteryTag,
                                      BATTERY_SET_INFORMATION_LEVEL Level, PVOID Buffer)
{
    PNUTBATT_DEVICE d = Context;
    KIRQL irql;
    UNREFERENCED_PARAMETER(Level);
    UNREFERENCED_PARAMETER(Buffer);
    KeAcquireSpinLock(&d->Lock, &irql);
    BOOLEAN ours = d->Tag != BATTERY_TAG_INVALID && BatteryTag == d->Tag;
    KeReleaseSpinLock(&d->Lock, irql);
    return ours ? STATUS_NOT_SUPPORTED : STATUS_NO_SUCH_DEVICE;
}

/* PASSIVE_LEVEL, IRP_MN_START_DEVICE after the first refresh: registers
 * with battc (docs: one BATTERY_MINIPORT_INFO, every callback). */
NTSTATUS NutBattBatteryStart(PNUTBATT_DEVICE Device)
{
    BATTERY_MINIPORT_INFO info;
    PVOID handle;
    KIRQL irql;
    if (Device->Fdo.ClassHandle)
        return STATUS_SUCCESS;
    RtlZeroMemory(&info, sizeof info);
    info.Context = Device;
    info.QueryTag = NutBattQueryTag;
    info.QueryInformation = NutBattQueryInformation;
    info.SetInformation = NutBattSetInformation;
    info.QueryStatus = NutBattQueryStatus;
    info.SetStatusNotify = NutBattSetStatusNotify;
    info.DisableStatusNotify = NutBattDisableStatusNotify;
    NTSTATUS status = BridgeClassInitialize(&Device->Fdo, &info, &handle);
    if (!NT_SUCCESS(status))
        return status;
    /* The refresh reads the handle under the lock: it may run already. */
    KeAcquireSpinLock(&Device->Lock, &irql);
    Device->Fdo.ClassHandle = handle;
    NutBattMapStatus(&Device->Reading, &Device->Config, &Device->Last);
    KeReleaseSpinLock(&Device->Lock, irql);
    BridgeWmiRegister(&Device->Fdo);
    return STATUS_SUCCESS;
}
