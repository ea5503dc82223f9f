/* battd on issue 15's 500-battery machine, booted in process as battd
 * boots it (tests/metrics/metrics_boot.h), for the benches that measure a
 * front end on it (bench_dashboard, bench_metrics); and the loopback HTTP
 * client those benches time battd's server with. A failure ends the
 * program with the reason on stderr: a bench has nothing to fall back on. */
#ifndef BIG_BATTD_H
#define BIG_BATTD_H

#include "big_machine.h"
#include "metrics_boot.h"

#include <stddef.h>
#include <stdint.h>

extern metrics_boot_t big_battd;

/* Boots the machine in a temporary folder and waits until the watcher
 * has read all BIG_BATTERIES batteries; `who` names the bench in messages. */
void big_battd_boot(const char *who);
/* Shuts down and removes the folder; 0 clean (pool empty), -1 otherwise. */
int big_battd_shutdown(void);
/* Ends the program with "WHO: what". */
_Noreturn void big_battd_die(const char *what);

/* The median in microseconds of `runs` copies of the watcher's live state
 * of every battery (what each front end renders from). */
double big_battd_snapshot_us(int runs);

/* A connection to 127.0.0.1:port with "GET path" sent (Connection: close). */
int loopback_get(uint16_t port, const char *path);
/* Reads fd to its end or cap bytes; the length read. */
size_t read_to_end(int fd, char *buf, size_t cap);

#endif
