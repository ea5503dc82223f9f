/* Device interface change notifications: IoRegisterPlugPlayNotification
 * registrations (drivers) and bk_host_watch_interfaces watches (the host),
 * and their delivery. Events are queued in order and delivered one at a
 * time by a PASSIVE_LEVEL worker, never on the stack of the driver that
 * changed an interface; unregistering waits for a delivery in flight. */
#include <initguid.h> /* instantiates GUID_DEVICE_INTERFACE_ARRIVAL/REMOVAL */
#include "pnp_internal.h"
#include "ldr/ldr.h"

#include <stdlib.h>

#define REG_MAGIC        0x4E705270u /* "pRpN" */
#define EVENT_LINK_CHARS 512

typedef struct pnp_notify_reg {
    LIST_ENTRY link;
    ULONG magic;
    GUID klass;
    bool any_class; /* host watches see every class */
    bool inert;     /* a category the host never raises */
    PDRIVER_NOTIFICATION_CALLBACK_ROUTINE callback;
    PVOID context;
    PDRIVER_OBJECT driver;
    bk_interface_event_fn host_fn;
    void *host_context;
    uint64_t seq; /* sees events queued after it registered */
    int refs;     /* its own, queued targeted events, a delivery in flight */
    bool unregistered;
    bool busy;
    pthread_t busy_thread;
} pnp_notify_reg_t;

typedef struct pnp_event {
    LIST_ENTRY link;
    uint64_t seq;
    pnp_notify_reg_t *target; /* INCLUDE_EXISTING: for this registration only */
    GUID klass;
    bool arrival;
    USHORT bytes;
    WCHAR name[EVENT_LINK_CHARS];
} pnp_event_t;

static pthread_mutex_t notify_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t notify_cv = PTHREAD_COND_INITIALIZER;
static LIST_ENTRY regs = {&regs, &regs};
static LIST_ENTRY events = {&events, &events};
static uint64_t next_seq;
static bool deliver_queued, delivering;
static ke_work_t deliver_work;

static void release_locked(pnp_notify_reg_t *r)
{
    if (--r->refs > 0)
        return;
    RemoveEntryList(&r->link);
    r->magic = 0;
    free(r);
}

static void deliver_one(pnp_notify_reg_t *r, pnp_event_t *ev)
{
    char path[EVENT_LINK_CHARS * 3];
    if (r->callback) {
        UNICODE_STRING name = {ev->bytes, (USHORT)(ev->bytes + sizeof(WCHAR)), ev->name};
        DEVICE_INTERFACE_CHANGE_NOTIFICATION n = {
            .Version = 1,
            .Size = sizeof(n),
            .Event = ev->arrival ? GUID_DEVICE_INTERFACE_ARRIVAL : GUID_DEVICE_INTERFACE_REMOVAL,
            .InterfaceClassGuid = ev->klass,
            .SymbolicLinkName = &name,
        };
        r->callback(&n, r->context);
        if (KeGetCurrentIrql() != PASSIVE_LEVEL)
            bk_log(BK_LOG_ERROR, "pnp: a notification callback returned above PASSIVE_LEVEL");
    }
    if (r->host_fn) {
        rtl_utf16_to_utf8(ev->name, ev->bytes / sizeof(WCHAR), path, sizeof path);
        r->host_fn(r->host_context, &ev->klass, path, ev->arrival);
    }
}

static bool wants(const pnp_notify_reg_t *r, const pnp_event_t *ev)
{
    if (r->unregistered || r->inert)
        return false;
    if (ev->target)
        return ev->target == r;
    return r->seq < ev->seq && (r->any_class || IsEqualGUID(&r->klass, &ev->klass));
}

/* The single delivery worker: events in queue order, listeners in
 * registration order, no lock held while a callback runs. */
static void deliver(ke_work_t *work)
{
    (void)work;
    pthread_mutex_lock(&notify_lock);
    deliver_queued = false;
    if (delivering) {
        pthread_mutex_unlock(&notify_lock);
        return;
    }
    delivering = true;
    while (!IsListEmpty(&events)) {
        pnp_event_t *ev = CONTAINING_RECORD(RemoveHeadList(&events), pnp_event_t, link);
        PLIST_ENTRY e = regs.Flink;
        while (e != &regs) {
            pnp_notify_reg_t *r = CONTAINING_RECORD(e, pnp_notify_reg_t, link);
            if (!wants(r, ev)) {
                e = e->Flink;
                continue;
            }
            r->refs++; /* keeps r (and its place in the list) while unlocked */
            r->busy = true;
            r->busy_thread = pthread_self();
            pthread_mutex_unlock(&notify_lock);
            deliver_one(r, ev);
            pthread_mutex_lock(&notify_lock);
            r->busy = false;
            pthread_cond_broadcast(&notify_cv);
            e = e->Flink;
            release_locked(r);
        }
        if (ev->target)
            release_locked(ev->target);
        free(ev);
    }
    delivering = false;
    pthread_cond_broadcast(&notify_cv);
    pthread_mutex_unlock(&notify_lock);
}

static void queue_locked(pnp_notify_reg_t *target, const GUID *klass, const WCHAR *name,
                         USHORT bytes, bool arrival)
{
    pnp_event_t *ev = calloc(1, sizeof(*ev));
    if (!ev) {
        bk_log(BK_LOG_ERROR, "pnp: out of memory; an interface notification is lost");
        return;
    }
    if (bytes > (EVENT_LINK_CHARS - 1) * sizeof(WCHAR))
        bytes = (EVENT_LINK_CHARS - 1) * sizeof(WCHAR);
    ev->seq = ++next_seq;
    ev->target = target;
    if (target)
        target->refs++;
    ev->klass = *klass;
    ev->arrival = arrival;
    ev->bytes = bytes;
    memcpy(ev->name, name, bytes);
    InsertTailList(&events, &ev->link);
    if (!deliver_queued && !delivering) {
        deliver_queued = true;
        deliver_work.run = deliver;
        ke_queue_work(&deliver_work);
    }
}

void pnp_notify_interface(const GUID *klass, const WCHAR *name, USHORT bytes, bool arrival)
{
    pthread_mutex_lock(&notify_lock);
    queue_locked(NULL, klass, name, bytes, arrival);
    pthread_mutex_unlock(&notify_lock);
}

static void queue_existing(const GUID *klass, const WCHAR *name, USHORT bytes, void *ctx)
{
    queue_locked(ctx, klass, name, bytes, true);
}

/* Adds a registration; with include_existing, an arrival for every active
 * interface of the class is queued for it alone. pnp_lock is taken first
 * so no interface changes state between the snapshot and the sequence. */
static pnp_notify_reg_t *add_registration(pnp_notify_reg_t *r, bool include_existing)
{
    r->magic = REG_MAGIC;
    r->refs = 1;
    pthread_mutex_lock(&pnp_lock);
    pthread_mutex_lock(&notify_lock);
    r->seq = next_seq;
    InsertTailList(&regs, &r->link);
    if (include_existing)
        pnp_interfaces_each_active_locked(r->any_class ? NULL : &r->klass, queue_existing, r);
    pthread_mutex_unlock(&notify_lock);
    pthread_mutex_unlock(&pnp_lock);
    return r;
}

/* PASSIVE_LEVEL. */
NTSTATUS NTAPI IoRegisterPlugPlayNotification(IO_NOTIFICATION_EVENT_CATEGORY EventCategory,
                                              ULONG EventCategoryFlags, PVOID EventCategoryData,
                                              PDRIVER_OBJECT DriverObject,
                                              PDRIVER_NOTIFICATION_CALLBACK_ROUTINE CallbackRoutine,
                                              PVOID Context, PVOID *NotificationEntry)
{
    KE_ASSERT_IRQL_LE(PASSIVE_LEVEL);
    if (!NotificationEntry || !CallbackRoutine || !DriverObject)
        return STATUS_INVALID_PARAMETER;
    *NotificationEntry = NULL;
    pnp_notify_reg_t *r = calloc(1, sizeof(*r));
    if (!r)
        return STATUS_INSUFFICIENT_RESOURCES;
    r->callback = CallbackRoutine;
    r->context = Context;
    r->driver = DriverObject;
    if (EventCategory == EventCategoryDeviceInterfaceChange) {
        if (!EventCategoryData) {
            free(r);
            return STATUS_INVALID_PARAMETER;
        }
        r->klass = *(const GUID *)EventCategoryData;
    } else if (EventCategory == EventCategoryTargetDeviceChange ||
               EventCategory == EventCategoryHardwareProfileChange) {
        /* Accepted so drivers load, but the host raises no such events. */
        bk_log(BK_LOG_INFO, "pnp: notification category %d registered; battkit never raises it",
               (int)EventCategory);
        r->inert = true;
    } else {
        free(r);
        return STATUS_INVALID_PARAMETER;
    }
    /* The entry is the caller's before any callback can run. */
    *NotificationEntry = r;
    add_registration(r, !r->inert && (EventCategoryFlags &
                                      PNPNOTIFY_DEVICE_INTERFACE_INCLUDE_EXISTING_INTERFACES));
    return STATUS_SUCCESS;
}

static NTSTATUS unregister(pnp_notify_reg_t *r)
{
    if (!r)
        return STATUS_INVALID_PARAMETER;
    pthread_mutex_lock(&notify_lock);
    if (r->magic != REG_MAGIC || r->unregistered) {
        pthread_mutex_unlock(&notify_lock);
        return STATUS_INVALID_PARAMETER;
    }
    r->unregistered = true;
    /* docs (Ex): no callback runs once it has returned. A callback that
     * unregisters itself cannot wait for itself. */
    while (r->busy && !pthread_equal(r->busy_thread, pthread_self()))
        pthread_cond_wait(&notify_cv, &notify_lock);
    release_locked(r);
    pthread_mutex_unlock(&notify_lock);
    return STATUS_SUCCESS;
}

/* PASSIVE_LEVEL. */
NTSTATUS NTAPI IoUnregisterPlugPlayNotification(PVOID NotificationEntry)
{
    KE_ASSERT_IRQL_LE(PASSIVE_LEVEL);
    return unregister(NotificationEntry);
}

NTSTATUS NTAPI IoUnregisterPlugPlayNotificationEx(PVOID NotificationEntry)
{
    KE_ASSERT_IRQL_LE(PASSIVE_LEVEL);
    return unregister(NotificationEntry);
}

void pnp_notify_forget_driver(PDRIVER_OBJECT drv)
{
    const void *module = drv->DriverSection;
    pthread_mutex_lock(&notify_lock);
    PLIST_ENTRY e = regs.Flink;
    while (e != &regs) {
        pnp_notify_reg_t *r = CONTAINING_RECORD(e, pnp_notify_reg_t, link);
        bool owned = r->driver == drv ||
                     (r->callback && module && ldr_owner_of((const void *)r->callback) == module);
        if (!owned || r->unregistered) {
            e = e->Flink;
            continue;
        }
        /* Windows would call into unloaded code; drop it loudly instead. */
        bk_log(BK_LOG_ERROR,
               "pnp: a driver is being unloaded with a PnP notification still registered; "
               "IoUnregisterPlugPlayNotification was never called");
        r->unregistered = true;
        while (r->busy)
            pthread_cond_wait(&notify_cv, &notify_lock);
        e = e->Flink;
        release_locked(r);
    }
    pthread_mutex_unlock(&notify_lock);
}

/* ---- host watches ---- */
void *bk_host_watch_interfaces(bk_host_t *host, bk_interface_event_fn fn, void *context)
{
    (void)host;
    if (!fn)
        return NULL;
    pnp_notify_reg_t *r = calloc(1, sizeof(*r));
    if (!r)
        return NULL;
    r->any_class = true;
    r->host_fn = fn;
    r->host_context = context;
    return add_registration(r, false);
}

void bk_host_unwatch_interfaces(bk_host_t *host, void *watch)
{
    (void)host;
    unregister(watch);
}

void pnp_notify_init(void)
{
    pthread_mutex_lock(&notify_lock);
    next_seq = 0;
    deliver_queued = delivering = false;
    pthread_mutex_unlock(&notify_lock);
}

void pnp_notify_shutdown(void)
{
    /* Called after ke_settle: nothing is delivering. */
    pthread_mutex_lock(&notify_lock);
    while (!IsListEmpty(&events)) {
        pnp_event_t *ev = CONTAINING_RECORD(RemoveHeadList(&events), pnp_event_t, link);
        if (ev->target)
            release_locked(ev->target);
        free(ev);
    }
    while (!IsListEmpty(&regs)) {
        pnp_notify_reg_t *r = CONTAINING_RECORD(RemoveHeadList(&regs), pnp_notify_reg_t, link);
        if (!r->host_fn && !r->unregistered)
            bk_log(BK_LOG_WARN, "pnp: a PnP notification was still registered at shutdown");
        r->magic = 0;
        free(r);
    }
    pthread_mutex_unlock(&notify_lock);
}
