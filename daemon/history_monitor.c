/* The history's battery watcher: like `battctl watch`, each battery holds
 * one QUERY_STATUS wait (power state, thresholds 1 % of full capacity
 * either side of the charge, Timeout = the sample interval, so a sample
 * comes on every change and at least once an interval), an empty slot a
 * QUERY_TAG wait; no polling. A completion (DISPATCH_LEVEL, maybe inside a
 * virtual clock step) goes to a host worker that records the sample and
 * re-arms before the clock moves on; identity, capacity and cycle count are
 * read by this file's thread on arrival and then hourly. Keeps the live
 * state the HTTP server shows. Does not decide policy (power.c). */
#include "battd.h"
#include "history.h"

#include <windows.h>
#include <poclass.h>
#include <errno.h>
#include <ntstatus.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define IO_BOUND_MS    2000
#define INFO_PERIOD_MS (3600ll * 1000) /* capacity and cycle count re-read hourly */

void history_queue_work(void (*fn)(void *), void *context); /* history_work.c */

struct slot;
typedef struct hwait {
    struct slot *slot;
    bk_request_t *req;
    uint32_t code;
    bk_status_t status;
    uint32_t returned;
    int64_t t_ms; /* when it completed, by the history clock */
    BATTERY_WAIT_STATUS in;
    union {
        BATTERY_STATUS status;
        ULONG tag;
    } out;
} hwait_t;

typedef struct slot {
    bool active;      /* false: closing, no re-arm */
    bool need_read;   /* the thread reads tag, identity and status again */
    bool need_info;   /* the thread reads capacity and cycle count again */
    bool retry;       /* unreadable: read again on the thread's next round */
    bool tag_changed; /* a worker took a new tag: the thread checks the identity */
    bool read_once;   /* read at least once: before that, the snapshot leaves it out */
    unsigned waiting; /* waits out (0 or 1) */
    hwait_t *wait;
    bk_handle_t *h;
    uint32_t tag;
    int64_t info_ms;
    live_battery_t live;
} slot_t;

static struct {
    bk_host_t *host;
    unsigned interval_s;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cv;
    bool running, stop, dirty;
    bool flush;     /* records pushed since the thread's last flush */
    slot_t **slots; /* grows with the batteries: no fixed bound */
    size_t nslots, slots_cap;
    uint64_t generation;
    int last_ac; /* -1 before the first reading */
} M = {.lock = PTHREAD_MUTEX_INITIALIZER, .last_ac = -1};

/* Queues records and wakes the thread to commit them: it sleeps with no
 * timeout while nothing is queued or to be read again, so an idle battd
 * does not wake once a second for nothing. */
static void kick_flush(void)
{
    pthread_mutex_lock(&M.lock);
    M.flush = true;
    pthread_cond_broadcast(&M.cv);
    pthread_mutex_unlock(&M.lock);
}

static void push_records(const hist_record_t *records, size_t count)
{
    if (!count)
        return;
    history_push(records, count);
    kick_flush();
}

/* ---- text ---- */
static void utf16_to_utf8(const WCHAR *w, size_t max, char *out, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < max && w[i] && o + 4 < n; i++) {
        unsigned c = w[i];
        if (c < 0x80) {
            out[o++] = c >= 0x20 ? (char)c : '?';
        } else if (c < 0x800) {
            out[o++] = (char)(0xC0 | c >> 6);
            out[o++] = (char)(0x80 | (c & 0x3F));
        } else if (c >= 0xD800 && c < 0xE000) {
            out[o++] = '?'; /* surrogates: not in battery names */
        } else {
            out[o++] = (char)(0xE0 | c >> 12);
            out[o++] = (char)(0x80 | (c >> 6 & 0x3F));
            out[o++] = (char)(0x80 | (c & 0x3F));
        }
    }
    out[o] = 0;
}

static const char *bus_of(const char *path)
{
    static const struct {
        const char *needle, *bus;
    } buses[] = {
        {"ACPI", "acpi"}, {"SIMBATT", "simbatt"},     {"PSBATT", "psbatt"},
        {"NUT", "nut"},   {"COMPOSITE", "composite"},
    };
    for (size_t i = 0; i < sizeof buses / sizeof buses[0]; i++)
        if (strcasestr(path, buses[i].needle))
            return buses[i].bus;
    return "root";
}

static int64_t known(ULONG v)
{
    return v == BATTERY_UNKNOWN_CAPACITY ? HIST_UNKNOWN : (int64_t)v;
}

/* ---- bounded synchronous I/O (this thread only) ---- */
typedef struct sync_io {
    pthread_mutex_t m;
    pthread_cond_t cv;
    bool done;
    bk_status_t status;
    uint32_t returned;
    uint8_t out[];
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

static bool sync_wait(sync_io_t *w, int ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
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

static bk_status_t bounded_ioctl(void *ctx, bk_handle_t *h, uint32_t code, const void *in,
                                 uint32_t in_len, void *out, uint32_t out_len, uint32_t *returned)
{
    (void)ctx;
    *returned = 0;
    sync_io_t *w = calloc(1, sizeof *w + out_len);
    if (!w)
        return STATUS_INSUFFICIENT_RESOURCES;
    pthread_mutex_init(&w->m, NULL);
    pthread_cond_init(&w->cv, NULL);
    bk_request_t *r = NULL;
    bk_status_t s = bk_ioctl_async(h, code, in, in_len, w->out, out_len, sync_done, w, &r);
    if (s != STATUS_PENDING)
        goto out;
    if (!sync_wait(w, IO_BOUND_MS)) {
        bk_request_cancel(r);
        if (!sync_wait(w, IO_BOUND_MS)) {
            dlog(DLOG_ERROR, "history: IOCTL 0x%08x neither completed nor cancelled", code);
            return STATUS_IO_TIMEOUT; /* w stays with the driver */
        }
    }
    s = w->status == STATUS_CANCELLED ? STATUS_IO_TIMEOUT : w->status;
    *returned = w->returned <= out_len ? w->returned : out_len;
    memcpy(out, w->out, *returned);
    bk_request_free(r);
out:
    pthread_cond_destroy(&w->cv);
    pthread_mutex_destroy(&w->m);
    free(w);
    return s;
}

static bool query_info(slot_t *s, BATTERY_QUERY_INFORMATION_LEVEL level, void *out, uint32_t len,
                       uint32_t *got)
{
    BATTERY_QUERY_INFORMATION q = {.BatteryTag = s->tag, .InformationLevel = level};
    return NT_SUCCESS(
        bounded_ioctl(NULL, s->h, IOCTL_BATTERY_QUERY_INFORMATION, &q, sizeof q, out, len, got));
}

static void query_string(slot_t *s, BATTERY_QUERY_INFORMATION_LEVEL level, char *out, size_t n)
{
    WCHAR w[MAX_BATTERY_STRING_SIZE / sizeof(WCHAR)] = {0};
    uint32_t got = 0;
    out[0] = 0;
    if (query_info(s, level, w, sizeof w, &got))
        utf16_to_utf8(w, got / sizeof(WCHAR), out, n);
}

/* ---- system state: the one source ---- */
/* The power manager's SYSTEM_BATTERY_STATE and SYSTEM_POWER_STATUS
 * (ntos/po), read at once. */
void monitor_system_state(live_system_t *out)
{
    bk_power_state_t ps;
    *out = (live_system_t){.ac_line_status = 255,
                           .battery_flag = 255,
                           .battery_life_percent = 255,
                           .battery_life_time_s = -1,
                           .remaining_mwh = HIST_UNKNOWN,
                           .full_mwh = HIST_UNKNOWN,
                           .rate_mw = HIST_UNKNOWN};
    if (!M.host || bk_host_power_state(M.host, &ps) != STATUS_SUCCESS)
        return;
    out->ac_line_status = ps.ac_line_status;
    out->battery_flag = ps.battery_flag;
    out->battery_life_percent = ps.battery_life_percent;
    out->battery_life_time_s =
        ps.battery_life_time == 0xFFFFFFFFu ? -1 : (int64_t)ps.battery_life_time;
    if (ps.battery_present) {
        out->remaining_mwh = ps.remaining_capacity;
        out->full_mwh = ps.max_capacity;
        out->rate_mw = ps.rate == INT32_MIN ? HIST_UNKNOWN : ps.rate;
    }
}

/* ---- waits ---- */
static void wait_work(void *ctx);

static void wait_done(void *ctx, bk_status_t status, uint32_t returned)
{
    hwait_t *w = ctx;
    w->status = status;
    w->returned = returned;
    w->t_ms = history_now_ms();
    history_queue_work(wait_work, w);
}

/* Arms the slot's wait from its live state; under no lock. */
static void arm(slot_t *s)
{
    hwait_t *w = calloc(1, sizeof *w);
    if (!w)
        return;
    w->slot = s;
    uint32_t in_len, out_len;
    pthread_mutex_lock(&M.lock);
    if (!s->active || s->waiting || M.stop) {
        pthread_mutex_unlock(&M.lock);
        free(w);
        return;
    }
    const live_battery_t *b = &s->live;
    if (b->present) {
        int64_t step = b->full_mwh != HIST_UNKNOWN && b->full_mwh >= 100 ? b->full_mwh / 100 : 1;
        w->code = IOCTL_BATTERY_QUERY_STATUS;
        w->in = (BATTERY_WAIT_STATUS){
            .BatteryTag = s->tag, .Timeout = M.interval_s * 1000u, .PowerState = b->power_state};
        if (b->capacity_mwh == HIST_UNKNOWN) {
            w->in.HighCapacity = BATTERY_UNKNOWN_CAPACITY - 1;
        } else {
            w->in.LowCapacity = b->capacity_mwh > step ? (ULONG)(b->capacity_mwh - step) : 0;
            w->in.HighCapacity = (ULONG)(b->capacity_mwh + step);
        }
        in_len = sizeof w->in;
        out_len = sizeof w->out.status;
    } else {
        w->code = IOCTL_BATTERY_QUERY_TAG;
        w->in.BatteryTag = 0xFFFFFFFFu; /* docs: QUERY_TAG with -1 waits for an insertion */
        in_len = sizeof(ULONG);
        out_len = sizeof w->out.tag;
    }
    s->waiting = 1;
    s->wait = w;
    pthread_mutex_unlock(&M.lock);
    bk_status_t st =
        bk_ioctl_async(s->h, w->code, &w->in, in_len, &w->out, out_len, wait_done, w, &w->req);
    if (st != STATUS_PENDING) {
        pthread_mutex_lock(&M.lock);
        s->waiting = 0;
        s->wait = NULL;
        s->need_read = true; /* look again on the next round */
        pthread_mutex_unlock(&M.lock);
        free(w);
    }
}

static void event_record(hist_record_t *r, int64_t t, const char *uid, const char *name,
                         int64_t value, const char *detail)
{
    *r = (hist_record_t){.kind = HREC_EVENT, .t_ms = t};
    snprintf(r->battery, sizeof r->battery, "%s", uid);
    snprintf(r->e.name, sizeof r->e.name, "%s", name);
    r->e.value = value;
    snprintf(r->e.detail, sizeof r->e.detail, "%s", detail ? detail : "");
}

/* A host worker, PASSIVE_LEVEL: record the sample, re-arm. */
static void wait_work(void *ctx)
{
    hwait_t *w = ctx;
    slot_t *s = w->slot;
    hist_record_t recs[3];
    size_t n = 0;
    bool rearm = false;
    bk_request_free(w->req);
    pthread_mutex_lock(&M.lock);
    s->waiting = 0;
    s->wait = NULL;
    if (s->active && w->code == IOCTL_BATTERY_QUERY_STATUS && NT_SUCCESS(w->status) &&
        w->returned == sizeof(BATTERY_STATUS)) {
        live_battery_t *b = &s->live;
        const BATTERY_STATUS *st = &w->out.status;
        if (st->PowerState != b->power_state) {
            char detail[32];
            snprintf(detail, sizeof detail, "0x%x->0x%x", (unsigned)b->power_state,
                     (unsigned)st->PowerState);
            event_record(&recs[n++], w->t_ms, b->unique_id, "power_state", st->PowerState, detail);
        }
        b->power_state = st->PowerState;
        b->capacity_mwh = known(st->Capacity);
        b->voltage_mv = st->Voltage == BATTERY_UNKNOWN_VOLTAGE ? HIST_UNKNOWN : st->Voltage;
        b->rate_mw = (ULONG)st->Rate == BATTERY_UNKNOWN_RATE ? HIST_UNKNOWN : st->Rate;
        b->t_ms = w->t_ms;
        recs[n] = (hist_record_t){.kind = HREC_SAMPLE, .t_ms = w->t_ms};
        snprintf(recs[n].battery, sizeof recs[n].battery, "%s", b->unique_id);
        recs[n].s.power_state = b->power_state;
        recs[n].s.capacity_mwh = b->capacity_mwh;
        recs[n].s.voltage_mv = b->voltage_mv;
        recs[n].s.rate_mw = b->rate_mw;
        recs[n].s.temperature_dk = b->temperature_dk;
        n++;
        if (w->t_ms - s->info_ms >= INFO_PERIOD_MS)
            s->need_info = true;
        rearm = true;
    } else if (s->active && w->code == IOCTL_BATTERY_QUERY_STATUS &&
               w->status == STATUS_NO_SUCH_DEVICE) {
        /* A new tag (static data changed, or another pack): take it at once
         * so no sample is missed while the clock runs; the thread checks
         * the identity. QUERY_TAG with Timeout 0 answers without waiting. */
        ULONG zero = 0, tag = 0;
        uint32_t got = 0;
        pthread_mutex_unlock(&M.lock);
        bk_status_t ts =
            bk_ioctl(s->h, IOCTL_BATTERY_QUERY_TAG, &zero, sizeof zero, &tag, sizeof tag, &got);
        pthread_mutex_lock(&M.lock);
        if (NT_SUCCESS(ts) && got == sizeof tag && tag != BATTERY_TAG_INVALID) {
            s->tag = tag;
            s->tag_changed = true;
            rearm = true;
        }
        s->need_read = true;
    } else if (s->active) {
        s->need_read = true; /* removed, inserted, or an error */
        dlog(DLOG_DEBUG, "history: %s wait ended 0x%08x", s->live.path, (unsigned)w->status);
    }
    M.generation++;
    pthread_cond_broadcast(&M.cv);
    pthread_mutex_unlock(&M.lock);
    push_records(recs, n);
    if (rearm)
        arm(s);
    free(w);
}

/* ---- the thread: slots, identity, capacity ---- */
static void read_capacity(slot_t *s, hist_record_t *out, size_t *n, int64_t t)
{
    BATTERY_INFORMATION bi;
    uint32_t got = 0;
    if (!query_info(s, BatteryInformation, &bi, sizeof bi, &got) || got != sizeof bi)
        return;
    ULONG dk = 0;
    bool have_dk = query_info(s, BatteryTemperature, &dk, sizeof dk, &got) && got == sizeof dk;
    pthread_mutex_lock(&M.lock);
    live_battery_t *b = &s->live;
    bool changed = known(bi.FullChargedCapacity) != b->full_mwh ||
                   (int64_t)bi.CycleCount != b->cycle_count ||
                   known(bi.DesignedCapacity) != b->design_mwh;
    b->full_mwh = known(bi.FullChargedCapacity);
    b->design_mwh = known(bi.DesignedCapacity);
    b->cycle_count = bi.CycleCount;
    b->capabilities = bi.Capabilities;
    b->technology = bi.Technology;
    b->temperature_dk = have_dk && dk ? (int64_t)dk : HIST_UNKNOWN;
    memcpy(b->chemistry, bi.Chemistry, 4);
    b->chemistry[4] = 0;
    bool daily = t - s->info_ms >= 24 * INFO_PERIOD_MS;
    s->info_ms = t;
    s->need_info = false;
    pthread_mutex_unlock(&M.lock);
    if (changed || daily) {
        out[*n] = (hist_record_t){.kind = HREC_CAPACITY, .t_ms = t};
        snprintf(out[*n].battery, sizeof out[*n].battery, "%s", b->unique_id);
        out[*n].c.full_mwh = b->full_mwh;
        out[*n].c.design_mwh = b->design_mwh;
        out[*n].c.cycle_count = b->cycle_count;
        (*n)++;
    }
}

enum { READ_ABSENT, READ_OK, READ_ERROR };
typedef struct reading {
    int state;
    BATTERY_STATUS status;
} reading_t;

/* docs: QUERY_TAG with Timeout 0 answers at once (STATUS_NO_SUCH_DEVICE:
 * an empty slot), then QUERY_STATUS with Timeout 0. */
static void read_battery(slot_t *s, reading_t *r, uint32_t *tag_out)
{
    ULONG zero = 0, tag = 0;
    uint32_t got = 0;
    r->state = READ_ERROR;
    *tag_out = 0;
    bk_status_t st = bounded_ioctl(NULL, s->h, IOCTL_BATTERY_QUERY_TAG, &zero, sizeof zero, &tag,
                                   sizeof tag, &got);
    if (st == STATUS_NO_SUCH_DEVICE) {
        r->state = READ_ABSENT;
        return;
    }
    if (!NT_SUCCESS(st) || got != sizeof tag || tag == BATTERY_TAG_INVALID)
        return;
    BATTERY_WAIT_STATUS w = {.BatteryTag = tag};
    st = bounded_ioctl(NULL, s->h, IOCTL_BATTERY_QUERY_STATUS, &w, sizeof w, &r->status,
                       sizeof r->status, &got);
    if (st == STATUS_NO_SUCH_DEVICE)
        r->state = READ_ABSENT;
    if (!NT_SUCCESS(st) || got != sizeof r->status)
        return;
    r->state = READ_OK;
    *tag_out = tag;
}

/* Tag, identity, status: on arrival, after a tag wait, after an error. */
static void read_slot(slot_t *s)
{
    hist_record_t recs[6];
    size_t n = 0;
    int64_t t = history_now_ms();
    reading_t r;
    uint32_t tag = 0;
    read_battery(s, &r, &tag);
    pthread_mutex_lock(&M.lock);
    s->need_read = false;
    s->retry = false;
    bool was_present = s->live.present;
    uint32_t old_tag = s->tag_changed ? 0 : s->tag;
    s->tag_changed = false;
    pthread_mutex_unlock(&M.lock);
    if (r.state != READ_OK) {
        dlog(DLOG_DEBUG, "history: %s reads %s", s->live.path,
             r.state == READ_ABSENT ? "absent" : "unreadable");
        pthread_mutex_lock(&M.lock);
        if (was_present && r.state == READ_ABSENT) {
            event_record(&recs[n++], t, s->live.unique_id, "removal", 0, s->live.path);
            s->live.present = false;
            s->tag = 0;
            M.generation++;
        }
        s->retry = r.state == READ_ERROR; /* the next round (1 s) reads again */
        if (!s->read_once) {
            s->read_once = true;
            M.generation++;
        }
        pthread_mutex_unlock(&M.lock);
        push_records(recs, n);
        if (r.state == READ_ABSENT)
            arm(s);
        return;
    }
    bool same = false;
    if (!was_present || tag != old_tag) {
        s->tag = tag;
        live_battery_t id = s->live;
        query_string(s, BatteryUniqueID, id.unique_id, sizeof id.unique_id);
        query_string(s, BatteryDeviceName, id.device_name, sizeof id.device_name);
        query_string(s, BatteryManufactureName, id.manufacturer, sizeof id.manufacturer);
        query_string(s, BatterySerialNumber, id.serial, sizeof id.serial);
        if (!id.unique_id[0]) /* a driver without unique IDs: the slot stands in */
            snprintf(id.unique_id, sizeof id.unique_id, "%s", s->live.path);
        pthread_mutex_lock(&M.lock);
        /* docs: the tag also changes when the static data does (a cycle
         * more, a new full charge): the same unique ID is the same pack. */
        same = was_present && strcmp(id.unique_id, s->live.unique_id) == 0;
        if (was_present && !same)
            event_record(&recs[n++], t, s->live.unique_id, "removal", 0, s->live.path);
        memcpy(s->live.unique_id, id.unique_id, sizeof id.unique_id);
        memcpy(s->live.device_name, id.device_name, sizeof id.device_name);
        memcpy(s->live.manufacturer, id.manufacturer, sizeof id.manufacturer);
        memcpy(s->live.serial, id.serial, sizeof id.serial);
        s->live.present = true;
        if (!same) {
            s->live.full_mwh = HIST_UNKNOWN;
            s->live.cycle_count = HIST_UNKNOWN;
            s->info_ms = INT64_MIN / 2;
        }
        pthread_mutex_unlock(&M.lock);
        read_capacity(s, recs, &n, t); /* first: the identity needs the chemistry */
        pthread_mutex_lock(&M.lock);
    }
    if (!was_present || tag != old_tag) {
        hist_record_t *b = &recs[n++];
        *b = (hist_record_t){.kind = HREC_BATTERY, .t_ms = t};
        snprintf(b->battery, sizeof b->battery, "%s", s->live.unique_id);
        snprintf(b->id.device_name, sizeof b->id.device_name, "%s", s->live.device_name);
        snprintf(b->id.manufacturer, sizeof b->id.manufacturer, "%s", s->live.manufacturer);
        snprintf(b->id.serial, sizeof b->id.serial, "%s", s->live.serial);
        snprintf(b->id.chemistry, sizeof b->id.chemistry, "%s", s->live.chemistry);
        snprintf(b->id.bus, sizeof b->id.bus, "%s", s->live.bus);
        b->id.design_mwh = s->live.design_mwh;
        if (!same)
            event_record(&recs[n++], t, s->live.unique_id, "arrival", 0, s->live.path);
        pthread_mutex_unlock(&M.lock);
    }
    pthread_mutex_lock(&M.lock);
    live_battery_t *b = &s->live;
    b->power_state = r.status.PowerState;
    b->capacity_mwh = known(r.status.Capacity);
    b->voltage_mv = r.status.Voltage == BATTERY_UNKNOWN_VOLTAGE ? HIST_UNKNOWN : r.status.Voltage;
    b->rate_mw = (ULONG)r.status.Rate == BATTERY_UNKNOWN_RATE ? HIST_UNKNOWN : r.status.Rate;
    b->t_ms = t;
    hist_record_t *smp = &recs[n++];
    *smp = (hist_record_t){.kind = HREC_SAMPLE, .t_ms = t};
    snprintf(smp->battery, sizeof smp->battery, "%s", b->unique_id);
    smp->s.power_state = b->power_state;
    smp->s.capacity_mwh = b->capacity_mwh;
    smp->s.voltage_mv = b->voltage_mv;
    smp->s.rate_mw = b->rate_mw;
    smp->s.temperature_dk = b->temperature_dk;
    s->read_once = true;
    M.generation++;
    pthread_mutex_unlock(&M.lock);
    push_records(recs, n);
    arm(s);
}

static void close_slot(size_t i)
{
    slot_t *s = M.slots[i];
    pthread_mutex_lock(&M.lock);
    s->active = false;
    M.slots[i] = M.slots[--M.nslots];
    M.generation++;
    pthread_mutex_unlock(&M.lock);
    /* Closing cancels the wait; its worker sees !active and lets go. */
    bk_close(s->h);
    for (int tries = 0; tries < 400; tries++) {
        pthread_mutex_lock(&M.lock);
        unsigned out = s->waiting;
        pthread_mutex_unlock(&M.lock);
        if (!out)
            break;
        /* The cancelled wait's worker broadcasts; bounded at 2 s in all. */
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 5000000;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_mutex_lock(&M.lock);
        if (s->waiting)
            pthread_cond_timedwait(&M.cv, &M.lock, &ts);
        pthread_mutex_unlock(&M.lock);
    }
    pthread_mutex_lock(&M.lock);
    bool leak = s->waiting != 0;
    pthread_mutex_unlock(&M.lock);
    if (leak)
        dlog(DLOG_ERROR, "history: a battery wait was not cancelled by its driver");
    else
        free(s);
}

/* Room for `want` slots (the monitor thread only; readers hold M.lock). */
static bool reserve_slots(size_t want)
{
    if (want <= M.slots_cap)
        return true;
    size_t cap = M.slots_cap ? M.slots_cap : 16;
    while (cap < want)
        cap *= 2;
    pthread_mutex_lock(&M.lock);
    slot_t **grown = realloc(M.slots, cap * sizeof *grown);
    if (grown) {
        M.slots = grown;
        M.slots_cap = cap;
    }
    pthread_mutex_unlock(&M.lock);
    return grown != NULL;
}

static void sync_slots(void)
{
    char **paths = NULL;
    size_t n = bk_host_list_interfaces(M.host, &GUID_DEVICE_BATTERY, &paths);
    /* Slots only this pass may add, so M.nslots + n bounds them. */
    bool *seen = calloc(M.nslots + n + 1, sizeof *seen);
    if (!seen || !reserve_slots(M.nslots + n)) {
        dlog(DLOG_ERROR,
             "history: out of memory tracking %zu batteries; retried on the next change", n);
        free(seen);
        if (paths)
            bk_host_free_list(paths, n);
        return;
    }
    for (size_t k = 0; k < n; k++) {
        size_t i = 0;
        while (i < M.nslots && strcmp(M.slots[i]->live.path, paths[k]) != 0)
            i++;
        if (i < M.nslots) {
            seen[i] = true;
            continue;
        }
        if (strcasestr(paths[k], "COMPOSITE"))
            continue; /* the composite battery is the sum, not a battery */
        slot_t *s = calloc(1, sizeof *s);
        if (!s || bk_host_open(M.host, paths[k], BK_ACCESS_READ, &s->h) != STATUS_SUCCESS) {
            free(s);
            continue;
        }
        s->active = true;
        s->need_read = true;
        snprintf(s->live.path, sizeof s->live.path, "%s", paths[k]);
        snprintf(s->live.bus, sizeof s->live.bus, "%s", bus_of(paths[k]));
        s->live.temperature_dk = s->live.voltage_mv = HIST_UNKNOWN;
        pthread_mutex_lock(&M.lock);
        seen[M.nslots] = true;
        M.slots[M.nslots++] = s;
        pthread_mutex_unlock(&M.lock);
    }
    if (paths)
        bk_host_free_list(paths, n);
    for (size_t i = M.nslots; i-- > 0;)
        if (!seen[i])
            close_slot(i);
    free(seen);
}

static void *monitor_thread(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&M.lock);
    while (!M.stop) {
        bool dirty = M.dirty;
        M.dirty = false;
        M.flush = false; /* this round flushes what is queued now */
        pthread_mutex_unlock(&M.lock);
        if (dirty)
            sync_slots();
        for (size_t i = 0; i < M.nslots; i++) {
            slot_t *s = M.slots[i];
            pthread_mutex_lock(&M.lock);
            bool read = s->need_read || s->retry, info = s->need_info;
            pthread_mutex_unlock(&M.lock);
            if (read) {
                read_slot(s);
            } else if (info) {
                hist_record_t rec;
                size_t n = 0;
                read_capacity(s, &rec, &n, history_now_ms());
                push_records(&rec, n);
            }
        }
        history_flush();
        pthread_mutex_lock(&M.lock);
        bool more = M.dirty || M.flush, retry = false;
        for (size_t i = 0; i < M.nslots && !more; i++) {
            more = M.slots[i]->need_read || M.slots[i]->need_info;
            retry = retry || M.slots[i]->retry;
        }
        if (!more && !M.stop && retry) {
            /* An unreadable battery is read again on the next round, 1 s on. */
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_sec += 1;
            pthread_cond_timedwait(&M.cv, &M.lock, &ts);
        } else if (!more && !M.stop) {
            /* Woken by a worker's sample, records pushed (push_records), an
             * interface change or stop: nothing else is due. */
            pthread_cond_wait(&M.cv, &M.lock);
        }
    }
    pthread_mutex_unlock(&M.lock);
    while (M.nslots)
        close_slot(M.nslots - 1);
    free(M.slots);
    M.slots = NULL;
    M.slots_cap = 0;
    history_flush();
    return NULL;
}

static void on_interface(void *context, const GUID *guid, const char *path, int arrived)
{
    (void)context, (void)path, (void)arrived;
    if (!IsEqualGUID(guid, &GUID_DEVICE_BATTERY))
        return;
    pthread_mutex_lock(&M.lock);
    M.dirty = true;
    pthread_cond_broadcast(&M.cv);
    pthread_mutex_unlock(&M.lock);
}

static void *watch_handle, *power_watch;
static uint32_t seen_actions;

/* The power manager's notification (a host worker, no lock held): AC
 * transitions and DC policy actions go into the history as they happen. */
static void on_power(void *context, const bk_power_state_t *ps)
{
    (void)context;
    hist_record_t recs[9];
    size_t n = 0;
    int64_t t = history_now_ms();
    pthread_mutex_lock(&M.lock);
    int ac = ps->ac_line_status;
    if (ac != M.last_ac) {
        M.last_ac = ac;
        event_record(&recs[n++], t, "", "ac", ac,
                     ac == 1   ? "online"
                     : ac == 0 ? "offline"
                               : "unknown");
    }
    uint32_t fresh = ps->actions_taken - seen_actions;
    seen_actions = ps->actions_taken;
    M.generation++;
    pthread_cond_broadcast(&M.cv);
    pthread_mutex_unlock(&M.lock);
    push_records(recs, n);
    if (fresh) {
        bk_power_action_t a[8];
        size_t got = bk_host_power_actions(M.host, a, 8);
        for (size_t i = got > fresh ? got - fresh : 0; i < got; i++)
            history_record_policy_action(t, bk_po_level_name(a[i].level),
                                         bk_po_action_name(a[i].action), a[i].percent);
        kick_flush();
    }
}

int monitor_start(bk_host_t *host, unsigned interval_s)
{
    M.host = host;
    M.interval_s = interval_s ? interval_s : 60;
    M.dirty = true;
    pthread_condattr_t a;
    pthread_condattr_init(&a);
    pthread_cond_init(&M.cv, &a);
    pthread_condattr_destroy(&a);
    watch_handle = bk_host_watch_interfaces(host, on_interface, NULL);
    bk_power_state_t ps;
    if (bk_host_power_state(host, &ps) == STATUS_SUCCESS)
        seen_actions = ps.actions_taken;
    power_watch = bk_host_watch_power(host, on_power, NULL);
    on_power(NULL, &ps); /* the state found at start */
    if (pthread_create(&M.thread, NULL, monitor_thread, NULL) != 0)
        return -1;
    M.running = true;
    return 0;
}

void monitor_stop(void)
{
    if (!M.running)
        return;
    if (power_watch)
        bk_host_unwatch_power(M.host, power_watch);
    power_watch = NULL;
    if (watch_handle)
        bk_host_unwatch_interfaces(M.host, watch_handle);
    watch_handle = NULL;
    pthread_mutex_lock(&M.lock);
    M.stop = true;
    pthread_cond_broadcast(&M.cv);
    pthread_mutex_unlock(&M.lock);
    pthread_join(M.thread, NULL);
    M.running = false;
}

size_t monitor_snapshot(live_battery_t *out, size_t max, uint64_t *generation)
{
    pthread_mutex_lock(&M.lock);
    /* A slot not read yet has no identity or status: front ends showing
     * it would flash an empty, absent battery (UPower's IsPresent false). */
    size_t n = 0;
    for (size_t i = 0; i < M.nslots; i++) {
        if (!M.slots[i]->read_once)
            continue;
        if (n < max)
            out[n] = M.slots[i]->live;
        n++;
    }
    if (generation)
        *generation = M.generation;
    pthread_mutex_unlock(&M.lock);
    return n;
}

uint64_t monitor_wait_change(uint64_t seen, unsigned timeout_ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += timeout_ms / 1000;
    ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&M.lock);
    while (M.generation == seen && !M.stop &&
           pthread_cond_timedwait(&M.cv, &M.lock, &ts) != ETIMEDOUT)
        ;
    uint64_t g = M.generation;
    pthread_mutex_unlock(&M.lock);
    return g;
}

unsigned monitor_pending_waits(void)
{
    unsigned n = 0;
    pthread_mutex_lock(&M.lock);
    for (size_t i = 0; i < M.nslots; i++)
        n += M.slots[i]->waiting;
    pthread_mutex_unlock(&M.lock);
    return n;
}
