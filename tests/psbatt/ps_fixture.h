/* The psbatt tests' fixture: a fake power_supply tree in a temporary folder,
 * a machine description that points psbatt at it (uevents on an AF_UNIX
 * socket there), one host per test, and bounded waits on the host's own
 * events (interface arrival/removal, IOCTL completion): never a sleep. */
#ifndef PS_FIXTURE_H
#define PS_FIXTURE_H

#include <batclass.h>
#include <battkit/host.h>
#include <pthread.h>
#include <stdbool.h>

#include "bk_test.h"

#define PS_WAIT_NS (5ull * 1000000000ull) /* real-time bound on any wait */

typedef struct ps {
    char dir[256], root[300], sock[300];
    bk_host_t *host;
    int virtual_time;
    unsigned poll_ms;
    pthread_mutex_t lock;
    pthread_cond_t cv;
    void *watch;
    unsigned arrivals, removals;
} ps_t;

/* A temporary tree; poll_ms for the machine (0: one hour, so only uevents
 * move anything on real time). */
void ps_init(ps_t *ps, int virtual_time, unsigned poll_ms);
/* Writes NAME/ATTR (makes the supply's folder); ps_unset removes it. */
void ps_set(ps_t *ps, const char *supply, const char *attr, const char *value);
void ps_setf(ps_t *ps, const char *supply, const char *attr, long long value);
void ps_unset(ps_t *ps, const char *supply, const char *attr);
void ps_unreadable(ps_t *ps, const char *supply, const char *attr); /* a folder: read fails */
void ps_remove_supply(ps_t *ps, const char *supply);
/* A full energy-based Li-ion battery BAT0 discharging, and AC adapter AC. */
void ps_energy_battery(ps_t *ps, const char *name);
void ps_mains(ps_t *ps, const char *name, int online);
/* Loads the machine; 0 on success. */
int ps_start(ps_t *ps);
/* A kernel-format uevent for the supply on the test socket. */
void ps_uevent(ps_t *ps, const char *supply);
/* The battery interface of supply NAME, opened read/write (NULL if none). */
bk_handle_t *ps_open(ps_t *ps, const char *supply);
/* Waits until the interface count of GUID_DEVICE_BATTERY reaches n. */
bool ps_wait_batteries(ps_t *ps, size_t n);
void ps_done(ps_t *ps);

/* IOCTL helpers: return the NTSTATUS. */
bk_status_t ps_tag(bk_handle_t *h, ULONG *tag);
bk_status_t ps_info(bk_handle_t *h, ULONG tag, ULONG level, LONG at_rate, void *out, ULONG len,
                    uint32_t *returned);
bk_status_t ps_status(bk_handle_t *h, ULONG tag, BATTERY_STATUS *st);
/* Starts a QUERY_STATUS that waits while the power state is `state` and the
 * capacity within [low, high]; ps_finish waits (bounded) for it. */
bk_request_t *ps_wait_status(bk_handle_t *h, ULONG tag, ULONG state, ULONG low, ULONG high,
                             BATTERY_STATUS *out);
bk_status_t ps_finish(bk_request_t *r);

#endif
