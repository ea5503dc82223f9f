/* A small WDM function driver that is a WMI provider through WMILIB, as the
 * WDK samples are: it registers in IRP_MN_START_DEVICE with static names
 * from its PDO, answers one data block, fires one event block when asked
 * (IOCTL_WMIPROV_FIRE, only while enabled) and deregisters on removal.
 * Built with battkit_add_driver; the WMI tests start it as a root device. */
#include <initguid.h>
#include <ntddk.h>
#include <wmilib.h>

#include "wmiprov.h"

#define WMIPROV_TAG 'vPmW'

typedef struct _FDO_EXTENSION {
    PDEVICE_OBJECT Self;
    PDEVICE_OBJECT Pdo;
    PDEVICE_OBJECT Lower;
    UNICODE_STRING Interface;
    WMILIB_CONTEXT WmiLib;
    KSPIN_LOCK Lock;
    ULONG Queries;
    BOOLEAN EventsEnabled;
    BOOLEAN Registered;
} FDO_EXTENSION, *PFDO_EXTENSION;

static WMIGUIDREGINFO WmiProvGuids[] = {
    {&GUID_WMIPROV_DATA, 1, 0},
    {&GUID_WMIPROV_EVENT, 1, WMIREG_FLAG_EVENT_ONLY_GUID},
};
#define WMIPROV_DATA_INDEX  0
#define WMIPROV_EVENT_INDEX 1

static UNICODE_STRING WmiProvRegistryPath;

DRIVER_INITIALIZE DriverEntry;
static DRIVER_ADD_DEVICE WmiProvAddDevice;
static DRIVER_UNLOAD WmiProvUnload;
static DRIVER_DISPATCH WmiProvCreateClose, WmiProvIoctl, WmiProvPnp, WmiProvPower,
    WmiProvSystemControl;

/* PASSIVE_LEVEL. Static instance names from the PDO ("<path>_0"). */
static NTSTATUS WmiProvQueryRegInfo(PDEVICE_OBJECT DeviceObject, PULONG RegFlags,
                                    PUNICODE_STRING InstanceName, PUNICODE_STRING *RegistryPath,
                                    PUNICODE_STRING MofResourceName, PDEVICE_OBJECT *Pdo)
{
    PFDO_EXTENSION fdo = DeviceObject->DeviceExtension;
    UNREFERENCED_PARAMETER(InstanceName);
    UNREFERENCED_PARAMETER(MofResourceName);
    *RegFlags = WMIREG_FLAG_INSTANCE_PDO;
    *RegistryPath = &WmiProvRegistryPath;
    *Pdo = fdo->Pdo;
    return STATUS_SUCCESS;
}

/* PASSIVE_LEVEL. */
static NTSTATUS WmiProvQueryDataBlock(PDEVICE_OBJECT DeviceObject, PIRP Irp, ULONG GuidIndex,
                                      ULONG InstanceIndex, ULONG InstanceCount,
                                      PULONG InstanceLengthArray, ULONG BufferAvail, PUCHAR Buffer)
{
    PFDO_EXTENSION fdo = DeviceObject->DeviceExtension;
    WMIPROV_DATA data;
    KIRQL irql;

    if (GuidIndex != WMIPROV_DATA_INDEX || InstanceIndex != 0 || InstanceCount != 1)
        return WmiCompleteRequest(DeviceObject, Irp, STATUS_WMI_INSTANCE_NOT_FOUND, 0,
                                  IO_NO_INCREMENT);
    if (!InstanceLengthArray || BufferAvail < sizeof data)
        return WmiCompleteRequest(DeviceObject, Irp, STATUS_BUFFER_TOO_SMALL, sizeof data,
                                  IO_NO_INCREMENT);
    KeAcquireSpinLock(&fdo->Lock, &irql);
    data.Magic = WMIPROV_MAGIC;
    data.Queries = ++fdo->Queries;
    data.EventsEnabled = fdo->EventsEnabled;
    KeReleaseSpinLock(&fdo->Lock, irql);
    RtlCopyMemory(Buffer, &data, sizeof data);
    InstanceLengthArray[0] = sizeof data;
    return WmiCompleteRequest(DeviceObject, Irp, STATUS_SUCCESS, sizeof data, IO_NO_INCREMENT);
}

/* PASSIVE_LEVEL. */
static NTSTATUS WmiProvFunctionControl(PDEVICE_OBJECT DeviceObject, PIRP Irp, ULONG GuidIndex,
                                       WMIENABLEDISABLECONTROL Function, BOOLEAN Enable)
{
    PFDO_EXTENSION fdo = DeviceObject->DeviceExtension;
    KIRQL irql;

    if (GuidIndex == WMIPROV_EVENT_INDEX && Function == WmiEventControl) {
        KeAcquireSpinLock(&fdo->Lock, &irql);
        fdo->EventsEnabled = Enable;
        KeReleaseSpinLock(&fdo->Lock, irql);
    }
    return WmiCompleteRequest(DeviceObject, Irp, STATUS_SUCCESS, 0, IO_NO_INCREMENT);
}

static NTSTATUS WmiProvAddDevice(PDRIVER_OBJECT DriverObject, PDEVICE_OBJECT Pdo)
{
    PDEVICE_OBJECT self;
    PFDO_EXTENSION fdo;
    NTSTATUS status;

    status = IoCreateDevice(DriverObject, sizeof(FDO_EXTENSION), NULL, FILE_DEVICE_UNKNOWN,
                            FILE_DEVICE_SECURE_OPEN, FALSE, &self);
    if (!NT_SUCCESS(status))
        return status;
    fdo = self->DeviceExtension;
    RtlZeroMemory(fdo, sizeof *fdo);
    fdo->Self = self;
    fdo->Pdo = Pdo;
    KeInitializeSpinLock(&fdo->Lock);
    fdo->WmiLib.GuidCount = RTL_NUMBER_OF(WmiProvGuids);
    fdo->WmiLib.GuidList = WmiProvGuids;
    fdo->WmiLib.QueryWmiRegInfo = WmiProvQueryRegInfo;
    fdo->WmiLib.QueryWmiDataBlock = WmiProvQueryDataBlock;
    fdo->WmiLib.WmiFunctionControl = WmiProvFunctionControl;
    status = IoRegisterDeviceInterface(Pdo, &GUID_WMIPROV_INTERFACE, NULL, &fdo->Interface);
    if (!NT_SUCCESS(status))
        goto fail_delete;
    fdo->Lower = IoAttachDeviceToDeviceStack(self, Pdo);
    if (!fdo->Lower) {
        status = STATUS_NO_SUCH_DEVICE;
        goto fail_interface;
    }
    self->Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;

fail_interface:
    RtlFreeUnicodeString(&fdo->Interface);
fail_delete:
    IoDeleteDevice(self);
    return status;
}

static NTSTATUS WmiProvCreateClose(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    Irp->IoStatus.Status = STATUS_SUCCESS;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

/* IOCTL_WMIPROV_FIRE: docs (WmiFireEvent): only while the event is enabled;
 * EventData is pool WMI frees. */
static NTSTATUS WmiProvIoctl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PFDO_EXTENSION fdo = DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    NTSTATUS status = STATUS_INVALID_DEVICE_REQUEST;

    if (stack->Parameters.DeviceIoControl.IoControlCode == IOCTL_WMIPROV_FIRE) {
        if (stack->Parameters.DeviceIoControl.InputBufferLength < sizeof(ULONG)) {
            status = STATUS_BUFFER_TOO_SMALL;
        } else if (!fdo->EventsEnabled) {
            status = STATUS_DEVICE_NOT_READY; /* nobody asked for it */
        } else {
            PULONG data = ExAllocatePoolWithTag(NonPagedPoolNx, sizeof(ULONG), WMIPROV_TAG);
            if (!data) {
                status = STATUS_INSUFFICIENT_RESOURCES;
            } else {
                *data = *(PULONG)Irp->AssociatedIrp.SystemBuffer;
                status = WmiFireEvent(DeviceObject, &GUID_WMIPROV_EVENT, 0, sizeof(ULONG), data);
            }
        }
    }
    Irp->IoStatus.Status = status;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return status;
}

static NTSTATUS WmiProvStartCompletion(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    UNREFERENCED_PARAMETER(Irp);
    KeSetEvent((PKEVENT)Context, IO_NO_INCREMENT, FALSE);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

static NTSTATUS WmiProvPnp(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PFDO_EXTENSION fdo = DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    NTSTATUS status;
    KEVENT event;

    switch (stack->MinorFunction) {
    case IRP_MN_START_DEVICE:
        /* The bus starts first; then the function driver. */
        KeInitializeEvent(&event, NotificationEvent, FALSE);
        IoCopyCurrentIrpStackLocationToNext(Irp);
        IoSetCompletionRoutine(Irp, WmiProvStartCompletion, &event, TRUE, TRUE, TRUE);
        status = IoCallDriver(fdo->Lower, Irp);
        if (status == STATUS_PENDING)
            KeWaitForSingleObject(&event, Executive, KernelMode, FALSE, NULL);
        status = Irp->IoStatus.Status;
        if (NT_SUCCESS(status)) {
            IoSetDeviceInterfaceState(&fdo->Interface, TRUE);
            status = IoWMIRegistrationControl(DeviceObject, WMIREG_ACTION_REGISTER);
            fdo->Registered = NT_SUCCESS(status);
        }
        Irp->IoStatus.Status = status;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return status;
    case IRP_MN_SURPRISE_REMOVAL:
        /* docs: deregister here, and not again on REMOVE_DEVICE. */
        if (fdo->Registered)
            IoWMIRegistrationControl(DeviceObject, WMIREG_ACTION_DEREGISTER);
        fdo->Registered = FALSE;
        IoSetDeviceInterfaceState(&fdo->Interface, FALSE);
        Irp->IoStatus.Status = STATUS_SUCCESS;
        break;
    case IRP_MN_REMOVE_DEVICE:
        if (fdo->Registered)
            IoWMIRegistrationControl(DeviceObject, WMIREG_ACTION_DEREGISTER);
        fdo->Registered = FALSE;
        IoSetDeviceInterfaceState(&fdo->Interface, FALSE);
        Irp->IoStatus.Status = STATUS_SUCCESS;
        IoSkipCurrentIrpStackLocation(Irp);
        status = IoCallDriver(fdo->Lower, Irp);
        RtlFreeUnicodeString(&fdo->Interface);
        IoDetachDevice(fdo->Lower);
        IoDeleteDevice(DeviceObject);
        return status;
    case IRP_MN_QUERY_REMOVE_DEVICE:
    case IRP_MN_CANCEL_REMOVE_DEVICE:
    case IRP_MN_QUERY_STOP_DEVICE:
    case IRP_MN_CANCEL_STOP_DEVICE:
    case IRP_MN_STOP_DEVICE:
        Irp->IoStatus.Status = STATUS_SUCCESS;
        break;
    default:
        break;
    }
    IoSkipCurrentIrpStackLocation(Irp);
    return IoCallDriver(fdo->Lower, Irp);
}

static NTSTATUS WmiProvPower(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PFDO_EXTENSION fdo = DeviceObject->DeviceExtension;
    PoStartNextPowerIrp(Irp);
    IoSkipCurrentIrpStackLocation(Irp);
    return PoCallDriver(fdo->Lower, Irp);
}

/* PASSIVE_LEVEL. The WDK samples' IRP_MJ_SYSTEM_CONTROL. */
static NTSTATUS WmiProvSystemControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PFDO_EXTENSION fdo = DeviceObject->DeviceExtension;
    SYSCTL_IRP_DISPOSITION disposition;
    NTSTATUS status = WmiSystemControl(&fdo->WmiLib, DeviceObject, Irp, &disposition);

    switch (disposition) {
    case IrpProcessed:
        break;
    case IrpNotCompleted:
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        break;
    case IrpForward:
    case IrpNotWmi:
    default:
        IoSkipCurrentIrpStackLocation(Irp);
        status = IoCallDriver(fdo->Lower, Irp);
        break;
    }
    return status;
}

static void WmiProvUnload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    RtlFreeUnicodeString(&WmiProvRegistryPath);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    WmiProvRegistryPath.MaximumLength = RegistryPath->Length + sizeof(WCHAR);
    WmiProvRegistryPath.Length = RegistryPath->Length;
    WmiProvRegistryPath.Buffer =
        ExAllocatePoolWithTag(PagedPool, WmiProvRegistryPath.MaximumLength, WMIPROV_TAG);
    if (!WmiProvRegistryPath.Buffer)
        return STATUS_INSUFFICIENT_RESOURCES;
    RtlCopyMemory(WmiProvRegistryPath.Buffer, RegistryPath->Buffer, RegistryPath->Length);
    DriverObject->MajorFunction[IRP_MJ_CREATE] = WmiProvCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = WmiProvCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLEANUP] = WmiProvCreateClose;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = WmiProvIoctl;
    DriverObject->MajorFunction[IRP_MJ_PNP] = WmiProvPnp;
    DriverObject->MajorFunction[IRP_MJ_POWER] = WmiProvPower;
    DriverObject->MajorFunction[IRP_MJ_SYSTEM_CONTROL] = WmiProvSystemControl;
    DriverObject->DriverExtension->AddDevice = WmiProvAddDevice;
    DriverObject->DriverUnload = WmiProvUnload;
    return STATUS_SUCCESS;
}
