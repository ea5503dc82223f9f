/* Framework I/O queues: requests wait in a queue until the dispatch type
 * lets one more be delivered (sequential: one at a time; parallel: up to
 * NumberOfPresentedRequests; manual: only WdfIoQueueRetrieveNextRequest);
 * power-managed queues deliver only while the device is in D0. A waiting
 * request is cancellable: the framework completes it with STATUS_CANCELLED
 * (or hands it to EvtIoCanceledOnQueue).
 *
 * Threads and IRQL: a request is delivered on the thread that sent it
 * (PASSIVE_LEVEL) when the queue has room; otherwise on the thread whose
 * completion made room, if that runs at PASSIVE_LEVEL, else on a host
 * worker thread at PASSIVE_LEVEL. The queue lock is never held while a
 * driver callback runs. */
#include "wdf_internal.h"

#define WDF_QUEUE_TAG 'uQxF'

static bool can_deliver_locked(wdf_queue_t *q)
{
    if (q->stopped || q->power_held || IsListEmpty(&q->waiting))
        return false;
    switch (q->config.DispatchType) {
    case WdfIoQueueDispatchSequential:
        return q->driver_owned == 0;
    case WdfIoQueueDispatchParallel:
        return q->config.Settings.Parallel.NumberOfPresentedRequests == (ULONG)-1 ||
               q->driver_owned < q->config.Settings.Parallel.NumberOfPresentedRequests;
    default:
        return false; /* manual: the driver retrieves */
    }
}

static void invoke(wdf_queue_t *q, wdf_request_t *r)
{
    PIO_STACK_LOCATION s = IoGetCurrentIrpStackLocation(r->irp);
    WDFQUEUE hq = (WDFQUEUE)q;
    WDFREQUEST hr = (WDFREQUEST)r;
    const WDF_IO_QUEUE_CONFIG *c = &q->config;
    switch (s->MajorFunction) {
    case IRP_MJ_DEVICE_CONTROL:
        if (c->EvtIoDeviceControl) {
            c->EvtIoDeviceControl(hq, hr, s->Parameters.DeviceIoControl.OutputBufferLength,
                                  s->Parameters.DeviceIoControl.InputBufferLength,
                                  s->Parameters.DeviceIoControl.IoControlCode);
            return;
        }
        break;
    case IRP_MJ_INTERNAL_DEVICE_CONTROL:
        if (c->EvtIoInternalDeviceControl) {
            c->EvtIoInternalDeviceControl(hq, hr, s->Parameters.DeviceIoControl.OutputBufferLength,
                                          s->Parameters.DeviceIoControl.InputBufferLength,
                                          s->Parameters.DeviceIoControl.IoControlCode);
            return;
        }
        break;
    case IRP_MJ_READ:
        if (c->EvtIoRead) {
            c->EvtIoRead(hq, hr, s->Parameters.Read.Length);
            return;
        }
        break;
    case IRP_MJ_WRITE:
        if (c->EvtIoWrite) {
            c->EvtIoWrite(hq, hr, s->Parameters.Write.Length);
            return;
        }
        break;
    default:
        break;
    }
    if (c->EvtIoDefault) {
        c->EvtIoDefault(hq, hr);
        return;
    }
    /* docs: no callback for the type and no EvtIoDefault. */
    wdf_request_complete(r, STATUS_INVALID_DEVICE_REQUEST, 0, true);
}

/* Takes a waiting request away from cancellation. False: its cancel
 * routine is running or ran, and completes it; it is unlinked either way. */
static bool take_waiting_locked(wdf_queue_t *q, wdf_request_t *r)
{
    RemoveEntryList(&r->link);
    InitializeListHead(&r->link);
    r->waiting = false;
    q->nwaiting--;
    return IoSetCancelRoutine(r->irp, NULL) != NULL;
}

void wdf_queue_deliver(wdf_queue_t *q)
{
    pthread_mutex_lock(&q->lock);
    if (q->dispatching) {
        /* The thread delivering now looks again after its callback. */
        pthread_mutex_unlock(&q->lock);
        return;
    }
    q->dispatching = true;
    while (can_deliver_locked(q)) {
        wdf_request_t *r = CONTAINING_RECORD(q->waiting.Flink, wdf_request_t, link);
        if (!take_waiting_locked(q, r))
            continue;
        r->driver_owned = true;
        q->driver_owned++;
        pthread_mutex_unlock(&q->lock);
        invoke(q, r);
        pthread_mutex_lock(&q->lock);
    }
    q->dispatching = false;
    pthread_mutex_unlock(&q->lock);
}

static void deliver_work(ke_work_t *work)
{
    wdf_queue_t *q = CONTAINING_RECORD(work, wdf_queue_t, work);
    pthread_mutex_lock(&q->lock);
    q->work_queued = false;
    pthread_mutex_unlock(&q->lock);
    wdf_queue_deliver(q);
    wdf_object_dereference(&q->object);
}

/* Delivers now at PASSIVE_LEVEL, or from a worker thread above it. */
static void deliver_soon(wdf_queue_t *q)
{
    if (KeGetCurrentIrql() == PASSIVE_LEVEL) {
        wdf_queue_deliver(q);
        return;
    }
    pthread_mutex_lock(&q->lock);
    bool queue_it = !q->work_queued && can_deliver_locked(q);
    if (queue_it) {
        q->work_queued = true;
        wdf_object_reference(&q->object);
    }
    pthread_mutex_unlock(&q->lock);
    if (queue_it)
        ke_queue_work(&q->work);
}

void wdf_queue_request_done(wdf_queue_t *q)
{
    pthread_mutex_lock(&q->lock);
    q->driver_owned--;
    pthread_cond_broadcast(&q->idle);
    bool more = can_deliver_locked(q) && !q->dispatching;
    pthread_mutex_unlock(&q->lock);
    if (more)
        deliver_soon(q);
}

/* IoCancelIrp's routine for a waiting request: called with the cancel spin
 * lock held (DISPATCH_LEVEL); it always completes the request, since
 * delivery leaves a request whose routine was taken to it. */
static void cancel_waiting(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    (void)DeviceObject;
    IoReleaseCancelSpinLock(Irp->CancelIrql);
    wdf_request_t *r = Irp->Tail.Overlay.DriverContext[0];
    wdf_queue_t *q = r->queue;
    pthread_mutex_lock(&q->lock);
    if (r->waiting) {
        RemoveEntryList(&r->link);
        InitializeListHead(&r->link);
        r->waiting = false;
        q->nwaiting--;
    }
    bool to_driver = q->config.EvtIoCanceledOnQueue != NULL;
    if (to_driver) {
        r->driver_owned = true;
        q->driver_owned++;
    }
    pthread_mutex_unlock(&q->lock);
    if (to_driver)
        q->config.EvtIoCanceledOnQueue((WDFQUEUE)q, (WDFREQUEST)r);
    else
        wdf_request_complete(r, STATUS_CANCELLED, 0, true);
}

/* Adds a request to the waiting list, cancellable. False if it was
 * cancelled already (the caller completes it). Queue lock held. */
static bool enqueue_locked(wdf_queue_t *q, wdf_request_t *r)
{
    r->queue = q;
    InsertTailList(&q->waiting, &r->link);
    r->waiting = true;
    q->nwaiting++;
    IoSetCancelRoutine(r->irp, cancel_waiting);
    if (r->irp->Cancel && IoSetCancelRoutine(r->irp, NULL) != NULL) {
        RemoveEntryList(&r->link);
        InitializeListHead(&r->link);
        r->waiting = false;
        q->nwaiting--;
        return false;
    }
    return true;
}

NTSTATUS wdf_queue_present_irp(wdf_queue_t *q, PIRP irp)
{
    PIO_STACK_LOCATION s = IoGetCurrentIrpStackLocation(irp);
    NTSTATUS status;
    /* docs: zero-length reads and writes are completed with success unless
     * the queue allows them. */
    if (!q->config.AllowZeroLengthRequests &&
        ((s->MajorFunction == IRP_MJ_READ && s->Parameters.Read.Length == 0) ||
         (s->MajorFunction == IRP_MJ_WRITE && s->Parameters.Write.Length == 0))) {
        irp->IoStatus.Status = STATUS_SUCCESS;
        irp->IoStatus.Information = 0;
        IoCompleteRequest(irp, IO_NO_INCREMENT);
        return STATUS_SUCCESS;
    }
    wdf_request_t *r;
    status = wdf_request_create(q->device, irp, &r);
    if (!NT_SUCCESS(status)) {
        irp->IoStatus.Status = status;
        irp->IoStatus.Information = 0;
        IoCompleteRequest(irp, IO_NO_INCREMENT);
        return status;
    }
    wdf_object_reference(&q->object); /* the request's, dropped at completion */
    r->queue = q;
    IoMarkIrpPending(irp);
    pthread_mutex_lock(&q->lock);
    bool accepted = q->accepting;
    bool queued = accepted && enqueue_locked(q, r);
    pthread_mutex_unlock(&q->lock);
    if (!accepted)
        wdf_request_complete(r, STATUS_INVALID_DEVICE_STATE, 0, true);
    else if (!queued)
        wdf_request_complete(r, STATUS_CANCELLED, 0, true);
    else
        deliver_soon(q);
    return STATUS_PENDING;
}

/* Completes every waiting request with STATUS_CANCELLED. */
static void cancel_all_waiting(wdf_queue_t *q)
{
    LIST_ENTRY mine;
    InitializeListHead(&mine);
    pthread_mutex_lock(&q->lock);
    while (!IsListEmpty(&q->waiting)) {
        wdf_request_t *r = CONTAINING_RECORD(q->waiting.Flink, wdf_request_t, link);
        if (take_waiting_locked(q, r))
            InsertTailList(&mine, &r->link);
    }
    pthread_mutex_unlock(&q->lock);
    while (!IsListEmpty(&mine)) {
        LIST_ENTRY *e = RemoveHeadList(&mine);
        InitializeListHead(e);
        wdf_request_complete(CONTAINING_RECORD(e, wdf_request_t, link), STATUS_CANCELLED, 0, true);
    }
}

/* PASSIVE_LEVEL. docs: the framework waits for the driver to complete the
 * requests it owns (battkit has no EvtIoStop calls: docs/kmdf.md). */
static void wait_driver_owned(wdf_queue_t *q)
{
    pthread_mutex_lock(&q->lock);
    while (q->driver_owned != 0)
        pthread_cond_wait(&q->idle, &q->lock);
    pthread_mutex_unlock(&q->lock);
}

static void purge(wdf_queue_t *q)
{
    pthread_mutex_lock(&q->lock);
    q->accepting = false;
    pthread_mutex_unlock(&q->lock);
    cancel_all_waiting(q);
    wait_driver_owned(q);
}

/* Calls fn for each queue of the device, each referenced meanwhile. */
static void for_each_queue(wdf_device_t *d, void (*fn)(wdf_queue_t *q, void *arg), void *arg)
{
    wdf_queue_t *list[32];
    size_t n = 0;
    pthread_mutex_lock(&d->queue_lock);
    for (LIST_ENTRY *e = d->queues.Flink; e != &d->queues && n < 32; e = e->Flink) {
        list[n] = CONTAINING_RECORD(e, wdf_queue_t, device_link);
        wdf_object_reference(&list[n]->object);
        n++;
    }
    pthread_mutex_unlock(&d->queue_lock);
    for (size_t i = 0; i < n; i++) {
        fn(list[i], arg);
        wdf_object_dereference(&list[i]->object);
    }
}

static void power_one(wdf_queue_t *q, void *arg)
{
    bool in_d0 = *(bool *)arg;
    if (!q->power_managed)
        return;
    pthread_mutex_lock(&q->lock);
    q->power_held = !in_d0;
    pthread_mutex_unlock(&q->lock);
    if (in_d0)
        wdf_queue_deliver(q);
    else
        wait_driver_owned(q);
}

void wdf_queues_power(wdf_device_t *d, bool in_d0)
{
    for_each_queue(d, power_one, &in_d0);
}

static void purge_one(wdf_queue_t *q, void *arg)
{
    (void)arg;
    purge(q);
}

void wdf_queues_purge(wdf_device_t *d)
{
    for_each_queue(d, purge_one, NULL);
}

static void queue_cleanup(wdf_object_t *o)
{
    wdf_queue_t *q = (wdf_queue_t *)o;
    wdf_device_t *d = q->device;
    purge(q);
    pthread_mutex_lock(&d->queue_lock);
    RemoveEntryList(&q->device_link);
    InitializeListHead(&q->device_link);
    if (d->default_queue == q)
        d->default_queue = NULL;
    for (int i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; i++)
        if (d->dispatch[i] == q)
            d->dispatch[i] = NULL;
    pthread_mutex_unlock(&d->queue_lock);
}

static void queue_destroy(wdf_object_t *o)
{
    wdf_queue_t *q = (wdf_queue_t *)o;
    pthread_mutex_destroy(&q->lock);
    pthread_cond_destroy(&q->idle);
}

/* PASSIVE_LEVEL (DISPATCH_LEVEL allowed by the docs; battkit's drivers
 * create queues in EvtDriverDeviceAdd). */
NTSTATUS WdfIoQueueCreate(WDFDEVICE Device, PWDF_IO_QUEUE_CONFIG Config,
                          PWDF_OBJECT_ATTRIBUTES QueueAttributes, WDFQUEUE *Queue)
{
    wdf_device_t *d = (wdf_device_t *)wdf_object_from_handle(Device, WDF_KIND_DEVICE);
    wdf_object_t *o;
    if (Queue)
        *Queue = NULL;
    if (Config == NULL || Config->Size != sizeof(WDF_IO_QUEUE_CONFIG) ||
        Config->DispatchType <= WdfIoQueueDispatchInvalid ||
        Config->DispatchType >= WdfIoQueueDispatchMax)
        return STATUS_INVALID_PARAMETER;
    /* One default queue per device. */
    if (Config->DefaultQueue && d->default_queue != NULL)
        return STATUS_OBJECT_NAME_COLLISION;
    if (Config->DispatchType == WdfIoQueueDispatchParallel &&
        Config->Settings.Parallel.NumberOfPresentedRequests == 0)
        return STATUS_INVALID_PARAMETER;
    NTSTATUS status =
        wdf_object_create(WDF_KIND_QUEUE, sizeof(wdf_queue_t), QueueAttributes, &d->object,
                          d->driver->tag, __builtin_return_address(0), &o);
    if (!NT_SUCCESS(status))
        return status;
    wdf_queue_t *q = (wdf_queue_t *)o;
    q->device = d;
    q->config = *Config;
    q->power_managed =
        Config->PowerManaged == WdfUseDefault ? !d->filter : Config->PowerManaged == WdfTrue;
    pthread_mutex_init(&q->lock, NULL);
    pthread_cond_init(&q->idle, NULL);
    InitializeListHead(&q->waiting);
    q->accepting = true;
    q->power_held = q->power_managed && !d->in_d0;
    q->work.run = deliver_work;
    q->object.cleanup = queue_cleanup;
    q->object.destroy = queue_destroy;
    pthread_mutex_lock(&d->queue_lock);
    InsertTailList(&d->queues, &q->device_link);
    if (Config->DefaultQueue)
        d->default_queue = q;
    pthread_mutex_unlock(&d->queue_lock);
    if (Queue)
        *Queue = (WDFQUEUE)q;
    return STATUS_SUCCESS;
}

WDFDEVICE WdfIoQueueGetDevice(WDFQUEUE Queue)
{
    return (WDFDEVICE)((wdf_queue_t *)wdf_object_from_handle(Queue, WDF_KIND_QUEUE))->device;
}

/* docs: manual queues only (and others once stopped); STATUS_NO_MORE_ENTRIES
 * when nothing waits. */
NTSTATUS WdfIoQueueRetrieveNextRequest(WDFQUEUE Queue, WDFREQUEST *OutRequest)
{
    wdf_queue_t *q = (wdf_queue_t *)wdf_object_from_handle(Queue, WDF_KIND_QUEUE);
    *OutRequest = NULL;
    if (q->config.DispatchType != WdfIoQueueDispatchManual)
        return STATUS_INVALID_DEVICE_REQUEST;
    pthread_mutex_lock(&q->lock);
    if (q->power_held) {
        pthread_mutex_unlock(&q->lock);
        return STATUS_INVALID_DEVICE_STATE; /* held: the device is not in D0 */
    }
    wdf_request_t *found = NULL;
    while (found == NULL && !IsListEmpty(&q->waiting)) {
        wdf_request_t *r = CONTAINING_RECORD(q->waiting.Flink, wdf_request_t, link);
        if (take_waiting_locked(q, r))
            found = r;
    }
    if (found) {
        found->driver_owned = true;
        q->driver_owned++;
    }
    pthread_mutex_unlock(&q->lock);
    if (found == NULL)
        return STATUS_NO_MORE_ENTRIES;
    *OutRequest = (WDFREQUEST)found;
    return STATUS_SUCCESS;
}

void WdfIoQueueStart(WDFQUEUE Queue)
{
    wdf_queue_t *q = (wdf_queue_t *)wdf_object_from_handle(Queue, WDF_KIND_QUEUE);
    pthread_mutex_lock(&q->lock);
    q->stopped = false;
    q->accepting = true;
    pthread_mutex_unlock(&q->lock);
    deliver_soon(q);
}

void WdfIoQueueStopSynchronously(WDFQUEUE Queue)
{
    wdf_queue_t *q = (wdf_queue_t *)wdf_object_from_handle(Queue, WDF_KIND_QUEUE);
    pthread_mutex_lock(&q->lock);
    q->stopped = true;
    pthread_mutex_unlock(&q->lock);
    wait_driver_owned(q);
}

void WdfIoQueuePurgeSynchronously(WDFQUEUE Queue)
{
    purge((wdf_queue_t *)wdf_object_from_handle(Queue, WDF_KIND_QUEUE));
}

WDF_IO_QUEUE_STATE WdfIoQueueGetState(WDFQUEUE Queue, PULONG QueueRequests, PULONG DriverRequests)
{
    wdf_queue_t *q = (wdf_queue_t *)wdf_object_from_handle(Queue, WDF_KIND_QUEUE);
    pthread_mutex_lock(&q->lock);
    ULONG state = 0;
    if (q->accepting)
        state |= WdfIoQueueAcceptRequests;
    if (!q->stopped && !q->power_held)
        state |= WdfIoQueueDispatchRequests;
    if (q->nwaiting == 0 && q->driver_owned == 0)
        state |= WdfIoQueueNoRequests;
    if (q->driver_owned == 0)
        state |= WdfIoQueueDriverNoRequests;
    if (q->power_held)
        state |= WdfIoQueuePnpHeld;
    if (QueueRequests)
        *QueueRequests = q->nwaiting;
    if (DriverRequests)
        *DriverRequests = q->driver_owned;
    pthread_mutex_unlock(&q->lock);
    return (WDF_IO_QUEUE_STATE)state;
}

/* docs: the request must be one the driver owns; it goes to the back of
 * the destination queue (of the same device). */
NTSTATUS WdfRequestForwardToIoQueue(WDFREQUEST Request, WDFQUEUE DestinationQueue)
{
    wdf_request_t *r = (wdf_request_t *)wdf_object_from_handle(Request, WDF_KIND_REQUEST);
    wdf_queue_t *dest = (wdf_queue_t *)wdf_object_from_handle(DestinationQueue, WDF_KIND_QUEUE);
    wdf_queue_t *src = r->queue;
    if (!r->driver_owned || dest == src || dest->device != r->device)
        return STATUS_INVALID_DEVICE_REQUEST;
    pthread_mutex_lock(&dest->lock);
    bool accepted = dest->accepting;
    pthread_mutex_unlock(&dest->lock);
    if (!accepted)
        return STATUS_INVALID_DEVICE_STATE;
    wdf_object_reference(&dest->object);
    r->driver_owned = false;
    pthread_mutex_lock(&dest->lock);
    bool queued = enqueue_locked(dest, r);
    pthread_mutex_unlock(&dest->lock);
    wdf_queue_request_done(src);
    wdf_object_dereference(&src->object);
    if (!queued)
        wdf_request_complete(r, STATUS_CANCELLED, 0, true);
    else
        deliver_soon(dest);
    return STATUS_SUCCESS;
}
