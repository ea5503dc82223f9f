/* The cost of a Prometheus scrape of battd on the 500-battery machine of
 * issue 15, booted in process as battd boots it: the exposition alone
 * (metrics_render, what GET /metrics does per scrape), the whole scrape
 * over loopback HTTP (battd's server, a client socket here), beside two
 * baselines in the same run: reading the 500 batteries' status from their
 * drivers (one QUERY_STATUS each, handles open) and copying the battery
 * watcher's live state the exposition is made from. Medians. */
#include "big_battd.h"
#include "metrics.h"
#include "battd.h"
#include "http.h"

#include "bench_util.h"

#include <windows.h>
#include <poclass.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RUNS 200

#define die big_battd_die

static double median_us(double *v, size_t n)
{
    return bench_quantile(v, n, 0.5) / 1000.0;
}

/* One QUERY_STATUS per battery, handles and tags taken before. */
typedef struct reader {
    bk_handle_t *h;
    ULONG tag;
} reader_t;

static double status_reads_us(reader_t *r, size_t n)
{
    double t[RUNS];
    for (int k = 0; k < RUNS; k++) {
        uint64_t t0 = bench_now_ns();
        for (size_t i = 0; i < n; i++) {
            BATTERY_WAIT_STATUS w = {.BatteryTag = r[i].tag};
            BATTERY_STATUS st;
            uint32_t got;
            if (bk_ioctl(r[i].h, IOCTL_BATTERY_QUERY_STATUS, &w, sizeof w, &st, sizeof st, &got) !=
                0) {
                die("QUERY_STATUS failed");
            }
        }
        t[k] = (double)(bench_now_ns() - t0);
    }
    return median_us(t, RUNS);
}

static size_t open_readers(reader_t **out)
{
    char **paths = NULL;
    size_t n = bk_host_list_interfaces(big_battd.host, &GUID_DEVICE_BATTERY, &paths), k = 0;
    reader_t *r = calloc(n ? n : 1, sizeof *r);
    for (size_t i = 0; r && i < n; i++) {
        if (strstr(paths[i], "COMPOSITE"))
            continue;
        ULONG zero = 0;
        uint32_t got;
        if (bk_host_open(big_battd.host, paths[i], BK_ACCESS_READ, &r[k].h) != 0 ||
            bk_ioctl(r[k].h, IOCTL_BATTERY_QUERY_TAG, &zero, sizeof zero, &r[k].tag,
                     sizeof r[k].tag, &got) != 0) {
            fprintf(stderr, "bench_metrics: %s cannot be read\n", paths[i]);
            exit(1);
        }
        k++;
    }
    if (paths)
        bk_host_free_list(paths, n);
    *out = r;
    return k;
}

static double render_us(size_t *bytes)
{
    double t[RUNS];
    for (int k = 0; k < RUNS; k++) {
        mtext_t m;
        mt_init(&m); /* a fresh buffer, as each scrape has */
        uint64_t t0 = bench_now_ns();
        if (metrics_render(big_battd.host, big_battd.machine_name, &m) != 0) {
            die("render failed");
        }
        t[k] = (double)(bench_now_ns() - t0);
        *bytes = m.len;
        mt_free(&m);
    }
    return median_us(t, RUNS);
}

static double http_us(void)
{
    static char buf[4 << 20];
    if (metrics_register(big_battd.host) != 0 || http_start("127.0.0.1:0", NULL) != 0)
        die("the HTTP server does not start");
    double t[RUNS];
    for (int k = 0; k < RUNS; k++) {
        uint64_t t0 = bench_now_ns();
        int fd = loopback_get(http_port(), "/metrics");
        size_t n = read_to_end(fd, buf, sizeof buf);
        close(fd);
        t[k] = (double)(bench_now_ns() - t0);
        if (n < 12 || memcmp(buf, "HTTP/1.1 200", 12) != 0) {
            fprintf(stderr, "bench_metrics: GET /metrics: %.40s\n", buf);
            exit(1);
        }
    }
    http_stop();
    return median_us(t, RUNS);
}

int main(void)
{
    big_battd_boot("bench_metrics");
    reader_t *r;
    size_t n = open_readers(&r);
    double reads = status_reads_us(r, n);
    double snap = big_battd_snapshot_us(RUNS);
    size_t bytes = 0;
    double render = render_us(&bytes);
    double http = http_us();
    printf("BENCH metrics_status_reads_500_batteries_us %.0f\n", reads);
    printf("BENCH metrics_snapshot_500_batteries_us %.0f\n", snap);
    printf("BENCH metrics_scrape_500_batteries_us %.0f\n", render);
    printf("BENCH metrics_http_scrape_500_batteries_us %.0f\n", http);
    printf("BENCH metrics_scrape_500_batteries_bytes %zu\n", bytes);
    for (size_t i = 0; i < n; i++)
        bk_close(r[i].h);
    free(r);
    return big_battd_shutdown() == 0 ? 0 : 1;
}
