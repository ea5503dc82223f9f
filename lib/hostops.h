/* What both battd and the client library's embedded mode do with a host:
 * read every battery for SYSTEM_POWER_STATUS, and apply a simulator
 * operation to the platform. The I/O function is the caller's, so battd
 * can bound its waits in real time while the embedded mode uses bk_ioctl. */
#ifndef BKC_HOSTOPS_H
#define BKC_HOSTOPS_H

#include "powercalc.h"

#include <battkit/host.h>

typedef bk_status_t (*bkc_ioctl_fn)(void *ctx, bk_handle_t *handle, uint32_t code, const void *in,
                                    uint32_t in_len, void *out, uint32_t out_len,
                                    uint32_t *returned);

/* Reads tag, BATTERY_INFORMATION and BATTERY_STATUS (no waiting). *tag
 * gets the tag (0 for an empty slot). */
void bkc_read_battery(bk_handle_t *handle, bkc_ioctl_fn fn, void *ctx, bkc_battery_reading_t *out,
                      uint32_t *tag);
/* Every battery interface of the host, read and combined. */
bk_status_t bkc_host_power_status(bk_host_t *host, bkc_ioctl_fn fn, void *ctx,
                                  bkc_power_status_t *out);
/* op/value/arg2/name as bkp_sim_t (daemon/protocol.h) carries them. */
bk_status_t bkc_host_sim(bk_host_t *host, uint32_t op, int32_t value, uint32_t arg2,
                         const char *name);

#endif
