/* What the conformance suite's files share: the run context, the battery
 * under test, result reporting and the request helpers that never let a
 * misbehaving driver hang the suite. Not part of the public interface. */
#ifndef CF_INTERNAL_H
#define CF_INTERNAL_H

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>

#include <batclass.h>

#include "conformance.h"

#define CF_MS(ms) ((uint64_t)(ms)*1000000ull) /* virtual ms -> ns */

/* Buffers big enough for any level: a real caller offers more than the
 * data needs, which is what shows a length the miniclass overstated. */
#define CF_INFO_BUFFER 512
#define CF_LEVELS      9 /* BatteryInformation .. BatterySerialNumber */

/* One information level as first read by the level checks. */
typedef struct cf_level {
    NTSTATUS status;
    uint32_t returned;
    unsigned char data[CF_INFO_BUFFER];
} cf_level_t;

/* One BATTERY_STATUS sample and the situation it was taken in. */
typedef struct cf_sample {
    const char *when; /* "as found", "on AC", "off AC" */
    BATTERY_STATUS status;
} cf_sample_t;

#define CF_MAX_SAMPLES 4

typedef struct cf_battery {
    char label[48];
    char *path;
    bk_handle_t *handle; /* read/write */
    bk_conformance_target_t target;
    const bk_conformance_controller_t *ctl; /* NULL: no controller for it */
    void *ctl_state;
    ULONG tag; /* last good QUERY_TAG answer; BATTERY_TAG_INVALID if none */
    bool have_info;
    BATTERY_INFORMATION info;
    cf_level_t levels[CF_LEVELS];
    bool have_levels;
    cf_sample_t samples[CF_MAX_SAMPLES];
    unsigned nsamples;
} cf_battery_t;

/* The helper thread that submits requests and runs host operations, so the
 * suite's own thread can move virtual time when a driver blocks in one. */
typedef struct cf_helper {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cv;
    void (*fn)(void *arg);
    void *arg;
    bool has_job, job_done, quit;
} cf_helper_t;

typedef struct cf_ctx {
    bk_host_t *host;
    const bk_conformance_options_t *opt;
    bk_conformance_report_t *report;
    uint64_t notify_bound_ns, answer_bound_ns;
    cf_battery_t *bat; /* the battery the checks look at */
    cf_helper_t helper;
    bool wedged;      /* a driver never returned: stop touching the host */
    char service[64]; /* the service the suite started (for its unload) */
    /* Requests a driver kept even after they were cancelled, with the
     * buffers they may still write; swept at the end of the run. */
    struct cf_req *kept;
    size_t nkept;
    /* The slowest answer to a request that did not ask to wait. */
    uint64_t slowest_ns;
    char slowest[96];
} cf_ctx_t;

/* ---- results (report.c) ---- */
bool cf_wants(cf_ctx_t *c, const char *check);
void cf_result(cf_ctx_t *c, const char *check, bk_conformance_verdict_t verdict, const char *fmt,
               ...) __attribute__((format(printf, 4, 5)));
#define cf_pass(c, n, ...) cf_result((c), (n), BK_CONFORMANCE_PASS, __VA_ARGS__)
#define cf_fail(c, n, ...) cf_result((c), (n), BK_CONFORMANCE_FAIL, __VA_ARGS__)
#define cf_skip(c, n, ...) cf_result((c), (n), BK_CONFORMANCE_SKIP, __VA_ARGS__)
#define cf_warn(c, n, ...) cf_result((c), (n), BK_CONFORMANCE_WARN, __VA_ARGS__)
void cf_log(cf_ctx_t *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A detail text that collects problems: "level 2: ...; level 5: ...". */
typedef struct cf_text {
    char buf[320];
    size_t len;
    unsigned count; /* notes added */
} cf_text_t;
void cf_note(cf_text_t *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

const char *cf_status_name(NTSTATUS status); /* "STATUS_NO_SUCH_DEVICE" or "0x...." */
const char *cf_level_name(ULONG level);

/* ---- requests (io.c) ---- */
void cf_helper_start(cf_ctx_t *c);
void cf_helper_stop(cf_ctx_t *c);
/* Runs fn(arg) on the helper thread; while it has not returned, moves
 * virtual time on so a driver waiting on the clock gets to finish. Returns
 * false (and marks the run wedged) if it never returns. */
bool cf_call(cf_ctx_t *c, void (*fn)(void *arg), void *arg);

typedef struct cf_req {
    bk_request_t *request;
    NTSTATUS submit_status; /* not STATUS_PENDING: the request was never made */
    uint64_t started_ns;
    ULONG code;
    ULONG out_len;
    unsigned char *buffer; /* the request's output until it completes */
} cf_req_t;

/* Starts an IOCTL on the current battery's handle. */
void cf_start(cf_ctx_t *c, cf_req_t *r, ULONG code, const void *in, ULONG in_len, ULONG out_len);
/* Waits for it at most budget_ns of virtual time (since the start), moving
 * the clock in small steps; copies the output to `out` (out_len bytes).
 * STATUS_PENDING if it is still waiting. */
NTSTATUS cf_finish(cf_ctx_t *c, cf_req_t *r, uint64_t budget_ns, void *out, uint32_t *returned,
                   uint64_t *elapsed_ns);
/* Its state now (after letting queued work run); copies the output. */
NTSTATUS cf_peek(cf_ctx_t *c, cf_req_t *r, void *out, uint32_t *returned);
void cf_release(cf_ctx_t *c, cf_req_t *r); /* cancels a pending one */
/* End of run: frees what cf_release had to keep, once it completed. */
void cf_sweep_kept(cf_ctx_t *c);
/* A request that must not wait: started, finished within a generous bound
 * and counted for answers_without_waiting. STATUS_PENDING if unanswered. */
NTSTATUS cf_ioctl(cf_ctx_t *c, ULONG code, const void *in, ULONG in_len, void *out, ULONG out_len,
                  uint32_t *returned);

/* The battery IOCTLs, each an immediate request on the current battery. */
NTSTATUS cf_query_tag(cf_ctx_t *c, ULONG wait_ms, ULONG *tag);
NTSTATUS cf_query_info(cf_ctx_t *c, ULONG tag, ULONG level, LONG at_rate, void *out, ULONG out_len,
                       uint32_t *returned);
NTSTATUS cf_query_status(cf_ctx_t *c, ULONG tag, BATTERY_STATUS *status, uint32_t *returned);
/* Refreshes c->bat->tag; false if there is no battery tag. */
bool cf_refresh_tag(cf_ctx_t *c);

/* Controller operations, run on the helper (a driver may block in them). */
bool cf_has_ctl(cf_ctx_t *c, bool insert_remove, bool power);
NTSTATUS cf_ctl_insert(cf_ctx_t *c);
NTSTATUS cf_ctl_remove(cf_ctx_t *c);
NTSTATUS cf_ctl_set_ac(cf_ctx_t *c, int online);
NTSTATUS cf_ctl_set_status(cf_ctx_t *c, const bk_conformance_status_t *s);
NTSTATUS cf_ctl_notify_change(cf_ctx_t *c);

/* A plausible charging or discharging status for the battery under test,
 * for controllers that set a status rather than switch AC. */
bk_conformance_status_t cf_made_up_status(cf_ctx_t *c, bool charging);

/* ---- the checks, by documented area ---- */
void cf_check_tags(cf_ctx_t *c);         /* checks_tag.c */
void cf_check_insertion(cf_ctx_t *c);    /* checks_tag.c, needs a controller */
void cf_check_levels(cf_ctx_t *c);       /* checks_info.c */
void cf_check_stale_tags(cf_ctx_t *c);   /* checks_stale.c */
void cf_check_status_units(cf_ctx_t *c); /* checks_units.c */
void cf_check_notification(cf_ctx_t *c); /* checks_notify.c */
void cf_check_wmi(cf_ctx_t *c);          /* checks_wmi.c */
void cf_check_promptness(cf_ctx_t *c);   /* checks_units.c */
/* checks_unload.c: removal of `device` (added: by the suite, so its driver
 * goes too), with the pool figure taken before the run. */
void cf_check_unload(cf_ctx_t *c, bk_device_t *device, bool added, const bk_pool_stats_t *before);

#endif
