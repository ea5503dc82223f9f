/* The threads that run deferred work: one DPC thread (DISPATCH_LEVEL, also
 * the real-time timer thread) and a pool of PASSIVE_LEVEL workers that grows
 * when every worker is busy, so a work item that waits cannot starve others. */
#include "ke_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>

#define MAX_WORKERS 64

struct ke_state ke;
static ke_worker_t workers[MAX_WORKERS];
static __thread bool thread_is_runner;

bool ke_is_runner(void)
{
    return thread_is_runner;
}

void ke_set_runner(bool runner)
{
    thread_is_runner = runner;
}

static uint64_t ke_lock_acquisitions; /* changed only with the lock held */

void ke_lock(void)
{
    pthread_mutex_lock(&ke.lock);
    ke_lock_acquisitions++;
}

uint64_t ke_lock_count(void)
{
    ke_lock();
    uint64_t n = --ke_lock_acquisitions; /* a look at the count is not counted */
    ke_unlock();
    return n;
}

void ke_unlock(void)
{
    pthread_mutex_unlock(&ke.lock);
}

/* Idle: nothing queued and every busy runner blocked. A runner settling
 * (waiting for the others) is idle to other settling runners but NOT to an
 * outside caller: that caller must see the runner's work finish. */
static bool idle_locked(bool for_runner)
{
    if (!IsListEmpty(&ke.dpc_queue) || !IsListEmpty(&ke.work_queue) || ke.workers_waking)
        return false;
    int busy = ke.runners_busy - (for_runner ? ke.runners_settling : 0);
    return busy == ke.runners_blocked;
}

void ke_idle_check_locked(void)
{
    if (idle_locked(true))
        pthread_cond_broadcast(&ke.idle_cv);
}

void ke_settle(void)
{
    /* A work item may settle too (the PnP worker unloading a driver): it
     * counts itself as blocked while it waits for the others. */
    bool runner = ke_is_runner();
    KE_ASSERT_IRQL_LE(PASSIVE_LEVEL);
    ke_lock();
    if (runner) {
        ke.runners_settling++;
        ke_ensure_workers_locked();
        ke_idle_check_locked();
    }
    while (!idle_locked(runner))
        pthread_cond_wait(&ke.idle_cv, &ke.lock);
    if (runner)
        ke.runners_settling--;
    ke_unlock();
}

/* Runs one queued DPC on the calling thread at DISPATCH_LEVEL. Called and
 * returns with ke_lock held. */
static void run_one_dpc_locked(void)
{
    PKDPC dpc = CONTAINING_RECORD(RemoveHeadList(&ke.dpc_queue), KDPC, DpcListEntry);
    dpc->DpcData = NULL;
    ke.runners_busy++;
    ke_unlock();
    KIRQL old = KeGetCurrentIrql();
    ke_set_irql(DISPATCH_LEVEL);
    dpc->DeferredRoutine(dpc, dpc->DeferredContext, dpc->SystemArgument1, dpc->SystemArgument2);
    ASSERTMSG("DPC returned at a different IRQL", KeGetCurrentIrql() == DISPATCH_LEVEL);
    ke_set_irql(old);
    ke_lock();
    ke.runners_busy--;
    ke_idle_check_locked();
}

/* Virtual time: the thread moving the clock runs the DPCs its step made
 * due itself (DPCs never block), sparing a thread hand-off per timer. */
void ke_drain_dpcs_locked(void)
{
    bool was_runner = ke_is_runner();
    ke_set_runner(true);
    while (!IsListEmpty(&ke.dpc_queue))
        run_one_dpc_locked();
    ke_set_runner(was_runner);
}

static void *dpc_thread_main(void *arg)
{
    (void)arg;
    ke_set_runner(true);
    ke_lock();
    while (!ke.stopping) {
        if (clk_mode() == CLK_REAL)
            ke_timer_fire_expired_locked(clk_now());
        if (!IsListEmpty(&ke.dpc_queue)) {
            run_one_dpc_locked();
            continue;
        }
        if (clk_mode() == CLK_REAL && !IsListEmpty(&ke.timers)) {
            /* Coalescable timers whose tolerances overlap fire on one
             * wake-up, at the moment the last of them is due. */
            uint64_t due = ke_timer_group_wake_locked();
            uint64_t ns = clk_realtime_deadline_ns(due);
            struct timespec ts = {.tv_sec = (time_t)(ns / 1000000000ull),
                                  .tv_nsec = (long)(ns % 1000000000ull)};
            ke.dpc_sleep_until = due;
            pthread_cond_timedwait(&ke.dpc_cv, &ke.lock, &ts);
        } else {
            ke.dpc_sleep_until = UINT64_MAX;
            pthread_cond_wait(&ke.dpc_cv, &ke.lock);
        }
        ke.dpc_sleep_until = 0;
    }
    ke_unlock();
    return NULL;
}

/* Takes the worker that went idle last off the stack for a queued item;
 * the caller signals it after dropping the lock (a thread woken under the
 * lock would only block on it). NULL when none is idle. */
static ke_worker_t *take_idle_worker_locked(void)
{
    ke_worker_t *w = ke.idle_workers;
    if (w) {
        ke.idle_workers = w->next_idle;
        ke.workers_idle--;
        ke.workers_waking++;
        w->woken = true;
    }
    return w;
}

static void wait_idle_locked(ke_worker_t *self)
{
    self->woken = false;
    self->next_idle = ke.idle_workers;
    ke.idle_workers = self;
    ke.workers_idle++;
    while (!self->woken && !ke.stopping)
        pthread_cond_wait(&self->cv, &ke.lock);
    if (self->woken) {
        ke.workers_waking--;
        ke_idle_check_locked();
    }
}

uint64_t ke_dpc_thread_signals(void)
{
    ke_lock();
    uint64_t n = ke.dpc_signals;
    ke_unlock();
    return n;
}

uint64_t ke_dpc_thread_sleep_until(void)
{
    ke_lock();
    uint64_t until = ke.dpc_sleep_until;
    ke_unlock();
    return until;
}

static void *worker_main(void *arg)
{
    ke_worker_t *self = arg;
    ke_set_runner(true);
    ke_lock();
    ke.workers_waking--; /* counted from its creation */
    ke_idle_check_locked();
    while (!ke.stopping) {
        if (IsListEmpty(&ke.work_queue)) {
            wait_idle_locked(self);
            continue;
        }
        ke_work_t *work = CONTAINING_RECORD(RemoveHeadList(&ke.work_queue), ke_work_t, link);
        ke.work_queued--;
        work->link.Flink = NULL;
        ke.runners_busy++;
        ke_unlock();
        work->run(work);
        ASSERTMSG("work item returned above PASSIVE_LEVEL", KeGetCurrentIrql() == PASSIVE_LEVEL);
        ke_lock();
        ke.runners_busy--;
        ke_idle_check_locked();
    }
    ke_unlock();
    return NULL;
}

static void spawn_worker_locked(void)
{
    if (ke.workers >= MAX_WORKERS)
        return;
    ke_worker_t *w = &workers[ke.workers];
    pthread_cond_init(&w->cv, NULL);
    w->woken = false;
    if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
        pthread_cond_destroy(&w->cv);
        return;
    }
    ke.workers++;
    ke.workers_waking++;
}

void ke_ensure_workers_locked(void)
{
    /* A worker woken or created may not be running yet; each queued item
     * needs one such worker, or an idle one, of its own. */
    int spawn = ke.work_queued - ke.workers_idle - ke.workers_waking;
    while (spawn-- > 0 && ke.workers < MAX_WORKERS)
        spawn_worker_locked();
}

void ke_queue_work(ke_work_t *work)
{
    ke_lock();
    InsertTailList(&ke.work_queue, &work->link);
    ke.work_queued++;
    ke_worker_t *w = take_idle_worker_locked();
    ke_ensure_workers_locked();
    ke_unlock();
    if (w)
        pthread_cond_signal(&w->cv);
}

void ke_init(void)
{
    pthread_mutex_init(&ke.lock, NULL);
    pthread_cond_init(&ke.idle_cv, NULL);
    InitializeListHead(&ke.dpc_queue);
    InitializeListHead(&ke.work_queue);
    InitializeListHead(&ke.timers);
    InitializeListHead(&ke.timed_waits);
    ke.runners_busy = ke.runners_blocked = ke.runners_settling = 0;
    ke.workers = ke.workers_idle = ke.workers_waking = 0;
    ke.idle_workers = NULL;
    ke.dpc_sleep_until = 0;
    ke.dpc_signals = 0;
    ke.work_queued = 0;
    ke.stopping = false;
    ke.timer_sequence = 0;
    /* The real-time DPC thread sleeps until timer deadlines, which are on
     * the monotonic clock. */
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&ke.dpc_cv, &attr);
    pthread_condattr_destroy(&attr);
    ke.inline_dpcs = false;
    ke_lock();
    pthread_create(&ke.dpc_thread, NULL, dpc_thread_main, NULL);
    for (int i = 0; i < 2; i++)
        spawn_worker_locked();
    ke.started = true;
    ke_unlock();
}

void ke_shutdown(void)
{
    if (!ke.started)
        return;
    ke_settle();
    ke_lock();
    ke.stopping = true;
    pthread_cond_broadcast(&ke.dpc_cv);
    int n = ke.workers;
    for (int i = 0; i < n; i++)
        pthread_cond_signal(&workers[i].cv);
    ke_unlock();
    pthread_join(ke.dpc_thread, NULL);
    for (int i = 0; i < n; i++) {
        pthread_join(workers[i].thread, NULL);
        pthread_cond_destroy(&workers[i].cv);
    }
    ke.started = false;
    pthread_cond_destroy(&ke.dpc_cv);
    pthread_cond_destroy(&ke.idle_cv);
    pthread_mutex_destroy(&ke.lock);
}
