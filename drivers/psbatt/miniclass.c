/* psbatt's BatteryMini* callbacks and its battc/WMI registration. Every
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

/* PASSIVE_LEVEL. A level sysfs has no data for (granularity always; a
 * temperature, date or string the supply lacks): STATUS_INVALID_DEVICE_
 * REQUEST; an undefined level STATUS_INVALID_PARAMETER; a short buffer
 * STATUS_BUFFER_TOO_SMALL with the size needed. */
static NTSTATUS PsBattQueryInformation(PVOID Context, ULONG BatteryTag,
                                       BATTERY_QUERY_INFORMATION_LEVEL Level, LONG AtRate,
                                       PVOID Buffer, ULONG BufferLength, PULONG ReturnedLength)
{
    PSBATT_VIEW *view = ExAllocatePoolWithTag(PagedPool, sizeof(*view), PSBATT_TAG);
    BATTERY_INFORMATION information;
    BATTERY_MANUFACTURE_DATE date;
    CHAR text[4 * PSBATT_STRING_MAX];
    WCHAR wide[4 * PSBATT_STRING_MAX];
    ULONG value = 0, size = 0;
    const void *source = NULL;
    NTSTATUS status;

    *ReturnedLength = 0;
    if (!view)
        return STATUS_INSUFFICIENT_RESOURCES;
    status = PsBattView(Context, BatteryTag, view);
    if (!NT_SUCCESS(status))
        goto out;
    const PSBATT_SUPPLY *s = &view->Supply;
    switch (Level) {
    case BatteryInformation:
        PsBattMapInformation(s, &information);
        source = &information;
        size = sizeof information;
        break;
    case BatteryGranularityInformation:
        break; /* sysfs says nothing of the gauge's steps */
    case BatteryTemperature:
        if (PsBattMapTemperature(s, &value))
            size = sizeof value;
        source = &value;
        break;
    case BatteryEstimatedTime:
        value = PsBattMapEstimatedTime(s, AtRate, view->AcOnline);
        source = &value;
        size = sizeof value;
        break;
    case BatteryManufactureDate:
        if (PsBattMapDate(s, &date))
            size = sizeof date;
        source = &date;
        break;
    case BatteryDeviceName:
    case BatteryManufactureName:
    case BatteryUniqueID:
    case BatterySerialNumber:
        if (PsBattMapString(s, Level, text, sizeof text)) {
            ULONG n = 0;
            for (; text[n]; n++)
                wide[n] = (WCHAR)(UCHAR)text[n];
            wide[n] = 0;
            size = (n + 1) * sizeof(WCHAR); /* NUL included */
        }
        source = wide;
        break;
    default:
        status = STATUS_INVALID_PARAMETER;
        goto out;
    }
    if (size == 0) {
        status = STATUS_INVALID_DEVICE_REQUEST;
    } else if (BufferLength < size || Buffer == NULL) {
        *ReturnedLength = size;
        status = STATUS_BUFFER_TOO_SMALL;
    } else {
        RtlCopyMemory(Buffer, source, size);
        *ReturnedLength = size;
    }
out:
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
        b->Notify = *BatteryNotify;
        b->NotifyArmed = TRUE;
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
    b->NotifyArmed = FALSE;
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

/* Bus->Lock held. docs: notify on a new tag or no battery, a change of
 * POWER_ON_LINE/CHARGING/DISCHARGING/CRITICAL, and a capacity leaving the
 * SetStatusNotify window. */
BOOLEAN PsBattNotifyDue(PPSBATT_CHILD Child, const BATTERY_STATUS *Now, BOOLEAN TagChanged)
{
    PPSBATT_BATTERY b = Child->Battery;
    BATTERY_STATUS last = Child->Last;
    BOOLEAN due = TagChanged || last.PowerState != Now->PowerState;
    if (b && b->NotifyArmed && Now->Capacity != last.Capacity &&
        Now->Capacity != BATTERY_UNKNOWN_CAPACITY &&
        (Now->Capacity < b->Notify.LowCapacity || Now->Capacity > b->Notify.HighCapacity))
        due = TRUE;
    Child->Last = *Now;
    return due;
}

static NTSTATUS PsBattQueryWmiRegInfo(PDEVICE_OBJECT DeviceObject, PULONG RegFlags,
                                      PUNICODE_STRING InstanceName, PUNICODE_STRING *RegistryPath,
                                      PUNICODE_STRING MofResourceName, PDEVICE_OBJECT *Pdo)
{
    PPSBATT_BATTERY b = DeviceObject->DeviceExtension;
    UNREFERENCED_PARAMETER(InstanceName);
    UNREFERENCED_PARAMETER(MofResourceName);
    *RegFlags = WMIREG_FLAG_INSTANCE_PDO;
    *RegistryPath = &PsBattRegistryPath;
    *Pdo = b->Pdo;
    return STATUS_SUCCESS;
}

/* docs: battc answers the standard battery blocks first. */
static NTSTATUS PsBattQueryWmiDataBlock(PDEVICE_OBJECT DeviceObject, PIRP Irp, ULONG GuidIndex,
                                        ULONG InstanceIndex, ULONG InstanceCount,
                                        PULONG InstanceLengthArray, ULONG BufferAvail,
                                        PUCHAR Buffer)
{
    PPSBATT_BATTERY b = DeviceObject->DeviceExtension;
    NTSTATUS status = STATUS_WMI_GUID_NOT_FOUND;
    UNREFERENCED_PARAMETER(InstanceIndex);
    UNREFERENCED_PARAMETER(InstanceCount);
    if (b->ClassHandle)
        status = BatteryClassQueryWmiDataBlock(b->ClassHandle, DeviceObject, Irp, GuidIndex,
                                               InstanceLengthArray, BufferAvail, Buffer);
    if (status != STATUS_WMI_GUID_NOT_FOUND)
        return status;
    return WmiCompleteRequest(DeviceObject, Irp, STATUS_WMI_GUID_NOT_FOUND, 0, IO_NO_INCREMENT);
}

/* PASSIVE_LEVEL. */
NTSTATUS PsBattSystemControl(PPSBATT_BATTERY Battery, PIRP Irp)
{
    SYSCTL_IRP_DISPOSITION disposition = IrpForward;
    NTSTATUS status = IoAcquireRemoveLock(&Battery->RemoveLock, Irp);
    if (!NT_SUCCESS(status))
        return PsBattComplete(Irp, status);
    if (Battery->ClassHandle)
        status = BatteryClassSystemControl(Battery->ClassHandle, &Battery->WmiLib, Battery->Self,
                                           Irp, &disposition);
    switch (disposition) {
    case IrpProcessed:
        break;
    case IrpNotCompleted:
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        break;
    default:
        IoSkipCurrentIrpStackLocation(Irp);
        status = IoCallDriver(Battery->Lower, Irp);
        break;
    }
    IoReleaseRemoveLock(&Battery->RemoveLock, Irp);
    return status;
}

/* PASSIVE_LEVEL, IRP_MN_START_DEVICE: registers with battc (docs: one
 * BATTERY_MINIPORT_INFO, every callback), then hooks the battery to its
 * child so scans notify it. */
NTSTATUS PsBattBatteryStart(PPSBATT_BATTERY Battery)
{
    BATTERY_MINIPORT_INFO info;
    KIRQL irql;
    if (!Battery->ClassHandle) {
        RtlZeroMemory(&info, sizeof info);
        info.MajorVersion = BATTERY_CLASS_MAJOR_VERSION;
        info.MinorVersion = BATTERY_CLASS_MINOR_VERSION;
        info.Context = Battery;
        info.QueryTag = PsBattQueryTag;
        info.QueryInformation = PsBattQueryInformation;
        info.SetInformation = PsBattSetInformation;
        info.QueryStatus = PsBattQueryStatus;
        info.SetStatusNotify = PsBattSetStatusNotify;
        info.DisableStatusNotify = PsBattDisableStatusNotify;
        info.Pdo = Battery->Pdo;
        info.DeviceName = NULL;
        NTSTATUS status = BatteryClassInitializeDevice(&info, &Battery->ClassHandle);
        if (!NT_SUCCESS(status))
            return status;
        RtlZeroMemory(&Battery->WmiLib, sizeof Battery->WmiLib);
        Battery->WmiLib.QueryWmiRegInfo = PsBattQueryWmiRegInfo;
        Battery->WmiLib.QueryWmiDataBlock = PsBattQueryWmiDataBlock;
        Battery->WmiRegistered =
            NT_SUCCESS(IoWMIRegistrationControl(Battery->Self, WMIREG_ACTION_REGISTER));
    }
    KeAcquireSpinLock(&Battery->Child->Bus->Lock, &irql);
    Battery->Child->Battery = Battery;
    PsBattMapStatus(&Battery->Child->Supply, Battery->Child->Bus->AcOnline, &Battery->Child->Last);
    KeReleaseSpinLock(&Battery->Child->Bus->Lock, irql);
    return STATUS_SUCCESS;
}

/* PASSIVE_LEVEL (surprise removal, removal): no scan reaches it after. */
VOID PsBattBatteryStop(PPSBATT_BATTERY Battery)
{
    KIRQL irql;
    KeAcquireSpinLock(&Battery->Child->Bus->Lock, &irql);
    if (Battery->Child->Battery == Battery)
        Battery->Child->Battery = NULL;
    KeReleaseSpinLock(&Battery->Child->Bus->Lock, irql);
}
