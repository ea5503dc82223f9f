/* How the suite talks to a battery without ever hanging on a misbehaving
 * driver: requests are submitted (and host operations run) on a helper
 * thread; whenever one does not come back, the suite's own thread moves the
 * virtual clock so a driver waiting on time can go on. Also the battery
 * IOCTL wrappers and the controller calls. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cf_internal.h"

/* Real time a submission may take before the suite assumes the driver is
 * blocked on the clock, then the real time between clock moves. */
#define CF_GRACE_NS     (200 * 1000000L)
#define CF_REPOLL_NS    (10 * 1000000L)
#define CF_PUMP_STEP_NS CF_MS(250)
/* Real time a real-time controller's operation may take (real_time). */
#define CF_REAL_BOUND_NS (60ull * 1000000000ull)
/* Virtual time after which a call that never returns wedges the run. */
#define CF_WEDGE_NS CF_MS(30 * 60 * 1000)
/* Budget of a request that should not wait at all (a slow driver still
 * gets there; its slowness is judged by answers_without_waiting). */
#define CF_IMMEDIATE_BUDGET_NS CF_MS(120 * 1000)

static void *helper_main(void *arg)
{
    cf_helper_t *h = arg;
    pthread_mutex_lock(&h->lock);
    for (;;) {
        while (!h->has_job && !h->quit)
            pthread_cond_wait(&h->cv, &h->lock);
        if (!h->has_job)
            break;
        void (*fn)(void *) = h->fn;
        void *fn_arg = h->arg;
        h->has_job = false;
        pthread_mutex_unlock(&h->lock);
        fn(fn_arg);
        pthread_mutex_lock(&h->lock);
        h->job_done = true;
        pthread_cond_broadcast(&h->cv);
    }
    pthread_mutex_unlock(&h->lock);
    return NULL;
}

void cf_helper_start(cf_ctx_t *c)
{
    cf_helper_t *h = &c->helper;
    pthread_mutex_init(&h->lock, NULL);
    pthread_cond_init(&h->cv, NULL);
    h->job_done = true;
    pthread_create(&h->thread, NULL, helper_main, h);
}

void cf_helper_stop(cf_ctx_t *c)
{
    cf_helper_t *h = &c->helper;
    pthread_mutex_lock(&h->lock);
    h->quit = true;
    pthread_cond_broadcast(&h->cv);
    pthread_mutex_unlock(&h->lock);
    if (c->wedged) {
        /* Still inside a driver: it cannot be joined, nor its state freed. */
        pthread_detach(h->thread);
        return;
    }
    pthread_join(h->thread, NULL);
    pthread_cond_destroy(&h->cv);
    pthread_mutex_destroy(&h->lock);
}

static struct timespec deadline_in(long ns)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += ns;
    ts.tv_sec += ts.tv_nsec / 1000000000L;
    ts.tv_nsec %= 1000000000L;
    return ts;
}

/* Pump: move the clock while the call does not come back (a driver waiting
 * on time); else wait for it in real time only, up to CF_REAL_BOUND_NS
 * (a controller waiting on a real process outside the host). */
static bool cf_call_ex(cf_ctx_t *c, void (*fn)(void *arg), void *arg, bool pump)
{
    cf_helper_t *h = &c->helper;
    uint64_t moved = 0;
    long wait_ns = CF_GRACE_NS;

    if (c->wedged)
        return false;
    pthread_mutex_lock(&h->lock);
    h->fn = fn;
    h->arg = arg;
    h->has_job = true;
    h->job_done = false;
    pthread_cond_broadcast(&h->cv);
    while (!h->job_done) {
        struct timespec ts = deadline_in(wait_ns);
        if (pthread_cond_timedwait(&h->cv, &h->lock, &ts) != ETIMEDOUT || h->job_done)
            continue;
        if (!pump) {
            moved += (uint64_t)wait_ns; /* real time here */
            wait_ns = CF_REPOLL_NS;
            if (moved < CF_REAL_BOUND_NS)
                continue;
            c->wedged = true;
            pthread_mutex_unlock(&h->lock);
            return false;
        }
        if (moved >= CF_WEDGE_NS) {
            c->wedged = true;
            pthread_mutex_unlock(&h->lock);
            return false;
        }
        /* The driver is presumably waiting on the clock (a delay or a
         * timed wait in a callback run on the helper's stack). */
        pthread_mutex_unlock(&h->lock);
        bk_host_advance(c->host, CF_PUMP_STEP_NS);
        moved += CF_PUMP_STEP_NS;
        wait_ns = CF_REPOLL_NS;
        pthread_mutex_lock(&h->lock);
    }
    pthread_mutex_unlock(&h->lock);
    if (moved && pump)
        cf_log(c, "a call blocked; the clock was moved %llu ms to let it finish",
               (unsigned long long)(moved / 1000000));
    return true;
}

bool cf_call(cf_ctx_t *c, void (*fn)(void *arg), void *arg)
{
    return cf_call_ex(c, fn, arg, true);
}

/* ---- requests ---- */
struct submit_job {
    cf_ctx_t *c;
    cf_req_t *r;
    const void *in;
    ULONG in_len;
};

static void submit_on_helper(void *arg)
{
    struct submit_job *j = arg;
    cf_req_t *r = j->r;
    r->submit_status = bk_ioctl_async(j->c->bat->handle, r->code, j->in, j->in_len, r->buffer,
                                      r->out_len, NULL, NULL, &r->request);
}

void cf_start(cf_ctx_t *c, cf_req_t *r, ULONG code, const void *in, ULONG in_len, ULONG out_len)
{
    memset(r, 0, sizeof(*r));
    r->code = code;
    r->out_len = out_len;
    r->submit_status = STATUS_INSUFFICIENT_RESOURCES;
    /* Owned by the request until it completes: a driver that never gives a
     * cancelled request back may still write it (then it is leaked). */
    r->buffer = calloc(1, out_len ? out_len : 1);
    if (!r->buffer)
        return;
    r->started_ns = bk_host_now_ns(c->host);
    struct submit_job job = {.c = c, .r = r, .in = in, .in_len = in_len};
    if (!cf_call(c, submit_on_helper, &job)) {
        r->submit_status = STATUS_IO_TIMEOUT;
        r->request = NULL; /* still inside the driver: forget it */
        r->buffer = NULL;
    }
}

NTSTATUS cf_peek(cf_ctx_t *c, cf_req_t *r, void *out, uint32_t *returned)
{
    uint32_t got = 0;
    NTSTATUS s;

    if (!r->request) {
        if (returned)
            *returned = 0;
        return r->submit_status;
    }
    bk_host_settle(c->host);
    s = bk_request_status(r->request, &got);
    if (s != STATUS_PENDING && out && got)
        memcpy(out, r->buffer, got > r->out_len ? r->out_len : got);
    if (returned)
        *returned = got;
    return s;
}

NTSTATUS cf_finish(cf_ctx_t *c, cf_req_t *r, uint64_t budget_ns, void *out, uint32_t *returned,
                   uint64_t *elapsed_ns)
{
    NTSTATUS s = cf_peek(c, r, out, returned);

    while (s == STATUS_PENDING && r->request) {
        uint64_t waited = bk_host_now_ns(c->host) - r->started_ns;
        if (waited >= budget_ns)
            break;
        /* Fine steps first, so a prompt answer is measured closely. */
        uint64_t step = waited < CF_MS(1000) ? CF_MS(10) : CF_MS(100);
        if (step > budget_ns - waited)
            step = budget_ns - waited;
        bk_host_advance(c->host, step);
        s = cf_peek(c, r, out, returned);
    }
    if (elapsed_ns)
        *elapsed_ns = bk_host_now_ns(c->host) - r->started_ns;
    return s;
}

void cf_release(cf_ctx_t *c, cf_req_t *r)
{
    if (r->request) {
        bk_request_cancel(r->request); /* harmless once completed */
        bk_host_settle(c->host);
        if (bk_request_status(r->request, NULL) == STATUS_PENDING) {
            /* The driver holds on to it (busy in a slow callback, or it
             * ignores cancel): it may still write the buffer later. */
            cf_req_t *grown = realloc(c->kept, (c->nkept + 1) * sizeof *grown);
            if (grown) {
                c->kept = grown;
                c->kept[c->nkept++] = *r;
            } else {
                bk_request_free(r->request); /* the buffer is leaked instead */
            }
            cf_log(c, "a cancelled request is still held by its driver");
            r->request = NULL;
            r->buffer = NULL;
            return;
        }
        bk_request_free(r->request);
        r->request = NULL;
    }
    free(r->buffer);
    r->buffer = NULL;
}

void cf_sweep_kept(cf_ctx_t *c)
{
    bk_host_settle(c->host);
    for (size_t i = 0; i < c->nkept; i++) {
        cf_req_t *r = &c->kept[i];
        bool done = bk_request_status(r->request, NULL) != STATUS_PENDING;
        bk_request_free(r->request);
        if (done)
            free(r->buffer); /* else the host may still complete into it */
    }
    free(c->kept);
    c->kept = NULL;
    c->nkept = 0;
}

static const char *ioctl_name(ULONG code)
{
    switch (code) {
    case IOCTL_BATTERY_QUERY_TAG:
        return "IOCTL_BATTERY_QUERY_TAG";
    case IOCTL_BATTERY_QUERY_INFORMATION:
        return "IOCTL_BATTERY_QUERY_INFORMATION";
    case IOCTL_BATTERY_SET_INFORMATION:
        return "IOCTL_BATTERY_SET_INFORMATION";
    case IOCTL_BATTERY_QUERY_STATUS:
        return "IOCTL_BATTERY_QUERY_STATUS";
    default:
        return "a private IOCTL";
    }
}

NTSTATUS cf_ioctl(cf_ctx_t *c, ULONG code, const void *in, ULONG in_len, void *out, ULONG out_len,
                  uint32_t *returned)
{
    cf_req_t r;
    uint64_t elapsed = 0;
    uint32_t got = 0;

    cf_start(c, &r, code, in, in_len, out_len);
    NTSTATUS s = cf_finish(c, &r, CF_IMMEDIATE_BUDGET_NS, out, &got, &elapsed);
    cf_release(c, &r);
    if (elapsed > c->slowest_ns || !c->slowest[0]) {
        c->slowest_ns = elapsed;
        if (code == IOCTL_BATTERY_QUERY_INFORMATION && in_len >= sizeof(BATTERY_QUERY_INFORMATION))
            snprintf(c->slowest, sizeof c->slowest, "%s (%s)", ioctl_name(code),
                     cf_level_name(((const BATTERY_QUERY_INFORMATION *)in)->InformationLevel));
        else
            snprintf(c->slowest, sizeof c->slowest, "%s", ioctl_name(code));
    }
    cf_log(c, "%s -> %s, %u bytes, %llu ms", ioctl_name(code), cf_status_name(s), got,
           (unsigned long long)(elapsed / 1000000));
    if (returned)
        *returned = got;
    return s;
}

NTSTATUS cf_query_tag(cf_ctx_t *c, ULONG wait_ms, ULONG *tag)
{
    ULONG out = BATTERY_TAG_INVALID;
    uint32_t got = 0;
    NTSTATUS s =
        cf_ioctl(c, IOCTL_BATTERY_QUERY_TAG, &wait_ms, sizeof wait_ms, &out, sizeof out, &got);
    *tag = NT_SUCCESS(s) && got == sizeof out ? out : BATTERY_TAG_INVALID;
    return s;
}

NTSTATUS cf_query_info(cf_ctx_t *c, ULONG tag, ULONG level, LONG at_rate, void *out, ULONG out_len,
                       uint32_t *returned)
{
    BATTERY_QUERY_INFORMATION q = {.BatteryTag = tag,
                                   .InformationLevel = (BATTERY_QUERY_INFORMATION_LEVEL)level,
                                   .AtRate = (ULONG)at_rate};
    return cf_ioctl(c, IOCTL_BATTERY_QUERY_INFORMATION, &q, sizeof q, out, out_len, returned);
}

NTSTATUS cf_query_status(cf_ctx_t *c, ULONG tag, BATTERY_STATUS *status, uint32_t *returned)
{
    /* Timeout 0: docs: return the status at once whatever the rest says. */
    BATTERY_WAIT_STATUS w = {.BatteryTag = tag};
    memset(status, 0, sizeof(*status));
    return cf_ioctl(c, IOCTL_BATTERY_QUERY_STATUS, &w, sizeof w, status, sizeof(*status), returned);
}

bool cf_refresh_tag(cf_ctx_t *c)
{
    ULONG tag;
    NTSTATUS s = cf_query_tag(c, 0, &tag);
    c->bat->tag = NT_SUCCESS(s) ? tag : BATTERY_TAG_INVALID;
    return c->bat->tag != BATTERY_TAG_INVALID;
}

/* ---- controller operations ---- */
enum ctl_op { CTL_INSERT, CTL_REMOVE, CTL_SET_AC, CTL_SET_STATUS, CTL_NOTIFY };

struct ctl_job {
    cf_battery_t *bat;
    enum ctl_op op;
    int online;
    const bk_conformance_status_t *status;
    NTSTATUS result;
};

static void ctl_on_helper(void *arg)
{
    struct ctl_job *j = arg;
    const bk_conformance_controller_t *ctl = j->bat->ctl;
    void *state = j->bat->ctl_state;
    switch (j->op) {
    case CTL_INSERT:
        j->result = ctl->insert(state);
        break;
    case CTL_REMOVE:
        j->result = ctl->remove(state);
        break;
    case CTL_SET_AC:
        j->result = ctl->set_ac(state, j->online);
        break;
    case CTL_SET_STATUS:
        j->result = ctl->set_status(state, j->status);
        break;
    case CTL_NOTIFY:
        j->result = ctl->notify_change(state);
        break;
    }
}

static NTSTATUS ctl_run(cf_ctx_t *c, struct ctl_job *j)
{
    static const char *const names[] = {"insert", "remove", "set_ac", "set_status",
                                        "notify_change"};
    j->bat = c->bat;
    j->result = STATUS_NOT_SUPPORTED;
    if (!c->bat->ctl)
        return STATUS_NOT_SUPPORTED;
    /* A controller of a real device outside the host waits on it in real
     * time: moving the virtual clock meanwhile would count its latency as
     * the driver's. */
    if (!cf_call_ex(c, ctl_on_helper, j, !c->bat->ctl->real_time))
        return STATUS_IO_TIMEOUT;
    bk_host_settle(c->host);
    cf_log(c, "controller %s %s -> %s", c->bat->ctl->name, names[j->op], cf_status_name(j->result));
    return j->result;
}

bool cf_has_ctl(cf_ctx_t *c, bool insert_remove, bool power)
{
    const bk_conformance_controller_t *ctl = c->bat->ctl;
    if (!ctl)
        return false;
    if (insert_remove && !(ctl->insert && ctl->remove))
        return false;
    if (power && !(ctl->set_ac || ctl->set_status))
        return false;
    return true;
}

NTSTATUS cf_ctl_insert(cf_ctx_t *c)
{
    struct ctl_job j = {.op = CTL_INSERT};
    return c->bat->ctl && c->bat->ctl->insert ? ctl_run(c, &j) : STATUS_NOT_SUPPORTED;
}

NTSTATUS cf_ctl_remove(cf_ctx_t *c)
{
    struct ctl_job j = {.op = CTL_REMOVE};
    return c->bat->ctl && c->bat->ctl->remove ? ctl_run(c, &j) : STATUS_NOT_SUPPORTED;
}

NTSTATUS cf_ctl_set_ac(cf_ctx_t *c, int online)
{
    struct ctl_job j = {.op = CTL_SET_AC, .online = online};
    return c->bat->ctl && c->bat->ctl->set_ac ? ctl_run(c, &j) : STATUS_NOT_SUPPORTED;
}

NTSTATUS cf_ctl_set_status(cf_ctx_t *c, const bk_conformance_status_t *s)
{
    struct ctl_job j = {.op = CTL_SET_STATUS, .status = s};
    return c->bat->ctl && c->bat->ctl->set_status ? ctl_run(c, &j) : STATUS_NOT_SUPPORTED;
}

NTSTATUS cf_ctl_notify_change(cf_ctx_t *c)
{
    struct ctl_job j = {.op = CTL_NOTIFY};
    return c->bat->ctl && c->bat->ctl->notify_change ? ctl_run(c, &j) : STATUS_NOT_SUPPORTED;
}
