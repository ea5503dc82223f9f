/* A driver calling a routine battkit's host does not provide: building it
 * must fail at link time and name the routine. */
#include <ntddk.h>

NTKERNELAPI NTSTATUS NTAPI IoRoutineBattkitDoesNotHave(PDEVICE_OBJECT DeviceObject);
DRIVER_INITIALIZE DriverEntry;

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    return IoRoutineBattkitDoesNotHave(DriverObject->DeviceObject);
}
