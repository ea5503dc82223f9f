/* Platform notifications and the tick. Notify values are queued under
 * plat.lock and delivered by a host worker at PASSIVE_LEVEL to every
 * listening interface instance, never on the stack of whoever changed the
 * machine. The tick (a one-shot KTIMER whose DPC queues a worker) moves the
 * physics to the host clock, looks for what an embedded controller would
 * notify, and sets itself for when the next such thing could happen. */
#include "platform_internal.h"

#include <stdlib.h>

void plat_queue_event_locked(size_t device, ULONG value)
{
    /* The same notification twice in a row says nothing more. */
    if (plat.nevents && plat.events[plat.nevents - 1].device == device &&
        plat.events[plat.nevents - 1].value == value)
        return;
    if (plat.nevents == plat.events_cap) {
        size_t cap = plat.events_cap ? plat.events_cap * 2 : 16;
        plat_event_t *e = realloc(plat.events, cap * sizeof(*e));
        if (!e) {
            bk_log(BK_LOG_ERROR, "platform: out of memory; Notify(%zu, 0x%x) lost", device,
                   (unsigned)value);
            return;
        }
        plat.events = e;
        plat.events_cap = cap;
    }
    plat.events[plat.nevents++] = (plat_event_t){.device = (ULONG)device, .value = value};
    plat_kick_delivery_locked();
}

void plat_events_drop_all_locked(void)
{
    plat.nevents = 0;
}

/* Calls every listener for one event. A listener that unregisters waits
 * (in RegisterEvents) until a callback already running has returned. */
static void deliver_one_locked(const plat_event_t *ev)
{
    PLIST_ENTRY e = plat.clients.Flink;
    while (e != &plat.clients) {
        plat_client_t *c = CONTAINING_RECORD(e, plat_client_t, link);
        if (!c->callback) {
            e = e->Flink;
            continue;
        }
        PBATTKIT_PLATFORM_EVENT_CALLBACK fn = c->callback;
        PVOID ctx = c->callback_context;
        c->busy++;
        c->busy_thread = pthread_self();
        c->refs++; /* keeps c in the list while unlocked */
        pthread_mutex_unlock(&plat.lock);
        fn(ctx, ev->device, ev->value);
        pthread_mutex_lock(&plat.lock);
        c->busy--;
        pthread_cond_broadcast(&plat.idle);
        e = e->Flink;
        if (--c->refs == 0) { /* its owner let go during the callback */
            RemoveEntryList(&c->link);
            free(c);
        }
    }
}

/* PASSIVE_LEVEL, host worker. One deliverer at a time keeps the order. */
static void deliver_work(ke_work_t *w)
{
    (void)w;
    pthread_mutex_lock(&plat.lock);
    plat.deliver_queued = false;
    if (plat.delivering) {
        pthread_mutex_unlock(&plat.lock); /* the running one picks it up */
        return;
    }
    plat.delivering = true;
    while (plat.nevents) {
        plat_event_t ev = plat.events[0];
        memmove(plat.events, plat.events + 1, (plat.nevents - 1) * sizeof(ev));
        plat.nevents--;
        deliver_one_locked(&ev);
    }
    plat.delivering = false;
    pthread_cond_broadcast(&plat.idle);
    pthread_mutex_unlock(&plat.lock);
}

void plat_kick_delivery_locked(void)
{
    if (plat.deliver_queued || !plat.nevents)
        return;
    plat.deliver_queued = true;
    ke_queue_work(&plat.deliver_work);
}

/* Sets the one-shot tick for `delay_ns` from now (plat.lock held). */
static void arm_tick_locked(uint64_t delay_ns)
{
    LARGE_INTEGER due = {.QuadPart = -(LONGLONG)(delay_ns / 100)}; /* relative, 100 ns */
    plat.tick_due_ns = plat_now_ns() + delay_ns;
    KeSetTimer(&plat.tick_timer, due, &plat.tick_dpc);
}

void plat_rearm_tick_locked(void)
{
    if (!plat.loaded || !plat.tick_due_ns)
        return;
    uint64_t delay = plat_next_look_ns_locked();
    if (plat_now_ns() + delay < plat.tick_due_ns)
        arm_tick_locked(delay);
}

/* PASSIVE_LEVEL, host worker: one look at the machine, then the next tick
 * as soon as something could need notifying. */
static void tick_work(ke_work_t *w)
{
    (void)w;
    __atomic_store_n(&plat.tick_queued, false, __ATOMIC_SEQ_CST);
    pthread_mutex_lock(&plat.lock);
    if (plat.loaded && plat.tick_due_ns) {
        plat_advance_all_locked();
        for (size_t i = 0; i < plat.nbat; i++)
            plat_detect_locked(i);
        arm_tick_locked(plat_next_look_ns_locked());
    }
    pthread_mutex_unlock(&plat.lock);
}

/* DISPATCH_LEVEL: only queues the worker (a tick still waiting is enough). */
static void tick_dpc(PKDPC dpc, PVOID context, PVOID arg1, PVOID arg2)
{
    UNREFERENCED_PARAMETER(dpc);
    UNREFERENCED_PARAMETER(context);
    UNREFERENCED_PARAMETER(arg1);
    UNREFERENCED_PARAMETER(arg2);
    if (!__atomic_exchange_n(&plat.tick_queued, true, __ATOMIC_SEQ_CST))
        ke_queue_work(&plat.tick_work);
}

void plat_events_init(void)
{
    plat.deliver_work.run = deliver_work;
    plat.tick_work.run = tick_work;
    KeInitializeTimerEx(&plat.tick_timer, NotificationTimer);
    KeInitializeDpc(&plat.tick_dpc, tick_dpc, NULL);
}

void plat_events_start(void)
{
    pthread_mutex_lock(&plat.lock);
    arm_tick_locked(PLAT_TICK_MIN_NS);
    pthread_mutex_unlock(&plat.lock);
}

/* Stops the tick and waits until no platform work is queued or running. */
void plat_events_stop(void)
{
    pthread_mutex_lock(&plat.lock);
    plat.tick_due_ns = 0;
    KeCancelTimer(&plat.tick_timer);
    pthread_mutex_unlock(&plat.lock);
    KeFlushQueuedDpcs();
    ke_settle();
}
