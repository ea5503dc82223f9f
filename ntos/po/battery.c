/* The power manager's side of the composite battery: it opens
 * \Device\CompositeBattery when that device starts, keeps one request
 * outstanding on it (a QUERY_TAG wait while there is no battery, else a
 * QUERY_STATUS wait that any change of capacity or power state ends, with
 * a timeout while the system charges or discharges so the rate stays
 * current), and publishes the system's battery state built from what it
 * answers. It lets go before the composite is removed. The DC policy that
 * acts on the state is policy.c's. */
#include "po_internal.h"

#include <poclass.h>
#include <stdlib.h>
#include <string.h>

#define PO_WORKING_REFRESH_MS 10000u /* rate refresh while charging or discharging */
#define PO_RETRY_MS           10000u /* after a composite request failed */

static const WCHAR po_composite_name[] = L"\\Device\\CompositeBattery";

typedef enum { PO_STEP_READ, PO_STEP_WAIT_TAG, PO_STEP_WAIT_STATUS } po_step_t;

typedef struct po_watch {
    struct po_watch *next;
    bk_power_change_fn fn;
    void *context;
} po_watch_t;

/* One chain of work at a time: the work item, the outstanding IRP or the
 * retry timer, each handing over to the next; `busy` is set while the
 * chain exists and `idle` signalled when it ends (detach waits on it). */
static struct {
    pthread_mutex_t lock;
    PFILE_OBJECT file;
    PDEVICE_OBJECT device; /* top of the composite's stack */
    PDEVICE_OBJECT pdo;    /* bottom: what PnP removes */
    bool detaching, busy;
    KEVENT idle;
    PIRP irp;
    WORK_QUEUE_ITEM work;
    KTIMER retry;
    KDPC retry_dpc;
    po_step_t step;
    union {
        ULONG tag_wait;
        BATTERY_WAIT_STATUS status_wait;
        BATTERY_STATUS status_out;
    } buffer;
    po_view_t view;
    po_estimate_t estimate;
    bk_power_state_t state;
    pthread_mutex_t watch_lock; /* held while watchers are called */
    po_watch_t *watches;
} B = {.lock = PTHREAD_MUTEX_INITIALIZER, .watch_lock = PTHREAD_MUTEX_INITIALIZER};

static WORKER_THREAD_ROUTINE po_battery_work;
static IO_COMPLETION_ROUTINE po_wait_done;
static KDEFERRED_ROUTINE po_retry_dpc;

static uint64_t po_now_ns(void)
{
    return clk_now() * 100u;
}

/* PASSIVE_LEVEL. A request to the composite that does not wait. */
static NTSTATUS po_composite_ioctl(PFILE_OBJECT file, PDEVICE_OBJECT device, ULONG code, PVOID in,
                                   ULONG in_len, PVOID out, ULONG out_len)
{
    KEVENT done;
    IO_STATUS_BLOCK iosb;
    KeInitializeEvent(&done, NotificationEvent, FALSE);
    PIRP irp =
        IoBuildDeviceIoControlRequest(code, device, in, in_len, out, out_len, FALSE, &done, &iosb);
    if (!irp)
        return STATUS_INSUFFICIENT_RESOURCES;
    IoGetNextIrpStackLocation(irp)->FileObject = file;
    NTSTATUS status = IoCallDriver(device, irp);
    if (status == STATUS_PENDING) {
        KeWaitForSingleObject(&done, Executive, KernelMode, FALSE, NULL);
        status = iosb.Status;
    }
    return status;
}

/* ---- publishing ---- */
static bool po_same_state(const bk_power_state_t *a, const bk_power_state_t *b)
{
    bk_power_state_t x = *a, y = *b;
    x.generation = y.generation = 0;
    x.updated_ns = y.updated_ns = 0;
    return memcmp(&x, &y, sizeof x) == 0;
}

/* Caller holds B.lock. The state for the view now, without policy fields. */
static void po_state_locked(const po_view_t *v, uint64_t now, bk_power_state_t *out)
{
    ULONG estimate = po_estimate_seconds(&B.estimate, now, v->status.Capacity);
    ULONG full = po_estimate_seconds(&B.estimate, now, v->info.FullChargedCapacity);
    memset(out, 0, sizeof *out);
    po_compute_state(v, estimate, full, out);
}

static void po_notify_watchers(const bk_power_state_t *s)
{
    pthread_mutex_lock(&B.watch_lock);
    for (po_watch_t *w = B.watches; w; w = w->next)
        w->fn(w->context, s);
    pthread_mutex_unlock(&B.watch_lock);
}

/* PASSIVE_LEVEL, from the worker (or a policy timer): recomputes the
 * state, lets the policy act on it, and tells watchers if it changed. */
void po_state_changed(void)
{
    bk_power_state_t s;
    uint64_t now = po_now_ns();
    pthread_mutex_lock(&B.lock);
    po_state_locked(&B.view, now, &s);
    pthread_mutex_unlock(&B.lock);
    po_policy_evaluate(&s);
    s.policy_level = po_policy_level();
    s.actions_taken = po_policy_actions_taken();
    pthread_mutex_lock(&B.lock);
    bool changed = !po_same_state(&s, &B.state);
    if (changed) {
        s.generation = B.state.generation + 1;
        s.updated_ns = now;
        B.state = s;
    }
    pthread_mutex_unlock(&B.lock);
    if (changed)
        po_notify_watchers(&s);
}

/* Caller holds B.lock. What the composite said at `now`: the estimate
 * starts again when the power source or the set of batteries changes. */
static void po_take_view_locked(const po_view_t *v, uint64_t now)
{
    const ULONG source = BATTERY_POWER_ON_LINE | BATTERY_DISCHARGING;
    bool source_changed = v->present != B.view.present ||
                          (v->status.PowerState & source) != (B.view.status.PowerState & source);
    if (source_changed)
        po_estimate_restart(&B.estimate, now, true);
    else if (v->tag != B.view.tag)
        po_estimate_restart(&B.estimate, now, false);
    B.view = *v;
    if (v->present)
        po_estimate_sample(&B.estimate, now, &v->info, &v->status);
}

/* ---- the work chain ---- */
/* Ends the chain (detaching, or nothing left to do). */
static void po_chain_end(void)
{
    pthread_mutex_lock(&B.lock);
    B.busy = false;
    pthread_mutex_unlock(&B.lock);
    KeSetEvent(&B.idle, IO_NO_INCREMENT, FALSE);
}

static void po_queue_work(void)
{
    ExQueueWorkItem(&B.work, DelayedWorkQueue);
}

static void po_retry_dpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(Context);
    UNREFERENCED_PARAMETER(Arg1);
    UNREFERENCED_PARAMETER(Arg2);
    po_queue_work();
}

static NTSTATUS po_wait_done(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    UNREFERENCED_PARAMETER(Irp);
    UNREFERENCED_PARAMETER(Context);
    po_queue_work();
    return STATUS_MORE_PROCESSING_REQUIRED; /* freed by the worker */
}

static void po_retry_later(void)
{
    LARGE_INTEGER due = {.QuadPart = -10000LL * PO_RETRY_MS};
    pthread_mutex_lock(&B.lock);
    bool stop = B.detaching;
    if (!stop) {
        B.step = PO_STEP_READ;
        KeSetTimer(&B.retry, due, &B.retry_dpc);
    }
    pthread_mutex_unlock(&B.lock);
    if (stop)
        po_chain_end();
}

/* Sends the one outstanding wait; the last thing the worker does, since
 * its completion may start the next worker at once. */
static void po_send_wait(po_step_t step, ULONG code, ULONG in_len, ULONG out_len)
{
    PIRP irp = IoAllocateIrp(B.device->StackSize, FALSE);
    if (!irp) {
        po_retry_later();
        return;
    }
    irp->AssociatedIrp.SystemBuffer = &B.buffer;
    PIO_STACK_LOCATION stack = IoGetNextIrpStackLocation(irp);
    stack->MajorFunction = IRP_MJ_DEVICE_CONTROL;
    stack->FileObject = B.file;
    stack->Parameters.DeviceIoControl.IoControlCode = code;
    stack->Parameters.DeviceIoControl.InputBufferLength = in_len;
    stack->Parameters.DeviceIoControl.OutputBufferLength = out_len;
    IoSetCompletionRoutine(irp, po_wait_done, NULL, TRUE, TRUE, TRUE);
    pthread_mutex_lock(&B.lock);
    bool stop = B.detaching;
    if (!stop) {
        B.step = step;
        B.irp = irp;
    }
    PDEVICE_OBJECT device = B.device;
    pthread_mutex_unlock(&B.lock);
    if (stop) {
        IoFreeIrp(irp);
        po_chain_end();
        return;
    }
    IoCallDriver(device, irp);
}

/* PASSIVE_LEVEL. Tag, information and status at once (no waiting). */
static NTSTATUS po_read(po_view_t *v)
{
    ULONG no_wait = 0, tag = 0;
    memset(v, 0, sizeof *v);
    v->attached = true;
    NTSTATUS status = po_composite_ioctl(B.file, B.device, IOCTL_BATTERY_QUERY_TAG, &no_wait,
                                         sizeof no_wait, &tag, sizeof tag);
    if (NT_SUCCESS(status)) {
        BATTERY_QUERY_INFORMATION q = {.BatteryTag = tag, .InformationLevel = BatteryInformation};
        status = po_composite_ioctl(B.file, B.device, IOCTL_BATTERY_QUERY_INFORMATION, &q, sizeof q,
                                    &v->info, sizeof v->info);
    }
    if (NT_SUCCESS(status)) {
        BATTERY_WAIT_STATUS w = {.BatteryTag = tag};
        status = po_composite_ioctl(B.file, B.device, IOCTL_BATTERY_QUERY_STATUS, &w, sizeof w,
                                    &v->status, sizeof v->status);
    }
    v->readable = NT_SUCCESS(status) || status == STATUS_NO_SUCH_DEVICE;
    v->present = NT_SUCCESS(status);
    v->tag = v->present ? tag : 0;
    if (!v->present) {
        memset(&v->info, 0, sizeof v->info);
        memset(&v->status, 0, sizeof v->status);
    }
    return status;
}

/* The next wait: any change of power state or capacity ends it. */
static void po_wait_next(NTSTATUS read_status, uint64_t now)
{
    if (read_status == STATUS_NO_SUCH_DEVICE) {
        B.buffer.tag_wait = 0xFFFFFFFF; /* docs: -1 waits until a battery is there */
        po_send_wait(PO_STEP_WAIT_TAG, IOCTL_BATTERY_QUERY_TAG, sizeof(ULONG), sizeof(ULONG));
        return;
    }
    if (!NT_SUCCESS(read_status)) {
        po_retry_later();
        return;
    }
    pthread_mutex_lock(&B.lock);
    BATTERY_STATUS last = B.view.status;
    ULONG tag = B.view.tag;
    uint64_t settle_left = po_estimate_settle_left_ns(&B.estimate, now);
    pthread_mutex_unlock(&B.lock);
    BATTERY_WAIT_STATUS *w = &B.buffer.status_wait;
    memset(w, 0, sizeof *w);
    w->BatteryTag = tag;
    w->PowerState = last.PowerState;
    if (last.Capacity == BATTERY_UNKNOWN_CAPACITY) {
        w->LowCapacity = 0;
        w->HighCapacity = 0x7FFFFFFF;
    } else {
        w->LowCapacity = last.Capacity;
        w->HighCapacity = last.Capacity;
    }
    /* docs: a timed-out status wait completes with the current status. */
    uint64_t timeout_ms = 0xFFFFFFFFu;
    if (last.PowerState & (BATTERY_CHARGING | BATTERY_DISCHARGING))
        timeout_ms = PO_WORKING_REFRESH_MS;
    if (settle_left) {
        /* wake when the estimate may be given */
        uint64_t ms = (settle_left + 999999u) / 1000000u;
        if (ms < timeout_ms)
            timeout_ms = ms;
    }
    w->Timeout = (ULONG)timeout_ms;
    po_send_wait(PO_STEP_WAIT_STATUS, IOCTL_BATTERY_QUERY_STATUS, sizeof *w,
                 sizeof(BATTERY_STATUS));
}

/* PASSIVE_LEVEL. Everything the power manager does with the composite
 * happens here, one step at a time. */
static void po_battery_work(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    pthread_mutex_lock(&B.lock);
    PIRP irp = B.irp;
    B.irp = NULL;
    bool stop = B.detaching;
    po_step_t step = B.step;
    pthread_mutex_unlock(&B.lock);
    NTSTATUS status = STATUS_SUCCESS;
    if (irp) {
        status = irp->IoStatus.Status;
        IoFreeIrp(irp);
    }
    if (stop) {
        po_chain_end();
        return;
    }
    uint64_t now = po_now_ns();
    po_view_t v;
    if (step == PO_STEP_WAIT_STATUS && NT_SUCCESS(status)) {
        /* The wait brought the new status: only that changed. */
        pthread_mutex_lock(&B.lock);
        v = B.view;
        v.status = B.buffer.status_out;
        pthread_mutex_unlock(&B.lock);
    } else {
        status = po_read(&v);
    }
    pthread_mutex_lock(&B.lock);
    po_take_view_locked(&v, now);
    pthread_mutex_unlock(&B.lock);
    po_state_changed();
    po_wait_next(status, now);
}

/* ---- attach and detach (called by the PnP manager) ---- */
static PDEVICE_OBJECT po_bottom_of(PDEVICE_OBJECT device)
{
    PDEVICE_OBJECT d = device, lower;
    while ((lower = ob_lower_device(d)) != NULL)
        d = lower;
    return d;
}

/* PASSIVE_LEVEL, after a device started: is it the composite battery? */
void po_device_started(PDEVICE_OBJECT pdo)
{
    UNICODE_STRING name;
    PFILE_OBJECT file;
    PDEVICE_OBJECT device;
    pthread_mutex_lock(&B.lock);
    bool have = B.file != NULL || B.busy;
    pthread_mutex_unlock(&B.lock);
    if (have)
        return;
    RtlInitUnicodeString(&name, po_composite_name);
    PDEVICE_OBJECT named = ob_lookup_named_device(&name);
    if (!named)
        return;
    bool ours = po_bottom_of(named) == pdo;
    ObDereferenceObject(named);
    if (!ours || !NT_SUCCESS(IoGetDeviceObjectPointer(&name, FILE_READ_DATA, &file, &device)))
        return;
    pthread_mutex_lock(&B.lock);
    B.file = file;
    B.device = device;
    B.pdo = pdo;
    B.detaching = false;
    B.busy = true;
    B.step = PO_STEP_READ;
    B.view = (po_view_t){.attached = true};
    po_estimate_restart(&B.estimate, po_now_ns(), true);
    KeClearEvent(&B.idle);
    pthread_mutex_unlock(&B.lock);
    bk_log(BK_LOG_INFO, "po: system battery state from \\Device\\CompositeBattery");
    po_queue_work();
}

/* PASSIVE_LEVEL, from the PnP manager (before IRP_MN_REMOVE_DEVICE) and
 * at shutdown: cancels the wait and closes the composite. */
static void po_detach(void)
{
    pthread_mutex_lock(&B.lock);
    PFILE_OBJECT file = B.file;
    if (!file) {
        pthread_mutex_unlock(&B.lock);
        return;
    }
    B.detaching = true;
    if (B.irp)
        IoCancelIrp(B.irp); /* its completion only queues the worker */
    bool timer = KeCancelTimer(&B.retry);
    pthread_mutex_unlock(&B.lock);
    if (timer)
        po_queue_work(); /* the retry would have: it now ends the chain */
    KeWaitForSingleObject(&B.idle, Executive, KernelMode, FALSE, NULL);
    pthread_mutex_lock(&B.lock);
    B.file = NULL;
    B.device = NULL;
    B.pdo = NULL;
    B.view = (po_view_t){0};
    pthread_mutex_unlock(&B.lock);
    ObDereferenceObject(file);
    bk_log(BK_LOG_INFO, "po: composite battery closed; no system battery");
    po_state_changed();
}

void po_device_removing(PDEVICE_OBJECT pdo)
{
    pthread_mutex_lock(&B.lock);
    bool ours = B.file && B.pdo == pdo;
    pthread_mutex_unlock(&B.lock);
    if (ours)
        po_detach();
}

void po_battery_init(void)
{
    memset(&B.view, 0, sizeof B.view);
    memset(&B.state, 0, sizeof B.state);
    B.file = NULL;
    B.busy = B.detaching = false;
    ExInitializeWorkItem(&B.work, po_battery_work, NULL);
    KeInitializeEvent(&B.idle, NotificationEvent, TRUE);
    KeInitializeTimer(&B.retry);
    KeInitializeDpc(&B.retry_dpc, po_retry_dpc, NULL);
    po_estimate_restart(&B.estimate, 0, false);
    bk_power_state_t s;
    po_state_locked(&B.view, 0, &s);
    s.generation = 1;
    B.state = s;
}

void po_battery_shutdown(void)
{
    po_detach();
    pthread_mutex_lock(&B.watch_lock);
    while (B.watches) {
        po_watch_t *w = B.watches;
        B.watches = w->next;
        free(w);
    }
    pthread_mutex_unlock(&B.watch_lock);
}

/* ---- the embedding API ---- */
bk_status_t bk_host_power_state(bk_host_t *host, bk_power_state_t *out)
{
    (void)host;
    if (!out)
        return STATUS_INVALID_PARAMETER;
    pthread_mutex_lock(&B.lock);
    *out = B.state;
    po_view_t v = B.view;
    PFILE_OBJECT file = B.file && !B.detaching && v.present ? B.file : NULL;
    PDEVICE_OBJECT device = B.device;
    if (file)
        ObReferenceObject(file);
    pthread_mutex_unlock(&B.lock);
    if (!file)
        return STATUS_SUCCESS;
    /* The composite answers from its own figures at once: read it, so the
     * answer is the composite's now, not as of the last wait. */
    BATTERY_WAIT_STATUS w = {.BatteryTag = v.tag};
    BATTERY_STATUS fresh;
    NTSTATUS s = po_composite_ioctl(file, device, IOCTL_BATTERY_QUERY_STATUS, &w, sizeof w, &fresh,
                                    sizeof fresh);
    ObDereferenceObject(file);
    if (!NT_SUCCESS(s) || memcmp(&fresh, &v.status, sizeof fresh) == 0)
        return STATUS_SUCCESS; /* the worker is on its way with a new tag */
    const ULONG source = BATTERY_POWER_ON_LINE | BATTERY_DISCHARGING;
    bool same_source = (fresh.PowerState & source) == (v.status.PowerState & source);
    v.status = fresh;
    bk_power_state_t now;
    pthread_mutex_lock(&B.lock);
    po_state_locked(&v, po_now_ns(), &now);
    pthread_mutex_unlock(&B.lock);
    if (!same_source) {
        /* The worker restarts the estimate when it sees this. */
        now.estimated_time = now.battery_life_time = BATTERY_UNKNOWN_TIME;
        now.battery_full_life_time = BATTERY_UNKNOWN_TIME;
    }
    now.policy_level = out->policy_level;
    now.actions_taken = out->actions_taken;
    now.generation = out->generation;
    now.updated_ns = out->updated_ns;
    *out = now;
    return STATUS_SUCCESS;
}

void *bk_host_watch_power(bk_host_t *host, bk_power_change_fn fn, void *context)
{
    (void)host;
    po_watch_t *w = fn ? calloc(1, sizeof *w) : NULL;
    if (!w)
        return NULL;
    w->fn = fn;
    w->context = context;
    pthread_mutex_lock(&B.watch_lock);
    w->next = B.watches;
    B.watches = w;
    pthread_mutex_unlock(&B.watch_lock);
    return w;
}

void bk_host_unwatch_power(bk_host_t *host, void *watch)
{
    (void)host;
    pthread_mutex_lock(&B.watch_lock);
    for (po_watch_t **link = &B.watches; *link; link = &(*link)->next) {
        if (*link == watch) {
            *link = ((po_watch_t *)watch)->next;
            free(watch);
            break;
        }
    }
    pthread_mutex_unlock(&B.watch_lock);
}
