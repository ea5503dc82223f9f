/* psbatt's driver object: DriverEntry, AddDevice (a child PDO of this
 * driver gets a battery FDO, any other device is the bus) and the dispatch
 * routines, which route each IRP to the part that owns the device object:
 * bus.c (the bus FDO), pdo.c (a child PDO), drivers/common's battery FDO
 * (bridge_fdo.c) with psbatt's own steps from the table below. */
#include <initguid.h>
#include "psbatt.h"

static NTSTATUS PsBattInitBattery(PBRIDGE_BATTERY Fdo)
{
    PPSBATT_BATTERY b = PSBATT_OF(Fdo);
    b->Kind = PsBattKindBattery;
    b->Child = Fdo->Pdo->DeviceExtension;
    return STATUS_SUCCESS;
}

static const BRIDGE_DRIVER PsBattBridge = {
    .PoolTag = PSBATT_TAG,
    .ExtensionSize = sizeof(PSBATT_BATTERY),
    .BatteryOffset = FIELD_OFFSET(PSBATT_BATTERY, Fdo),
    .Init = PsBattInitBattery,
    .Start = PsBattBatteryStart,
    .Stop = PsBattBatteryStop,
};

static NTSTATUS PsBattAddDevice(PDRIVER_OBJECT DriverObject, PDEVICE_OBJECT Pdo)
{
    if (Pdo->DriverObject == DriverObject &&
        ((PPSBATT_CHILD)Pdo->DeviceExtension)->Kind == PsBattKindChild)
        return BridgeAddBattery(DriverObject, Pdo);
    return PsBattBusAddDevice(DriverObject, Pdo);
}

static PSBATT_KIND PsBattKindOf(PDEVICE_OBJECT DeviceObject)
{
    return *(PSBATT_KIND *)DeviceObject->DeviceExtension;
}

static NTSTATUS PsBattDispatchPnp(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    switch (PsBattKindOf(DeviceObject)) {
    case PsBattKindBus:
        return PsBattBusPnp(DeviceObject->DeviceExtension, Irp);
    case PsBattKindChild:
        return PsBattChildPnp(DeviceObject->DeviceExtension, Irp);
    default:
        return BridgeBatteryPnp(BridgeBatteryOf(DeviceObject), Irp);
    }
}

/* <= DISPATCH_LEVEL. Nothing here has power to manage. */
static NTSTATUS PsBattDispatchPower(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    switch (PsBattKindOf(DeviceObject)) {
    case PsBattKindChild:
        return PsBattChildPower(DeviceObject->DeviceExtension, Irp);
    case PsBattKindBus:
        return BridgePassPower(((PPSBATT_BUS)DeviceObject->DeviceExtension)->Lower, Irp);
    default:
        return BridgePassPower(BridgeBatteryOf(DeviceObject)->Lower, Irp);
    }
}

/* PASSIVE_LEVEL. The bus passes IOCTLs down; a child PDO takes none. */
static NTSTATUS PsBattDispatchDeviceControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    switch (PsBattKindOf(DeviceObject)) {
    case PsBattKindChild:
        return BridgeComplete(Irp, STATUS_INVALID_DEVICE_REQUEST);
    case PsBattKindBus:
        IoSkipCurrentIrpStackLocation(Irp);
        return IoCallDriver(((PPSBATT_BUS)DeviceObject->DeviceExtension)->Lower, Irp);
    default:
        return BridgeBatteryDeviceControl(BridgeBatteryOf(DeviceObject), Irp);
    }
}

/* PASSIVE_LEVEL. The battery answers WMI through battc; the PDO and the
 * bus are no providers. */
static NTSTATUS PsBattDispatchSystemControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    switch (PsBattKindOf(DeviceObject)) {
    case PsBattKindBattery:
        return BridgeSystemControl(BridgeBatteryOf(DeviceObject), Irp);
    case PsBattKindBus:
        IoSkipCurrentIrpStackLocation(Irp);
        return IoCallDriver(((PPSBATT_BUS)DeviceObject->DeviceExtension)->Lower, Irp);
    default: {
        NTSTATUS status = Irp->IoStatus.Status;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return status;
    }
    }
}

/* PASSIVE_LEVEL. The common part for the battery FDO, then psbatt's
 * routing by device kind over it. */
NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    NTSTATUS status = BridgeDriverEntry(DriverObject, RegistryPath, &PsBattBridge);
    if (!NT_SUCCESS(status))
        return status;
    DriverObject->DriverExtension->AddDevice = PsBattAddDevice;
    DriverObject->MajorFunction[IRP_MJ_PNP] = PsBattDispatchPnp;
    DriverObject->MajorFunction[IRP_MJ_POWER] = PsBattDispatchPower;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = PsBattDispatchDeviceControl;
    DriverObject->MajorFunction[IRP_MJ_SYSTEM_CONTROL] = PsBattDispatchSystemControl;
    return STATUS_SUCCESS;
}
