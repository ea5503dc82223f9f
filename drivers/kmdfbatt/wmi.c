/* kmdfbatt's WMI: IRP_MJ_SYSTEM_CONTROL goes to BatteryClassSystemControl
 * from a preprocess callback (docs: instead of WmiSystemControl); battc
 * answers the standard battery blocks, the driver registers none of its
 * own. What battc leaves goes back to the framework, which passes WMI
 * down the stack. */
#include "kmdfbatt.h"

static WMI_QUERY_REGINFO_CALLBACK KmdfBattQueryWmiRegInfo;
static WMI_QUERY_DATABLOCK_CALLBACK KmdfBattQueryWmiDataBlock;

void KmdfBattInitWmi(PKMDFBATT_CONTEXT Ctx)
{
    RtlZeroMemory(&Ctx->WmiLib, sizeof(Ctx->WmiLib));
    Ctx->WmiLib.QueryWmiRegInfo = KmdfBattQueryWmiRegInfo;
    Ctx->WmiLib.QueryWmiDataBlock = KmdfBattQueryWmiDataBlock;
}

/* PASSIVE_LEVEL. Instance names come from the PDO. */
static NTSTATUS KmdfBattQueryWmiRegInfo(PDEVICE_OBJECT DeviceObject, PULONG RegFlags,
                                        PUNICODE_STRING InstanceName, PUNICODE_STRING *RegistryPath,
                                        PUNICODE_STRING MofResourceName, PDEVICE_OBJECT *Pdo)
{
    WDFDEVICE device = WdfWdmDeviceGetWdfDeviceHandle(DeviceObject);
    PKMDFBATT_CONTEXT ctx = KmdfBattGetContext(device);

    UNREFERENCED_PARAMETER(InstanceName);
    UNREFERENCED_PARAMETER(MofResourceName);
    *RegFlags = WMIREG_FLAG_INSTANCE_PDO;
    *RegistryPath = &ctx->RegistryPath;
    *Pdo = WdfDeviceWdmGetPhysicalDevice(device);
    return STATUS_SUCCESS;
}

/* PASSIVE_LEVEL. docs: battc first; STATUS_WMI_GUID_NOT_FOUND means it
 * did not complete the IRP. */
static NTSTATUS KmdfBattQueryWmiDataBlock(PDEVICE_OBJECT DeviceObject, PIRP Irp, ULONG GuidIndex,
                                          ULONG InstanceIndex, ULONG InstanceCount,
                                          PULONG InstanceLengthArray, ULONG BufferAvail,
                                          PUCHAR Buffer)
{
    PKMDFBATT_CONTEXT ctx = KmdfBattGetContext(WdfWdmDeviceGetWdfDeviceHandle(DeviceObject));
    NTSTATUS status = STATUS_WMI_GUID_NOT_FOUND;

    UNREFERENCED_PARAMETER(InstanceIndex);
    UNREFERENCED_PARAMETER(InstanceCount);
    if (ctx->ClassHandle != NULL)
        status = BatteryClassQueryWmiDataBlock(ctx->ClassHandle, DeviceObject, Irp, GuidIndex,
                                               InstanceLengthArray, BufferAvail, Buffer);
    if (status != STATUS_WMI_GUID_NOT_FOUND)
        return status;
    return WmiCompleteRequest(DeviceObject, Irp, STATUS_WMI_GUID_NOT_FOUND, 0, IO_NO_INCREMENT);
}

/* PASSIVE_LEVEL. The disposition starts as "forward", so an IRP battc
 * leaves alone still reaches the PDO. */
NTSTATUS KmdfBattWdmIrpPreprocessSystemControl(WDFDEVICE Device, PIRP Irp)
{
    PKMDFBATT_CONTEXT ctx = KmdfBattGetContext(Device);
    SYSCTL_IRP_DISPOSITION disposition = IrpForward;
    NTSTATUS status = STATUS_NOT_SUPPORTED;

    WdfWaitLockAcquire(ctx->ClassLock, NULL);
    if (ctx->ClassHandle != NULL)
        status = BatteryClassSystemControl(ctx->ClassHandle, &ctx->WmiLib,
                                           WdfDeviceWdmGetDeviceObject(Device), Irp, &disposition);
    WdfWaitLockRelease(ctx->ClassLock);
    switch (disposition) {
    case IrpProcessed:
        return status;
    case IrpNotCompleted:
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return status;
    default:
        IoSkipCurrentIrpStackLocation(Irp);
        return WdfDeviceWdmDispatchPreprocessedIrp(Device, Irp);
    }
}
