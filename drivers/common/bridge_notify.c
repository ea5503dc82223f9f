/* When a bridge tells battc that its battery's status changed. */
#include "bridge.h"

BOOLEAN BridgeNotifyDue(const BRIDGE_BATTERY *Battery, PBATTERY_STATUS Last,
                        const BATTERY_STATUS *Now, BOOLEAN TagChanged)
{
    BOOLEAN due = TagChanged || Last->PowerState != Now->PowerState;
    if (Battery && Battery->NotifyArmed && Now->Capacity != Last->Capacity &&
        Now->Capacity != BATTERY_UNKNOWN_CAPACITY &&
        (Now->Capacity < Battery->Notify.LowCapacity ||
         Now->Capacity > Battery->Notify.HighCapacity))
        due = TRUE;
    *Last = *Now;
    return due;
}
