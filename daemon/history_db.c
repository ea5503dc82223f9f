/* The history database: one SQLite file in WAL mode, its schema (versioned
 * by PRAGMA user_version, marked by PRAGMA application_id), the migrations
 * from every older version, batched writes and retention. It knows nothing
 * of batteries beyond the rows; docs/history.md describes the tables. */
#include "history.h"

#include <sqlite3.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct hdb {
    sqlite3 *db;
    sqlite3_stmt *battery, *sample, *capacity, *event, *find;
    /* The last battery looked up: most batches are one battery's rows. */
    char last_uid[HIST_ID];
    int64_t last_id;
};

/* migrations[v] takes a version-v file to v+1. Never edit a shipped step:
 * add one and raise HDB_SCHEMA_VERSION. */
static const char *const migrations[HDB_SCHEMA_VERSION] = {
    /* 0 -> 1 */
    "CREATE TABLE battery(id INTEGER PRIMARY KEY, unique_id TEXT NOT NULL UNIQUE,"
    " device_name TEXT, manufacturer TEXT, serial TEXT, chemistry TEXT, design_mwh INTEGER,"
    " first_seen_ms INTEGER NOT NULL, last_seen_ms INTEGER NOT NULL);"
    "CREATE TABLE sample(id INTEGER PRIMARY KEY, battery INTEGER NOT NULL REFERENCES battery(id),"
    " t_ms INTEGER NOT NULL, power_state INTEGER NOT NULL, capacity_mwh INTEGER,"
    " voltage_mv INTEGER, rate_mw INTEGER);"
    "CREATE INDEX sample_by_time ON sample(battery, t_ms);"
    "CREATE TABLE capacity(id INTEGER PRIMARY KEY, battery INTEGER NOT NULL REFERENCES battery(id),"
    " t_ms INTEGER NOT NULL, full_mwh INTEGER, design_mwh INTEGER, cycle_count INTEGER);"
    "CREATE INDEX capacity_by_time ON capacity(battery, t_ms);"
    "CREATE TABLE event(id INTEGER PRIMARY KEY, t_ms INTEGER NOT NULL, name TEXT NOT NULL,"
    " battery INTEGER REFERENCES battery(id), value INTEGER, detail TEXT);"
    "CREATE INDEX event_by_time ON event(t_ms);",
    /* 1 -> 2: temperature with each sample, the bus a battery sits on */
    "ALTER TABLE sample ADD COLUMN temperature_dk INTEGER;"
    "ALTER TABLE battery ADD COLUMN bus TEXT;",
};

static int set_err(char *err, size_t n, const char *what, sqlite3 *db)
{
    snprintf(err, n, "%s: %s", what, db ? sqlite3_errmsg(db) : "out of memory");
    return -1;
}

static int pragma_int(sqlite3 *db, const char *sql, int *out)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return -1;
    int rc = sqlite3_step(st);
    *out = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

/* Brings the file to HDB_SCHEMA_VERSION, one transaction per step. */
static int migrate(sqlite3 *db, char *err, size_t n)
{
    int version = 0, app = 0, tables = 0;
    if (pragma_int(db, "PRAGMA user_version", &version) != 0 ||
        pragma_int(db, "PRAGMA application_id", &app) != 0 ||
        pragma_int(db, "SELECT count(*) FROM sqlite_master", &tables) != 0)
        return set_err(err, n, "not a readable SQLite database", db);
    if (tables > 0 && app != HDB_APPLICATION_ID) {
        snprintf(err, n, "not a battkit history database (application_id 0x%08x)", (unsigned)app);
        return -1;
    }
    if (version > HDB_SCHEMA_VERSION) {
        snprintf(err, n, "schema version %d is newer than this battd's (%d)", version,
                 HDB_SCHEMA_VERSION);
        return -1;
    }
    for (; version < HDB_SCHEMA_VERSION; version++) {
        char tail[96];
        snprintf(tail, sizeof tail, "PRAGMA user_version = %d; PRAGMA application_id = %d;",
                 version + 1, HDB_APPLICATION_ID);
        if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK ||
            sqlite3_exec(db, migrations[version], NULL, NULL, NULL) != SQLITE_OK ||
            sqlite3_exec(db, tail, NULL, NULL, NULL) != SQLITE_OK ||
            sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
            char what[64];
            snprintf(what, sizeof what, "migration to schema version %d", version + 1);
            set_err(err, n, what, db);
            sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
            return -1;
        }
    }
    return 0;
}

static const struct {
    size_t offset;
    const char *sql;
} statements[] = {
    {offsetof(hdb_t, battery),
     "INSERT INTO battery(unique_id, device_name, manufacturer, serial, chemistry, design_mwh,"
     " bus, first_seen_ms, last_seen_ms) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)"
     " ON CONFLICT(unique_id) DO UPDATE SET device_name = ?2, manufacturer = ?3, serial = ?4,"
     " chemistry = ?5, design_mwh = ?6, bus = ?7, last_seen_ms = max(last_seen_ms, ?8)"},
    {offsetof(hdb_t, sample),
     "INSERT INTO sample(battery, t_ms, power_state, capacity_mwh, voltage_mv, rate_mw,"
     " temperature_dk) VALUES(?, ?, ?, ?, ?, ?, ?)"},
    {offsetof(hdb_t, capacity), "INSERT INTO capacity(battery, t_ms, full_mwh, design_mwh, "
                                "cycle_count) VALUES(?, ?, ?, ?, ?)"},
    {offsetof(hdb_t, event),
     "INSERT INTO event(t_ms, name, battery, value, detail) VALUES(?, ?, ?, ?, ?)"},
    {offsetof(hdb_t, find), "SELECT id FROM battery WHERE unique_id = ?"},
};

/* SQLite opens by path, as root: refuse a database or sidecar that is a
 * symlink (another user's planted link would have root write its target)
 * and a folder others can write without the sticky bit (they could swap the
 * file under us between the check and the open). */
static int check_path(const char *path, char *err, size_t n)
{
    static const char *const sidecars[] = {"", "-wal", "-shm", "-journal"};
    char name[4096];
    struct stat st;
    for (size_t i = 0; i < sizeof sidecars / sizeof sidecars[0]; i++) {
        if ((size_t)snprintf(name, sizeof name, "%s%s", path, sidecars[i]) >= sizeof name) {
            snprintf(err, n, "path too long");
            return -1;
        }
        if (lstat(name, &st) == 0 && !S_ISREG(st.st_mode)) {
            snprintf(err, n, "%s is %s, not a regular file (refused)", name,
                     S_ISLNK(st.st_mode) ? "a symbolic link" : "special");
            return -1;
        }
    }
    snprintf(name, sizeof name, "%s", path);
    char *slash = strrchr(name, '/');
    if (slash)
        slash == name ? (void)(slash[1] = 0) : (void)(*slash = 0);
    else
        snprintf(name, sizeof name, ".");
    if (stat(name, &st) == 0 && (st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX)) {
        snprintf(err, n, "folder %s is writable by others (mode %04o; refused)", name,
                 (unsigned)(st.st_mode & 07777));
        return -1;
    }
    return 0;
}

hdb_t *hdb_open(const char *path, char *err, size_t n)
{
    if (check_path(path, err, n) != 0)
        return NULL;
    hdb_t *h = calloc(1, sizeof *h);
    if (!h) {
        snprintf(err, n, "out of memory");
        return NULL;
    }
    if (sqlite3_open_v2(path, &h->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOFOLLOW,
                        NULL) != SQLITE_OK) {
        set_err(err, n, "cannot open", h->db);
        goto fail;
    }
    sqlite3_busy_timeout(h->db, 2000);
    /* WAL: readers (battctl report, the dashboard) never block the writer,
     * and a commit is durable once its frames are in the log. */
    char *mode = NULL;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(h->db, "PRAGMA journal_mode = WAL", -1, &st, NULL) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        set_err(err, n, "not a usable SQLite database", h->db);
        goto fail;
    }
    mode = (char *)sqlite3_column_text(st, 0);
    bool wal = mode && strcmp(mode, "wal") == 0;
    sqlite3_finalize(st);
    if (!wal) {
        snprintf(err, n, "the file cannot be put in WAL mode");
        goto fail;
    }
    if (sqlite3_exec(h->db, "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON", NULL, NULL,
                     NULL) != SQLITE_OK) {
        set_err(err, n, "settings", h->db);
        goto fail;
    }
    if (migrate(h->db, err, n) != 0)
        goto fail;
    for (size_t i = 0; i < sizeof statements / sizeof statements[0]; i++) {
        sqlite3_stmt **slot = (sqlite3_stmt **)((char *)h + statements[i].offset);
        if (sqlite3_prepare_v3(h->db, statements[i].sql, -1, SQLITE_PREPARE_PERSISTENT, slot,
                               NULL) != SQLITE_OK) {
            set_err(err, n, "schema does not match", h->db);
            goto fail;
        }
    }
    return h;
fail:
    hdb_close(h);
    return NULL;
}

void hdb_close(hdb_t *h)
{
    if (!h)
        return;
    sqlite3_finalize(h->battery);
    sqlite3_finalize(h->sample);
    sqlite3_finalize(h->capacity);
    sqlite3_finalize(h->event);
    sqlite3_finalize(h->find);
    sqlite3_close(h->db);
    free(h);
}

static void bind_value(sqlite3_stmt *st, int i, int64_t v)
{
    if (v == HIST_UNKNOWN)
        sqlite3_bind_null(st, i);
    else
        sqlite3_bind_int64(st, i, v);
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
    if (s && *s)
        sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

static int step_reset(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

/* The battery row for a unique ID, made if it is not there yet (a sample
 * can come before the identity only after a restart mid-life). */
static int64_t battery_id(hdb_t *h, const char *uid, int64_t t_ms)
{
    if (!*uid)
        return HIST_UNKNOWN;
    if (h->last_id && strcmp(h->last_uid, uid) == 0)
        return h->last_id;
    int64_t id = 0;
    sqlite3_bind_text(h->find, 1, uid, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(h->find) == SQLITE_ROW)
        id = sqlite3_column_int64(h->find, 0);
    sqlite3_reset(h->find);
    if (!id) {
        sqlite3_bind_text(h->battery, 1, uid, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(h->battery, 8, t_ms);
        if (step_reset(h->battery) != 0)
            return 0;
        id = sqlite3_last_insert_rowid(h->db);
    }
    snprintf(h->last_uid, sizeof h->last_uid, "%s", uid);
    h->last_id = id;
    return id;
}

static int write_one(hdb_t *h, const hist_record_t *r)
{
    int64_t id = battery_id(h, r->battery, r->t_ms);
    if (id == 0)
        return -1;
    sqlite3_stmt *st;
    switch (r->kind) {
    case HREC_BATTERY:
        st = h->battery;
        sqlite3_bind_text(st, 1, r->battery, -1, SQLITE_TRANSIENT);
        bind_text(st, 2, r->id.device_name);
        bind_text(st, 3, r->id.manufacturer);
        bind_text(st, 4, r->id.serial);
        bind_text(st, 5, r->id.chemistry);
        bind_value(st, 6, r->id.design_mwh);
        bind_text(st, 7, r->id.bus);
        sqlite3_bind_int64(st, 8, r->t_ms);
        break;
    case HREC_SAMPLE:
        st = h->sample;
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_int64(st, 2, r->t_ms);
        sqlite3_bind_int64(st, 3, r->s.power_state);
        bind_value(st, 4, r->s.capacity_mwh);
        bind_value(st, 5, r->s.voltage_mv);
        bind_value(st, 6, r->s.rate_mw);
        bind_value(st, 7, r->s.temperature_dk);
        break;
    case HREC_CAPACITY:
        st = h->capacity;
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_int64(st, 2, r->t_ms);
        bind_value(st, 3, r->c.full_mwh);
        bind_value(st, 4, r->c.design_mwh);
        bind_value(st, 5, r->c.cycle_count);
        break;
    case HREC_EVENT:
        st = h->event;
        sqlite3_bind_int64(st, 1, r->t_ms);
        sqlite3_bind_text(st, 2, r->e.name, -1, SQLITE_TRANSIENT);
        bind_value(st, 3, id);
        bind_value(st, 4, r->e.value);
        bind_text(st, 5, r->e.detail);
        break;
    default:
        return -1;
    }
    return step_reset(st);
}

int hdb_write(hdb_t *h, const hist_record_t *records, size_t count, char *err, size_t n)
{
    if (!count)
        return 0;
    if (sqlite3_exec(h->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return set_err(err, n, "begin", h->db);
    for (size_t i = 0; i < count; i++) {
        if (write_one(h, &records[i]) != 0) {
            set_err(err, n, "write", h->db);
            goto fail;
        }
    }
    if (sqlite3_exec(h->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        set_err(err, n, "commit", h->db);
        goto fail;
    }
    return 0;
fail:
    sqlite3_exec(h->db, "ROLLBACK", NULL, NULL, NULL);
    h->last_id = 0; /* a rolled-back insert may have been cached */
    return -1;
}

int hdb_prune(hdb_t *h, int64_t before_ms)
{
    sqlite3_stmt *st;
    static const char *const tables[] = {"sample", "capacity", "event"};
    if (sqlite3_exec(h->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return -1;
    for (size_t i = 0; i < 3; i++) {
        char sql[80];
        snprintf(sql, sizeof sql, "DELETE FROM %s WHERE t_ms < ?", tables[i]);
        if (sqlite3_prepare_v2(h->db, sql, -1, &st, NULL) != SQLITE_OK)
            goto fail;
        sqlite3_bind_int64(st, 1, before_ms);
        int rc = sqlite3_step(st);
        sqlite3_finalize(st);
        if (rc != SQLITE_DONE)
            goto fail;
    }
    return sqlite3_exec(h->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
fail:
    sqlite3_exec(h->db, "ROLLBACK", NULL, NULL, NULL);
    return -1;
}
