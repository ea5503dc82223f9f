/* The batteries the composite tracks. Each arrives as a GUID_DEVICE_BATTERY
 * interface; the composite opens it as any client of battc would and keeps
 * exactly one request outstanding on it: a QUERY_TAG wait while the slot
 * is empty, else a QUERY_STATUS wait around the last status. Its
 * completion queues the member's work item, which reads what changed and
 * sends the next wait: no polling. A member whose requests fail is left
 * out of the figures and tried again after COMPBATT_RETRY_MS. */
#include "compbatt_private.h"
#include <wdmguid.h>

#define COMPBATT_RETRY_MS           10000
#define COMPBATT_WINDOW_PERMILLE    5 /* 0.5 % of the full charge */
#define COMPBATT_WORKING_REFRESH_MS 30000

static IO_WORKITEM_ROUTINE CompBattMemberWork;
static IO_COMPLETION_ROUTINE CompBattMemberIrpDone;
static KDEFERRED_ROUTINE CompBattRetryDpc;

/* <= DISPATCH_LEVEL. */
static VOID CompBattQueueWork(PCOMPBATT_MEMBER M)
{
    IoQueueWorkItem(M->WorkItem, CompBattMemberWork, DelayedWorkQueue, M);
}

static VOID CompBattRetryDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(Arg1);
    UNREFERENCED_PARAMETER(Arg2);
    CompBattQueueWork(Context);
}

/* PASSIVE_LEVEL. A synchronous IOCTL to the member (reads in the work item). */
static NTSTATUS CompBattMemberIoctl(PCOMPBATT_MEMBER M, ULONG Code, PVOID In, ULONG InLength,
                                    PVOID Out, ULONG OutLength)
{
    KEVENT done;
    IO_STATUS_BLOCK iosb;
    PIRP irp;
    NTSTATUS status;

    KeInitializeEvent(&done, NotificationEvent, FALSE);
    irp = IoBuildDeviceIoControlRequest(Code, M->Device, In, InLength, Out, OutLength, FALSE, &done,
                                        &iosb);
    if (!irp)
        return STATUS_INSUFFICIENT_RESOURCES;
    IoGetNextIrpStackLocation(irp)->FileObject = M->File;
    status = IoCallDriver(M->Device, irp);
    if (status == STATUS_PENDING) {
        KeWaitForSingleObject(&done, Executive, KernelMode, FALSE, NULL);
        status = iosb.Status;
    }
    return status;
}

/* <= DISPATCH_LEVEL. The last holder of the outstanding IRP hands it to
 * the work item (the completion routine, or a canceller that raced it). */
static VOID CompBattReleaseIrp(PCOMPBATT_MEMBER M)
{
    if (InterlockedDecrement(&M->IrpHolds) == 0)
        CompBattQueueWork(M);
}

static NTSTATUS CompBattMemberIrpDone(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    UNREFERENCED_PARAMETER(Irp);
    CompBattReleaseIrp(Context);
    return STATUS_MORE_PROCESSING_REQUIRED; /* freed by the work item */
}

static VOID CompBattCancelMember(PCOMPBATT_MEMBER M);

/* PASSIVE_LEVEL, from the work item: a failing member is read again later. */
static VOID CompBattRetryLater(PCOMPBATT_MEMBER M)
{
    LARGE_INTEGER due = {.QuadPart = -10000LL * COMPBATT_RETRY_MS};
    KIRQL irql;
    BOOLEAN removed;

    KeSetTimer(&M->RetryTimer, due, &M->RetryDpc);
    KeAcquireSpinLock(&M->Ext->Lock, &irql);
    removed = M->Removed || M->Ext->Stopping;
    KeReleaseSpinLock(&M->Ext->Lock, irql);
    if (removed)
        CompBattCancelMember(M);
}

/* PASSIVE_LEVEL, from the work item. Sends the one outstanding wait. */
static VOID CompBattMemberSend(PCOMPBATT_MEMBER M, ULONG Code, ULONG InLength, ULONG OutLength)
{
    PIRP irp = IoAllocateIrp(M->Device->StackSize, FALSE);
    PIO_STACK_LOCATION stack;
    KIRQL irql;
    BOOLEAN removed;

    if (!irp) {
        CompBattRetryLater(M);
        return;
    }
    irp->AssociatedIrp.SystemBuffer = &M->Buffer;
    stack = IoGetNextIrpStackLocation(irp);
    stack->MajorFunction = IRP_MJ_DEVICE_CONTROL;
    stack->FileObject = M->File;
    stack->Parameters.DeviceIoControl.IoControlCode = Code;
    stack->Parameters.DeviceIoControl.InputBufferLength = InLength;
    stack->Parameters.DeviceIoControl.OutputBufferLength = OutLength;
    IoSetCompletionRoutine(irp, CompBattMemberIrpDone, M, TRUE, TRUE, TRUE);
    KeAcquireSpinLock(&M->Ext->Lock, &irql);
    M->Irp = irp;
    M->IrpHolds = 1;
    removed = M->Removed || M->Ext->Stopping;
    KeReleaseSpinLock(&M->Ext->Lock, irql);
    IoCallDriver(M->Device, irp);
    if (removed)
        CompBattCancelMember(M); /* removal came while we were reading */
}

/* Under the lock: takes a hold on the member's outstanding IRP if it has
 * one that has not completed (then the member cannot be freed until the
 * hold is released); NULL otherwise: a completed IRP is on its way to the
 * work item already. */
static PIRP CompBattHoldIrpLocked(PCOMPBATT_MEMBER M)
{
    for (LONG h = M->IrpHolds; M->Irp && h > 0; h = M->IrpHolds)
        if (InterlockedCompareExchange(&M->IrpHolds, h + 1, h) == h)
            return M->Irp;
    return NULL;
}

static VOID CompBattCancelHeld(PCOMPBATT_MEMBER M, PIRP Irp)
{
    IoCancelIrp(Irp); /* the member's work item reads it again */
    CompBattReleaseIrp(M);
}

/* <= DISPATCH_LEVEL, without the lock. Ends the member's wait now. */
static VOID CompBattCancelMember(PCOMPBATT_MEMBER M)
{
    KIRQL irql;
    PIRP irp;

    KeAcquireSpinLock(&M->Ext->Lock, &irql);
    irp = CompBattHoldIrpLocked(M);
    KeReleaseSpinLock(&M->Ext->Lock, irql);
    if (KeCancelTimer(&M->RetryTimer))
        CompBattQueueWork(M); /* the retry would have: let it run now */
    if (irp)
        CompBattCancelHeld(M, irp);
}

/* PASSIVE_LEVEL. When a battery comes or goes the system's load moves
 * between the others at once, long before their capacity crosses a wait
 * window: every other member is read again now. */
static VOID CompBattRefreshOthers(PCOMPBATT_EXTENSION Ext, PCOMPBATT_MEMBER Except)
{
    typedef struct {
        PCOMPBATT_MEMBER Member;
        PIRP Irp;
    } HELD;
    HELD *held;
    ULONG n = 0, cap;
    KIRQL irql;

    KeAcquireSpinLock(&Ext->Lock, &irql);
    cap = Ext->MemberCount;
    KeReleaseSpinLock(&Ext->Lock, irql);
    held = ExAllocatePoolWithTag(NonPagedPool, (cap ? cap : 1) * sizeof(*held), COMPBATT_POOL_TAG);
    if (!held)
        return; /* they catch up at their next step */
    KeAcquireSpinLock(&Ext->Lock, &irql);
    for (PLIST_ENTRY e = Ext->Members.Flink; e != &Ext->Members && n < cap; e = e->Flink) {
        PCOMPBATT_MEMBER m = CONTAINING_RECORD(e, COMPBATT_MEMBER, Link);
        PIRP irp = m == Except || m->Removed || m->Step != CompBattStepWaitStatus
                       ? NULL
                       : CompBattHoldIrpLocked(m);
        if (irp)
            held[n++] = (HELD){m, irp};
    }
    KeReleaseSpinLock(&Ext->Lock, irql);
    for (ULONG i = 0; i < n; i++)
        CompBattCancelHeld(held[i].Member, held[i].Irp);
    ExFreePoolWithTag(held, COMPBATT_POOL_TAG);
}

/* PASSIVE_LEVEL. Reads tag, information and status at once (Timeout 0).
 * Returns what to wait on next. */
static NTSTATUS CompBattMemberRead(PCOMPBATT_MEMBER M, PBOOLEAN TagChanged)
{
    BATTERY_QUERY_INFORMATION query;
    BATTERY_WAIT_STATUS wait;
    COMPBATT_READING reading;
    ULONG tag = 0, noWait = 0;
    NTSTATUS status;
    KIRQL irql;

    RtlZeroMemory(&reading, sizeof(reading));
    status =
        CompBattMemberIoctl(M, IOCTL_BATTERY_QUERY_TAG, &noWait, sizeof(noWait), &tag, sizeof(tag));
    if (NT_SUCCESS(status)) {
        RtlZeroMemory(&query, sizeof(query));
        query.BatteryTag = tag;
        query.InformationLevel = BatteryInformation;
        status = CompBattMemberIoctl(M, IOCTL_BATTERY_QUERY_INFORMATION, &query, sizeof(query),
                                     &reading.Info, sizeof(reading.Info));
    }
    if (NT_SUCCESS(status)) {
        RtlZeroMemory(&wait, sizeof(wait));
        wait.BatteryTag = tag;
        status = CompBattMemberIoctl(M, IOCTL_BATTERY_QUERY_STATUS, &wait, sizeof(wait),
                                     &reading.Status, sizeof(reading.Status));
    }
    reading.Valid = NT_SUCCESS(status);
    KeAcquireSpinLock(&M->Ext->Lock, &irql);
    if (!reading.Valid)
        tag = BATTERY_TAG_INVALID;
    *TagChanged = tag != M->Tag;
    if (*TagChanged)
        M->Ext->SetChanged = TRUE; /* a battery came, went or was replaced */
    M->Tag = tag;
    M->Reading = reading;
    KeReleaseSpinLock(&M->Ext->Lock, irql);
    return status;
}

/* PASSIVE_LEVEL. The next wait: for a battery while the slot is empty,
 * else for any change of power state or capacity from what we hold. */
static VOID CompBattMemberWaitNext(PCOMPBATT_MEMBER M, NTSTATUS ReadStatus)
{
    if (ReadStatus == STATUS_NO_SUCH_DEVICE) {
        M->Step = CompBattStepWaitTag;
        M->Buffer.TagWait = 0xFFFFFFFF; /* docs: -1 = until a battery is there */
        CompBattMemberSend(M, IOCTL_BATTERY_QUERY_TAG, sizeof(ULONG), sizeof(ULONG));
        return;
    }
    if (!NT_SUCCESS(ReadStatus)) {
        M->Step = CompBattStepOpen;
        CompBattRetryLater(M);
        return;
    }
    M->Step = CompBattStepWaitStatus;
    RtlZeroMemory(&M->Buffer, sizeof(M->Buffer));
    M->Buffer.StatusWait.BatteryTag = M->Tag;
    M->Buffer.StatusWait.Timeout = 0xFFFFFFFF;
    M->Buffer.StatusWait.PowerState = M->Reading.Status.PowerState;
    if (M->Reading.Status.Capacity == BATTERY_UNKNOWN_CAPACITY) {
        M->Buffer.StatusWait.LowCapacity = 0;
        M->Buffer.StatusWait.HighCapacity = 0x7FFFFFFF;
    } else {
        /* A step of COMPBATT_WINDOW_PERMILLE of the full charge either way
         * completes it: fine enough for the system's percentage, and wide
         * enough that battc does not re-arm the battery's trip point for
         * every mWh (the window is part of what it asks the miniclass). */
        ULONG full = M->Reading.Info.FullChargedCapacity;
        ULONG step = full != BATTERY_UNKNOWN_CAPACITY ? full / 1000 * COMPBATT_WINDOW_PERMILLE : 0;
        ULONG cap = M->Reading.Status.Capacity;
        step = step ? step : 1;
        M->Buffer.StatusWait.LowCapacity = cap > step ? cap - step : 0;
        M->Buffer.StatusWait.HighCapacity = cap + step;
    }
    /* While the pack works its rate moves between steps: the wait also
     * ends after COMPBATT_WORKING_REFRESH_MS so the composite's rate and
     * time estimate stay current. An idle pack waits for a change only. */
    if (M->Reading.Status.PowerState & (BATTERY_CHARGING | BATTERY_DISCHARGING))
        M->Buffer.StatusWait.Timeout = COMPBATT_WORKING_REFRESH_MS;
    CompBattMemberSend(M, IOCTL_BATTERY_QUERY_STATUS, sizeof(BATTERY_WAIT_STATUS),
                       sizeof(BATTERY_STATUS));
}

/* PASSIVE_LEVEL. Frees a member no request and no timer refers to. */
static VOID CompBattMemberFree(PCOMPBATT_MEMBER M)
{
    PCOMPBATT_EXTENSION ext = M->Ext;
    KIRQL irql;
    BOOLEAN last;

    KeAcquireSpinLock(&ext->Lock, &irql);
    RemoveEntryList(&M->Link);
    last = --ext->MemberCount == 0;
    ext->SetChanged = TRUE;
    KeReleaseSpinLock(&ext->Lock, irql);
    if (M->File)
        ObDereferenceObject(M->File);
    IoFreeWorkItem(M->WorkItem);
    ExFreePoolWithTag(M->SymbolicLink.Buffer, COMPBATT_POOL_TAG);
    ExFreePoolWithTag(M, COMPBATT_POOL_TAG);
    CompBattRecompute(ext);
    if (!ext->Stopping)
        CompBattRefreshOthers(ext, NULL);
    if (last)
        KeSetEvent(&ext->NoMembers, IO_NO_INCREMENT, FALSE);
}

/* PASSIVE_LEVEL. Everything a member does happens here, one at a time. */
static VOID CompBattMemberWork(PDEVICE_OBJECT DeviceObject, PVOID Context)
{
    PCOMPBATT_MEMBER m = Context;
    PCOMPBATT_EXTENSION ext = m->Ext;
    NTSTATUS status = STATUS_SUCCESS;
    PIRP irp;
    KIRQL irql;
    BOOLEAN removed, tagChanged = FALSE;

    UNREFERENCED_PARAMETER(DeviceObject);
    KeAcquireSpinLock(&ext->Lock, &irql);
    irp = m->Irp;
    m->Irp = NULL;
    removed = m->Removed || ext->Stopping;
    KeReleaseSpinLock(&ext->Lock, irql);
    if (irp) {
        status = irp->IoStatus.Status;
        IoFreeIrp(irp);
    }
    if (removed) {
        CompBattMemberFree(m);
        return;
    }
    if (!m->File) {
        status = IoGetDeviceObjectPointer(&m->SymbolicLink, FILE_READ_DATA, &m->File, &m->Device);
        if (!NT_SUCCESS(status)) {
            m->File = NULL;
            CompBattMemberFree(m); /* gone before we could open it */
            return;
        }
    }
    if (m->Step == CompBattStepWaitStatus && NT_SUCCESS(status)) {
        /* The wait brought the new status: only that changed. */
        KeAcquireSpinLock(&ext->Lock, &irql);
        m->Reading.Status = m->Buffer.StatusOut;
        KeReleaseSpinLock(&ext->Lock, irql);
    } else {
        status = CompBattMemberRead(m, &tagChanged);
    }
    CompBattRecompute(ext);
    CompBattMemberWaitNext(m, status);
    if (tagChanged)
        CompBattRefreshOthers(ext, m);
}

static BOOLEAN CompBattSameLink(PCUNICODE_STRING A, PCUNICODE_STRING B)
{
    return RtlEqualUnicodeString(A, B, TRUE);
}

static VOID CompBattAddMember(PCOMPBATT_EXTENSION Ext, PUNICODE_STRING Link)
{
    PCOMPBATT_MEMBER m;
    KIRQL irql;

    m = ExAllocatePoolWithTag(NonPagedPool, sizeof(*m), COMPBATT_POOL_TAG);
    if (!m)
        return;
    RtlZeroMemory(m, sizeof(*m));
    m->Ext = Ext;
    m->SymbolicLink.Buffer = ExAllocatePoolWithTag(NonPagedPool, Link->Length, COMPBATT_POOL_TAG);
    m->WorkItem = IoAllocateWorkItem(Ext->Fdo);
    if (!m->SymbolicLink.Buffer || !m->WorkItem)
        goto fail;
    RtlCopyMemory(m->SymbolicLink.Buffer, Link->Buffer, Link->Length);
    m->SymbolicLink.Length = m->SymbolicLink.MaximumLength = Link->Length;
    KeInitializeTimer(&m->RetryTimer);
    KeInitializeDpc(&m->RetryDpc, CompBattRetryDpc, m);

    KeAcquireSpinLock(&Ext->Lock, &irql);
    for (PLIST_ENTRY e = Ext->Members.Flink; e != &Ext->Members; e = e->Flink) {
        PCOMPBATT_MEMBER other = CONTAINING_RECORD(e, COMPBATT_MEMBER, Link);
        if (!other->Removed && CompBattSameLink(&other->SymbolicLink, Link)) {
            KeReleaseSpinLock(&Ext->Lock, irql);
            goto fail; /* already tracked (arrival reported twice) */
        }
    }
    if (Ext->Stopping) {
        KeReleaseSpinLock(&Ext->Lock, irql);
        goto fail;
    }
    InsertTailList(&Ext->Members, &m->Link);
    Ext->MemberCount++;
    KeClearEvent(&Ext->NoMembers);
    KeReleaseSpinLock(&Ext->Lock, irql);
    CompBattQueueWork(m); /* opens it at PASSIVE_LEVEL, not in this callback */
    return;

fail:
    if (m->WorkItem)
        IoFreeWorkItem(m->WorkItem);
    if (m->SymbolicLink.Buffer)
        ExFreePoolWithTag(m->SymbolicLink.Buffer, COMPBATT_POOL_TAG);
    ExFreePoolWithTag(m, COMPBATT_POOL_TAG);
}

static VOID CompBattRemoveMember(PCOMPBATT_EXTENSION Ext, PUNICODE_STRING Link)
{
    PCOMPBATT_MEMBER found = NULL;
    KIRQL irql;

    KeAcquireSpinLock(&Ext->Lock, &irql);
    for (PLIST_ENTRY e = Ext->Members.Flink; e != &Ext->Members; e = e->Flink) {
        PCOMPBATT_MEMBER m = CONTAINING_RECORD(e, COMPBATT_MEMBER, Link);
        if (!m->Removed && CompBattSameLink(&m->SymbolicLink, Link)) {
            m->Removed = TRUE;
            found = m;
            break;
        }
    }
    KeReleaseSpinLock(&Ext->Lock, irql);
    if (found)
        CompBattCancelMember(found);
}

/* PASSIVE_LEVEL (docs: PnP notification callbacks run in a system thread).
 * Nothing here waits for a battery: opening one is the work item's job. */
NTSTATUS CompBattInterfaceChange(PVOID NotificationStructure, PVOID Context)
{
    PDEVICE_INTERFACE_CHANGE_NOTIFICATION n = NotificationStructure;

    if (IsEqualGUID(&n->Event, &GUID_DEVICE_INTERFACE_ARRIVAL))
        CompBattAddMember(Context, n->SymbolicLinkName);
    else if (IsEqualGUID(&n->Event, &GUID_DEVICE_INTERFACE_REMOVAL))
        CompBattRemoveMember(Context, n->SymbolicLinkName);
    return STATUS_SUCCESS;
}

/* PASSIVE_LEVEL. Stops tracking every battery and waits until the last
 * member is freed (the composite is being removed). */
VOID CompBattStopMembers(PCOMPBATT_EXTENSION Ext)
{
    KIRQL irql;

    for (;;) {
        PCOMPBATT_MEMBER next = NULL;
        KeAcquireSpinLock(&Ext->Lock, &irql);
        Ext->Stopping = TRUE;
        for (PLIST_ENTRY e = Ext->Members.Flink; e != &Ext->Members; e = e->Flink) {
            PCOMPBATT_MEMBER m = CONTAINING_RECORD(e, COMPBATT_MEMBER, Link);
            if (!m->Removed) {
                m->Removed = TRUE;
                next = m;
                break;
            }
        }
        KeReleaseSpinLock(&Ext->Lock, irql);
        if (!next)
            break;
        CompBattCancelMember(next);
    }
    KeWaitForSingleObject(&Ext->NoMembers, Executive, KernelMode, FALSE, NULL);
}
