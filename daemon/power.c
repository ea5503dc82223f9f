/* battd's power thread, the part of a power manager battkit has: it keeps
 * the composite battery state current without polling (one QUERY_STATUS
 * wait per battery, thresholds 1 % of its full capacity either side of
 * the present capacity and its power state; a QUERY_TAG wait on an empty
 * slot; interface arrivals and removals), applies the DC policy when the
 * composite charge on battery falls to the low or critical level, and
 * answers SYSTEM_POWER_STATUS requests from fresh readings. Driver I/O
 * here is bounded in real time, so a stuck driver cannot stall it. */
#include "battd.h"
#include "hostops.h"

#include <windows.h>
#include <poclass.h>
#include <errno.h>
#include <ntstatus.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_SLOTS   32
#define IO_BOUND_MS 2000 /* a query that takes longer is cancelled */

/* One wait (QUERY_STATUS or QUERY_TAG) held on a battery; heap-allocated
 * so a late completion never touches a freed slot. */
typedef struct wait {
    struct wait *next; /* zombie list */
    bk_request_t *req;
    bool done;
    BATTERY_WAIT_STATUS in;
    union {
        BATTERY_STATUS status;
        ULONG tag;
    } out;
} wait_t;

typedef struct slot {
    char *path;
    bk_handle_t *h;
    wait_t *wait;
    bool seen; /* in the latest interface list */
} slot_t;

typedef struct job {
    struct job *next;
    struct client *client;
    uint32_t request_id;
} job_t;

static struct {
    bk_host_t *host;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cv;
    bool running, stop, dirty;
    job_t *jobs;
    wait_t *zombies;
    slot_t slots[MAX_SLOTS];
    size_t nslots;
    /* composite state, under lock */
    uint32_t level, percent, on_ac, actions;
} P = {.lock = PTHREAD_MUTEX_INITIALIZER, .percent = 255, .on_ac = 255};

/* ---- bounded I/O ---- */
typedef struct sync_io {
    pthread_mutex_t m;
    pthread_cond_t cv;
    bool done;
    bk_status_t status;
    uint32_t returned;
    uint8_t out[]; /* the driver writes here, never into the caller's buffer */
} sync_io_t;

static void sync_done(void *ctx, bk_status_t status, uint32_t returned)
{
    sync_io_t *w = ctx;
    pthread_mutex_lock(&w->m);
    w->status = status;
    w->returned = returned;
    w->done = true;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->m);
}

static bool wait_bounded(sync_io_t *w, int ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&w->m);
    while (!w->done && pthread_cond_timedwait(&w->cv, &w->m, &ts) != ETIMEDOUT)
        ;
    bool done = w->done;
    pthread_mutex_unlock(&w->m);
    return done;
}

/* bkc_ioctl_fn for this thread: never advances virtual time, never waits
 * longer than IO_BOUND_MS (then cancels, and STATUS_IO_TIMEOUT). */
static bk_status_t bounded_ioctl(void *ctx, bk_handle_t *h, uint32_t code, const void *in,
                                 uint32_t in_len, void *out, uint32_t out_len, uint32_t *returned)
{
    (void)ctx;
    *returned = 0;
    sync_io_t *w = calloc(1, sizeof *w + out_len);
    if (!w)
        return STATUS_INSUFFICIENT_RESOURCES;
    pthread_mutex_init(&w->m, NULL);
    pthread_condattr_t a;
    pthread_condattr_init(&a);
    pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
    pthread_cond_init(&w->cv, &a);
    pthread_condattr_destroy(&a);
    bk_request_t *r = NULL;
    bk_status_t s = bk_ioctl_async(h, code, in, in_len, w->out, out_len, sync_done, w, &r);
    if (s != STATUS_PENDING)
        goto out;
    if (!wait_bounded(w, IO_BOUND_MS)) {
        bk_request_cancel(r);
        if (!wait_bounded(w, IO_BOUND_MS)) {
            /* A driver that keeps a cancelled request: leave w to it. */
            dlog(DLOG_ERROR, "power: IOCTL 0x%08x neither completed nor cancelled in %d ms", code,
                 2 * IO_BOUND_MS);
            return STATUS_IO_TIMEOUT;
        }
        if (w->status == STATUS_CANCELLED)
            w->status = STATUS_IO_TIMEOUT;
    }
    s = w->status;
    *returned = w->returned <= out_len ? w->returned : out_len;
    memcpy(out, w->out, *returned);
    bk_request_free(r);
out:
    pthread_cond_destroy(&w->cv);
    pthread_mutex_destroy(&w->m);
    free(w);
    return s;
}

/* ---- waits ---- */
static void wait_done(void *ctx, bk_status_t status, uint32_t returned)
{
    (void)status, (void)returned;
    wait_t *w = ctx;
    pthread_mutex_lock(&P.lock);
    w->done = true;
    P.dirty = true;
    pthread_cond_signal(&P.cv);
    pthread_mutex_unlock(&P.lock);
}

/* Forgets a slot's wait: cancelled if still pending, freed once done. */
static void drop_wait(slot_t *s)
{
    wait_t *w = s->wait;
    if (!w)
        return;
    s->wait = NULL;
    pthread_mutex_lock(&P.lock);
    bool done = w->done;
    if (!done) {
        w->next = P.zombies;
        P.zombies = w;
    }
    pthread_mutex_unlock(&P.lock);
    if (done) {
        bk_request_free(w->req);
        free(w);
    } else {
        bk_request_cancel(w->req);
    }
}

static void reap_zombies(void)
{
    pthread_mutex_lock(&P.lock);
    wait_t **pw = &P.zombies;
    while (*pw) {
        wait_t *w = *pw;
        if (w->done) {
            *pw = w->next;
            pthread_mutex_unlock(&P.lock);
            bk_request_free(w->req);
            free(w);
            pthread_mutex_lock(&P.lock);
            pw = &P.zombies;
        } else {
            pw = &w->next;
        }
    }
    pthread_mutex_unlock(&P.lock);
}

static void arm_wait(slot_t *s, const bkc_battery_reading_t *r, uint32_t tag)
{
    wait_t *w = calloc(1, sizeof *w);
    if (!w)
        return;
    uint32_t code;
    uint32_t in_len, out_len;
    if (r->state == BKC_BATTERY_OK) {
        /* docs: the wait ends when the power state differs from PowerState
         * or the capacity leaves [LowCapacity, HighCapacity]. */
        uint32_t step = r->full_capacity != BATTERY_UNKNOWN_CAPACITY && r->full_capacity >= 100
                            ? r->full_capacity / 100
                            : 1;
        w->in.BatteryTag = tag;
        w->in.Timeout = 0xFFFFFFFFu;
        w->in.PowerState = r->power_state;
        if (r->capacity == BATTERY_UNKNOWN_CAPACITY) {
            w->in.LowCapacity = 0;
            w->in.HighCapacity = BATTERY_UNKNOWN_CAPACITY - 1;
        } else {
            w->in.LowCapacity = r->capacity > step ? r->capacity - step : 0;
            w->in.HighCapacity = r->capacity + step;
        }
        code = IOCTL_BATTERY_QUERY_STATUS;
        in_len = sizeof w->in;
        out_len = sizeof w->out.status;
    } else if (r->state == BKC_BATTERY_ABSENT) {
        /* docs: QUERY_TAG with -1 waits until a battery is inserted. */
        w->in.BatteryTag = 0xFFFFFFFFu;
        code = IOCTL_BATTERY_QUERY_TAG;
        in_len = sizeof(ULONG);
        out_len = sizeof w->out.tag;
    } else {
        free(w); /* unreadable: re-read on the next event */
        return;
    }
    bk_status_t st =
        bk_ioctl_async(s->h, code, &w->in, in_len, &w->out, out_len, wait_done, w, &w->req);
    if (st != STATUS_PENDING) {
        free(w);
        return;
    }
    s->wait = w;
}

/* ---- slots ---- */
static void close_slot(size_t i)
{
    slot_t *s = &P.slots[i];
    drop_wait(s);
    bk_close(s->h);
    free(s->path);
    P.slots[i] = P.slots[--P.nslots];
}

static void sync_slots(void)
{
    char **paths = NULL;
    size_t n = bk_host_list_interfaces(P.host, &GUID_DEVICE_BATTERY, &paths);
    for (size_t i = 0; i < P.nslots; i++)
        P.slots[i].seen = false;
    for (size_t k = 0; k < n; k++) {
        size_t i = 0;
        while (i < P.nslots && strcmp(P.slots[i].path, paths[k]) != 0)
            i++;
        if (i < P.nslots) {
            P.slots[i].seen = true;
            continue;
        }
        if (P.nslots == MAX_SLOTS)
            break;
        bk_handle_t *h = NULL;
        if (bk_host_open(P.host, paths[k], BK_ACCESS_READ, &h) != STATUS_SUCCESS)
            continue;
        P.slots[P.nslots++] = (slot_t){.path = strdup(paths[k]), .h = h, .seen = true};
    }
    if (paths)
        bk_host_free_list(paths, n);
    for (size_t i = P.nslots; i-- > 0;)
        if (!P.slots[i].seen)
            close_slot(i);
}

/* ---- policy ---- */
static const char *const level_names[] = {"normal", "low", "critical"};

static void evaluate(const bkc_power_status_t *ps)
{
    bkp_policy_t pol;
    policy_get(&pol);
    uint32_t on_ac = ps->ac_line_status == AC_LINE_ONLINE    ? 1
                     : ps->ac_line_status == AC_LINE_OFFLINE ? 0
                                                             : 255;
    uint32_t percent = ps->battery_life_percent;
    uint32_t level = BKP_LEVEL_NORMAL;
    if (on_ac == 0 && percent <= 100) {
        if (percent <= pol.critical_percent)
            level = BKP_LEVEL_CRITICAL;
        else if (percent <= pol.low_percent)
            level = BKP_LEVEL_LOW;
    }
    pthread_mutex_lock(&P.lock);
    uint32_t was_level = P.level, was_ac = P.on_ac;
    P.level = level;
    P.on_ac = on_ac;
    P.percent = percent;
    if (level > was_level)
        P.actions++;
    pthread_mutex_unlock(&P.lock);
    if (on_ac != was_ac)
        dlog(DLOG_INFO, "power source: %s, battery %u%%",
             on_ac == 1   ? "AC"
             : on_ac == 0 ? "battery"
                          : "unknown",
             percent);
    if (level > was_level) {
        /* Entering a worse level fires its action once; leaving it (AC, or
         * charge back above the level) re-arms it. */
        policy_run_action(level == BKP_LEVEL_CRITICAL ? pol.critical_action : pol.low_action,
                          level_names[level], percent);
    } else if (level < was_level) {
        dlog(DLOG_INFO, "policy: battery level back to %s (%u%%)", level_names[level], percent);
    }
}

static void refresh(void)
{
    reap_zombies();
    sync_slots();
    bkc_battery_reading_t readings[MAX_SLOTS];
    for (size_t i = 0; i < P.nslots; i++) {
        slot_t *s = &P.slots[i];
        pthread_mutex_lock(&P.lock);
        bool finished = s->wait && s->wait->done;
        pthread_mutex_unlock(&P.lock);
        if (finished)
            drop_wait(s);
        uint32_t tag;
        bkc_read_battery(s->h, bounded_ioctl, NULL, &readings[i], &tag);
        /* A wait armed with an older state still ends on the next change;
         * re-arm only those that finished. */
        if (!s->wait)
            arm_wait(s, &readings[i], tag);
    }
    bkc_power_status_t ps;
    bkc_compute_power_status(readings, P.nslots, &ps);
    evaluate(&ps);
}

/* ---- jobs ---- */
static void post_reply(struct client *c, uint32_t id, const bkp_power_status_reply_t *r)
{
    q_item_t *item = calloc(1, sizeof *item + sizeof *r);
    if (!item)
        abort(); /* the loop would wait on this client forever */
    item->kind = Q_REPLY;
    item->client = c;
    item->request_id = id;
    item->type = BKP_MSG_POWER_STATUS | BKP_REPLY;
    item->length = sizeof *r;
    memcpy(item->data, r, sizeof *r);
    queue_push(item);
}

static void serve_jobs(job_t *jobs)
{
    bkc_power_status_t ps;
    bk_status_t s = bkc_host_power_status(P.host, bounded_ioctl, NULL, &ps);
    bkp_power_status_reply_t r = {.status = s};
    if (s == STATUS_SUCCESS) {
        r.ac_line_status = ps.ac_line_status;
        r.battery_flag = ps.battery_flag;
        r.battery_life_percent = ps.battery_life_percent;
        r.system_status_flag = ps.system_status_flag;
        r.battery_life_time = ps.battery_life_time;
        r.battery_full_life_time = ps.battery_full_life_time;
    }
    while (jobs) {
        job_t *j = jobs;
        jobs = j->next;
        post_reply(j->client, j->request_id, &r);
        free(j);
    }
}

static void *power_thread(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&P.lock);
    while (!P.stop) {
        if (P.dirty) {
            P.dirty = false;
            pthread_mutex_unlock(&P.lock);
            refresh();
            pthread_mutex_lock(&P.lock);
        } else if (P.jobs) {
            job_t *jobs = P.jobs;
            P.jobs = NULL;
            pthread_mutex_unlock(&P.lock);
            /* Queued requests share one reading: they asked at the same time. */
            serve_jobs(jobs);
            pthread_mutex_lock(&P.lock);
        } else {
            pthread_cond_wait(&P.cv, &P.lock);
        }
    }
    job_t *jobs = P.jobs;
    P.jobs = NULL;
    pthread_mutex_unlock(&P.lock);
    bkp_power_status_reply_t cancelled = {.status = STATUS_CANCELLED};
    while (jobs) {
        job_t *j = jobs;
        jobs = j->next;
        post_reply(j->client, j->request_id, &cancelled);
        free(j);
    }
    while (P.nslots)
        close_slot(P.nslots - 1);
    /* Closing cancelled the waits; give their completions a bounded moment. */
    for (int i = 0; i < 200; i++) {
        reap_zombies();
        pthread_mutex_lock(&P.lock);
        bool empty = P.zombies == NULL;
        pthread_mutex_unlock(&P.lock);
        if (empty)
            break;
        bk_host_settle(P.host);
    }
    return NULL;
}

int power_start(bk_host_t *host, const battd_options_t *o)
{
    (void)o;
    P.host = host;
    pthread_cond_init(&P.cv, NULL);
    P.dirty = true;
    if (pthread_create(&P.thread, NULL, power_thread, NULL) != 0)
        return -1;
    P.running = true;
    return 0;
}

void power_stop(void)
{
    if (!P.running)
        return;
    pthread_mutex_lock(&P.lock);
    P.stop = true;
    pthread_cond_signal(&P.cv);
    pthread_mutex_unlock(&P.lock);
    pthread_join(P.thread, NULL);
    P.running = false;
    if (P.zombies)
        dlog(DLOG_ERROR, "power: a battery wait was not cancelled by its driver");
}

void power_request_status(struct client *c, uint32_t request_id)
{
    job_t *j = calloc(1, sizeof *j);
    bool queued = false;
    if (j) {
        j->client = c;
        j->request_id = request_id;
        pthread_mutex_lock(&P.lock);
        if (P.running && !P.stop) {
            j->next = P.jobs;
            P.jobs = j;
            queued = true;
            pthread_cond_signal(&P.cv);
        }
        pthread_mutex_unlock(&P.lock);
    }
    /* Called on the loop thread, which owns client references; the reply
     * item gives this one back. */
    client_ref(c);
    if (!queued) {
        bkp_power_status_reply_t r = {.status =
                                          j ? STATUS_CANCELLED : STATUS_INSUFFICIENT_RESOURCES};
        free(j);
        post_reply(c, request_id, &r);
    }
}

void power_get_policy(bkp_policy_reply_t *out)
{
    memset(out, 0, sizeof *out);
    policy_get(&out->policy);
    pthread_mutex_lock(&P.lock);
    out->level = P.level;
    out->percent = P.percent;
    out->on_ac = P.on_ac;
    out->actions_taken = P.actions;
    pthread_mutex_unlock(&P.lock);
    out->status = STATUS_SUCCESS;
}

int32_t power_set_policy(const bkp_policy_t *p, uint32_t uid, pid_t pid)
{
    int32_t s = policy_set(p);
    if (s != STATUS_SUCCESS)
        return s;
    dlog(DLOG_INFO, "policy set by uid %u pid %d: low %u%% %s, critical %u%% %s", uid, (int)pid,
         p->low_percent, policy_action_name(p->low_action), p->critical_percent,
         policy_action_name(p->critical_action));
    power_interfaces_changed(); /* re-evaluate against the new levels */
    return STATUS_SUCCESS;
}

void power_interfaces_changed(void)
{
    pthread_mutex_lock(&P.lock);
    P.dirty = true;
    pthread_cond_signal(&P.cv);
    pthread_mutex_unlock(&P.lock);
}
