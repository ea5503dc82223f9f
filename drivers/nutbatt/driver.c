/* nutbatt's driver object: one battery FDO on each NUTBATT\UPS device,
 * whose AddDevice and dispatch are drivers/common's (bridge_fdo.c); what
 * is nutbatt's own is in the table below: its work item, the configuration
 * and first read at START, the refresh stopped at removal and the upsd
 * connection closed once nothing runs. The battc registration and the
 * BatteryMini* callbacks are miniclass.c's; the refresh is refresh.c's. */
#include <initguid.h>
#include "nutbatt.h"

static NTSTATUS NutBattInit(PBRIDGE_BATTERY Battery)
{
    PNUTBATT_DEVICE d = NUTBATT_OF(Battery);
    d->Tag = BATTERY_TAG_INVALID;
    KeInitializeSpinLock(&d->Lock);
    d->RefreshWork = IoAllocateWorkItem(Battery->Self);
    return d->RefreshWork ? STATUS_SUCCESS : STATUS_INSUFFICIENT_RESOURCES;
}

static VOID NutBattFree(PBRIDGE_BATTERY Battery)
{
    IoFreeWorkItem(NUTBATT_OF(Battery)->RefreshWork);
}

/* PASSIVE_LEVEL, IRP_MN_START_DEVICE after the lower drivers: the
 * configuration, the first read and the poll, then battc. */
static NTSTATUS NutBattStart(PBRIDGE_BATTERY Battery)
{
    PNUTBATT_DEVICE d = NUTBATT_OF(Battery);
    if (d->Started)
        return STATUS_SUCCESS;
    if (!NutBattReadConfig(Battery->Pdo, &d->Config))
        return STATUS_INVALID_PARAMETER;
    /* The first read before battc asks for a tag, so a reachable UPS is
     * there from the start. */
    NTSTATUS status = NutBattRefreshStart(d);
    if (!NT_SUCCESS(status))
        return status;
    status = NutBattBatteryStart(d);
    if (!NT_SUCCESS(status)) {
        NutBattRefreshStop(d);
        return status;
    }
    d->Started = TRUE;
    return STATUS_SUCCESS;
}

/* Surprise removal and removal: no refresh is queued after this. */
static VOID NutBattStop(PBRIDGE_BATTERY Battery)
{
    NutBattRefreshStop(NUTBATT_OF(Battery));
}

/* REMOVE, with no refresh queued or running: the connection goes. */
static VOID NutBattDrained(PBRIDGE_BATTERY Battery)
{
    NutBattDisconnect(&NUTBATT_OF(Battery)->Connection);
}

static const BRIDGE_DRIVER NutBattBridge = {
    .PoolTag = NUTBATT_TAG,
    .ExtensionSize = sizeof(NUTBATT_DEVICE),
    .BatteryOffset = FIELD_OFFSET(NUTBATT_DEVICE, Fdo),
    .Init = NutBattInit,
    .Free = NutBattFree,
    .Start = NutBattStart,
    .Stop = NutBattStop,
    .Drained = NutBattDrained,
};

/* PASSIVE_LEVEL. */
NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    return BridgeDriverEntry(DriverObject, RegistryPath, &NutBattBridge);
}
