/* battd's metrics in process: boots what battd's main() boots for them
 * (the host, power.c, the battery watcher) without the socket, and waits,
 * bounded, on the watcher's change notification until it has every
 * battery's status and capacity, then until the host's work is done (the
 * composite battery's members). */
#include "metrics_boot.h"
#include "battd.h"
#include "history.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <windows.h>
#include <poclass.h>

static battd_options_t options; /* power.c keeps a pointer to its commands */

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Every slot read: present with a status and a full-charge capacity. */
static bool all_read(size_t want)
{
    size_t n = monitor_snapshot(NULL, 0, NULL);
    if (n < want)
        return false;
    live_battery_t *bs = calloc(n, sizeof *bs);
    if (!bs)
        return false;
    size_t got = monitor_snapshot(bs, n, NULL);
    bool done = got == n;
    for (size_t i = 0; i < n && done; i++)
        done = bs[i].present && bs[i].t_ms > 0 && bs[i].full_mwh != HIST_UNKNOWN;
    free(bs);
    return done;
}

int metrics_boot(metrics_boot_t *b, const char *machine, unsigned wait_ms)
{
    char *argv[] = {"battd", "--virtual=0", "--foreground", "--no-history", NULL};
    *b = (metrics_boot_t){0};
    if (options_parse(4, argv, &options) != 0)
        return -1;
    dlog_set_level(DLOG_ERROR);
    int64_t start_ms = -1;
    if (history_machine_describe(machine, b->machine_name, sizeof b->machine_name, &start_ms) != 0)
        snprintf(b->machine_name, sizeof b->machine_name, "machine");
    b->host = bk_host_create(&(bk_host_options_t){.virtual_time = 1});
    if (!b->host || bk_host_load_machine(b->host, machine) != 0) {
        fprintf(stderr, "metrics_boot: machine %s does not boot: %s\n",
                machine ? machine : "(built-in)", bk_platform_last_error());
        return -1;
    }
    history_set_clock(b->host, start_ms >= 0 ? start_ms : (int64_t)time(NULL) * 1000);
    char **paths = NULL;
    size_t n = bk_host_list_interfaces(b->host, &GUID_DEVICE_BATTERY, &paths);
    for (size_t i = 0; i < n; i++)
        b->batteries += strstr(paths[i], "COMPOSITE") == NULL;
    if (paths)
        bk_host_free_list(paths, n);
    if (power_start(b->host, &options) != 0 || monitor_start(b->host, 60) != 0) {
        fprintf(stderr, "metrics_boot: battd's threads do not start\n");
        return -1;
    }
    uint64_t deadline = now_ms() + wait_ms, seen = 0;
    monitor_snapshot(NULL, 0, &seen);
    while (!all_read(b->batteries)) {
        if (now_ms() > deadline) {
            fprintf(stderr, "metrics_boot: the watcher has not read %zu batteries in %u ms\n",
                    b->batteries, wait_ms);
            return -1;
        }
        seen = monitor_wait_change(seen, 100);
    }
    /* The composite takes its members on work items of its own. */
    bk_host_settle(b->host);
    return 0;
}

int metrics_shutdown(metrics_boot_t *b)
{
    monitor_stop();
    power_stop();
    if (!b->host)
        return -1;
    bk_host_unload_machine(b->host);
    int leaks = bk_host_destroy(b->host);
    b->host = NULL;
    if (leaks)
        fprintf(stderr, "metrics_boot: host shut down unclean:\n%s", bk_host_last_report());
    return leaks ? -1 : 0;
}
