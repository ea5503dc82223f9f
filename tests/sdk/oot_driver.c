/* An out-of-tree driver, as a driver author would write it: built by the
 * test with battkit-driver-cc from a copy outside the source tree. It makes
 * a named device in DriverEntry and answers one IOCTL with a doubled ULONG. */
#include <ntddk.h>

#define IOCTL_OOT_DOUBLE CTL_CODE(FILE_DEVICE_UNKNOWN, 0x800, METHOD_BUFFERED, FILE_READ_ACCESS)

DRIVER_INITIALIZE DriverEntry;
static DRIVER_UNLOAD OotUnload;
static DRIVER_DISPATCH OotCreateClose;
static DRIVER_DISPATCH OotDeviceControl;

static NTSTATUS OotCreateClose(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    Irp->IoStatus.Status = STATUS_SUCCESS;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

static NTSTATUS OotDeviceControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    NTSTATUS status = STATUS_INVALID_DEVICE_REQUEST;
    UNREFERENCED_PARAMETER(DeviceObject);
    Irp->IoStatus.Information = 0;
    if (stack->Parameters.DeviceIoControl.IoControlCode == IOCTL_OOT_DOUBLE) {
        if (stack->Parameters.DeviceIoControl.InputBufferLength < sizeof(ULONG) ||
            stack->Parameters.DeviceIoControl.OutputBufferLength < sizeof(ULONG)) {
            status = STATUS_BUFFER_TOO_SMALL;
        } else {
            PULONG value = Irp->AssociatedIrp.SystemBuffer;
            *value *= 2;
            Irp->IoStatus.Information = sizeof(ULONG);
            status = STATUS_SUCCESS;
        }
    }
    Irp->IoStatus.Status = status;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return status;
}

static void OotUnload(PDRIVER_OBJECT DriverObject)
{
    if (DriverObject->DeviceObject)
        IoDeleteDevice(DriverObject->DeviceObject);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNICODE_STRING name = RTL_CONSTANT_STRING(L"\\Device\\OotTest");
    PDEVICE_OBJECT device;
    NTSTATUS status;
    UNREFERENCED_PARAMETER(RegistryPath);
    DriverObject->DriverUnload = OotUnload;
    DriverObject->MajorFunction[IRP_MJ_CREATE] = OotCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = OotCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLEANUP] = OotCreateClose;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = OotDeviceControl;
    status = IoCreateDevice(DriverObject, 0, &name, FILE_DEVICE_UNKNOWN, 0, FALSE, &device);
    if (!NT_SUCCESS(status))
        return status;
    device->Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
}
