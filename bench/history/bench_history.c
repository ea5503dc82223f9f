/* BENCH history_month_write_ms: a virtual month of 1-minute samples for 2
 * batteries (86400 samples, one transaction per virtual hour as battd
 * commits on a fast virtual clock) into a fresh WAL file; the median of
 * 5 runs beside the 1000 ms budget of issue 13; the file size as
 * BENCH history_month_bytes. */
#include "bench_util.h"
#include "history.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static double write_month(const char *path, uint64_t *bytes)
{
    char err[256];
    unlink(path);
    hdb_t *db = hdb_open(path, err, sizeof err);
    if (!db) {
        fprintf(stderr, "bench_history: %s\n", err);
        exit(1);
    }
    hist_record_t batch[120];
    uint64_t t0 = bench_now_ns();
    int64_t start = 1767571200000;
    for (int hour = 0; hour < 30 * 24; hour++) {
        size_t n = 0;
        for (int m = 0; m < 60; m++) {
            for (int b = 0; b < 2; b++) {
                hist_record_t *r = &batch[n++];
                memset(r, 0, sizeof *r);
                r->kind = HREC_SAMPLE;
                r->t_ms = start + ((int64_t)hour * 60 + m) * 60000;
                snprintf(r->battery, sizeof r->battery, "bench-pack-%d", b);
                r->s.power_state = (hour % 24) < 8 ? 2 : 5;
                r->s.capacity_mwh = 57000 - (hour % 24) * 1000 - m * 10;
                r->s.voltage_mv = 11400;
                r->s.rate_mw = -8000;
                r->s.temperature_dk = 2982;
            }
        }
        if (hdb_write(db, batch, n, err, sizeof err) != 0) {
            fprintf(stderr, "bench_history: %s\n", err);
            exit(1);
        }
    }
    hdb_close(db);
    double ms = (double)(bench_now_ns() - t0) / 1e6;
    *bytes = 0;
    char p[300];
    for (int i = 0; i < 2; i++) {
        snprintf(p, sizeof p, "%s%s", path, i ? "-wal" : "");
        FILE *f = fopen(p, "rb");
        if (f) {
            fseek(f, 0, SEEK_END);
            *bytes += (uint64_t)ftell(f);
            fclose(f);
        }
    }
    return ms;
}

int main(void)
{
    char dir[] = "/tmp/bench-history-XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    char path[256];
    snprintf(path, sizeof path, "%s/history.db", dir);
    double v[5];
    uint64_t bytes = 0;
    for (int i = 0; i < 5; i++)
        v[i] = write_month(path, &bytes);
    printf("BENCH history_month_write_ms %.1f (baseline: under 1000)\n", bench_quantile(v, 5, 0.5));
    printf("BENCH history_month_bytes %llu\n", (unsigned long long)bytes);
    unlink(path);
    rmdir(dir);
    return 0;
}
