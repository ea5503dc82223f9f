/* nutbatt's refresh loop: a periodic timer on the host's clock (every
 * PollIntervalMs) queues a work item that asks upsd once (upsd.c: the
 * changing variables, and every NUTBATT_FULL_READ_EVERY refreshes all of
 * them) and replaces the cache, under the device lock. Contact lost (upsd gone, the
 * UPS unknown or its data stale) is a removed battery: the tag becomes
 * BATTERY_TAG_INVALID; contact regained is an inserted one with a new tag.
 * battc hears of every change it would report differently. battc's calls
 * never wait for upsd: they read the cache (miniclass.c). */
#include "nutbatt.h"

#include <string.h>

/* PASSIVE_LEVEL; one refresh at a time (the work item is queued at most
 * once, and START's first read runs before the timer is set). */
static VOID NutBattRefresh(PNUTBATT_DEVICE Device)
{
    PNUTBATT_READING reading = ExAllocatePoolWithTag(PagedPool, sizeof(*reading), NUTBATT_TAG);
    CHAR error[sizeof Device->LastError];
    BATTERY_STATUS now;
    KIRQL irql;
    if (!reading)
        return; /* the next poll tries again */
    error[0] = 0;
    /* Device->Reading is written by the refresh alone, one at a time: it
     * can be read here without the lock. */
    BOOLEAN full = !Device->Contact || Device->Refreshes % NUTBATT_FULL_READ_EVERY == 0;
    BOOLEAN contact = NutBattFetch(&Device->Config, &Device->Connection,
                                   full ? NULL : &Device->Reading, reading, error, sizeof error);

    KeAcquireSpinLock(&Device->Lock, &irql);
    BOOLEAN lost = Device->Contact && !contact;
    BOOLEAN regained = !Device->Contact && contact;
    ULONG tag = Device->Tag;
    if (!contact)
        tag = BATTERY_TAG_INVALID;
    else if (regained || NutBattStaticDiffers(&Device->Reading, reading, &Device->Config))
        tag = BridgeNewTag();
    BOOLEAN tag_changed = tag != Device->Tag;
    if (contact)
        Device->Reading = *reading;
    Device->Contact = contact;
    Device->Tag = tag;
    Device->Refreshes++;
    if (!contact)
        RtlCopyMemory(Device->LastError, error, sizeof error);
    NutBattMapStatus(&Device->Reading, &Device->Config, &now);
    PVOID notify =
        Device->Fdo.ClassHandle && BridgeNotifyDue(&Device->Fdo, &Device->Last, &now, tag_changed)
            ? Device->Fdo.ClassHandle
            : NULL;
    KeReleaseSpinLock(&Device->Lock, irql);

    if (lost)
        KdPrint(("nutbatt: %s: contact lost (%s)\n", Device->Config.Ups, error));
    else if (regained)
        KdPrint(("nutbatt: %s: in contact, tag %u\n", Device->Config.Ups, (unsigned)tag));
    /* battc's class data lives until REMOVE, which drains the remove lock
     * this refresh holds first. */
    if (notify)
        BatteryClassStatusNotify(notify);
    ExFreePoolWithTag(reading, NUTBATT_TAG);
}

/* PASSIVE_LEVEL (system worker). */
static VOID NutBattRefreshWork(PDEVICE_OBJECT DeviceObject, PVOID Context)
{
    PNUTBATT_DEVICE d = Context;
    KIRQL irql;
    UNREFERENCED_PARAMETER(DeviceObject);
    NutBattRefresh(d);
    KeAcquireSpinLock(&d->Lock, &irql);
    d->RefreshQueued = FALSE;
    KeReleaseSpinLock(&d->Lock, irql);
    IoReleaseRemoveLock(&d->Fdo.RemoveLock, d->RefreshWork);
}

/* <= DISPATCH_LEVEL, Lock held (a stop clears TimerSet under it). */
static VOID NutBattArmPollLocked(PNUTBATT_DEVICE Device)
{
    if (Device->TimerSet)
        BridgeArmPoll(&Device->PollTimer, &Device->PollDpc, Device->Config.PollMs);
}

/* DISPATCH_LEVEL: the poll. A refresh still running when the next tick
 * comes (a slow upsd) is not doubled. */
static VOID NutBattPollDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PNUTBATT_DEVICE d = Context;
    BOOLEAN queue = FALSE;
    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(Arg1);
    UNREFERENCED_PARAMETER(Arg2);
    KeAcquireSpinLockAtDpcLevel(&d->Lock);
    if (!d->Stopping && !d->RefreshQueued &&
        NT_SUCCESS(IoAcquireRemoveLock(&d->Fdo.RemoveLock, d->RefreshWork)))
        d->RefreshQueued = queue = TRUE;
    NutBattArmPollLocked(d);
    KeReleaseSpinLockFromDpcLevel(&d->Lock);
    if (queue)
        IoQueueWorkItem(d->RefreshWork, NutBattRefreshWork, DelayedWorkQueue, d);
}

NTSTATUS NutBattRefreshStart(PNUTBATT_DEVICE Device)
{
    KIRQL irql;
    Device->Stopping = FALSE;
    NutBattRefresh(Device);
    KeInitializeTimerEx(&Device->PollTimer, NotificationTimer);
    KeInitializeDpc(&Device->PollDpc, NutBattPollDpc, Device);
    /* Coalescable: a refresh may come a little late, so it shares a wake-up
     * with another driver's timer due about then (psbatt's poll). */
    KeAcquireSpinLock(&Device->Lock, &irql);
    Device->TimerSet = TRUE;
    NutBattArmPollLocked(Device);
    KeReleaseSpinLock(&Device->Lock, irql);
    return STATUS_SUCCESS;
}

VOID NutBattRefreshStop(PNUTBATT_DEVICE Device)
{
    KIRQL irql;
    KeAcquireSpinLock(&Device->Lock, &irql);
    BOOLEAN timer = Device->TimerSet;
    Device->Stopping = TRUE;
    Device->TimerSet = FALSE;
    KeReleaseSpinLock(&Device->Lock, irql);
    if (!timer)
        return;
    KeCancelTimer(&Device->PollTimer);
    KeFlushQueuedDpcs(); /* a tick in flight queues nothing after this */
}
