/* The cost of battd's dashboard on the 500-battery machine of issue 15,
 * booted in process as battd boots it (tests/metrics/metrics_boot.c):
 * GET /api/batteries over loopback HTTP (the JSON of 500 batteries, what
 * the page loads and every /events message carries) beside copying the
 * battery watcher's live state it is made from; and an AC change reaching
 * a client of /events (the change, the watcher's notification, the JSON,
 * the stream) beside the same change reaching a waiter on the watcher's
 * generation in process. Medians. */
#include "big_battd.h"
#include "battd.h"
#include "dashboard.h"
#include "history.h"
#include "http.h"

#include "bench_util.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RUNS       100
#define EVENT_RUNS 40

#define die big_battd_die

static double api_batteries_us(size_t *bytes)
{
    static char buf[4 << 20];
    double t[RUNS];
    for (int k = 0; k < RUNS; k++) {
        uint64_t t0 = bench_now_ns();
        int fd = loopback_get(http_port(), "/api/batteries");
        size_t len = read_to_end(fd, buf, sizeof buf);
        close(fd);
        t[k] = (double)(bench_now_ns() - t0);
        /* Every battery in the answer: 500 "unique_id" keys. */
        size_t found = 0;
        for (const char *p = buf; (p = memmem(p, (size_t)(buf + len - p), "\"unique_id\"", 11));
             p += 11)
            found++;
        if (len < 12 || memcmp(buf, "HTTP/1.1 200", 12) != 0 || found != BIG_BATTERIES)
            die("GET /api/batteries did not answer 500 batteries");
        *bytes = len;
    }
    return bench_quantile(t, RUNS, 0.5) / 1000.0;
}

/* ---- /events ---- */
typedef struct stream {
    int fd;
    char *buf;
    size_t len, cap;
} stream_t;

/* Reads until one whole event (ends "\n\n") is buffered; returns it (NUL
 * ended, in s->buf) and its length; what follows stays for the next. */
static size_t next_event(stream_t *s, size_t *consumed)
{
    for (;;) {
        char *end = s->len ? memmem(s->buf, s->len, "\n\n", 2) : NULL;
        if (end && memmem(s->buf, (size_t)(end - s->buf), "data: ", 6)) {
            *end = 0;
            *consumed = (size_t)(end - s->buf) + 2;
            return (size_t)(end - s->buf);
        }
        if (end) { /* a comment or the headers' end: drop it */
            size_t drop = (size_t)(end - s->buf) + 2;
            memmove(s->buf, s->buf + drop, s->len - drop);
            s->len -= drop;
            continue;
        }
        if (s->len == s->cap && !(s->buf = realloc(s->buf, s->cap = s->cap * 2 + 65536)))
            die("out of memory");
        struct pollfd p = {.fd = s->fd, .events = POLLIN};
        if (poll(&p, 1, 10000) != 1)
            die("no event from /events in 10 s");
        ssize_t n = read(s->fd, s->buf + s->len, s->cap - s->len);
        if (n <= 0)
            die("/events ended");
        s->len += (size_t)n;
    }
}

static void drop_event(stream_t *s, size_t consumed)
{
    memmove(s->buf, s->buf + consumed, s->len - consumed);
    s->len -= consumed;
}

/* Until an event says the AC is `want` (events of the state before are
 * skipped: they were on their way). */
static void wait_event_ac(stream_t *s, const char *want)
{
    char needle[32];
    snprintf(needle, sizeof needle, "\"ac\":\"%s\"", want);
    for (;;) {
        size_t consumed;
        next_event(s, &consumed);
        bool hit = strstr(s->buf, needle) != NULL;
        drop_event(s, consumed);
        if (hit)
            return;
    }
}

static double events_us(void)
{
    stream_t s = {.fd = loopback_get(http_port(), "/events")};
    wait_event_ac(&s, "online");
    double t[EVENT_RUNS];
    for (int k = 0; k < EVENT_RUNS; k++) {
        bool online = k % 2 == 1;
        uint64_t t0 = bench_now_ns();
        if (bk_platform_set_ac(big_battd.host, NULL, online) != 0)
            die("set_ac failed");
        wait_event_ac(&s, online ? "online" : "offline");
        t[k] = (double)(bench_now_ns() - t0);
        bk_host_settle(big_battd.host);
    }
    close(s.fd);
    free(s.buf);
    return bench_quantile(t, EVENT_RUNS, 0.5) / 1000.0;
}

/* The baseline: the same change seen by a waiter on the watcher. */
static double watcher_us(void)
{
    double t[EVENT_RUNS];
    for (int k = 0; k < EVENT_RUNS; k++) {
        bool online = k % 2 == 1;
        live_system_t sys;
        uint64_t g = 0;
        monitor_snapshot(NULL, 0, &g);
        uint64_t t0 = bench_now_ns();
        if (bk_platform_set_ac(big_battd.host, NULL, online) != 0)
            die("set_ac failed");
        for (;;) {
            monitor_system_state(&sys);
            if (sys.ac_line_status == (online ? 1 : 0))
                break;
            g = monitor_wait_change(g, 10000);
        }
        t[k] = (double)(bench_now_ns() - t0);
        bk_host_settle(big_battd.host);
    }
    return bench_quantile(t, EVENT_RUNS, 0.5) / 1000.0;
}

int main(void)
{
    big_battd_boot("bench_dashboard");
    if (dashboard_register(big_battd.host, "") != 0 || http_start("127.0.0.1:0", NULL) != 0)
        die("the HTTP server does not start");
    double snap = big_battd_snapshot_us(RUNS);
    size_t bytes = 0;
    double api = api_batteries_us(&bytes);
    double watcher = watcher_us();
    double events = events_us();
    http_stop();
    printf("BENCH dashboard_snapshot_500_batteries_us %.0f\n", snap);
    printf("BENCH dashboard_api_batteries_500_batteries_us %.0f\n", api);
    printf("BENCH dashboard_api_batteries_500_batteries_bytes %zu\n", bytes);
    printf("BENCH dashboard_ac_change_to_watcher_us %.0f\n", watcher);
    printf("BENCH dashboard_ac_change_to_event_500_batteries_us %.0f\n", events);
    return big_battd_shutdown() == 0 ? 0 : 1;
}
