/* The psbatt bus FDO (on PSBATT\Bus): reads its configuration from the
 * device's hardware key, scans the power_supply class - on start, on every
 * power_supply uevent (monitor.c) and on a bounded poll timer - keeps one
 * child PDO per type=Battery supply and the AC state of the Mains/USB
 * supplies, and tells a battery's class driver when what it would report
 * changed. A supply that leaves the class is left out of BusRelations, so
 * the PnP manager removes its device; one that comes is a new device. */
#include "psbatt.h"

#include <string.h>

/* PASSIVE_LEVEL. Root (REG_SZ), PollIntervalMs (REG_DWORD) and, for tests,
 * UeventSocket (REG_SZ) in the hardware key; the defaults otherwise. */
static VOID PsBattReadConfig(PPSBATT_BUS Bus)
{
    HANDLE key;
    ULONG poll;
    RtlCopyMemory(Bus->Root, PSBATT_DEFAULT_ROOT, sizeof PSBATT_DEFAULT_ROOT);
    Bus->PollMs = PSBATT_DEFAULT_POLL_MS;
    Bus->UeventSocket[0] = 0;
    if (!NT_SUCCESS(IoOpenDeviceRegistryKey(Bus->Pdo, PLUGPLAY_REGKEY_DEVICE, KEY_READ, &key)))
        return;
    if (!BridgeQueryString(key, L"Root", Bus->Root, sizeof Bus->Root))
        RtlCopyMemory(Bus->Root, PSBATT_DEFAULT_ROOT, sizeof PSBATT_DEFAULT_ROOT);
    if (BridgeQueryDword(key, L"PollIntervalMs", &poll))
        Bus->PollMs = poll < PSBATT_MIN_POLL_MS ? PSBATT_MIN_POLL_MS : poll;
    BridgeQueryString(key, L"UeventSocket", Bus->UeventSocket, sizeof Bus->UeventSocket);
    ZwClose(key);
}

static PPSBATT_CHILD PsBattFindChildLocked(PPSBATT_BUS Bus, const CHAR *Name)
{
    for (PLIST_ENTRY e = Bus->Children.Flink; e != &Bus->Children; e = e->Flink) {
        PPSBATT_CHILD c = CONTAINING_RECORD(e, PSBATT_CHILD, Link);
        if (!c->Missing && strcmp(c->Name, Name) == 0)
            return c;
    }
    return NULL;
}

/* Bus->Lock held. The new snapshot replaces the old: presence and static
 * data decide the tag, and the class driver hears of what it would report
 * differently. Returns the class handle to notify, or NULL. */
static PVOID PsBattUpdateChildLocked(PPSBATT_BUS Bus, PPSBATT_CHILD Child,
                                     const PSBATT_SUPPLY *Supply)
{
    BOOLEAN was = Child->HaveSupply && PsBattPresent(&Child->Supply);
    BOOLEAN is = PsBattPresent(Supply);
    ULONG tag = Child->Tag;
    BATTERY_STATUS now;
    if (!is)
        tag = BATTERY_TAG_INVALID;
    else if (!was || PsBattStaticDiffers(&Child->Supply, Supply))
        tag = BridgeNewTag();
    BOOLEAN tag_changed = tag != Child->Tag;
    Child->Supply = *Supply;
    Child->HaveSupply = TRUE;
    Child->Tag = tag;
    PsBattMapStatus(Supply, Bus->AcOnline, &now);
    PBRIDGE_BATTERY b = Child->Battery ? &Child->Battery->Fdo : NULL;
    if (!b || !b->ClassHandle)
        return NULL;
    return BridgeNotifyDue(b, &Child->Last, &now, tag_changed) ? b->ClassHandle : NULL;
}

/* PASSIVE_LEVEL, ScanMutex held. Fresh (a uevent, the first scan): list
 * the class folder and open every attribute again. A poll with uevents
 * coming re-reads the supplies last listed, each checked by a stat (one
 * gone or replaced is seen): a supply that comes is announced by its own
 * uevent. Without uevents every poll lists the folder. */
static VOID PsBattScan(PPSBATT_BUS Bus, BOOLEAN Fresh)
{
    CHAR(*names)[PSBATT_NAME_MAX] = Bus->Listed;
    PPSBATT_SUPPLY supplies =
        ExAllocatePoolWithTag(PagedPool, PSBATT_MAX_SUPPLIES * sizeof(PSBATT_SUPPLY), PSBATT_TAG);
    PVOID notify[PSBATT_MAX_SUPPLIES];
    ULONG count = 0, nnotify = 0, nsupplies = 0;
    BOOLEAN relations = FALSE;
    LONG ac = -1;
    KIRQL irql;

    if (!supplies || !Bus->Sysfs)
        goto out;
    if (Fresh || !Bus->Monitor) {
        Bus->ListedCount = PsBattListSupplies(Bus->Root, names, PSBATT_MAX_SUPPLIES);
        PsBattSysfsRetain(Bus->Sysfs, names, Bus->ListedCount);
    }
    count = Bus->ListedCount;
    for (ULONG i = 0; i < count; i++) {
        PPSBATT_SUPPLY s = &supplies[nsupplies];
        if (!PsBattReadSupply(Bus->Sysfs, Bus->Root, names[i], Fresh, s))
            continue; /* gone between the listing and the read */
        if (PsBattIsPowerSource(s) && PS_HAS(s, PsOnline))
            ac = (ac == 1 || s->Number[PsOnline] != 0) ? 1 : 0;
        if (PsBattIsBattery(s))
            nsupplies++;
    }

    /* New batteries get a PDO first (outside the lock: IoCreateDevice). */
    for (ULONG i = 0; i < nsupplies; i++) {
        KeAcquireSpinLock(&Bus->Lock, &irql);
        BOOLEAN known = PsBattFindChildLocked(Bus, supplies[i].Name) != NULL;
        KeReleaseSpinLock(&Bus->Lock, irql);
        PPSBATT_CHILD child;
        if (!known && NT_SUCCESS(PsBattChildCreate(Bus, supplies[i].Name, &child)))
            relations = TRUE;
    }

    KeAcquireSpinLock(&Bus->Lock, &irql);
    BOOLEAN ac_changed = Bus->AcOnline != ac;
    Bus->AcOnline = ac;
    for (PLIST_ENTRY e = Bus->Children.Flink; e != &Bus->Children; e = e->Flink) {
        PPSBATT_CHILD c = CONTAINING_RECORD(e, PSBATT_CHILD, Link);
        const PSBATT_SUPPLY *found = NULL;
        if (c->Missing)
            continue;
        for (ULONG i = 0; i < nsupplies && !found; i++)
            if (strcmp(supplies[i].Name, c->Name) == 0)
                found = &supplies[i];
        if (!found) {
            /* The supply left the class: its device goes (a new one if it
             * comes back, with a new tag). */
            c->Missing = TRUE;
            c->Tag = BATTERY_TAG_INVALID;
            relations = TRUE;
            if (c->Battery && c->Battery->Fdo.ClassHandle && nnotify < RTL_NUMBER_OF(notify))
                notify[nnotify++] = c->Battery->Fdo.ClassHandle;
            continue;
        }
        PVOID handle = PsBattUpdateChildLocked(Bus, c, found);
        if (!handle && ac_changed && c->Battery && c->Battery->Fdo.ClassHandle)
            handle = c->Battery->Fdo.ClassHandle;
        if (handle && nnotify < RTL_NUMBER_OF(notify))
            notify[nnotify++] = handle;
    }
    /* battc's class data lives until the battery FDO's REMOVE, which takes
     * this lock to unhook itself first: notify under it. */
    for (ULONG i = 0; i < nnotify; i++)
        BatteryClassStatusNotify(notify[i]);
    Bus->Scans++;
    KeReleaseSpinLock(&Bus->Lock, irql);
    if (relations)
        IoInvalidateDeviceRelations(Bus->Pdo, BusRelations);
out:
    if (supplies)
        ExFreePoolWithTag(supplies, PSBATT_TAG);
}

/* PASSIVE_LEVEL (system worker). Scans until no request came in during the
 * last scan; the remove lock taken when it was queued is released last. */
static VOID PsBattScanWork(PDEVICE_OBJECT DeviceObject, PVOID Context)
{
    PPSBATT_BUS bus = Context;
    KIRQL irql;
    UNREFERENCED_PARAMETER(DeviceObject);
    for (;;) {
        KeAcquireSpinLock(&bus->Lock, &irql);
        ULONG serving = bus->ScanRequests; /* this scan reads after all of them */
        BOOLEAN fresh = bus->ScanFresh;
        bus->ScanFresh = FALSE;
        KeReleaseSpinLock(&bus->Lock, irql);
        KeWaitForSingleObject(&bus->ScanMutex, Executive, KernelMode, FALSE, NULL);
        PsBattScan(bus, fresh);
        KeReleaseMutex(&bus->ScanMutex, FALSE);
        PsBattMonitorScanned(bus, serving);
        KeAcquireSpinLock(&bus->Lock, &irql);
        BOOLEAN again = bus->ScanAgain && !bus->Stopping;
        bus->ScanAgain = FALSE;
        if (!again)
            bus->ScanQueued = FALSE;
        KeReleaseSpinLock(&bus->Lock, irql);
        if (!again)
            break;
    }
    IoReleaseRemoveLock(&bus->RemoveLock, bus->ScanWork);
}

ULONG PsBattRequestScan(PPSBATT_BUS Bus, BOOLEAN Fresh)
{
    KIRQL irql;
    BOOLEAN queue = FALSE;
    ULONG ticket = 0;
    KeAcquireSpinLock(&Bus->Lock, &irql);
    if (!Bus->Stopping) {
        ticket = ++Bus->ScanRequests;
        Bus->ScanFresh = Bus->ScanFresh || Fresh;
        if (Bus->ScanQueued)
            Bus->ScanAgain = TRUE;
        else if (NT_SUCCESS(IoAcquireRemoveLock(&Bus->RemoveLock, Bus->ScanWork)))
            Bus->ScanQueued = queue = TRUE;
    }
    KeReleaseSpinLock(&Bus->Lock, irql);
    if (queue)
        IoQueueWorkItem(Bus->ScanWork, PsBattScanWork, DelayedWorkQueue, Bus);
    return ticket;
}

static KDEFERRED_ROUTINE PsBattPollDpc;

/* <= DISPATCH_LEVEL, Lock held (a stop sets Stopping under it). */
static VOID PsBattArmPollLocked(PPSBATT_BUS Bus)
{
    if (!Bus->Stopping)
        BridgeArmPoll(&Bus->PollTimer, &Bus->PollDpc, Bus->PollMs);
}

/* DISPATCH_LEVEL: the poll. Many batteries change energy_now without a
 * uevent, so the class is read again every PollMs (bounded: at least
 * PSBATT_MIN_POLL_MS apart). */
static VOID PsBattPollDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PPSBATT_BUS bus = Context;
    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(Arg1);
    UNREFERENCED_PARAMETER(Arg2);
    KeAcquireSpinLockAtDpcLevel(&bus->Lock);
    PsBattArmPollLocked(bus);
    KeReleaseSpinLockFromDpcLevel(&bus->Lock);
    PsBattRequestScan(bus, FALSE);
}

NTSTATUS PsBattBusAddDevice(PDRIVER_OBJECT DriverObject, PDEVICE_OBJECT Pdo)
{
    PDEVICE_OBJECT fdo;
    NTSTATUS status =
        IoCreateDevice(DriverObject, sizeof(PSBATT_BUS), NULL, FILE_DEVICE_BUS_EXTENDER,
                       FILE_DEVICE_SECURE_OPEN, FALSE, &fdo);
    if (!NT_SUCCESS(status))
        return status;
    PPSBATT_BUS bus = fdo->DeviceExtension;
    RtlZeroMemory(bus, sizeof(*bus));
    bus->Kind = PsBattKindBus;
    bus->Self = fdo;
    bus->Pdo = Pdo;
    bus->AcOnline = -1;
    IoInitializeRemoveLock(&bus->RemoveLock, PSBATT_TAG, 0, 0);
    KeInitializeSpinLock(&bus->Lock);
    InitializeListHead(&bus->Children);
    KeInitializeMutex(&bus->ScanMutex, 0);
    KeInitializeTimerEx(&bus->PollTimer, NotificationTimer);
    KeInitializeDpc(&bus->PollDpc, PsBattPollDpc, bus);
    bus->ScanWork = IoAllocateWorkItem(fdo);
    if (!bus->ScanWork) {
        IoDeleteDevice(fdo);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    bus->Lower = IoAttachDeviceToDeviceStack(fdo, Pdo);
    if (!bus->Lower) {
        IoFreeWorkItem(bus->ScanWork);
        IoDeleteDevice(fdo);
        return STATUS_NO_SUCH_DEVICE;
    }
    fdo->Flags |= DO_POWER_PAGABLE;
    fdo->Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
}

/* PASSIVE_LEVEL: configuration, the first scan (so the children are there
 * for the PnP manager's first BusRelations), the listener and the poll. */
static NTSTATUS PsBattBusStart(PPSBATT_BUS Bus)
{
    KIRQL irql;
    if (Bus->Started)
        return STATUS_SUCCESS;
    PsBattReadConfig(Bus);
    if (!Bus->Sysfs)
        Bus->Sysfs = PsBattSysfsCreate();
    if (!Bus->Sysfs)
        return STATUS_INSUFFICIENT_RESOURCES;
    KeWaitForSingleObject(&Bus->ScanMutex, Executive, KernelMode, FALSE, NULL);
    PsBattScan(Bus, TRUE);
    KeReleaseMutex(&Bus->ScanMutex, FALSE);
    /* A bus without uevents still works, on the poll alone. */
    if (!NT_SUCCESS(PsBattMonitorStart(Bus)))
        KdPrint(("psbatt: no uevents for %s: polling every %u ms only\n", Bus->Root,
                 (unsigned)Bus->PollMs));
    /* Coalescable: the poll may come a little late, so it shares a wake-up
     * with another driver's timer due about then (nutbatt's refresh). */
    KeAcquireSpinLock(&Bus->Lock, &irql);
    PsBattArmPollLocked(Bus);
    KeReleaseSpinLock(&Bus->Lock, irql);
    Bus->Started = TRUE;
    return STATUS_SUCCESS;
}

/* PASSIVE_LEVEL: no new scan after this returns but one queued or running
 * (REMOVE waits them out, then stops the listener). */
static VOID PsBattBusStop(PPSBATT_BUS Bus)
{
    KIRQL irql;
    KeAcquireSpinLock(&Bus->Lock, &irql);
    Bus->Stopping = TRUE;
    KeReleaseSpinLock(&Bus->Lock, irql);
    KeCancelTimer(&Bus->PollTimer);
    KeFlushQueuedDpcs();
    Bus->Started = FALSE;
}

/* PASSIVE_LEVEL. docs: keep relations an upper driver reported, add ours
 * (the children still in the class). */
static NTSTATUS PsBattQueryBusRelations(PPSBATT_BUS Bus, PIRP Irp)
{
    PDEVICE_RELATIONS previous = (PDEVICE_RELATIONS)Irp->IoStatus.Information;
    ULONG before = previous ? previous->Count : 0, ours = 0;
    KIRQL irql;
    KeAcquireSpinLock(&Bus->Lock, &irql);
    for (PLIST_ENTRY e = Bus->Children.Flink; e != &Bus->Children; e = e->Flink)
        ours++;
    KeReleaseSpinLock(&Bus->Lock, irql);
    ULONG total = before + ours;
    SIZE_T bytes =
        FIELD_OFFSET(DEVICE_RELATIONS, Objects) + (total ? total : 1) * sizeof(PDEVICE_OBJECT);
    PDEVICE_RELATIONS relations = ExAllocatePoolWithTag(PagedPool, bytes, PSBATT_TAG);
    if (!relations)
        return STATUS_INSUFFICIENT_RESOURCES;
    relations->Count = 0;
    for (ULONG i = 0; i < before; i++)
        relations->Objects[relations->Count++] = previous->Objects[i];
    KeAcquireSpinLock(&Bus->Lock, &irql);
    for (PLIST_ENTRY e = Bus->Children.Flink; e != &Bus->Children && relations->Count < total;
         e = e->Flink) {
        PPSBATT_CHILD c = CONTAINING_RECORD(e, PSBATT_CHILD, Link);
        if (c->Missing)
            continue;
        ObReferenceObject(c->Self); /* the PnP manager drops it */
        relations->Objects[relations->Count++] = c->Self;
    }
    KeReleaseSpinLock(&Bus->Lock, irql);
    if (previous)
        ExFreePool(previous);
    Irp->IoStatus.Information = (ULONG_PTR)relations;
    return STATUS_SUCCESS;
}

/* PASSIVE_LEVEL: the bus goes, so every child goes for good. */
static VOID PsBattDeleteChildren(PPSBATT_BUS Bus)
{
    for (;;) {
        KIRQL irql;
        PPSBATT_CHILD c = NULL;
        KeAcquireSpinLock(&Bus->Lock, &irql);
        if (!IsListEmpty(&Bus->Children))
            c = CONTAINING_RECORD(RemoveHeadList(&Bus->Children), PSBATT_CHILD, Link);
        KeReleaseSpinLock(&Bus->Lock, irql);
        if (!c)
            break;
        IoDeleteDevice(c->Self);
    }
}

NTSTATUS PsBattBusPnp(PPSBATT_BUS Bus, PIRP Irp)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    NTSTATUS status = IoAcquireRemoveLock(&Bus->RemoveLock, Irp);
    if (!NT_SUCCESS(status))
        return BridgeComplete(Irp, status);

    switch (stack->MinorFunction) {
    case IRP_MN_START_DEVICE:
        status = BridgeForwardAndWait(Bus->Lower, Irp);
        if (NT_SUCCESS(status))
            status = PsBattBusStart(Bus);
        BridgeComplete(Irp, status);
        break;
    case IRP_MN_QUERY_DEVICE_RELATIONS:
        if (stack->Parameters.QueryDeviceRelations.Type == BusRelations) {
            status = PsBattQueryBusRelations(Bus, Irp);
            if (!NT_SUCCESS(status)) {
                BridgeComplete(Irp, status);
                break;
            }
            Irp->IoStatus.Status = STATUS_SUCCESS;
        }
        IoSkipCurrentIrpStackLocation(Irp);
        status = IoCallDriver(Bus->Lower, Irp);
        break;
    case IRP_MN_REMOVE_DEVICE:
        PsBattBusStop(Bus);
        /* Waits out a queued or running scan and every dispatch. */
        IoReleaseRemoveLockAndWait(&Bus->RemoveLock, Irp);
        PsBattMonitorStop(Bus);
        PsBattSysfsDelete(Bus->Sysfs); /* no scan runs now */
        Bus->Sysfs = NULL;
        PsBattDeleteChildren(Bus);
        Irp->IoStatus.Status = STATUS_SUCCESS;
        IoSkipCurrentIrpStackLocation(Irp);
        status = IoCallDriver(Bus->Lower, Irp);
        IoDetachDevice(Bus->Lower);
        IoFreeWorkItem(Bus->ScanWork);
        IoDeleteDevice(Bus->Self);
        return status;
    case IRP_MN_SURPRISE_REMOVAL:
        PsBattBusStop(Bus);
        /* fall through */
    case IRP_MN_QUERY_STOP_DEVICE:
    case IRP_MN_CANCEL_STOP_DEVICE:
    case IRP_MN_STOP_DEVICE:
    case IRP_MN_QUERY_REMOVE_DEVICE:
    case IRP_MN_CANCEL_REMOVE_DEVICE:
        Irp->IoStatus.Status = STATUS_SUCCESS;
        /* fall through */
    default:
        IoSkipCurrentIrpStackLocation(Irp);
        status = IoCallDriver(Bus->Lower, Irp);
        break;
    }
    IoReleaseRemoveLock(&Bus->RemoveLock, Irp);
    return status;
}
