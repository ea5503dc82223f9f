/* Shared by the WMI tests: a host, a driver object made by hand whose
 * IRP_MJ_SYSTEM_CONTROL dispatch calls WmiSystemControl the way the WDK
 * samples do, device stacks of such devices, and a synchronous sender of
 * WMI IRPs built like the WMI service's. */
#ifndef WMI_FIXTURE_H
#define WMI_FIXTURE_H

#include "private.h"
#include "bk_test.h"

#include <battkit/host.h>
#include <wmilib.h>

typedef struct test_ext {
    PWMILIB_CONTEXT wmi;                /* NULL: the device only forwards */
    PDEVICE_OBJECT lower;               /* the device below, NULL for the bottom */
    SYSCTL_IRP_DISPOSITION disposition; /* what WmiSystemControl said last */
    int system_control_irps;
    UCHAR last_minor;
} test_ext_t;

extern DRIVER_OBJECT fixture_driver;
extern bk_host_t *fixture_host;

void fixture_start(int virtual_time);
/* Destroys the host; CHECKs that it shut down clean (no pool left). */
void fixture_stop(void);
/* A device (named when name != NULL) attached above `lower` if given. */
PDEVICE_OBJECT fixture_device(const WCHAR *name, PWMILIB_CONTEXT wmi, PDEVICE_OBJECT lower);
void fixture_delete(PDEVICE_OBJECT device);
test_ext_t *fixture_ext(PDEVICE_OBJECT device);

/* Sends a WMI IRP to the top of device's stack and waits for completion.
 * Returns the IRP's final status; *info gets Information. */
NTSTATUS fixture_send(PDEVICE_OBJECT device, UCHAR minor, ULONG_PTR provider, PVOID data_path,
                      PVOID buffer, ULONG size, ULONG_PTR *info);

#endif
