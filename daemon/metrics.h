/* battd's Prometheus metrics (docs/metrics.md): the counters battd keeps as
 * it serves (stats.c), the text exposition writer (metrics_text.c: format
 * 0.0.4, escaping), the rendering of battd's state into it (metrics.c) and
 * its route on battd's HTTP server (metrics_http.c, GET /metrics). */
#ifndef BATTD_METRICS_H
#define BATTD_METRICS_H

#include <battkit/host.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- stats.c: counters; any thread may count, any thread may read ---- */
typedef enum stat_counter {
    STAT_CLIENTS,          /* gauge: connected now */
    STAT_CLIENTS_ACCEPTED, /* connections taken */
    STAT_CLIENTS_REFUSED,  /* over --max-clients or without credentials */
    STAT_CLIENTS_DROPPED,  /* dropped for a protocol violation or not reading */
    STAT_PENDING_IOCTLS,   /* gauge: client IOCTLs in flight (the waits) */
    STAT_COMMANDS_RUN,     /* policy action commands started */
    STAT_COMMANDS_FAILED,  /* could not be started */
    STAT_COMMANDS_MISSING, /* an action without a configured command */
    STAT_COUNTER_COUNT
} stat_counter_t;

void stat_add(stat_counter_t which, int64_t delta);
int64_t stat_get(stat_counter_t which);
/* A protocol message of this type handled (protocol.h BKP_MSG_*). */
void stat_message(uint16_t type);
uint64_t stat_messages(uint16_t type);
/* A DC policy action carried out (bk_po_level, bk_po_action). */
void stat_policy_action(uint32_t level, uint32_t action);
uint64_t stat_policy_actions(uint32_t level, uint32_t action);

/* IOCTLs answered, by code and status. The table is bounded: codes come
 * from clients, and a client sending every code must not grow battd
 * without limit, so pairs past STAT_IOCTL_SLOTS count as code 0 with
 * overflow set. */
#define STAT_IOCTL_SLOTS 128
void stat_ioctl(uint32_t code, int32_t status);
typedef struct stat_ioctl_row {
    uint32_t code;
    int32_t status;
    bool overflow; /* the pairs that found no slot */
    uint64_t count;
} stat_ioctl_row_t;
/* Copies up to max rows; returns how many. */
size_t stat_ioctl_rows(stat_ioctl_row_t *out, size_t max);
void stat_reset(void); /* tests */

/* ---- metrics_text.c: the text exposition format, version 0.0.4 ---- */
typedef struct mtext {
    char *buf;
    size_t len, cap;
    bool failed; /* out of memory: the text is incomplete, do not serve it */
} mtext_t;

void mt_init(mtext_t *t);
void mt_free(mtext_t *t);
void mt_reset(mtext_t *t);             /* empty, keeps the buffer */
void mt_reserve(mtext_t *t, size_t n); /* room for n more bytes at once */
void mt_append(mtext_t *t, const char *s, size_t n);
void mt_puts(mtext_t *t, const char *s);
/* # HELP and # TYPE of a family; type "gauge", "counter", "untyped". */
void mt_family(mtext_t *t, const char *name, const char *type, const char *help);
/* A label set is built in its own mtext: mt_label appends `,name="value"`
 * with the value escaped (backslash, double quote, newline); mt_sample
 * wraps what is there in braces. */
void mt_label(mtext_t *labels, const char *name, const char *value);
/* name{labels} value: the value is `units` / 10^decimals, written exactly
 * (mWh as Wh with decimals 3); labels may be NULL or empty. */
void mt_sample_fixed(mtext_t *t, const char *name, const mtext_t *labels, int64_t units,
                     int decimals);
void mt_sample_double(mtext_t *t, const char *name, const mtext_t *labels, double value);

/* ---- metrics.c: battd's state as metrics ---- */
/* Renders every family into t (emptied first); machine labels the
 * series. 0, or -1 out of memory (t->failed). */
int metrics_render(bk_host_t *host, const char *machine, mtext_t *t);
/* metrics_http.c: GET /metrics on battd's HTTP server (before http_start). */
int metrics_register(bk_host_t *host);
/* The Content-Type of the text. */
#define METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

#endif
