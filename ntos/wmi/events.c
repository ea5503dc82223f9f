/* WMI events: WmiFireEvent and IoWMIWriteEvent on the driver side, the
 * host's listeners (bk_wmi_watch_events) on the other. A watch is what an
 * event consumer is on Windows: the first one for a block sends
 * IRP_MN_ENABLE_EVENTS to its providers, the last one going sends
 * IRP_MN_DISABLE_EVENTS, and only watched events are delivered. Delivery
 * runs on a PASSIVE_LEVEL worker, never on the firing driver's stack. */
#include "wmi_internal.h"

#include <battkit/host.h>
#include <stdlib.h>

#define EVENT_TAG 'EimW'

typedef struct wmi_watch {
    LIST_ENTRY link;
    GUID guid;
    bk_wmi_event_fn fn;
    void *context;
    unsigned busy; /* deliveries running now */
    bool orphaned; /* unwatched from inside its own callback: deliver frees it */
} wmi_watch_t;

static LIST_ENTRY watches = {&watches, &watches};
static __thread wmi_watch_t *delivering; /* the watch whose callback runs here */

/* Events wait in one FIFO drained by one work item at a time, so every
 * listener sees them in the order they were fired. */
typedef struct event_item {
    struct event_item *next;
    GUID guid;
    char *instance_name;
    uint32_t size;
    unsigned char data[];
} event_work_t;

static event_work_t *queue_head, *queue_tail;
static bool queue_running;
static ke_work_t queue_work;

bool wmi_event_watched_locked(const GUID *guid)
{
    for (PLIST_ENTRY e = watches.Flink; e != &watches; e = e->Flink)
        if (IsEqualGUID(&CONTAINING_RECORD(e, wmi_watch_t, link)->guid, guid))
            return true;
    return false;
}

void wmi_set_events(wmi_provider_t *p, const GUID *guid, bool enable, bool may_advance)
{
    wmi_lock();
    wmi_block_t *b = wmi_find_block_locked(p, guid);
    bool needed = b && b->events_enabled != enable;
    if (needed)
        b->events_enabled = enable; /* claimed now: one request per change */
    wmi_unlock();
    if (!needed)
        return;
    GUID path = *guid;
    WNODE_HEADER header = {.BufferSize = sizeof(WNODE_HEADER), .Guid = *guid};
    NTSTATUS s = wmi_send(p, enable ? IRP_MN_ENABLE_EVENTS : IRP_MN_DISABLE_EVENTS, &path, &header,
                          sizeof header, NULL, may_advance);
    if (!NT_SUCCESS(s) && s != STATUS_WMI_GUID_NOT_FOUND)
        bk_log(BK_LOG_WARN, "WMI: provider %p refused IRP_MN_%s_EVENTS: 0x%08x", (void *)p->device,
               enable ? "ENABLE" : "DISABLE", (unsigned)s);
}

static void deliver_one(event_work_t *ev)
{
    /* Snapshot: every matching watch gets the event once. */
    wmi_lock();
    size_t n = 0;
    for (PLIST_ENTRY e = watches.Flink; e != &watches; e = e->Flink)
        n += IsEqualGUID(&CONTAINING_RECORD(e, wmi_watch_t, link)->guid, &ev->guid);
    wmi_watch_t **list = n ? malloc(n * sizeof(*list)) : NULL;
    size_t k = 0;
    for (PLIST_ENTRY e = watches.Flink; list && e != &watches; e = e->Flink) {
        wmi_watch_t *c = CONTAINING_RECORD(e, wmi_watch_t, link);
        if (IsEqualGUID(&c->guid, &ev->guid)) {
            c->busy++;
            list[k++] = c;
        }
    }
    wmi_unlock();
    for (size_t i = 0; i < k; i++) {
        delivering = list[i];
        list[i]->fn(list[i]->context, &ev->guid, ev->instance_name, ev->data, ev->size);
        delivering = NULL;
        wmi_lock();
        bool free_it = --list[i]->busy == 0 && list[i]->orphaned;
        wmi_broadcast_locked();
        wmi_unlock();
        if (free_it)
            free(list[i]);
    }
    free(list);
    free(ev->instance_name);
    free(ev);
}

/* PASSIVE_LEVEL, on a host worker. */
static void deliver(ke_work_t *work)
{
    UNREFERENCED_PARAMETER(work);
    for (;;) {
        wmi_lock();
        event_work_t *ev = queue_head;
        if (!ev) {
            queue_running = false;
            wmi_unlock();
            return;
        }
        queue_head = ev->next;
        if (!queue_head)
            queue_tail = NULL;
        wmi_unlock();
        deliver_one(ev);
    }
}

/* The event's data and instance index, from whichever WNODE it is. */
static bool event_payload(PWNODE_HEADER h, const UCHAR **data, ULONG *size, ULONG *index,
                          bool *has_index)
{
    const UCHAR *base = (const UCHAR *)h;
    ULONG total = h->BufferSize;
    *has_index = false;
    if (h->Flags & WNODE_FLAG_SINGLE_INSTANCE) {
        const WNODE_SINGLE_INSTANCE *w = (const WNODE_SINGLE_INSTANCE *)h;
        if (total < WMI_SINGLE_FIXED || w->DataBlockOffset > total ||
            w->SizeDataBlock > total - w->DataBlockOffset)
            return false;
        *data = base + w->DataBlockOffset;
        *size = w->SizeDataBlock;
        *index = w->InstanceIndex;
        *has_index = (h->Flags & WNODE_FLAG_STATIC_INSTANCE_NAMES) != 0;
        return true;
    }
    if (h->Flags & WNODE_FLAG_ALL_DATA) {
        const WNODE_ALL_DATA *w = (const WNODE_ALL_DATA *)h;
        if (total < WMI_ALL_DATA_FIXED || !w->InstanceCount) {
            *data = NULL;
            *size = 0;
            return total >= WMI_ALL_DATA_FIXED;
        }
        ULONG off, len;
        if (h->Flags & WNODE_FLAG_FIXED_INSTANCE_SIZE) {
            off = w->DataBlockOffset;
            len = w->FixedInstanceSize;
        } else {
            if (total < WMI_ALL_DATA_FIXED + sizeof(OFFSETINSTANCEDATAANDLENGTH))
                return false;
            off = w->OffsetInstanceDataAndLength[0].OffsetInstanceData;
            len = w->OffsetInstanceDataAndLength[0].LengthInstanceData;
        }
        if (off > total || len > total - off)
            return false;
        *data = base + off;
        *size = len;
        *index = 0;
        *has_index = true;
        return true;
    }
    *data = base + sizeof(WNODE_HEADER); /* a bare WNODE_EVENT_ITEM */
    *size = total - (ULONG)sizeof(WNODE_HEADER);
    return true;
}

/* Takes ownership of `wnode` (pool) when it returns STATUS_SUCCESS. */
static NTSTATUS write_event(PWNODE_HEADER wnode)
{
    if (!wnode || wnode->BufferSize < sizeof(WNODE_HEADER))
        return STATUS_INVALID_PARAMETER;
    if (wnode->BufferSize > WMI_MAX_EVENT_BYTES)
        return STATUS_BUFFER_OVERFLOW; /* docs: larger than the maximum allowed */
    const UCHAR *data;
    ULONG size, index = 0;
    bool has_index;
    if (!event_payload(wnode, &data, &size, &index, &has_index))
        return STATUS_INVALID_PARAMETER;
    wmi_lock();
    if (!wmi_event_watched_locked(&wnode->Guid)) {
        /* Nobody enabled it: Windows has no consumer to give it to. */
        wmi_unlock();
        ExFreePool(wnode);
        return STATUS_SUCCESS;
    }
    char *name = NULL;
    wmi_provider_t *p = wmi_find_provider_by_id_locked(wnode->ProviderId);
    wmi_block_t *b = p ? wmi_find_block_locked(p, &wnode->Guid) : NULL;
    if (b && has_index)
        name = wmi_instance_name_locked(b, index);
    wmi_unlock();
    event_work_t *ev = malloc(sizeof(*ev) + size);
    if (!ev) {
        free(name);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    ev->guid = wnode->Guid;
    ev->instance_name = name;
    ev->size = size;
    if (size)
        memcpy(ev->data, data, size);
    ev->next = NULL;
    /* docs: on success the system frees the event item. */
    ExFreePool(wnode);
    wmi_lock();
    if (queue_tail)
        queue_tail->next = ev;
    else
        queue_head = ev;
    queue_tail = ev;
    bool start = !queue_running;
    queue_running = true;
    wmi_unlock();
    if (start) {
        queue_work.run = deliver;
        ke_queue_work(&queue_work);
    }
    return STATUS_SUCCESS;
}

NTSTATUS NTAPI IoWMIWriteEvent(PVOID WnodeEventItem)
{
    PWNODE_HEADER h = WnodeEventItem;
    /* docs: <= APC_LEVEL, any IRQL for a traced event. */
    if (!h || !(h->Flags & WNODE_FLAG_TRACED_GUID))
        KE_ASSERT_IRQL_LE(APC_LEVEL);
    return write_event(h);
}

NTSTATUS NTAPI WmiFireEvent(PDEVICE_OBJECT DeviceObject, LPCGUID Guid, ULONG InstanceIndex,
                            ULONG EventDataSize, PVOID EventData)
{
    KE_ASSERT_IRQL_LE(DISPATCH_LEVEL);
    if (!EventData)
        EventDataSize = 0;
    ULONG start = (ULONG)ALIGN_UP_BY(WMI_SINGLE_FIXED, 8);
    NTSTATUS status = STATUS_INSUFFICIENT_RESOURCES;
    PWNODE_SINGLE_INSTANCE w = NULL;
    if (EventDataSize <= WMI_MAX_EVENT_BYTES)
        w = ex_alloc(NonPagedPoolNx, start + EventDataSize, EVENT_TAG, true, NULL);
    else
        status = STATUS_BUFFER_OVERFLOW;
    if (w) {
        LARGE_INTEGER now;
        KeQuerySystemTime(&now);
        wmi_lock();
        wmi_provider_t *p = wmi_find_provider_locked(DeviceObject);
        w->WnodeHeader.ProviderId = p ? p->id : 0;
        wmi_unlock();
        w->WnodeHeader.BufferSize = start + EventDataSize;
        w->WnodeHeader.TimeStamp = now;
        w->WnodeHeader.Guid = *Guid;
        w->WnodeHeader.Flags =
            WNODE_FLAG_SINGLE_INSTANCE | WNODE_FLAG_EVENT_ITEM | WNODE_FLAG_STATIC_INSTANCE_NAMES;
        w->InstanceIndex = InstanceIndex;
        w->DataBlockOffset = start;
        w->SizeDataBlock = EventDataSize;
        if (EventDataSize)
            memcpy((UCHAR *)w + start, EventData, EventDataSize);
    }
    /* docs: WMI frees EventData (the driver's pool) in every case. */
    if (EventData)
        ExFreePool(EventData);
    if (!w)
        return status;
    status = write_event(&w->WnodeHeader);
    if (!NT_SUCCESS(status))
        ExFreePool(w);
    return status;
}

/* ---- the host's listeners ---- */

void *bk_wmi_watch_events(const GUID *guid, bk_wmi_event_fn fn, void *context)
{
    if (!guid || !fn)
        return NULL;
    wmi_watch_t *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->guid = *guid;
    w->fn = fn;
    w->context = context;
    ke_settle(); /* registrations still queued reach their providers first */
    wmi_lock();
    bool first = !wmi_event_watched_locked(guid);
    InsertTailList(&watches, &w->link);
    wmi_unlock();
    if (first) {
        wmi_provider_t **list;
        size_t n = wmi_providers_of(guid, &list);
        for (size_t i = 0; i < n; i++) {
            wmi_set_events(list[i], guid, true, true);
            wmi_provider_release(list[i]);
        }
        free(list);
    }
    return w;
}

void bk_wmi_unwatch_events(void *watch)
{
    wmi_watch_t *w = watch;
    if (!w)
        return;
    bool inside = delivering == w;
    wmi_lock();
    RemoveEntryList(&w->link);
    /* A callback still running (on a worker) finishes before the watch
     * goes; from inside its own callback the delivery frees it after. */
    if (inside)
        w->orphaned = true;
    else
        while (w->busy)
            wmi_wait_locked();
    bool last = !wmi_event_watched_locked(&w->guid);
    GUID guid = w->guid;
    wmi_unlock();
    if (last) {
        wmi_provider_t **list;
        size_t n = wmi_providers_of(&guid, &list);
        for (size_t i = 0; i < n; i++) {
            wmi_set_events(list[i], &guid, false, delivering == NULL);
            wmi_provider_release(list[i]);
        }
        free(list);
    }
    if (!inside)
        free(w);
}

void wmi_events_shutdown(void)
{
    ke_settle();
    wmi_lock();
    size_t left = 0;
    while (!IsListEmpty(&watches)) {
        wmi_watch_t *w = CONTAINING_RECORD(RemoveHeadList(&watches), wmi_watch_t, link);
        free(w);
        left++;
    }
    event_work_t *pending = queue_head; /* none after the settle; never leak */
    queue_head = queue_tail = NULL;
    wmi_unlock();
    while (pending) {
        event_work_t *next = pending->next;
        free(pending->instance_name);
        free(pending);
        pending = next;
    }
    if (left)
        bk_log(BK_LOG_WARN, "WMI: %zu event watch(es) never unwatched", left);
}
