/* battctl's shared pieces: the battery list as an application sees it
 * (SetupDi, CreateFile, the battery IOCTLs of libbattkit-client), units
 * people read, JSON output, and the exit codes. */
#ifndef BATTCTL_H
#define BATTCTL_H

#include <windows.h>
#include <setupapi.h>
#include <batclass.h>
#include <battkit/client.h>
#include <stdbool.h>
#include <stdio.h>

/* Exit codes (docs/battctl.1). */
enum {
    EXIT_OK = 0,
    EXIT_OTHER = 1,
    EXIT_USAGE = 2,
    EXIT_DENIED = 3,
    EXIT_NO_BATTERY = 4,
    EXIT_UNREACHABLE = 5,
};

typedef struct options {
    bool json;
    const char *socket; /* NULL: the default */
} options_t;
extern options_t opt;

/* ---- batteries.c ---- */
typedef struct battery {
    int index; /* position in the SetupDi enumeration */
    char path[512];
    HANDLE h; /* NULL until battery_handle opens it */
    DWORD access, flags;
    bool gone;   /* removed since the listing */
    int open_rc; /* CreateFile failed (reported): its exit code */
    bool probed; /* QUERY_TAG asked */
    ULONG tag;   /* 0: no battery in the slot */
    bool have_info;
    BATTERY_INFORMATION info;
    char name[128], manufacturer[128], serial[128], unique_id[256];
    bool have_date;
    BATTERY_MANUFACTURE_DATE date;
    bool have_temperature;
    ULONG temperature; /* tenths of a kelvin */
    int scales;
    BATTERY_REPORTING_SCALE scale[4];
    bool have_status;
    BATTERY_STATUS status;
    ULONG estimated_time; /* seconds or BATTERY_UNKNOWN_TIME */
} battery_t;

/* Enumerates every battery slot, any number; a handle (access, flags:
 * FILE_FLAG_OVERLAPPED) is opened only by battery_handle. Returns an exit
 * code, with a message printed on failure. */
int batteries_open(DWORD access, DWORD flags, battery_t **list, size_t *count);
void batteries_close(battery_t *list, size_t count);
/* The battery's handle, opened on first use; NULL if it cannot be (the
 * reason printed once, its exit code in open_rc; none when the slot was
 * removed since the listing). battery_release closes it: commands take one
 * battery at a time, so battctl holds one battery handle at once. */
HANDLE battery_handle(battery_t *b);
void battery_release(battery_t *b);
/* Selects by index, device path, or a text unique among paths/names. Sets
 * the range [first, last]; a NULL selector takes all. Exit code. */
int batteries_select(battery_t *list, size_t count, const char *selector, size_t *first,
                     size_t *last);
/* QUERY_TAG (no wait). FALSE with the last error on failure. */
BOOL battery_query_tag(battery_t *b);
BOOL battery_read_info(battery_t *b);   /* BatteryInformation and the other levels */
BOOL battery_read_status(battery_t *b); /* QUERY_STATUS Timeout 0 + estimated time */
/* A battery's charge in percent of its full capacity, -1 if unknown. */
int battery_percent(const battery_t *b, ULONG capacity);

/* ---- format.c ---- */
void fmt_energy(char *buf, size_t n, ULONG mwh, bool relative); /* "44.00 Wh" */
void fmt_power(char *buf, size_t n, LONG mw, bool relative);    /* "+12.50 W" */
void fmt_voltage(char *buf, size_t n, ULONG mv);                /* "12.10 V" */
void fmt_temperature(char *buf, size_t n, ULONG dk);            /* "25.0 °C" */
void fmt_duration(char *buf, size_t n, ULONG seconds);          /* "1:23" (h:mm) */
void fmt_power_state(char *buf, size_t n, ULONG state);         /* "charging, AC" */
void wide_to_utf8(const WCHAR *w, size_t max_chars, char *out, size_t n);
/* JSON */
void json_string(FILE *f, const char *s);
void json_power_state(FILE *f, ULONG state); /* ["power_on_line", ...] */

/* ---- errors (main.c) ---- */
/* Prints "battctl: what: reason" for the last error; returns its exit code. */
int report_error(const char *what);
int exit_code_for(DWORD error);
int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Connects when --socket was given (else the library connects on first use). */
int ensure_connected(void);

/* ---- commands ---- */
int cmd_list(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_watch(int argc, char **argv);
int cmd_set(int argc, char **argv);
int cmd_policy(int argc, char **argv);
int cmd_sim(int argc, char **argv);
int cmd_report(int argc, char **argv);

#endif
