/* The battc tests' fixture: a virtual-time host with one battc_testmini
 * battery started as a root device and a read/write handle on its battery
 * interface, plus short helpers for the IOCTLs the tests send. */
#ifndef BATTC_FIXTURE_H
#define BATTC_FIXTURE_H

#include <ntddk.h>
#include <batclass.h>
#include <battkit/host.h>

#include "bk_test.h"
#include "testmini_ioctl.h"

typedef struct tb {
    bk_host_t *host;
    bk_device_t *device;
    bk_handle_t *battery;
    char *path;
} tb_t;

/* Starts a host and one test battery with the given hardware ID
 * (TESTMINI_HWID...). Returns 0 on success (failures are reported). */
int tb_start(tb_t *tb, const char *hwid);
/* Closes the handle and destroys the host; the host's pool check (every
 * driver, battc included, left nothing) is a test failure if it fails. */
void tb_stop(tb_t *tb);

void tb_advance_ms(tb_t *tb, uint64_t ms);

/* Private IOCTLs of battc_testmini. */
void tb_set_status(tb_t *tb, ULONG power_state, ULONG capacity, ULONG voltage, LONG rate);
void tb_set_present(tb_t *tb, int present);
void tb_config(tb_t *tb, ULONG flags, ULONG spin, ULONG extra_length);
TESTMINI_COUNTERS tb_counters(tb_t *tb);
void tb_reset_counters(tb_t *tb);
void tb_notify(tb_t *tb, ULONG irql);

/* Battery IOCTLs. */
bk_status_t tb_query_tag(tb_t *tb, ULONG timeout_ms, ULONG *tag);
bk_status_t tb_query_status(tb_t *tb, ULONG tag, ULONG timeout_ms, ULONG power_state, ULONG low,
                            ULONG high, BATTERY_STATUS *out, uint32_t *returned);
/* An asynchronous status wait; out must live until it completes. */
bk_request_t *tb_wait_status(tb_t *tb, const BATTERY_WAIT_STATUS *wait, BATTERY_STATUS *out);
bk_status_t tb_query_info(tb_t *tb, ULONG tag, ULONG level, LONG at_rate, void *out, ULONG out_len,
                          uint32_t *returned);

/* The current tag (fails the test if there is none). */
ULONG tb_tag(tb_t *tb);

#endif /* BATTC_FIXTURE_H */
