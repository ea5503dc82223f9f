/* psbatt's driver object: DriverEntry, AddDevice (a child PDO of this
 * driver gets a battery FDO, any other device is the bus) and the dispatch
 * routines, which route each IRP to the part that owns the device object:
 * bus.c (the bus FDO), pdo.c (a child PDO), miniclass.c (a battery FDO). */
#include <initguid.h>
#include "psbatt.h"

UNICODE_STRING PsBattRegistryPath;
static LONG PsBattLastTag;

NTSTATUS PsBattComplete(PIRP Irp, NTSTATUS Status)
{
    Irp->IoStatus.Status = Status;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return Status;
}

static NTSTATUS PsBattSignal(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    UNREFERENCED_PARAMETER(Irp);
    KeSetEvent((PKEVENT)Context, IO_NO_INCREMENT, FALSE);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

/* PASSIVE_LEVEL: sends the IRP down and waits for the lower drivers. */
NTSTATUS PsBattForwardAndWait(PDEVICE_OBJECT Lower, PIRP Irp)
{
    KEVENT done;
    KeInitializeEvent(&done, NotificationEvent, FALSE);
    IoCopyCurrentIrpStackLocationToNext(Irp);
    IoSetCompletionRoutine(Irp, PsBattSignal, &done, TRUE, TRUE, TRUE);
    if (IoCallDriver(Lower, Irp) == STATUS_PENDING)
        KeWaitForSingleObject(&done, Executive, KernelMode, FALSE, NULL);
    return Irp->IoStatus.Status;
}

/* <= DISPATCH_LEVEL. Driver-wide, so a battery that comes back as a new
 * device never reuses the tag of the one that left (docs: a new tag on
 * every insertion); never BATTERY_TAG_INVALID. */
ULONG PsBattNewTag(VOID)
{
    LONG tag;
    do {
        tag = InterlockedIncrement(&PsBattLastTag);
    } while ((ULONG)tag == BATTERY_TAG_INVALID);
    return (ULONG)tag;
}

/* PASSIVE_LEVEL. docs: a battery FDO is unnamed, with two more stack
 * locations than the device below. */
static NTSTATUS PsBattAddBattery(PDRIVER_OBJECT DriverObject, PDEVICE_OBJECT Pdo)
{
    PDEVICE_OBJECT fdo;
    NTSTATUS status = IoCreateDevice(DriverObject, sizeof(PSBATT_BATTERY), NULL,
                                     FILE_DEVICE_BATTERY, FILE_DEVICE_SECURE_OPEN, FALSE, &fdo);
    if (!NT_SUCCESS(status))
        return status;
    PPSBATT_BATTERY b = fdo->DeviceExtension;
    RtlZeroMemory(b, sizeof(*b));
    b->Kind = PsBattKindBattery;
    b->Self = fdo;
    b->Pdo = Pdo;
    b->Child = Pdo->DeviceExtension;
    IoInitializeRemoveLock(&b->RemoveLock, PSBATT_TAG, 0, 0);
    b->Lower = IoAttachDeviceToDeviceStack(fdo, Pdo);
    if (!b->Lower) {
        IoDeleteDevice(fdo);
        return STATUS_NO_SUCH_DEVICE;
    }
    fdo->StackSize = (CCHAR)(b->Lower->StackSize + 2);
    fdo->Flags |= DO_BUFFERED_IO | DO_POWER_PAGABLE;
    fdo->Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
}

static NTSTATUS PsBattAddDevice(PDRIVER_OBJECT DriverObject, PDEVICE_OBJECT Pdo)
{
    if (Pdo->DriverObject == DriverObject &&
        ((PPSBATT_CHILD)Pdo->DeviceExtension)->Kind == PsBattKindChild)
        return PsBattAddBattery(DriverObject, Pdo);
    return PsBattBusAddDevice(DriverObject, Pdo);
}

/* PASSIVE_LEVEL, IRP_MN_REMOVE_DEVICE of a battery: battc's class data
 * goes (completing its waiters) once no dispatch is in flight. */
static NTSTATUS PsBattBatteryRemove(PPSBATT_BATTERY b, PIRP Irp)
{
    PsBattBatteryStop(b);
    IoReleaseRemoveLockAndWait(&b->RemoveLock, Irp);
    if (b->WmiRegistered) {
        IoWMIRegistrationControl(b->Self, WMIREG_ACTION_DEREGISTER);
        b->WmiRegistered = FALSE;
    }
    if (b->ClassHandle) {
        BatteryClassUnload(b->ClassHandle);
        b->ClassHandle = NULL;
    }
    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoSkipCurrentIrpStackLocation(Irp);
    NTSTATUS status = IoCallDriver(b->Lower, Irp);
    IoDetachDevice(b->Lower);
    IoDeleteDevice(b->Self);
    return status;
}

/* PASSIVE_LEVEL. */
static NTSTATUS PsBattBatteryPnp(PPSBATT_BATTERY b, PIRP Irp)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    NTSTATUS status = IoAcquireRemoveLock(&b->RemoveLock, Irp);
    if (!NT_SUCCESS(status))
        return PsBattComplete(Irp, status);
    switch (stack->MinorFunction) {
    case IRP_MN_START_DEVICE:
        status = PsBattForwardAndWait(b->Lower, Irp);
        if (NT_SUCCESS(status))
            status = PsBattBatteryStart(b);
        PsBattComplete(Irp, status);
        break;
    case IRP_MN_REMOVE_DEVICE:
        return PsBattBatteryRemove(b, Irp); /* releases the remove lock itself */
    case IRP_MN_SURPRISE_REMOVAL:
        PsBattBatteryStop(b);
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

static NTSTATUS PsBattDispatchPnp(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    switch (*(PSBATT_KIND *)DeviceObject->DeviceExtension) {
    case PsBattKindBus:
        return PsBattBusPnp(DeviceObject->DeviceExtension, Irp);
    case PsBattKindChild:
        return PsBattChildPnp(DeviceObject->DeviceExtension, Irp);
    default:
        return PsBattBatteryPnp(DeviceObject->DeviceExtension, Irp);
    }
}

/* <= DISPATCH_LEVEL. Nothing here has power to manage. */
static NTSTATUS PsBattDispatchPower(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PSBATT_KIND kind = *(PSBATT_KIND *)DeviceObject->DeviceExtension;
    if (kind == PsBattKindChild)
        return PsBattChildPower(DeviceObject->DeviceExtension, Irp);
    PDEVICE_OBJECT lower = kind == PsBattKindBus
                               ? ((PPSBATT_BUS)DeviceObject->DeviceExtension)->Lower
                               : ((PPSBATT_BATTERY)DeviceObject->DeviceExtension)->Lower;
    PoStartNextPowerIrp(Irp);
    IoSkipCurrentIrpStackLocation(Irp);
    return PoCallDriver(lower, Irp);
}

/* PASSIVE_LEVEL. docs (4.2): a battery's IOCTLs go to BatteryClassIoctl and
 * its status is returned unchanged; STATUS_NOT_SUPPORTED passes it down. */
static NTSTATUS PsBattDispatchDeviceControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PSBATT_KIND kind = *(PSBATT_KIND *)DeviceObject->DeviceExtension;
    if (kind == PsBattKindChild)
        return PsBattComplete(Irp, STATUS_INVALID_DEVICE_REQUEST);
    if (kind == PsBattKindBus) {
        PPSBATT_BUS bus = DeviceObject->DeviceExtension;
        IoSkipCurrentIrpStackLocation(Irp);
        return IoCallDriver(bus->Lower, Irp);
    }
    PPSBATT_BATTERY b = DeviceObject->DeviceExtension;
    NTSTATUS status = IoAcquireRemoveLock(&b->RemoveLock, Irp);
    if (!NT_SUCCESS(status))
        return PsBattComplete(Irp, status);
    status = b->ClassHandle ? BatteryClassIoctl(b->ClassHandle, Irp) : STATUS_NOT_SUPPORTED;
    if (status == STATUS_NOT_SUPPORTED) {
        IoSkipCurrentIrpStackLocation(Irp);
        status = IoCallDriver(b->Lower, Irp);
    }
    IoReleaseRemoveLock(&b->RemoveLock, Irp);
    return status;
}

/* PASSIVE_LEVEL. The battery answers WMI through battc; the PDO and the
 * bus are no providers. */
static NTSTATUS PsBattDispatchSystemControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PSBATT_KIND kind = *(PSBATT_KIND *)DeviceObject->DeviceExtension;
    if (kind == PsBattKindBattery)
        return PsBattSystemControl(DeviceObject->DeviceExtension, Irp);
    if (kind == PsBattKindBus) {
        PPSBATT_BUS bus = DeviceObject->DeviceExtension;
        IoSkipCurrentIrpStackLocation(Irp);
        return IoCallDriver(bus->Lower, Irp);
    }
    NTSTATUS status = Irp->IoStatus.Status;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return status;
}

static NTSTATUS PsBattDispatchCreateClose(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    Irp->IoStatus.Information = 0;
    return PsBattComplete(Irp, STATUS_SUCCESS);
}

static VOID PsBattUnload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    if (PsBattRegistryPath.Buffer)
        ExFreePoolWithTag(PsBattRegistryPath.Buffer, PSBATT_TAG);
    PsBattRegistryPath.Buffer = NULL;
}

/* PASSIVE_LEVEL. */
NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    PsBattRegistryPath.Length = 0;
    PsBattRegistryPath.MaximumLength = RegistryPath->Length + sizeof(WCHAR);
    PsBattRegistryPath.Buffer =
        ExAllocatePoolWithTag(PagedPool, PsBattRegistryPath.MaximumLength, PSBATT_TAG);
    if (!PsBattRegistryPath.Buffer)
        return STATUS_INSUFFICIENT_RESOURCES;
    RtlCopyUnicodeString(&PsBattRegistryPath, RegistryPath);
    DriverObject->DriverExtension->AddDevice = PsBattAddDevice;
    DriverObject->DriverUnload = PsBattUnload;
    DriverObject->MajorFunction[IRP_MJ_PNP] = PsBattDispatchPnp;
    DriverObject->MajorFunction[IRP_MJ_POWER] = PsBattDispatchPower;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = PsBattDispatchDeviceControl;
    DriverObject->MajorFunction[IRP_MJ_SYSTEM_CONTROL] = PsBattDispatchSystemControl;
    DriverObject->MajorFunction[IRP_MJ_CREATE] = PsBattDispatchCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = PsBattDispatchCreateClose;
    return STATUS_SUCCESS;
}
