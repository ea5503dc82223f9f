/* simbatt's driver and device objects: DriverEntry, AddDevice (FDO,
 * registration with battc and WMI, the control interface), the PnP and
 * power dispatch with remove locks, IOCTL routing, and Unload. The battery
 * itself lives in state.c, the answers in miniclass.c. */
#include <initguid.h>
#include "simbatt_private.h"

UNICODE_STRING SimBattRegistryPath;

DRIVER_INITIALIZE DriverEntry;
static DRIVER_ADD_DEVICE SimBattAddDevice;
static DRIVER_UNLOAD SimBattUnload;
static DRIVER_DISPATCH SimBattDispatchCreateClose;
static DRIVER_DISPATCH SimBattDispatchDeviceControl;
static DRIVER_DISPATCH SimBattDispatchSystemControl;
static DRIVER_DISPATCH SimBattDispatchPnp;
static DRIVER_DISPATCH SimBattDispatchPower;
static IO_COMPLETION_ROUTINE SimBattSignalCompletion;

/* PASSIVE_LEVEL. No battery state here: that is per device (docs). */
NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    SimBattRegistryPath.Length = 0;
    SimBattRegistryPath.MaximumLength = RegistryPath->Length + sizeof(WCHAR);
    SimBattRegistryPath.Buffer =
        ExAllocatePoolWithTag(PagedPool, SimBattRegistryPath.MaximumLength, SIMBATT_POOL_TAG);
    if (SimBattRegistryPath.Buffer == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    RtlCopyUnicodeString(&SimBattRegistryPath, RegistryPath);

    DriverObject->DriverUnload = SimBattUnload;
    DriverObject->DriverExtension->AddDevice = SimBattAddDevice;
    DriverObject->MajorFunction[IRP_MJ_CREATE] = SimBattDispatchCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLEANUP] = SimBattDispatchCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = SimBattDispatchCreateClose;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = SimBattDispatchDeviceControl;
    DriverObject->MajorFunction[IRP_MJ_SYSTEM_CONTROL] = SimBattDispatchSystemControl;
    DriverObject->MajorFunction[IRP_MJ_PNP] = SimBattDispatchPnp;
    DriverObject->MajorFunction[IRP_MJ_POWER] = SimBattDispatchPower;
    return STATUS_SUCCESS;
}

/* PASSIVE_LEVEL. The PnP manager has removed every device already. */
static void SimBattUnload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    ExFreePoolWithTag(SimBattRegistryPath.Buffer, SIMBATT_POOL_TAG);
    SimBattRegistryPath.Buffer = NULL;
}

/* PASSIVE_LEVEL. One FDO per battery device, registered with battc here
 * (docs: AddDevice calls BatteryClassInitializeDevice); the interfaces it
 * registers appear once the device has started. */
static NTSTATUS SimBattAddDevice(PDRIVER_OBJECT DriverObject, PDEVICE_OBJECT Pdo)
{
    PDEVICE_OBJECT fdo = NULL;
    PSIMBATT_EXTENSION ext;
    BATTERY_MINIPORT_INFO info;
    NTSTATUS status;

    PAGED_CODE();
    /* Unnamed, not exclusive: several threads may talk to a battery. */
    status = IoCreateDevice(DriverObject, sizeof(SIMBATT_EXTENSION), NULL, FILE_DEVICE_BATTERY,
                            FILE_DEVICE_SECURE_OPEN, FALSE, &fdo);
    if (!NT_SUCCESS(status))
        return status;
    fdo->Flags |= DO_BUFFERED_IO | DO_POWER_PAGABLE;

    ext = fdo->DeviceExtension;
    RtlZeroMemory(ext, sizeof(*ext));
    ext->Fdo = fdo;
    ext->Pdo = Pdo;
    KeInitializeMutex(&ext->Lock, 0);
    KeInitializeMutex(&ext->ModelMutex, 0);
    IoInitializeRemoveLock(&ext->RemoveLock, SIMBATT_POOL_TAG, 0, 0);
    SimBattInitState(ext);

    ext->LowerDevice = IoAttachDeviceToDeviceStack(fdo, Pdo);
    if (ext->LowerDevice == NULL) {
        status = STATUS_NO_SUCH_DEVICE;
        goto fail_delete;
    }
    fdo->StackSize = (CCHAR)(ext->LowerDevice->StackSize + 2); /* docs: battery IRPs need more */

    status =
        IoRegisterDeviceInterface(Pdo, &GUID_DEVINTERFACE_BATTKIT_SIMBATT, NULL, &ext->ControlLink);
    if (!NT_SUCCESS(status))
        goto fail_detach;

    /* Plain BATTERY_MINIPORT_INFO: the mingw-w64 headers have no V1_1. */
    RtlZeroMemory(&info, sizeof(info));
    info.MajorVersion = BATTERY_CLASS_MAJOR_VERSION;
    info.MinorVersion = BATTERY_CLASS_MINOR_VERSION;
    info.Context = ext;
    info.QueryTag = SimBattQueryTag;
    info.QueryInformation = SimBattQueryInformation;
    info.SetInformation = SimBattSetInformation;
    info.QueryStatus = SimBattQueryStatus;
    info.SetStatusNotify = SimBattSetStatusNotify;
    info.DisableStatusNotify = SimBattDisableStatusNotify;
    info.Pdo = Pdo;
    info.DeviceName = NULL;
    status = BatteryClassInitializeDevice(&info, &ext->ClassHandle);
    if (!NT_SUCCESS(status))
        goto fail_link;

    SimBattInitWmi(ext);
    /* A battery without WMI still works: not fatal. */
    ext->WmiRegistered = NT_SUCCESS(IoWMIRegistrationControl(fdo, WMIREG_ACTION_REGISTER));
    if (!ext->WmiRegistered) {
        KdPrint(("simbatt: WMI registration failed\n"));
    }

    fdo->Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;

fail_link:
    RtlFreeUnicodeString(&ext->ControlLink);
fail_detach:
    IoDetachDevice(ext->LowerDevice);
fail_delete:
    IoDeleteDevice(fdo);
    return status;
}

static NTSTATUS SimBattCompleteIrp(PIRP Irp, NTSTATUS Status, ULONG_PTR Information)
{
    Irp->IoStatus.Status = Status;
    Irp->IoStatus.Information = Information;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return Status;
}

/* Opens and closes need nothing: no per-handle state. */
static NTSTATUS SimBattDispatchCreateClose(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PSIMBATT_EXTENSION ext = DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    NTSTATUS status;

    if (stack->MajorFunction != IRP_MJ_CREATE)
        return SimBattCompleteIrp(Irp, STATUS_SUCCESS, 0);
    status = IoAcquireRemoveLock(&ext->RemoveLock, Irp);
    if (!NT_SUCCESS(status))
        return SimBattCompleteIrp(Irp, status, 0);
    status = ext->SurpriseRemoved ? STATUS_DELETE_PENDING : STATUS_SUCCESS;
    IoReleaseRemoveLock(&ext->RemoveLock, Irp);
    return SimBattCompleteIrp(Irp, status, 0);
}

/* PASSIVE_LEVEL (docs: battery IOCTLs only at PASSIVE_LEVEL). Private
 * IOCTLs first, then battc, whose status (often STATUS_PENDING) is
 * returned unchanged; what battc does not take goes down the stack. */
static NTSTATUS SimBattDispatchDeviceControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PSIMBATT_EXTENSION ext = DeviceObject->DeviceExtension;
    NTSTATUS status;

    status = IoAcquireRemoveLock(&ext->RemoveLock, Irp);
    if (!NT_SUCCESS(status))
        return SimBattCompleteIrp(Irp, status, 0);
    if (ext->SurpriseRemoved) {
        status = SimBattCompleteIrp(Irp, STATUS_DELETE_PENDING, 0);
        goto out;
    }
    if (SimBattControl(ext, Irp, &status)) {
        Irp->IoStatus.Status = status;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        goto out;
    }
    status =
        ext->ClassHandle != NULL ? BatteryClassIoctl(ext->ClassHandle, Irp) : STATUS_NOT_SUPPORTED;
    if (status == STATUS_NOT_SUPPORTED) {
        IoSkipCurrentIrpStackLocation(Irp);
        status = IoCallDriver(ext->LowerDevice, Irp);
    }
out:
    IoReleaseRemoveLock(&ext->RemoveLock, Irp);
    return status;
}

static NTSTATUS SimBattDispatchSystemControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PSIMBATT_EXTENSION ext = DeviceObject->DeviceExtension;
    NTSTATUS status;

    status = IoAcquireRemoveLock(&ext->RemoveLock, Irp);
    if (!NT_SUCCESS(status))
        return SimBattCompleteIrp(Irp, status, 0);
    status = SimBattSystemControl(ext, Irp);
    IoReleaseRemoveLock(&ext->RemoveLock, Irp);
    return status;
}

/* <= DISPATCH_LEVEL. Hands a forwarded IRP back to the waiting thread. */
static NTSTATUS SimBattSignalCompletion(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    if (Irp->PendingReturned)
        KeSetEvent((PKEVENT)Context, IO_NO_INCREMENT, FALSE);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

/* PASSIVE_LEVEL. Sends the IRP down and waits until the lower drivers
 * have finished with it; the caller completes it. */
static NTSTATUS SimBattForwardAndWait(PSIMBATT_EXTENSION Ext, PIRP Irp)
{
    KEVENT event;
    NTSTATUS status;

    KeInitializeEvent(&event, NotificationEvent, FALSE);
    IoCopyCurrentIrpStackLocationToNext(Irp);
    IoSetCompletionRoutine(Irp, SimBattSignalCompletion, &event, TRUE, TRUE, TRUE);
    status = IoCallDriver(Ext->LowerDevice, Irp);
    if (status == STATUS_PENDING) {
        KeWaitForSingleObject(&event, Executive, KernelMode, FALSE, NULL);
        status = Irp->IoStatus.Status;
    }
    return status;
}

/* PASSIVE_LEVEL, after the lower drivers started. The first start loads
 * the saved state and issues the first tag; the control interface and a
 * remembered model come back on every start. */
static void SimBattStartDevice(PSIMBATT_EXTENSION Ext)
{
    CHAR model[SIMBATT_MAX_MODEL_NAME];
    NTSTATUS status;

    SimBattLock(Ext);
    if (!Ext->StateLoaded) {
        SimBattLoadState(Ext);
        Ext->StateLoaded = TRUE;
        /* As the class driver sees it, a started device with a battery is
         * an insertion. LastTag came with the saved state, so the tag is
         * never one a client may still hold from before the restart. */
        if (Ext->Battery.Present)
            SimBattNewTag(Ext);
    }
    RtlCopyMemory(model, Ext->Battery.ModelName, sizeof(model));
    Ext->HaveLastView = FALSE;
    SimBattEvaluateLocked(Ext); /* the baseline later changes compare with */
    Ext->Started = TRUE;
    SimBattUnlock(Ext);

    status = IoSetDeviceInterfaceState(&Ext->ControlLink, TRUE);
    if (!NT_SUCCESS(status)) {
        KdPrint(("simbatt: control interface not enabled: 0x%08x\n", (unsigned)status));
    }
    if (Ext->Model.Attached)
        return;
    if (model[0] == '\0') {
        SimBattModelAutoAttach(Ext);
    } else {
        status = SimBattModelAttach(Ext, model, FALSE);
        if (!NT_SUCCESS(status)) {
            KdPrint(("simbatt: model %s not attached again: 0x%08x\n", model, (unsigned)status));
            SimBattLock(Ext);
            RtlZeroMemory(Ext->Battery.ModelName, sizeof(Ext->Battery.ModelName));
            SimBattUnlock(Ext);
        }
    }
}

/* PASSIVE_LEVEL. Stop, surprise removal and removal all end the device's
 * outside connections: the control interface and the model. */
static void SimBattStopDevice(PSIMBATT_EXTENSION Ext)
{
    SimBattLock(Ext);
    Ext->Started = FALSE;
    SimBattUnlock(Ext);
    IoSetDeviceInterfaceState(&Ext->ControlLink, FALSE);
    SimBattModelDetach(Ext, FALSE); /* keeps the name for the next start */
}

/* PASSIVE_LEVEL. Remove locks keep IRP_MN_REMOVE_DEVICE from racing any
 * dispatch in progress. */
static NTSTATUS SimBattDispatchPnp(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PSIMBATT_EXTENSION ext = DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    PDEVICE_OBJECT lower = ext->LowerDevice;
    NTSTATUS status;

    status = IoAcquireRemoveLock(&ext->RemoveLock, Irp);
    if (!NT_SUCCESS(status))
        return SimBattCompleteIrp(Irp, status, 0);

    switch (stack->MinorFunction) {
    case IRP_MN_START_DEVICE:
        status = SimBattForwardAndWait(ext, Irp);
        if (NT_SUCCESS(status))
            SimBattStartDevice(ext);
        SimBattCompleteIrp(Irp, status, Irp->IoStatus.Information);
        IoReleaseRemoveLock(&ext->RemoveLock, Irp);
        return status;

    case IRP_MN_STOP_DEVICE:
        SimBattStopDevice(ext);
        break;

    case IRP_MN_SURPRISE_REMOVAL:
        ext->SurpriseRemoved = TRUE;
        SimBattStopDevice(ext);
        break;

    case IRP_MN_REMOVE_DEVICE:
        /* Wait for every dispatch in flight, then take the device apart:
         * nothing can call BatteryClassStatusNotify after the model is
         * detached and the last IRP has left. */
        IoReleaseRemoveLockAndWait(&ext->RemoveLock, Irp);
        if (!ext->SurpriseRemoved)
            SimBattStopDevice(ext);
        if (ext->WmiRegistered)
            IoWMIRegistrationControl(DeviceObject, WMIREG_ACTION_DEREGISTER);
        if (ext->ClassHandle != NULL) {
            BatteryClassUnload(ext->ClassHandle); /* completes battc's waiting IRPs */
            ext->ClassHandle = NULL;
        }
        Irp->IoStatus.Status = STATUS_SUCCESS;
        IoSkipCurrentIrpStackLocation(Irp);
        status = IoCallDriver(lower, Irp);
        IoDetachDevice(lower);
        RtlFreeUnicodeString(&ext->ControlLink);
        IoDeleteDevice(DeviceObject);
        return status;

    case IRP_MN_QUERY_STOP_DEVICE:
    case IRP_MN_CANCEL_STOP_DEVICE:
    case IRP_MN_QUERY_REMOVE_DEVICE:
    case IRP_MN_CANCEL_REMOVE_DEVICE:
        break; /* nothing to refuse or undo */

    default:
        /* Not ours: pass it on with whatever status it carries. */
        IoSkipCurrentIrpStackLocation(Irp);
        status = IoCallDriver(lower, Irp);
        IoReleaseRemoveLock(&ext->RemoveLock, Irp);
        return status;
    }

    /* docs: a function driver sets success before passing these down. */
    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoSkipCurrentIrpStackLocation(Irp);
    status = IoCallDriver(lower, Irp);
    IoReleaseRemoveLock(&ext->RemoveLock, Irp);
    return status;
}

/* A simulated battery has no power states of its own: pass everything on. */
static NTSTATUS SimBattDispatchPower(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PSIMBATT_EXTENSION ext = DeviceObject->DeviceExtension;
    NTSTATUS status;

    PoStartNextPowerIrp(Irp);
    status = IoAcquireRemoveLock(&ext->RemoveLock, Irp);
    if (!NT_SUCCESS(status))
        return SimBattCompleteIrp(Irp, status, 0);
    IoSkipCurrentIrpStackLocation(Irp);
    status = PoCallDriver(ext->LowerDevice, Irp);
    IoReleaseRemoveLock(&ext->RemoveLock, Irp);
    return status;
}
