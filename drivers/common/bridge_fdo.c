/* The battery FDO of a bridge driver: DriverEntry's common part, AddDevice
 * (an unnamed FDO on the PDO) and its PnP, power, IOCTL and create/close
 * dispatch. The driver's own steps come from its BRIDGE_DRIVER. */
#include "bridge.h"

static const BRIDGE_DRIVER *BridgeThis; /* set once, in DriverEntry */
UNICODE_STRING BridgeRegistryPath;      /* bridge_wmi.c names it to WMI */
static LONG BridgeLastTag;

PBRIDGE_BATTERY BridgeBatteryOf(PDEVICE_OBJECT DeviceObject)
{
    return (PBRIDGE_BATTERY)((PUCHAR)DeviceObject->DeviceExtension + BridgeThis->BatteryOffset);
}

NTSTATUS BridgeComplete(PIRP Irp, NTSTATUS Status)
{
    Irp->IoStatus.Status = Status;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return Status;
}

ULONG BridgeNewTag(VOID)
{
    LONG tag;
    do {
        tag = InterlockedIncrement(&BridgeLastTag);
    } while ((ULONG)tag == BATTERY_TAG_INVALID);
    return (ULONG)tag;
}

static NTSTATUS BridgeSignal(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    UNREFERENCED_PARAMETER(Irp);
    KeSetEvent((PKEVENT)Context, IO_NO_INCREMENT, FALSE);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

NTSTATUS BridgeForwardAndWait(PDEVICE_OBJECT Lower, PIRP Irp)
{
    KEVENT done;
    KeInitializeEvent(&done, NotificationEvent, FALSE);
    IoCopyCurrentIrpStackLocationToNext(Irp);
    IoSetCompletionRoutine(Irp, BridgeSignal, &done, TRUE, TRUE, TRUE);
    if (IoCallDriver(Lower, Irp) == STATUS_PENDING)
        KeWaitForSingleObject(&done, Executive, KernelMode, FALSE, NULL);
    return Irp->IoStatus.Status;
}

/* PASSIVE_LEVEL. docs: a battery FDO is unnamed, with two more stack
 * locations than the device below. */
NTSTATUS BridgeAddBattery(PDRIVER_OBJECT DriverObject, PDEVICE_OBJECT Pdo)
{
    const BRIDGE_DRIVER *drv = BridgeThis;
    PDEVICE_OBJECT fdo;
    NTSTATUS status = IoCreateDevice(DriverObject, (ULONG)drv->ExtensionSize, NULL,
                                     FILE_DEVICE_BATTERY, FILE_DEVICE_SECURE_OPEN, FALSE, &fdo);
    if (!NT_SUCCESS(status))
        return status;
    RtlZeroMemory(fdo->DeviceExtension, drv->ExtensionSize);
    PBRIDGE_BATTERY b = BridgeBatteryOf(fdo);
    b->Self = fdo;
    b->Pdo = Pdo;
    IoInitializeRemoveLock(&b->RemoveLock, drv->PoolTag, 0, 0);
    if (drv->Init) {
        status = drv->Init(b);
        if (!NT_SUCCESS(status))
            goto fail_delete;
    }
    b->Lower = IoAttachDeviceToDeviceStack(fdo, Pdo);
    if (!b->Lower) {
        status = STATUS_NO_SUCH_DEVICE;
        goto fail_free;
    }
    fdo->StackSize = (CCHAR)(b->Lower->StackSize + 2);
    fdo->Flags |= DO_BUFFERED_IO | DO_POWER_PAGABLE;
    fdo->Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;

fail_free:
    if (drv->Free)
        drv->Free(b);
fail_delete:
    IoDeleteDevice(fdo);
    return status;
}

/* PASSIVE_LEVEL, IRP_MN_REMOVE_DEVICE: the driver stops, every dispatch
 * and queued work drains, then battc's class data goes (completing its
 * waiters) and the FDO with it. */
static NTSTATUS BridgeRemove(PBRIDGE_BATTERY b, PIRP Irp)
{
    const BRIDGE_DRIVER *drv = BridgeThis;
    if (drv->Stop)
        drv->Stop(b);
    IoReleaseRemoveLockAndWait(&b->RemoveLock, Irp);
    if (drv->Drained)
        drv->Drained(b);
    BridgeClassUnload(b);
    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoSkipCurrentIrpStackLocation(Irp);
    NTSTATUS status = IoCallDriver(b->Lower, Irp);
    IoDetachDevice(b->Lower);
    if (drv->Free)
        drv->Free(b);
    IoDeleteDevice(b->Self);
    return status;
}

NTSTATUS BridgeBatteryPnp(PBRIDGE_BATTERY b, PIRP Irp)
{
    const BRIDGE_DRIVER *drv = BridgeThis;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    NTSTATUS status = IoAcquireRemoveLock(&b->RemoveLock, Irp);
    if (!NT_SUCCESS(status))
        return BridgeComplete(Irp, status);
    switch (stack->MinorFunction) {
    case IRP_MN_START_DEVICE:
        status = BridgeForwardAndWait(b->Lower, Irp);
        if (NT_SUCCESS(status) && drv->Start)
            status = drv->Start(b);
        BridgeComplete(Irp, status);
        break;
    case IRP_MN_REMOVE_DEVICE:
        return BridgeRemove(b, Irp); /* releases the remove lock itself */
    case IRP_MN_SURPRISE_REMOVAL:
        if (drv->Stop)
            drv->Stop(b);
        /* fall through */
    case IRP_MN_STOP_DEVICE:
    case IRP_MN_QUERY_STOP_DEVICE:
    case IRP_MN_CANCEL_STOP_DEVICE:
    case IRP_MN_QUERY_REMOVE_DEVICE:
    case IRP_MN_CANCEL_REMOVE_DEVICE:
        Irp->IoStatus.Status = STATUS_SUCCESS;
        /* fall through */
    default:
        IoSkipCurrentIrpStackLocation(Irp);
        status = IoCallDriver(b->Lower, Irp);
        break;
    }
    IoReleaseRemoveLock(&b->RemoveLock, Irp);
    return status;
}

NTSTATUS BridgePassPower(PDEVICE_OBJECT Lower, PIRP Irp)
{
    PoStartNextPowerIrp(Irp);
    IoSkipCurrentIrpStackLocation(Irp);
    return PoCallDriver(Lower, Irp);
}

/* PASSIVE_LEVEL. docs (4.2): a battery's IOCTLs go to BatteryClassIoctl and
 * its status is returned unchanged; STATUS_NOT_SUPPORTED passes it down. */
NTSTATUS BridgeBatteryDeviceControl(PBRIDGE_BATTERY b, PIRP Irp)
{
    NTSTATUS status = IoAcquireRemoveLock(&b->RemoveLock, Irp);
    if (!NT_SUCCESS(status))
        return BridgeComplete(Irp, status);
    status = b->ClassHandle ? BatteryClassIoctl(b->ClassHandle, Irp) : STATUS_NOT_SUPPORTED;
    if (status == STATUS_NOT_SUPPORTED) {
        IoSkipCurrentIrpStackLocation(Irp);
        status = IoCallDriver(b->Lower, Irp);
    }
    IoReleaseRemoveLock(&b->RemoveLock, Irp);
    return status;
}

NTSTATUS BridgeDispatchCreateClose(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    Irp->IoStatus.Information = 0;
    return BridgeComplete(Irp, STATUS_SUCCESS);
}

static NTSTATUS BridgeDispatchPnp(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    return BridgeBatteryPnp(BridgeBatteryOf(DeviceObject), Irp);
}

static NTSTATUS BridgeDispatchPower(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    return BridgePassPower(BridgeBatteryOf(DeviceObject)->Lower, Irp);
}

static NTSTATUS BridgeDispatchDeviceControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    return BridgeBatteryDeviceControl(BridgeBatteryOf(DeviceObject), Irp);
}

static NTSTATUS BridgeDispatchSystemControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    return BridgeSystemControl(BridgeBatteryOf(DeviceObject), Irp);
}

static VOID BridgeUnload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    if (BridgeRegistryPath.Buffer)
        ExFreePoolWithTag(BridgeRegistryPath.Buffer, BridgeThis->PoolTag);
    BridgeRegistryPath.Buffer = NULL;
}

NTSTATUS BridgeDriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath,
                           const BRIDGE_DRIVER *Driver)
{
    BridgeThis = Driver;
    BridgeRegistryPath.Length = 0;
    BridgeRegistryPath.MaximumLength = RegistryPath->Length + sizeof(WCHAR);
    BridgeRegistryPath.Buffer =
        ExAllocatePoolWithTag(PagedPool, BridgeRegistryPath.MaximumLength, Driver->PoolTag);
    if (!BridgeRegistryPath.Buffer)
        return STATUS_INSUFFICIENT_RESOURCES;
    RtlCopyUnicodeString(&BridgeRegistryPath, RegistryPath);
    DriverObject->DriverExtension->AddDevice = BridgeAddBattery;
    DriverObject->DriverUnload = BridgeUnload;
    DriverObject->MajorFunction[IRP_MJ_PNP] = BridgeDispatchPnp;
    DriverObject->MajorFunction[IRP_MJ_POWER] = BridgeDispatchPower;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = BridgeDispatchDeviceControl;
    DriverObject->MajorFunction[IRP_MJ_SYSTEM_CONTROL] = BridgeDispatchSystemControl;
    DriverObject->MajorFunction[IRP_MJ_CREATE] = BridgeDispatchCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = BridgeDispatchCreateClose;
    return STATUS_SUCCESS;
}
