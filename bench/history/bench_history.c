/* BENCH history_month_write_ms: a virtual month of 1-minute samples for 2
 * batteries (86400 samples, one transaction per virtual hour as battd
 * commits on a fast virtual clock) into a fresh WAL file; the median of
 * 5 runs beside the 1000 ms budget of issue 13; the file size as
 * BENCH history_month_bytes. BENCH report_month_ms: the 30-day battery
 * report (model, HTML and JSON) from that same file, opened read-only
 * as battctl report does; the median of 5 runs, same budget. */
#include "bench_util.h"
#include "history.h"
#include "report.h"

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

/* A battery row per pack and a capacity row a day, as battd writes them,
 * so the report has its identities and capacity history to show. */
static void write_identity(const char *path)
{
    char err[256];
    hdb_t *db = hdb_open(path, err, sizeof err);
    if (!db) {
        fprintf(stderr, "bench_history: %s\n", err);
        exit(1);
    }
    hist_record_t r[2 + 2 * 30];
    size_t n = 0;
    for (int b = 0; b < 2; b++) {
        hist_record_t *id = &r[n++];
        memset(id, 0, sizeof *id);
        id->kind = HREC_BATTERY;
        id->t_ms = 1767571200000;
        snprintf(id->battery, sizeof id->battery, "bench-pack-%d", b);
        snprintf(id->id.device_name, sizeof id->id.device_name, "BK57L3");
        snprintf(id->id.chemistry, sizeof id->id.chemistry, "LION");
        id->id.design_mwh = 57000;
        for (int day = 0; day < 30; day++) {
            hist_record_t *c = &r[n++];
            memset(c, 0, sizeof *c);
            c->kind = HREC_CAPACITY;
            c->t_ms = id->t_ms + (int64_t)day * 86400000;
            snprintf(c->battery, sizeof c->battery, "bench-pack-%d", b);
            c->c.full_mwh = 57000 - day * 10;
            c->c.design_mwh = 57000;
            c->c.cycle_count = day;
        }
    }
    if (hdb_write(db, r, n, err, sizeof err) != 0) {
        fprintf(stderr, "bench_history: %s\n", err);
        exit(1);
    }
    hdb_close(db);
}

static double report_month(const char *path)
{
    char err[600];
    char *buf = NULL;
    size_t len = 0;
    uint64_t t0 = bench_now_ns();
    report_t *r = report_load(path, 30, err, sizeof err);
    if (!r) {
        fprintf(stderr, "bench_history: %s\n", err);
        exit(1);
    }
    FILE *f = open_memstream(&buf, &len);
    if (!f || report_write_html(f, r) != 0 || report_write_json(f, r) != 0 || fclose(f) != 0) {
        fprintf(stderr, "bench_history: writing the report failed\n");
        exit(1);
    }
    double ms = (double)(bench_now_ns() - t0) / 1e6;
    if (r->battery_count != 2 || len < 1000) {
        fprintf(stderr, "bench_history: the report lacks its batteries\n");
        exit(1);
    }
    report_free(r);
    free(buf);
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
    write_identity(path);
    for (int i = 0; i < 5; i++)
        v[i] = report_month(path);
    printf("BENCH report_month_ms %.1f (baseline: under 1000, beside history_month_write_ms)\n",
           bench_quantile(v, 5, 0.5));
    if (getenv("BENCH_KEEP"))
        printf("kept %s\n", path);
    else {
        unlink(path);
        rmdir(dir);
    }
    return 0;
}
