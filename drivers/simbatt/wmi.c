/* simbatt's WMI: IRP_MJ_SYSTEM_CONTROL goes to BatteryClassSystemControl
 * (docs: instead of WmiSystemControl), which answers the standard battery
 * blocks; simbatt registers no block of its own. */
#include "simbatt_private.h"

/* PASSIVE_LEVEL, from AddDevice. Only the two callbacks battc needs. */
void SimBattInitWmi(PSIMBATT_EXTENSION Ext)
{
    RtlZeroMemory(&Ext->WmiLib, sizeof(Ext->WmiLib));
    Ext->WmiLib.GuidCount = 0;
    Ext->WmiLib.GuidList = NULL;
    Ext->WmiLib.QueryWmiRegInfo = SimBattQueryWmiRegInfo;
    Ext->WmiLib.QueryWmiDataBlock = SimBattQueryWmiDataBlock;
}

/* PASSIVE_LEVEL. Instance names come from the PDO; never completes the
 * IRP (docs). */
NTSTATUS SimBattQueryWmiRegInfo(PDEVICE_OBJECT DeviceObject, PULONG RegFlags,
                                PUNICODE_STRING InstanceName, PUNICODE_STRING *RegistryPath,
                                PUNICODE_STRING MofResourceName, PDEVICE_OBJECT *Pdo)
{
    PSIMBATT_EXTENSION ext = DeviceObject->DeviceExtension;

    UNREFERENCED_PARAMETER(InstanceName);
    UNREFERENCED_PARAMETER(MofResourceName);
    *RegFlags = WMIREG_FLAG_INSTANCE_PDO;
    *RegistryPath = &SimBattRegistryPath;
    *Pdo = ext->Pdo;
    return STATUS_SUCCESS;
}

/* PASSIVE_LEVEL. docs: battc first; anything but STATUS_WMI_GUID_NOT_FOUND
 * means it completed the IRP. simbatt owns no block, so the rest is
 * completed as not found. */
NTSTATUS SimBattQueryWmiDataBlock(PDEVICE_OBJECT DeviceObject, PIRP Irp, ULONG GuidIndex,
                                  ULONG InstanceIndex, ULONG InstanceCount,
                                  PULONG InstanceLengthArray, ULONG BufferAvail, PUCHAR Buffer)
{
    PSIMBATT_EXTENSION ext = DeviceObject->DeviceExtension;
    NTSTATUS status = STATUS_WMI_GUID_NOT_FOUND;

    UNREFERENCED_PARAMETER(InstanceIndex);
    UNREFERENCED_PARAMETER(InstanceCount);
    if (ext->ClassHandle != NULL)
        status = BatteryClassQueryWmiDataBlock(ext->ClassHandle, DeviceObject, Irp, GuidIndex,
                                               InstanceLengthArray, BufferAvail, Buffer);
    if (status != STATUS_WMI_GUID_NOT_FOUND)
        return status;
    return WmiCompleteRequest(DeviceObject, Irp, STATUS_WMI_GUID_NOT_FOUND, 0, IO_NO_INCREMENT);
}

/* PASSIVE_LEVEL, the remove lock held by the caller. The disposition is
 * preset to "forward" so a class driver that leaves it alone (pitfall
 * 10.1) still gets the IRP to the PDO. */
NTSTATUS SimBattSystemControl(PSIMBATT_EXTENSION Ext, PIRP Irp)
{
    SYSCTL_IRP_DISPOSITION disposition = IrpForward;
    NTSTATUS status = STATUS_NOT_SUPPORTED;

    if (Ext->ClassHandle != NULL)
        status =
            BatteryClassSystemControl(Ext->ClassHandle, &Ext->WmiLib, Ext->Fdo, Irp, &disposition);
    switch (disposition) {
    case IrpProcessed:
        break; /* a DpWmiXxx routine or battc completed it */
    case IrpNotCompleted:
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        break;
    case IrpNotWmi:
    case IrpForward:
    default:
        IoSkipCurrentIrpStackLocation(Irp);
        status = IoCallDriver(Ext->LowerDevice, Irp);
        break;
    }
    return status;
}
