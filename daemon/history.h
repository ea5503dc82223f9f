/* battd's battery history: what is recorded (history_db.c: the SQLite file,
 * schema, migrations, retention), the queue of records into one writer
 * (history.c) and the battery watcher that produces them
 * (history_monitor.c, also the live state the HTTP server shows). */
#ifndef BATTD_HISTORY_H
#define BATTD_HISTORY_H

#include <battkit/host.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HIST_TEXT 64
#define HIST_ID   160

typedef enum hist_kind {
    HREC_BATTERY = 1, /* identity seen (arrival): upserts the battery row */
    HREC_SAMPLE,      /* a BATTERY_STATUS */
    HREC_CAPACITY,    /* full-charge capacity and cycle count */
    HREC_EVENT,       /* ac, power_state, arrival, removal, policy */
} hist_kind_t;

/* Unknown values are HIST_UNKNOWN and stored as NULL. */
#define HIST_UNKNOWN INT64_MIN

typedef struct hist_record {
    hist_kind_t kind;
    int64_t t_ms;          /* ms since 1970 UTC; virtual on a virtual-time machine */
    char battery[HIST_ID]; /* unique ID; "" for system events */
    union {
        struct {
            char device_name[HIST_TEXT], manufacturer[HIST_TEXT], serial[HIST_TEXT];
            char chemistry[8], bus[16];
            int64_t design_mwh;
        } id;
        struct {
            uint32_t power_state;
            int64_t capacity_mwh, voltage_mv, rate_mw, temperature_dk; /* dK: tenths of kelvin */
        } s;
        struct {
            int64_t full_mwh, design_mwh, cycle_count;
        } c;
        struct {
            char name[16]; /* ac, power_state, arrival, removal, policy */
            int64_t value;
            char detail[HIST_TEXT];
        } e;
    };
} hist_record_t;

/* ---- history_db.c ---- */
#define HDB_SCHEMA_VERSION 2
#define HDB_APPLICATION_ID 0x42544b48 /* "BTKH" */
typedef struct hdb hdb_t;
/* Opens or creates the file (WAL), migrates it to HDB_SCHEMA_VERSION.
 * NULL with a sentence in err for a corrupt, foreign or newer file. */
hdb_t *hdb_open(const char *path, char *err, size_t errlen);
void hdb_close(hdb_t *db);
/* All records in one transaction; 0 ok, -1 (rolled back, err filled). */
int hdb_write(hdb_t *db, const hist_record_t *records, size_t count, char *err, size_t errlen);
/* Deletes samples, capacity rows and events older than before_ms. */
int hdb_prune(hdb_t *db, int64_t before_ms);

/* ---- history.c: the writer ---- */
typedef struct history_config {
    const char *path; /* NULL: no history */
    unsigned retention_days;
    unsigned interval_s; /* a sample at least this often (virtual seconds) */
} history_config_t;
/* Opens the database; on failure logs why and battd goes on without
 * history (returns -1, history_enabled() false). */
int history_open(const history_config_t *cfg);
bool history_enabled(void);
void history_close(void);
/* Queues records (any thread); the writer commits them in one batch. */
void history_push(const hist_record_t *records, size_t count);
/* Commits what is queued now (the monitor thread, and history_close). */
void history_flush(void);
/* The power manager's hook: a DC policy action taken at t_ms (0 = now by
 * the history clock): level "low"/"critical", action name, charge %. */
void history_record_policy_action(int64_t t_ms, const char *level, const char *action,
                                  unsigned percent);
/* The history clock: ms since 1970, virtual on virtual time. */
int64_t history_now_ms(void);
void history_set_clock(bk_host_t *host, int64_t virtual_epoch_ms);
/* Bytes of the database file(s), for BENCH lines. */
uint64_t history_file_bytes(const char *path);

/* main.c: the machine description's name, for labels */
const char *battd_machine_name(void);

/* ---- history_machine.c ---- */
/* The machine's name and virtual start (-1: now); NULL file: the built-in laptop. */
int history_machine_describe(const char *file, char *name, size_t n, int64_t *start_ms);

/* ---- history_monitor.c: the battery watcher and the live state ---- */
typedef struct live_battery {
    char path[160];
    bool present;
    char unique_id[HIST_ID], device_name[HIST_TEXT], manufacturer[HIST_TEXT], serial[HIST_TEXT];
    char chemistry[8], bus[16];
    int64_t design_mwh, full_mwh, cycle_count, temperature_dk;
    uint32_t power_state, capabilities;
    uint8_t technology; /* BATTERY_INFORMATION.Technology: 1 rechargeable */
    int64_t capacity_mwh, voltage_mv, rate_mw;
    int64_t t_ms; /* of the latest status */
} live_battery_t;

typedef struct live_system {
    int ac_line_status; /* 0 offline, 1 online, 255 unknown (SYSTEM_POWER_STATUS) */
    int battery_flag, battery_life_percent;
    int64_t battery_life_time_s; /* -1 unknown */
    int64_t remaining_mwh, full_mwh, rate_mw;
} live_system_t;

int monitor_start(bk_host_t *host, unsigned interval_s);
void monitor_stop(void);
/* Copies up to max batteries, each read at least once (a battery just
 * arrived appears once its identity and status are known); returns how many
 * there are. The generation rises on every change (for server-sent events). */
size_t monitor_snapshot(live_battery_t *out, size_t max, uint64_t *generation);
/* The one place the system power status comes from (today computed from
 * the batteries as GetSystemPowerStatus does; later the power manager's
 * SYSTEM_BATTERY_STATE). */
void monitor_system_state(live_system_t *out);
/* Waits until the generation differs from `seen` or timeout_ms passes;
 * returns the present generation. */
uint64_t monitor_wait_change(uint64_t seen, unsigned timeout_ms);
unsigned monitor_pending_waits(void);

#endif
