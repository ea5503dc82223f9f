/* cmbatt's WMI: IRP_MJ_SYSTEM_CONTROL goes to BatteryClassSystemControl
 * (docs: instead of WmiSystemControl), and QueryWmiDataBlock asks
 * BatteryClassQueryWmiDataBlock first, so battc answers the standard
 * battery blocks. cmbatt registers no block of its own. */
#include "cmbatt.h"

/* PASSIVE_LEVEL. Instance names come from the PDO; never completes the
 * IRP (docs). */
static NTSTATUS CmBattQueryWmiRegInfo(PDEVICE_OBJECT DeviceObject, PULONG RegFlags,
                                      PUNICODE_STRING InstanceName, PUNICODE_STRING *RegistryPath,
                                      PUNICODE_STRING MofResourceName, PDEVICE_OBJECT *Pdo)
{
    PCMBATT_EXTENSION ext = DeviceObject->DeviceExtension;
    UNREFERENCED_PARAMETER(InstanceName);
    UNREFERENCED_PARAMETER(MofResourceName);
    *RegFlags = WMIREG_FLAG_INSTANCE_PDO;
    *RegistryPath = &CmBattRegistryPath;
    *Pdo = ext->Pdo;
    return STATUS_SUCCESS;
}

/* PASSIVE_LEVEL. docs: battc first; anything but STATUS_WMI_GUID_NOT_FOUND
 * means it completed the IRP. */
static NTSTATUS CmBattQueryWmiDataBlock(PDEVICE_OBJECT DeviceObject, PIRP Irp, ULONG GuidIndex,
                                        ULONG InstanceIndex, ULONG InstanceCount,
                                        PULONG InstanceLengthArray, ULONG BufferAvail,
                                        PUCHAR Buffer)
{
    PCMBATT_EXTENSION ext = DeviceObject->DeviceExtension;
    NTSTATUS status = STATUS_WMI_GUID_NOT_FOUND;
    UNREFERENCED_PARAMETER(InstanceIndex);
    UNREFERENCED_PARAMETER(InstanceCount);
    if (ext->ClassHandle)
        status = BatteryClassQueryWmiDataBlock(ext->ClassHandle, DeviceObject, Irp, GuidIndex,
                                               InstanceLengthArray, BufferAvail, Buffer);
    if (status != STATUS_WMI_GUID_NOT_FOUND)
        return status;
    return WmiCompleteRequest(DeviceObject, Irp, STATUS_WMI_GUID_NOT_FOUND, 0, IO_NO_INCREMENT);
}

/* PASSIVE_LEVEL, AddDevice. */
VOID CmBattWmiInitialize(PCMBATT_EXTENSION Ext)
{
    RtlZeroMemory(&Ext->WmiLib, sizeof Ext->WmiLib);
    Ext->WmiLib.QueryWmiRegInfo = CmBattQueryWmiRegInfo;
    Ext->WmiLib.QueryWmiDataBlock = CmBattQueryWmiDataBlock;
}

/* PASSIVE_LEVEL. The disposition starts as "forward" so an IRP battc
 * leaves alone still reaches the PDO. The AC adapter is no WMI provider. */
NTSTATUS CmBattDispatchSystemControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PCMBATT_EXTENSION ext = DeviceObject->DeviceExtension;
    SYSCTL_IRP_DISPOSITION disposition = IrpForward;
    NTSTATUS status = IoAcquireRemoveLock(&ext->RemoveLock, Irp);
    if (!NT_SUCCESS(status)) {
        Irp->IoStatus.Status = status;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return status;
    }
    if (ext->Type == CmBattDeviceBattery && ext->ClassHandle)
        status = BatteryClassSystemControl(ext->ClassHandle, &ext->WmiLib, DeviceObject, Irp,
                                           &disposition);
    switch (disposition) {
    case IrpProcessed:
        break;
    case IrpNotCompleted:
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        break;
    case IrpNotWmi:
    case IrpForward:
    default:
        IoSkipCurrentIrpStackLocation(Irp);
        status = IoCallDriver(ext->Lower, Irp);
        break;
    }
    IoReleaseRemoveLock(&ext->RemoveLock, Irp);
    return status;
}
