/* The emulated ACPI bus driver's entry points: DriverEntry, AddDevice (an
 * FDO over the ACPI_HAL\PNP0C08 root PDO) and the dispatch routines, which
 * route each IRP to the FDO's or a child PDO's handler by the extension's
 * kind. The FDO's work is fdo.c, the children's pdo.c and eval.c. */
#include "acpi.h"

/* PASSIVE_LEVEL. */
static NTSTATUS AcpiAddDevice(PDRIVER_OBJECT DriverObject, PDEVICE_OBJECT PhysicalDeviceObject)
{
    PDEVICE_OBJECT fdo;
    NTSTATUS status =
        IoCreateDevice(DriverObject, sizeof(ACPI_FDO_EXTENSION), NULL, FILE_DEVICE_BUS_EXTENDER,
                       FILE_DEVICE_SECURE_OPEN, FALSE, &fdo);
    if (!NT_SUCCESS(status))
        return status;
    PACPI_FDO_EXTENSION ext = fdo->DeviceExtension;
    RtlZeroMemory(ext, sizeof(*ext));
    ext->Kind = AcpiExtensionFdo;
    ext->Self = fdo;
    ext->Pdo = PhysicalDeviceObject;
    IoInitializeRemoveLock(&ext->RemoveLock, ACPI_TAG, 0, 0);
    KeInitializeSpinLock(&ext->ChildLock);
    InitializeListHead(&ext->Children);
    ext->Lower = IoAttachDeviceToDeviceStack(fdo, PhysicalDeviceObject);
    if (!ext->Lower) {
        IoDeleteDevice(fdo);
        return STATUS_NO_SUCH_DEVICE;
    }
    fdo->Flags |= DO_POWER_PAGABLE;
    fdo->Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
}

static NTSTATUS AcpiComplete(PIRP Irp, NTSTATUS Status)
{
    Irp->IoStatus.Status = Status;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return Status;
}

/* PASSIVE_LEVEL. */
static NTSTATUS AcpiDispatchPnp(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    ACPI_EXTENSION_KIND kind = *(ACPI_EXTENSION_KIND *)DeviceObject->DeviceExtension;
    if (kind == AcpiExtensionFdo)
        return AcpiFdoPnp(DeviceObject->DeviceExtension, Irp);
    return AcpiPdoPnp(DeviceObject->DeviceExtension, Irp);
}

/* <= DISPATCH_LEVEL (power IRPs of a pageable stack arrive at PASSIVE). */
static NTSTATUS AcpiDispatchPower(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    ACPI_EXTENSION_KIND kind = *(ACPI_EXTENSION_KIND *)DeviceObject->DeviceExtension;
    if (kind == AcpiExtensionFdo)
        return AcpiFdoPower(DeviceObject->DeviceExtension, Irp);
    return AcpiPdoPower(DeviceObject->DeviceExtension, Irp);
}

/* PASSIVE_LEVEL: a function driver evaluating its device's methods. */
static NTSTATUS AcpiDispatchDeviceControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    ACPI_EXTENSION_KIND kind = *(ACPI_EXTENSION_KIND *)DeviceObject->DeviceExtension;
    if (kind == AcpiExtensionFdo)
        return AcpiFdoPassDown(DeviceObject->DeviceExtension, Irp);
    return AcpiPdoDeviceControl(DeviceObject->DeviceExtension, Irp);
}

/* PASSIVE_LEVEL. docs: a bus driver that is not a WMI provider passes the
 * IRP down from its FDO and completes it unchanged on its PDOs. */
static NTSTATUS AcpiDispatchSystemControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    ACPI_EXTENSION_KIND kind = *(ACPI_EXTENSION_KIND *)DeviceObject->DeviceExtension;
    if (kind == AcpiExtensionFdo)
        return AcpiFdoPassDown(DeviceObject->DeviceExtension, Irp);
    return AcpiComplete(Irp, Irp->IoStatus.Status);
}

/* PASSIVE_LEVEL: opening the bus or a child needs nothing. */
static NTSTATUS AcpiDispatchCreateClose(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    Irp->IoStatus.Information = 0;
    return AcpiComplete(Irp, STATUS_SUCCESS);
}

/* PASSIVE_LEVEL: every device is gone by now (the PnP manager removed
 * them), and nothing else is held driver-wide. */
static VOID AcpiUnload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
}

/* PASSIVE_LEVEL. */
NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    DriverObject->DriverExtension->AddDevice = AcpiAddDevice;
    DriverObject->DriverUnload = AcpiUnload;
    DriverObject->MajorFunction[IRP_MJ_PNP] = AcpiDispatchPnp;
    DriverObject->MajorFunction[IRP_MJ_POWER] = AcpiDispatchPower;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = AcpiDispatchDeviceControl;
    DriverObject->MajorFunction[IRP_MJ_SYSTEM_CONTROL] = AcpiDispatchSystemControl;
    DriverObject->MajorFunction[IRP_MJ_CREATE] = AcpiDispatchCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = AcpiDispatchCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLEANUP] = AcpiDispatchCreateClose;
    return STATUS_SUCCESS;
}
