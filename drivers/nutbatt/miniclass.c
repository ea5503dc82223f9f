/* nutbatt's BatteryMini* callbacks and its battc/WMI registration. Every
 * answer comes from the last refresh (refresh.c), copied out under the
 * device lock and mapped by map.c: no round trip to upsd on a battc call.
 * Each callback checks the tag first (docs: STATUS_NO_SUCH_DEVICE). */
#include "nutbatt.h"

/* A copy of what the UPS reported last. */
typedef struct _NUTBATT_VIEW {
    NUTBATT_READING Reading;
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

/* PASSIVE_LEVEL. A level the UPS gives no data for (a temperature, date or
 * string it lacks; granularity without a capacity): STATUS_INVALID_DEVICE_
 * REQUEST; an undefined level STATUS_INVALID_PARAMETER; a short buffer
 * STATUS_BUFFER_TOO_SMALL with the size needed. */
static NTSTATUS NutBattQueryInformation(PVOID Context, ULONG BatteryTag,
                                        BATTERY_QUERY_INFORMATION_LEVEL Level, LONG AtRate,
                                        PVOID Buffer, ULONG BufferLength, PULONG ReturnedLength)
{
    PNUTBATT_DEVICE d = Context;
    NUTBATT_VIEW *view = ExAllocatePoolWithTag(PagedPool, sizeof(*view), NUTBATT_TAG);
    BATTERY_INFORMATION information;
    BATTERY_MANUFACTURE_DATE date;
    BATTERY_REPORTING_SCALE scale;
    CHAR text[2 * NUTBATT_UPS_MAX];
    WCHAR wide[2 * NUTBATT_UPS_MAX];
    ULONG value = 0, size = 0;
    const void *source = NULL;
    NTSTATUS status;

    *ReturnedLength = 0;
    if (!view)
        return STATUS_INSUFFICIENT_RESOURCES;
    status = NutBattView(d, BatteryTag, view);
    if (!NT_SUCCESS(status))
        goto out;
    const NUTBATT_READING *r = &view->Reading;
    switch (Level) {
    case BatteryInformation:
        NutBattMapInformation(r, &d->Config, &information);
        source = &information;
        size = sizeof information;
        break;
    case BatteryGranularityInformation:
        if (NutBattMapGranularity(r, &d->Config, &scale))
            size = sizeof scale;
        source = &scale;
        break;
    case BatteryTemperature:
        if (NutBattMapTemperature(r, &value))
            size = sizeof value;
        source = &value;
        break;
    case BatteryEstimatedTime:
        value = NutBattMapEstimatedTime(r, &d->Config, AtRate);
        source = &value;
        size = sizeof value;
        break;
    case BatteryManufactureDate:
        if (NutBattMapDate(r, &date))
            size = sizeof date;
        source = &date;
        break;
    case BatteryDeviceName:
    case BatteryManufactureName:
    case BatteryUniqueID:
    case BatterySerialNumber:
        if (NutBattMapString(r, &d->Config, Level, text, sizeof text)) {
            ULONG n = 0;
            for (; text[n] && n + 1 < RTL_NUMBER_OF(wide); n++)
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
 * that leaves it notifies (NutBattNotifyDue). */
static NTSTATUS NutBattSetStatusNotify(PVOID Context, ULONG BatteryTag,
                                       PBATTERY_NOTIFY BatteryNotify)
{
    PNUTBATT_DEVICE d = Context;
    KIRQL irql;
    NTSTATUS status = STATUS_NO_SUCH_DEVICE;
    KeAcquireSpinLock(&d->Lock, &irql);
    if (d->Tag != BATTERY_TAG_INVALID && BatteryTag == d->Tag) {
        d->Notify = *BatteryNotify;
        d->NotifyArmed = TRUE;
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
    d->NotifyArmed = FALSE;
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

/* Lock held. docs: notify on a new tag or no battery, a change of
 * POWER_ON_LINE/CHARGING/DISCHARGING/CRITICAL, and a capacity leaving the
 * SetStatusNotify window. */
BOOLEAN NutBattNotifyDue(PNUTBATT_DEVICE Device, const BATTERY_STATUS *Now, BOOLEAN TagChanged)
{
    BATTERY_STATUS last = Device->Last;
    BOOLEAN due = TagChanged || last.PowerState != Now->PowerState;
    if (Device->NotifyArmed && Now->Capacity != last.Capacity &&
        Now->Capacity != BATTERY_UNKNOWN_CAPACITY &&
        (Now->Capacity < Device->Notify.LowCapacity || Now->Capacity > Device->Notify.HighCapacity))
        due = TRUE;
    Device->Last = *Now;
    return due;
}

static NTSTATUS NutBattQueryWmiRegInfo(PDEVICE_OBJECT DeviceObject, PULONG RegFlags,
                                       PUNICODE_STRING InstanceName, PUNICODE_STRING *RegistryPath,
                                       PUNICODE_STRING MofResourceName, PDEVICE_OBJECT *Pdo)
{
    PNUTBATT_DEVICE d = DeviceObject->DeviceExtension;
    UNREFERENCED_PARAMETER(InstanceName);
    UNREFERENCED_PARAMETER(MofResourceName);
    *RegFlags = WMIREG_FLAG_INSTANCE_PDO;
    *RegistryPath = &NutBattRegistryPath;
    *Pdo = d->Pdo;
    return STATUS_SUCCESS;
}

/* docs: battc answers the standard battery blocks first. */
static NTSTATUS NutBattQueryWmiDataBlock(PDEVICE_OBJECT DeviceObject, PIRP Irp, ULONG GuidIndex,
                                         ULONG InstanceIndex, ULONG InstanceCount,
                                         PULONG InstanceLengthArray, ULONG BufferAvail,
                                         PUCHAR Buffer)
{
    PNUTBATT_DEVICE d = DeviceObject->DeviceExtension;
    NTSTATUS status = STATUS_WMI_GUID_NOT_FOUND;
    UNREFERENCED_PARAMETER(InstanceIndex);
    UNREFERENCED_PARAMETER(InstanceCount);
    if (d->ClassHandle)
        status = BatteryClassQueryWmiDataBlock(d->ClassHandle, DeviceObject, Irp, GuidIndex,
                                               InstanceLengthArray, BufferAvail, Buffer);
    if (status != STATUS_WMI_GUID_NOT_FOUND)
        return status;
    return WmiCompleteRequest(DeviceObject, Irp, STATUS_WMI_GUID_NOT_FOUND, 0, IO_NO_INCREMENT);
}

/* PASSIVE_LEVEL. */
NTSTATUS NutBattSystemControl(PNUTBATT_DEVICE Device, PIRP Irp)
{
    SYSCTL_IRP_DISPOSITION disposition = IrpForward;
    NTSTATUS status = IoAcquireRemoveLock(&Device->RemoveLock, Irp);
    if (!NT_SUCCESS(status))
        return NutBattComplete(Irp, status);
    if (Device->ClassHandle)
        status = BatteryClassSystemControl(Device->ClassHandle, &Device->WmiLib, Device->Self, Irp,
                                           &disposition);
    switch (disposition) {
    case IrpProcessed:
        break;
    case IrpNotCompleted:
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        break;
    default:
        IoSkipCurrentIrpStackLocation(Irp);
        status = IoCallDriver(Device->Lower, Irp);
        break;
    }
    IoReleaseRemoveLock(&Device->RemoveLock, Irp);
    return status;
}

/* PASSIVE_LEVEL, IRP_MN_START_DEVICE after the first refresh: registers
 * with battc (docs: one BATTERY_MINIPORT_INFO, every callback). */
NTSTATUS NutBattBatteryStart(PNUTBATT_DEVICE Device)
{
    BATTERY_MINIPORT_INFO info;
    PVOID handle;
    KIRQL irql;
    if (Device->ClassHandle)
        return STATUS_SUCCESS;
    RtlZeroMemory(&info, sizeof info);
    info.MajorVersion = BATTERY_CLASS_MAJOR_VERSION;
    info.MinorVersion = BATTERY_CLASS_MINOR_VERSION;
    info.Context = Device;
    info.QueryTag = NutBattQueryTag;
    info.QueryInformation = NutBattQueryInformation;
    info.SetInformation = NutBattSetInformation;
    info.QueryStatus = NutBattQueryStatus;
    info.SetStatusNotify = NutBattSetStatusNotify;
    info.DisableStatusNotify = NutBattDisableStatusNotify;
    info.Pdo = Device->Pdo;
    info.DeviceName = NULL;
    NTSTATUS status = BatteryClassInitializeDevice(&info, &handle);
    if (!NT_SUCCESS(status))
        return status;
    /* The refresh reads the handle under the lock: it may run already. */
    KeAcquireSpinLock(&Device->Lock, &irql);
    Device->ClassHandle = handle;
    NutBattMapStatus(&Device->Reading, &Device->Config, &Device->Last);
    KeReleaseSpinLock(&Device->Lock, irql);
    RtlZeroMemory(&Device->WmiLib, sizeof Device->WmiLib);
    Device->WmiLib.QueryWmiRegInfo = NutBattQueryWmiRegInfo;
    Device->WmiLib.QueryWmiDataBlock = NutBattQueryWmiDataBlock;
    Device->WmiRegistered =
        NT_SUCCESS(IoWMIRegistrationControl(Device->Self, WMIREG_ACTION_REGISTER));
    return STATUS_SUCCESS;
}
