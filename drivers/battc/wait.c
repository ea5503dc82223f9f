/* Requests that wait: the waiter lists, their cancel routine, the timer
 * that bounds them (and polls a battery that cannot notify), and the
 * evaluation pass that completes waiters and re-arms the miniclass.
 * Queueing and cancelling a waiter touch that waiter only; a pass, which
 * looks at every waiter, runs when the battery changes or the aggregate
 * the miniclass is armed with can no longer serve a new waiter. */
#include "battc.h"
#include "battc_counters.h"

/* Work done, summed over every battery (battc_counters.h). */
static LONG64 volatile BattcPasses;
static LONG64 volatile BattcWaitersExamined;

static void BattcCountExamined(LONG64 Waiters)
{
    if (Waiters)
        InterlockedExchangeAdd64(&BattcWaitersExamined, Waiters);
}

/* Any IRQL. Linux only: the tests find it in battc.so with dlsym. */
#ifndef _WIN32
__attribute__((visibility("default"))) void BattcQueryCounters(PBATTC_COUNTERS Counters);
__attribute__((visibility("default")))
#endif
void BattcQueryCounters(PBATTC_COUNTERS Counters)
{
    Counters->Passes = (ULONG64)InterlockedExchangeAdd64(&BattcPasses, 0);
    Counters->WaitersExamined = (ULONG64)InterlockedExchangeAdd64(&BattcWaitersExamined, 0);
}

/* <= DISPATCH_LEVEL. docs (IOCTL_BATTERY_QUERY_STATUS): the wait ends when
 * the power state does not match PowerState, or capacity is below
 * LowCapacity or above HighCapacity. "Does not match" is taken as plain
 * inequality of the whole flag set (unverified; Windows may test bits).
 * An unknown capacity is neither below nor above anything: a battery that
 * cannot report capacity would otherwise end every capacity wait at once. */
BOOLEAN BattcStatusSatisfies(const BATTERY_WAIT_STATUS *Wait, const BATTERY_STATUS *Status)
{
    if (Status->PowerState != Wait->PowerState)
        return TRUE;
    if (Status->Capacity == BATTERY_UNKNOWN_CAPACITY)
        return FALSE;
    return Status->Capacity < Wait->LowCapacity || Status->Capacity > Wait->HighCapacity;
}

/* <= DISPATCH_LEVEL. Timeouts are milliseconds; kernel time is 100 ns
 * units, 10,000 per millisecond (pitfall 3: not 1,000). */
ULONGLONG BattcDeadlineFromTimeout(ULONG TimeoutMs)
{
    if (TimeoutMs == BATTC_WAIT_FOREVER)
        return BATTC_NO_DEADLINE;
    return KeQueryInterruptTime() + (ULONGLONG)TimeoutMs * 10000;
}

/* ---- completion ------------------------------------------------------- */

/* <= DISPATCH_LEVEL, no lock held. Completes a waiter taken out of its list
 * (or owned by the cancel routine) and drops its rundown reference: the
 * last touch of the class data on this path. */
static void BattcCompleteWaiter(PBATTC_WAITER Waiter)
{
    PBATTC_CLASS c = Waiter->Class;
    PIRP irp = Waiter->Irp;
    PVOID buffer = irp->AssociatedIrp.SystemBuffer;

    irp->IoStatus.Status = Waiter->Status;
    irp->IoStatus.Information = 0;
    if (NT_SUCCESS(Waiter->Status)) {
        /* Output lengths were checked when the request was queued. */
        if (Waiter->Kind == BattcWaitTag) {
            RtlCopyMemory(buffer, &Waiter->Tag, sizeof(ULONG));
            irp->IoStatus.Information = sizeof(ULONG);
        } else {
            /* docs: a completed status wait returns the whole (current)
             * BATTERY_STATUS, timeout included (pitfall 6). */
            RtlCopyMemory(buffer, &Waiter->BatteryStatus, sizeof(BATTERY_STATUS));
            irp->IoStatus.Information = sizeof(BATTERY_STATUS);
        }
    }
    irp->Tail.Overlay.DriverContext[0] = NULL;
    ExFreePoolWithTag(Waiter, BATTC_TAG_WAITER);
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    IoReleaseRemoveLock(&c->Rundown, irp);
}

static void BattcCompleteList(PLIST_ENTRY Done)
{
    while (!IsListEmpty(Done))
        BattcCompleteWaiter(CONTAINING_RECORD(RemoveHeadList(Done), BATTC_WAITER, Link));
}

/* Lock held. Takes a waiter out of its list for completion, unless its
 * cancel routine already owns it (then the cancel routine completes it and
 * the waiter stays listed until that routine removes it). */
static BOOLEAN BattcTakeWaiterLocked(PBATTC_CLASS Class, PBATTC_WAITER Waiter, NTSTATUS Status,
                                     PLIST_ENTRY Done)
{
    if (IoSetCancelRoutine(Waiter->Irp, NULL) == NULL)
        return FALSE;
    RemoveEntryList(&Waiter->Link);
    Class->WaiterCount--;
    Waiter->Status = Status;
    InsertTailList(Done, &Waiter->Link);
    return TRUE;
}

/* DISPATCH_LEVEL (called holding the cancel spin lock, docs). */
static void BattcCancelRoutine(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PBATTC_WAITER w = Irp->Tail.Overlay.DriverContext[0];
    PBATTC_CLASS c = w->Class;
    KIRQL irql;
    BOOLEAN last;

    UNREFERENCED_PARAMETER(DeviceObject);
    IoReleaseCancelSpinLock(Irp->CancelIrql);
    KeAcquireSpinLock(&c->Lock, &irql);
    RemoveEntryList(&w->Link);
    last = --c->WaiterCount == 0;
    KeReleaseSpinLock(&c->Lock, irql);
    BattcCountExamined(1);
    w->Status = STATUS_CANCELLED;
    /* The others are not looked at: the thresholds armed for them all stay
     * as tight as before, which serves every one still waiting (a change
     * only this waiter cared about starts a pass that settles nobody and
     * re-arms looser). Only the last one's going disarms the miniclass and
     * stops the timer, in a pass with nothing to walk. */
    if (last)
        BattcRequestEvaluation(c);
    BattcCompleteWaiter(w);
}

static BOOLEAN BattcSetTimerLocked(PBATTC_CLASS Class, ULONGLONG Due);

/* How a new waiter gets served without a pass over the others. */
typedef enum _BATTC_ADMISSION {
    BattcAdmitPass,    /* the first of its kind, or nothing armed fits: a pass */
    BattcAdmitCovered, /* what is armed (notification or polling) serves it */
    BattcAdmitTighten  /* armed for its state and battery, window too wide */
} BATTC_ADMISSION;

/* Lock and mini lock held; Waiter not yet listed. A pass leaves the
 * miniclass armed with a window that holds the current status and is
 * notified when the status leaves it, or leaves the battery polled; a
 * waiter whose own window contains the armed one (same battery, same
 * power state) is then woken by anything that could satisfy it. The
 * mini lock keeps a pass from re-arming between this look and the
 * listing. */
static BATTC_ADMISSION BattcAdmitLocked(PBATTC_CLASS Class, const BATTC_WAITER *Waiter)
{
    const BATTERY_NOTIFY *armed = &Class->ArmedNotify;

    if (Waiter->Kind == BattcWaitTag)
        return IsListEmpty(&Class->TagWaiters) ? BattcAdmitPass : BattcAdmitCovered;
    if (IsListEmpty(&Class->StatusWaiters))
        return BattcAdmitPass;
    if (Class->Polling)
        return BattcAdmitCovered;
    if (!Class->NotifyArmed || Class->ArmedTag != Waiter->Wait.BatteryTag ||
        armed->PowerState != Waiter->Wait.PowerState)
        return BattcAdmitPass;
    if (armed->LowCapacity >= Waiter->Wait.LowCapacity &&
        armed->HighCapacity <= Waiter->Wait.HighCapacity)
        return BattcAdmitCovered;
    return BattcAdmitTighten;
}

/* PASSIVE_LEVEL, mini lock held. The armed window narrowed to a new
 * waiter's: one SetStatusNotify instead of a pass. FALSE if the miniclass
 * refused it (a pass then sorts it out). */
static BOOLEAN BattcTightenNotify(PBATTC_CLASS Class, const BATTERY_WAIT_STATUS *Wait)
{
    BATTERY_NOTIFY notify = Class->ArmedNotify;
    NTSTATUS status;

    if (Wait->LowCapacity > notify.LowCapacity)
        notify.LowCapacity = Wait->LowCapacity;
    if (Wait->HighCapacity < notify.HighCapacity)
        notify.HighCapacity = Wait->HighCapacity;
    status = BattcMiniSetStatusNotify(Class, Class->ArmedTag, &notify);
    if (!NT_SUCCESS(status))
        return FALSE;
    Class->ArmedNotify = notify;
    return TRUE;
}

/* PASSIVE_LEVEL, mini lock held: the caller has just asked the miniclass
 * and found that the request must wait, and keeps the lock until the
 * waiter is listed, so no pass re-arms the miniclass in between. */
NTSTATUS BattcQueueWaiter(PBATTC_CLASS Class, PIRP Irp, BATTC_WAIT_KIND Kind,
                          const BATTERY_WAIT_STATUS *Wait, ULONGLONG Deadline)
{
    PBATTC_WAITER w;
    BATTC_ADMISSION admission;
    BATTERY_WAIT_STATUS wait = {0};
    BOOLEAN release = FALSE;
    NTSTATUS status;
    KIRQL irql;

    BATTC_ASSERT_MINI_LOCKED(Class);
    w = BattcAllocate(sizeof(*w), BATTC_TAG_WAITER);
    if (!w)
        return STATUS_INSUFFICIENT_RESOURCES;
    w->Irp = Irp;
    w->Class = Class;
    w->Kind = Kind;
    w->Deadline = Deadline;
    if (Wait)
        w->Wait = wait = *Wait;
    if (!NT_SUCCESS(IoAcquireRemoveLock(&Class->Rundown, Irp))) {
        ExFreePoolWithTag(w, BATTC_TAG_WAITER);
        return STATUS_DEVICE_REMOVED;
    }
    Irp->Tail.Overlay.DriverContext[0] = w;

    KeAcquireSpinLock(&Class->Lock, &irql);
    if (Class->Unloading) {
        status = STATUS_DEVICE_REMOVED;
        goto refuse;
    }
    IoSetCancelRoutine(Irp, BattcCancelRoutine);
    if (Irp->Cancel && IoSetCancelRoutine(Irp, NULL) != NULL) {
        /* Cancelled before it was queued, and the routine will not run. */
        status = STATUS_CANCELLED;
        goto refuse;
    }
    admission = BattcAdmitLocked(Class, w);
    /* From here the IRP can complete on another thread at any moment (a
     * cancel routine that is already running will find it listed): w is
     * not touched once the lock is dropped. */
    IoMarkIrpPending(Irp);
    InsertTailList(Kind == BattcWaitTag ? &Class->TagWaiters : &Class->StatusWaiters, &w->Link);
    Class->WaiterCount++;
    /* Its bound, if earlier than what the timer is set for. A timer that
     * fired has a pass coming, which sets it again with this bound. */
    if (admission != BattcAdmitPass && Deadline != BATTC_NO_DEADLINE &&
        (Class->TimerState == BattcTimerIdle ||
         (Class->TimerState == BattcTimerArmed && Deadline < Class->TimerDue)))
        release = BattcSetTimerLocked(Class, Deadline);
    KeReleaseSpinLock(&Class->Lock, irql);
    BattcCountExamined(1);
    if (release)
        IoReleaseRemoveLock(&Class->Rundown, &Class->Timer);
    if (admission == BattcAdmitTighten && !BattcTightenNotify(Class, &wait))
        admission = BattcAdmitPass;
    /* Arms the miniclass's notification and the timer for the new waiter. */
    if (admission == BattcAdmitPass)
        BattcRequestEvaluation(Class);
    return STATUS_PENDING;

refuse:
    KeReleaseSpinLock(&Class->Lock, irql);
    Irp->Tail.Overlay.DriverContext[0] = NULL;
    ExFreePoolWithTag(w, BATTC_TAG_WAITER);
    IoReleaseRemoveLock(&Class->Rundown, Irp);
    return status;
}

/* PASSIVE_LEVEL (unload). */
void BattcFlushWaiters(PBATTC_CLASS Class, NTSTATUS Status)
{
    LIST_ENTRY done;
    PLIST_ENTRY lists[2] = {&Class->TagWaiters, &Class->StatusWaiters};
    KIRQL irql;

    InitializeListHead(&done);
    KeAcquireSpinLock(&Class->Lock, &irql);
    for (int i = 0; i < 2; i++) {
        PLIST_ENTRY e = lists[i]->Flink;
        while (e != lists[i]) {
            PBATTC_WAITER w = CONTAINING_RECORD(e, BATTC_WAITER, Link);
            e = e->Flink;
            BattcTakeWaiterLocked(Class, w, Status, &done);
        }
    }
    KeReleaseSpinLock(&Class->Lock, irql);
    BattcCompleteList(&done);
}

/* ---- timer -------------------------------------------------------------- */

/* Lock held. Makes the timer fire at Due (interrupt time), or not at all
 * with BATTC_NO_DEADLINE. A timer that already fired is left alone: its
 * DPC asks for a pass, and that pass sets the timer again. Returns TRUE if
 * the caller must drop one rundown reference (a cancelled arming). */
static BOOLEAN BattcSetTimerLocked(PBATTC_CLASS Class, ULONGLONG Due)
{
    BOOLEAN release = FALSE;

    if (Class->TimerState == BattcTimerArmed) {
        if (Due == Class->TimerDue)
            return FALSE;
        if (KeCancelTimer(&Class->Timer)) {
            Class->TimerState = BattcTimerIdle;
            release = TRUE;
        } else {
            Class->TimerState = BattcTimerFired;
        }
    }
    if (Class->TimerState != BattcTimerIdle || Due == BATTC_NO_DEADLINE || Class->Unloading)
        return release;
    if (release) {
        release = FALSE; /* the cancelled arming's reference carries over */
    } else if (!NT_SUCCESS(IoAcquireRemoveLock(&Class->Rundown, &Class->Timer))) {
        return FALSE;
    }
    ULONGLONG now = KeQueryInterruptTime();
    LARGE_INTEGER relative;
    relative.QuadPart = Due > now ? -(LONGLONG)(Due - now) : -1;
    /* A bound may end a little late: a refresh (the power manager's, the
     * composite's) then shares the wake-up of a poll due about then
     * instead of waking the system on its own. */
    ULONGLONG tolerance_ms = Due > now ? (Due - now) / 10000 / BATTC_BOUND_TOLERANCE_DIVISOR : 0;
    if (tolerance_ms > BATTC_BOUND_TOLERANCE_MAX_MS)
        tolerance_ms = BATTC_BOUND_TOLERANCE_MAX_MS;
    Class->TimerDue = Due;
    Class->TimerState = BattcTimerArmed;
    KeSetCoalescableTimer(&Class->Timer, relative, 0, (ULONG)tolerance_ms, &Class->TimerDpc);
    return FALSE;
}

static void BattcSetTimer(PBATTC_CLASS Class, ULONGLONG Due)
{
    BOOLEAN release;
    KIRQL irql;

    KeAcquireSpinLock(&Class->Lock, &irql);
    release = BattcSetTimerLocked(Class, Due);
    KeReleaseSpinLock(&Class->Lock, irql);
    if (release)
        IoReleaseRemoveLock(&Class->Rundown, &Class->Timer);
}

/* PASSIVE_LEVEL (unload; Unloading already set, so nothing re-arms it). */
void BattcStopTimer(PBATTC_CLASS Class)
{
    BattcSetTimer(Class, BATTC_NO_DEADLINE);
}

/* DISPATCH_LEVEL. A waiter's bound or a poll is due: ask for a pass. */
void BattcTimerDpc(PKDPC Dpc, PVOID DeferredContext, PVOID SystemArgument1, PVOID SystemArgument2)
{
    PBATTC_CLASS c = DeferredContext;

    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(SystemArgument1);
    UNREFERENCED_PARAMETER(SystemArgument2);
    KeAcquireSpinLockAtDpcLevel(&c->Lock);
    c->TimerState = BattcTimerIdle;
    KeReleaseSpinLockFromDpcLevel(&c->Lock);
    BattcRequestEvaluation(c);
    IoReleaseRemoveLock(&c->Rundown, &c->Timer); /* last touch of c */
}

/* ---- evaluation --------------------------------------------------------- */

typedef struct _BATTC_TAG_RESULT {
    ULONG Tag;
    NTSTATUS Status;
    BATTERY_STATUS BatteryStatus;
} BATTC_TAG_RESULT;

typedef struct _BATTC_PASS {
    ULONGLONG Now;
    BOOLEAN TagWaiters;
    BOOLEAN MoreTags; /* waiters on more distinct tags than one pass asks about */
    ULONG EventsEnabled;
    NTSTATUS TagStatus;
    ULONG CurrentTag;
    ULONG ResultCount;
    BATTC_TAG_RESULT Results[BATTC_MAX_PASS_TAGS + 1];
} BATTC_PASS;

static BATTC_TAG_RESULT *BattcFindResult(BATTC_PASS *Pass, ULONG Tag)
{
    for (ULONG i = 0; i < Pass->ResultCount; i++)
        if (Pass->Results[i].Tag == Tag)
            return &Pass->Results[i];
    return NULL;
}

/* Lock held. Which tags this pass must ask QueryStatus about. */
static void BattcSnapshotLocked(PBATTC_CLASS Class, BATTC_PASS *Pass)
{
    LONG64 examined = 0;

    Pass->TagWaiters = !IsListEmpty(&Class->TagWaiters);
    Pass->EventsEnabled = Class->EventsEnabled;
    for (PLIST_ENTRY e = Class->StatusWaiters.Flink; e != &Class->StatusWaiters; e = e->Flink) {
        PBATTC_WAITER w = CONTAINING_RECORD(e, BATTC_WAITER, Link);
        examined++;
        if (BattcFindResult(Pass, w->Wait.BatteryTag))
            continue;
        if (Pass->ResultCount == BATTC_MAX_PASS_TAGS) {
            Pass->MoreTags = TRUE;
            break;
        }
        Pass->Results[Pass->ResultCount++].Tag = w->Wait.BatteryTag;
    }
    BattcCountExamined(examined);
}

/* mini lock held. One QueryTag if anyone needs the tag, one QueryStatus
 * per distinct tag. */
static void BattcQueryMiniclass(PBATTC_CLASS Class, BATTC_PASS *Pass)
{
    Pass->TagStatus = STATUS_NO_SUCH_DEVICE;
    Pass->CurrentTag = BATTERY_TAG_INVALID;
    if (Pass->TagWaiters || Pass->EventsEnabled)
        Pass->TagStatus = BattcMiniQueryTag(Class, &Pass->CurrentTag);
    /* The events want the power state of the current battery even when
     * nobody waits on it. */
    if (Pass->EventsEnabled && NT_SUCCESS(Pass->TagStatus) &&
        !BattcFindResult(Pass, Pass->CurrentTag))
        Pass->Results[Pass->ResultCount++].Tag = Pass->CurrentTag;
    for (ULONG i = 0; i < Pass->ResultCount; i++) {
        BATTC_TAG_RESULT *r = &Pass->Results[i];
        r->Status = BattcMiniQueryStatus(Class, r->Tag, &r->BatteryStatus);
    }
}

/* What the remaining waiters need once the satisfied ones are out. */
typedef struct _BATTC_NEEDS {
    BOOLEAN Notify; /* status waiters remain: arm SetStatusNotify */
    ULONG NotifyTag;
    BATTERY_NOTIFY Thresholds;
    BOOLEAN TagWaiters;
} BATTC_NEEDS;

/* Lock held. Moves every waiter this pass can settle to Done and works out
 * the aggregate the others need. */
static void BattcDecideLocked(PBATTC_CLASS Class, BATTC_PASS *Pass, PLIST_ENTRY Done,
                              BATTC_NEEDS *Needs)
{
    LONG64 examined = 0;
    PLIST_ENTRY e;

    for (e = Class->TagWaiters.Flink; e != &Class->TagWaiters;) {
        PBATTC_WAITER w = CONTAINING_RECORD(e, BATTC_WAITER, Link);
        e = e->Flink;
        examined++;
        if (NT_SUCCESS(Pass->TagStatus)) { /* a battery is there (asked this pass) */
            w->Tag = Pass->CurrentTag;
            if (BattcTakeWaiterLocked(Class, w, STATUS_SUCCESS, Done))
                continue;
        } else if (w->Deadline <= Pass->Now) {
            /* docs: no battery when the wait ends -> ERROR_FILE_NOT_FOUND. */
            if (BattcTakeWaiterLocked(Class, w, STATUS_NO_SUCH_DEVICE, Done))
                continue;
        }
        Needs->TagWaiters = TRUE;
    }

    Needs->Thresholds.LowCapacity = 0;
    Needs->Thresholds.HighCapacity = MAXULONG;
    for (e = Class->StatusWaiters.Flink; e != &Class->StatusWaiters;) {
        PBATTC_WAITER w = CONTAINING_RECORD(e, BATTC_WAITER, Link);
        BATTC_TAG_RESULT *r = BattcFindResult(Pass, w->Wait.BatteryTag);
        e = e->Flink;
        examined++;
        if (r && !NT_SUCCESS(r->Status)) {
            /* docs: a tag change aborts the wait (STATUS_NO_SUCH_DEVICE);
             * any other failure of the miniclass ends it the same way. */
            if (BattcTakeWaiterLocked(Class, w, r->Status, Done))
                continue;
        } else if (r && (BattcStatusSatisfies(&w->Wait, &r->BatteryStatus) ||
                         w->Deadline <= Pass->Now)) {
            /* A bound that expired completes with the current status. */
            w->BatteryStatus = r->BatteryStatus;
            if (BattcTakeWaiterLocked(Class, w, STATUS_SUCCESS, Done))
                continue;
        }
        if (!r || !NT_SUCCESS(r->Status))
            continue; /* queued after the snapshot: the next pass has it */
        /* Every remaining waiter on this battery has PowerState equal to
         * the current one (else it completed above); the miniclass must
         * call back when the state changes, when capacity drops below the
         * highest LowCapacity or rises above the lowest HighCapacity. */
        if (!Needs->Notify) {
            Needs->Notify = TRUE;
            Needs->NotifyTag = r->Tag;
            Needs->Thresholds.PowerState = r->BatteryStatus.PowerState;
        } else if (r->Tag != Needs->NotifyTag) {
            continue; /* a miniclass answering for two tags at once: arm one */
        }
        if (w->Wait.LowCapacity > Needs->Thresholds.LowCapacity)
            Needs->Thresholds.LowCapacity = w->Wait.LowCapacity;
        if (w->Wait.HighCapacity < Needs->Thresholds.HighCapacity)
            Needs->Thresholds.HighCapacity = w->Wait.HighCapacity;
    }
    if (Pass->MoreTags)
        Class->EvalRequested = TRUE;
    BattcCountExamined(examined);
}

/* mini lock held. Arms the miniclass for the remaining status waiters or
 * disarms it when none remain. Returns TRUE if waiters must be polled. */
static BOOLEAN BattcArmMiniclass(PBATTC_CLASS Class, const BATTC_NEEDS *Needs)
{
    if (Needs->Notify) {
        BATTERY_NOTIFY notify = Needs->Thresholds;
        /* Armed already with this very request: asking again would only
         * let a miniclass that reports from inside SetStatusNotify (real
         * drivers do) start the next pass, and the next, for ever. */
        if (Class->NotifyArmed && Class->ArmedTag == Needs->NotifyTag &&
            RtlEqualMemory(&Class->ArmedNotify, &notify, sizeof(notify)))
            return FALSE;
        NTSTATUS status = BattcMiniSetStatusNotify(Class, Needs->NotifyTag, &notify);
        /* A failed one is asked again on every pass: Windows retries after
         * NOT_SUPPORTED too (observed), and a stale-tag failure is transient. */
        Class->NotifyArmed = NT_SUCCESS(status);
        Class->ArmedTag = Needs->NotifyTag;
        Class->ArmedNotify = Needs->Thresholds;
        Class->NotifyUnsupported = status == STATUS_NOT_SUPPORTED;
        Class->Polling = !NT_SUCCESS(status);
    } else {
        if (Class->NotifyArmed)
            BattcMiniDisableStatusNotify(Class);
        Class->NotifyArmed = FALSE;
        Class->Polling = FALSE;
    }
    /* A battery's arrival must be notified (docs), but a miniclass known
     * not to notify gets its empty slot polled too. */
    return Class->Polling ||
           (Needs->TagWaiters && (Class->NotifyUnsupported || !Class->Mini.SetStatusNotify));
}

/* Lock held. The earliest bound of the waiters listed. */
static ULONGLONG BattcEarliestDeadlineLocked(PBATTC_CLASS Class)
{
    PLIST_ENTRY lists[] = {&Class->TagWaiters, &Class->StatusWaiters};
    ULONGLONG due = BATTC_NO_DEADLINE;

    for (ULONG i = 0; i < RTL_NUMBER_OF(lists); i++)
        for (PLIST_ENTRY e = lists[i]->Flink; e != lists[i]; e = e->Flink) {
            PBATTC_WAITER w = CONTAINING_RECORD(e, BATTC_WAITER, Link);
            if (w->Deadline < due)
                due = w->Deadline;
        }
    return due;
}

/* PASSIVE_LEVEL (the work item). */
void BattcEvaluate(PBATTC_CLASS Class)
{
    BATTC_PASS pass;
    BATTC_NEEDS needs;
    LIST_ENTRY done;
    ULONGLONG due;
    BOOLEAN poll, release;
    KIRQL irql;

    PAGED_CODE();
    RtlZeroMemory(&pass, sizeof(pass));
    RtlZeroMemory(&needs, sizeof(needs));
    InitializeListHead(&done);

    BattcLockMiniclass(Class);
    KeAcquireSpinLock(&Class->Lock, &irql);
    if (Class->Unloading) {
        KeReleaseSpinLock(&Class->Lock, irql);
        BattcUnlockMiniclass(Class);
        return;
    }
    BattcSnapshotLocked(Class, &pass);
    KeReleaseSpinLock(&Class->Lock, irql);
    InterlockedIncrement64(&BattcPasses);

    BattcQueryMiniclass(Class, &pass);
    pass.Now = KeQueryInterruptTime();

    KeAcquireSpinLock(&Class->Lock, &irql);
    BattcDecideLocked(Class, &pass, &done, &needs);
    KeReleaseSpinLock(&Class->Lock, irql);

    poll = BattcArmMiniclass(Class, &needs);
    if (pass.EventsEnabled) {
        BATTC_TAG_RESULT *r =
            NT_SUCCESS(pass.TagStatus) ? BattcFindResult(&pass, pass.CurrentTag) : NULL;
        BattcWmiCheckEvents(Class, pass.EventsEnabled, pass.TagStatus, pass.CurrentTag,
                            r && NT_SUCCESS(r->Status) ? &r->BatteryStatus : NULL);
    }
    BattcUnlockMiniclass(Class);

    /* The bound of every waiter listed now, not only of those this pass
     * decided on: one queued since the mini lock was dropped may have set
     * the timer for its own bound, which a due worked out before it came
     * would cancel (the wait then ran unbounded). */
    KeAcquireSpinLock(&Class->Lock, &irql);
    due = BattcEarliestDeadlineLocked(Class);
    if (poll && pass.Now + (ULONGLONG)BATTC_POLL_INTERVAL_MS * 10000 < due)
        due = pass.Now + (ULONGLONG)BATTC_POLL_INTERVAL_MS * 10000;
    release = BattcSetTimerLocked(Class, due);
    KeReleaseSpinLock(&Class->Lock, irql);
    if (release)
        IoReleaseRemoveLock(&Class->Rundown, &Class->Timer);

    /* Outside every lock: a completion routine may send the next request. */
    BattcCompleteList(&done);
}
