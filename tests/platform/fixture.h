/* Shared by the platform, acpi, cmbatt and scenario tests: a virtual-time
 * host with a machine loaded, temporary machine files, and a driver
 * directory holding only the drivers a test wants (so the ACPI bus can be
 * tested without cmbatt on its children). */
#ifndef BK_TEST_PLATFORM_FIXTURE_H
#define BK_TEST_PLATFORM_FIXTURE_H

#include <battkit/host.h>
#include <stdint.h>

#define FX_SECOND 1000000000ull
#define FX_MINUTE (60 * FX_SECOND)
#define FX_HOUR   (60 * FX_MINUTE)

/* Starts a virtual-time host. drivers: a space-separated list of services
 * whose .so the host may load ("acpi battc"), NULL for every built driver.
 * machine_text: a machine description (NULL: the embedded laptop). Returns
 * NULL (and fails the test) when the machine does not load. */
bk_host_t *fx_start(const char *drivers, const char *machine_text);
/* Unloads the machine and destroys the host; fails the test on leaks. */
void fx_stop(bk_host_t *host);
/* Writes text to a new temporary file; returns its path (static storage,
 * valid until the next call). */
const char *fx_temp_file(const char *suffix, const char *text);
/* The PDO of a device by instance path ("ACPI\\PNP0C0A\\0"), or NULL. */
void *fx_pdo(bk_host_t *host, const char *instance_path);

#endif
