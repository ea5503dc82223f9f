/* bench_battc_waiters: battc's own part of serving many waiting clients,
 * in process, without battd or sockets. A virtual-time host with the
 * tests' miniclass; each run arms WAITERS asynchronous QUERY_STATUS waits
 * (not timed), then times one status change (the miniclass's notification
 * -> battc's pass -> every IRP completed, its completion callback run).
 * Medians of RUNS runs:
 *
 *   BENCH battc_complete_1000_waiters_us      the change with 1,000 waits pending
 *   BENCH battc_complete_1_waiter_us          the same change with one
 *   BENCH ioctl_1000_answered_at_once_us      baseline: 1,000 QUERY_STATUS with
 *       Timeout 0 (each answered inside IoCallDriver): 1,000 IRPs' whole
 *       lives through the same stack and the same embedding API
 */
#include <initguid.h>
#include <ntddk.h>
#include <batclass.h>
#include <battkit/host.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "testmini_ioctl.h"

#define RUNS    31
#define WAITERS 1000

typedef struct bench {
    bk_host_t *host;
    bk_handle_t *battery;
    ULONG tag;
    ULONG power_state; /* the battery's now */
    bk_request_t *request[WAITERS];
    BATTERY_STATUS out[WAITERS];
    int completed; /* completion callbacks run (atomic) */
} bench_t;

static void waiter_done(void *context, bk_status_t status, uint32_t returned)
{
    bench_t *b = context;
    (void)status, (void)returned;
    __atomic_add_fetch(&b->completed, 1, __ATOMIC_RELAXED);
}

static int set_status(bench_t *b, ULONG power_state)
{
    BATTERY_STATUS s = {power_state, 40000, 12000, power_state & BATTERY_DISCHARGING ? -8000 : 0};
    uint32_t got;
    if (bk_ioctl(b->battery, IOCTL_TESTMINI_SET_STATUS, &s, sizeof s, NULL, 0, &got) != 0)
        return -1;
    b->power_state = power_state;
    return 0;
}

static int start(bench_t *b)
{
    char **paths = NULL;
    ULONG zero = 0;
    uint32_t got;

    b->host = bk_host_create(&(bk_host_options_t){.virtual_time = 1});
    if (!b->host || bk_host_add_root_device(b->host, TESTMINI_HWID, "battc_testmini", NULL,
                                            TESTMINI_SO, NULL) != STATUS_SUCCESS)
        return -1;
    size_t n = bk_host_list_interfaces(b->host, &GUID_DEVICE_BATTERY, &paths);
    bk_status_t s =
        n == 1 ? bk_host_open(b->host, paths[0], BK_ACCESS_READ | BK_ACCESS_WRITE, &b->battery)
               : STATUS_NO_SUCH_DEVICE;
    bk_host_free_list(paths, n);
    if (s != STATUS_SUCCESS || set_status(b, BATTERY_POWER_ON_LINE) != 0 ||
        bk_ioctl(b->battery, IOCTL_BATTERY_QUERY_TAG, &zero, sizeof zero, &b->tag, sizeof b->tag,
                 &got) != STATUS_SUCCESS)
        return -1;
    bk_host_settle(b->host);
    return 0;
}

/* n waits for the power state to leave the current one, pending. */
static int arm(bench_t *b, int n)
{
    BATTERY_WAIT_STATUS ws = {b->tag, 0xFFFFFFFFu, b->power_state, 0, 0xFFFFFFFEu};
    b->completed = 0;
    for (int i = 0; i < n; i++)
        if (bk_ioctl_async(b->battery, IOCTL_BATTERY_QUERY_STATUS, &ws, sizeof ws, &b->out[i],
                           sizeof b->out[i], waiter_done, b, &b->request[i]) != STATUS_PENDING)
            return -1;
    bk_host_settle(b->host);
    return __atomic_load_n(&b->completed, __ATOMIC_RELAXED) == 0 ? 0 : -1;
}

/* One change with n waits pending: us until all n completed. */
static int one_change(bench_t *b, int n, double *us)
{
    if (arm(b, n) != 0)
        return -1;
    ULONG next =
        b->power_state & BATTERY_POWER_ON_LINE ? BATTERY_DISCHARGING : BATTERY_POWER_ON_LINE;
    uint64_t t0 = bench_now_ns();
    if (set_status(b, next) != 0)
        return -1;
    bk_host_settle(b->host); /* the notification's work item: battc's pass */
    uint64_t t1 = bench_now_ns();
    int ok = __atomic_load_n(&b->completed, __ATOMIC_RELAXED) == n;
    for (int i = 0; i < n; i++) {
        ok = ok && b->out[i].PowerState == next;
        bk_request_free(b->request[i]);
    }
    *us = (double)(t1 - t0) / 1000.0;
    return ok ? 0 : -1;
}

/* Baseline: n QUERY_STATUS that do not wait. */
static int answered_at_once(bench_t *b, int n, double *us)
{
    BATTERY_WAIT_STATUS ws = {b->tag, 0, 0, 0, 0};
    b->completed = 0;
    uint64_t t0 = bench_now_ns();
    for (int i = 0; i < n; i++)
        if (bk_ioctl_async(b->battery, IOCTL_BATTERY_QUERY_STATUS, &ws, sizeof ws, &b->out[i],
                           sizeof b->out[i], waiter_done, b, &b->request[i]) != STATUS_PENDING)
            return -1;
    uint64_t t1 = bench_now_ns();
    int ok = __atomic_load_n(&b->completed, __ATOMIC_RELAXED) == n;
    for (int i = 0; i < n; i++)
        bk_request_free(b->request[i]);
    *us = (double)(t1 - t0) / 1000.0;
    return ok ? 0 : -1;
}

int main(void)
{
    static bench_t b;
    static double many[RUNS], one[RUNS], base[RUNS];
    int failed = start(&b) != 0;
    if (failed)
        fprintf(stderr, "bench_battc_waiters: the test battery did not start (%s)\n", TESTMINI_SO);
    /* Alternated, so a load change on the machine touches all alike. */
    for (int r = 0; r < RUNS && !failed; r++)
        failed = one_change(&b, WAITERS, &many[r]) != 0 || one_change(&b, 1, &one[r]) != 0 ||
                 answered_at_once(&b, WAITERS, &base[r]) != 0;
    if (failed)
        fprintf(stderr, "bench_battc_waiters: a run failed\n");
    if (b.battery)
        bk_close(b.battery);
    if (b.host && bk_host_destroy(b.host) != 0) {
        fprintf(stderr, "bench_battc_waiters: host not clean: %s\n", bk_host_last_report());
        failed = 1;
    }
    if (failed)
        return 1;
    printf("BENCH battc_complete_1000_waiters_us %.1f\n", bench_quantile(many, RUNS, 0.5));
    printf("BENCH battc_complete_1_waiter_us %.1f\n", bench_quantile(one, RUNS, 0.5));
    printf("BENCH ioctl_1000_answered_at_once_us %.1f\n", bench_quantile(base, RUNS, 0.5));
    return 0;
}
