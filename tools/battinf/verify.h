/* verify.h: `battinf verify` as a library: the battery-specific INF rules of
 * the WDK's "Installing a Battery Driver" on top of bk_inf_check's rules for
 * any device INF. Every problem is a diagnostic with file and line. */
#ifndef BATTINF_VERIFY_H
#define BATTINF_VERIFY_H

#include "battery_rules.h"

/* docs (devguid.h): GUID_DEVCLASS_BATTERY, the Battery setup class. */
#define BATTINF_BATTERY_CLASS_GUID SETUP_BATTERY_CLASS_GUID

typedef struct battinf_options {
    const char *locale;             /* [Strings.LCID] to use, NULL: [Strings] */
    const char *arch;               /* platform architecture, NULL: amd64 */
    const char *const *search_dirs; /* extra places for driver files and Include= INFs */
} battinf_options_t;

/* Verifies one INF; diags receives every problem, sorted by file and line.
 * Returns the number of errors (0: the INF passes). */
size_t battinf_verify_file(const char *path, const battinf_options_t *opt, bk_diags_t *diags);
/* The same for INF text in memory; name is used in messages and its directory
 * is where files are looked for. */
size_t battinf_verify_buffer(const char *name, const void *data, size_t size,
                             const battinf_options_t *opt, bk_diags_t *diags);

#endif
