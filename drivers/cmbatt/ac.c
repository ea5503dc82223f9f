/* The ACPI0003 AC adapter and the state cmbatt keeps driver-wide: whether
 * the system is on line (its _PSR), and the list of started batteries that
 * report it as BATTERY_POWER_ON_LINE. A change of _PSR (Notify 0x80 on the
 * adapter) is passed to every battery's class driver. One spin lock guards
 * it all; a battery on the list is only touched with its remove lock held,
 * so one being removed is never used after it is gone. */
#include "cmbatt.h"

#define CMBATT_NOTIFY_BATCH 16 /* batteries held per round, not a bound on them */

static KSPIN_LOCK CmBattGlobalLock;
static LIST_ENTRY CmBattBatteries;
static LONG CmBattAcState = -1; /* -1 unknown, 0 off line, 1 on line */
static PCMBATT_EXTENSION CmBattAdapter;
static ULONG64 CmBattNotifyRound; /* CmBattNotifyBatteries' rounds, under the lock */
static ULONG64 CmBattPsrTicket;   /* _PSR reads begun, under the lock */
static ULONG64 CmBattPsrStored;   /* the ticket of the read whose answer is stored */

/* PASSIVE_LEVEL, DriverEntry. */
VOID CmBattAcInitialize(VOID)
{
    KeInitializeSpinLock(&CmBattGlobalLock);
    InitializeListHead(&CmBattBatteries);
    CmBattAcState = -1;
    CmBattAdapter = NULL;
    CmBattPsrTicket = CmBattPsrStored = 0;
}

/* PASSIVE_LEVEL: reads _PSR into the driver-wide state. Two reads can run
 * at once (the adapter's Notify and a battery's CmBattAcRefresh), and the
 * one begun first may finish last: its older answer must not overwrite the
 * newer one, or the system stays "on line" until the next refresh. The
 * read begun last wins: every _PSR change is followed by a Notify whose
 * read begins after it, so the stored answer is never older than that. */
static VOID CmBattReadPsr(PCMBATT_EXTENSION Ext)
{
    ULONG psr;
    KIRQL irql;
    KeAcquireSpinLock(&CmBattGlobalLock, &irql);
    ULONG64 ticket = ++CmBattPsrTicket;
    KeReleaseSpinLock(&CmBattGlobalLock, irql);
    NTSTATUS status = CmBattEvaluateInteger(Ext, "_PSR", &psr);
    LONG state = NT_SUCCESS(status) ? (psr != 0) : -1;
    KeAcquireSpinLock(&CmBattGlobalLock, &irql);
    if (ticket > CmBattPsrStored) {
        CmBattPsrStored = ticket;
        CmBattAcState = state;
    }
    KeReleaseSpinLock(&CmBattGlobalLock, irql);
}

/* <= DISPATCH_LEVEL. The adapter's state as last read: at its start and
 * on each of its Notify(0x80), which the firmware raises on every _PSR
 * change (docs, firmware page) before the batteries' own notifications.
 * A battery's status evaluates _PSR only when the battery's charge
 * direction changed (CmBattAcRefresh): on every IOCTL_BATTERY_QUERY_STATUS
 * it was one ACPI round trip (an IRP and two pool blocks) more. */
LONG CmBattAcOnline(VOID)
{
    KIRQL irql;
    KeAcquireSpinLock(&CmBattGlobalLock, &irql);
    LONG state = CmBattAcState;
    KeReleaseSpinLock(&CmBattGlobalLock, irql);
    return state;
}

VOID CmBattAcRefresh(VOID)
{
    KIRQL irql;
    KeAcquireSpinLock(&CmBattGlobalLock, &irql);
    PCMBATT_EXTENSION adapter = CmBattAdapter;
    /* Held by its remove lock, so a removal waits for this read. */
    if (adapter && !NT_SUCCESS(IoAcquireRemoveLock(&adapter->RemoveLock, CmBattAcRefresh)))
        adapter = NULL;
    KeReleaseSpinLock(&CmBattGlobalLock, irql);
    if (!adapter)
        return;
    CmBattReadPsr(adapter);
    IoReleaseRemoveLock(&adapter->RemoveLock, CmBattAcRefresh);
}

/* PASSIVE_LEVEL. Tells every listed battery's class driver; each is held
 * by its remove lock while it is called. The class driver cannot be called
 * under the spin lock, and the list has no bound, so it goes in rounds of
 * a batch held on the stack: a battery is taken once per notification (its
 * NotifiedRound reaches this round's number), however long the list is.
 * Numbers only grow, so two notifications at once each reach every
 * battery and neither undoes the other's marks. */
static VOID CmBattNotifyBatteries(VOID)
{
    PCMBATT_EXTENSION held[CMBATT_NOTIFY_BATCH];
    ULONG n;
    KIRQL irql;
    KeAcquireSpinLock(&CmBattGlobalLock, &irql);
    ULONG64 round = ++CmBattNotifyRound;
    KeReleaseSpinLock(&CmBattGlobalLock, irql);
    do {
        n = 0;
        KeAcquireSpinLock(&CmBattGlobalLock, &irql);
        for (PLIST_ENTRY e = CmBattBatteries.Flink;
             e != &CmBattBatteries && n < RTL_NUMBER_OF(held); e = e->Flink) {
            PCMBATT_EXTENSION b = CONTAINING_RECORD(e, CMBATT_EXTENSION, BatteryLink);
            if (b->NotifiedRound >= round)
                continue;
            b->NotifiedRound = round; /* a battery being removed is skipped, not retried */
            if (NT_SUCCESS(IoAcquireRemoveLock(&b->RemoveLock, CmBattNotifyBatteries)))
                held[n++] = b;
        }
        KeReleaseSpinLock(&CmBattGlobalLock, irql);
        for (ULONG i = 0; i < n; i++) {
            if (held[i]->ClassHandle)
                BatteryClassStatusNotify(held[i]->ClassHandle);
            IoReleaseRemoveLock(&held[i]->RemoveLock, CmBattNotifyBatteries);
        }
    } while (n == RTL_NUMBER_OF(held));
}

/* PASSIVE_LEVEL, the adapter's IRP_MN_START_DEVICE. */
NTSTATUS CmBattAcStart(PCMBATT_EXTENSION Ext)
{
    KIRQL irql;
    KeAcquireSpinLock(&CmBattGlobalLock, &irql);
    CmBattAdapter = Ext;
    KeReleaseSpinLock(&CmBattGlobalLock, irql);
    CmBattReadPsr(Ext);
    CmBattNotifyBatteries();
    return STATUS_SUCCESS;
}

/* PASSIVE_LEVEL, the adapter's stop or removal: its state is unknown, and
 * a _PSR read begun before the stop must not store over that. */
VOID CmBattAcStop(PCMBATT_EXTENSION Ext)
{
    KIRQL irql;
    KeAcquireSpinLock(&CmBattGlobalLock, &irql);
    if (CmBattAdapter == Ext) {
        CmBattAdapter = NULL;
        CmBattPsrStored = ++CmBattPsrTicket;
        CmBattAcState = -1;
    }
    KeReleaseSpinLock(&CmBattGlobalLock, irql);
}

/* PASSIVE_LEVEL, the adapter's Notify handler (remove lock held). docs
 * (firmware page): a _PSR change is notified on the power source 0x80. */
VOID CmBattAcNotify(PCMBATT_EXTENSION Ext, ULONG NotifyValue)
{
    UNREFERENCED_PARAMETER(NotifyValue);
    CmBattReadPsr(Ext);
    CmBattNotifyBatteries();
}

/* <= DISPATCH_LEVEL. */
VOID CmBattListBattery(PCMBATT_EXTENSION Ext)
{
    KIRQL irql;
    KeAcquireSpinLock(&CmBattGlobalLock, &irql);
    if (!Ext->Listed) {
        InsertTailList(&CmBattBatteries, &Ext->BatteryLink);
        Ext->Listed = TRUE;
    }
    KeReleaseSpinLock(&CmBattGlobalLock, irql);
}

/* <= DISPATCH_LEVEL. After this the adapter can no longer reach Ext except
 * through a remove lock it already holds, which REMOVE waits out. */
VOID CmBattUnlistBattery(PCMBATT_EXTENSION Ext)
{
    KIRQL irql;
    KeAcquireSpinLock(&CmBattGlobalLock, &irql);
    if (Ext->Listed) {
        RemoveEntryList(&Ext->BatteryLink);
        Ext->Listed = FALSE;
    }
    KeReleaseSpinLock(&CmBattGlobalLock, irql);
}
