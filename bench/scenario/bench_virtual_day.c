/* How fast a day of use runs on virtual time through the whole stack: the
 * default laptop (platform, emulated ACPI bus, cmbatt, battc), the
 * day-of-use scenario, and an application-style QUERY_STATUS each virtual
 * hour. Prints the median wall time of several runs. */
#include <battkit/host.h>
#include <initguid.h>
#include <poclass.h>

#include "bench_util.h"

#include <stdio.h>

#define RUNS    7
#define HOUR_NS (3600ull * 1000000000ull)

static double one_day(void)
{
    bk_host_options_t opt = {.virtual_time = 1, .driver_dir = BK_BUILD_DRIVER_DIR};
    bk_host_t *h = bk_host_create(&opt);
    char **paths;
    bk_handle_t *b = NULL;
    if (!h || bk_host_load_machine(h, NULL) != 0)
        return -1;
    size_t n = bk_host_list_interfaces(h, &GUID_DEVICE_BATTERY, &paths);
    if (n)
        bk_host_open(h, paths[0], BK_ACCESS_READ, &b);
    bk_host_free_list(paths, n);
    uint64_t t0 = bench_now_ns();
    if (bk_platform_run_scenario(h, BK_DATA_DIR "/scenarios/day-of-use.scn") != 0)
        return -1;
    for (int hour = 0; hour < 24; hour++) {
        bk_host_advance(h, HOUR_NS);
        ULONG tag = 0, wait = 0;
        uint32_t got;
        BATTERY_STATUS st;
        if (b &&
            bk_ioctl(b, IOCTL_BATTERY_QUERY_TAG, &wait, sizeof wait, &tag, sizeof tag, &got) == 0) {
            BATTERY_WAIT_STATUS w = {.BatteryTag = tag};
            bk_ioctl(b, IOCTL_BATTERY_QUERY_STATUS, &w, sizeof w, &st, sizeof st, &got);
        }
    }
    double ms = (double)(bench_now_ns() - t0) / 1e6;
    if (b)
        bk_close(b);
    bk_host_unload_machine(h);
    bk_host_destroy(h);
    return ms;
}

int main(void)
{
    double ms[RUNS];
    for (int r = 0; r < RUNS; r++) {
        ms[r] = one_day();
        if (ms[r] < 0) {
            fprintf(stderr, "bench_virtual_day: the machine or scenario did not load\n");
            return 1;
        }
    }
    printf("BENCH virtual_day_scenario_ms %.1f\n", bench_quantile(ms, RUNS, 0.5));
    return 0;
}
