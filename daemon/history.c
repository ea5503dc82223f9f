/* The history writer: records from any thread go into one queue; a flush
 * (the monitor thread, after each round of battery events, and at close)
 * commits everything queued in one transaction. Owns the history clock
 * (virtual on a virtual-time machine) and retention; not the file format
 * (history_db.c) nor what is recorded when (history_monitor.c). */
#include "battd.h"
#include "history.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define DAY_MS (86400ll * 1000)

static struct {
    pthread_mutex_t lock;  /* the queue */
    pthread_mutex_t write; /* one flush at a time */
    hdb_t *db;
    hist_record_t *queue;
    size_t count, cap;
    unsigned retention_days;
    int64_t last_prune_ms;
    bk_host_t *host;
    int64_t virtual_epoch_ms; /* wall time of virtual 0 */
    uint64_t committed, failed;
} H = {.lock = PTHREAD_MUTEX_INITIALIZER, .write = PTHREAD_MUTEX_INITIALIZER};

void history_set_clock(bk_host_t *host, int64_t virtual_epoch_ms)
{
    H.host = host;
    H.virtual_epoch_ms = virtual_epoch_ms;
}

int64_t history_now_ms(void)
{
    if (H.host && bk_host_is_virtual(H.host))
        return H.virtual_epoch_ms + (int64_t)(bk_host_now_ns(H.host) / 1000000u);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The default file lives in the state folder, which may not exist yet. */
static void mkdir_parents(char *dir)
{
    for (char *p = dir + 1; *p; p++) {
        if (*p == '/') {
            *p = 0;
            mkdir(dir, 0755);
            *p = '/';
        }
    }
    mkdir(dir, 0755);
}

int history_open(const history_config_t *cfg)
{
    if (!cfg->path)
        return 0;
    char err[256], dir[4096];
    snprintf(dir, sizeof dir, "%s", cfg->path);
    char *slash = strrchr(dir, '/');
    if (slash && slash != dir) {
        *slash = 0;
        mkdir_parents(dir);
    }
    H.db = hdb_open(cfg->path, err, sizeof err);
    if (!H.db) {
        dlog(DLOG_ERROR, "history %s: %s; battd goes on without history", cfg->path, err);
        return -1;
    }
    H.retention_days = cfg->retention_days;
    dlog(DLOG_INFO, "history: %s (schema %d, %u days kept)", cfg->path, HDB_SCHEMA_VERSION,
         cfg->retention_days);
    return 0;
}

bool history_enabled(void)
{
    return H.db != NULL;
}

void history_push(const hist_record_t *records, size_t count)
{
    if (!H.db || !count)
        return;
    pthread_mutex_lock(&H.lock);
    if (H.count + count > H.cap) {
        size_t cap = H.cap ? H.cap : 64;
        while (cap < H.count + count)
            cap *= 2;
        hist_record_t *q = realloc(H.queue, cap * sizeof *q);
        if (!q) {
            pthread_mutex_unlock(&H.lock);
            dlog(DLOG_ERROR, "history: out of memory, %zu records lost", count);
            return;
        }
        H.queue = q;
        H.cap = cap;
    }
    memcpy(H.queue + H.count, records, count * sizeof *records);
    H.count += count;
    pthread_mutex_unlock(&H.lock);
}

static void prune_if_due(int64_t now_ms)
{
    if (!H.retention_days || now_ms - H.last_prune_ms < DAY_MS)
        return;
    H.last_prune_ms = now_ms;
    if (hdb_prune(H.db, now_ms - (int64_t)H.retention_days * DAY_MS) != 0)
        dlog(DLOG_WARN, "history: retention pass failed");
}

void history_flush(void)
{
    if (!H.db)
        return;
    pthread_mutex_lock(&H.write);
    pthread_mutex_lock(&H.lock);
    hist_record_t *batch = H.queue;
    size_t n = H.count;
    H.queue = NULL;
    H.count = H.cap = 0;
    pthread_mutex_unlock(&H.lock);
    if (n) {
        char err[256];
        if (hdb_write(H.db, batch, n, err, sizeof err) == 0) {
            H.committed += n;
        } else {
            H.failed += n;
            dlog(DLOG_ERROR, "history: %zu records not written: %s", n, err);
        }
        prune_if_due(batch[n - 1].t_ms);
    }
    pthread_mutex_unlock(&H.write);
    free(batch);
}

void history_close(void)
{
    if (!H.db)
        return;
    history_flush();
    hdb_close(H.db);
    H.db = NULL;
    dlog(DLOG_INFO, "history: %llu records committed, %llu failed", (unsigned long long)H.committed,
         (unsigned long long)H.failed);
}

void history_record_policy_action(int64_t t_ms, const char *level, const char *action,
                                  unsigned percent)
{
    hist_record_t r = {.kind = HREC_EVENT, .t_ms = t_ms ? t_ms : history_now_ms()};
    snprintf(r.e.name, sizeof r.e.name, "policy");
    r.e.value = percent;
    snprintf(r.e.detail, sizeof r.e.detail, "%s:%s", level ? level : "", action ? action : "");
    history_push(&r, 1);
}

uint64_t history_file_bytes(const char *path)
{
    static const char *const suffixes[] = {"", "-wal", "-shm"};
    uint64_t total = 0;
    for (size_t i = 0; i < 3; i++) {
        char p[4200];
        struct stat st;
        snprintf(p, sizeof p, "%s%s", path, suffixes[i]);
        if (stat(p, &st) == 0)
            total += (uint64_t)st.st_size;
    }
    return total;
}
