/* The report model from a history database opened read-only: which file
 * is acceptable (the application_id and schema battd writes), and every
 * figure of the report computed from the rows (docs/report.md says how).
 * Owns no output format. */
#include "report.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* daemon/history.h: the file battd writes. */
#define HISTORY_APPLICATION_ID 0x42544b48 /* "BTKH" */
#define HISTORY_SCHEMA_VERSION 2

typedef struct loader {
    sqlite3 *db;
    report_t *r;
    char *err;
    size_t errlen;
} loader_t;

static int fail(loader_t *l, const char *fmt, const char *detail)
{
    char reason[256];
    snprintf(reason, sizeof reason, fmt, detail);
    snprintf(l->err, l->errlen, "%s: %s", l->r->path, reason);
    return -1;
}

static int db_fail(loader_t *l, const char *what)
{
    char reason[256];
    snprintf(reason, sizeof reason, "%s (%s)", what, sqlite3_errmsg(l->db));
    return fail(l, "%s", reason);
}

static int prepare(loader_t *l, const char *sql, sqlite3_stmt **st)
{
    if (sqlite3_prepare_v2(l->db, sql, -1, st, NULL) == SQLITE_OK)
        return 0;
    return db_fail(l, "not a battkit history database of this schema");
}

static int64_t column_or(sqlite3_stmt *st, int i, int64_t unknown)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL ? unknown : sqlite3_column_int64(st, i);
}

static void column_text(sqlite3_stmt *st, int i, char *buf, size_t n)
{
    const unsigned char *s = sqlite3_column_text(st, i);
    snprintf(buf, n, "%s", s ? (const char *)s : "");
}

static int single_int(loader_t *l, const char *sql, int64_t *out, bool *null)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(l->db, sql, -1, &st, NULL) != SQLITE_OK)
        return db_fail(l, "not a readable SQLite database");
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        if (null)
            *null = sqlite3_column_type(st, 0) == SQLITE_NULL;
        *out = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW)
        return db_fail(l, "not a readable SQLite database");
    return 0;
}

/* The same acceptance as battd's (daemon/history_db.c), without creating
 * or migrating anything. */
static int open_checked(loader_t *l)
{
    struct stat sb;
    if (stat(l->r->path, &sb) != 0)
        return fail(l, "%s", strerror(errno));
    if (!S_ISREG(sb.st_mode))
        return fail(l, "%s", "not a regular file");
    if (sqlite3_open_v2(l->r->path, &l->db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        return db_fail(l, "cannot open");
    sqlite3_busy_timeout(l->db, 2000);
    int64_t app = 0, version = 0, tables = 0;
    if (single_int(l, "PRAGMA application_id", &app, NULL) != 0 ||
        single_int(l, "PRAGMA user_version", &version, NULL) != 0 ||
        single_int(l, "SELECT count(*) FROM sqlite_master", &tables, NULL) != 0)
        return -1;
    char detail[96];
    if (app != HISTORY_APPLICATION_ID) {
        snprintf(detail, sizeof detail, "application_id 0x%08x", (unsigned)app);
        return fail(l, tables ? "not a battkit history database (%s)" : "an empty database (%s)",
                    detail);
    }
    if (version != HISTORY_SCHEMA_VERSION) {
        snprintf(detail, sizeof detail, "%d, this report reads %d", (int)version,
                 HISTORY_SCHEMA_VERSION);
        return fail(l,
                    version > HISTORY_SCHEMA_VERSION
                        ? "schema version %s (newer)"
                        : "schema version %s (older: battd migrates it when it next opens it)",
                    detail);
    }
    return 0;
}

static ssize_t battery_index(const report_t *r, int64_t id)
{
    for (size_t i = 0; i < r->battery_count; i++)
        if (r->batteries[i].id == id)
            return (ssize_t)i;
    return -1;
}

/* Batteries with a sample or a capacity row in range, by first sighting. */
static int load_batteries(loader_t *l)
{
    report_t *r = l->r;
    sqlite3_stmt *st, *cap;
    if (prepare(l,
                "SELECT id, unique_id, device_name, manufacturer, serial, chemistry, bus,"
                " design_mwh, first_seen_ms, last_seen_ms FROM battery WHERE id IN"
                " (SELECT battery FROM sample WHERE t_ms BETWEEN ?1 AND ?2 UNION"
                "  SELECT battery FROM capacity WHERE t_ms BETWEEN ?1 AND ?2)"
                " ORDER BY first_seen_ms, id",
                &st) != 0)
        return -1;
    if (prepare(l,
                "SELECT full_mwh, design_mwh, cycle_count FROM capacity WHERE battery = ?"
                " AND t_ms <= ? ORDER BY t_ms DESC, id DESC LIMIT 1",
                &cap) != 0) {
        sqlite3_finalize(st);
        return -1;
    }
    sqlite3_bind_int64(st, 1, r->start_ms);
    sqlite3_bind_int64(st, 2, r->generated_ms);
    int rc, ret = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        report_battery_t *nb = realloc(r->batteries, (r->battery_count + 1) * sizeof *nb);
        if (!nb) {
            ret = fail(l, "%s", "out of memory");
            break;
        }
        r->batteries = nb;
        report_battery_t *b = &nb[r->battery_count++];
        memset(b, 0, sizeof *b);
        b->id = sqlite3_column_int64(st, 0);
        column_text(st, 1, b->unique_id, sizeof b->unique_id);
        column_text(st, 2, b->device_name, sizeof b->device_name);
        column_text(st, 3, b->manufacturer, sizeof b->manufacturer);
        column_text(st, 4, b->serial, sizeof b->serial);
        column_text(st, 5, b->chemistry, sizeof b->chemistry);
        column_text(st, 6, b->bus, sizeof b->bus);
        b->design_mwh = column_or(st, 7, -1);
        b->first_seen_ms = sqlite3_column_int64(st, 8);
        b->last_seen_ms = sqlite3_column_int64(st, 9);
        b->full_mwh = b->cycle_count = -1;
        sqlite3_bind_int64(cap, 1, b->id);
        sqlite3_bind_int64(cap, 2, r->generated_ms);
        if (sqlite3_step(cap) == SQLITE_ROW) {
            b->full_mwh = column_or(cap, 0, -1);
            if (sqlite3_column_type(cap, 1) != SQLITE_NULL)
                b->design_mwh = sqlite3_column_int64(cap, 1);
            b->cycle_count = column_or(cap, 2, -1);
        }
        sqlite3_reset(cap);
    }
    if (!ret && rc != SQLITE_DONE)
        ret = db_fail(l, "reading batteries");
    sqlite3_finalize(st);
    sqlite3_finalize(cap);
    return ret;
}

static size_t period_of(const report_t *r, int64_t t)
{
    int64_t i = (t - r->start_ms) / REPORT_DAY_MS;
    return i < 0 ? 0 : (size_t)i >= r->days ? r->days - 1 : (size_t)i;
}

static int add_change(loader_t *l, const report_change_t *c)
{
    report_t *r = l->r;
    if ((r->change_count & (r->change_count - 1)) == 0) { /* grow at powers of two */
        size_t cap = r->change_count ? r->change_count * 2 : 16;
        report_change_t *n = realloc(r->changes, cap * sizeof *n);
        if (!n)
            return fail(l, "%s", "out of memory");
        r->changes = n;
    }
    r->changes[r->change_count++] = *c;
    return 0;
}

/* Walks every sample in range per battery: drain between consecutive
 * discharging samples, and the power-state changes of the recent days. */
static int load_samples(loader_t *l)
{
    report_t *r = l->r;
    sqlite3_stmt *st;
    if (prepare(l,
                "SELECT battery, t_ms, power_state, capacity_mwh FROM sample"
                " WHERE t_ms BETWEEN ? AND ? ORDER BY battery, t_ms, id",
                &st) != 0)
        return -1;
    sqlite3_bind_int64(st, 1, r->start_ms);
    sqlite3_bind_int64(st, 2, r->generated_ms);
    int64_t recent = r->end_ms - REPORT_RECENT_DAYS * REPORT_DAY_MS;
    int64_t prev_battery = -1, prev_t = 0, prev_cap = -1;
    uint32_t prev_state = 0;
    int rc, ret = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0), t = sqlite3_column_int64(st, 1);
        uint32_t state = (uint32_t)sqlite3_column_int64(st, 2);
        int64_t cap = column_or(st, 3, -1);
        ssize_t bi = battery_index(r, id);
        if (bi < 0)
            continue;
        bool first = id != prev_battery;
        if (!first && (prev_state & 2)) { /* BATTERY_DISCHARGING */
            report_battery_t *b = &r->batteries[bi];
            b->discharge_ms += t - prev_t;
            if (prev_cap >= 0 && cap >= 0 && prev_cap > cap) {
                b->drain_mwh += prev_cap - cap;
                r->per_day[period_of(r, t)].drain_mwh += prev_cap - cap;
            }
        }
        if (t >= recent && (first || state != prev_state)) {
            report_change_t c = {t, (size_t)bi, state, cap};
            if ((ret = add_change(l, &c)) != 0)
                break;
        }
        prev_battery = id;
        prev_t = t;
        prev_cap = cap;
        prev_state = state;
    }
    if (!ret && rc != SQLITE_DONE)
        ret = db_fail(l, "reading samples");
    sqlite3_finalize(st);
    return ret;
}

/* Time on battery / on AC per day from the "ac" events (value 0 offline,
 * 1 online, else unknown), starting from the state before the range. */
static int load_ac(loader_t *l)
{
    report_t *r = l->r;
    sqlite3_stmt *st;
    if (prepare(l,
                "SELECT t_ms, value FROM (SELECT t_ms, value, id FROM event WHERE name = 'ac'"
                " AND t_ms < ?1 ORDER BY t_ms DESC, id DESC LIMIT 1)"
                " UNION ALL SELECT t_ms, value FROM (SELECT t_ms, value, id FROM event"
                " WHERE name = 'ac' AND t_ms BETWEEN ?1 AND ?2 ORDER BY t_ms, id)",
                &st) != 0)
        return -1;
    sqlite3_bind_int64(st, 1, r->start_ms);
    sqlite3_bind_int64(st, 2, r->generated_ms);
    int64_t state = -1, from = r->start_ms;
    int rc;
    for (;;) {
        rc = sqlite3_step(st);
        int64_t t = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : r->generated_ms;
        if (t < r->start_ms)
            t = r->start_ms;
        /* The segment [from, t) in `state`, split over the days. */
        while (from < t && (state == 0 || state == 1)) {
            size_t d = period_of(r, from);
            int64_t day_end = r->start_ms + (int64_t)(d + 1) * REPORT_DAY_MS;
            int64_t to = t < day_end || d + 1 == r->days ? t : day_end;
            *(state == 0 ? &r->per_day[d].battery_ms : &r->per_day[d].ac_ms) += to - from;
            from = to;
        }
        from = t;
        if (rc != SQLITE_ROW)
            break;
        state = column_or(st, 1, -1);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : db_fail(l, "reading events");
}

/* The last capacity row of each battery in each week. */
static int load_capacity(loader_t *l)
{
    report_t *r = l->r;
    sqlite3_stmt *st;
    if (prepare(l,
                "SELECT battery, t_ms, full_mwh, design_mwh, cycle_count FROM capacity"
                " WHERE t_ms BETWEEN ? AND ? ORDER BY t_ms, id",
                &st) != 0)
        return -1;
    sqlite3_bind_int64(st, 1, r->start_ms);
    sqlite3_bind_int64(st, 2, r->generated_ms);
    size_t slots = r->weeks * r->battery_count;
    report_capacity_point_t *grid = calloc(slots ? slots : 1, sizeof *grid);
    if (!grid) {
        sqlite3_finalize(st);
        return fail(l, "%s", "out of memory");
    }
    int64_t weeks_start = r->end_ms - (int64_t)r->weeks * REPORT_WEEK_MS;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        ssize_t bi = battery_index(r, sqlite3_column_int64(st, 0));
        if (bi < 0)
            continue;
        int64_t t = sqlite3_column_int64(st, 1);
        size_t w = (size_t)((t - weeks_start) / REPORT_WEEK_MS);
        if (w >= r->weeks)
            w = r->weeks - 1;
        report_capacity_point_t *p = &grid[w * r->battery_count + (size_t)bi];
        *p = (report_capacity_point_t){
            (size_t)bi, w, t, column_or(st, 2, -1), column_or(st, 3, -1), column_or(st, 4, -1)};
        p->t_ms = t ? t : 1; /* 0 marks an empty slot below */
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        free(grid);
        return db_fail(l, "reading capacity");
    }
    size_t n = 0;
    for (size_t i = 0; i < slots; i++)
        if (grid[i].t_ms)
            grid[n++] = grid[i];
    r->capacity = grid;
    r->capacity_count = n;
    return 0;
}

static void estimate(report_t *r)
{
    int64_t drain = 0, ms = 0;
    for (size_t i = 0; i < r->battery_count; i++) {
        report_battery_t *b = &r->batteries[i];
        drain += b->drain_mwh;
        ms += b->discharge_ms;
        if (b->discharge_ms > 0 && b->drain_mwh > 0) {
            b->average_drain_mw = (double)b->drain_mwh * 3.6e6 / (double)b->discharge_ms;
            if (b->full_mwh > 0)
                b->life_full_h = (double)b->full_mwh / b->average_drain_mw;
            if (b->design_mwh > 0)
                b->life_design_h = (double)b->design_mwh / b->average_drain_mw;
        }
    }
    r->average_drain_mw = ms > 0 ? (double)drain * 3.6e6 / (double)ms : 0;
}

static int compare_change(const void *a, const void *b)
{
    const report_change_t *x = a, *y = b;
    if (x->t_ms != y->t_ms)
        return x->t_ms < y->t_ms ? -1 : 1;
    return x->battery < y->battery ? -1 : x->battery > y->battery;
}

report_t *report_load(const char *path, unsigned days, char *err, size_t errlen)
{
    report_t *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(err, errlen, "%s: out of memory", path);
        return NULL;
    }
    loader_t l = {NULL, r, err, errlen};
    snprintf(r->path, sizeof r->path, "%s", path);
    if (days == 0) {
        fail(&l, "%s", "the report needs at least one day");
        goto fail;
    }
    r->days = days;
    r->weeks = (days + 6) / 7;
    if (open_checked(&l) != 0)
        goto fail;
    bool empty = true;
    if (single_int(&l,
                   "SELECT max(t) FROM (SELECT max(t_ms) t FROM sample UNION ALL"
                   " SELECT max(t_ms) FROM capacity UNION ALL SELECT max(t_ms) FROM event)",
                   &r->generated_ms, &empty) != 0)
        goto fail;
    if (empty) {
        fail(&l, "%s", "no history recorded yet");
        goto fail;
    }
    /* Ends at the midnight closing the newest row's day (ms since 1970 UTC
     * count whole days from midnight), so each day is a calendar day. */
    r->end_ms = (r->generated_ms + REPORT_DAY_MS - 1) / REPORT_DAY_MS * REPORT_DAY_MS;
    r->start_ms = r->end_ms - (int64_t)days * REPORT_DAY_MS;
    r->per_day = calloc(days, sizeof *r->per_day);
    if (!r->per_day) {
        fail(&l, "%s", "out of memory");
        goto fail;
    }
    for (unsigned d = 0; d < days; d++)
        r->per_day[d].start_ms = r->start_ms + (int64_t)d * REPORT_DAY_MS;
    if (load_batteries(&l) != 0 || load_samples(&l) != 0 || load_ac(&l) != 0 ||
        load_capacity(&l) != 0)
        goto fail;
    estimate(r);
    if (r->change_count)
        qsort(r->changes, r->change_count, sizeof *r->changes, compare_change);
    sqlite3_close(l.db);
    return r;
fail:
    sqlite3_close(l.db);
    report_free(r);
    return NULL;
}

void report_free(report_t *r)
{
    if (!r)
        return;
    free(r->batteries);
    free(r->changes);
    free(r->per_day);
    free(r->capacity);
    free(r);
}
