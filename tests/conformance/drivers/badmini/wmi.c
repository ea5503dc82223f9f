/* badmini's two DpWmiXxx callbacks: PDO-based instance names, and data-block
 * queries handed to battc first (it answers the standard battery blocks). */
#include "badmini.h"

/* PASSIVE_LEVEL. Never completes the IRP (docs). */
NTSTATUS BadMiniQueryWmiRegInfo(PDEVICE_OBJECT DeviceObject, PULONG RegFlags,
                                PUNICODE_STRING InstanceName, PUNICODE_STRING *RegistryPath,
                                PUNICODE_STRING MofResourceName, PDEVICE_OBJECT *Pdo)
{
    PBADMINI_EXTENSION ext = DeviceObject->DeviceExtension;

    UNREFERENCED_PARAMETER(InstanceName);
    UNREFERENCED_PARAMETER(MofResourceName);
    *RegFlags = WMIREG_FLAG_INSTANCE_PDO;
    *RegistryPath = &BadMiniRegistryPath;
    *Pdo = ext->Pdo;
    return STATUS_SUCCESS;
}

/* PASSIVE_LEVEL. docs: any status from battc but GUID-not-found means it
 * completed the IRP; badmini has no blocks of its own. */
NTSTATUS BadMiniQueryWmiDataBlock(PDEVICE_OBJECT DeviceObject, PIRP Irp, ULONG GuidIndex,
                                  ULONG InstanceIndex, ULONG InstanceCount,
                                  PULONG InstanceLengthArray, ULONG BufferAvail, PUCHAR Buffer)
{
    PBADMINI_EXTENSION ext = DeviceObject->DeviceExtension;
    NTSTATUS status;

    UNREFERENCED_PARAMETER(InstanceIndex);
    UNREFERENCED_PARAMETER(InstanceCount);
    status = BatteryClassQueryWmiDataBlock(ext->ClassHandle, DeviceObject, Irp, GuidIndex,
                                           InstanceLengthArray, BufferAvail, Buffer);
    if (status != STATUS_WMI_GUID_NOT_FOUND)
        return status;
    return WmiCompleteRequest(DeviceObject, Irp, STATUS_WMI_GUID_NOT_FOUND, 0, IO_NO_INCREMENT);
}
