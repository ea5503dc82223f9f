/* The newer-API extension points of batclass.h: BatteryClassUpdateData
 * (charge-limit and charging-supply state) and BatteryClassPeakPowerNotify,
 * which battc accepts but does not act on (it advertises no peak power). */
#include "battc.h"

/* PASSIVE_LEVEL. docs: the miniclass calls this when the battery enters or
 * leaves its charge-limit state, or when the charger changes between no,
 * inadequate and adequate power supply (the low-wattage charger hint).
 * battc validates and records the latest event for the power manager; no
 * battery IOCTL carries it, and it changes no waiter's conditions. */
NTSTATUS BATTERYCLASSAPI BatteryClassUpdateData(PVOID ClassData,
                                                PBATTERY_MINIPORT_UPDATE_DATA UpdateData)
{
    PBATTC_CLASS c = BattcFromHandle(ClassData);
    KIRQL irql;

    PAGED_CODE();
    if (!UpdateData)
        return STATUS_INVALID_PARAMETER;
    if (UpdateData->Version != BATTERY_MINIPORT_UPDATE_DATA_VER_1 &&
        UpdateData->Version != BATTERY_MINIPORT_UPDATE_DATA_VER_2)
        return STATUS_REVISION_MISMATCH;
    if (UpdateData->NotifyEvent.BatteryChargingState > BatteryAdequatePowerSupply)
        return STATUS_INVALID_PARAMETER;
    KeAcquireSpinLock(&c->Lock, &irql);
    c->UpdateVersion = UpdateData->Version;
    c->UpdateEvent = UpdateData->NotifyEvent;
    KeReleaseSpinLock(&c->Lock, irql);
    return STATUS_SUCCESS;
}

/* <= DISPATCH_LEVEL. The peak-power counterpart of BatteryClassStatusNotify.
 * battc writes ClassDriverCapabilities = 0 for V1.2 miniclasses, so none
 * should call it; it is accepted and ignored. */
NTSTATUS BATTERYCLASSAPI BatteryClassPeakPowerNotify(PVOID ClassData)
{
    PBATTC_CLASS c = BattcFromHandle(ClassData);

    ASSERT(KeGetCurrentIrql() <= DISPATCH_LEVEL);
    UNREFERENCED_PARAMETER(c);
    return STATUS_SUCCESS;
}
