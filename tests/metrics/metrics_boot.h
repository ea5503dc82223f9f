/* battd's metrics in process, for the metrics tests and bench_metrics: the
 * host booted on a machine (virtual time, the clock still), the power
 * manager's side and the battery watcher started as battd starts them, and
 * a wait until the watcher has read every battery. */
#ifndef METRICS_BOOT_H
#define METRICS_BOOT_H

#include <battkit/host.h>
#include <stddef.h>

typedef struct metrics_boot {
    bk_host_t *host;
    char machine_name[64];
    size_t batteries; /* battery interfaces, the composite not counted */
} metrics_boot_t;

/* machine NULL: the built-in laptop. 0, or -1 with the reason on stderr. */
int metrics_boot(metrics_boot_t *b, const char *machine, unsigned wait_ms);
/* 0 clean (pool empty), -1 otherwise. */
int metrics_shutdown(metrics_boot_t *b);

#endif
