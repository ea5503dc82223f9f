/* The composite battery's driver and device objects: DriverEntry,
 * AddDevice (the named FDO \Device\CompositeBattery, registered with battc
 * with no PDO so it is no battery interface), PnP with the interface
 * notification that finds the batteries, and IOCTL routing to battc. The
 * batteries are member.c's; the answers miniclass.c's. */
#include <initguid.h>
#include "compbatt_private.h"
#include <wdmguid.h>

DRIVER_INITIALIZE DriverEntry;
static DRIVER_ADD_DEVICE CompBattAddDevice;
static DRIVER_UNLOAD CompBattUnload;
static DRIVER_DISPATCH CompBattDispatchCreateClose;
static DRIVER_DISPATCH CompBattDispatchDeviceControl;
static DRIVER_DISPATCH CompBattDispatchPnp;
static DRIVER_DISPATCH CompBattDispatchPower;
static DRIVER_DISPATCH CompBattDispatchPassDown;

static const WCHAR CompBattDeviceName[] = L"\\Device\\CompositeBattery";

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    DriverObject->DriverUnload = CompBattUnload;
    DriverObject->DriverExtension->AddDevice = CompBattAddDevice;
    DriverObject->MajorFunction[IRP_MJ_CREATE] = CompBattDispatchCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLEANUP] = CompBattDispatchCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = CompBattDispatchCreateClose;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = CompBattDispatchDeviceControl;
    DriverObject->MajorFunction[IRP_MJ_SYSTEM_CONTROL] = CompBattDispatchPassDown;
    DriverObject->MajorFunction[IRP_MJ_PNP] = CompBattDispatchPnp;
    DriverObject->MajorFunction[IRP_MJ_POWER] = CompBattDispatchPower;
    return STATUS_SUCCESS;
}

static VOID CompBattUnload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
}

/* PASSIVE_LEVEL. One composite per system (docs). */
static NTSTATUS CompBattAddDevice(PDRIVER_OBJECT DriverObject, PDEVICE_OBJECT Pdo)
{
    UNICODE_STRING name;
    PDEVICE_OBJECT fdo = NULL;
    PCOMPBATT_EXTENSION ext;
    BATTERY_MINIPORT_INFO info;
    NTSTATUS status;

    PAGED_CODE();
    RtlInitUnicodeString(&name, CompBattDeviceName);
    status = IoCreateDevice(DriverObject, sizeof(COMPBATT_EXTENSION), &name, FILE_DEVICE_BATTERY,
                            FILE_DEVICE_SECURE_OPEN, FALSE, &fdo);
    if (!NT_SUCCESS(status))
        return status;
    fdo->Flags |= DO_BUFFERED_IO | DO_POWER_PAGABLE;
    ext = fdo->DeviceExtension;
    RtlZeroMemory(ext, sizeof(*ext));
    ext->Fdo = fdo;
    KeInitializeSpinLock(&ext->Lock);
    InitializeListHead(&ext->Members);
    KeInitializeEvent(&ext->NoMembers, NotificationEvent, TRUE);
    IoInitializeRemoveLock(&ext->RemoveLock, COMPBATT_POOL_TAG, 0, 0);
    ext->LowerDevice = IoAttachDeviceToDeviceStack(fdo, Pdo);
    if (!ext->LowerDevice) {
        status = STATUS_NO_SUCH_DEVICE;
        goto fail_delete;
    }
    fdo->StackSize = (CCHAR)(ext->LowerDevice->StackSize + 2);
    fdo->Flags &= ~DO_DEVICE_INITIALIZING; /* battc opens it by name below */

    RtlZeroMemory(&info, sizeof(info));
    info.MajorVersion = BATTERY_CLASS_MAJOR_VERSION;
    info.MinorVersion = BATTERY_CLASS_MINOR_VERSION;
    info.Context = ext;
    info.QueryTag = CompBattQueryTag;
    info.QueryInformation = CompBattQueryInformation;
    info.SetInformation = CompBattSetInformation;
    info.QueryStatus = CompBattQueryStatus;
    info.SetStatusNotify = CompBattSetStatusNotify;
    info.DisableStatusNotify = CompBattDisableStatusNotify;
    info.Pdo = NULL; /* docs: the composite has no battery interface */
    info.DeviceName = &name;
    status = BatteryClassInitializeDevice(&info, &ext->ClassHandle);
    if (!NT_SUCCESS(status))
        goto fail_detach;
    return STATUS_SUCCESS;

fail_detach:
    IoDetachDevice(ext->LowerDevice);
fail_delete:
    IoDeleteDevice(fdo);
    return status;
}

static NTSTATUS CompBattComplete(PIRP Irp, NTSTATUS Status)
{
    Irp->IoStatus.Status = Status;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return Status;
}

static NTSTATUS CompBattDispatchCreateClose(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PCOMPBATT_EXTENSION ext = DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);

    if (stack->MajorFunction == IRP_MJ_CREATE && ext->SurpriseRemoved)
        return CompBattComplete(Irp, STATUS_DELETE_PENDING);
    return CompBattComplete(Irp, STATUS_SUCCESS);
}

/* PASSIVE_LEVEL. Every battery IOCTL is battc's. */
static NTSTATUS CompBattDispatchDeviceControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PCOMPBATT_EXTENSION ext = DeviceObject->DeviceExtension;
    NTSTATUS status = IoAcquireRemoveLock(&ext->RemoveLock, Irp);

    if (!NT_SUCCESS(status))
        return CompBattComplete(Irp, status);
    status = ext->ClassHandle ? BatteryClassIoctl(ext->ClassHandle, Irp) : STATUS_NOT_SUPPORTED;
    if (status == STATUS_NOT_SUPPORTED) {
        IoSkipCurrentIrpStackLocation(Irp);
        status = IoCallDriver(ext->LowerDevice, Irp);
    }
    IoReleaseRemoveLock(&ext->RemoveLock, Irp);
    return status;
}

static NTSTATUS CompBattDispatchPassDown(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PCOMPBATT_EXTENSION ext = DeviceObject->DeviceExtension;

    IoSkipCurrentIrpStackLocation(Irp);
    return IoCallDriver(ext->LowerDevice, Irp);
}

static NTSTATUS CompBattDispatchPower(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PCOMPBATT_EXTENSION ext = DeviceObject->DeviceExtension;

    PoStartNextPowerIrp(Irp);
    IoSkipCurrentIrpStackLocation(Irp);
    return PoCallDriver(ext->LowerDevice, Irp);
}

/* PASSIVE_LEVEL. Start registers for battery arrival (existing batteries
 * included); stop, surprise removal and removal end the tracking. */
static VOID CompBattStart(PCOMPBATT_EXTENSION Ext)
{
    KIRQL irql;
    NTSTATUS status;

    KeAcquireSpinLock(&Ext->Lock, &irql);
    Ext->Stopping = FALSE;
    KeReleaseSpinLock(&Ext->Lock, irql);
    status = IoRegisterPlugPlayNotification(EventCategoryDeviceInterfaceChange,
                                            PNPNOTIFY_DEVICE_INTERFACE_INCLUDE_EXISTING_INTERFACES,
                                            (PVOID)&GUID_DEVICE_BATTERY, Ext->Fdo->DriverObject,
                                            CompBattInterfaceChange, Ext, &Ext->NotificationEntry);
    if (!NT_SUCCESS(status)) {
        KdPrint(("compbatt: no battery arrival notification: 0x%08x\n", (unsigned)status));
        Ext->NotificationEntry = NULL;
    }
}

static VOID CompBattStop(PCOMPBATT_EXTENSION Ext)
{
    if (Ext->NotificationEntry) {
        IoUnregisterPlugPlayNotificationEx(Ext->NotificationEntry); /* no callback after this */
        Ext->NotificationEntry = NULL;
    }
    CompBattStopMembers(Ext);
}

static NTSTATUS CompBattSignal(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    if (Irp->PendingReturned)
        KeSetEvent((PKEVENT)Context, IO_NO_INCREMENT, FALSE);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

static NTSTATUS CompBattDispatchPnp(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PCOMPBATT_EXTENSION ext = DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    PDEVICE_OBJECT lower = ext->LowerDevice;
    NTSTATUS status = IoAcquireRemoveLock(&ext->RemoveLock, Irp);
    KEVENT event;

    if (!NT_SUCCESS(status))
        return CompBattComplete(Irp, status);
    switch (stack->MinorFunction) {
    case IRP_MN_START_DEVICE:
        KeInitializeEvent(&event, NotificationEvent, FALSE);
        IoCopyCurrentIrpStackLocationToNext(Irp);
        IoSetCompletionRoutine(Irp, CompBattSignal, &event, TRUE, TRUE, TRUE);
        status = IoCallDriver(lower, Irp);
        if (status == STATUS_PENDING) {
            KeWaitForSingleObject(&event, Executive, KernelMode, FALSE, NULL);
            status = Irp->IoStatus.Status;
        }
        if (NT_SUCCESS(status))
            CompBattStart(ext);
        Irp->IoStatus.Status = status;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        IoReleaseRemoveLock(&ext->RemoveLock, Irp);
        return status;
    case IRP_MN_STOP_DEVICE:
        CompBattStop(ext);
        break;
    case IRP_MN_SURPRISE_REMOVAL:
        ext->SurpriseRemoved = TRUE;
        CompBattStop(ext);
        break;
    case IRP_MN_REMOVE_DEVICE:
        IoReleaseRemoveLockAndWait(&ext->RemoveLock, Irp);
        if (!ext->SurpriseRemoved)
            CompBattStop(ext);
        if (ext->ClassHandle) {
            BatteryClassUnload(ext->ClassHandle);
            ext->ClassHandle = NULL;
        }
        Irp->IoStatus.Status = STATUS_SUCCESS;
        IoSkipCurrentIrpStackLocation(Irp);
        status = IoCallDriver(lower, Irp);
        IoDetachDevice(lower);
        IoDeleteDevice(DeviceObject);
        return status;
    case IRP_MN_QUERY_STOP_DEVICE:
    case IRP_MN_CANCEL_STOP_DEVICE:
    case IRP_MN_QUERY_REMOVE_DEVICE:
    case IRP_MN_CANCEL_REMOVE_DEVICE:
        break;
    default:
        IoSkipCurrentIrpStackLocation(Irp);
        status = IoCallDriver(lower, Irp);
        IoReleaseRemoveLock(&ext->RemoveLock, Irp);
        return status;
    }
    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoSkipCurrentIrpStackLocation(Irp);
    status = IoCallDriver(lower, Irp);
    IoReleaseRemoveLock(&ext->RemoveLock, Irp);
    return status;
}
