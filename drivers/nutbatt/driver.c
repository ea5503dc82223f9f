/* nutbatt's driver object: DriverEntry, AddDevice (one battery FDO on each
 * NUTBATT\UPS device) and the dispatch routines. The battc registration and
 * the BatteryMini* callbacks are miniclass.c's; the refresh is refresh.c's. */
#include <initguid.h>
#include "nutbatt.h"

UNICODE_STRING NutBattRegistryPath;
static LONG NutBattLastTag;

NTSTATUS NutBattComplete(PIRP Irp, NTSTATUS Status)
{
    Irp->IoStatus.Status = Status;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return Status;
}

/* Driver-wide, so a UPS that comes back never reuses the tag it had
 * (docs: a new tag on every insertion). */
ULONG NutBattNewTag(VOID)
{
    LONG tag;
    do {
        tag = InterlockedIncrement(&NutBattLastTag);
    } while ((ULONG)tag == BATTERY_TAG_INVALID);
    return (ULONG)tag;
}

static NTSTATUS NutBattSignal(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    UNREFERENCED_PARAMETER(Irp);
    KeSetEvent((PKEVENT)Context, IO_NO_INCREMENT, FALSE);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

/* PASSIVE_LEVEL: sends the IRP down and waits for the lower drivers. */
static NTSTATUS NutBattForwardAndWait(PDEVICE_OBJECT Lower, PIRP Irp)
{
    KEVENT done;
    KeInitializeEvent(&done, NotificationEvent, FALSE);
    IoCopyCurrentIrpStackLocationToNext(Irp);
    IoSetCompletionRoutine(Irp, NutBattSignal, &done, TRUE, TRUE, TRUE);
    if (IoCallDriver(Lower, Irp) == STATUS_PENDING)
        KeWaitForSingleObject(&done, Executive, KernelMode, FALSE, NULL);
    return Irp->IoStatus.Status;
}

/* PASSIVE_LEVEL. docs: a battery FDO is unnamed, with two more stack
 * locations than the device below. */
static NTSTATUS NutBattAddDevice(PDRIVER_OBJECT DriverObject, PDEVICE_OBJECT Pdo)
{
    PDEVICE_OBJECT fdo;
    NTSTATUS status = IoCreateDevice(DriverObject, sizeof(NUTBATT_DEVICE), NULL,
                                     FILE_DEVICE_BATTERY, FILE_DEVICE_SECURE_OPEN, FALSE, &fdo);
    if (!NT_SUCCESS(status))
        return status;
    PNUTBATT_DEVICE d = fdo->DeviceExtension;
    RtlZeroMemory(d, sizeof(*d));
    d->Self = fdo;
    d->Pdo = Pdo;
    d->Tag = BATTERY_TAG_INVALID;
    IoInitializeRemoveLock(&d->RemoveLock, NUTBATT_TAG, 0, 0);
    KeInitializeSpinLock(&d->Lock);
    d->RefreshWork = IoAllocateWorkItem(fdo);
    if (!d->RefreshWork)
        goto fail_delete;
    d->Lower = IoAttachDeviceToDeviceStack(fdo, Pdo);
    if (!d->Lower) {
        status = STATUS_NO_SUCH_DEVICE;
        goto fail_work;
    }
    fdo->StackSize = (CCHAR)(d->Lower->StackSize + 2);
    fdo->Flags |= DO_BUFFERED_IO | DO_POWER_PAGABLE;
    fdo->Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;

fail_work:
    IoFreeWorkItem(d->RefreshWork);
fail_delete:
    IoDeleteDevice(fdo);
    return NT_SUCCESS(status) ? STATUS_INSUFFICIENT_RESOURCES : status;
}

/* PASSIVE_LEVEL, IRP_MN_START_DEVICE after the lower drivers: the
 * configuration, the first read and the poll, then battc. */
static NTSTATUS NutBattStart(PNUTBATT_DEVICE d)
{
    if (d->Started)
        return STATUS_SUCCESS;
    if (!NutBattReadConfig(d->Pdo, &d->Config))
        return STATUS_INVALID_PARAMETER;
    /* The first read before battc asks for a tag, so a reachable UPS is
     * there from the start. */
    NTSTATUS status = NutBattRefreshStart(d);
    if (!NT_SUCCESS(status))
        return status;
    status = NutBattBatteryStart(d);
    if (!NT_SUCCESS(status)) {
        NutBattRefreshStop(d);
        return status;
    }
    d->Started = TRUE;
    return STATUS_SUCCESS;
}

/* PASSIVE_LEVEL, IRP_MN_REMOVE_DEVICE: no refresh after the remove lock is
 * drained, then battc's class data goes (completing its waiters). */
static NTSTATUS NutBattRemove(PNUTBATT_DEVICE d, PIRP Irp)
{
    NutBattRefreshStop(d);
    IoReleaseRemoveLockAndWait(&d->RemoveLock, Irp);
    NutBattDisconnect(&d->Connection);
    if (d->WmiRegistered) {
        IoWMIRegistrationControl(d->Self, WMIREG_ACTION_DEREGISTER);
        d->WmiRegistered = FALSE;
    }
    if (d->ClassHandle) {
        BatteryClassUnload(d->ClassHandle);
        d->ClassHandle = NULL;
    }
    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoSkipCurrentIrpStackLocation(Irp);
    NTSTATUS status = IoCallDriver(d->Lower, Irp);
    IoDetachDevice(d->Lower);
    IoFreeWorkItem(d->RefreshWork);
    IoDeleteDevice(d->Self);
    return status;
}

/* PASSIVE_LEVEL. */
static NTSTATUS NutBattDispatchPnp(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PNUTBATT_DEVICE d = DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    NTSTATUS status = IoAcquireRemoveLock(&d->RemoveLock, Irp);
    if (!NT_SUCCESS(status))
        return NutBattComplete(Irp, status);
    switch (stack->MinorFunction) {
    case IRP_MN_START_DEVICE:
        status = NutBattForwardAndWait(d->Lower, Irp);
        if (NT_SUCCESS(status))
            status = NutBattStart(d);
        NutBattComplete(Irp, status);
        break;
    case IRP_MN_REMOVE_DEVICE:
        return NutBattRemove(d, Irp); /* releases the remove lock itself */
    case IRP_MN_SURPRISE_REMOVAL:
        NutBattRefreshStop(d);
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
        status = IoCallDriver(d->Lower, Irp);
        break;
    }
    IoReleaseRemoveLock(&d->RemoveLock, Irp);
    return status;
}

/* <= DISPATCH_LEVEL. Nothing here has power to manage. */
static NTSTATUS NutBattDispatchPower(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PNUTBATT_DEVICE d = DeviceObject->DeviceExtension;
    PoStartNextPowerIrp(Irp);
    IoSkipCurrentIrpStackLocation(Irp);
    return PoCallDriver(d->Lower, Irp);
}

/* PASSIVE_LEVEL. docs (4.2): a battery's IOCTLs go to BatteryClassIoctl and
 * its status is returned unchanged; STATUS_NOT_SUPPORTED passes it down. */
static NTSTATUS NutBattDispatchDeviceControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PNUTBATT_DEVICE d = DeviceObject->DeviceExtension;
    NTSTATUS status = IoAcquireRemoveLock(&d->RemoveLock, Irp);
    if (!NT_SUCCESS(status))
        return NutBattComplete(Irp, status);
    status = d->ClassHandle ? BatteryClassIoctl(d->ClassHandle, Irp) : STATUS_NOT_SUPPORTED;
    if (status == STATUS_NOT_SUPPORTED) {
        IoSkipCurrentIrpStackLocation(Irp);
        status = IoCallDriver(d->Lower, Irp);
    }
    IoReleaseRemoveLock(&d->RemoveLock, Irp);
    return status;
}

static NTSTATUS NutBattDispatchSystemControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    return NutBattSystemControl(DeviceObject->DeviceExtension, Irp);
}

static NTSTATUS NutBattDispatchCreateClose(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    Irp->IoStatus.Information = 0;
    return NutBattComplete(Irp, STATUS_SUCCESS);
}

static VOID NutBattUnload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    if (NutBattRegistryPath.Buffer)
        ExFreePoolWithTag(NutBattRegistryPath.Buffer, NUTBATT_TAG);
    NutBattRegistryPath.Buffer = NULL;
}

/* PASSIVE_LEVEL. */
NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    NutBattRegistryPath.Length = 0;
    NutBattRegistryPath.MaximumLength = RegistryPath->Length + sizeof(WCHAR);
    NutBattRegistryPath.Buffer =
        ExAllocatePoolWithTag(PagedPool, NutBattRegistryPath.MaximumLength, NUTBATT_TAG);
    if (!NutBattRegistryPath.Buffer)
        return STATUS_INSUFFICIENT_RESOURCES;
    RtlCopyUnicodeString(&NutBattRegistryPath, RegistryPath);
    DriverObject->DriverExtension->AddDevice = NutBattAddDevice;
    DriverObject->DriverUnload = NutBattUnload;
    DriverObject->MajorFunction[IRP_MJ_PNP] = NutBattDispatchPnp;
    DriverObject->MajorFunction[IRP_MJ_POWER] = NutBattDispatchPower;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = NutBattDispatchDeviceControl;
    DriverObject->MajorFunction[IRP_MJ_SYSTEM_CONTROL] = NutBattDispatchSystemControl;
    DriverObject->MajorFunction[IRP_MJ_CREATE] = NutBattDispatchCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = NutBattDispatchCreateClose;
    return STATUS_SUCCESS;
}
