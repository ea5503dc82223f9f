/* A bridge battery's battc and WMI registration and its SystemControl:
 * battc answers the standard battery blocks, nothing else is provided. */
#include "bridge.h"

NTSTATUS BridgeClassInitialize(PBRIDGE_BATTERY Battery, const BATTERY_MINIPORT_INFO *Callbacks,
                               PVOID *ClassHandle)
{
    BATTERY_MINIPORT_INFO info = *Callbacks;
    info.MajorVersion = BATTERY_CLASS_MAJOR_VERSION;
    info.MinorVersion = BATTERY_CLASS_MINOR_VERSION;
    info.Pdo = Battery->Pdo;
    info.DeviceName = NULL;
    return BatteryClassInitializeDevice(&info, ClassHandle);
}

static NTSTATUS BridgeQueryWmiRegInfo(PDEVICE_OBJECT DeviceObject, PULONG RegFlags,
                                      PUNICODE_STRING InstanceName, PUNICODE_STRING *RegistryPath,
                                      PUNICODE_STRING MofResourceName, PDEVICE_OBJECT *Pdo)
{
    UNREFERENCED_PARAMETER(InstanceName);
    UNREFERENCED_PARAMETER(MofResourceName);
    *RegFlags = WMIREG_FLAG_INSTANCE_PDO;
    *RegistryPath = &BridgeRegistryPath;
    *Pdo = BridgeBatteryOf(DeviceObject)->Pdo;
    return STATUS_SUCCESS;
}

/* docs: battc answers the standard battery blocks first. */
static NTSTATUS BridgeQueryWmiDataBlock(PDEVICE_OBJECT DeviceObject, PIRP Irp, ULONG GuidIndex,
                                        ULONG InstanceIndex, ULONG InstanceCount,
                                        PULONG InstanceLengthArray, ULONG BufferAvail,
                                        PUCHAR Buffer)
{
    PBRIDGE_BATTERY b = BridgeBatteryOf(DeviceObject);
    NTSTATUS status = STATUS_WMI_GUID_NOT_FOUND;
    UNREFERENCED_PARAMETER(InstanceIndex);
    UNREFERENCED_PARAMETER(InstanceCount);
    if (b->ClassHandle)
        status = BatteryClassQueryWmiDataBlock(b->ClassHandle, DeviceObject, Irp, GuidIndex,
                                               InstanceLengthArray, BufferAvail, Buffer);
    if (status != STATUS_WMI_GUID_NOT_FOUND)
        return status;
    return WmiCompleteRequest(DeviceObject, Irp, STATUS_WMI_GUID_NOT_FOUND, 0, IO_NO_INCREMENT);
}

VOID BridgeWmiRegister(PBRIDGE_BATTERY Battery)
{
    RtlZeroMemory(&Battery->WmiLib, sizeof Battery->WmiLib);
    Battery->WmiLib.QueryWmiRegInfo = BridgeQueryWmiRegInfo;
    Battery->WmiLib.QueryWmiDataBlock = BridgeQueryWmiDataBlock;
    Battery->WmiRegistered =
        NT_SUCCESS(IoWMIRegistrationControl(Battery->Self, WMIREG_ACTION_REGISTER));
}

VOID BridgeClassUnload(PBRIDGE_BATTERY Battery)
{
    if (Battery->WmiRegistered) {
        IoWMIRegistrationControl(Battery->Self, WMIREG_ACTION_DEREGISTER);
        Battery->WmiRegistered = FALSE;
    }
    if (Battery->ClassHandle) {
        BatteryClassUnload(Battery->ClassHandle);
        Battery->ClassHandle = NULL;
    }
}

NTSTATUS BridgeSystemControl(PBRIDGE_BATTERY Battery, PIRP Irp)
{
    SYSCTL_IRP_DISPOSITION disposition = IrpForward;
    NTSTATUS status = IoAcquireRemoveLock(&Battery->RemoveLock, Irp);
    if (!NT_SUCCESS(status))
        return BridgeComplete(Irp, status);
    if (Battery->ClassHandle)
        status = BatteryClassSystemControl(Battery->ClassHandle, &Battery->WmiLib, Battery->Self,
                                           Irp, &disposition);
    switch (disposition) {
    case IrpProcessed:
        break;
    case IrpNotCompleted:
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        break;
    default:
        IoSkipCurrentIrpStackLocation(Irp);
        status = IoCallDriver(Battery->Lower, Irp);
        break;
    }
    IoReleaseRemoveLock(&Battery->RemoveLock, Irp);
    return status;
}
