/* Framework timers: a KTIMER and KDPC behind a handle. EvtTimerFunc runs
 * in the DPC (DISPATCH_LEVEL, the host's DPC thread), or on a host worker
 * thread at PASSIVE_LEVEL when the attributes ask for
 * WdfExecutionLevelPassive. The parent (a device, queue or an object under
 * a device) is required; deleting the timer stops it and waits for a
 * running callback. */
#include "wdf_internal.h"

typedef struct wdf_timer {
    wdf_object_t object;
    WDF_TIMER_CONFIG config;
    KTIMER timer;
    KDPC dpc;
    bool passive;
    /* Passive callbacks in flight (queued or running), under `lock`. */
    pthread_mutex_t lock;
    pthread_cond_t idle;
    unsigned in_flight;
    bool work_queued;
    ke_work_t work;
} wdf_timer_t;

static void timer_work(ke_work_t *work)
{
    wdf_timer_t *t = CONTAINING_RECORD(work, wdf_timer_t, work);
    pthread_mutex_lock(&t->lock);
    t->work_queued = false;
    pthread_mutex_unlock(&t->lock);
    t->config.EvtTimerFunc((WDFTIMER)t);
    pthread_mutex_lock(&t->lock);
    t->in_flight--;
    pthread_cond_broadcast(&t->idle);
    pthread_mutex_unlock(&t->lock);
}

static void timer_dpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    (void)Dpc, (void)Arg1, (void)Arg2;
    wdf_timer_t *t = Context;
    if (!t->passive) {
        t->config.EvtTimerFunc((WDFTIMER)t);
        return;
    }
    pthread_mutex_lock(&t->lock);
    bool queue_it = !t->work_queued;
    if (queue_it) {
        t->work_queued = true;
        t->in_flight++;
    }
    pthread_mutex_unlock(&t->lock);
    if (queue_it)
        ke_queue_work(&t->work);
}

static void wait_idle(wdf_timer_t *t)
{
    KeFlushQueuedDpcs();
    pthread_mutex_lock(&t->lock);
    while (t->in_flight != 0)
        pthread_cond_wait(&t->idle, &t->lock);
    pthread_mutex_unlock(&t->lock);
}

static void timer_cleanup(wdf_object_t *o)
{
    wdf_timer_t *t = (wdf_timer_t *)o;
    KeCancelTimer(&t->timer);
    wait_idle(t);
}

static void timer_destroy(wdf_object_t *o)
{
    wdf_timer_t *t = (wdf_timer_t *)o;
    pthread_mutex_destroy(&t->lock);
    pthread_cond_destroy(&t->idle);
}

/* The execution level in force: the attributes', else the parents'. */
static bool wants_passive(PWDF_OBJECT_ATTRIBUTES a)
{
    return a->ExecutionLevel == WdfExecutionLevelPassive;
}

NTSTATUS WdfTimerCreate(PWDF_TIMER_CONFIG Config, PWDF_OBJECT_ATTRIBUTES Attributes,
                        WDFTIMER *Timer)
{
    wdf_object_t *o;
    *Timer = NULL;
    if (Config == NULL || Config->Size != sizeof(WDF_TIMER_CONFIG) ||
        Config->EvtTimerFunc == NULL || Attributes == NULL || Attributes->ParentObject == NULL)
        return STATUS_INVALID_PARAMETER; /* docs: a parent is required */
    wdf_object_t *parent = wdf_object_from_handle(Attributes->ParentObject, 0);
    NTSTATUS status = wdf_object_create(WDF_KIND_TIMER, sizeof(wdf_timer_t), Attributes, NULL,
                                        parent->tag, __builtin_return_address(0), &o);
    if (!NT_SUCCESS(status))
        return status;
    wdf_timer_t *t = (wdf_timer_t *)o;
    t->config = *Config;
    t->passive = wants_passive(Attributes);
    pthread_mutex_init(&t->lock, NULL);
    pthread_cond_init(&t->idle, NULL);
    t->work.run = timer_work;
    KeInitializeTimerEx(&t->timer, NotificationTimer);
    KeInitializeDpc(&t->dpc, timer_dpc, t);
    o->cleanup = timer_cleanup;
    o->destroy = timer_destroy;
    *Timer = (WDFTIMER)t;
    return STATUS_SUCCESS;
}

/* <= DISPATCH_LEVEL. */
BOOLEAN WdfTimerStart(WDFTIMER Timer, LONGLONG DueTime)
{
    wdf_timer_t *t = (wdf_timer_t *)wdf_object_from_handle(Timer, WDF_KIND_TIMER);
    LARGE_INTEGER due;
    due.QuadPart = DueTime;
    return KeSetTimerEx(&t->timer, due, (LONG)t->config.Period, &t->dpc);
}

/* Wait TRUE: PASSIVE_LEVEL, and returns after any running callback. */
BOOLEAN WdfTimerStop(WDFTIMER Timer, BOOLEAN Wait)
{
    wdf_timer_t *t = (wdf_timer_t *)wdf_object_from_handle(Timer, WDF_KIND_TIMER);
    BOOLEAN was_queued = KeCancelTimer(&t->timer);
    if (Wait) {
        KE_ASSERT_IRQL_LE(PASSIVE_LEVEL);
        wait_idle(t);
    }
    return was_queued;
}

WDFOBJECT WdfTimerGetParentObject(WDFTIMER Timer)
{
    return (WDFOBJECT)wdf_object_from_handle(Timer, WDF_KIND_TIMER)->parent;
}
