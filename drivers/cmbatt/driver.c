/* cmbatt's driver and device objects: DriverEntry, AddDevice (one FDO per
 * PNP0C0A battery or ACPI0003 adapter, told apart by hardware ID), PnP
 * (start: the ACPI interface for Notify, battc registration, WMI; remove:
 * stop notifications, drain the remove lock, then free), power, device
 * control (BatteryClassIoctl) and Unload. */
#include <initguid.h>
#include "cmbatt.h"

UNICODE_STRING CmBattRegistryPath;

/* PASSIVE_LEVEL. */
VOID CmBattLock(PCMBATT_EXTENSION Ext)
{
    KeWaitForSingleObject(&Ext->Lock, Executive, KernelMode, FALSE, NULL);
}

VOID CmBattUnlock(PCMBATT_EXTENSION Ext)
{
    KeReleaseMutex(&Ext->Lock, FALSE);
}

static NTSTATUS CmBattComplete(PIRP Irp, NTSTATUS Status)
{
    Irp->IoStatus.Status = Status;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return Status;
}

/* PASSIVE_LEVEL: ACPI\ACPI0003 is the adapter, anything else a battery. */
static CMBATT_DEVICE_TYPE CmBattTypeOf(PDEVICE_OBJECT Pdo)
{
    static const WCHAR adapter[] = L"ACPI\\ACPI0003";
    WCHAR ids[128];
    ULONG length = 0;
    RtlZeroMemory(ids, sizeof ids);
    if (!NT_SUCCESS(IoGetDeviceProperty(Pdo, DevicePropertyHardwareID, sizeof ids - sizeof(WCHAR),
                                        ids, &length)))
        return CmBattDeviceBattery;
    for (ULONG i = 0; i < RTL_NUMBER_OF(adapter); i++)
        if (RtlUpcaseUnicodeChar(ids[i]) != adapter[i])
            return CmBattDeviceBattery;
    return CmBattDeviceAcAdapter;
}

/* PASSIVE_LEVEL. docs: a battery FDO is unnamed and not exclusive, with
 * two more stack locations than the PDO. */
static NTSTATUS CmBattAddDevice(PDRIVER_OBJECT DriverObject, PDEVICE_OBJECT Pdo)
{
    PDEVICE_OBJECT fdo;
    CMBATT_DEVICE_TYPE type = CmBattTypeOf(Pdo);
    NTSTATUS status =
        IoCreateDevice(DriverObject, sizeof(CMBATT_EXTENSION), NULL,
                       type == CmBattDeviceBattery ? FILE_DEVICE_BATTERY : FILE_DEVICE_UNKNOWN,
                       FILE_DEVICE_SECURE_OPEN, FALSE, &fdo);
    if (!NT_SUCCESS(status))
        return status;
    PCMBATT_EXTENSION ext = fdo->DeviceExtension;
    RtlZeroMemory(ext, sizeof(*ext));
    ext->Signature = CMBATT_SIGNATURE;
    ext->Type = type;
    ext->Fdo = fdo;
    ext->Pdo = Pdo;
    ext->Tag = BATTERY_TAG_INVALID;
    ext->NextTag = 1;
    ext->LastFlow = CMBATT_FLOW_UNKNOWN;
    IoInitializeRemoveLock(&ext->RemoveLock, CMBATT_TAG, 0, 0);
    KeInitializeMutex(&ext->Lock, 0);
    InitializeListHead(&ext->BatteryLink);
    CmBattWmiInitialize(ext);
    ext->Lower = IoAttachDeviceToDeviceStack(fdo, Pdo);
    if (!ext->Lower) {
        IoDeleteDevice(fdo);
        return STATUS_NO_SUCH_DEVICE;
    }
    fdo->StackSize = (CCHAR)(ext->Lower->StackSize + 2);
    fdo->Flags |= DO_BUFFERED_IO | DO_POWER_PAGABLE;
    fdo->Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
}

static NTSTATUS CmBattSignal(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    UNREFERENCED_PARAMETER(Irp);
    KeSetEvent((PKEVENT)Context, IO_NO_INCREMENT, FALSE);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

/* PASSIVE_LEVEL. */
static NTSTATUS CmBattForwardAndWait(PCMBATT_EXTENSION Ext, PIRP Irp)
{
    KEVENT done;
    KeInitializeEvent(&done, NotificationEvent, FALSE);
    IoCopyCurrentIrpStackLocationToNext(Irp);
    IoSetCompletionRoutine(Irp, CmBattSignal, &done, TRUE, TRUE, TRUE);
    if (IoCallDriver(Ext->Lower, Irp) == STATUS_PENDING)
        KeWaitForSingleObject(&done, Executive, KernelMode, FALSE, NULL);
    return Irp->IoStatus.Status;
}

/* PASSIVE_LEVEL: GUID_ACPI_INTERFACE_STANDARD from the ACPI driver below,
 * for RegisterForDeviceNotifications. */
static NTSTATUS CmBattQueryAcpiInterface(PCMBATT_EXTENSION Ext)
{
    KEVENT done;
    PIRP irp = IoAllocateIrp(Ext->Lower->StackSize, FALSE);
    if (!irp)
        return STATUS_INSUFFICIENT_RESOURCES;
    KeInitializeEvent(&done, NotificationEvent, FALSE);
    irp->IoStatus.Status = STATUS_NOT_SUPPORTED; /* docs: PnP IRPs start so */
    PIO_STACK_LOCATION stack = IoGetNextIrpStackLocation(irp);
    stack->MajorFunction = IRP_MJ_PNP;
    stack->MinorFunction = IRP_MN_QUERY_INTERFACE;
    stack->Parameters.QueryInterface.InterfaceType = &GUID_ACPI_INTERFACE_STANDARD;
    stack->Parameters.QueryInterface.Size = sizeof Ext->Acpi;
    stack->Parameters.QueryInterface.Version = 1;
    stack->Parameters.QueryInterface.Interface = (PINTERFACE)&Ext->Acpi;
    stack->Parameters.QueryInterface.InterfaceSpecificData = NULL;
    IoSetCompletionRoutine(irp, CmBattSignal, &done, TRUE, TRUE, TRUE);
    if (IoCallDriver(Ext->Lower, irp) == STATUS_PENDING)
        KeWaitForSingleObject(&done, Executive, KernelMode, FALSE, NULL);
    NTSTATUS status = irp->IoStatus.Status;
    IoFreeIrp(irp);
    if (NT_SUCCESS(status))
        Ext->HaveAcpi = TRUE;
    return status;
}

/* PASSIVE_LEVEL. */
static NTSTATUS CmBattStartBattery(PCMBATT_EXTENSION Ext)
{
    BATTERY_MINIPORT_INFO info;
    NTSTATUS status;
    CmBattLock(Ext);
    CmBattCheckBattery(Ext, FALSE); /* presence unknown is not fatal */
    CmBattUnlock(Ext);
    if (!Ext->ClassHandle) {
        RtlZeroMemory(&info, sizeof info);
        info.MajorVersion = BATTERY_CLASS_MAJOR_VERSION;
        info.MinorVersion = BATTERY_CLASS_MINOR_VERSION;
        info.Context = Ext;
        info.QueryTag = CmBattQueryTag;
        info.QueryInformation = CmBattQueryInformation;
        info.SetInformation = CmBattSetInformation;
        info.QueryStatus = CmBattQueryStatus;
        info.SetStatusNotify = CmBattSetStatusNotify;
        info.DisableStatusNotify = CmBattDisableStatusNotify;
        info.Pdo = Ext->Pdo;
        info.DeviceName = NULL;
        status = BatteryClassInitializeDevice(&info, &Ext->ClassHandle);
        if (!NT_SUCCESS(status))
            return status;
        /* A battery without WMI still works. */
        Ext->WmiRegistered = NT_SUCCESS(IoWMIRegistrationControl(Ext->Fdo, WMIREG_ACTION_REGISTER));
    }
    CmBattListBattery(Ext);
    return STATUS_SUCCESS;
}

/* PASSIVE_LEVEL. */
static NTSTATUS CmBattStart(PCMBATT_EXTENSION Ext)
{
    NTSTATUS status = STATUS_SUCCESS;
    if (!Ext->HaveAcpi) {
        status = CmBattQueryAcpiInterface(Ext);
        if (!NT_SUCCESS(status))
            return status; /* no ACPI below: not a device this driver can run */
    }
    status = Ext->Type == CmBattDeviceBattery ? CmBattStartBattery(Ext) : CmBattAcStart(Ext);
    if (!NT_SUCCESS(status))
        return status;
    if (!Ext->NotifyRegistered) {
        status = Ext->Acpi.RegisterForDeviceNotifications(Ext->Pdo, CmBattNotifyHandler, Ext);
        Ext->NotifyRegistered = NT_SUCCESS(status);
    }
    Ext->Started = TRUE;
    return status;
}

/* PASSIVE_LEVEL, IRP_MN_REMOVE_DEVICE. The order is the rundown: no new
 * Notify (unregistering waits out one running), off the adapter's list,
 * every dispatch in flight drained - and only then battc's class data, the
 * interface and the device go. */
static NTSTATUS CmBattRemove(PCMBATT_EXTENSION Ext, PIRP Irp)
{
    if (Ext->NotifyRegistered) {
        Ext->Acpi.UnregisterForDeviceNotifications(Ext->Pdo, CmBattNotifyHandler);
        Ext->NotifyRegistered = FALSE;
    }
    if (Ext->Type == CmBattDeviceBattery)
        CmBattUnlistBattery(Ext);
    else
        CmBattAcStop(Ext);
    IoReleaseRemoveLockAndWait(&Ext->RemoveLock, Irp);
    if (Ext->WmiRegistered) {
        IoWMIRegistrationControl(Ext->Fdo, WMIREG_ACTION_DEREGISTER);
        Ext->WmiRegistered = FALSE;
    }
    if (Ext->ClassHandle) {
        BatteryClassUnload(Ext->ClassHandle); /* completes battc's waiting IRPs */
        Ext->ClassHandle = NULL;
    }
    if (Ext->HaveAcpi) {
        Ext->Acpi.InterfaceDereference(Ext->Acpi.Context);
        Ext->HaveAcpi = FALSE;
    }
    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoSkipCurrentIrpStackLocation(Irp);
    NTSTATUS status = IoCallDriver(Ext->Lower, Irp);
    IoDetachDevice(Ext->Lower);
    IoDeleteDevice(Ext->Fdo);
    return status;
}

/* PASSIVE_LEVEL. */
static NTSTATUS CmBattDispatchPnp(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PCMBATT_EXTENSION ext = DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    NTSTATUS status = IoAcquireRemoveLock(&ext->RemoveLock, Irp);
    if (!NT_SUCCESS(status))
        return CmBattComplete(Irp, status);

    switch (stack->MinorFunction) {
    case IRP_MN_START_DEVICE:
        status = CmBattForwardAndWait(ext, Irp);
        if (NT_SUCCESS(status))
            status = CmBattStart(ext);
        CmBattComplete(Irp, status);
        break;
    case IRP_MN_REMOVE_DEVICE:
        return CmBattRemove(ext, Irp); /* releases the remove lock itself */
    case IRP_MN_SURPRISE_REMOVAL:
        ext->SurpriseRemoved = TRUE;
        ext->Started = FALSE;
        Irp->IoStatus.Status = STATUS_SUCCESS;
        IoSkipCurrentIrpStackLocation(Irp);
        status = IoCallDriver(ext->Lower, Irp);
        break;
    case IRP_MN_STOP_DEVICE: /* nothing to give back */
    case IRP_MN_QUERY_STOP_DEVICE:
    case IRP_MN_CANCEL_STOP_DEVICE:
    case IRP_MN_QUERY_REMOVE_DEVICE:
    case IRP_MN_CANCEL_REMOVE_DEVICE:
        Irp->IoStatus.Status = STATUS_SUCCESS;
        IoSkipCurrentIrpStackLocation(Irp);
        status = IoCallDriver(ext->Lower, Irp);
        break;
    default:
        IoSkipCurrentIrpStackLocation(Irp);
        status = IoCallDriver(ext->Lower, Irp);
        break;
    }
    IoReleaseRemoveLock(&ext->RemoveLock, Irp);
    return status;
}

/* <= DISPATCH_LEVEL (PASSIVE for this pageable stack). */
static NTSTATUS CmBattDispatchPower(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PCMBATT_EXTENSION ext = DeviceObject->DeviceExtension;
    PoStartNextPowerIrp(Irp);
    IoSkipCurrentIrpStackLocation(Irp);
    return PoCallDriver(ext->Lower, Irp);
}

/* PASSIVE_LEVEL. docs (4.2): battery IOCTLs go to BatteryClassIoctl, whose
 * status is returned unchanged (often STATUS_PENDING); STATUS_NOT_SUPPORTED
 * means not a battery IOCTL: pass the IRP down. */
static NTSTATUS CmBattDispatchDeviceControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PCMBATT_EXTENSION ext = DeviceObject->DeviceExtension;
    NTSTATUS status = IoAcquireRemoveLock(&ext->RemoveLock, Irp);
    if (!NT_SUCCESS(status))
        return CmBattComplete(Irp, status);
    status = STATUS_NOT_SUPPORTED;
    if (ext->Type == CmBattDeviceBattery && ext->ClassHandle)
        status = BatteryClassIoctl(ext->ClassHandle, Irp);
    if (status == STATUS_NOT_SUPPORTED) {
        IoSkipCurrentIrpStackLocation(Irp);
        status = IoCallDriver(ext->Lower, Irp);
    }
    IoReleaseRemoveLock(&ext->RemoveLock, Irp);
    return status;
}

/* PASSIVE_LEVEL: no per-handle state. */
static NTSTATUS CmBattDispatchCreateClose(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    Irp->IoStatus.Information = 0;
    return CmBattComplete(Irp, STATUS_SUCCESS);
}

/* PASSIVE_LEVEL. Every device was removed (and BatteryClassUnload called
 * for each) before the PnP manager unloads the driver. */
static VOID CmBattUnload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    if (CmBattRegistryPath.Buffer)
        ExFreePoolWithTag(CmBattRegistryPath.Buffer, CMBATT_TAG);
    CmBattRegistryPath.Buffer = NULL;
}

/* PASSIVE_LEVEL. */
NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    CmBattAcInitialize();
    /* WMI registration names the service key: keep a copy. */
    CmBattRegistryPath.Length = 0;
    CmBattRegistryPath.MaximumLength = RegistryPath->Length + sizeof(WCHAR);
    CmBattRegistryPath.Buffer =
        ExAllocatePoolWithTag(PagedPool, CmBattRegistryPath.MaximumLength, CMBATT_TAG);
    if (!CmBattRegistryPath.Buffer)
        return STATUS_INSUFFICIENT_RESOURCES;
    RtlCopyUnicodeString(&CmBattRegistryPath, RegistryPath);

    DriverObject->DriverExtension->AddDevice = CmBattAddDevice;
    DriverObject->DriverUnload = CmBattUnload;
    DriverObject->MajorFunction[IRP_MJ_PNP] = CmBattDispatchPnp;
    DriverObject->MajorFunction[IRP_MJ_POWER] = CmBattDispatchPower;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = CmBattDispatchDeviceControl;
    DriverObject->MajorFunction[IRP_MJ_SYSTEM_CONTROL] = CmBattDispatchSystemControl;
    DriverObject->MajorFunction[IRP_MJ_CREATE] = CmBattDispatchCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = CmBattDispatchCreateClose;
    return STATUS_SUCCESS;
}
