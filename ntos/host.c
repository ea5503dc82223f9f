/* The embedding API (include/battkit/host.h): host life cycle, time, and the
 * handle/request layer that turns CreateFile/DeviceIoControl into IRPs. */
#include "private.h"
#include "ldr/ldr.h"

#include <battkit/host.h>
#include <stdio.h>
#include <stdlib.h>

/* How much simulated time a synchronous bk_ioctl may run: one week. */
#define BK_SYNC_VIRTUAL_BOUND_NS (7ull * 24 * 3600 * 1000000000ull)

struct bk_host {
    int virtual_time;
};

struct bk_handle {
    bk_host_t *host;
    PFILE_OBJECT file;
    PDEVICE_OBJECT device; /* top of the stack, referenced */
    LIST_ENTRY requests;   /* pending, under request_lock */
};

struct bk_request {
    LIST_ENTRY link;
    bk_handle_t *handle;
    PIRP irp; /* valid while pending */
    bk_status_t status;
    uint32_t returned;
    bool completed;
    bool freed_by_user;
    bool cancel_sent; /* bk_close has cancelled it */
    bk_complete_fn done;
    void *context;
    pthread_cond_t cv;
};

static bk_host_t the_host;
static bool host_exists;
static char last_report[4096];
/* Recursive: a cancel routine may complete the IRP on the cancelling thread. */
static pthread_mutex_t request_lock;

const char *bk_host_last_report(void)
{
    return last_report;
}

bk_host_t *bk_host_create(const bk_host_options_t *options)
{
    bk_host_options_t none = {0};
    if (!options)
        options = &none;
    if (host_exists) {
        bk_log(BK_LOG_ERROR, "bk_host_create: a host already exists in this process");
        return NULL;
    }
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&request_lock, &attr);
    pthread_mutexattr_destroy(&attr);
    host_exists = true;
    the_host.virtual_time = options->virtual_time;
    last_report[0] = 0;
    /* Per host: NULL resets to the default search, not the last host's dir. */
    ldr_set_driver_dir(options->driver_dir);
    clk_init(options->virtual_time ? CLK_VIRTUAL : CLK_REAL, options->start_system_time);
    ke_init();
    io_init();
    reg_init(options->registry_file);
    po_init();
    wmi_init();
    pnp_init();
    plat_init();
    return &the_host;
}

int bk_host_destroy(bk_host_t *host)
{
    if (host != &the_host || !host_exists)
        return -1;
    int problems = 0;
    size_t used = 0;
    last_report[0] = 0;
    /* File handles a driver never closed: closed while their drivers are loaded. */
    size_t open_files = io_close_file_handles();
    if (open_files)
        bk_log(BK_LOG_WARN, "io: %zu file handle(s) never closed with ZwClose", open_files);
    pnp_shutdown();
    ke_settle();
    plat_shutdown(); /* the bus drivers have let go of the platform */
    /* Drivers first, export drivers (battc) last: miniclasses import them. */
    for (int pass = 0; pass < 2; pass++) {
        for (int i = ldr_module_count() - 1; i >= 0; i--) {
            ldr_module_t *m = ldr_module_at(i);
            if (!m || m->export_driver != (pass == 1))
                continue;
            char report[1024];
            /* Copied out: unloading or forgetting the module frees it. */
            char service[sizeof m->service];
            snprintf(service, sizeof service, "%s", m->service);
            NTSTATUS s;
            if (m->driver) {
                s = ldr_unload_driver(m->driver, report, sizeof report);
            } else {
                size_t leaked = ex_pool_leak_report(m, report, sizeof report);
                s = leaked ? STATUS_UNSUCCESSFUL : STATUS_SUCCESS;
                if (leaked)
                    bk_log(BK_LOG_ERROR, "export driver %s left pool: %s", service, report);
                ldr_forget(m);
            }
            if (!NT_SUCCESS(s)) {
                problems++;
                used += (size_t)snprintf(last_report + used, sizeof last_report - used, "%s%s: %s",
                                         used ? "\n" : "", service, report);
                if (used >= sizeof last_report)
                    used = sizeof last_report - 1;
            }
        }
    }
    wmi_shutdown();
    po_shutdown();
    reg_shutdown();
    io_shutdown();
    ke_shutdown();
    ex_pool_stats_t stats;
    ex_pool_stats(&stats);
    if (stats.blocks_outstanding) {
        char report[1024];
        ex_pool_leak_report(NULL, report, sizeof report);
        bk_log(BK_LOG_ERROR, "host shut down with pool outstanding: %s", report);
        used += (size_t)snprintf(last_report + used, sizeof last_report - used, "%shost: %s",
                                 used ? "\n" : "", report);
        problems++;
    }
    pthread_mutex_destroy(&request_lock);
    host_exists = false;
    return problems;
}

uint64_t bk_host_now_ns(bk_host_t *host)
{
    (void)host;
    return clk_now() * 100;
}

int bk_host_is_virtual(bk_host_t *host)
{
    return host->virtual_time;
}

void bk_host_advance(bk_host_t *host, uint64_t ns)
{
    if (!host->virtual_time) {
        bk_log(BK_LOG_ERROR, "bk_host_advance: the host runs on real time");
        return;
    }
    ke_advance_to(clk_now() + ns / 100);
}

void bk_host_settle(bk_host_t *host)
{
    (void)host;
    ke_settle();
}

bk_status_t bk_host_load_driver(bk_host_t *host, const char *service, const char *so_path)
{
    (void)host;
    PDRIVER_OBJECT drv;
    return ldr_load_driver(service, so_path, &drv);
}

void bk_host_pool_stats(bk_pool_stats_t *out)
{
    ex_pool_stats_t s;
    ex_pool_stats(&s);
    out->allocations = s.allocations;
    out->frees = s.frees;
    out->bytes_outstanding = s.bytes_outstanding;
    out->blocks_outstanding = s.blocks_outstanding;
}

uint64_t bk_host_next_timer_ns(bk_host_t *host)
{
    (void)host;
    uint64_t due = ke_next_due(); /* interrupt time, 100 ns */
    return due == UINT64_MAX ? UINT64_MAX : due * 100;
}

/* ---- handles ---- */
bk_status_t bk_host_open(bk_host_t *host, const char *path, uint32_t access, bk_handle_t **handle)
{
    *handle = NULL;
    WCHAR wide[512];
    size_t n = rtl_utf8_to_utf16(path, wide, RTL_NUMBER_OF(wide));
    UNICODE_STRING name = {(USHORT)(n * sizeof(WCHAR)), sizeof wide, wide};
    bk_handle_t *h = calloc(1, sizeof(*h));
    if (!h)
        return STATUS_INSUFFICIENT_RESOURCES;
    PFILE_OBJECT file;
    NTSTATUS status = io_open_device_by_name(&name, access, &file);
    if (!NT_SUCCESS(status)) {
        free(h);
        return status;
    }
    PDEVICE_OBJECT device = file->DeviceObject;
    ObReferenceObject(device); /* the handle's own, as before */
    h->host = host;
    h->file = file;
    h->device = device;
    InitializeListHead(&h->requests);
    *handle = h;
    return STATUS_SUCCESS;
}

void bk_close(bk_handle_t *h)
{
    if (!h)
        return;
    /* IRP_MJ_CLEANUP semantics: every request still pending on this handle
     * is cancelled before the handle goes. */
    /* A cancel routine may complete the IRP right here, which unlinks (and
     * may free) the request: rescan from the head after every cancel. */
    pthread_mutex_lock(&request_lock);
    for (bool again = true; again;) {
        again = false;
        for (PLIST_ENTRY e = h->requests.Flink; e != &h->requests; e = e->Flink) {
            bk_request_t *r = CONTAINING_RECORD(e, bk_request_t, link);
            if (!r->completed && !r->cancel_sent && r->irp) {
                r->cancel_sent = true;
                IoCancelIrp(r->irp);
                again = true;
                break;
            }
        }
    }
    pthread_mutex_unlock(&request_lock);
    io_send_file_irp(h->device, h->file, IRP_MJ_CLEANUP);
    ke_settle();
    pthread_mutex_lock(&request_lock);
    while (!IsListEmpty(&h->requests)) {
        /* A request the driver would not give up even after cancel: detach
         * it so its completion does not touch the freed handle. */
        bk_request_t *r = CONTAINING_RECORD(RemoveHeadList(&h->requests), bk_request_t, link);
        InitializeListHead(&r->link);
        r->handle = NULL;
        bk_log(BK_LOG_WARN, "handle closed with a request its driver did not cancel");
    }
    pthread_mutex_unlock(&request_lock);
    ObDereferenceObject(h->file); /* the last reference: IRP_MJ_CLOSE */
    ObDereferenceObject(h->device);
    free(h);
}

/* ---- requests ---- */
static void request_finish(PIRP irp, void *context)
{
    bk_request_t *r = context;
    pthread_mutex_lock(&request_lock);
    r->status = irp->IoStatus.Status;
    r->returned = NT_ERROR(r->status) ? 0 : (uint32_t)irp->IoStatus.Information;
    r->completed = true;
    r->irp = NULL;
    RemoveEntryList(&r->link);
    InitializeListHead(&r->link);
    bk_complete_fn done = r->done;
    void *ctx = r->context;
    bool free_now = r->freed_by_user;
    pthread_cond_broadcast(&r->cv);
    pthread_mutex_unlock(&request_lock);
    if (done)
        done(ctx, r->status, r->returned);
    if (free_now) {
        pthread_cond_destroy(&r->cv);
        free(r);
    }
}

bk_status_t bk_ioctl_async(bk_handle_t *h, uint32_t code, const void *in, uint32_t in_len,
                           void *out, uint32_t out_len, bk_complete_fn done, void *context,
                           bk_request_t **request)
{
    *request = NULL;
    NTSTATUS status = io_check_ioctl_access(h->file, code);
    if (!NT_SUCCESS(status))
        return status;
    if ((in_len && !in) || (out_len && !out))
        return STATUS_INVALID_PARAMETER;
    bk_request_t *r = calloc(1, sizeof(*r));
    if (!r)
        return STATUS_INSUFFICIENT_RESOURCES;
    pthread_cond_init(&r->cv, NULL);
    r->handle = h;
    r->done = done;
    r->context = context;
    r->status = STATUS_PENDING;
    PIRP irp =
        io_build_host_ioctl(h->device, h->file, code, in, in_len, out, out_len, request_finish, r);
    if (!irp) {
        pthread_cond_destroy(&r->cv);
        free(r);
        return METHOD_FROM_CTL_CODE(code) != METHOD_BUFFERED ? STATUS_INVALID_PARAMETER
                                                             : STATUS_INSUFFICIENT_RESOURCES;
    }
    r->irp = irp;
    pthread_mutex_lock(&request_lock);
    InsertTailList(&h->requests, &r->link);
    pthread_mutex_unlock(&request_lock);
    *request = r;
    IoCallDriver(h->device, irp);
    return STATUS_PENDING;
}

void bk_request_cancel(bk_request_t *r)
{
    pthread_mutex_lock(&request_lock);
    if (!r->completed && r->irp)
        IoCancelIrp(r->irp);
    pthread_mutex_unlock(&request_lock);
}

bk_status_t bk_request_status(bk_request_t *r, uint32_t *returned)
{
    pthread_mutex_lock(&request_lock);
    bk_status_t s = r->completed ? r->status : STATUS_PENDING;
    if (returned)
        *returned = r->completed ? r->returned : 0;
    pthread_mutex_unlock(&request_lock);
    return s;
}

bk_status_t bk_request_wait(bk_request_t *r, uint64_t timeout_ns)
{
    /* Most requests complete inside IoCallDriver: no wait, no settle. */
    bk_status_t done = bk_request_status(r, NULL);
    if (done != STATUS_PENDING)
        return done;
    if (clk_mode() == CLK_VIRTUAL) {
        uint64_t limit =
            timeout_ns / 100 > UINT64_MAX - clk_now() ? UINT64_MAX : clk_now() + timeout_ns / 100;
        ke_settle();
        while (bk_request_status(r, NULL) == STATUS_PENDING) {
            uint64_t next = ke_next_due();
            if (next == UINT64_MAX || next > limit) {
                if (limit != UINT64_MAX && clk_now() < limit)
                    ke_advance_to(limit);
                break;
            }
            ke_advance_to(next);
        }
        return bk_request_status(r, NULL);
    }
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t end = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec +
                   (timeout_ns > UINT64_MAX / 2 ? UINT64_MAX / 2 : timeout_ns);
    struct timespec deadline = {.tv_sec = (time_t)(end / 1000000000ull),
                                .tv_nsec = (long)(end % 1000000000ull)};
    pthread_mutex_lock(&request_lock);
    while (!r->completed) {
        if (pthread_cond_timedwait(&r->cv, &request_lock, &deadline) != 0)
            break;
    }
    bk_status_t s = r->completed ? r->status : STATUS_PENDING;
    pthread_mutex_unlock(&request_lock);
    return s;
}

void bk_request_free(bk_request_t *r)
{
    if (!r)
        return;
    pthread_mutex_lock(&request_lock);
    if (!r->completed) {
        r->freed_by_user = true;
        r->done = NULL;
        if (r->irp)
            IoCancelIrp(r->irp);
        pthread_mutex_unlock(&request_lock);
        return; /* request_finish frees it */
    }
    pthread_mutex_unlock(&request_lock);
    pthread_cond_destroy(&r->cv);
    free(r);
}

bk_status_t bk_ioctl(bk_handle_t *h, uint32_t code, const void *in, uint32_t in_len, void *out,
                     uint32_t out_len, uint32_t *returned)
{
    bk_request_t *r;
    if (returned)
        *returned = 0;
    bk_status_t s = bk_ioctl_async(h, code, in, in_len, out, out_len, NULL, NULL, &r);
    if (!r)
        return s;
    /* On virtual time a synchronous call runs the simulation until the
     * request completes, but not forever: a machine's periodic tick means
     * time never runs dry, so a request nothing will complete is given up
     * after a bounded stretch of simulated time. */
    s = bk_request_wait(r, clk_mode() == CLK_VIRTUAL ? BK_SYNC_VIRTUAL_BOUND_NS : UINT64_MAX);
    if (s == STATUS_PENDING) {
        bk_log(BK_LOG_WARN,
               "bk_ioctl: request 0x%08x did not complete within the virtual-time "
               "bound; cancelled",
               code);
        bk_request_cancel(r);
        ke_settle();
        s = bk_request_status(r, NULL);
    }
    bk_request_status(r, returned);
    bk_request_free(r);
    return s;
}

PDEVICE_OBJECT bk_handle_device(bk_handle_t *h)
{
    return h->device;
}
