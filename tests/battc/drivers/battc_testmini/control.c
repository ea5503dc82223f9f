/* battc_testmini's private IOCTLs: the test scripts the battery (status,
 * insertion, removal, quirks), reads what the callbacks recorded, and makes
 * the driver call BatteryClassStatusNotify, Initialize or Unload. */
#include "testmini.h"

/* Lock held. docs: the miniclass notifies on a power-state change, and
 * when capacity or power state leaves the last SetStatusNotify criteria. */
static BOOLEAN TestMiniStatusWantsNotify(PTESTMINI_EXTENSION Ext, const BATTERY_STATUS *Old)
{
    const BATTERY_STATUS *now = &Ext->Status;

    if (now->PowerState != Old->PowerState)
        return TRUE;
    if (!Ext->Counters.NotifyArmed)
        return FALSE;
    return now->PowerState != Ext->Notify.PowerState || now->Capacity < Ext->Notify.LowCapacity ||
           now->Capacity > Ext->Notify.HighCapacity;
}

/* PASSIVE_LEVEL. One bad BATTERY_MINIPORT_INFO per variant; each must be
 * refused before battc allocates or registers anything. */
static NTSTATUS TestMiniTryInit(PTESTMINI_EXTENSION Ext, ULONG Variant)
{
    BATTERY_MINIPORT_INFO_V1_2 info;
    PVOID handle = NULL;
    NTSTATUS status;

    TestMiniFillInfo(Ext, &info);
    switch (Variant) {
    case TESTMINI_INIT_BAD_MAJOR:
        info.MajorVersion = 2;
        break;
    case TESTMINI_INIT_BAD_MINOR:
        info.MinorVersion = 3;
        break;
    case TESTMINI_INIT_NO_QUERY_TAG:
        info.QueryTag = NULL;
        break;
    case TESTMINI_INIT_NO_QUERY_INFO:
        info.QueryInformation = NULL;
        break;
    case TESTMINI_INIT_NO_QUERY_STATUS:
        info.QueryStatus = NULL;
        break;
    case TESTMINI_INIT_LONE_SET_NOTIFY:
        info.DisableStatusNotify = NULL;
        break;
    case TESTMINI_INIT_LONE_DISABLE:
        info.SetStatusNotify = NULL;
        break;
    case TESTMINI_INIT_NO_PDO:
        info.Pdo = NULL;
        break;
    case TESTMINI_INIT_NULL_INFO:
        return BatteryClassInitializeDevice(NULL, &handle);
    default:
        return STATUS_INVALID_PARAMETER;
    }
    status = BatteryClassInitializeDevice((PBATTERY_MINIPORT_INFO)&info, &handle);
    if (NT_SUCCESS(status))
        BatteryClassUnload(handle); /* not expected: the test reports it */
    return status;
}

/* PASSIVE_LEVEL. docs: BatteryClassIoctl returns STATUS_NOT_SUPPORTED for
 * every IRP that is not a battery IOCTL and leaves it to the caller. Each
 * case's IRP must come back exactly as it went in. Returns a bit per case
 * that did not. */
static ULONG TestMiniProbeNotBattery(PTESTMINI_EXTENSION Ext, PULONG Cases)
{
    static const struct {
        UCHAR Major;
        ULONG Code;
    } cases[] = {
        {IRP_MJ_READ, IOCTL_BATTERY_QUERY_TAG},
        {IRP_MJ_INTERNAL_DEVICE_CONTROL, IOCTL_BATTERY_QUERY_STATUS},
        {IRP_MJ_SYSTEM_CONTROL, IOCTL_BATTERY_QUERY_INFORMATION},
        {IRP_MJ_DEVICE_CONTROL, IOCTL_BATTERY_CHARGING_SOURCE_CHANGE}, /* phone-only */
        {IRP_MJ_DEVICE_CONTROL, CTL_CODE(FILE_DEVICE_BATTERY, 0x15, METHOD_BUFFERED, 0)},
        {IRP_MJ_DEVICE_CONTROL, IOCTL_TESTMINI_SET_STATUS},
        {IRP_MJ_DEVICE_CONTROL, CTL_CODE(FILE_DEVICE_UNKNOWN, 0x10, METHOD_BUFFERED, 1)},
    };
    ULONG touched = 0;

    *Cases = RTL_NUMBER_OF(cases);
    for (ULONG i = 0; i < RTL_NUMBER_OF(cases); i++) {
        UCHAR buffer[32], pattern[32];
        PIRP irp = IoAllocateIrp(2, FALSE);
        if (!irp) {
            touched |= 1u << i;
            continue;
        }
        IoSetNextIrpStackLocation(irp);
        PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(irp);
        stack->MajorFunction = cases[i].Major;
        stack->DeviceObject = Ext->Fdo;
        stack->Parameters.DeviceIoControl.IoControlCode = cases[i].Code;
        stack->Parameters.DeviceIoControl.InputBufferLength = sizeof(buffer);
        stack->Parameters.DeviceIoControl.OutputBufferLength = sizeof(buffer);
        RtlFillMemory(buffer, sizeof(buffer), 0xA5);
        RtlFillMemory(pattern, sizeof(pattern), 0xA5);
        irp->AssociatedIrp.SystemBuffer = buffer;
        irp->IoStatus.Status = 0x5EED;
        irp->IoStatus.Information = 0x77;
        CHAR location = irp->CurrentLocation;
        NTSTATUS status = BatteryClassIoctl(Ext->ClassHandle, irp);
        if (status != STATUS_NOT_SUPPORTED || irp->IoStatus.Status != 0x5EED ||
            irp->IoStatus.Information != 0x77 || irp->CurrentLocation != location ||
            stack->Control != 0 || irp->CancelRoutine != NULL ||
            !RtlEqualMemory(buffer, pattern, sizeof(buffer)))
            touched |= 1u << i;
        IoFreeIrp(irp);
    }
    return touched;
}

/* PASSIVE_LEVEL. */
NTSTATUS TestMiniControl(PTESTMINI_EXTENSION Ext, PIRP Irp)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    ULONG in = stack->Parameters.DeviceIoControl.InputBufferLength;
    ULONG out = stack->Parameters.DeviceIoControl.OutputBufferLength;
    PVOID buffer = Irp->AssociatedIrp.SystemBuffer;
    BATTERY_STATUS old;
    BOOLEAN notify = FALSE;
    ULONG value = 0;
    ULONG_PTR info = 0;
    NTSTATUS status = STATUS_SUCCESS;
    KIRQL irql;

    switch (stack->Parameters.DeviceIoControl.IoControlCode) {
    case IOCTL_TESTMINI_SET_STATUS:
        if (in < sizeof(BATTERY_STATUS)) {
            status = STATUS_INVALID_PARAMETER;
            break;
        }
        KeAcquireSpinLock(&Ext->Lock, &irql);
        old = Ext->Status;
        RtlCopyMemory(&Ext->Status, buffer, sizeof(BATTERY_STATUS));
        notify = (Ext->Config.Flags & TESTMINI_AUTO_NOTIFY) && TestMiniStatusWantsNotify(Ext, &old);
        KeReleaseSpinLock(&Ext->Lock, irql);
        break;
    case IOCTL_TESTMINI_SET_PRESENT:
        if (in < sizeof(ULONG)) {
            status = STATUS_INVALID_PARAMETER;
            break;
        }
        RtlCopyMemory(&value, buffer, sizeof(ULONG));
        KeAcquireSpinLock(&Ext->Lock, &irql);
        if (value && !Ext->Present) {
            /* docs: a new tag on every insertion, never 0. */
            if (++Ext->LastTag == BATTERY_TAG_INVALID)
                ++Ext->LastTag;
            Ext->Tag = Ext->LastTag;
        } else if (!value) {
            Ext->Tag = BATTERY_TAG_INVALID;
        }
        notify =
            (BOOLEAN)(value != 0) != Ext->Present && (Ext->Config.Flags & TESTMINI_AUTO_NOTIFY);
        Ext->Present = value != 0;
        KeReleaseSpinLock(&Ext->Lock, irql);
        break;
    case IOCTL_TESTMINI_SET_CONFIG:
        if (in < sizeof(TESTMINI_CONFIG)) {
            status = STATUS_INVALID_PARAMETER;
            break;
        }
        KeAcquireSpinLock(&Ext->Lock, &irql);
        RtlCopyMemory(&Ext->Config, buffer, sizeof(TESTMINI_CONFIG));
        KeReleaseSpinLock(&Ext->Lock, irql);
        break;
    case IOCTL_TESTMINI_SET_INFO:
        if (in < sizeof(BATTERY_INFORMATION)) {
            status = STATUS_INVALID_PARAMETER;
            break;
        }
        KeAcquireSpinLock(&Ext->Lock, &irql);
        RtlCopyMemory(&Ext->Info, buffer, sizeof(BATTERY_INFORMATION));
        KeReleaseSpinLock(&Ext->Lock, irql);
        break;
    case IOCTL_TESTMINI_GET_COUNTERS:
        if (out < sizeof(TESTMINI_COUNTERS)) {
            status = STATUS_BUFFER_TOO_SMALL;
            break;
        }
        KeAcquireSpinLock(&Ext->Lock, &irql);
        Ext->Counters.Tag = Ext->Present ? Ext->Tag : BATTERY_TAG_INVALID;
        RtlCopyMemory(buffer, &Ext->Counters, sizeof(TESTMINI_COUNTERS));
        KeReleaseSpinLock(&Ext->Lock, irql);
        info = sizeof(TESTMINI_COUNTERS);
        break;
    case IOCTL_TESTMINI_RESET_COUNTERS:
        KeAcquireSpinLock(&Ext->Lock, &irql);
        RtlZeroMemory(Ext->Counters.Calls, sizeof(Ext->Counters.Calls));
        Ext->Counters.MaxActive = 0;
        Ext->Counters.OnNotifierStack = 0;
        Ext->Counters.NotifyCalls = 0;
        KeReleaseSpinLock(&Ext->Lock, irql);
        break;
    case IOCTL_TESTMINI_NOTIFY:
        if (in >= sizeof(ULONG))
            RtlCopyMemory(&value, buffer, sizeof(ULONG));
        TestMiniNotify(Ext, value == DISPATCH_LEVEL);
        break;
    case IOCTL_TESTMINI_TRY_INIT:
        if (in < sizeof(ULONG) || out < sizeof(NTSTATUS)) {
            status = STATUS_INVALID_PARAMETER;
            break;
        }
        RtlCopyMemory(&value, buffer, sizeof(ULONG));
        {
            NTSTATUS result = TestMiniTryInit(Ext, value);
            RtlCopyMemory(buffer, &result, sizeof(result));
        }
        info = sizeof(NTSTATUS);
        break;
    case IOCTL_TESTMINI_PROBE_NOT_BATTERY:
        if (out < 2 * sizeof(ULONG) || !Ext->ClassHandle) {
            status = STATUS_INVALID_PARAMETER;
            break;
        }
        {
            ULONG result[2];
            result[0] = TestMiniProbeNotBattery(Ext, &result[1]);
            RtlCopyMemory(buffer, result, sizeof(result));
        }
        info = 2 * sizeof(ULONG);
        break;
    case IOCTL_TESTMINI_UPDATE_DATA:
        if (in < sizeof(TESTMINI_UPDATE) || out < sizeof(NTSTATUS) || !Ext->ClassHandle) {
            status = STATUS_INVALID_PARAMETER;
            break;
        }
        {
            TESTMINI_UPDATE request;
            BATTERY_MINIPORT_UPDATE_DATA data;
            NTSTATUS result;
            RtlCopyMemory(&request, buffer, sizeof(request));
            RtlZeroMemory(&data, sizeof(data));
            data.Version = request.Version;
            data.NotifyEvent.BatteryChargeLimitState = request.ChargeLimitState & 1;
            data.NotifyEvent.BatteryChargingState = request.ChargingState & 3;
            result = BatteryClassUpdateData(Ext->ClassHandle, request.PassNull ? NULL : &data);
            RtlCopyMemory(buffer, &result, sizeof(result));
        }
        info = sizeof(NTSTATUS);
        break;
    case IOCTL_TESTMINI_UNLOAD_CLASS:
        if (Ext->ClassHandle)
            BatteryClassUnload(Ext->ClassHandle);
        Ext->ClassHandle = NULL;
        break;
    default:
        return STATUS_NOT_SUPPORTED;
    }
    if (notify)
        TestMiniNotify(Ext, FALSE);
    Irp->IoStatus.Status = status;
    Irp->IoStatus.Information = info;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return status;
}
