/* I/O manager start and stop, and what every host-made driver object shares
 * (the loader's, the PnP root bus's, the platform's). */
#include "../private.h"

void io_init(void) {}

void io_shutdown(void)
{
    ob_symbolic_links_shutdown();
    ob_callbacks_shutdown();
}

/* The I/O manager's default for a major function a driver does not handle. */
NTSTATUS io_invalid_device_request(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    Irp->IoStatus.Status = STATUS_INVALID_DEVICE_REQUEST;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_INVALID_DEVICE_REQUEST;
}

void io_init_driver_object(PDRIVER_OBJECT driver, PDRIVER_EXTENSION extension, PCWSTR name)
{
    memset(driver, 0, sizeof(*driver));
    memset(extension, 0, sizeof(*extension));
    driver->Type = IO_TYPE_DRIVER;
    driver->Size = sizeof(*driver);
    driver->DriverExtension = extension;
    extension->DriverObject = driver;
    if (name)
        RtlInitUnicodeString(&driver->DriverName, name);
    for (int i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; i++)
        driver->MajorFunction[i] = io_invalid_device_request;
}
