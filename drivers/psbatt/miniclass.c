/* psbatt's BatteryMini* callbacks and its battc registration (WMI and
 * the notify rule are drivers/common's). Every
 * answer comes from the child's last scan (bus.c), copied out under the
 * bus lock and mapped by map.c: no sysfs read on a battc call. Each
 * callback checks the tag first (docs: STATUS_NO_SUCH_DEVICE). */
#include "psbatt.h"

/* A copy of what the battery reports now. */
typedef struct _PSBATT_VIEW {
    ULONG Tag;
    LONG AcOnline;
    PSBATT_SUPPLY Supply;
} PSBATT_VIEW;

/* <= DISPATCH_LEVEL. STATUS_NO_SUCH_DEVICE when Tag is not the present
 * battery's (BATTERY_TAG_INVALID matches nothing). */
static NTSTATUS PsBattView(PPSBATT_BATTERY Battery, ULONG Tag, PSBATT_VIEW *View)
{
    PPSBATT_CHILD c = Battery->Child;
    KIRQL irql;
    NTSTATUS status = STATUS_NO_SUCH_DEVICE;
    KeAcquireSpinLock(&c->Bus->Lock, &irql);
    View->Tag = c->Tag;
    if (c->Tag != BATTERY_TAG_INVALID && Tag == c->Tag) {
        View->AcOnline = c->Bus->AcOnline;
        View->Supply = c->Supply;
        status = STATUS_SUCCESS;
    }
    KeReleaseSpinLock(&c->Bus->Lock, irql);
    return status;
}

/* PASSIVE_LEVEL. docs: no battery -> STATUS_NO_SUCH_DEVICE. */
static NTSTATUS PsBattQueryTag(PVOID Context, PULONG BatteryTag)
{
    PPSBATT_CHILD c = ((PPSBATT_BATTERY)Context)->Child;
    KIRQL irql;
    KeAcquireSpinLock(&c->Bus->Lock, &irql);
    *BatteryTag = c->Tag;
    KeReleaseSpinLock(&c->Bus->Lock, irql);
    return *BatteryTag == BATTERY_TAG_INVALID ? STATUS_NO_SUCH_DEVICE : STATUS_SUCCESS;
}

/* map.c's functions for drivers/common's level switch; sysfs says nothing
 * of the gauge's steps (no Granularity). */
static VOID PsBattLevelInformation(const VOID *View, PBATTERY_INFORMATION Information)
{
    PsBattMapInformation(&((const PSBATT_VIEW *)View)->Supply, Information);
}

static BOOLEAN PsBattLevelTemperature(const VOID *View, PULONG Temperature)
{
    return PsBattMapTemperature(&((const PSBATT_VIEW *)View)->Supply, Temperature);
}

static ULONG PsBattLevelEstimatedTime(const VOID *View, LONG AtRate)
{
    const PSBATT_VIEW *v = View;
    return PsBattMapEstimatedTime(&v->Supply, AtRate, v->AcOnline);
}

static BOOLEAN PsBattLevelDate(const VOID *View, PBATTERY_MANUFACTURE_DATE Date)
{
    return PsBattMapDate(&((const PSBATT_VIEW *)View)->Supply, Date);
}

static BOOLEAN PsBattLevelString(const VOID *View, BATTERY_QUERY_INFORMATION_LEVEL Level,
                                 CHAR *Text, SIZE_T Size)
{
    return PsBattMapString(&((const PSBATT_VIEW *)View)->Supply, Level, Text, Size);
}

static const BRIDGE_LEVELS PsBattLevels = {
    .Information = PsBattLevelInformation,
    .Granularity = NULL,
    .Temperature = PsBattLevelTemperature,
    .EstimatedTime = PsBattLevelEstimatedTime,
    .Date = PsBattLevelDate,
    .String = PsBattLevelString,
};

/* PASSIVE_LEVEL. A level sysfs has no data for (granularity always; a
 * temperature, date or string the supply lacks): STATUS_INVALID_DEVICE_
 * REQUEST (drivers/common's BridgeAnswerLevel has the other rules). */
static NTSTATUS PsBattQueryInformation(PVOID Context, ULONG BatteryTag,
                                       BATTERY_QUERY_INFORMATION_LEVEL Level, LONG AtRate,
                                       PVOID Buffer, ULONG BufferLength, PULONG ReturnedLength)
{
    PSBATT_VIEW *view = ExAllocatePoolWithTag(PagedPool, sizeof(*view), PSBATT_TAG);
    *ReturnedLength = 0;
    if (!view)
        return STATUS_INSUFFICIENT_RESOURCES;
    NTSTATUS status = PsBattView(Context, BatteryTag, view);
    if (NT_SUCCESS(status))
        status = BridgeAnswerLevel(&PsBattLevels, view, Level, AtRate, Buffer, BufferLength,
                                   ReturnedLength);
    ExFreePoolWithTag(view, PSBATT_TAG);
    return status;
}

/* PASSIVE_LEVEL. */
static NTSTATUS PsBattQueryStatus(PVOID Context, ULONG BatteryTag, PBATTERY_STATUS BatteryStatus)
{
    PPSBATT_BATTERY b = Context;
    PPSBATT_CHILD c = b->Child;
    KIRQL irql;
    NTSTATUS status = STATUS_NO_SUCH_DEVICE;
    KeAcquireSpinLock(&c->Bus->Lock, &irql);
    if (c->Tag != BATTERY_TAG_INVALID && BatteryTag == c->Tag) {
        PsBattMapStatus(&c->Supply, c->Bus->AcOnline, BatteryStatus);
        status = STATUS_SUCCESS;
    }
    KeReleaseSpinLock(&c->Bus->Lock, irql);
    return status;
}

/* PASSIVE_LEVEL. Keeps battc's power state and capacity window; a scan
 * that leaves it notifies (PsBattNotifyDue). */
static NTSTATUS PsBattSetStatusNotify(PVOID Context, ULONG BatteryTag,
                                      PBATTERY_NOTIFY BatteryNotify)
{
    PPSBATT_BATTERY b = Context;
    PPSBATT_CHILD c = b->Child;
    KIRQL irql;
    NTSTATUS status = STATUS_NO_SUCH_DEVICE;
    KeAcquireSpinLock(&c->Bus->Lock, &irql);
    if (c->Tag != BATTERY_TAG_INVALID && BatteryTag == c->Tag) {
        b->Fdo.Notify = *BatteryNotify;
        b->Fdo.NotifyArmed = TRUE;
        status = STATUS_SUCCESS;
    }
    KeReleaseSpinLock(&c->Bus->Lock, irql);
    return status;
}

static NTSTATUS PsBattDisableStatusNotify(PVOID Context)
{
    PPSBATT_BATTERY b = Context;
    KIRQL irql;
    KeAcquireSpinLock(&b->Child->Bus->Lock, &irql);
    b->Fdo.NotifyArmed = FALSE;
    KeReleaseSpinLock(&b->Child->Bus->Lock, irql);
    return STATUS_SUCCESS;
}

/* PASSIVE_LEVEL. The power_supply class is read-only here (charge control
 * would need root writes to charge_behaviour): every level is refused. */
static NTSTATUS PsBattSetInformation(PVOID Context, ULONG BatteryTag,
                                     BATTERY_SET_INFORMATION_LEVEL Level, PVOID Buffer)
{
    PSBATT_VIEW *view = ExAllocatePoolWithTag(PagedPool, sizeof(*view), PSBATT_TAG);
    UNREFERENCED_PARAMETER(Level);
    UNREFERENCED_PARAMETER(Buffer);
    if (!view)
        return STATUS_INSUFFICIENT_RESOURCES;
    NTSTATUS status = PsBattView(Context, BatteryTag, view);
    ExFreePoolWithTag(view, PSBATT_TAG);
    return NT_SUCCESS(status) ? STATUS_NOT_SUPPORTED : status;
}

/* PASSIVE_LEVEL, IRP_MN_START_DEVICE: registers with battc (docs: one
 * BATTERY_MINIPORT_INFO, every callback), then hooks the battery to its
 * child so scans notify it. */
NTSTATUS PsBattBatteryStart(PBRIDGE_BATTERY Fdo)
{
    PPSBATT_BATTERY battery = PSBATT_OF(Fdo);
    PPSBATT_CHILD child = battery->Child;
    BATTERY_MINIPORT_INFO info;
    KIRQL irql;
    if (!Fdo->ClassHandle) {
        RtlZeroMemory(&info, sizeof info);
        info.Context = battery;
        info.QueryTag = PsBattQueryTag;
        info.QueryInformation = PsBattQueryInformation;
        info.SetInformation = PsBattSetInformation;
        info.QueryStatus = PsBattQueryStatus;
        info.SetStatusNotify = PsBattSetStatusNotify;
        info.DisableStatusNotify = PsBattDisableStatusNotify;
        /* No scan reaches the handle before the battery is hooked below. */
        NTSTATUS status = BridgeClassInitialize(Fdo, &info, &Fdo->ClassHandle);
        if (!NT_SUCCESS(status))
            return status;
        BridgeWmiRegister(Fdo);
    }
    KeAcquireSpinLock(&child->Bus->Lock, &irql);
    child->Battery = battery;
    PsBattMapStatus(&child->Supply, child->Bus->AcOnline, &child->Last);
    KeReleaseSpinLock(&child->Bus->Lock, irql);
    return STATUS_SUCCESS;
}

/* PASSIVE_LEVEL (surprise removal, removal): no scan reaches it after. */
VOID PsBattBatteryStop(PBRIDGE_BATTERY Fdo)
{
    PPSBATT_BATTERY battery = PSBATT_OF(Fdo);
    KIRQL irql;
    KeAcquireSpinLock(&battery->Child->Bus->Lock, &irql);
    if (battery->Child->Battery == battery)
        battery->Child->Battery = NULL;
    KeReleaseSpinLock(&battery->Child->Bus->Lock, irql);
}
