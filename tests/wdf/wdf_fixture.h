/* The framework tests' fixture: a virtual-time host with the wdftest KMDF
 * driver on one root device, a handle on its interface, and the driver's
 * record (wdftest_ioctl.h). */
#ifndef WDF_FIXTURE_H
#define WDF_FIXTURE_H

#include <ntddk.h>
#include <battkit/host.h>

#include "bk_test.h"
#include "wdftest_ioctl.h"

typedef struct wt {
    bk_host_t *host;
    bk_device_t *device;
    bk_handle_t *handle;
    void *so; /* keeps the driver mapped (and its record readable) after unload */
    wdftest_hooks_t hooks;
} wt_t;

int wt_start(wt_t *t); /* 0, or -1 after failing the test */
void wt_stop(wt_t *t); /* removes what is left; a pool leak fails the test */
/* Sends one PnP IRP to the top of the device's stack, as the PnP manager does. */
NTSTATUS wt_send_pnp(wt_t *t, UCHAR minor);

#endif
