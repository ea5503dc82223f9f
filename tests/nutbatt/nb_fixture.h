/* The nutbatt tests' fixture: a real upsd with dummy-ups (nut_upsd.h), a
 * machine description whose battery is on bus nut at that upsd, nutbatt
 * bound through its INF on a host on virtual time. A refresh is made to
 * happen by moving the host's clock one poll interval (the driver's own
 * timer), after upsd itself reports the change: no sleep anywhere. */
#ifndef NB_FIXTURE_H
#define NB_FIXTURE_H

#include <batclass.h>
#include <battkit/host.h>
#include <stdbool.h>

#include "bk_test.h"
#include "nut_upsd.h"

#define NB_POLL_MS 500 /* the machine's nut_poll_ms: under the suite's 1 s notify bound */
/* nutbatt reads the UPS's static variables (names, ratings, dates) on
 * contact and every this many refreshes, the changing ones on every one
 * (NUTBATT_FULL_READ_EVERY, docs/nutbatt.md). */
#define NB_FULL_READ_EVERY 12

typedef struct nb {
    nut_upsd_t ups;
    char ini[400];
    bk_host_t *host;
    bk_handle_t *battery; /* the UPS's battery interface, read/write */
} nb_t;

/* Text of a dummy-ups .dev file: on line, charging, 80 %. */
extern const char nb_dev_online[];

/* upsd with `dev`, then the host with the machine (extra: more lines for
 * the [battery.UPS] section, or NULL). false with a message on failure. */
bool nb_start(nb_t *nb, const char *dev, const char *extra);
/* The same, the machine naming UPS `ups_name` on that upsd; the battery
 * interface is opened whether or not the driver reaches the UPS. */
bool nb_start_ups(nb_t *nb, const char *dev, const char *ups_name);
/* The machine's nut_ups is `address` as written; nb->battery stays NULL
 * when no battery interface came up. */
bool nb_start_address(nb_t *nb, const char *dev, const char *address);
/* Changes the UPS (nut_upsd_set) and lets one poll interval pass. */
bool nb_set(nb_t *nb, const char *dev);
/* One poll interval of virtual time (the driver's refresh runs). */
void nb_poll(nb_t *nb);
void nb_done(nb_t *nb);

/* IOCTLs on nb->battery; each returns the NTSTATUS. */
bk_status_t nb_tag(nb_t *nb, ULONG *tag);
bk_status_t nb_info(nb_t *nb, ULONG tag, ULONG level, LONG at_rate, void *out, ULONG len,
                    uint32_t *returned);
bk_status_t nb_status(nb_t *nb, ULONG tag, BATTERY_STATUS *st);
/* A UTF-16 answer as ASCII. */
void nb_ascii(const void *wide, uint32_t bytes, char *out, size_t len);

#endif
