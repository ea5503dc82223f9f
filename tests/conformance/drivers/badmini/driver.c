/* badmini's driver and device objects: DriverEntry, AddDevice (which reads
 * the misbehaviour from the hardware ID), the IRP dispatch routines and
 * removal. The battery answers are in miniclass.c, the model in control.c. */
#include "badmini.h"

UNICODE_STRING BadMiniRegistryPath;

static DRIVER_ADD_DEVICE BadMiniAddDevice;
static DRIVER_UNLOAD BadMiniUnload;
static DRIVER_DISPATCH BadMiniCreateClose;
static DRIVER_DISPATCH BadMiniDeviceControl;
static DRIVER_DISPATCH BadMiniSystemControl;
static DRIVER_DISPATCH BadMiniPnp;
static DRIVER_DISPATCH BadMiniPower;

/* PASSIVE_LEVEL. Keeps the registry path for WMI registration. */
NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    BadMiniRegistryPath.Length = 0;
    BadMiniRegistryPath.MaximumLength = RegistryPath->Length + sizeof(WCHAR);
    BadMiniRegistryPath.Buffer =
        ExAllocatePool2(POOL_FLAG_PAGED, BadMiniRegistryPath.MaximumLength, BADMINI_POOL_TAG);
    if (BadMiniRegistryPath.Buffer == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    RtlCopyUnicodeString(&BadMiniRegistryPath, RegistryPath);

    DriverObject->DriverUnload = BadMiniUnload;
    DriverObject->DriverExtension->AddDevice = BadMiniAddDevice;
    DriverObject->MajorFunction[IRP_MJ_CREATE] = BadMiniCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = BadMiniCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLEANUP] = BadMiniCreateClose;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = BadMiniDeviceControl;
    DriverObject->MajorFunction[IRP_MJ_SYSTEM_CONTROL] = BadMiniSystemControl;
    DriverObject->MajorFunction[IRP_MJ_PNP] = BadMiniPnp;
    DriverObject->MajorFunction[IRP_MJ_POWER] = BadMiniPower;
    return STATUS_SUCCESS;
}

/* PASSIVE_LEVEL. Every device is already removed. */
static void BadMiniUnload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    ExFreePoolWithTag(BadMiniRegistryPath.Buffer, BADMINI_POOL_TAG);
}

/* PASSIVE_LEVEL. The first hardware ID names the misbehaviour. */
static ULONG BadMiniReadMisbehaviour(PDEVICE_OBJECT Pdo)
{
    WCHAR ids[256];
    ULONG bytes = 0;

    RtlZeroMemory(ids, sizeof(ids));
    if (!NT_SUCCESS(IoGetDeviceProperty(Pdo, DevicePropertyHardwareID, sizeof(ids) - sizeof(WCHAR),
                                        ids, &bytes)))
        return 0;
    return BadMiniMisbehaviourFromHardwareId(ids, bytes / sizeof(WCHAR));
}

/* PASSIVE_LEVEL. One FDO per battery, registered with the class driver. */
static NTSTATUS BadMiniAddDevice(PDRIVER_OBJECT DriverObject, PDEVICE_OBJECT Pdo)
{
    PDEVICE_OBJECT fdo = NULL;
    PBADMINI_EXTENSION ext;
    BATTERY_MINIPORT_INFO info;
    NTSTATUS status;

    PAGED_CODE();
    status = IoCreateDevice(DriverObject, sizeof(BADMINI_EXTENSION), NULL, FILE_DEVICE_BATTERY, 0,
                            FALSE, &fdo);
    if (!NT_SUCCESS(status))
        return status;
    fdo->Flags |= DO_BUFFERED_IO | DO_POWER_PAGABLE;
    fdo->StackSize = Pdo->StackSize + 2; /* docs: battery IRPs need extra locations */

    ext = fdo->DeviceExtension;
    RtlZeroMemory(ext, sizeof(*ext));
    ext->Fdo = fdo;
    ext->Pdo = Pdo;
    KeInitializeSpinLock(&ext->Lock);
    IoInitializeRemoveLock(&ext->RemoveLock, BADMINI_POOL_TAG, 0, 0);
    BadMiniInitPack(ext, BadMiniReadMisbehaviour(Pdo));
    if (ext->Misbehaviour & BADMINI_MB_LEAK) {
        ext->Leaked = ExAllocatePool2(POOL_FLAG_NON_PAGED, 32, BADMINI_LEAK_TAG);
    }
    ext->LowerDevice = IoAttachDeviceToDeviceStack(fdo, Pdo);
    if (ext->LowerDevice == NULL) {
        status = STATUS_NO_SUCH_DEVICE;
        goto fail_delete;
    }

    RtlZeroMemory(&info, sizeof(info));
    info.MajorVersion = BATTERY_CLASS_MAJOR_VERSION;
    info.MinorVersion = BATTERY_CLASS_MINOR_VERSION;
    info.Context = ext;
    info.QueryTag = BadMiniQueryTag;
    info.QueryInformation = BadMiniQueryInformation;
    info.SetInformation = BadMiniSetInformation;
    info.QueryStatus = BadMiniQueryStatus;
    info.SetStatusNotify = BadMiniSetStatusNotify;
    info.DisableStatusNotify = BadMiniDisableStatusNotify;
    info.Pdo = Pdo;
    info.DeviceName = NULL;
    status = BatteryClassInitializeDevice(&info, &ext->ClassHandle);
    if (!NT_SUCCESS(status))
        goto fail_detach;

    ext->WmiLibContext.QueryWmiRegInfo = BadMiniQueryWmiRegInfo;
    ext->WmiLibContext.QueryWmiDataBlock = BadMiniQueryWmiDataBlock;
    /* A battery without WMI still works: failure is not fatal. */
    if (!NT_SUCCESS(IoWMIRegistrationControl(fdo, WMIREG_ACTION_REGISTER)))
        KdPrint(("badmini: WMI registration failed\n"));

    fdo->Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;

fail_detach:
    IoDetachDevice(ext->LowerDevice);
fail_delete:
    if (ext->Leaked != NULL)
        ExFreePoolWithTag(ext->Leaked, BADMINI_LEAK_TAG);
    IoDeleteDevice(fdo);
    return status;
}

static NTSTATUS BadMiniCreateClose(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    Irp->IoStatus.Status = STATUS_SUCCESS;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

/* PASSIVE_LEVEL. Private IOCTLs first; then the class driver, whose
 * status (often STATUS_PENDING) is returned unchanged; what it does not
 * take goes down the stack. */
static NTSTATUS BadMiniDeviceControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PBADMINI_EXTENSION ext = DeviceObject->DeviceExtension;
    NTSTATUS status = IoAcquireRemoveLock(&ext->RemoveLock, Irp);

    if (!NT_SUCCESS(status)) {
        Irp->IoStatus.Status = status;
        Irp->IoStatus.Information = 0;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return status;
    }
    if (!BadMiniControl(ext, Irp, &status)) {
        status = BatteryClassIoctl(ext->ClassHandle, Irp);
        if (status == STATUS_NOT_SUPPORTED) {
            IoSkipCurrentIrpStackLocation(Irp);
            status = IoCallDriver(ext->LowerDevice, Irp);
        }
    }
    IoReleaseRemoveLock(&ext->RemoveLock, Irp);
    return status;
}

/* PASSIVE_LEVEL. BatteryClassSystemControl instead of WmiSystemControl;
 * the disposition is pre-set so a forward is the safe default. */
static NTSTATUS BadMiniSystemControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PBADMINI_EXTENSION ext = DeviceObject->DeviceExtension;
    SYSCTL_IRP_DISPOSITION disposition = IrpForward;
    NTSTATUS status = IoAcquireRemoveLock(&ext->RemoveLock, Irp);

    if (!NT_SUCCESS(status)) {
        Irp->IoStatus.Status = status;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return status;
    }
    status = BatteryClassSystemControl(ext->ClassHandle, &ext->WmiLibContext, DeviceObject, Irp,
                                       &disposition);
    switch (disposition) {
    case IrpProcessed:
        break;
    case IrpNotCompleted:
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        break;
    case IrpNotWmi:
    case IrpForward:
    default:
        IoSkipCurrentIrpStackLocation(Irp);
        status = IoCallDriver(ext->LowerDevice, Irp);
        break;
    }
    IoReleaseRemoveLock(&ext->RemoveLock, Irp);
    return status;
}

/* PASSIVE_LEVEL. REMOVE_DEVICE waits for dispatches in flight, then lets
 * battc complete what it holds before the device goes. */
static NTSTATUS BadMiniRemove(PBADMINI_EXTENSION ext, PIRP Irp)
{
    PDEVICE_OBJECT lower = ext->LowerDevice;
    NTSTATUS status;

    IoReleaseRemoveLockAndWait(&ext->RemoveLock, Irp);
    IoWMIRegistrationControl(ext->Fdo, WMIREG_ACTION_DEREGISTER);
    BatteryClassUnload(ext->ClassHandle);
    ext->ClassHandle = NULL;
    /* BADMINI_MB_LEAK: ext->Leaked goes with the extension, never freed. */
    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoSkipCurrentIrpStackLocation(Irp);
    status = IoCallDriver(lower, Irp);
    IoDetachDevice(lower);
    IoDeleteDevice(ext->Fdo);
    return status;
}

/* PASSIVE_LEVEL. State changes the driver has no work for still succeed. */
static NTSTATUS BadMiniPnp(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PBADMINI_EXTENSION ext = DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    NTSTATUS status = IoAcquireRemoveLock(&ext->RemoveLock, Irp);

    if (!NT_SUCCESS(status)) {
        Irp->IoStatus.Status = status;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return status;
    }
    switch (stack->MinorFunction) {
    case IRP_MN_REMOVE_DEVICE:
        return BadMiniRemove(ext, Irp);
    case IRP_MN_START_DEVICE:
    case IRP_MN_QUERY_REMOVE_DEVICE:
    case IRP_MN_CANCEL_REMOVE_DEVICE:
    case IRP_MN_SURPRISE_REMOVAL:
    case IRP_MN_QUERY_STOP_DEVICE:
    case IRP_MN_CANCEL_STOP_DEVICE:
    case IRP_MN_STOP_DEVICE:
        Irp->IoStatus.Status = STATUS_SUCCESS;
        break;
    default:
        break;
    }
    IoSkipCurrentIrpStackLocation(Irp);
    status = IoCallDriver(ext->LowerDevice, Irp);
    IoReleaseRemoveLock(&ext->RemoveLock, Irp);
    return status;
}

static NTSTATUS BadMiniPower(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PBADMINI_EXTENSION ext = DeviceObject->DeviceExtension;

    PoStartNextPowerIrp(Irp);
    IoSkipCurrentIrpStackLocation(Irp);
    return PoCallDriver(ext->LowerDevice, Irp);
}
