/* battc_testmini's WMI, as the WDK asks of a miniclass: one block of its
 * own (GuidIndex 0), BatteryClassSystemControl instead of WmiSystemControl,
 * and BatteryClassQueryWmiDataBlock called first for every query. */
#include "testmini.h"

/* A value BatteryClassSystemControl must overwrite (pitfall 1). */
#define TESTMINI_DISPOSITION_UNSET ((SYSCTL_IRP_DISPOSITION)0x5A5A)

/* PASSIVE_LEVEL. Instances named after the PDO; never completes the IRP. */
static NTSTATUS TestMiniQueryWmiRegInfo(PDEVICE_OBJECT DeviceObject, PULONG RegFlags,
                                        PUNICODE_STRING InstanceName, PUNICODE_STRING *RegistryPath,
                                        PUNICODE_STRING MofResourceName, PDEVICE_OBJECT *Pdo)
{
    PTESTMINI_EXTENSION ext = DeviceObject->DeviceExtension;

    UNREFERENCED_PARAMETER(InstanceName);
    UNREFERENCED_PARAMETER(MofResourceName);
    *RegFlags = WMIREG_FLAG_INSTANCE_PDO;
    *RegistryPath = &TestMiniRegistryPath;
    *Pdo = ext->Pdo;
    return STATUS_SUCCESS;
}

/* PASSIVE_LEVEL. docs: battc first; on STATUS_WMI_GUID_NOT_FOUND the block
 * is the miniclass's own. */
static NTSTATUS TestMiniQueryWmiDataBlock(PDEVICE_OBJECT DeviceObject, PIRP Irp, ULONG GuidIndex,
                                          ULONG InstanceIndex, ULONG InstanceCount,
                                          PULONG InstanceLengthArray, ULONG BufferAvail,
                                          PUCHAR Buffer)
{
    PTESTMINI_EXTENSION ext = DeviceObject->DeviceExtension;
    ULONG value = TESTMINI_OWN_BLOCK_VALUE;
    NTSTATUS status;

    UNREFERENCED_PARAMETER(InstanceIndex);
    UNREFERENCED_PARAMETER(InstanceCount);
    status = BatteryClassQueryWmiDataBlock(ext->ClassHandle, DeviceObject, Irp, GuidIndex,
                                           InstanceLengthArray, BufferAvail, Buffer);
    if (status != STATUS_WMI_GUID_NOT_FOUND)
        return status;
    if (GuidIndex == 0)
        ext->Counters.OwnBlockStatus = status;
    if (GuidIndex != 0)
        return WmiCompleteRequest(DeviceObject, Irp, STATUS_WMI_GUID_NOT_FOUND, 0, IO_NO_INCREMENT);
    if (!InstanceLengthArray || BufferAvail < sizeof(value))
        return WmiCompleteRequest(DeviceObject, Irp, STATUS_BUFFER_TOO_SMALL, sizeof(value),
                                  IO_NO_INCREMENT);
    RtlCopyMemory(Buffer, &value, sizeof(value));
    InstanceLengthArray[0] = sizeof(value);
    return WmiCompleteRequest(DeviceObject, Irp, STATUS_SUCCESS, sizeof(value), IO_NO_INCREMENT);
}

/* PASSIVE_LEVEL (AddDevice). */
void TestMiniWmiInit(PTESTMINI_EXTENSION Ext)
{
    Ext->WmiGuids[0].Guid = &TESTMINI_OWN_WMI_GUID;
    Ext->WmiGuids[0].InstanceCount = 1;
    Ext->WmiGuids[0].Flags = 0;
    Ext->WmiLib.GuidCount = 1;
    Ext->WmiLib.GuidList = Ext->WmiGuids;
    Ext->WmiLib.QueryWmiRegInfo = TestMiniQueryWmiRegInfo;
    Ext->WmiLib.QueryWmiDataBlock = TestMiniQueryWmiDataBlock;
}

/* PASSIVE_LEVEL. docs (DispatchSystemControl): BatteryClassSystemControl,
 * then act on the disposition as for WmiSystemControl. */
NTSTATUS TestMiniSystemControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PTESTMINI_EXTENSION ext = DeviceObject->DeviceExtension;
    SYSCTL_IRP_DISPOSITION disposition = TESTMINI_DISPOSITION_UNSET;
    NTSTATUS status;

    if (!ext->ClassHandle) {
        IoSkipCurrentIrpStackLocation(Irp);
        return IoCallDriver(ext->Lower, Irp);
    }
    status =
        BatteryClassSystemControl(ext->ClassHandle, &ext->WmiLib, DeviceObject, Irp, &disposition);
    switch (disposition) {
    case IrpProcessed:
        break;
    case IrpNotCompleted:
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        break;
    case IrpNotWmi:
    case IrpForward:
        IoSkipCurrentIrpStackLocation(Irp);
        status = IoCallDriver(ext->Lower, Irp);
        break;
    default:
        /* Left unset: count it, and do what a careful driver would. */
        ext->Counters.DispositionUnset++;
        IoSkipCurrentIrpStackLocation(Irp);
        status = IoCallDriver(ext->Lower, Irp);
        break;
    }
    return status;
}
