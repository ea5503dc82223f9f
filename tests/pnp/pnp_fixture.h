/* Shared by the PnP and power tests: a host on virtual time, the test
 * drivers (kept mapped by the tests so their event logs outlive unloads),
 * and helpers to read those logs and drive the test bus. */
#ifndef PNP_FIXTURE_H
#define PNP_FIXTURE_H

#include "private.h"
#include "bk_test.h"
#include "drivers/pnptest.h"

#include <battkit/host.h>

typedef struct pnp_test_driver {
    const char *service;
    char path[512];
    void *handle;
    const char *(*log)(void);
    void (*reset)(void);
    void (*set)(int knob, long value);
    long (*get)(int knob);
} pnp_test_driver_t;

extern pnp_test_driver_t fx_fn, fx_alt, fx_leak, fx_bus;

/* A host on virtual time with every test driver's log and knobs reset. */
bk_host_t *fx_start(void);
/* bk_host_destroy's result (0 = clean). */
int fx_stop(bk_host_t *host);

/* Index of the first log line equal to `line`, or -1. */
int fx_line(pnp_test_driver_t *d, const char *line);
int fx_count(pnp_test_driver_t *d, const char *line);
/* Both lines logged, a before b. */
int fx_before(pnp_test_driver_t *d, const char *a, const char *b);

/* A root device served by the function driver (by path). */
bk_status_t fx_add_fn(bk_host_t *host, const char *hardware_id, bk_device_t **device);
/* The test bus as a root device, and its children chosen by bit mask
 * (IOCTL_PNPTEST_SET_CHILDREN through its interface), then settled. */
bk_status_t fx_add_bus(bk_host_t *host, bk_device_t **device);
bk_status_t fx_set_children(bk_host_t *host, ULONG mask);

#endif
