/* "Something changed": BatteryClassStatusNotify and the single work item
 * that turns notifications, timer expiries and new waiters into evaluation
 * passes at PASSIVE_LEVEL, never on the notifier's stack. */
#include "battc.h"

static IO_WORKITEM_ROUTINE BattcWorkRoutine;

/* <= DISPATCH_LEVEL. Coalesces: while a pass is queued or running, further
 * requests only make it run once more. */
void BattcRequestEvaluation(PBATTC_CLASS Class)
{
    BOOLEAN queue = FALSE;
    KIRQL irql;

    ASSERT(KeGetCurrentIrql() <= DISPATCH_LEVEL);
    KeAcquireSpinLock(&Class->Lock, &irql);
    if (!Class->Unloading) {
        Class->EvalRequested = TRUE;
        if (!Class->WorkQueued &&
            NT_SUCCESS(IoAcquireRemoveLock(&Class->Rundown, Class->WorkItem))) {
            Class->WorkQueued = TRUE;
            queue = TRUE;
        }
    }
    KeReleaseSpinLock(&Class->Lock, irql);
    if (queue)
        IoQueueWorkItem(Class->WorkItem, BattcWorkRoutine, DelayedWorkQueue, Class);
}

/* PASSIVE_LEVEL (system worker). Runs passes until nothing new arrived
 * during the last one. */
static void BattcWorkRoutine(PDEVICE_OBJECT DeviceObject, PVOID Context)
{
    PBATTC_CLASS c = Context;
    KIRQL irql;

    UNREFERENCED_PARAMETER(DeviceObject);
    PAGED_CODE();
    for (;;) {
        KeAcquireSpinLock(&c->Lock, &irql);
        c->EvalRequested = FALSE;
        KeReleaseSpinLock(&c->Lock, irql);

        BattcEvaluate(c);

        KeAcquireSpinLock(&c->Lock, &irql);
        if (c->EvalRequested && !c->Unloading) {
            KeReleaseSpinLock(&c->Lock, irql);
            continue;
        }
        c->WorkQueued = FALSE;
        KeReleaseSpinLock(&c->Lock, irql);
        break;
    }
    IoReleaseRemoveLock(&c->Rundown, c->WorkItem); /* last touch of c */
}

/* <= DISPATCH_LEVEL, any context, even inside a BatteryMini* callback.
 * docs: the class driver then calls BatteryMiniQueryStatus for the
 * requests it holds; it does so from its work item, so the miniclass is
 * never re-entered on the caller's stack. Tag waiters are woken the same
 * way (pitfall 4). With nothing waiting, nothing armed and no WMI event
 * enabled there is nothing to do. */
NTSTATUS BATTERYCLASSAPI BatteryClassStatusNotify(PVOID ClassData)
{
    PBATTC_CLASS c = BattcFromHandle(ClassData);
    BOOLEAN wanted;
    KIRQL irql;

    ASSERT(KeGetCurrentIrql() <= DISPATCH_LEVEL);
    KeAcquireSpinLock(&c->Lock, &irql);
    wanted = c->WaiterCount != 0 || c->EventsEnabled != 0 || c->NotifyArmed;
    KeReleaseSpinLock(&c->Lock, irql);
    if (wanted)
        BattcRequestEvaluation(c);
    return STATUS_SUCCESS;
}
