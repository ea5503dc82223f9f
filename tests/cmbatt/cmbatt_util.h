/* Helpers for the cmbatt and scenario tests: the battery IOCTLs as an
 * application sends them (through the GUID_DEVICE_BATTERY interface). */
#ifndef BK_TEST_CMBATT_UTIL_H
#define BK_TEST_CMBATT_UTIL_H

#include <battkit/host.h>
#include <poclass.h>

/* Opens the index-th battery interface (read and write). NULL if none. */
bk_handle_t *cb_open_battery(bk_host_t *host, size_t index);
size_t cb_battery_count(bk_host_t *host);
NTSTATUS cb_query_tag(bk_handle_t *h, ULONG wait_ms, ULONG *tag);
NTSTATUS cb_query_info(bk_handle_t *h, ULONG tag, BATTERY_QUERY_INFORMATION_LEVEL level,
                       LONG at_rate, void *out, ULONG out_len, ULONG *returned);
NTSTATUS cb_query_status(bk_handle_t *h, ULONG tag, BATTERY_STATUS *status);
/* An asynchronous QUERY_STATUS wait with the given conditions. */
bk_request_t *cb_wait_status(bk_handle_t *h, const BATTERY_WAIT_STATUS *wait, BATTERY_STATUS *out);
/* A wait (no timeout, no capacity bounds) that ends when the power state
 * is no longer `power_state`. */
bk_request_t *cb_wait_power_change(bk_handle_t *h, ULONG tag, ULONG power_state,
                                   BATTERY_STATUS *out);
bk_request_t *cb_wait_tag(bk_handle_t *h, ULONG wait_ms, ULONG *tag);

#endif
