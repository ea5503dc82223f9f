/* DriverEntry, AddDevice, Unload and the IRP dispatch routines of the
 * compile-check miniclass, shaped as the WDK's "Writing Battery Miniclass
 * Drivers" pages describe them. Never linked: the host is not finished. */
#include "abidrv.h"

UNICODE_STRING AbiDrvRegistryPath;

static DRIVER_ADD_DEVICE AbiDrvAddDevice;
static DRIVER_UNLOAD AbiDrvUnload;
static DRIVER_DISPATCH AbiDrvCreateClose;
static DRIVER_DISPATCH AbiDrvDeviceControl;
static DRIVER_DISPATCH AbiDrvSystemControl;
static DRIVER_DISPATCH AbiDrvPnp;
static DRIVER_DISPATCH AbiDrvPower;

/* PASSIVE_LEVEL. Initializes no battery state: that is known only per
 * device, at AddDevice. */
NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    AbiDrvRegistryPath.Length = 0;
    AbiDrvRegistryPath.MaximumLength = RegistryPath->Length + sizeof(WCHAR);
    AbiDrvRegistryPath.Buffer =
        ExAllocatePool2(POOL_FLAG_PAGED, AbiDrvRegistryPath.MaximumLength, ABIDRV_POOL_TAG);
    if (AbiDrvRegistryPath.Buffer == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    RtlCopyUnicodeString(&AbiDrvRegistryPath, RegistryPath);

    DriverObject->DriverUnload = AbiDrvUnload;
    DriverObject->DriverExtension->AddDevice = AbiDrvAddDevice;
    DriverObject->MajorFunction[IRP_MJ_CREATE] = AbiDrvCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = AbiDrvCreateClose;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = AbiDrvDeviceControl;
    DriverObject->MajorFunction[IRP_MJ_SYSTEM_CONTROL] = AbiDrvSystemControl;
    DriverObject->MajorFunction[IRP_MJ_PNP] = AbiDrvPnp;
    DriverObject->MajorFunction[IRP_MJ_POWER] = AbiDrvPower;
    return STATUS_SUCCESS;
}

/* PASSIVE_LEVEL. Every device is already removed. */
static void AbiDrvUnload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    ExFreePoolWithTag(AbiDrvRegistryPath.Buffer, ABIDRV_POOL_TAG);
}

/* PASSIVE_LEVEL. One FDO per battery, registered with the class driver. */
static NTSTATUS AbiDrvAddDevice(PDRIVER_OBJECT DriverObject, PDEVICE_OBJECT Pdo)
{
    PDEVICE_OBJECT fdo = NULL;
    PABIDRV_EXTENSION ext;
    BATTERY_MINIPORT_INFO info;
    NTSTATUS status;

    PAGED_CODE();
    /* Unnamed and not exclusive: several threads may talk to a battery. */
    status = IoCreateDevice(DriverObject, sizeof(ABIDRV_EXTENSION), NULL, FILE_DEVICE_BATTERY, 0,
                            FALSE, &fdo);
    if (!NT_SUCCESS(status))
        return status;
    fdo->Flags |= DO_BUFFERED_IO | DO_POWER_PAGABLE;
    fdo->StackSize = Pdo->StackSize + 2; /* docs: battery IRPs need extra locations */

    ext = fdo->DeviceExtension;
    RtlZeroMemory(ext, sizeof(*ext));
    ext->Fdo = fdo;
    ext->Pdo = Pdo;
    ExInitializeFastMutex(&ext->Lock);
    ext->LowerDevice = IoAttachDeviceToDeviceStack(fdo, Pdo);
    if (ext->LowerDevice == NULL) {
        status = STATUS_NO_SUCH_DEVICE;
        goto fail_delete;
    }

    RtlZeroMemory(&info, sizeof(info));
    info.MajorVersion = BATTERY_CLASS_MAJOR_VERSION;
    info.MinorVersion = BATTERY_CLASS_MINOR_VERSION;
    info.Context = ext;
    info.QueryTag = AbiDrvQueryTag;
    info.QueryInformation = AbiDrvQueryInformation;
    info.SetInformation = AbiDrvSetInformation;
    info.QueryStatus = AbiDrvQueryStatus;
    info.SetStatusNotify = AbiDrvSetStatusNotify;
    info.DisableStatusNotify = AbiDrvDisableStatusNotify;
    info.Pdo = Pdo;
    info.DeviceName = NULL;
    status = BatteryClassInitializeDevice(&info, &ext->ClassHandle);
    if (!NT_SUCCESS(status))
        goto fail_detach;

    /* Only the two callbacks battc needs; the rest stay NULL. */
    ext->WmiLibContext.GuidCount = 0;
    ext->WmiLibContext.GuidList = NULL;
    ext->WmiLibContext.QueryWmiRegInfo = AbiDrvQueryWmiRegInfo;
    ext->WmiLibContext.QueryWmiDataBlock = AbiDrvQueryWmiDataBlock;
    /* A battery without WMI still works, so failure is not fatal. */
    if (!NT_SUCCESS(IoWMIRegistrationControl(fdo, WMIREG_ACTION_REGISTER))) {
        KdPrint(("abidrv: WMI registration failed\n"));
    }

    fdo->Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;

fail_detach:
    IoDetachDevice(ext->LowerDevice);
fail_delete:
    IoDeleteDevice(fdo);
    return status;
}

static NTSTATUS AbiDrvCreateClose(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    Irp->IoStatus.Status = STATUS_SUCCESS;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

/* PASSIVE_LEVEL. Battery IOCTLs go to the class driver, whose status
 * (often STATUS_PENDING) is returned unchanged; anything it does not take
 * goes down the stack. */
static NTSTATUS AbiDrvDeviceControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PABIDRV_EXTENSION ext = DeviceObject->DeviceExtension;
    NTSTATUS status = STATUS_NOT_SUPPORTED;

    if (ext->ClassHandle != NULL)
        status = BatteryClassIoctl(ext->ClassHandle, Irp);
    if (status == STATUS_NOT_SUPPORTED) {
        IoSkipCurrentIrpStackLocation(Irp);
        status = IoCallDriver(ext->LowerDevice, Irp);
    }
    return status;
}

/* PASSIVE_LEVEL. BatteryClassSystemControl instead of WmiSystemControl;
 * the disposition is pre-set so a forward is the safe default. */
static NTSTATUS AbiDrvSystemControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PABIDRV_EXTENSION ext = DeviceObject->DeviceExtension;
    SYSCTL_IRP_DISPOSITION disposition = IrpForward;
    NTSTATUS status = STATUS_NOT_SUPPORTED;

    if (ext->ClassHandle != NULL)
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
    return status;
}

/* PASSIVE_LEVEL. Only removal needs work here; the rest pass down. */
static NTSTATUS AbiDrvPnp(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PABIDRV_EXTENSION ext = DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    PDEVICE_OBJECT lower = ext->LowerDevice;
    NTSTATUS status;

    if (stack->MinorFunction != IRP_MN_REMOVE_DEVICE) {
        IoSkipCurrentIrpStackLocation(Irp);
        return IoCallDriver(lower, Irp);
    }
    IoWMIRegistrationControl(DeviceObject, WMIREG_ACTION_DEREGISTER);
    if (ext->ClassHandle != NULL) {
        BatteryClassUnload(ext->ClassHandle);
        ext->ClassHandle = NULL;
    }
    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoSkipCurrentIrpStackLocation(Irp);
    status = IoCallDriver(lower, Irp);
    IoDetachDevice(lower);
    IoDeleteDevice(DeviceObject);
    return status;
}

static NTSTATUS AbiDrvPower(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PABIDRV_EXTENSION ext = DeviceObject->DeviceExtension;

    PoStartNextPowerIrp(Irp);
    IoSkipCurrentIrpStackLocation(Irp);
    return PoCallDriver(ext->LowerDevice, Irp);
}
