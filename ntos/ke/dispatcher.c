/* Dispatcher objects and waits. Every object has a wait list of wait blocks;
 * signalling satisfies waiters under the dispatcher lock, so a woken runner
 * counts as busy again before ke_settle can look (virtual time stays exact). */
#include "ke_internal.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static __thread int thread_identity_anchor;

void *ke_thread_identity(void)
{
    return &thread_identity_anchor;
}

static void init_header(DISPATCHER_HEADER *h, UCHAR type, LONG state)
{
    h->Type = type;
    h->Waiting = 0;
    h->Size = 0;
    h->Inserted = 0;
    h->SignalState = state;
    InitializeListHead(&h->WaitListHead);
}

static bool is_signalled(DISPATCHER_HEADER *h, void *thread)
{
    if (h->Type == MutantObject) {
        PKMUTANT m = (PKMUTANT)h;
        return h->SignalState > 0 || m->OwnerThread == thread;
    }
    return __atomic_load_n(&h->SignalState, __ATOMIC_SEQ_CST) > 0;
}

/* Takes what a satisfied wait consumes: a synchronization object resets, a
 * mutex becomes owned, a semaphore counts down. */
static void consume(DISPATCHER_HEADER *h, void *thread)
{
    switch (h->Type) {
    case EventSynchronizationObject:
    case TimerSynchronizationObject:
        __atomic_store_n(&h->SignalState, 0, __ATOMIC_SEQ_CST); /* a setter may CAS beside it */
        break;
    case MutantObject: {
        PKMUTANT m = (PKMUTANT)h;
        if (m->OwnerThread == thread) {
            m->RecursionCount++;
        } else {
            m->OwnerThread = thread;
            m->RecursionCount = 1;
        }
        h->SignalState = 0;
        break;
    }
    case SemaphoreObject:
        h->SignalState--;
        break;
    default:
        break;
    }
}

/* KeSetEvent sets an event nobody waits on without the dispatcher lock.
 * The first eight bytes of the header (Type, Waiting, Size, Inserted,
 * SignalState) are changed as one word: the setter's compare-exchange
 * sees the Waiting a waiter published, or the waiter's publish returns
 * the state the setter left, never neither; and a setter that saw no
 * waiter never touches the event again (a waiter may return and free it
 * the moment the state is set). */
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the header word layout below is little-endian"
#endif
_Static_assert(offsetof(DISPATCHER_HEADER, Waiting) == 1, "Waiting is byte 1");
_Static_assert(offsetof(DISPATCHER_HEADER, SignalState) == 4, "SignalState is bytes 4-7");
#define HEADER_WAITING ((uint64_t)0xFF << 8)
#define HEADER_STATE   ((uint64_t)0xFFFFFFFF << 32)

static uint64_t *header_word(DISPATCHER_HEADER *h)
{
    return (uint64_t *)(void *)h;
}

/* ke_lock held, after any change to h's wait list. */
static void update_waiting_locked(DISPATCHER_HEADER *h)
{
    if (IsListEmpty(&h->WaitListHead))
        __atomic_fetch_and(header_word(h), ~HEADER_WAITING, __ATOMIC_SEQ_CST);
    else
        __atomic_fetch_or(header_word(h), (uint64_t)1 << 8, __ATOMIC_SEQ_CST);
}

static void release_wait_block(ke_wait_block_t *wb, enum wait_state state)
{
    wb->state = state;
    if (wb->object) {
        RemoveEntryList(&wb->object_link);
        update_waiting_locked(wb->object);
    }
    if (wb->deadline != UINT64_MAX)
        RemoveEntryList(&wb->timed_link);
    if (wb->runner)
        ke.runners_blocked--;
    pthread_cond_signal(&wb->cv);
}

void ke_signal_object_locked(DISPATCHER_HEADER *h)
{
    while (!IsListEmpty(&h->WaitListHead)) {
        ke_wait_block_t *wb =
            CONTAINING_RECORD(h->WaitListHead.Flink, ke_wait_block_t, object_link);
        if (!is_signalled(h, wb->thread))
            break;
        consume(h, wb->thread);
        release_wait_block(wb, WAIT_SATISFIED);
    }
}

void ke_time_out_waits_locked(uint64_t now)
{
    PLIST_ENTRY e = ke.timed_waits.Flink;
    while (e != &ke.timed_waits) {
        ke_wait_block_t *wb = CONTAINING_RECORD(e, ke_wait_block_t, timed_link);
        e = e->Flink;
        if (wb->deadline <= now)
            release_wait_block(wb, WAIT_TIMED_OUT);
    }
}

uint64_t ke_next_wait_deadline_locked(void)
{
    uint64_t next = UINT64_MAX;
    for (PLIST_ENTRY e = ke.timed_waits.Flink; e != &ke.timed_waits; e = e->Flink) {
        ke_wait_block_t *wb = CONTAINING_RECORD(e, ke_wait_block_t, timed_link);
        if (wb->deadline < next)
            next = wb->deadline;
    }
    return next;
}

uint64_t ke_due_time(LONGLONG timeout)
{
    if (timeout < 0)
        return clk_now() + (uint64_t)(-timeout);
    /* Absolute: system time. A time already past is due now. */
    uint64_t base = clk_system_base();
    return (uint64_t)timeout > base ? (uint64_t)timeout - base : 0;
}

/* Blocks the calling thread until the object is signalled or the deadline
 * passes. Called with ke_lock held; returns with it held. */
static NTSTATUS block_locked(DISPATCHER_HEADER *h, uint64_t deadline)
{
    ke_wait_block_t wb = {.object = h, .deadline = deadline, .state = WAIT_WAITING};
    wb.thread = ke_thread_identity();
    wb.runner = ke_is_runner();
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&wb.cv, &attr);
    pthread_condattr_destroy(&attr);
    if (h) {
        InsertTailList(&h->WaitListHead, &wb.object_link);
        update_waiting_locked(h);
        /* An event may have been set without the lock between the caller's
         * check and the insert (KeSetEvent saw no waiter then). */
        if (is_signalled(h, wb.thread)) {
            consume(h, wb.thread);
            RemoveEntryList(&wb.object_link);
            update_waiting_locked(h);
            pthread_cond_destroy(&wb.cv);
            return STATUS_SUCCESS;
        }
    }
    if (deadline != UINT64_MAX)
        InsertTailList(&ke.timed_waits, &wb.timed_link);
    if (wb.runner) {
        ke.runners_blocked++;
        ke_ensure_workers_locked();
        ke_idle_check_locked();
    }
    while (wb.state == WAIT_WAITING) {
        if (deadline != UINT64_MAX && clk_mode() == CLK_REAL) {
            uint64_t ns = clk_realtime_deadline_ns(deadline);
            struct timespec ts = {.tv_sec = (time_t)(ns / 1000000000ull),
                                  .tv_nsec = (long)(ns % 1000000000ull)};
            if (pthread_cond_timedwait(&wb.cv, &ke.lock, &ts) == ETIMEDOUT &&
                wb.state == WAIT_WAITING)
                release_wait_block(&wb, WAIT_TIMED_OUT);
        } else {
            pthread_cond_wait(&wb.cv, &ke.lock);
        }
    }
    pthread_cond_destroy(&wb.cv);
    return wb.state == WAIT_SATISFIED ? STATUS_SUCCESS : STATUS_TIMEOUT;
}

NTSTATUS NTAPI KeWaitForSingleObject(PVOID Object, KWAIT_REASON WaitReason,
                                     KPROCESSOR_MODE WaitMode, BOOLEAN Alertable,
                                     PLARGE_INTEGER Timeout)
{
    UNREFERENCED_PARAMETER(WaitReason);
    UNREFERENCED_PARAMETER(WaitMode);
    UNREFERENCED_PARAMETER(Alertable);
    DISPATCHER_HEADER *h = Object;
    void *self = ke_thread_identity();
    NTSTATUS status;

    /* docs: a zero timeout may be used up to DISPATCH_LEVEL; any real wait
     * requires IRQL <= APC_LEVEL. */
    if (!Timeout || Timeout->QuadPart != 0)
        KE_ASSERT_IRQL_LE(APC_LEVEL);
    else
        KE_ASSERT_IRQL_LE(DISPATCH_LEVEL);

    ke_lock();
    if (is_signalled(h, self)) {
        consume(h, self);
        status = STATUS_SUCCESS;
    } else if (Timeout && Timeout->QuadPart == 0) {
        status = STATUS_TIMEOUT;
    } else {
        uint64_t deadline = Timeout ? ke_due_time(Timeout->QuadPart) : UINT64_MAX;
        if (deadline <= clk_now())
            status = STATUS_TIMEOUT;
        else
            status = block_locked(h, deadline);
    }
    ke_unlock();
    return status;
}

NTSTATUS NTAPI KeDelayExecutionThread(KPROCESSOR_MODE WaitMode, BOOLEAN Alertable,
                                      PLARGE_INTEGER Interval)
{
    UNREFERENCED_PARAMETER(WaitMode);
    UNREFERENCED_PARAMETER(Alertable);
    KE_ASSERT_IRQL_LE(APC_LEVEL);
    ke_lock();
    uint64_t deadline = ke_due_time(Interval->QuadPart);
    if (deadline > clk_now())
        block_locked(NULL, deadline);
    ke_unlock();
    return STATUS_SUCCESS;
}

/* ---- events ---- */
void NTAPI KeInitializeEvent(PRKEVENT Event, EVENT_TYPE Type, BOOLEAN State)
{
    init_header(&Event->Header,
                Type == NotificationEvent ? EventNotificationObject : EventSynchronizationObject,
                State ? 1 : 0);
}

LONG NTAPI KeSetEvent(PRKEVENT Event, KPRIORITY Increment, BOOLEAN Wait)
{
    UNREFERENCED_PARAMETER(Increment);
    UNREFERENCED_PARAMETER(Wait);
    KE_ASSERT_IRQL_LE(DISPATCH_LEVEL);
    /* Most events are set with nobody waiting (every IRP's completion
     * event when the driver answered at once): then the state is all there
     * is to change, in one compare-exchange (see header_word). */
    uint64_t *word = header_word(&Event->Header);
    uint64_t old = __atomic_load_n(word, __ATOMIC_RELAXED);
    while (!(old & HEADER_WAITING)) {
        uint64_t set = (old & ~HEADER_STATE) | ((uint64_t)1 << 32);
        if (__atomic_compare_exchange_n(word, &old, set, false, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
            return (LONG)(uint32_t)(old >> 32);
    }
    ke_lock();
    LONG previous = __atomic_exchange_n(&Event->Header.SignalState, 1, __ATOMIC_SEQ_CST);
    ke_signal_object_locked(&Event->Header);
    ke_unlock();
    return previous;
}

void NTAPI KeClearEvent(PRKEVENT Event)
{
    __atomic_store_n(&Event->Header.SignalState, 0, __ATOMIC_SEQ_CST);
}

LONG NTAPI KeResetEvent(PRKEVENT Event)
{
    return __atomic_exchange_n(&Event->Header.SignalState, 0, __ATOMIC_SEQ_CST);
}

LONG NTAPI KeReadStateEvent(PRKEVENT Event)
{
    return __atomic_load_n(&Event->Header.SignalState, __ATOMIC_SEQ_CST);
}

/* ---- mutexes ---- */
void NTAPI KeInitializeMutex(PRKMUTEX Mutex, ULONG Level)
{
    UNREFERENCED_PARAMETER(Level);
    init_header(&Mutex->Header, MutantObject, 1);
    Mutex->OwnerThread = NULL;
    Mutex->RecursionCount = 0;
}

LONG NTAPI KeReleaseMutex(PRKMUTEX Mutex, BOOLEAN Wait)
{
    UNREFERENCED_PARAMETER(Wait);
    ke_lock();
    LONG previous = Mutex->Header.SignalState;
    if (Mutex->OwnerThread != ke_thread_identity()) {
        ke_unlock();
        KeBugCheckEx(0x00000039 /* MUTEX_NOT_OWNED-like */, (ULONG_PTR)Mutex, 0, 0, 0);
    }
    if (--Mutex->RecursionCount == 0) {
        Mutex->OwnerThread = NULL;
        Mutex->Header.SignalState = 1;
        ke_signal_object_locked(&Mutex->Header);
    }
    ke_unlock();
    return previous;
}

LONG NTAPI KeReadStateMutex(PRKMUTEX Mutex)
{
    return __atomic_load_n(&Mutex->Header.SignalState, __ATOMIC_SEQ_CST);
}

/* ---- semaphores ---- */
void NTAPI KeInitializeSemaphore(PRKSEMAPHORE Semaphore, LONG Count, LONG Limit)
{
    init_header(&Semaphore->Header, SemaphoreObject, Count);
    Semaphore->Limit = Limit;
}

LONG NTAPI KeReleaseSemaphore(PRKSEMAPHORE Semaphore, KPRIORITY Increment, LONG Adjustment,
                              BOOLEAN Wait)
{
    UNREFERENCED_PARAMETER(Increment);
    UNREFERENCED_PARAMETER(Wait);
    ke_lock();
    LONG previous = Semaphore->Header.SignalState;
    if (Adjustment <= 0 || previous + Adjustment > Semaphore->Limit) {
        ke_unlock();
        KeBugCheckEx(0x0000003D /* semaphore limit exceeded */, (ULONG_PTR)Semaphore, 0, 0, 0);
    }
    Semaphore->Header.SignalState += Adjustment;
    ke_signal_object_locked(&Semaphore->Header);
    ke_unlock();
    return previous;
}

LONG NTAPI KeReadStateSemaphore(PRKSEMAPHORE Semaphore)
{
    return __atomic_load_n(&Semaphore->Header.SignalState, __ATOMIC_SEQ_CST);
}

/* ---- fast mutexes: a synchronization event plus an owner, raising to APC ---- */
void NTAPI ExInitializeFastMutex(PFAST_MUTEX FastMutex)
{
    FastMutex->Count = 1;
    FastMutex->Owner = NULL;
    FastMutex->Contention = 0;
    KeInitializeEvent(&FastMutex->Event, SynchronizationEvent, TRUE);
}

void FASTCALL ExAcquireFastMutex(PFAST_MUTEX FastMutex)
{
    KE_ASSERT_IRQL_LE(APC_LEVEL);
    if (FastMutex->Owner == ke_thread_identity()) {
        fprintf(stderr,
                "ExAcquireFastMutex: recursive acquire of %p (fast mutexes are not "
                "recursive)\n",
                (void *)FastMutex);
        abort();
    }
    KIRQL old;
    KeRaiseIrql(APC_LEVEL, &old);
    if (__atomic_sub_fetch(&FastMutex->Count, 1, __ATOMIC_SEQ_CST) != 0) {
        FastMutex->Contention++;
    }
    /* The event carries the ownership hand-off; KeWait at APC is allowed. */
    KeWaitForSingleObject(&FastMutex->Event, Executive, KernelMode, FALSE, NULL);
    FastMutex->Owner = ke_thread_identity();
    FastMutex->OldIrql = old;
}

BOOLEAN FASTCALL ExTryToAcquireFastMutex(PFAST_MUTEX FastMutex)
{
    KE_ASSERT_IRQL_LE(APC_LEVEL);
    KIRQL old;
    KeRaiseIrql(APC_LEVEL, &old);
    LARGE_INTEGER zero = {.QuadPart = 0};
    if (KeWaitForSingleObject(&FastMutex->Event, Executive, KernelMode, FALSE, &zero) !=
        STATUS_SUCCESS) {
        KeLowerIrql(old);
        return FALSE;
    }
    __atomic_sub_fetch(&FastMutex->Count, 1, __ATOMIC_SEQ_CST);
    FastMutex->Owner = ke_thread_identity();
    FastMutex->OldIrql = old;
    return TRUE;
}

void FASTCALL ExReleaseFastMutex(PFAST_MUTEX FastMutex)
{
    ASSERT(FastMutex->Owner == ke_thread_identity());
    KIRQL old = (KIRQL)FastMutex->OldIrql;
    FastMutex->Owner = NULL;
    __atomic_add_fetch(&FastMutex->Count, 1, __ATOMIC_SEQ_CST);
    KeSetEvent(&FastMutex->Event, IO_NO_INCREMENT, FALSE);
    KeLowerIrql(old);
}
