/* The battery miniclass conformance suite: checks what the WDK requires of
 * a miniclass driver (tags, stale tags, information levels, units, status
 * notification, WMI, clean unload), seen only through the public host API
 * on virtual time. Used by the battkit-conformance program and in-process
 * by tests:
 *
 *   bk_host_t *h = bk_host_create(&(bk_host_options_t){.virtual_time = 1});
 *   bk_conformance_options_t o = {.driver = "simbatt", .hwid = "SIMBATT\\Battery",
 *                                 .out = stdout};
 *   bk_conformance_report_t r = {0};
 *   int failures = bk_conformance_run(h, &o, &r);
 *   bk_conformance_print_summary(&r, stdout);
 *   bk_conformance_report_free(&r);
 *   bk_host_destroy(h);
 */
#ifndef BATTKIT_CONFORMANCE_H
#define BATTKIT_CONFORMANCE_H

#include <stdint.h>
#include <stdio.h>

#include <battkit/host.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- battery controllers ----
 * How the suite changes a battery from outside (the driver's own control
 * interface, or the simulated platform): every operation is optional; a
 * check that needs a missing one is SKIPped, never faked. */

/* The battery under test, as a controller sees it. */
typedef struct bk_conformance_target {
    bk_host_t *host;
    bk_device_t *device;        /* NULL when the battery was not added by the suite */
    const char *interface_path; /* GUID_DEVICE_BATTERY symbolic link */
    bk_handle_t *handle;        /* read/write handle on that interface */
    const char *driver;         /* as given in the options; NULL for a machine */
    const char *hwid;
    unsigned index; /* 0-based position among the batteries under test */
} bk_conformance_target_t;

/* What a controller sets, as BATTERY_STATUS carries it (mWh, mV, mW). */
typedef struct bk_conformance_status {
    uint32_t power_state; /* BATTERY_POWER_ON_LINE | _DISCHARGING | _CHARGING | _CRITICAL */
    uint32_t capacity;
    uint32_t voltage;
    int32_t rate; /* positive = charging */
} bk_conformance_status_t;

typedef struct bk_conformance_controller {
    const char *name;
    /* Attaches to one battery; *state is handed to every other call.
     * Returns 0, or nonzero when this battery cannot be controlled (the
     * controller is then not used for it). */
    int (*open)(const bk_conformance_target_t *target, void **state);
    void (*close)(void *state);
    /* Each returns an NTSTATUS; the change must have been made (and the
     * driver told, as the hardware would tell it) when it returns. */
    bk_status_t (*insert)(void *state);
    bk_status_t (*remove)(void *state);
    bk_status_t (*set_ac)(void *state, int online);
    bk_status_t (*set_status)(void *state, const bk_conformance_status_t *status);
    /* Makes a status change the driver must report, by whatever means the
     * controller has (NULL: the suite toggles AC or sets a status). */
    bk_status_t (*notify_change)(void *state);
    /* Nonzero: the operations drive a real device or server outside the
     * host and wait for it in real time (e.g. nutbatt's upsd); the suite
     * waits for them without moving the virtual clock (bounded at 60 s of
     * real time), so that latency is not counted against the driver. */
    int real_time;
} bk_conformance_controller_t;

/* Built-in controllers (NULL members where the interface they need is not
 * in this build). */
extern const bk_conformance_controller_t bk_conformance_controller_badmini;
extern const bk_conformance_controller_t bk_conformance_controller_simbatt;
extern const bk_conformance_controller_t bk_conformance_controller_platform;
extern const bk_conformance_controller_t bk_conformance_controller_testmini; /* battc's tests */
/* The composite battery, changed through the machine's batteries. */
extern const bk_conformance_controller_t bk_conformance_controller_composite;
/* The controller for a driver (service name or .so path; NULL = the
 * batteries of a loaded machine, driven through the platform), or NULL. */
const bk_conformance_controller_t *bk_conformance_find_controller(const char *driver);

/* ---- running ---- */
typedef struct bk_conformance_options {
    /* The driver to start: a service name or a path to a .so, on a root
     * device with hardware ID `hwid`. A shipped driver's service name
     * (simbatt): the shipped INFs are installed and the device is bound by
     * its INF, which must list `hwid`. NULL: test every battery already on
     * the host (e.g. after bk_host_load_machine). */
    const char *driver;
    const char *hwid;
    const char *instance; /* root device instance; NULL = "CONF0000" */
    /* NULL: bk_conformance_find_controller(driver). */
    const bk_conformance_controller_t *controller;
    int no_controller; /* nonzero: use none (the checks needing one SKIP) */
    /* Comma-separated check names to run (NULL: all). */
    const char *only;
    /* One line per check ("PASS|FAIL|SKIP|WARN name: detail") goes here;
     * NULL prints nothing (bk_conformance_print_summary adds the total). */
    FILE *out;
    int verbose; /* also log each request to out */
    /* Bound on a notified change, virtual ms; 0 = 1000. Less than battc's
     * 5000 ms poll, so meeting it shows notification, not polling. */
    uint32_t notify_bound_ms;
    /* Bound on an answer that should not wait, virtual ms; 0 = 1000. */
    uint32_t answer_bound_ms;
    /* Nonzero: leave the device in place (skips the unload checks). */
    int keep_device;
    /* Nonzero (with driver NULL): test the composite battery of the loaded
     * machine, \\Device\\CompositeBattery, opened by name as the power
     * manager opens it, its members driven through the platform. */
    int composite;
} bk_conformance_options_t;

typedef enum bk_conformance_verdict {
    BK_CONFORMANCE_PASS,
    BK_CONFORMANCE_FAIL,
    BK_CONFORMANCE_SKIP,
    BK_CONFORMANCE_WARN /* a doubtful value the documentation does not forbid */
} bk_conformance_verdict_t;

typedef struct bk_conformance_result {
    char check[64];
    char battery[48]; /* which battery ("" for the whole run) */
    bk_conformance_verdict_t verdict;
    char detail[320];
} bk_conformance_result_t;

typedef struct bk_conformance_report {
    size_t passed, failed, skipped, warned;
    size_t count;
    bk_conformance_result_t *results; /* malloc'd; bk_conformance_report_free */
    /* A call into a driver never returned: the host cannot be destroyed
     * (a thread is still inside the driver). */
    int wedged;
} bk_conformance_report_t;

/* Runs the suite. Returns the number of FAIL lines (-1 when the suite could
 * not start: no battery, bad options). `report` may be NULL. */
int bk_conformance_run(bk_host_t *host, const bk_conformance_options_t *options,
                       bk_conformance_report_t *report);
void bk_conformance_report_free(bk_conformance_report_t *report);
/* Adds a result (the runner uses it for checks made after the run, e.g.
 * the host's own leak check at destroy) and prints its line to out. */
void bk_conformance_report_add(bk_conformance_report_t *report, FILE *out, const char *check,
                               bk_conformance_verdict_t verdict, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Prints "N passed, N failed, N skipped, N warnings". */
void bk_conformance_print_summary(const bk_conformance_report_t *report, FILE *out);
/* 0 when the checks that FAILed are exactly `expected` (comma-separated
 * names; "" or NULL = none); otherwise prints the difference to out and
 * returns the number of differing names. */
int bk_conformance_expect_failures(const bk_conformance_report_t *report, const char *expected,
                                   FILE *out);
/* The names of every check, in run order (NULL-terminated). */
const char *const *bk_conformance_check_names(void);

#ifdef __cplusplus
}
#endif
#endif
