/* The embedded transport: the same Win32 calls go straight to a host in
 * this process (tests, tools). Synchronous calls behave as bk_ioctl (on
 * virtual time the clock advances until the request completes); handles
 * still open when the host is detached are closed then, so the host can
 * be destroyed clean. */
#include "internal.h"
#include "hostops.h"
#include "hostweak.h"

#include <poclass.h>
#include <stdlib.h>
#include <string.h>

typedef struct open_handle {
    struct open_handle *next;
    bk_handle_t *h;
} open_handle_t;

static bk_host_t *host;
static open_handle_t *handles; /* under bkc_lock */

/* Finished requests are forgotten later, never from inside a completion:
 * the host may still be walking its request list around that callback
 * (bk_close cancels inline). */
typedef struct dead_request {
    struct dead_request *next;
    bk_request_t *req;
} dead_request_t;
static pthread_mutex_t dead_lock = PTHREAD_MUTEX_INITIALIZER;
static dead_request_t *dead;

static void forget_dead_requests(void)
{
    pthread_mutex_lock(&dead_lock);
    dead_request_t *list = dead;
    dead = NULL;
    pthread_mutex_unlock(&dead_lock);
    while (list) {
        dead_request_t *d = list;
        list = d->next;
        bk_request_free(d->req);
        free(d);
    }
}

static NTSTATUS e_enum(const GUID *guid, char ***paths, size_t *count)
{
    char **list = NULL;
    size_t n = bk_host_list_interfaces(host, guid, &list);
    char **copy = calloc(n ? n : 1, sizeof *copy);
    if (!copy) {
        bk_host_free_list(list, n);
        return STATUS_NO_MEMORY;
    }
    for (size_t i = 0; i < n; i++) {
        if (!(copy[i] = strdup(list[i]))) {
            bkc_free_paths(copy, i);
            bk_host_free_list(list, n);
            return STATUS_NO_MEMORY;
        }
    }
    if (list)
        bk_host_free_list(list, n);
    *paths = copy;
    *count = n;
    return STATUS_SUCCESS;
}

static NTSTATUS e_open(const char *path, uint32_t access, uint64_t *handle, uint32_t *granted)
{
    open_handle_t *o = calloc(1, sizeof *o);
    if (!o)
        return STATUS_NO_MEMORY;
    NTSTATUS s = bk_host_open(host, path, access, &o->h);
    if (!NT_SUCCESS(s)) {
        free(o);
        return s;
    }
    pthread_mutex_lock(&bkc_lock);
    o->next = handles;
    handles = o;
    pthread_mutex_unlock(&bkc_lock);
    *handle = (uint64_t)(uintptr_t)o->h;
    *granted = access;
    return STATUS_SUCCESS;
}

static void e_close(uint64_t handle)
{
    bk_handle_t *h = (bk_handle_t *)(uintptr_t)handle;
    open_handle_t *found = NULL;
    pthread_mutex_lock(&bkc_lock);
    for (open_handle_t **p = &handles; *p; p = &(*p)->next)
        if ((*p)->h == h) {
            found = *p;
            *p = found->next;
            break;
        }
    pthread_mutex_unlock(&bkc_lock);
    if (found) {
        bk_close(h); /* cancels what is pending; completions take bkc_lock */
        free(found);
    }
    forget_dead_requests();
}

static void e_done(void *context, bk_status_t status, uint32_t returned)
{
    pthread_mutex_lock(&bkc_lock);
    bkc_io_complete_locked(context, status, returned);
    pthread_mutex_unlock(&bkc_lock);
}

static NTSTATUS e_ioctl_start(uint64_t handle, bkc_io_t *io, uint32_t code, const void *in,
                              uint32_t in_len)
{
    bk_handle_t *h = (bk_handle_t *)(uintptr_t)handle;
    forget_dead_requests();
    /* The host copies input into the IRP's system buffer; output lands in
     * io->out when the request completes (METHOD_BUFFERED copy-back). */
    return bk_ioctl_async(h, code, in, in_len, io->out, io->out_len, e_done, io, &io->req);
}

static void e_cancel(bkc_io_t *io)
{
    if (io->req)
        bk_request_cancel(io->req);
}

static void e_io_free(bkc_io_t *io)
{
    if (!io->req)
        return;
    dead_request_t *d = malloc(sizeof *d);
    if (!d)
        return; /* a completed request's few bytes: left to the host */
    d->req = io->req;
    pthread_mutex_lock(&dead_lock);
    d->next = dead;
    dead = d;
    pthread_mutex_unlock(&dead_lock);
}

/* Lock held on entry and exit; dropped while the host runs (completions
 * on this very thread take the lock). */
static void e_wait(bkc_io_t *io, const bkc_deadline_t *d)
{
    if (io->done || !io->req)
        return;
    uint64_t ns = UINT64_MAX;
    if (!d->infinite)
        ns = (uint64_t)bkc_deadline_remaining_ms(d) * 1000000ull;
    pthread_mutex_unlock(&bkc_lock);
    bk_status_t s = bk_request_wait(io->req, ns);
    if (s == STATUS_PENDING && d->infinite && bk_host_is_virtual(host)) {
        /* As bk_ioctl: on virtual time with nothing left to fire, nothing
         * can complete it. */
        bk_request_cancel(io->req);
        bk_host_settle(host);
    }
    pthread_mutex_lock(&bkc_lock);
    /* The host marks the request complete just before our callback runs. */
    while (!io->done && (d->infinite || bkc_deadline_remaining_ms(d) > 0) &&
           bk_request_status(io->req, NULL) != STATUS_PENDING)
        bkc_cond_wait(d);
}

static void e_need_async(void) {}

static NTSTATUS e_power_state(bkp_power_state_reply_t *out)
{
    bk_power_state_t st;
    if (!bk_host_power_state)
        return STATUS_NOT_SUPPORTED;
    NTSTATUS s = bk_host_power_state(host, &st);
    if (NT_SUCCESS(s))
        bkc_power_state_to_wire(&st, out);
    return s;
}

static void e_interface_event(void *context, const GUID *guid, const char *path, int arrived)
{
    bkc_watch_t *w = context;
    if (!IsEqualGUID(guid, &w->guid))
        return;
    pthread_mutex_lock(&bkc_lock);
    bkc_watch_push_locked(w, guid, path, arrived != 0);
    pthread_mutex_unlock(&bkc_lock);
}

static NTSTATUS e_watch_start(bkc_watch_t *w)
{
    void *token = bk_host_watch_interfaces(host, e_interface_event, w);
    if (!token)
        return STATUS_INSUFFICIENT_RESOURCES;
    w->token = (uint64_t)(uintptr_t)token;
    return STATUS_SUCCESS;
}

static void e_watch_stop(bkc_watch_t *w)
{
    if (w->token)
        bk_host_unwatch_interfaces(host, (void *)(uintptr_t)w->token);
    w->token = 0;
}

static NTSTATUS e_advance(uint64_t ns, uint64_t *now_ns)
{
    if (!bk_host_is_virtual(host))
        return STATUS_NOT_SUPPORTED;
    bk_host_advance(host, ns);
    if (now_ns)
        *now_ns = bk_host_now_ns(host);
    return STATUS_SUCCESS;
}

static NTSTATUS e_sim(uint32_t op, int32_t value, uint32_t arg2, const char *name)
{
    NTSTATUS s = bkc_host_sim(host, op, value, arg2, name);
    bk_host_settle(host);
    return s;
}

static NTSTATUS e_dc_policy_get(bkp_dc_policy_reply_t *out)
{
    if (!bk_host_get_dc_policy)
        return STATUS_NOT_SUPPORTED;
    bkc_dc_policy_reply(host, out);
    return out->status;
}

static NTSTATUS e_dc_policy_set(const bkp_dc_policy_t *p, char *why, size_t why_len)
{
    bk_dc_policy_t policy;
    if (!bk_host_set_dc_policy)
        return STATUS_NOT_SUPPORTED;
    bkc_dc_policy_from_wire(p, &policy);
    NTSTATUS s = bk_host_set_dc_policy(host, &policy, why, why_len);
    bk_host_settle(host); /* actions the new levels fire have run */
    return s;
}

static NTSTATUS e_server_info(PBATTKIT_SERVER_INFO info)
{
    memset(info, 0, sizeof *info);
    info->ProtocolVersion = 1;
    info->Embedded = TRUE;
    info->Privileged = TRUE;
    info->VirtualTime = bk_host_is_virtual(host) != 0;
    info->NowNs = bk_host_now_ns(host);
    return STATUS_SUCCESS;
}

const bkc_transport_t bkc_embedded_transport = {
    .name = "embedded",
    .enum_interfaces = e_enum,
    .open = e_open,
    .close = e_close,
    .ioctl_start = e_ioctl_start,
    .cancel = e_cancel,
    .io_free = e_io_free,
    .wait = e_wait,
    .need_async = e_need_async,
    .power_state = e_power_state,
    .watch_start = e_watch_start,
    .watch_stop = e_watch_stop,
    .advance = e_advance,
    .sim = e_sim,
    .dc_policy_get = e_dc_policy_get,
    .dc_policy_set = e_dc_policy_set,
    .server_info = e_server_info,
};

NTSTATUS bkc_embedded_attach(bk_host_t *h)
{
    if (!bkc_host_linked())
        return STATUS_NOT_SUPPORTED; /* no host library in this program */
    host = h;
    return STATUS_SUCCESS;
}

void bkc_embedded_detach(void)
{
    for (;;) {
        pthread_mutex_lock(&bkc_lock);
        open_handle_t *o = handles;
        if (o)
            handles = o->next;
        pthread_mutex_unlock(&bkc_lock);
        if (!o)
            break;
        bk_close(o->h);
        free(o);
    }
    forget_dead_requests();
    host = NULL;
}
