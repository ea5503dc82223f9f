/* Framework work items: EvtWorkItemFunc on a host worker thread at
 * PASSIVE_LEVEL. Enqueueing an item already queued does nothing (docs);
 * an item may be queued again once its callback has started. The parent
 * (a device, queue or an object under a device) is required; deleting the
 * item waits for a queued or running callback. */
#include "wdf_internal.h"

typedef struct wdf_workitem {
    wdf_object_t object;
    WDF_WORKITEM_CONFIG config;
    ke_work_t work;
    pthread_mutex_t lock;
    pthread_cond_t idle;
    bool queued;
    unsigned running;
} wdf_workitem_t;

static void workitem_run(ke_work_t *work)
{
    wdf_workitem_t *w = CONTAINING_RECORD(work, wdf_workitem_t, work);
    pthread_mutex_lock(&w->lock);
    w->queued = false;
    w->running++;
    pthread_mutex_unlock(&w->lock);
    w->config.EvtWorkItemFunc((WDFWORKITEM)w);
    pthread_mutex_lock(&w->lock);
    w->running--;
    pthread_cond_broadcast(&w->idle);
    pthread_mutex_unlock(&w->lock);
    wdf_object_dereference(&w->object); /* the queued item's */
}

static void flush(wdf_workitem_t *w)
{
    pthread_mutex_lock(&w->lock);
    while (w->queued || w->running != 0)
        pthread_cond_wait(&w->idle, &w->lock);
    pthread_mutex_unlock(&w->lock);
}

static void workitem_cleanup(wdf_object_t *o)
{
    flush((wdf_workitem_t *)o);
}

static void workitem_destroy(wdf_object_t *o)
{
    wdf_workitem_t *w = (wdf_workitem_t *)o;
    pthread_mutex_destroy(&w->lock);
    pthread_cond_destroy(&w->idle);
}

NTSTATUS WdfWorkItemCreate(PWDF_WORKITEM_CONFIG Config, PWDF_OBJECT_ATTRIBUTES Attributes,
                           WDFWORKITEM *WorkItem)
{
    wdf_object_t *o;
    *WorkItem = NULL;
    if (Config == NULL || Config->Size != sizeof(WDF_WORKITEM_CONFIG) ||
        Config->EvtWorkItemFunc == NULL || Attributes == NULL || Attributes->ParentObject == NULL)
        return STATUS_INVALID_PARAMETER; /* docs: a parent is required */
    wdf_object_t *parent = wdf_object_from_handle(Attributes->ParentObject, 0);
    NTSTATUS status = wdf_object_create(WDF_KIND_WORKITEM, sizeof(wdf_workitem_t), Attributes, NULL,
                                        parent->tag, __builtin_return_address(0), &o);
    if (!NT_SUCCESS(status))
        return status;
    wdf_workitem_t *w = (wdf_workitem_t *)o;
    w->config = *Config;
    w->work.run = workitem_run;
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->idle, NULL);
    o->cleanup = workitem_cleanup;
    o->destroy = workitem_destroy;
    *WorkItem = (WDFWORKITEM)w;
    return STATUS_SUCCESS;
}

/* <= DISPATCH_LEVEL. */
void WdfWorkItemEnqueue(WDFWORKITEM WorkItem)
{
    wdf_workitem_t *w = (wdf_workitem_t *)wdf_object_from_handle(WorkItem, WDF_KIND_WORKITEM);
    pthread_mutex_lock(&w->lock);
    bool queue_it = !w->queued && !w->object.deleting;
    if (queue_it) {
        w->queued = true;
        wdf_object_reference(&w->object);
    }
    pthread_mutex_unlock(&w->lock);
    if (queue_it)
        ke_queue_work(&w->work);
}

void WdfWorkItemFlush(WDFWORKITEM WorkItem)
{
    KE_ASSERT_IRQL_LE(PASSIVE_LEVEL);
    flush((wdf_workitem_t *)wdf_object_from_handle(WorkItem, WDF_KIND_WORKITEM));
}

WDFOBJECT WdfWorkItemGetParentObject(WDFWORKITEM WorkItem)
{
    return (WDFOBJECT)wdf_object_from_handle(WorkItem, WDF_KIND_WORKITEM)->parent;
}
