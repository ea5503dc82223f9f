/* A battery's life in the class driver: BatteryClassInitializeDevice checks
 * the miniclass's BATTERY_MINIPORT_INFO and registers the battery interface;
 * BatteryClassUnload drains and frees everything. Also the live-battery list. */
#include <initguid.h>
#include "battc.h"

/* Every live battery, so WMILIB callbacks (which get only a device object)
 * can find theirs. Statically initialized: battc has no DriverEntry. */
static LIST_ENTRY BattcBatteries = {&BattcBatteries, &BattcBatteries};
static KSPIN_LOCK BattcBatteriesLock;

/* <= DISPATCH_LEVEL. The handle is only ever what Initialize returned; the
 * signature catches a stale or foreign pointer in checked builds. */
PBATTC_CLASS BattcFromHandle(PVOID ClassData)
{
    PBATTC_CLASS c = ClassData;

    ASSERT(c != NULL && c->Signature == BATTC_SIGNATURE);
    return c;
}

/* <= DISPATCH_LEVEL. */
PBATTC_CLASS BattcFindByWmiDevice(PDEVICE_OBJECT DeviceObject)
{
    PBATTC_CLASS found = NULL;
    KIRQL irql;

    KeAcquireSpinLock(&BattcBatteriesLock, &irql);
    for (PLIST_ENTRY e = BattcBatteries.Flink; e != &BattcBatteries; e = e->Flink) {
        PBATTC_CLASS c = CONTAINING_RECORD(e, BATTC_CLASS, GlobalLink);
        if (c->WmiDevice == DeviceObject) {
            found = c;
            break;
        }
    }
    KeReleaseSpinLock(&BattcBatteriesLock, irql);
    return found;
}

/* <= DISPATCH_LEVEL. WMI IRPs tell battc which device they arrive on. */
void BattcSetWmiDevice(PBATTC_CLASS Class, PDEVICE_OBJECT DeviceObject)
{
    KIRQL irql;

    KeAcquireSpinLock(&BattcBatteriesLock, &irql);
    Class->WmiDevice = DeviceObject;
    KeReleaseSpinLock(&BattcBatteriesLock, irql);
}

/* <= DISPATCH_LEVEL. */
PDEVICE_OBJECT BattcGetWmiDevice(PBATTC_CLASS Class)
{
    PDEVICE_OBJECT device;
    KIRQL irql;

    KeAcquireSpinLock(&BattcBatteriesLock, &irql);
    device = Class->WmiDevice;
    KeReleaseSpinLock(&BattcBatteriesLock, irql);
    return device;
}

/* Bytes of the caller's structure for each accepted minor version. */
static SIZE_T BattcMiniportInfoSize(USHORT MinorVersion)
{
    switch (MinorVersion) {
    case BATTERY_CLASS_MINOR_VERSION:
        return sizeof(BATTERY_MINIPORT_INFO);
    case BATTERY_CLASS_MINOR_VERSION_1:
        return sizeof(BATTERY_MINIPORT_INFO_V1_1);
    case BATTERY_CLASS_MINOR_VERSION_2:
        return sizeof(BATTERY_MINIPORT_INFO_V1_2);
    default:
        return 0;
    }
}

/* docs: the caller fills every entry. QueryTag, QueryInformation and
 * QueryStatus are the ones battc cannot work without; a NULL Pdo is what
 * the composite battery passes (it has no PDO of its own to register a
 * battery interface on), and then it must name its device; SetInformation may be
 * missing (then every set request is STATUS_NOT_SUPPORTED, pitfall 7);
 * SetStatusNotify and DisableStatusNotify come as a pair or not at all. */
static NTSTATUS BattcValidateMiniportInfo(const BATTERY_MINIPORT_INFO *Info)
{
    if (Info->MajorVersion != BATTERY_CLASS_MAJOR_VERSION ||
        BattcMiniportInfoSize(Info->MinorVersion) == 0)
        return STATUS_REVISION_MISMATCH;
    if (!Info->QueryTag || !Info->QueryInformation || !Info->QueryStatus)
        return STATUS_INVALID_PARAMETER;
    if (!Info->Pdo && (!Info->DeviceName || !Info->DeviceName->Length))
        return STATUS_INVALID_PARAMETER;
    if ((Info->SetStatusNotify == NULL) != (Info->DisableStatusNotify == NULL))
        return STATUS_INVALID_PARAMETER;
    return STATUS_SUCCESS;
}

/* PASSIVE_LEVEL. docs: called from AddDevice for each battery; the caller
 * must call BatteryClassUnload once this succeeded. */
NTSTATUS BATTERYCLASSAPI BatteryClassInitializeDevice(PBATTERY_MINIPORT_INFO MiniportInfo,
                                                      PVOID *ClassData)
{
    PBATTC_CLASS c = NULL;
    NTSTATUS status;
    KIRQL irql;

    PAGED_CODE();
    if (!MiniportInfo || !ClassData)
        return STATUS_INVALID_PARAMETER;
    *ClassData = NULL;
    status = BattcValidateMiniportInfo(MiniportInfo);
    if (!NT_SUCCESS(status))
        return status;

    c = BattcAllocate(sizeof(*c), BATTC_TAG_CLASS);
    if (!c)
        return STATUS_INSUFFICIENT_RESOURCES;
    c->Signature = BATTC_SIGNATURE;
    RtlCopyMemory(&c->Mini, MiniportInfo, BattcMiniportInfoSize(MiniportInfo->MinorVersion));
    if (MiniportInfo->MinorVersion >= BATTERY_CLASS_MINOR_VERSION_2) {
        /* The header: a V1.2 class driver says what it supports here.
         * battc implements neither peak power nor the present-rate
         * threshold, so it advertises nothing. */
        PBATTERY_MINIPORT_INFO_V1_2 v12 = (PBATTERY_MINIPORT_INFO_V1_2)MiniportInfo;
        v12->ClassDriverCapabilities.AsUlong = 0;
        c->Mini.ClassDriverCapabilities.AsUlong = 0;
    }
    c->WorkDevice = MiniportInfo->MinorVersion >= BATTERY_CLASS_MINOR_VERSION_1 && c->Mini.Fdo
                        ? c->Mini.Fdo
                        : c->Mini.Pdo;
    if (!c->WorkDevice) {
        /* No PDO and no FDO in a V1 structure: the named device itself
         * carries battc's work items. */
        PFILE_OBJECT file;
        status =
            IoGetDeviceObjectPointer(c->Mini.DeviceName, FILE_READ_DATA, &file, &c->WorkDevice);
        if (!NT_SUCCESS(status)) {
            ExFreePoolWithTag(c, BATTC_TAG_CLASS);
            return status;
        }
        ObDereferenceObject(file);
    }
    c->MiniCount = 1;
    KeInitializeEvent(&c->MiniContended, SynchronizationEvent, FALSE);
    KeInitializeSpinLock(&c->Lock);
    InitializeListHead(&c->TagWaiters);
    InitializeListHead(&c->StatusWaiters);
    InitializeListHead(&c->GlobalLink);
    KeInitializeTimerEx(&c->Timer, NotificationTimer);
    KeInitializeDpc(&c->TimerDpc, BattcTimerDpc, c);
    IoInitializeRemoveLock(&c->Rundown, BATTC_TAG_CLASS, 0, 0);

    c->WorkItem = IoAllocateWorkItem(c->WorkDevice);
    if (!c->WorkItem) {
        status = STATUS_INSUFFICIENT_RESOURCES;
        goto fail;
    }
    /* docs: "registers the battery device with the system" so that the
     * composite battery and applications find it: the battery interface.
     * The composite battery (no PDO) is opened by name and is no battery
     * interface, so applications enumerating batteries see the real ones. */
    if (c->Mini.Pdo) {
        status =
            IoRegisterDeviceInterface(c->Mini.Pdo, &GUID_DEVICE_BATTERY, NULL, &c->SymbolicLink);
        if (!NT_SUCCESS(status))
            goto fail;
        status = IoSetDeviceInterfaceState(&c->SymbolicLink, TRUE);
        if (!NT_SUCCESS(status))
            goto fail;
    }

    KeAcquireSpinLock(&BattcBatteriesLock, &irql);
    InsertTailList(&BattcBatteries, &c->GlobalLink);
    KeReleaseSpinLock(&BattcBatteriesLock, irql);
    *ClassData = c;
    return STATUS_SUCCESS;

fail:
    if (c->SymbolicLink.Buffer)
        RtlFreeUnicodeString(&c->SymbolicLink);
    if (c->WorkItem)
        IoFreeWorkItem(c->WorkItem);
    ExFreePoolWithTag(c, BATTC_TAG_CLASS);
    return status;
}

/* PASSIVE_LEVEL. docs: from Unload or IRP_MN_REMOVE_DEVICE. Pending
 * requests complete with STATUS_DEVICE_REMOVED; nothing of the battery
 * survives the call. */
NTSTATUS BATTERYCLASSAPI BatteryClassUnload(PVOID ClassData)
{
    PBATTC_CLASS c = BattcFromHandle(ClassData);
    KIRQL irql;

    PAGED_CODE();
    KeAcquireSpinLock(&c->Lock, &irql);
    c->Unloading = TRUE; /* no new waiter, work item or timer from here on */
    KeReleaseSpinLock(&c->Lock, irql);

    KeAcquireSpinLock(&BattcBatteriesLock, &irql);
    RemoveEntryList(&c->GlobalLink);
    InitializeListHead(&c->GlobalLink);
    KeReleaseSpinLock(&BattcBatteriesLock, irql);

    if (c->SymbolicLink.Buffer)
        IoSetDeviceInterfaceState(&c->SymbolicLink, FALSE);
    BattcStopTimer(c);
    BattcFlushWaiters(c, STATUS_DEVICE_REMOVED);

    /* Wait until no waiter (a cancel routine may still own one), work item
     * or timer DPC can touch the class data any more. */
    if (NT_SUCCESS(IoAcquireRemoveLock(&c->Rundown, c)))
        IoReleaseRemoveLockAndWait(&c->Rundown, c);
    ASSERT(IsListEmpty(&c->TagWaiters) && IsListEmpty(&c->StatusWaiters));
    ASSERT(c->TimerState == BattcTimerIdle && !c->WorkQueued);

    BattcLockMiniclass(c);
    if (c->NotifyArmed) {
        BattcMiniDisableStatusNotify(c);
        c->NotifyArmed = FALSE;
    }
    BattcUnlockMiniclass(c);

    BattcWmiFreeClass(c);
    IoFreeWorkItem(c->WorkItem);
    RtlFreeUnicodeString(&c->SymbolicLink);
    c->Signature = 0;
    ExFreePoolWithTag(c, BATTC_TAG_CLASS);
    return STATUS_SUCCESS;
}
