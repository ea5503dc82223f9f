/* ke: timers, DPCs, work items, dispatcher objects and waits, on virtual
 * and real time. */
#include "core_fixture.h"

#include <pthread.h>
#include <sched.h>

void bk_test_setup(void)
{
    fixture_start(CLK_VIRTUAL);
}

void bk_test_teardown(void)
{
    fixture_stop();
}

/* ---- timers ---- */
struct fire_log {
    int count;
    int order[16];
    uint64_t at[16];
    KIRQL irql[16];
};

static void log_dpc(PKDPC dpc, PVOID ctx, PVOID a1, PVOID a2)
{
    (void)a1;
    (void)a2;
    struct fire_log *log = ctx;
    int i = __atomic_fetch_add(&log->count, 1, __ATOMIC_SEQ_CST);
    if (i < 16) {
        log->order[i] = (int)(intptr_t)dpc->SystemArgument1 == 0 ? -1 : (int)dpc->Number;
        log->at[i] = clk_now();
        log->irql[i] = KeGetCurrentIrql();
    }
}

TEST(timers_fire_in_due_order_at_their_due_time)
{
    static struct fire_log log;
    memset(&log, 0, sizeof log);
    KTIMER t[3];
    KDPC d[3];
    const int due_ms[3] = {30, 10, 20};
    for (int i = 0; i < 3; i++) {
        KeInitializeTimer(&t[i]);
        KeInitializeDpc(&d[i], log_dpc, &log);
        d[i].Number = (USHORT)due_ms[i];
        LARGE_INTEGER due = {.QuadPart = WDK_TIMEOUT_MS(due_ms[i])};
        KeSetTimer(&t[i], due, &d[i]);
    }
    fixture_advance_ms(9);
    CHECK_EQ(log.count, 0);
    fixture_advance_ms(100);
    REQUIRE(log.count == 3);
    CHECK_EQ(log.order[0], 10);
    CHECK_EQ(log.order[1], 20);
    CHECK_EQ(log.order[2], 30);
    CHECK_EQ(log.at[0], 10 * 10000);
    CHECK_EQ(log.at[1], 20 * 10000);
    CHECK_EQ(log.at[2], 30 * 10000);
    CHECK(KeReadStateTimer(&t[0]));
}

TEST(timer_does_not_fire_one_tick_before_due)
{
    static struct fire_log log;
    memset(&log, 0, sizeof log);
    KTIMER t;
    KDPC d;
    KeInitializeTimer(&t);
    KeInitializeDpc(&d, log_dpc, &log);
    LARGE_INTEGER due = {.QuadPart = WDK_TIMEOUT_MS(10)};
    KeSetTimer(&t, due, &d);
    ke_advance_to(10 * 10000 - 1);
    CHECK_EQ(log.count, 0);
    CHECK(!KeReadStateTimer(&t));
    ke_advance_to(10 * 10000);
    CHECK_EQ(log.count, 1);
}

TEST(dpc_runs_at_dispatch_level)
{
    static struct fire_log log;
    memset(&log, 0, sizeof log);
    KDPC d;
    KeInitializeDpc(&d, log_dpc, &log);
    CHECK(KeInsertQueueDpc(&d, NULL, NULL));
    ke_settle();
    REQUIRE(log.count == 1);
    CHECK_EQ(log.irql[0], DISPATCH_LEVEL);
}

TEST(cancelled_timer_never_fires)
{
    static struct fire_log log;
    memset(&log, 0, sizeof log);
    KTIMER t;
    KDPC d;
    KeInitializeTimer(&t);
    KeInitializeDpc(&d, log_dpc, &log);
    LARGE_INTEGER due = {.QuadPart = WDK_TIMEOUT_MS(5)};
    KeSetTimer(&t, due, &d);
    CHECK(KeCancelTimer(&t));
    CHECK(!KeCancelTimer(&t));
    fixture_advance_ms(50);
    CHECK_EQ(log.count, 0);
}

static int periodic_count;
static void count_dpc(PKDPC dpc, PVOID ctx, PVOID a1, PVOID a2)
{
    (void)dpc;
    (void)ctx;
    (void)a1;
    (void)a2;
    periodic_count++;
}

TEST(periodic_timer_fires_every_period_for_a_virtual_day)
{
    KTIMER t;
    KDPC d;
    periodic_count = 0;
    KeInitializeTimer(&t);
    KeInitializeDpc(&d, count_dpc, NULL);
    LARGE_INTEGER due = {.QuadPart = WDK_TIMEOUT_MS(1000)};
    KeSetTimerEx(&t, due, 1000, &d);
    fixture_advance_ms(24ull * 3600 * 1000);
    CHECK_EQ(periodic_count, 24 * 3600);
    KeCancelTimer(&t);
}

TEST(absolute_due_time_uses_system_time)
{
    static struct fire_log log;
    memset(&log, 0, sizeof log);
    KTIMER t;
    KDPC d;
    LARGE_INTEGER now;
    KeInitializeTimer(&t);
    KeInitializeDpc(&d, log_dpc, &log);
    KeQuerySystemTime(&now);
    LARGE_INTEGER due = {.QuadPart = now.QuadPart + 2500 * 10000ll};
    KeSetTimer(&t, due, &d);
    fixture_advance_ms(2499);
    CHECK_EQ(log.count, 0);
    fixture_advance_ms(1);
    CHECK_EQ(log.count, 1);
}

TEST(system_time_moves_exactly_with_virtual_clock)
{
    LARGE_INTEGER a, b;
    KeQuerySystemTime(&a);
    fixture_advance_ms(1234);
    KeQuerySystemTime(&b);
    CHECK_EQ(b.QuadPart - a.QuadPart, 1234 * 10000ll);
    CHECK_EQ(KeQueryInterruptTime(), 1234 * 10000ull);
}

/* ---- work items and waits ---- */
struct waiter {
    ke_work_t work;
    KEVENT *event;
    LONGLONG timeout; /* 0 = forever */
    NTSTATUS status;
    int done;
    KIRQL irql;
    uint64_t woke_at;
};

static void wait_work(ke_work_t *w)
{
    struct waiter *x = CONTAINING_RECORD(w, struct waiter, work);
    LARGE_INTEGER t = {.QuadPart = x->timeout};
    x->irql = KeGetCurrentIrql();
    x->status =
        KeWaitForSingleObject(x->event, Executive, KernelMode, FALSE, x->timeout ? &t : NULL);
    x->woke_at = clk_now();
    __atomic_store_n(&x->done, 1, __ATOMIC_SEQ_CST);
}

TEST(work_item_runs_at_passive_level)
{
    KEVENT e;
    KeInitializeEvent(&e, NotificationEvent, TRUE);
    struct waiter w = {.work.run = wait_work, .event = &e};
    ke_queue_work(&w.work);
    ke_settle();
    CHECK_EQ(w.done, 1);
    CHECK_EQ(w.irql, PASSIVE_LEVEL);
    CHECK_STATUS(w.status, STATUS_SUCCESS);
}

TEST(wait_times_out_exactly_at_virtual_deadline)
{
    KEVENT e;
    KeInitializeEvent(&e, NotificationEvent, FALSE);
    struct waiter w = {.work.run = wait_work, .event = &e, .timeout = WDK_TIMEOUT_MS(50)};
    ke_queue_work(&w.work);
    ke_settle(); /* the worker is now blocked: settle counts it as idle */
    fixture_advance_ms(49);
    CHECK_EQ(w.done, 0);
    fixture_advance_ms(1);
    CHECK_EQ(w.done, 1);
    CHECK_STATUS(w.status, STATUS_TIMEOUT);
    CHECK_EQ(w.woke_at, 50 * 10000);
}

TEST(synchronization_event_releases_one_waiter_per_set)
{
    KEVENT e;
    KeInitializeEvent(&e, SynchronizationEvent, FALSE);
    struct waiter a = {.work.run = wait_work, .event = &e};
    struct waiter b = a;
    ke_queue_work(&a.work);
    ke_queue_work(&b.work);
    ke_settle();
    KeSetEvent(&e, IO_NO_INCREMENT, FALSE);
    ke_settle();
    CHECK_EQ(a.done + b.done, 1);
    CHECK_EQ(KeReadStateEvent(&e), 0);
    KeSetEvent(&e, IO_NO_INCREMENT, FALSE);
    ke_settle();
    CHECK_EQ(a.done + b.done, 2);
}

TEST(notification_event_releases_every_waiter)
{
    KEVENT e;
    KeInitializeEvent(&e, NotificationEvent, FALSE);
    struct waiter w[5];
    for (int i = 0; i < 5; i++) {
        w[i] = (struct waiter){.work.run = wait_work, .event = &e};
        ke_queue_work(&w[i].work);
    }
    ke_settle();
    KeSetEvent(&e, IO_NO_INCREMENT, FALSE);
    ke_settle();
    int done = 0;
    for (int i = 0; i < 5; i++)
        done += w[i].done;
    CHECK_EQ(done, 5);
    CHECK_EQ(KeReadStateEvent(&e), 1);
}

static void set_event_dpc(PKDPC dpc, PVOID ctx, PVOID a1, PVOID a2)
{
    (void)dpc;
    (void)a1;
    (void)a2;
    KeSetEvent(ctx, IO_NO_INCREMENT, FALSE);
}

TEST(wait_satisfied_by_timer_dpc_at_its_due_time)
{
    KEVENT e;
    KTIMER t;
    KDPC d;
    KeInitializeEvent(&e, NotificationEvent, FALSE);
    KeInitializeTimer(&t);
    KeInitializeDpc(&d, set_event_dpc, &e);
    struct waiter w = {.work.run = wait_work, .event = &e, .timeout = WDK_TIMEOUT_MS(1000)};
    ke_queue_work(&w.work);
    LARGE_INTEGER due = {.QuadPart = WDK_TIMEOUT_MS(300)};
    KeSetTimer(&t, due, &d);
    fixture_advance_ms(2000);
    CHECK_EQ(w.done, 1);
    CHECK_STATUS(w.status, STATUS_SUCCESS);
    CHECK_EQ(w.woke_at, 300 * 10000);
}

TEST(waiting_on_a_timer_object_returns_when_it_expires)
{
    KTIMER t;
    KeInitializeTimer(&t);
    LARGE_INTEGER due = {.QuadPart = WDK_TIMEOUT_MS(70)};
    KeSetTimer(&t, due, NULL);
    struct waiter w = {.work.run = wait_work, .event = (KEVENT *)&t};
    ke_queue_work(&w.work);
    fixture_advance_ms(100);
    CHECK_EQ(w.done, 1);
    CHECK_EQ(w.woke_at, 70 * 10000);
}

struct delayer {
    ke_work_t work;
    uint64_t woke_at;
};
static void delay_work(ke_work_t *w)
{
    struct delayer *x = CONTAINING_RECORD(w, struct delayer, work);
    LARGE_INTEGER i = {.QuadPart = WDK_TIMEOUT_MS(25)};
    KeDelayExecutionThread(KernelMode, FALSE, &i);
    x->woke_at = clk_now();
}

TEST(delay_execution_ends_at_virtual_deadline)
{
    struct delayer d = {.work.run = delay_work};
    ke_queue_work(&d.work);
    fixture_advance_ms(100);
    CHECK_EQ(d.woke_at, 25 * 10000);
}

/* ---- mutexes, semaphores, fast mutexes, spin locks ---- */
TEST(mutex_is_recursive_for_its_owner)
{
    KMUTEX m;
    KeInitializeMutex(&m, 0);
    CHECK_STATUS(KeWaitForSingleObject(&m, Executive, KernelMode, FALSE, NULL), STATUS_SUCCESS);
    CHECK_STATUS(KeWaitForSingleObject(&m, Executive, KernelMode, FALSE, NULL), STATUS_SUCCESS);
    CHECK_EQ(KeReadStateMutex(&m), 0);
    KeReleaseMutex(&m, FALSE);
    CHECK_EQ(KeReadStateMutex(&m), 0);
    KeReleaseMutex(&m, FALSE);
    CHECK_EQ(KeReadStateMutex(&m), 1);
}

TEST(semaphore_counts_down_and_zero_timeout_fails_when_empty)
{
    KSEMAPHORE s;
    LARGE_INTEGER zero = {.QuadPart = 0};
    KeInitializeSemaphore(&s, 2, 5);
    CHECK_STATUS(KeWaitForSingleObject(&s, Executive, KernelMode, FALSE, &zero), STATUS_SUCCESS);
    CHECK_STATUS(KeWaitForSingleObject(&s, Executive, KernelMode, FALSE, &zero), STATUS_SUCCESS);
    CHECK_STATUS(KeWaitForSingleObject(&s, Executive, KernelMode, FALSE, &zero), STATUS_TIMEOUT);
    CHECK_EQ(KeReleaseSemaphore(&s, 0, 3, FALSE), 0);
    CHECK_EQ(KeReadStateSemaphore(&s), 3);
}

struct counter_work {
    ke_work_t work;
    FAST_MUTEX *mutex;
    volatile int *inside, *max_inside, *total;
};
static void counter_run(ke_work_t *w)
{
    struct counter_work *c = CONTAINING_RECORD(w, struct counter_work, work);
    for (int i = 0; i < 2000; i++) {
        ExAcquireFastMutex(c->mutex);
        int now = __atomic_add_fetch(c->inside, 1, __ATOMIC_SEQ_CST);
        if (now > *c->max_inside)
            *c->max_inside = now;
        (*c->total)++;
        __atomic_sub_fetch(c->inside, 1, __ATOMIC_SEQ_CST);
        ExReleaseFastMutex(c->mutex);
    }
}

TEST(fast_mutex_excludes_concurrent_holders)
{
    FAST_MUTEX m;
    volatile int inside = 0, max_inside = 0, total = 0;
    ExInitializeFastMutex(&m);
    struct counter_work w[4];
    for (int i = 0; i < 4; i++) {
        w[i] = (struct counter_work){.work.run = counter_run,
                                     .mutex = &m,
                                     .inside = &inside,
                                     .max_inside = &max_inside,
                                     .total = &total};
        ke_queue_work(&w[i].work);
    }
    ke_settle();
    CHECK_EQ(total, 8000);
    CHECK_EQ(max_inside, 1);
}

TEST(spin_lock_raises_to_dispatch_and_restores)
{
    KSPIN_LOCK l;
    KIRQL old;
    KeInitializeSpinLock(&l);
    KeAcquireSpinLock(&l, &old);
    CHECK_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
    CHECK_EQ(old, PASSIVE_LEVEL);
    KeReleaseSpinLock(&l, old);
    CHECK_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
}

static void wait_under_spin_lock(void)
{
    KSPIN_LOCK l;
    KIRQL old;
    KEVENT e;
    LARGE_INTEGER t = {.QuadPart = WDK_TIMEOUT_MS(1)};
    KeInitializeSpinLock(&l);
    KeInitializeEvent(&e, NotificationEvent, FALSE);
    KeAcquireSpinLock(&l, &old);
    KeWaitForSingleObject(&e, Executive, KernelMode, FALSE, &t);
}

TEST(waiting_at_dispatch_level_is_an_irql_violation)
{
    CHECK(fixture_dies(wait_under_spin_lock));
}

static void lower_above_current(void)
{
    KeLowerIrql(DISPATCH_LEVEL);
}

TEST(lowering_irql_above_current_is_a_violation)
{
    CHECK(fixture_dies(lower_above_current));
}

/* ---- real time ---- */
TEST(real_time_timer_fires_within_bound)
{
    fixture_stop();
    fixture_start(CLK_REAL);
    KEVENT e;
    KTIMER t;
    KDPC d;
    KeInitializeEvent(&e, NotificationEvent, FALSE);
    KeInitializeTimer(&t);
    KeInitializeDpc(&d, set_event_dpc, &e);
    LARGE_INTEGER due = {.QuadPart = WDK_TIMEOUT_MS(20)};
    uint64_t start = clk_now();
    KeSetTimer(&t, due, &d);
    LARGE_INTEGER bound = {.QuadPart = WDK_TIMEOUT_MS(5000)};
    CHECK_STATUS(KeWaitForSingleObject(&e, Executive, KernelMode, FALSE, &bound), STATUS_SUCCESS);
    CHECK(clk_now() - start >= 20 * 10000);
}

/* ---- events without the dispatcher lock ---- */

/* Every IRP's completion event is set once, mostly with nobody waiting:
 * taking the dispatcher lock for it was a sixth of a battery query. */
TEST(set_event_nobody_waits_on_takes_no_dispatcher_lock)
{
    KEVENT e;
    KeInitializeEvent(&e, NotificationEvent, FALSE);
    uint64_t before = ke_lock_count();
    CHECK_EQ(KeSetEvent(&e, IO_NO_INCREMENT, FALSE), 0);
    CHECK_EQ(KeSetEvent(&e, IO_NO_INCREMENT, FALSE), 1);
    KeClearEvent(&e);
    CHECK_EQ(KeSetEvent(&e, IO_NO_INCREMENT, FALSE), 0);
    CHECK_EQ(ke_lock_count() - before, 0);
    CHECK_EQ(KeReadStateEvent(&e), 1);
    /* And a wait on it is satisfied at once. */
    CHECK_STATUS(KeWaitForSingleObject(&e, Executive, KernelMode, FALSE, NULL), STATUS_SUCCESS);
}

struct ping_pong {
    KEVENT go, back;
    int rounds;
    int misses;
};

static void *pong_thread(void *arg)
{
    struct ping_pong *p = arg;
    LARGE_INTEGER bound = {.QuadPart = WDK_TIMEOUT_MS(10000)};
    for (int i = 0; i < p->rounds; i++) {
        if (KeWaitForSingleObject(&p->go, Executive, KernelMode, FALSE, &bound) != STATUS_SUCCESS)
            p->misses++;
        KeSetEvent(&p->back, IO_NO_INCREMENT, FALSE);
    }
    return NULL;
}

/* The lock-free set against a waiter arriving at the same moment, on two
 * threads: every set must release a wait (a lost wake-up would show as a
 * wait running into its 10 s bound). */
TEST(set_event_racing_a_waiter_never_loses_the_wakeup)
{
    fixture_stop();
    fixture_start(CLK_REAL);
    static struct ping_pong p;
    p.rounds = 20000;
    p.misses = 0;
    KeInitializeEvent(&p.go, SynchronizationEvent, FALSE);
    KeInitializeEvent(&p.back, SynchronizationEvent, FALSE);
    pthread_t t;
    REQUIRE(pthread_create(&t, NULL, pong_thread, &p) == 0);
    LARGE_INTEGER bound = {.QuadPart = WDK_TIMEOUT_MS(10000)};
    int misses = 0;
    for (int i = 0; i < p.rounds; i++) {
        KeSetEvent(&p.go, IO_NO_INCREMENT, FALSE);
        if (KeWaitForSingleObject(&p.back, Executive, KernelMode, FALSE, &bound) != STATUS_SUCCESS)
            misses++;
    }
    pthread_join(t, NULL);
    CHECK_EQ(misses, 0);
    CHECK_EQ(p.misses, 0);
    CHECK_EQ(KeReadStateEvent(&p.go), 0);
    CHECK_EQ(KeReadStateEvent(&p.back), 0);
}

/* Virtual time: the tolerance only lets a real-time wake-up be shared; a
 * virtual step fires the timer exactly when due, so runs repeat. */
TEST(coalescable_timer_fires_at_its_due_time_on_virtual_time)
{
    static struct fire_log log;
    memset(&log, 0, sizeof log);
    KTIMER t;
    KDPC d;
    KeInitializeTimer(&t);
    KeInitializeDpc(&d, log_dpc, &log);
    LARGE_INTEGER due = {.QuadPart = WDK_TIMEOUT_MS(100)};
    KeSetCoalescableTimer(&t, due, 100, 50, &d);
    fixture_advance_ms(99);
    CHECK_EQ(log.count, 0);
    fixture_advance_ms(201);
    REQUIRE(log.count == 3);
    CHECK_EQ(log.at[0], 100 * 10000);
    CHECK_EQ(log.at[1], 200 * 10000);
    CHECK_EQ(log.at[2], 300 * 10000);
    KeCancelTimer(&t);
}

struct coalesce_log {
    KEVENT both;
    int count;
    uint64_t at[2];
};

static void coalesce_dpc(PKDPC dpc, PVOID ctx, PVOID a1, PVOID a2)
{
    (void)dpc;
    (void)a1;
    (void)a2;
    struct coalesce_log *log = ctx;
    int i = __atomic_fetch_add(&log->count, 1, __ATOMIC_SEQ_CST);
    if (i < 2)
        log->at[i] = clk_now();
    if (i == 1)
        KeSetEvent(&log->both, IO_NO_INCREMENT, FALSE);
}

/* Real time: a timer due at 20 ms that may be 2 s late waits for the one
 * due at 400 ms, and both fire on the same wake-up of the DPC thread (one
 * wake instead of two: what an idle battd with two bridges saves). */
TEST(coalescable_timers_due_within_tolerance_fire_on_one_wake_up)
{
    fixture_stop();
    fixture_start(CLK_REAL);
    static struct coalesce_log log;
    memset(&log, 0, sizeof log);
    KeInitializeEvent(&log.both, NotificationEvent, FALSE);
    KTIMER early, late;
    KDPC de, dl;
    KeInitializeTimer(&early);
    KeInitializeTimer(&late);
    KeInitializeDpc(&de, coalesce_dpc, &log);
    KeInitializeDpc(&dl, coalesce_dpc, &log);
    uint64_t start = clk_now();
    LARGE_INTEGER due_early = {.QuadPart = WDK_TIMEOUT_MS(20)};
    LARGE_INTEGER due_late = {.QuadPart = WDK_TIMEOUT_MS(400)};
    KeSetCoalescableTimer(&early, due_early, 0, 2000, &de);
    KeSetCoalescableTimer(&late, due_late, 0, 2000, &dl);
    LARGE_INTEGER bound = {.QuadPart = WDK_TIMEOUT_MS(10000)};
    CHECK_STATUS(KeWaitForSingleObject(&log.both, Executive, KernelMode, FALSE, &bound),
                 STATUS_SUCCESS);
    REQUIRE(log.count == 2);
    /* The early one was held until the late one was due... */
    CHECK(log.at[0] - start >= 400 * 10000);
    /* ...and no timer fires before it is due. */
    CHECK(log.at[1] - start >= 400 * 10000);
}

/* Real time: a timer alone in its window fires when it is due, not at the
 * end of its tolerance. A poll re-armed from its own DPC then keeps its
 * period, and the group it met at one wake-up (which fires as soon as the
 * last of them is due) stays together. */
TEST(a_lone_coalescable_timer_fires_when_due_not_at_its_tolerance_end)
{
    fixture_stop();
    fixture_start(CLK_REAL);
    KTIMER t;
    KDPC d;
    KEVENT fired;
    KeInitializeEvent(&fired, NotificationEvent, FALSE);
    KeInitializeDpc(&d, set_event_dpc, &fired);
    KeInitializeTimer(&t);
    uint64_t start = clk_now();
    LARGE_INTEGER due = {.QuadPart = WDK_TIMEOUT_MS(30)};
    KeSetCoalescableTimer(&t, due, 0, 4000, &d);
    LARGE_INTEGER bound = {.QuadPart = WDK_TIMEOUT_MS(10000)};
    CHECK_STATUS(KeWaitForSingleObject(&fired, Executive, KernelMode, FALSE, &bound),
                 STATUS_SUCCESS);
    uint64_t took = clk_now() - start;
    CHECK(took >= 30 * 10000);
    /* The old rule (the window's end) fired it at 4030 ms. */
    CHECK(took < 2000 * 10000);
}

/* ---- how few thread wake-ups an idle system costs ---- */
/* battc re-arms a wait's bound on every wait: each KeSetTimer waking the
 * DPC thread, only to go back to sleep, was most of an idle battd's CPU.
 * Timers due after the thread's wake-up must not signal it; one due before
 * must, and fires on time. */
TEST(a_timer_due_after_the_next_wake_up_does_not_wake_the_dpc_thread)
{
    fixture_stop();
    fixture_start(CLK_REAL);
    KTIMER first, later[50], early;
    KDPC d;
    KEVENT fired;
    KeInitializeTimer(&first);
    LARGE_INTEGER ten_s = {.QuadPart = WDK_TIMEOUT_MS(10000)};
    KeSetTimer(&first, ten_s, NULL);
    uint64_t due = (uint64_t)first.DueTime.QuadPart;
    /* Bounded: the DPC thread goes to sleep until the 10 s timer. */
    uint64_t give_up = clk_now() + 5000 * 10000ull;
    while (ke_dpc_thread_sleep_until() != due && clk_now() < give_up)
        sched_yield();
    REQUIRE(ke_dpc_thread_sleep_until() == due);
    uint64_t before = ke_dpc_thread_signals();
    LARGE_INTEGER twenty_s = {.QuadPart = WDK_TIMEOUT_MS(20000)};
    for (int i = 0; i < 50; i++) {
        KeInitializeTimer(&later[i]);
        KeSetTimer(&later[i], twenty_s, NULL);
    }
    CHECK_EQ(ke_dpc_thread_signals() - before, 0);
    KeInitializeEvent(&fired, NotificationEvent, FALSE);
    KeInitializeDpc(&d, set_event_dpc, &fired);
    KeInitializeTimer(&early);
    LARGE_INTEGER soon = {.QuadPart = WDK_TIMEOUT_MS(20)};
    KeSetTimer(&early, soon, &d);
    CHECK_EQ(ke_dpc_thread_signals() - before, 1);
    LARGE_INTEGER bound = {.QuadPart = WDK_TIMEOUT_MS(5000)};
    CHECK_STATUS(KeWaitForSingleObject(&fired, Executive, KernelMode, FALSE, &bound),
                 STATUS_SUCCESS);
    KeCancelTimer(&first);
    for (int i = 0; i < 50; i++)
        KeCancelTimer(&later[i]);
}

struct ran_on {
    ke_work_t work;
    pthread_t thread;
};

static void note_thread(ke_work_t *w)
{
    CONTAINING_RECORD(w, struct ran_on, work)->thread = pthread_self();
}

/* A quiet system queues one item at a time: it runs on the worker that went
 * idle last, which is still warm, not on each idle worker in turn. */
TEST(work_items_one_at_a_time_run_on_the_worker_that_went_idle_last)
{
    fixture_stop();
    fixture_start(CLK_REAL);
    struct ran_on items[20];
    ke_settle(); /* the workers ke_init started have all gone idle */
    for (int i = 0; i < 20; i++) {
        items[i].work.run = note_thread;
        ke_queue_work(&items[i].work);
        ke_settle();
    }
    for (int i = 1; i < 20; i++)
        CHECK(pthread_equal(items[i].thread, items[0].thread));
}
