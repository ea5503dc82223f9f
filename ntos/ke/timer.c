/* Timers and DPCs. Timers sit in one list sorted by due time (interrupt
 * time); an expired timer is signalled and queues its DPC. In real mode the
 * DPC thread fires timers as they fall due; in virtual mode ke_advance_to
 * fires them, in due order, as the clock is moved. */
#include "ke_internal.h"

#include <limits.h>

void NTAPI KeInitializeDpc(PRKDPC Dpc, PKDEFERRED_ROUTINE DeferredRoutine, PVOID DeferredContext)
{
    Dpc->Type = 19;
    Dpc->Importance = MediumImportance;
    Dpc->Number = 0;
    Dpc->DeferredRoutine = DeferredRoutine;
    Dpc->DeferredContext = DeferredContext;
    Dpc->SystemArgument1 = Dpc->SystemArgument2 = NULL;
    Dpc->DpcData = NULL;
}

void NTAPI KeSetImportanceDpc(PRKDPC Dpc, KDPC_IMPORTANCE Importance)
{
    Dpc->Importance = (UCHAR)Importance;
}

void ke_queue_dpc_locked(PKDPC dpc)
{
    dpc->DpcData = &ke;
    if (dpc->Importance == HighImportance)
        InsertHeadList(&ke.dpc_queue, &dpc->DpcListEntry);
    else
        InsertTailList(&ke.dpc_queue, &dpc->DpcListEntry);
    /* An awake DPC thread looks at the queue before it sleeps again. */
    if (!ke.inline_dpcs && ke.dpc_sleep_until != 0) {
        ke.dpc_signals++;
        pthread_cond_signal(&ke.dpc_cv);
    }
}

BOOLEAN NTAPI KeInsertQueueDpc(PRKDPC Dpc, PVOID SystemArgument1, PVOID SystemArgument2)
{
    BOOLEAN inserted = FALSE;
    ke_lock();
    if (Dpc->DpcData == NULL) { /* docs: a DPC already queued is not queued twice */
        Dpc->SystemArgument1 = SystemArgument1;
        Dpc->SystemArgument2 = SystemArgument2;
        ke_queue_dpc_locked(Dpc);
        inserted = TRUE;
    }
    ke_unlock();
    return inserted;
}

BOOLEAN NTAPI KeRemoveQueueDpc(PRKDPC Dpc)
{
    BOOLEAN removed = FALSE;
    ke_lock();
    if (Dpc->DpcData != NULL) {
        RemoveEntryList(&Dpc->DpcListEntry);
        Dpc->DpcData = NULL;
        removed = TRUE;
        ke_idle_check_locked();
    }
    ke_unlock();
    return removed;
}

void NTAPI KeFlushQueuedDpcs(void)
{
    KE_ASSERT_IRQL_LE(PASSIVE_LEVEL);
    if (!ke_is_runner())
        ke_settle();
}

/* ---- timers ---- */
void NTAPI KeInitializeTimerEx(PKTIMER Timer, TIMER_TYPE Type)
{
    Timer->Header.Type =
        Type == NotificationTimer ? TimerNotificationObject : TimerSynchronizationObject;
    Timer->Header.Inserted = 0;
    Timer->Header.SignalState = 0;
    InitializeListHead(&Timer->Header.WaitListHead);
    Timer->DueTime.QuadPart = 0;
    Timer->Dpc = NULL;
    Timer->Period = 0;
    Timer->Sequence = 0;
}

void NTAPI KeInitializeTimer(PKTIMER Timer)
{
    KeInitializeTimerEx(Timer, NotificationTimer);
}

/* The latest interrupt time a timer may fire at: its due time plus what its
 * TolerableDelay allows (ms), saturating. */
static uint64_t latest_fire_time(PKTIMER t)
{
    uint64_t due = (uint64_t)t->DueTime.QuadPart;
    uint64_t latest = due + (uint64_t)t->TolerableDelay * 10000;
    return latest < due ? UINT64_MAX : latest;
}

/* Keeps equal due times in the order they were set (FIFO). */
static void insert_sorted_locked(PKTIMER timer)
{
    PLIST_ENTRY e = ke.timers.Blink;
    while (e != &ke.timers) {
        PKTIMER t = CONTAINING_RECORD(e, KTIMER, TimerListEntry);
        if (t->DueTime.QuadPart <= timer->DueTime.QuadPart)
            break;
        e = e->Blink;
    }
    InsertHeadList(e, &timer->TimerListEntry);
    timer->Header.Inserted = 1;
}

static BOOLEAN set_timer(PKTIMER Timer, LARGE_INTEGER DueTime, LONG Period, ULONG TolerableDelay,
                         PKDPC Dpc)
{
    KE_ASSERT_IRQL_LE(DISPATCH_LEVEL);
    ke_lock();
    BOOLEAN was_set = Timer->Header.Inserted;
    if (was_set)
        RemoveEntryList(&Timer->TimerListEntry);
    Timer->Header.SignalState = 0;
    Timer->DueTime.QuadPart = ke_due_time(DueTime.QuadPart);
    Timer->Period = Period;
    Timer->TolerableDelay = TolerableDelay;
    Timer->Dpc = Dpc;
    Timer->Sequence = ++ke.timer_sequence;
    insert_sorted_locked(Timer);
    /* Only a timer that must fire before the DPC thread's own wake-up needs
     * it woken (battc re-arms a wait's bound on every wait: a wake each was
     * most of an idle battd's CPU). Signalled after the unlock, so the woken
     * thread does not at once block on the lock. */
    bool wake = clk_mode() == CLK_REAL && ke.dpc_sleep_until != 0 &&
                latest_fire_time(Timer) < ke.dpc_sleep_until;
    ke.dpc_signals += wake;
    ke_unlock();
    if (wake)
        pthread_cond_signal(&ke.dpc_cv);
    return was_set;
}

BOOLEAN NTAPI KeSetTimerEx(PKTIMER Timer, LARGE_INTEGER DueTime, LONG Period, PKDPC Dpc)
{
    return set_timer(Timer, DueTime, Period, 0, Dpc);
}

BOOLEAN NTAPI KeSetCoalescableTimer(PKTIMER Timer, LARGE_INTEGER DueTime, ULONG Period,
                                    ULONG TolerableDelay, PKDPC Dpc)
{
    /* A period beyond LONG is not a timer anyone can wait out: clamped. */
    LONG period = Period > (ULONG)MAXLONG ? MAXLONG : (LONG)Period;
    return set_timer(Timer, DueTime, period, TolerableDelay, Dpc);
}

BOOLEAN NTAPI KeSetTimer(PKTIMER Timer, LARGE_INTEGER DueTime, PKDPC Dpc)
{
    return KeSetTimerEx(Timer, DueTime, 0, Dpc);
}

BOOLEAN NTAPI KeCancelTimer(PKTIMER Timer)
{
    KE_ASSERT_IRQL_LE(DISPATCH_LEVEL);
    ke_lock();
    BOOLEAN was_set = Timer->Header.Inserted;
    if (was_set) {
        RemoveEntryList(&Timer->TimerListEntry);
        Timer->Header.Inserted = 0;
    }
    ke_unlock();
    return was_set;
}

BOOLEAN NTAPI KeReadStateTimer(PKTIMER Timer)
{
    return __atomic_load_n(&Timer->Header.SignalState, __ATOMIC_SEQ_CST) != 0;
}

/* Fires the timers due by now (at most `max`); returns how many fired. */
static size_t fire_expired_locked(uint64_t now, size_t max)
{
    size_t fired = 0;
    while (fired < max && !IsListEmpty(&ke.timers)) {
        PKTIMER t = CONTAINING_RECORD(ke.timers.Flink, KTIMER, TimerListEntry);
        if ((uint64_t)t->DueTime.QuadPart > now)
            break;
        RemoveEntryList(&t->TimerListEntry);
        t->Header.Inserted = 0;
        t->Header.SignalState = 1;
        ke_signal_object_locked(&t->Header);
        if (t->Dpc && t->Dpc->DpcData == NULL) {
            t->Dpc->SystemArgument1 = (PVOID)(ULONG_PTR)t->DueTime.LowPart;
            t->Dpc->SystemArgument2 = (PVOID)(ULONG_PTR)(ULONG)t->DueTime.HighPart;
            ke_queue_dpc_locked(t->Dpc);
        }
        if (t->Period > 0) {
            t->DueTime.QuadPart += (LONGLONG)t->Period * 10000;
            insert_sorted_locked(t);
        }
        fired++;
    }
    return fired;
}

void ke_timer_fire_expired_locked(uint64_t now)
{
    fire_expired_locked(now, SIZE_MAX);
}

uint64_t ke_timer_group_wake_locked(void)
{
    /* The first timers (by due time) whose windows [due, due + tolerance]
     * all overlap fire together at the earliest moment every one of them
     * is due: the latest due time of the group. Not at the end of the
     * shared window: a timer re-armed from its own DPC (a poll, a refresh
     * chain) then starts its next period from the group's moment, not
     * from one pushed later on every round, and timers that met stay met. */
    uint64_t wake = UINT64_MAX, window_end = UINT64_MAX;
    for (PLIST_ENTRY e = ke.timers.Flink; e != &ke.timers; e = e->Flink) {
        PKTIMER t = CONTAINING_RECORD(e, KTIMER, TimerListEntry);
        uint64_t due = (uint64_t)t->DueTime.QuadPart;
        if (due > window_end)
            break; /* sorted: no later timer overlaps the group */
        uint64_t latest = latest_fire_time(t);
        if (latest < window_end)
            window_end = latest;
        wake = due;
    }
    return wake;
}

uint64_t ke_next_due(void)
{
    ke_lock();
    uint64_t due = IsListEmpty(&ke.timers)
                       ? UINT64_MAX
                       : (uint64_t)CONTAINING_RECORD(ke.timers.Flink, KTIMER, TimerListEntry)
                             ->DueTime.QuadPart;
    uint64_t wait = ke_next_wait_deadline_locked(); /* a wait's timeout is a timer too */
    ke_unlock();
    return wait < due ? wait : due;
}

void ke_advance_to(uint64_t target)
{
    if (clk_mode() != CLK_VIRTUAL || ke_is_runner()) {
        bk_log(BK_LOG_ERROR, "ke_advance_to: only a non-runner thread may move virtual time");
        return;
    }
    ke_settle();
    ke_lock();
    for (;;) {
        uint64_t next = ke_next_wait_deadline_locked();
        if (!IsListEmpty(&ke.timers)) {
            uint64_t due =
                CONTAINING_RECORD(ke.timers.Flink, KTIMER, TimerListEntry)->DueTime.QuadPart;
            if (due < next)
                next = due;
        }
        if (next > target)
            break;
        clk_set_virtual_now(next);
        ke.inline_dpcs = true;
        /* One timer at a time, settling after each: the work timers due at
         * the same instant queue then runs in the order they were armed,
         * not racing on the workers, so a virtual run repeats exactly. */
        fire_expired_locked(clk_now(), 1);
        ke_time_out_waits_locked(clk_now());
        ke_drain_dpcs_locked();
        ke.inline_dpcs = false;
        if (!(IsListEmpty(&ke.work_queue) && ke.runners_busy == ke.runners_blocked)) {
            ke_unlock();
            ke_settle();
            ke_lock();
        }
    }
    clk_set_virtual_now(target);
    ke_unlock();
    ke_settle();
}
