/* A real Network UPS Tools server for the nutbatt tests and benchmarks:
 * NUT's dummy-ups driver and upsd, started as ordinary child processes on
 * 127.0.0.1 with a port chosen at run time, their configuration, state and
 * pid files in a temporary folder (NUT_CONFPATH, NUT_STATEPATH,
 * NUT_ALTPIDPATH). The UPS's variables live in a dummy-ups .dev file that
 * nut_upsd_set rewrites; every wait is bounded (polling upsd with a
 * deadline), never a sleep. Every process is killed at exit, also when a
 * test fails. */
#ifndef NUT_UPSD_H
#define NUT_UPSD_H

#include <stdbool.h>
#include <sys/types.h>

#define NUT_UPS_NAME "ups"
#define NUT_USER     "battkit"
#define NUT_PASSWORD "s3cret pass" /* a space: nutbatt must quote it */
#define NUT_WAIT_MS  15000         /* bound on any wait for upsd or dummy-ups */

typedef struct nut_upsd {
    char dir[256];
    unsigned port;
    pid_t upsd, driver;
    unsigned generation; /* the .dev file's mtime steps */
    char why[640];       /* what failed, for the test's message */
} nut_upsd_t;

/* Starts dummy-ups with the .dev text (NAME: VALUE lines) and upsd;
 * returns once upsd answers for the UPS. false with u->why on failure. */
bool nut_upsd_start(nut_upsd_t *u, const char *dev);
/* Rewrites the .dev file (with a generation mark, ups.test.generation)
 * and waits until upsd reports the new mark: dummy-ups reads the whole
 * file at once, so every value is in place by then. */
bool nut_upsd_set(nut_upsd_t *u, const char *dev);
/* upsd alone: stopped (its port closed; dummy-ups keeps running) and
 * started again on the same port. */
bool nut_upsd_stop_server(nut_upsd_t *u);
bool nut_upsd_start_server(nut_upsd_t *u);
/* dummy-ups alone stopped; returns once upsd no longer serves the UPS's
 * data (it answers ERR for it). */
bool nut_upsd_stop_driver(nut_upsd_t *u);
/* Kills both and removes the folder. */
void nut_upsd_done(nut_upsd_t *u);
/* "ups@127.0.0.1:PORT" */
const char *nut_upsd_address(const nut_upsd_t *u);
/* GET VAR through libupsclient on a fresh connection; false if upsd does
 * not answer. */
bool nut_upsd_get(const nut_upsd_t *u, const char *var, char *value, size_t size);

/* Writes DIR/NAME with `text`, in place (truncated, not replaced by a
 * rename: psbatt keeps a fake power_supply attribute open and must see it
 * rewritten). For the files the upsd users set beside it: a fake sysfs
 * tree, a machine description. false if it cannot be written. */
bool fixture_put(const char *dir, const char *name, const char *text);

#endif
